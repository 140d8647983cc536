"""Build PEPPOL BIS 3 Order documents: the "send test order" action, tests and benchmarks."""
from lxml import etree
from lxml.builder import ElementMaker

from .peppol import NS

CUSTOMIZATION_ID = "urn:fdc:peppol.eu:poacc:trns:order:3"
PROFILE_ID = "urn:fdc:peppol.eu:poacc:bis:ordering:3"
NSMAP = {None: NS["ord"], "cac": NS["cac"], "cbc": NS["cbc"]}
_doc = ElementMaker(namespace=NS["ord"], nsmap=NSMAP)
cac = ElementMaker(namespace=NS["cac"], nsmap=NSMAP)
cbc = ElementMaker(namespace=NS["cbc"], nsmap=NSMAP)


def _party(tag, gln, name):
    return getattr(cac, tag)(cac.Party(
        cbc.EndpointID(gln, schemeID="0088"),
        cac.PartyIdentification(cbc.ID(gln, schemeID="0088")),
        cac.PartyLegalEntity(cbc.RegistrationName(name))))


def build_order(document_id, lines, currency="GBP", buyer_gln="5000000000000", buyer_name="Buyer",
                seller_gln="5000000000001", seller_name="Seller", delivery_gln=None,
                issue_date="2026-11-22", note=None, requested_date=None):
    """``lines``: dicts with quantity, and any of buyer_item_id, seller_item_id, gtin,
    unit_code (default EA), unit_price, name."""
    header = [cbc.CustomizationID(CUSTOMIZATION_ID), cbc.ProfileID(PROFILE_ID), cbc.ID(document_id),
              cbc.IssueDate(issue_date)]
    if note:
        header.append(cbc.Note(note))
    header += [cbc.DocumentCurrencyCode(currency),
               _party("BuyerCustomerParty", buyer_gln, buyer_name),
               _party("SellerSupplierParty", seller_gln, seller_name)]
    delivery = []
    if delivery_gln:
        delivery.append(cac.DeliveryLocation(cbc.ID(delivery_gln, schemeID="0088")))
    if requested_date:
        delivery.append(cac.RequestedDeliveryPeriod(cbc.EndDate(requested_date)))
    if delivery:
        header.append(cac.Delivery(*delivery))
    for number, line in enumerate(lines, 1):
        header.append(_line(str(number), line, currency))
    return etree.tostring(_doc.Order(*header), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _line(line_id, line, currency):
    parts = [cbc.ID(line_id), cbc.Quantity(str(line["quantity"]), unitCode=line.get("unit_code", "EA"))]
    if line.get("unit_price") is not None:
        parts.append(cac.Price(cbc.PriceAmount(str(line["unit_price"]), currencyID=currency)))
    item = [cbc.Name(line.get("name") or "Item %s" % line_id)]
    if line.get("buyer_item_id"):
        item.append(cac.BuyersItemIdentification(cbc.ID(line["buyer_item_id"])))
    if line.get("seller_item_id"):
        item.append(cac.SellersItemIdentification(cbc.ID(line["seller_item_id"])))
    if line.get("gtin"):
        item.append(cac.StandardItemIdentification(cbc.ID(line["gtin"], schemeID="0160")))
    parts.append(cac.Item(*item))
    return cac.OrderLine(cac.LineItem(*parts))
