"""The CSV order layout, for buyers whose systems only export spreadsheets.

One row per order line, comma-separated, UTF-8 (a BOM is tolerated), header
row first. Columns (any order, names case-insensitive):

  order_id      required, the same on every row: the buyer's order number
  currency      required, the same on every row: ISO 4217 code (GBP)
  line_id       optional, defaults to the row's position
  buyer_item_id, gtin, seller_sku   at least one per row
  description   optional
  quantity      required, > 0
  unit          optional, UN/ECE Rec 20 code, default EA
  unit_price    optional, the price the buyer expects per unit
  delivery_gln  optional, the same on every row: GLN of the delivery point
  issue_date    optional, YYYY-MM-DD
  delivery_date optional, the same on every row: requested delivery day, YYYY-MM-DD
  note          optional, the same on every row ("URGENT" flags an urgent order)
"""
import csv
import io

from . import safe_xml, values
from .errors import MALFORMED, DocumentError, Problem

REQUIRED_COLUMNS = ("order_id", "currency", "quantity")
COLUMNS = REQUIRED_COLUMNS + ("line_id", "buyer_item_id", "gtin", "seller_sku", "description",
                              "unit", "unit_price", "delivery_gln", "issue_date", "delivery_date", "note")
ORDER_WIDE = ("order_id", "currency", "delivery_gln", "issue_date", "delivery_date", "note")


class Dialect(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = True
    lineterminator = "\n"
    quoting = csv.QUOTE_MINIMAL
    strict = True


def parse(payload, max_bytes):
    safe_xml.check_size(payload, max_bytes)
    text = safe_xml.decode_utf8(payload)
    reader = csv.reader(io.StringIO(text, newline=""), Dialect)
    try:
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise DocumentError(MALFORMED, [Problem(reader.line_num, "not valid CSV: %s" % error)])
    if not rows:
        raise DocumentError(MALFORMED, [Problem(None, "empty document")])
    header_line, header = rows[0]
    header = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    malformed = [Problem(header_line, "missing column %r" % name) for name in missing]
    malformed += [Problem(header_line, "unknown column %r; columns are %s" % (name, ", ".join(COLUMNS)))
                  for name in unknown]
    if len(rows) < 2:
        malformed.append(Problem(header_line, "an order needs at least one line after the header"))
    if malformed:
        raise DocumentError(MALFORMED, malformed)
    records = []
    for line_no, row in rows[1:]:
        if len(row) != len(header):
            malformed.append(Problem(line_no, "%d cells, the header has %d" % (len(row), len(header))))
            continue
        records.append((line_no, {name: (cell.strip() or None) for name, cell in zip(header, row)}))
    first = records[0][1] if records else {}
    for line_no, record in records:
        for name in ORDER_WIDE:
            if record.get(name) != first.get(name):
                malformed.append(Problem(line_no, "%s %r differs from the first row's %r"
                                         % (name, record.get(name), first.get(name))))
        if not record["order_id"]:
            malformed.append(Problem(line_no, "order_id is empty"))
    lines = []
    for position, (line_no, record) in enumerate(records, 1):
        try:
            lines.append(_line(line_no, position, record))
        except ValueError as error:
            malformed.append(Problem(line_no, str(error)))
    if malformed:
        raise DocumentError(MALFORMED, sorted(set(malformed), key=lambda p: p.line or 0))
    order = {
        "format": "csv",
        "profile": "csv",
        "document_id": first["order_id"],
        "issue_date": first.get("issue_date"),
        "currency": (first["currency"] or "").upper(),
        "note": first.get("note"),
        "customer_reference": None,
        "buyer": {},
        "seller": {},
        "delivery": {"gln": first.get("delivery_gln"), "location_id": first.get("delivery_gln"),
                     "requested_date": first.get("delivery_date")}
        if first.get("delivery_gln") or first.get("delivery_date") else None,
        "lines": lines,
    }
    problems = []
    values.check_currency(order["currency"], records[0][0], problems)
    for line in lines:
        values.check_line(line, order["currency"], problems)
    order["problems"] = problems
    return order


def _line(line_no, position, record):
    line_id = record.get("line_id") or str(position)
    try:
        quantity = values.decimal_or_none(record["quantity"])
        price = values.decimal_or_none(record.get("unit_price"))
    except ValueError as error:
        raise ValueError("order line %s: %s" % (line_id, error))
    if quantity is None:
        raise ValueError("order line %s: quantity is empty" % line_id)
    return {
        "line": line_no,
        "line_id": line_id,
        "name": record.get("description"),
        "quantity": quantity,
        "unit_code": (record.get("unit") or "EA").upper(),
        "unit_price": price,
        "buyer_item_id": record.get("buyer_item_id"),
        "seller_item_id": record.get("seller_sku"),
        "gtin": record.get("gtin"),
    }
