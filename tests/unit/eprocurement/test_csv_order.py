"""The documented CSV layout."""
import decimal

import pytest

from odoo.addons.ecrm_eprocurement.order_formats import DocumentError, parse

HEADER = "order_id,currency,buyer_item_id,gtin,seller_sku,description,quantity,unit,unit_price,delivery_gln\n"


def test_good_csv_order():
    payload = (HEADER + "NHS-77,GBP,H-100,,,Ceiling hoist sling,2,EA,149.00,5000000000123\n"
               + 'NHS-77,GBP,,5012345678900,,"Bath board, white",5,,12.5,5000000000123\n').encode()
    order = parse("csv", payload, 1024 * 1024)
    assert order["document_id"] == "NHS-77" and order["currency"] == "GBP"
    assert order["delivery"]["gln"] == "5000000000123"
    assert [(line["line"], line["line_id"], line["quantity"], line["unit_code"]) for line in order["lines"]] == [
        (2, "1", decimal.Decimal(2), "EA"), (3, "2", decimal.Decimal(5), "EA")]
    assert order["lines"][1]["name"] == "Bath board, white"
    assert order["problems"] == []


def test_structural_errors_are_400_with_row_numbers():
    payload = ("order_id,currency,quantity,colour\nA,GBP,1,red\nB,GBP,x,blue,extra\n").encode()
    with pytest.raises(DocumentError) as caught:
        parse("csv", payload, 1024 * 1024)
    assert caught.value.status == 400
    text = str(caught.value)
    assert "line 1: unknown column 'colour'" in text


def test_rows_must_belong_to_one_order():
    payload = (HEADER + "A,GBP,X,,,,1,,,\nB,GBP,Y,,,,x,,,\n").encode()
    with pytest.raises(DocumentError) as caught:
        parse("csv", payload, 1024 * 1024)
    text = str(caught.value)
    assert "line 3: order_id 'B' differs from the first row's 'A'" in text
    assert "line 3: order line 2: 'x' is not a number" in text


def test_business_problems_name_the_row():
    payload = (HEADER + "A,GBP,X,,,,0,,,\nA,GBP,,,,,3,BAG,,\n").encode()
    order = parse("csv", payload, 1024 * 1024)
    assert [(p.line, p.message.split(":")[1].strip()) for p in order["problems"]] == [
        (2, "quantity must be greater than zero, got 0"),
        (3, "unknown unit code 'BAG' (UN/ECE Rec 20"),
        (3, "no item identifier (buyer's, seller's or GTIN)"),
    ]
