"""PEPPOL BIS 3 Order parsing, without a database: the official sample and documents written from the spec."""
import decimal
import os
import pathlib

import pytest

from odoo.addons.ecrm_eprocurement.order_formats import DocumentError, parse
from odoo.addons.ecrm_eprocurement.order_formats.sample import build_order

# The official OpenPEPPOL examples are read in place (they are not copied into the repository).
SAMPLES = pathlib.Path(os.environ.get(
    "ECRM_PEPPOL_SAMPLES", pathlib.Path(__file__).resolve().parents[3].parent / "shared" / "samples" / "peppol"))
LIMIT = 5 * 1024 * 1024


def official_sample():
    path = SAMPLES / "BIS3_Order_Full_Example.xml"
    if not path.exists():
        pytest.skip("official PEPPOL sample not found at %s (set ECRM_PEPPOL_SAMPLES)" % path)
    return path.read_bytes()


def rejected(payload, limit=LIMIT):
    with pytest.raises(DocumentError) as caught:
        parse("peppol-order", payload, limit)
    return caught.value


def test_official_sample_with_bis28a_customization_is_read_in_full():
    order = parse("peppol-order", official_sample(), LIMIT)
    assert order["profile"] == "bis28a"
    assert (order["document_id"], order["issue_date"], order["currency"]) == ("34", "2012-10-01", "NOK")
    assert order["buyer"]["party_id"] == "7080000985134" and order["buyer"]["party_scheme"] == "0088"
    assert order["delivery"]["gln"] == "7300010000001"
    assert order["delivery"]["city"] == "Lørenskog"
    first, second = order["lines"]
    assert (first["line_id"], first["quantity"], first["unit_code"]) == ("1", decimal.Decimal(120), "EA")
    assert (first["buyer_item_id"], first["seller_item_id"], first["gtin"]) == ("123456", "121212", "7560000012345")
    assert first["unit_price"] == decimal.Decimal(50)
    assert first["line"] == 287  # the source line of its cac:LineItem
    assert second["gtin"] is None and second["seller_item_id"] == "SItemNo011"
    assert order["problems"] == []


def test_bis3_customization_and_price_base_quantity():
    payload = build_order("PO-1", [{"buyer_item_id": "A", "quantity": 4, "unit_price": "12.50"}])
    payload = payload.replace(b"<cbc:PriceAmount currencyID=\"GBP\">12.50</cbc:PriceAmount>",
                              b"<cbc:PriceAmount currencyID=\"GBP\">125.00</cbc:PriceAmount>"
                              b"<cbc:BaseQuantity unitCode=\"EA\">10</cbc:BaseQuantity>")
    order = parse("peppol-order", payload, LIMIT)
    assert order["profile"] == "bis3"
    assert order["lines"][0]["unit_price"] == decimal.Decimal("12.5")


def test_unknown_customization_is_refused_precisely():
    payload = build_order("PO-1", [{"buyer_item_id": "A", "quantity": 1}]).replace(
        b"urn:fdc:peppol.eu:poacc:trns:order:3", b"urn:example:other")
    error = rejected(payload)
    assert error.status == 400
    assert "unsupported CustomizationID 'urn:example:other'" in str(error)
    assert error.problems[0].line == 3  # line 1 is the XML declaration, 2 the Order element


def test_wrong_namespace_is_400_naming_the_expected_one():
    payload = official_sample().replace(b'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"',
                                        b'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"')
    error = rejected(payload)
    assert error.status == 400
    assert "expected Order in namespace urn:oasis:names:specification:ubl:schema:xsd:Order-2" in str(error)


def test_missing_mandatory_elements_are_all_listed_with_lines():
    payload = official_sample().replace(b"<cbc:ID>34</cbc:ID>", b"").replace(
        b"<cbc:DocumentCurrencyCode>NOK</cbc:DocumentCurrencyCode>", b"").replace(
        b"<cbc:Name>Wet tissues</cbc:Name>", b"")
    error = rejected(payload)
    assert error.status == 400
    text = str(error)
    assert "line 13: missing mandatory element cbc:ID in Order" in text
    assert "missing mandatory element cbc:DocumentCurrencyCode in Order" in text
    assert "missing mandatory element cbc:Name in cac:Item" in text
    assert [p.line for p in error.problems][-1] == 404


def test_quantity_without_unit_or_not_a_number_is_malformed():
    payload = official_sample().replace(b'<cbc:Quantity unitCode="EA">15</cbc:Quantity>',
                                        b"<cbc:Quantity>15</cbc:Quantity>").replace(
        b'<cbc:Quantity unitCode="EA">120</cbc:Quantity>', b'<cbc:Quantity unitCode="EA">lots</cbc:Quantity>')
    error = rejected(payload)
    assert error.status == 400
    assert "order line 1: 'lots' is not a number" in str(error)
    assert "order line 2: cbc:Quantity has no unitCode" in str(error)


def test_business_problems_are_collected_not_raised():
    payload = build_order("PO-9", [
        {"buyer_item_id": "A", "quantity": 0},
        {"gtin": "5012345678900", "quantity": -3, "unit_code": "XYZ"},
        {"quantity": 2},
    ], currency="ZZZ")
    order = parse("peppol-order", payload, LIMIT)
    messages = [(p.line, p.message) for p in order["problems"]]
    assert messages[0] == (7, "unknown currency code 'ZZZ' (ISO 4217)")
    text = "\n".join(m for _, m in messages)
    assert "order line 1: quantity must be greater than zero, got 0" in text
    assert "order line 2: quantity must be greater than zero, got -3" in text
    assert "order line 2: unknown unit code 'XYZ'" in text
    assert "order line 3: no item identifier" in text
    assert all(line for line, _ in messages)


def test_price_currency_must_match_document_currency():
    payload = build_order("PO-2", [{"buyer_item_id": "A", "quantity": 1, "unit_price": 3}]).replace(
        b'currencyID="GBP"', b'currencyID="EUR"')
    order = parse("peppol-order", payload, LIMIT)
    assert ["price currency EUR differs from the document currency GBP" in p.message
            for p in order["problems"]] == [True]


def test_not_xml_and_empty_body_are_malformed():
    assert rejected(b"order please").status == 400
    assert "empty document" in str(rejected(b"  \n"))
    error = rejected(b"<?xml version='1.0'?>\n<Order>\n<unclosed>\n</Order>")
    assert error.status == 400 and error.problems[0].line == 4
