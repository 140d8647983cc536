"""Sage 50 audit-trail transactions CSV (the layout its import wizard reads).

Invoices and credit notes go out as SI / SC lines: one line per nominal code
and tax code of a document, so Sage groups them back into one header with
splits (same type, account, date and reference).
"""
import csv
import re
from collections import OrderedDict, namedtuple
from decimal import ROUND_HALF_UP, Decimal

COLUMNS = (
    "Type", "Account Reference", "Nominal A/C Ref", "Department Code", "Date", "Reference",
    "Details", "Net Amount", "Tax Code", "Tax Amount", "Exchange Rate", "Extra Reference",
    "User Name", "Project Refn", "Cost Code Refn",
)
SALES_DOCUMENT_TYPES = ("SI", "SC")
TAX_CODE = re.compile(r"^T[0-9]{1,2}$")
NOMINAL_CODE = re.compile(r"^[0-9]{1,8}$")
CENT = Decimal("0.01")
DATE_FORMAT = "%d/%m/%Y"

AuditLine = namedtuple("AuditLine", [
    "type", "account_ref", "nominal_code", "department", "date", "reference", "details",
    "net", "tax_code", "tax", "exchange_rate", "extra_reference", "user_name",
    "project_ref", "cost_code"])
AuditLine.__new__.__defaults__ = ("", "", "", "", "", "")


def money(value):
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def sage_date(value):
    """'2026-11-02' or a date -> '02/11/2026' (Sage reads dd/mm/yyyy)."""
    if isinstance(value, str):
        found = ISO_DATE.match(value)
        if not found:
            raise ValueError("date %r is not YYYY-MM-DD" % (value,))
        return "%s/%s/%s" % (found.group(3), found.group(2), found.group(1))
    return value.strftime(DATE_FORMAT)


def check_line(line):
    """Reasons a line would be refused by Sage's import, as a list of strings."""
    problems = []
    if line.type not in SALES_DOCUMENT_TYPES:
        problems.append("transaction type %r is not SI or SC" % (line.type,))
    if not line.account_ref:
        problems.append("no account reference")
    if not NOMINAL_CODE.match(str(line.nominal_code or "")):
        problems.append("nominal code %r is not numeric" % (line.nominal_code,))
    if not TAX_CODE.match(str(line.tax_code or "")):
        problems.append("tax code %r is not T0-T99" % (line.tax_code,))
    return problems


def document_lines(document):
    """Split one invoice/credit note into audit-trail lines.

    ``document``: dict with type, account_ref, date, reference, details,
    department, project_ref and ``lines`` [{nominal_code, tax_code, net}] plus
    ``taxes`` {tax_code: tax amount of the document}. Lines sharing a nominal
    and tax code are summed; each tax code's amount is spread over its lines
    in proportion to their net, the rounding remainder on the last one, so
    the document's tax total is exact.
    """
    groups = OrderedDict()
    for line in document["lines"]:
        key = (str(line["nominal_code"]), line["tax_code"])
        groups[key] = groups.get(key, Decimal(0)) + money(line["net"])
    tax_left = {code: money(amount) for code, amount in document.get("taxes", {}).items()}
    net_by_code = {}
    for (_nominal, code), net in groups.items():
        net_by_code[code] = net_by_code.get(code, Decimal(0)) + net
    remaining_groups = {code: sum(1 for key in groups if key[1] == code) for code in net_by_code}
    result = []
    for (nominal, code), net in groups.items():
        remaining_groups[code] -= 1
        total_tax = money(document.get("taxes", {}).get(code, 0))
        if remaining_groups[code] == 0 or not net_by_code[code]:
            tax = tax_left.get(code, Decimal(0))
        else:
            tax = money(total_tax * net / net_by_code[code])
        tax_left[code] = tax_left.get(code, Decimal(0)) - tax
        result.append(AuditLine(
            type=document["type"], account_ref=document["account_ref"], nominal_code=nominal,
            department=document.get("department") or "", date=sage_date(document["date"]),
            reference=document["reference"], details=(document.get("details") or "")[:60],
            net=net, tax_code=code, tax=tax, project_ref=document.get("project_ref") or ""))
    return result


def _cells(line):
    cells = list(line)
    cells[7] = "%.2f" % money(line.net)
    cells[9] = "%.2f" % money(line.tax)
    return ["" if cell is None else str(cell) for cell in cells]


class AuditTrailWriter:
    """Streams lines to a text file object with the csv module (CRLF, minimal quoting)."""

    def __init__(self, stream, header=True):
        self._writer = csv.writer(stream, lineterminator="\r\n")
        self.count = 0
        if header:
            self._writer.writerow(COLUMNS)

    def write(self, line):
        self._writer.writerow(_cells(line))
        self.count += 1

    def write_many(self, lines):
        for line in lines:
            self.write(line)
