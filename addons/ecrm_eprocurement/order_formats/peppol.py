"""PEPPOL BIS 3 Order (UBL 2.1), also accepting the older BIS 28A customization."""
from .errors import MALFORMED, DocumentError, Problem
from . import safe_xml, values

NS = {
    "ord": "urn:oasis:names:specification:ubl:schema:xsd:Order-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
ROOT_TAG = "{%s}Order" % NS["ord"]
CUSTOMIZATIONS = {
    "urn:fdc:peppol.eu:poacc:trns:order:3": "bis3",
    "urn:www.cenbii.eu:transaction:biitrns001:ver2.0:extended:urn:www.peppol.eu:bis:peppol28a:ver1.0": "bis28a",
}
GLN_SCHEMES = ("0088", "GLN")
GTIN_SCHEMES = ("0160", "GTIN")


class _Reader:
    """Finds elements relative to a node and records every missing mandatory one."""

    def __init__(self):
        self.missing = []

    @staticmethod
    def node(parent, path):
        return parent.find(path, NS) if parent is not None else None

    def text(self, parent, path, required=False):
        element = self.node(parent, path)
        value = element.text.strip() if element is not None and element.text else ""
        if required and not value:
            self.missing.append(Problem(parent.sourceline, "missing mandatory element %s in %s"
                                        % (path, etree_name(parent))))
        return value or None


def etree_name(element):
    uri, _, local = element.tag[1:].partition("}")
    prefix = {value: key for key, value in NS.items()}.get(uri)
    return local if prefix in (None, "ord") else "%s:%s" % (prefix, local)


def parse(payload, max_bytes):
    root = safe_xml.parse(payload, max_bytes)
    if root.tag != ROOT_TAG:
        raise DocumentError(MALFORMED, [Problem(root.sourceline, "root element is %s, expected Order in namespace %s"
                                                % (root.tag, NS["ord"]))])
    read = _Reader()
    customization = read.text(root, "cbc:CustomizationID", required=True)
    read.text(root, "cbc:ProfileID", required=True)
    order = {
        "format": "peppol-order",
        "document_id": read.text(root, "cbc:ID", required=True),
        "issue_date": read.text(root, "cbc:IssueDate", required=True),
        "currency": read.text(root, "cbc:DocumentCurrencyCode", required=True),
        "note": read.text(root, "cbc:Note"),
        "customer_reference": read.text(root, "cbc:CustomerReference"),
        "buyer": _party(read, root, "cac:BuyerCustomerParty"),
        "seller": _party(read, root, "cac:SellerSupplierParty"),
        "delivery": _delivery(read, root.find("cac:Delivery", NS)),
        "lines": [],
    }
    order_lines = root.findall("cac:OrderLine", NS)
    if not order_lines:
        read.missing.append(Problem(root.sourceline, "an order needs at least one cac:OrderLine"))
    line_errors = []
    for order_line in order_lines:
        try:
            order["lines"].append(_line(read, order_line))
        except ValueError as error:
            line_errors.append(Problem(order_line.sourceline, str(error)))
    malformed = sorted(_unique(read.missing + line_errors), key=lambda p: p.line or 0)
    if customization and customization.split("#")[0] not in CUSTOMIZATIONS:
        malformed.insert(0, Problem(root.find("cbc:CustomizationID", NS).sourceline,
                                    "unsupported CustomizationID %r; accepted: %s"
                                    % (customization, ", ".join(CUSTOMIZATIONS))))
    if malformed:
        raise DocumentError(MALFORMED, malformed)
    order["profile"] = CUSTOMIZATIONS[customization.split("#")[0]]
    problems = []
    values.check_currency(order["currency"], root.find("cbc:DocumentCurrencyCode", NS).sourceline, problems)
    for line in order["lines"]:
        values.check_line(line, order["currency"], problems)
    order["problems"] = problems
    return order


def _unique(problems):
    seen, result = set(), []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            result.append(problem)
    return result


def _party(read, root, path):
    wrapper = read.node(root, path)
    if wrapper is None:
        read.missing.append(Problem(root.sourceline, "missing mandatory element %s" % path))
        return {}
    party = read.node(wrapper, "cac:Party")
    if party is None:
        read.missing.append(Problem(wrapper.sourceline, "missing mandatory element cac:Party in %s" % path))
        return {}
    endpoint = party.find("cbc:EndpointID", NS)
    identification = party.find("cac:PartyIdentification/cbc:ID", NS)
    return {
        "endpoint_id": read.text(party, "cbc:EndpointID"),
        "endpoint_scheme": endpoint.get("schemeID") if endpoint is not None else None,
        "party_id": read.text(party, "cac:PartyIdentification/cbc:ID"),
        "party_scheme": identification.get("schemeID") if identification is not None else None,
        "name": read.text(party, "cac:PartyName/cbc:Name") or read.text(
            party, "cac:PartyLegalEntity/cbc:RegistrationName"),
    }


def _delivery(read, delivery):
    if delivery is None:
        return None
    location = read.node(delivery, "cac:DeliveryLocation")
    location_id = read.node(location, "cbc:ID")
    scheme = location_id.get("schemeID") if location_id is not None else None
    address = read.node(location, "cac:Address")
    return {
        "location_id": read.text(location, "cbc:ID"),
        "gln": read.text(location, "cbc:ID") if scheme in GLN_SCHEMES else None,
        "name": read.text(delivery, "cac:DeliveryParty/cac:PartyName/cbc:Name"),
        "street": read.text(address, "cbc:StreetName"),
        "street2": read.text(address, "cbc:AdditionalStreetName"),
        "city": read.text(address, "cbc:CityName"),
        "zip": read.text(address, "cbc:PostalZone"),
        "country_code": read.text(address, "cac:Country/cbc:IdentificationCode"),
        "requested_date": read.text(delivery, "cac:RequestedDeliveryPeriod/cbc:EndDate")
        or read.text(delivery, "cac:RequestedDeliveryPeriod/cbc:StartDate"),
    }


def _line(read, order_line):
    item_line = read.node(order_line, "cac:LineItem")
    if item_line is None:
        raise ValueError("missing mandatory element cac:LineItem in cac:OrderLine")
    line_id = read.text(item_line, "cbc:ID", required=True)
    quantity_element = item_line.find("cbc:Quantity", NS)
    if quantity_element is None:
        raise ValueError("order line %s: missing mandatory element cbc:Quantity" % line_id)
    unit_code = quantity_element.get("unitCode")
    if not unit_code:
        raise ValueError("order line %s: cbc:Quantity has no unitCode" % line_id)
    item = read.node(item_line, "cac:Item")
    if item is None:
        raise ValueError("order line %s: missing mandatory element cac:Item" % line_id)
    price_element = item_line.find("cac:Price/cbc:PriceAmount", NS)
    try:
        quantity = values.decimal_or_none(quantity_element.text)
        price = values.decimal_or_none(price_element.text if price_element is not None else None)
        base_quantity = values.decimal_or_none(read.text(item_line, "cac:Price/cbc:BaseQuantity")) or 1
    except ValueError as error:
        raise ValueError("order line %s: %s" % (line_id, error))
    if quantity is None:
        raise ValueError("order line %s: cbc:Quantity is empty" % line_id)
    standard_id = item.find("cac:StandardItemIdentification/cbc:ID", NS)
    return {
        "line": item_line.sourceline,
        "line_id": line_id,
        "name": read.text(item, "cbc:Name", required=True),
        "quantity": quantity,
        "unit_code": unit_code.strip(),
        "unit_price": price / base_quantity if price is not None and base_quantity > 0 else price,
        "price_currency": price_element.get("currencyID") if price_element is not None else None,
        "buyer_item_id": read.text(item, "cac:BuyersItemIdentification/cbc:ID"),
        "seller_item_id": read.text(item, "cac:SellersItemIdentification/cbc:ID"),
        "gtin": standard_id.text.strip() if standard_id is not None and standard_id.text
        and (standard_id.get("schemeID") or "0160") in GTIN_SCHEMES else None,
    }
