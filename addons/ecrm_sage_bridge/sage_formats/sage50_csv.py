"""Sage 50 import files: columns named once, records built by column name, cells made safe.

A file's layout is a tuple of ``Column`` (header, record field, length limit, kind). The
header row and every data row are written from that one tuple, and a record type made
from it takes its values by name only, so a value can never land under another
column's header.

What Sage 50's import does with a CSV field (its help pages "Comma Separated Values"
and "CSV File Format Errors"):

- spaces at the start or end of a field are ignored;
- control characters are ignored, except a carriage return, which ends the record;
- a double quote may only open and close a field, never appear inside it;
- spaces are not allowed inside a numeric field;
- a line longer than 1775 characters aborts the import.

A text cell is therefore written with its control characters and line breaks as spaces,
double quotes as single ones, trimmed and cut to the column's length; then a cell that
starts with ``=``, ``+``, ``-`` or ``@`` (a tab or CR would already be a space and gone)
gets one leading space. A spreadsheet opening the file reads such a cell as text, not as a
formula, while Sage, which drops leading spaces, imports exactly the original value: a
telephone ``+44 1484 ...`` stays ``+44 1484 ...`` in Sage. A leading apostrophe, the other
usual guard, would be imported by Sage as part of the name, reference or telephone.
Money cells are numbers this module formats itself (``-12.50``) and are never prefixed.
"""
import csv
import re
from collections import namedtuple
from decimal import ROUND_HALF_UP, Decimal

TEXT, MONEY = "text", "money"
FORMULA_STARTS = ("=", "+", "-", "@")
MAX_LINE_LENGTH = 1775          # Sage 50: "Line too long for input buffer" beyond this
CENT = Decimal("0.01")
_UNSAFE_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

Column = namedtuple("Column", "header field limit kind")


def money(value):
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def text_cell(value, limit=None):
    """``value`` as Sage 50 reads it back unchanged and a spreadsheet cannot run (see module doc)."""
    if value is None or value is False:
        return ""
    text = _UNSAFE_CHARACTERS.sub(" ", str(value)).replace('"', "'").strip()
    if limit:
        text = text[:limit].rstrip()
    if text.startswith(FORMULA_STARTS):
        text = " " + text
    return text


def money_cell(value):
    return "%.2f" % money(value or 0)


def record_type(name, columns, defaults=None):
    """A named tuple of the columns' fields that can only be built by field name.

    Every field without a default must be given: a layout that gains a column makes
    each place that builds the record fail loudly instead of leaving the column empty.
    """
    fields = [column.field for column in columns]
    base = namedtuple(name + "Fields", fields)
    defaults = dict(defaults or {})

    def __new__(cls, **values):
        unknown = sorted(set(values) - set(fields))
        missing = sorted(set(fields) - set(values) - set(defaults))
        if unknown or missing:
            raise TypeError("%s: unknown fields %s, missing fields %s" % (name, unknown, missing))
        return base.__new__(cls, **dict(defaults, **values))

    return type(name, (base,), {"__new__": __new__, "__slots__": (), "columns": tuple(columns)})


class Sage50Writer:
    """Streams records of one layout to a text stream as Sage 50 CSV (CRLF, minimal quoting)."""

    def __init__(self, stream, columns, header=True):
        self.columns = tuple(columns)
        self._writer = csv.writer(stream, lineterminator="\r\n")
        self.count = 0
        if header:
            self._writer.writerow([column.header for column in self.columns])

    def cells(self, record):
        return [money_cell(getattr(record, column.field)) if column.kind == MONEY
                else text_cell(getattr(record, column.field), column.limit)
                for column in self.columns]

    def write(self, record):
        self._writer.writerow(self.cells(record))
        self.count += 1

    def write_many(self, records):
        for record in records:
            self.write(record)
