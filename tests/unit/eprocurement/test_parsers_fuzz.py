"""Property-based tests of every inbound order format: PEPPOL BIS 3 Order, CSV and cXML.

Inputs are random bytes, random text, the formats' real samples (the official PEPPOL order,
the tests' CSV and cXML orders) and those samples mutated: bytes inserted, deleted and
replaced, elements and cells given hostile values. Two outcomes only: a parsed order whose
fields keep the documented shape and bounds, or ``DocumentError`` with a 400, 413 or 422 and a
message. Any other exception is a crash the endpoint would turn into a 500 or a 503.
"""
import decimal

import pytest
from hypothesis import example, given, settings, strategies as st

from odoo.addons.ecrm_eprocurement.order_formats import DEFAULT_LIMITS, FORMATS, DocumentError, cxml, parse

from .test_csv_order import HEADER
from .test_cxml_order import order_request
from .test_peppol_order import SAMPLES

pytestmark = pytest.mark.fuzz

LIMIT = 256 * 1024
# A parser's share of the profile's examples (tests/unit/conftest.py) spread over its three
# kinds of input: a few thousand per parser in make test, 50,000 in make fuzz.
PER_KIND = settings(max_examples=max(1, settings.default.max_examples // 3))
CSV_SAMPLE = (HEADER + "NHS-77,GBP,H-100,,,Ceiling hoist sling,2,EA,149.00,5000000000123\n"
              + 'NHS-77,GBP,,5012345678900,,"Bath board, white",5,,12.5,5000000000123\n').encode()
CXML_SAMPLE = order_request()
CXML_SAMPLE = CXML_SAMPLE if isinstance(CXML_SAMPLE, bytes) else CXML_SAMPLE.encode()
PEPPOL_PATH = SAMPLES / "BIS3_Order_Full_Example.xml"
PEPPOL_SAMPLE = PEPPOL_PATH.read_bytes() if PEPPOL_PATH.exists() else None
SAMPLE_OF = {"csv": CSV_SAMPLE, "cxml": CXML_SAMPLE, "peppol-order": PEPPOL_SAMPLE}
HOSTILE_VALUES = [b"", b" ", b"0", b"-1", b"1e999999", b"1e20", b"0.0000001", b"NaN", b"sNaN", b"Infinity",
                  b"-0", b"1_000", b"0x10", b"\xd9\xa1", b"9" * 400, b"7" * 5000, b"=cmd|' /C calc'!A0",
                  b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"&amp;", b"&lt;x&gt;", b"<![CDATA[1]]>", b"<x/>",
                  b"\"", b"\",\"", b"\r\n", b"GBP", b"XXX", b"EA", b"C62", b"\xc3\xa9"]
ORDER_KEYS = {"format", "profile", "document_id", "issue_date", "currency", "note", "customer_reference",
              "buyer", "seller", "delivery", "lines", "problems"}


def check_outcome(format_code, payload):
    """Parse ``payload``; fail on anything but an order in shape and bounds or a DocumentError."""
    try:
        order = parse(format_code, payload, LIMIT)
    except DocumentError as error:
        assert error.status in (400, 413, 422), error.status
        assert error.problems and str(error).strip(), "a refusal without a message"
        return None
    assert set(order) - {"payload_id"} == ORDER_KEYS, sorted(order)  # cXML also keeps its payloadID
    assert order["document_id"] and len(order["document_id"]) <= DEFAULT_LIMITS.max_id_length
    assert order["lines"], "an order without lines was accepted"
    for line in order["lines"]:
        quantity = line["quantity"]
        assert isinstance(quantity, decimal.Decimal) and quantity.is_finite()
        assert quantity <= DEFAULT_LIMITS.max_quantity
        if quantity > 0:  # a zero or negative quantity is a 422 business problem listed in "problems"
            assert quantity == quantity.quantize(decimal.Decimal("0.001"))
        else:
            assert order["problems"], "a line of quantity %s without a problem" % quantity
        assert line["unit_price"] is None or line["unit_price"].is_finite()
        assert len(line["line_id"] or "") <= DEFAULT_LIMITS.max_id_length
    float(sum(line["quantity"] for line in order["lines"]))  # what the sale order will be built with
    return order


def mutate(data, draw):
    """One or a few mutations of ``data``."""
    for _round in range(draw(st.integers(min_value=1, max_value=3))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "value", "truncate", "duplicate"]))
        position = draw(st.integers(min_value=0, max_value=len(data)))
        if kind == "insert":
            data = data[:position] + draw(st.binary(min_size=1, max_size=16)) + data[position:]
        elif kind == "delete":
            data = data[:position] + data[position + draw(st.integers(min_value=1, max_value=64)):]
        elif kind == "replace":
            data = data[:position] + draw(st.sampled_from([b"<", b">", b"/", b"\"", b",", b"\n", b"\x00", b"&",
                                                           b"\xff", b"\xc3"])) + data[position + 1:]
        elif kind == "truncate":
            data = data[:position]
        elif kind == "duplicate":
            end = min(len(data), position + draw(st.integers(min_value=1, max_value=400)))
            data = data[:end] + data[position:end] + data[end:]
        else:  # the text of an element or a cell replaced by a hostile value
            data = _replace_value(data, position, draw(st.sampled_from(HOSTILE_VALUES)))
    return data


def _replace_value(data, position, value):
    start = max(data.rfind(b">", 0, position), data.rfind(b",", 0, position)) + 1
    ends = [index for index in (data.find(b"<", position), data.find(b",", position), data.find(b"\n", position))
            if index != -1]
    end = min(ends) if ends else len(data)
    return data[:start] + value + data[end:]


@pytest.mark.parametrize("format_code", sorted(FORMATS))
@PER_KIND
@given(payload=st.binary(max_size=2048))
@example(payload=b"")
@example(payload=b"\xef\xbb\xbf")
@example(payload=b"\xff\xfe<\x00")
def test_random_bytes(format_code, payload):
    check_outcome(format_code, payload)


@pytest.mark.parametrize("format_code", sorted(FORMATS))
@PER_KIND
@given(text=st.text(max_size=1024))
def test_random_text(format_code, text):
    check_outcome(format_code, text.encode("utf-8", "surrogatepass") if text else b"")


@pytest.mark.parametrize("format_code", sorted(FORMATS))
@PER_KIND
@given(data=st.data())
def test_mutated_samples(format_code, data):
    sample = SAMPLE_OF[format_code]
    if sample is None:
        pytest.skip("official PEPPOL sample not found at %s (set ECRM_PEPPOL_SAMPLES)" % PEPPOL_PATH)
    check_outcome(format_code, mutate(sample, data.draw))


@pytest.mark.parametrize("format_code", sorted(FORMATS))
def test_the_unmutated_samples_parse(format_code):
    if SAMPLE_OF[format_code] is None:
        pytest.skip("official PEPPOL sample not found at %s" % PEPPOL_PATH)
    assert check_outcome(format_code, SAMPLE_OF[format_code])["lines"]


@PER_KIND
@given(data=st.data())
def test_cxml_shared_secret_never_raises(data):
    payload = mutate(CXML_SAMPLE, data.draw)
    secret = cxml.shared_secret(payload, LIMIT)
    assert secret is None or isinstance(secret, str)
