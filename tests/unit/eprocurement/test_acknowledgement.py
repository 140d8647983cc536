"""The OrderResponse we send back: BIS 3 identifiers and UNCL 4343 / 1229 codes."""
import decimal

import pytest
from lxml import etree

from odoo.addons.ecrm_eprocurement.order_formats import acknowledgement as ack

NS = {"r": ack.NS, "cbc": ack.CBC_NS, "cac": ack.CAC_NS}


def response(**overrides):
    values = {
        "id": "EXCH-1", "issue_date": "2026-11-22", "issue_time": "10:00:00", "code": ack.CHANGED,
        "notes": ["line 2: price 9.00 replaced by contract price 9.20"], "currency": "GBP",
        "order_id": "PO-1", "sales_order_id": "SO042",
        "seller": {"endpoint_id": "5000000000001", "name": "TPG DisableAids"},
        "buyer": {"endpoint_id": "5000000000002", "name": "Leeds Teaching Hospitals"},
        "lines": [
            {"line_id": "1", "status": ack.LINE_ACCEPTED, "quantity": decimal.Decimal(2), "unit_code": "EA",
             "name": "Sling"},
            {"line_id": "2", "status": ack.LINE_CHANGED, "quantity": decimal.Decimal(5), "unit_code": "EA",
             "unit_price": decimal.Decimal("9.20"), "name": "Bath board"},
        ],
    }
    values.update(overrides)
    return values


def test_order_response_carries_bis3_ids_codes_and_changed_prices():
    root = etree.fromstring(ack.build_order_response(response()))
    assert root.tag == "{%s}OrderResponse" % ack.NS
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == "urn:fdc:peppol.eu:poacc:trns:order_response:3"
    assert root.findtext("cbc:ProfileID", namespaces=NS) == "urn:fdc:peppol.eu:poacc:bis:ordering:3"
    assert root.findtext("cbc:OrderResponseCode", namespaces=NS) == "CA"
    assert root.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == "PO-1"
    lines = root.findall("cac:OrderLine/cac:LineItem", NS)
    assert [line.findtext("cbc:LineStatusCode", namespaces=NS) for line in lines] == ["5", "3"]
    assert lines[0].find("cac:Price", NS) is None
    assert lines[1].findtext("cac:Price/cbc:PriceAmount", namespaces=NS) == "9.20"


def test_rejection_lists_problems_and_no_lines():
    root = etree.fromstring(ack.build_order_response(response(code=ack.REJECTED, notes=["a", "b"])))
    assert root.findtext("cbc:OrderResponseCode", namespaces=NS) == "RE"
    assert root.findtext("cbc:Note", namespaces=NS) == "a\nb"
    assert root.findall("cac:OrderLine", NS) == []


def test_unknown_code_is_a_programming_error():
    with pytest.raises(ValueError):
        ack.build_order_response(response(code="29"))
