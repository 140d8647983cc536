"""Sane bounds per trading partner: absurd orders are refused as a whole with a 422 that
names every problem, before anything is priced or stored (issue 12 §6)."""
import decimal
import re

import pytest

from odoo.addons.ecrm_eprocurement.order_formats import DEFAULT_LIMITS, DocumentError, parse
from odoo.addons.ecrm_eprocurement.order_formats.bounds import order_value_problems

from .test_peppol_order import SAMPLES

HEADER = "order_id,currency,buyer_item_id,quantity,unit_price\n"


def csv_order(quantity="1", price="", order_id="NHS-1", item="H-100"):
    return (HEADER + "%s,GBP,%s,%s,%s\n" % (order_id, item, quantity, price)).encode()


def refusal(payload, limits=DEFAULT_LIMITS):
    with pytest.raises(DocumentError) as caught:
        parse("csv", payload, 10 * 1024 * 1024, limits)
    return caught.value


@pytest.mark.parametrize("quantity", ["1e999999", "1e20", "100001", "1" + "0" * 5000])
def test_a_quantity_beyond_the_buyers_bound_is_refused_finally(quantity):
    error = refusal(csv_order(quantity))
    assert error.status == 422
    assert "order line 1: quantity" in str(error) and "is more than the 100000 this buyer may order" in str(error)
    assert len(str(error)) < 300  # the message quotes a long number shortened


def test_a_quantity_finer_than_the_unit_precision_is_refused():
    error = refusal(csv_order("0.0000001"))
    assert error.status == 422 and "quantity 1E-7 has more than 3 decimal places" in str(error)
    assert parse("csv", csv_order("2.500000"), 1024)["lines"][0]["quantity"] == decimal.Decimal("2.5")


def test_a_long_identifier_is_refused_before_anything_can_store_it():
    error = refusal(csv_order(order_id="X" * 100000))  # (CSV's own cell limit is 128 KiB: a 400)
    assert error.status == 422 and "document_id is 100000 characters long, the limit is 100" in str(error)
    assert len(str(error)) < 300
    error = refusal(csv_order(item="I" * 101))
    assert "order line 1: buyer_item_id is 101 characters long" in str(error)


def test_a_unit_price_beyond_a_lines_bound_is_refused():
    assert "unit price 1E+7 is more than the 1000000" in str(refusal(csv_order(price="1e7")))


def test_every_broken_bound_is_listed_at_once():
    payload = (HEADER + "NHS-2,GBP,A,1e9,\nNHS-2,GBP,B,0.0001,\n").encode()
    text = str(refusal(payload))
    assert "line 2: order line 1: quantity" in text and "line 3: order line 2: quantity" in text


def test_a_trading_partners_own_bounds_apply():
    tight = DEFAULT_LIMITS._replace(max_quantity=decimal.Decimal(10), max_id_length=5)
    assert parse("csv", csv_order("10", order_id="AB"), 1024, tight)["lines"][0]["quantity"] == 10
    text = str(refusal(csv_order("11", order_id="ABCDEF"), tight))
    assert "more than the 10 this buyer may order" in text and "document_id is 6 characters long" in text


def test_priced_line_and_order_values():
    limits = DEFAULT_LIMITS._replace(max_line_value=decimal.Decimal(100), max_order_value=decimal.Decimal(150))
    assert order_value_problems([(None, "1", decimal.Decimal(100)), (None, "2", decimal.Decimal(50))], limits) == []
    problems = order_value_problems([(None, "1", decimal.Decimal("100.01")), (None, "2", decimal.Decimal(60))],
                                    limits)
    assert [problem.message for problem in problems] == [
        "order line 1 is worth 100.01, more than the 100.00 this buyer may order on one line",
        "the order is worth 160.01, more than the 150.00 this buyer may order at once"]


def test_a_megabyte_peppol_order_id_is_refused(peppol_sample):
    payload = re.sub(rb"(<cbc:ID>)[^<]*(</cbc:ID>)", lambda m: m.group(1) + b"7" * 1024 * 1024 + m.group(2),
                     peppol_sample, count=1)
    error = refusal_of("peppol-order", payload)
    assert error.status == 422 and "document_id is 1048576 characters long, the limit is 100" in str(error)


def refusal_of(format_code, payload):
    with pytest.raises(DocumentError) as caught:
        parse(format_code, payload, 10 * 1024 * 1024)
    return caught.value


@pytest.fixture
def peppol_sample():
    path = SAMPLES / "BIS3_Order_Full_Example.xml"
    if not path.exists():
        pytest.skip("official PEPPOL sample not found at %s (set ECRM_PEPPOL_SAMPLES)" % path)
    return path.read_bytes()
