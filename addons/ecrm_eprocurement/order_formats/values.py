"""Checks shared by every order format: numbers, quantities, units, currencies."""
import decimal

from . import codes
from .errors import Problem


def decimal_or_none(text):
    if text is None or not text.strip():
        return None
    try:
        value = decimal.Decimal(text.strip())
    except decimal.InvalidOperation:
        raise ValueError("%r is not a number" % text.strip())
    if not value.is_finite():
        raise ValueError("%r is not a finite number" % text.strip())
    return value


def check_line(line, currency, problems):
    """Business checks on one parsed line: appends a Problem per issue."""
    where = line["line"]
    if line["quantity"] is not None and line["quantity"] <= 0:
        problems.append(Problem(where, "order line %s: quantity must be greater than zero, got %s"
                                % (line["line_id"], line["quantity"])))
    if line["unit_code"] not in codes.UNITS:
        problems.append(Problem(where, "order line %s: unknown unit code %r (UN/ECE Rec 20: %s)"
                                % (line["line_id"], line["unit_code"], ", ".join(sorted(codes.UNITS)))))
    if line["unit_price"] is not None and line["unit_price"] < 0:
        problems.append(Problem(where, "order line %s: price must not be negative" % line["line_id"]))
    price_currency = line.pop("price_currency", None)
    if price_currency and price_currency != currency:
        problems.append(Problem(where, "order line %s: price currency %s differs from the document currency %s"
                                % (line["line_id"], price_currency, currency)))
    if not (line["buyer_item_id"] or line["seller_item_id"] or line["gtin"]):
        problems.append(Problem(where, "order line %s: no item identifier (buyer's, seller's or GTIN)"
                                % line["line_id"]))


def check_currency(currency, where, problems):
    if currency not in codes.CURRENCIES:
        problems.append(Problem(where, "unknown currency code %r (ISO 4217)" % currency))
