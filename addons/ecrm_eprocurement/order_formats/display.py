# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Documents as people read them: a stored payload indented, an acknowledgement in words."""
from lxml import etree

from . import acknowledgement as ack
from . import safe_xml
from .errors import DocumentError

SHOWN_BYTES = 256 * 1024  # a 5 MB order is not read in a browser form; the attachment has it all

RESPONSE_WORDS = {ack.ACKNOWLEDGED: "Received, to be handled", ack.ACCEPTED: "Accepted as ordered",
                  ack.CHANGED: "Accepted with changes", ack.REJECTED: "Rejected"}
LINE_WORDS = {ack.LINE_ACCEPTED: "accepted", ack.LINE_CHANGED: "accepted with changes",
              ack.LINE_REJECTED: "rejected"}


def readable_document(payload, shown_bytes=SHOWN_BYTES):
    """The payload's text, XML indented; what is not well-formed XML (a CSV, a broken file) as sent.

    Parsed with the intake's own hostile-input rules, so a file that was refused is shown
    as text, never expanded. Longer documents are cut, and say so.
    """
    payload = payload or b""
    cut = len(payload) > shown_bytes
    try:
        if cut or not payload.lstrip().startswith(b"<"):
            raise DocumentError(None, [])
        root = safe_xml.parse(payload, shown_bytes)
        text = etree.tostring(_reindented(root), encoding="unicode", pretty_print=True)
    except DocumentError:
        text = payload[:shown_bytes].decode("utf-8", errors="replace")
    if cut:
        text += "\n... (%d of %d bytes shown; download the payload for the whole document)" % (
            shown_bytes, len(payload))
    return text


def _reindented(root):
    for element in root.iter():  # lxml indents only where no whitespace text was kept
        if element.text is not None and not element.text.strip() and len(element):
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    return root


def acknowledgement_lines(summary):
    """The acknowledgement summary (the JSON the exchange keeps) as sentences, one per line."""
    if not summary:
        return []
    lines = []
    code = summary.get("response_code")
    if code:
        words = RESPONSE_WORDS.get(code, code)
        order = summary.get("sale_order")
        lines.append("%s%s." % (words, " as sale order %s" % order if order else ""))
    for line in summary.get("lines") or ():
        lines.append("Line %s: %s, %s %s at %s." % (
            line.get("line_id"), LINE_WORDS.get(line.get("status"), line.get("status")),
            _quantity(line.get("quantity")), line.get("unit_code") or "", line.get("unit_price")))
    for problem in summary.get("problems") or ():
        where = "Line %s: " % problem["line"] if problem.get("line") else ""
        lines.append("%s%s." % (where, problem.get("message", "").rstrip(".")))
    if summary.get("test_mode"):
        lines.append("Test mode: the order stays a quotation; nothing is confirmed.")
    return lines


def _quantity(value):
    if isinstance(value, float) and value.is_integer():
        return "%d" % value
    return "%s" % value
