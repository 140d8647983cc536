"""cXML OrderRequest (cXML 1.2), and the cXML Response that answers it.

Real cXML documents declare the public DTD by URL; that exact form of DOCTYPE
is tolerated (never loaded: the parser has no network and loads no DTD), any
internal subset or entity declaration is still refused.
"""
import datetime
import re
import uuid

from lxml import etree
from lxml.builder import E

from . import safe_xml, values
from .errors import MALFORMED, DocumentError, Problem

PUBLIC_DOCTYPE = re.compile(
    r'<!DOCTYPE\s+cXML\s+SYSTEM\s+"http://xml\.cxml\.org/schemas/cXML/[0-9.]+/cXML\.dtd"\s*>')


def shared_secret(payload, max_bytes):
    """The Sender SharedSecret of a cXML document, or None; used before authentication."""
    try:
        root = _root(payload, max_bytes)
    except DocumentError:
        return None
    secret = root.findtext("Header/Sender/Credential/SharedSecret")
    return secret.strip() if secret else None


def _root(payload, max_bytes):
    safe_xml.check_size(payload, max_bytes)
    text = safe_xml.decode_utf8(payload)
    declared = PUBLIC_DOCTYPE.search(text)
    if declared:
        # Blank out the public DOCTYPE (same length, so line numbers stay true).
        payload = (text[:declared.start()] + " " * (declared.end() - declared.start())
                   + text[declared.end():]).encode("utf-8")
    root = safe_xml.parse(payload, max_bytes)
    if root.tag != "cXML":
        raise DocumentError(MALFORMED, [Problem(root.sourceline, "root element is %s, expected cXML" % root.tag)])
    return root


def parse(payload, max_bytes):
    root = _root(payload, max_bytes)
    request = root.find("Request/OrderRequest")
    if request is None:
        raise DocumentError(MALFORMED, [Problem(root.sourceline, "no Request/OrderRequest in this cXML document")])
    header = request.find("OrderRequestHeader")
    if header is None or not header.get("orderID"):
        raise DocumentError(MALFORMED, [Problem(request.sourceline, "missing OrderRequestHeader/@orderID")])
    malformed, problems, lines = [], [], []
    total = header.find("Total/Money")
    currency = total.get("currency") if total is not None else None
    items = request.findall("ItemOut")
    if not items:
        malformed.append(Problem(request.sourceline, "an order needs at least one ItemOut"))
    for position, item in enumerate(items, 1):
        try:
            line = _line(item, position)
        except ValueError as error:
            malformed.append(Problem(item.sourceline, str(error)))
            continue
        currency = currency or line.get("price_currency")
        lines.append(line)
    if not currency:
        malformed.append(Problem(header.sourceline, "no currency: give Total/Money/@currency"))
    if malformed:
        raise DocumentError(MALFORMED, malformed)
    ship_to = header.find("ShipTo/Address")
    sender = root.find("Header/From/Credential")
    order = {
        "format": "cxml", "profile": "cxml", "document_id": header.get("orderID"),
        "issue_date": (header.get("orderDate") or "")[:10] or None, "currency": currency,
        "note": (header.findtext("Comments") or "").strip() or None, "customer_reference": None,
        "buyer": {"cxml_domain": sender.get("domain") if sender is not None else None,
                  "cxml_identity": (sender.findtext("Identity") or "").strip() if sender is not None else None},
        "seller": {},
        "delivery": _delivery(ship_to, items),
        "lines": lines,
        "payload_id": root.get("payloadID"),
    }
    values.check_currency(currency, header.sourceline, problems)
    for line in lines:
        values.check_line(line, currency, problems)
    order["problems"] = problems
    return order


def _line(item, position):
    line_id = item.get("lineNumber") or str(position)
    detail = item.find("ItemDetail")
    if detail is None:
        raise ValueError("order line %s: missing ItemDetail" % line_id)
    unit = (detail.findtext("UnitOfMeasure") or "").strip()
    if not unit:
        raise ValueError("order line %s: missing ItemDetail/UnitOfMeasure" % line_id)
    money = detail.find("UnitPrice/Money")
    try:
        quantity = values.decimal_or_none(item.get("quantity"))
        price = values.decimal_or_none(money.text if money is not None else None)
    except ValueError as error:
        raise ValueError("order line %s: %s" % (line_id, error))
    if quantity is None:
        raise ValueError("order line %s: missing ItemOut/@quantity" % line_id)
    return {
        "line": item.sourceline, "line_id": line_id,
        "name": (detail.findtext("Description") or "").strip() or None,
        "quantity": quantity, "unit_code": unit, "unit_price": price,
        "price_currency": money.get("currency") if money is not None else None,
        "buyer_item_id": (item.findtext("ItemID/BuyerPartID") or "").strip() or None,
        "seller_item_id": (item.findtext("ItemID/SupplierPartID") or "").strip() or None,
        "gtin": None,
    }


def _delivery(address, items):
    requested = next((item.get("requestedDeliveryDate") for item in items if item.get("requestedDeliveryDate")), None)
    if address is None:
        return {"requested_date": requested[:10]} if requested else None
    postal = address.find("PostalAddress")
    country = postal.find("Country") if postal is not None else None
    return {
        "location_id": address.get("addressID"), "gln": address.get("addressID") if (
            address.get("addressID") or "").isdigit() and len(address.get("addressID")) == 13 else None,
        "name": (address.findtext("Name") or "").strip() or None,
        "street": (postal.findtext("Street") or "").strip() or None if postal is not None else None,
        "street2": None,
        "city": (postal.findtext("City") or "").strip() or None if postal is not None else None,
        "zip": (postal.findtext("PostalCode") or "").strip() or None if postal is not None else None,
        "country_code": country.get("isoCountryCode") if country is not None else None,
        "requested_date": requested[:10] if requested else None,
    }


STATUS_TEXT = {200: "OK", 201: "Accepted", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
               406: "Not Acceptable", 409: "Conflict", 500: "Internal Server Error"}


def build_response(status_code, message="", payload_id=None, now=None):
    """A cXML Response carrying ``status_code`` (a cXML status code) and ``message``."""
    now = now or datetime.datetime.utcnow()
    status = E.Status(message or "", code=str(status_code), text=STATUS_TEXT.get(status_code, str(status_code)))
    document = E.cXML(E.Response(status), payloadID=payload_id or "%s@ecrm" % uuid.uuid4().hex,
                      timestamp=now.strftime("%Y-%m-%dT%H:%M:%S+00:00"))
    doctype = '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">'
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", doctype=doctype, pretty_print=True)
