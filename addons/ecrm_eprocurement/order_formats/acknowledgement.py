"""PEPPOL BIS 3 OrderResponse built with lxml element builders.

Response codes are the BIS Ordering 3 subset of UNCL 4343; line status codes the
subset of UNCL 1229.
"""
from lxml import etree
from lxml.builder import ElementMaker

ACKNOWLEDGED = "AB"   # received, will be handled (test mode, or waiting for a person)
ACCEPTED = "AP"       # accepted as ordered
CHANGED = "CA"        # accepted with changes (e.g. our price within tolerance)
REJECTED = "RE"
RESPONSE_CODES = (ACKNOWLEDGED, ACCEPTED, CHANGED, REJECTED)

LINE_ACCEPTED = "5"
LINE_CHANGED = "3"
LINE_REJECTED = "7"

CUSTOMIZATION_ID = "urn:fdc:peppol.eu:poacc:trns:order_response:3"
PROFILE_ID = "urn:fdc:peppol.eu:poacc:bis:ordering:3"
NS = "urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP = {None: NS, "cac": CAC_NS, "cbc": CBC_NS}

_doc = ElementMaker(namespace=NS, nsmap=NSMAP)
cac = ElementMaker(namespace=CAC_NS, nsmap=NSMAP)
cbc = ElementMaker(namespace=CBC_NS, nsmap=NSMAP)


def _party(tag, party):
    children = []
    if party.get("endpoint_id"):
        children.append(cbc.EndpointID(party["endpoint_id"], schemeID=party.get("endpoint_scheme") or "0088"))
    if party.get("party_id"):
        identifier = cbc.ID(party["party_id"])
        if party.get("party_scheme"):
            identifier.set("schemeID", party["party_scheme"])
        children.append(cac.PartyIdentification(identifier))
    if party.get("name"):
        children.append(cac.PartyLegalEntity(cbc.RegistrationName(party["name"])))
    return getattr(cac, tag)(cac.Party(*children))


def _number(value):
    return "{:f}".format(value) if hasattr(value, "as_tuple") else repr(float(value)).rstrip("0").rstrip(".")


def build_order_response(response):
    """Serialise an acknowledgement dict into UTF-8 OrderResponse bytes.

    ``response``: {"id", "issue_date", "issue_time", "code", "notes": [str],
    "currency", "order_id", "sales_order_id" (optional), "customer_reference"
    (optional), "seller": party, "buyer": party, "lines": [{"line_id", "status",
    "quantity", "unit_code", "unit_price" (optional), "name"}]}
    """
    if response["code"] not in RESPONSE_CODES:
        raise ValueError("unknown response code %r" % response["code"])
    header = [
        cbc.CustomizationID(CUSTOMIZATION_ID),
        cbc.ProfileID(PROFILE_ID),
        cbc.ID(response["id"]),
    ]
    if response.get("sales_order_id"):
        header.append(cbc.SalesOrderID(response["sales_order_id"]))
    header += [cbc.IssueDate(response["issue_date"]), cbc.IssueTime(response["issue_time"]),
               cbc.OrderResponseCode(response["code"])]
    if response.get("notes"):
        header.append(cbc.Note("\n".join(response["notes"])))
    if response.get("currency"):
        header.append(cbc.DocumentCurrencyCode(response["currency"]))
    if response.get("customer_reference"):
        header.append(cbc.CustomerReference(response["customer_reference"]))
    header += [
        cac.OrderReference(cbc.ID(response["order_id"])),
        _party("SellerSupplierParty", response.get("seller") or {}),
        _party("BuyerCustomerParty", response.get("buyer") or {}),
    ]
    if response["code"] in (CHANGED, ACCEPTED):
        header += [_line(line, response.get("currency")) for line in response.get("lines", ())]
    document = _doc.OrderResponse(*header)
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _line(line, currency):
    item = [cbc.ID(line["line_id"]), cbc.LineStatusCode(line["status"])]
    if line.get("quantity") is not None:
        item.append(cbc.Quantity(_number(line["quantity"]), unitCode=line.get("unit_code") or "EA"))
    if line.get("unit_price") is not None and line["status"] == LINE_CHANGED:
        item.append(cac.Price(cbc.PriceAmount(_number(line["unit_price"]), currencyID=currency or "GBP")))
    item.append(cac.Item(cbc.Name(line.get("name") or line["line_id"])))
    return cac.OrderLine(cac.LineItem(*item), cac.OrderLineReference(cbc.LineID(line["line_id"])))
