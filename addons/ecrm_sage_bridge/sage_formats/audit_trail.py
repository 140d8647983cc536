"""Sage 50 audit-trail transactions CSV (the layout its import wizard reads).

Invoices and credit notes go out as SI / SC lines: one line per nominal code
and tax code of a document, so Sage groups them back into one header with
splits (same type, account, date and reference).
"""
import re
from collections import OrderedDict
from decimal import Decimal

from .sage50_csv import MONEY, TEXT, Column, Sage50Writer, money, record_type

AUDIT_COLUMNS = (
    Column("Type", "type", 2, TEXT),
    Column("Account Reference", "account_ref", 8, TEXT),
    Column("Nominal A/C Ref", "nominal_code", 8, TEXT),
    Column("Department Code", "department", 3, TEXT),
    Column("Date", "date", 10, TEXT),
    Column("Reference", "reference", 30, TEXT),
    Column("Details", "details", 60, TEXT),
    Column("Net Amount", "net", None, MONEY),
    Column("Tax Code", "tax_code", 3, TEXT),
    Column("Tax Amount", "tax", None, MONEY),
    Column("Exchange Rate", "exchange_rate", 12, TEXT),
    Column("Extra Reference", "extra_reference", 30, TEXT),
    Column("User Name", "user_name", 32, TEXT),
    Column("Project Refn", "project_ref", 20, TEXT),
    Column("Cost Code Refn", "cost_code", 20, TEXT),
)
COLUMNS = tuple(column.header for column in AUDIT_COLUMNS)
SALES_DOCUMENT_TYPES = ("SI", "SC")
TAX_CODE = re.compile(r"^T[0-9]{1,2}$")
NOMINAL_CODE = re.compile(r"^[0-9]{1,8}$")
DEPARTMENT = re.compile(r"^[0-9]{1,3}$")
DATE_FORMAT = "%d/%m/%Y"
# Values that name something in Sage: cut to the column's length they would name something else,
# so a line holding a longer one is refused instead (the narrative, Details, is simply cut).
EXACT_FIELDS = ("account_ref", "reference", "project_ref")

# Built by field name only; the columns this bridge never fills default to empty.
AuditLine = record_type("AuditLine", AUDIT_COLUMNS, defaults={
    "department": "", "project_ref": "", "exchange_rate": "", "extra_reference": "", "user_name": "",
    "cost_code": ""})


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
    if line.department and not DEPARTMENT.match(str(line.department)):
        problems.append("department %r is not a Sage department number (0-999)" % (line.department,))
    limits = {column.field: column.limit for column in AUDIT_COLUMNS}
    for field in EXACT_FIELDS:
        value = str(getattr(line, field) or "")
        if len(value) > limits[field]:
            problems.append("%s %r is longer than the %d characters Sage keeps"
                            % (field.replace("_", " "), value[:40], limits[field]))
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


class AuditTrailWriter(Sage50Writer):
    """Streams audit-trail lines to a text file object (CRLF, minimal quoting)."""

    def __init__(self, stream, header=True):
        super().__init__(stream, AUDIT_COLUMNS, header)
