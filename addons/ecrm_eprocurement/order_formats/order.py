"""One entry point for every inbound format.

An order is a plain dict::

    {"format", "profile", "document_id", "issue_date", "currency", "note",
     "customer_reference", "buyer": {...}, "seller": {...},
     "delivery": {"gln", "location_id", "name", "street", ...} or None,
     "lines": [{"line", "line_id", "name", "quantity" (Decimal), "unit_code",
                "unit_price" (Decimal or None), "buyer_item_id", "seller_item_id", "gtin"}],
     "problems": [Problem]}   # business problems (422); malformed input raises DocumentError(400)
"""
from . import bounds, csv_order, cxml, peppol

FORMATS = {
    "peppol-order": peppol.parse,
    "csv": csv_order.parse,
    "cxml": cxml.parse,
}


def parse(format_code, payload, max_bytes, limits=bounds.DEFAULT_LIMITS):
    """The order in ``payload``, or DocumentError: 400/413 malformed, 422 out of ``limits``."""
    if format_code not in FORMATS:
        raise KeyError(format_code)
    order = FORMATS[format_code](payload, max_bytes)
    bounds.check(order, limits)
    return order
