"""Sane bounds on an inbound order, set per trading partner.

A parsed order can be well-formed and still absurd: a quantity of 1e999999 (or of 1e20,
worth 10^22 pounds once priced), a quantity that rounds to zero in the unit's precision,
an order id of a megabyte that no index can hold. Such an order is refused as a whole,
finally (422: the buyer must send a corrected document, a retry cannot help), before
anything is priced, stored or confirmed.
"""
import decimal
from collections import namedtuple

from .errors import UNPROCESSABLE, DocumentError, Problem

Limits = namedtuple("Limits", "max_quantity quantity_digits max_line_value max_order_value max_id_length "
                              "max_text_length")
# Odoo's "Product Unit of Measure" precision is 3 digits; a finer quantity would be rounded
# on the sale line, down to zero for 0.0000001.
DEFAULT_LIMITS = Limits(max_quantity=decimal.Decimal(100000), quantity_digits=3,
                        max_line_value=decimal.Decimal(1000000), max_order_value=decimal.Decimal(5000000),
                        max_id_length=100, max_text_length=2000)

ORDER_IDS = ("document_id", "customer_reference")
PARTY_IDS = ("endpoint_id", "party_id")
DELIVERY_IDS = ("gln", "location_id")
LINE_IDS = ("line_id", "buyer_item_id", "seller_item_id", "gtin", "unit_code")
TEXTS = ("note",)
LINE_TEXTS = ("name",)


def check(order, limits=DEFAULT_LIMITS):
    """Raise DocumentError(422) listing every bound ``order`` (a parsed order dict) breaks."""
    problems = _identifier_problems(order, limits) + _quantity_problems(order, limits)
    if problems:
        document_id = order.get("document_id")
        raise DocumentError(UNPROCESSABLE, sorted(problems, key=lambda p: p.line or 0),
                            document_id if document_id and len(document_id) <= limits.max_id_length else None)


def order_value_problems(line_values, limits=DEFAULT_LIMITS):
    """Problems of the priced lines: [(line, line_id, value)], value = quantity x our unit price."""
    problems = [Problem(line, "order line %s is worth %s, more than the %s this buyer may order on one line"
                        % (line_id, _amount(value), _amount(limits.max_line_value)))
                for line, line_id, value in line_values if value > limits.max_line_value]
    total = sum((value for _line, _line_id, value in line_values), decimal.Decimal(0))
    if total > limits.max_order_value:
        problems.append(Problem(None, "the order is worth %s, more than the %s this buyer may order at once"
                                % (_amount(total), _amount(limits.max_order_value))))
    return problems


def _identifier_problems(order, limits):
    fields = [(None, name, order.get(name)) for name in ORDER_IDS]
    fields += [(None, "%s %s" % (role, name), (order.get(role) or {}).get(name))
               for role in ("buyer", "seller") for name in PARTY_IDS]
    fields += [(None, "delivery %s" % name, (order.get("delivery") or {}).get(name)) for name in DELIVERY_IDS]
    problems = [Problem(line, "%s is %d characters long, the limit is %d" % (name, len(value), limits.max_id_length))
                for line, name, value in fields if value and len(value) > limits.max_id_length]
    problems += [Problem(None, "%s is %d characters long, the limit is %d"
                         % (name, len(order[name]), limits.max_text_length))
                 for name in TEXTS if order.get(name) and len(order[name]) > limits.max_text_length]
    for line in order.get("lines") or ():
        label = _short(line.get("line_id"), limits.max_id_length)
        problems += [Problem(line["line"], "order line %s: %s is %d characters long, the limit is %d"
                             % (label, name, len(line[name]), limits.max_id_length))
                     for name in LINE_IDS if line.get(name) and len(line[name]) > limits.max_id_length]
        problems += [Problem(line["line"], "order line %s: %s is %d characters long, the limit is %d"
                             % (label, name, len(line[name]), limits.max_text_length))
                     for name in LINE_TEXTS if line.get(name) and len(line[name]) > limits.max_text_length]
    return problems


def _quantity_problems(order, limits):
    problems = []
    for line in order.get("lines") or ():
        label, quantity = _short(line.get("line_id"), limits.max_id_length), line.get("quantity")
        if quantity is None or quantity <= 0:
            continue  # the format's own check says so
        if quantity > limits.max_quantity:
            problems.append(Problem(line["line"], "order line %s: quantity %s is more than the %s this buyer may "
                                                  "order" % (label, _short(str(quantity), 30), _plain(limits.max_quantity))))
        elif -quantity.as_tuple().exponent > limits.quantity_digits and \
                quantity != quantity.quantize(decimal.Decimal(1).scaleb(-limits.quantity_digits)):
            problems.append(Problem(line["line"], "order line %s: quantity %s has more than %d decimal places"
                                    % (label, _short(str(quantity), 30), limits.quantity_digits)))
        price = line.get("unit_price")
        if price is not None and price > limits.max_line_value:
            problems.append(Problem(line["line"], "order line %s: unit price %s is more than the %s a line may be "
                                                  "worth" % (label, _short(str(price), 30), _plain(limits.max_line_value))))
    return problems


def _short(text, length):
    text = text or "?"
    return text if len(text) <= length else text[:length] + "..."


def _plain(limit):
    """100000.0 -> '100000', 2.5 -> '2.5'."""
    return "{:f}".format(limit.normalize())


def _amount(value):
    return "{:,.2f}".format(value)
