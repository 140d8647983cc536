"""Hostile-input-proof XML reading: size first, UTF-8 only, no DTD, no entities, no network."""
import re

from lxml import etree

from .errors import MALFORMED, TOO_LARGE, DocumentError, Problem

_DTD_MARKUP = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(r"""^\s*<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _parser():
    # A new parser per document: lxml parsers are not thread-safe.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, dtd_validation=False, load_dtd=False,
        huge_tree=False, remove_blank_text=False, collect_ids=False)


def check_size(payload, max_bytes):
    if max_bytes and len(payload) > max_bytes:
        raise DocumentError(TOO_LARGE, [Problem(None, "document is %d bytes, the limit is %d bytes"
                                                % (len(payload), max_bytes))])


def line_of_offset(payload, offset):
    return payload.count(b"\n", 0, offset) + 1


def decode_utf8(payload):
    """The text of ``payload``, or a 400 naming the line of the first byte that is not UTF-8."""
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(MALFORMED, [Problem(
            line_of_offset(payload, error.start),
            "invalid UTF-8 byte 0x%02x at byte offset %d; documents must be UTF-8"
            % (payload[error.start], error.start))])


def parse(payload, max_bytes):
    """Parse ``payload`` (bytes) into an lxml root element, or raise DocumentError."""
    check_size(payload, max_bytes)
    if not payload.strip():
        raise DocumentError(MALFORMED, [Problem(None, "empty document")])
    text = decode_utf8(payload)
    declared = _DECLARED_ENCODING.match(text)
    if declared and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise DocumentError(MALFORMED, [Problem(1, "declared encoding %r is not accepted; send UTF-8"
                                                % declared.group(1))])
    dtd = _DTD_MARKUP.search(text)
    if dtd:
        raise DocumentError(MALFORMED, [Problem(
            text.count("\n", 0, dtd.start()) + 1,
            "DTD and entity declarations (<!%s) are not accepted" % dtd.group(1).upper())])
    try:
        root = etree.fromstring(payload, _parser())
    except etree.XMLSyntaxError as error:
        raise DocumentError(MALFORMED, [Problem(error.lineno or None, "not well-formed XML: %s" % error.msg)])
    if root.getroottree().docinfo.doctype:  # belt and braces: the scan above should have caught it
        raise DocumentError(MALFORMED, [Problem(1, "DTD declarations are not accepted")])
    return root
