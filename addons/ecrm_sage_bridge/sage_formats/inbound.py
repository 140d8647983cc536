"""Parsers for files coming back from Sage 50: receipts and customer balances.

A file is accepted whole or not at all: the parsers return every row-level
error they find and, when there is any, no records. Rows are numbered from 1
as a spreadsheet shows them.

A Sage 50 CSV export does not name the company it came from, so a file from
another company's ledger is recognised by what it holds: when most of its rows
name account references this backend never exported, or receipts whose
reference is one of our invoice numbers under another customer's account, the
whole file is refused as foreign. A file may also start with our own
convention, a company line ``Company,<code>``, which must then name the
backend's Sage company. A header row (first cell ``Type`` or ``Account
Reference``) is skipped.
"""
import csv
import datetime
import io
import re
from collections import namedtuple
from decimal import Decimal, InvalidOperation

from .audit_trail import COLUMNS as AUDIT_COLUMNS, money

# SR receipt allocated to invoices, SA receipt on account, SP payment (a refund paid out).
RECEIPT_TYPES = ("SR", "SA", "SP")
MIN_RECEIPT_COLUMNS = 10
BALANCE_COLUMNS = ("Account Reference", "Balance", "Credit Limit", "Overdue", "On Hold")
DDMMYYYY = re.compile(r"^\d{2}/\d{2}/\d{4}$")
TRUE_WORDS = {"1", "y", "yes", "true", "on hold"}
FALSE_WORDS = {"", "0", "n", "no", "false", "open", "active"}

RowError = namedtuple("RowError", "row message")
Receipt = namedtuple("Receipt", "row type account_ref bank_nominal date reference details amount key")
Balance = namedtuple("Balance", "row account_ref balance credit_limit overdue on_hold")
ParseResult = namedtuple("ParseResult", "records errors")


def decode(data):
    """Bytes from Sage (UTF-8 with or without BOM, or Windows-1252) -> text."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def parse_date(text):
    """'02/11/2026' -> '2026-11-02'; ValueError unless strictly dd/mm/yyyy."""
    if not DDMMYYYY.match(text or ""):
        raise ValueError("date %r is not DD/MM/YYYY" % (text,))
    try:
        return datetime.datetime.strptime(text, "%d/%m/%Y").date().isoformat()
    except ValueError:
        raise ValueError("date %r is not a valid DD/MM/YYYY date" % (text,))


def parse_amount(text, label):
    try:
        value = Decimal((text or "").strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError("%s %r is not a number" % (label, text))
    if not value.is_finite():
        raise ValueError("%s %r is not a number" % (label, text))
    return money(value)


def receipt_key(account_ref, date, reference, amount):
    """What makes a receipt the same transaction, in this file or a previous import."""
    return "%s|%s|%s|%s" % (account_ref, date, reference.strip().upper(), money(amount))


def foreign_file_error(rows, foreign_rows):
    """The file-level error when most rows belong to another ledger, else None."""
    if rows and foreign_rows * 2 > rows:
        return RowError(0, "%d of the %d rows name accounts or invoices this backend's company does not "
                           "have in Sage: the file looks exported from another Sage company" % (foreign_rows, rows))
    return None


def _rows(text, company_code, header_first_cell):
    """Yield (row number, cells) of the data rows; company line problems as RowError."""
    reader = csv.reader(io.StringIO(decode(text), newline=""))
    for number, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        first = cells[0].strip()
        if first.lower() == "company" and len(cells) >= 2:
            found = cells[1].strip()
            if company_code and found.upper() != company_code.upper():
                yield number, RowError(number, "file was exported from company %r, this backend is %r"
                                       % (found, company_code))
            continue
        if first.lower() == header_first_cell.lower():
            continue
        yield number, [cell.strip() for cell in cells]


def parse_receipts(data, known_refs, company_code=None, already_imported=(), exported_documents=None):
    """Parse SR / SA / SP lines in the audit-trail layout.

    ``known_refs``: account references this backend knows; ``already_imported``:
    receipt keys imported before (see ``receipt_key``); ``exported_documents``:
    {document number (upper case): account reference} of what this backend sent.
    """
    records, errors, seen = [], [], set(already_imported)
    exported_documents = exported_documents or {}
    rows = foreign = 0
    for number, cells in _rows(data, company_code, AUDIT_COLUMNS[0]):
        if isinstance(cells, RowError):
            errors.append(cells)
            continue
        rows += 1
        if not MIN_RECEIPT_COLUMNS <= len(cells) <= len(AUDIT_COLUMNS):
            errors.append(RowError(number, "wrong column count: %d columns, expected %d to %d"
                                   % (len(cells), MIN_RECEIPT_COLUMNS, len(AUDIT_COLUMNS))))
            continue
        problems = []
        kind, account_ref, nominal, _dept, date_text, reference, details, net_text = cells[:8]
        if kind.upper() not in RECEIPT_TYPES:
            problems.append("transaction type %r is not a receipt (SR, SA) or a refund payment (SP)" % kind)
        owner = exported_documents.get(reference.strip().upper())
        if account_ref.upper() not in known_refs:
            problems.append("unknown account reference %r" % account_ref)
            foreign += 1
        elif owner and owner != account_ref.upper():
            problems.append("reference %s is our document of account %s, not of %s" % (reference, owner, account_ref))
            foreign += 1
        try:
            date = parse_date(date_text)
        except ValueError as error:
            problems.append(str(error))
            date = None
        try:
            amount = parse_amount(net_text, "amount")
            if amount <= 0:
                problems.append("amount %s is not positive" % amount)
        except ValueError as error:
            problems.append(str(error))
            amount = None
        if not problems:
            key = receipt_key(account_ref.upper(), date, reference, amount)
            if key in seen:
                problems.append("duplicate transaction (%s %s %s %s)" % (account_ref, date_text, reference, amount))
            seen.add(key)
        if problems:
            errors.extend(RowError(number, message) for message in problems)
            continue
        records.append(Receipt(number, kind.upper(), account_ref.upper(), nominal, date, reference,
                               details, amount, key))
    return _result(records, errors, foreign_file_error(rows, foreign), "the file holds no receipts")


def _result(records, errors, file_error, empty_message):
    if file_error:
        errors.insert(0, file_error)
    if not records and not errors:
        errors.append(RowError(0, empty_message))
    return ParseResult([] if errors else records, errors)


def _flag(text):
    word = (text or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("on hold %r is not yes/no" % (text,))


def parse_balances(data, known_refs, company_code=None):
    """Parse customer balances: account ref, balance, credit limit, overdue, on hold."""
    records, errors, seen = [], [], set()
    rows = foreign = 0
    for number, cells in _rows(data, company_code, BALANCE_COLUMNS[0]):
        if isinstance(cells, RowError):
            errors.append(cells)
            continue
        rows += 1
        if len(cells) != len(BALANCE_COLUMNS):
            errors.append(RowError(number, "wrong column count: %d columns, expected %d" % (len(cells), len(BALANCE_COLUMNS))))
            continue
        problems, values = [], {}
        account_ref = cells[0].upper()
        if account_ref not in known_refs:
            problems.append("unknown account reference %r" % cells[0])
            foreign += 1
        elif account_ref in seen:
            problems.append("duplicate account reference %r" % cells[0])
        seen.add(account_ref)
        for index, label in ((1, "balance"), (2, "credit limit"), (3, "overdue")):
            try:
                values[label] = parse_amount(cells[index], label)
            except ValueError as error:
                problems.append(str(error))
        try:
            on_hold = _flag(cells[4])
        except ValueError as error:
            problems.append(str(error))
        if problems:
            errors.extend(RowError(number, message) for message in problems)
            continue
        records.append(Balance(number, account_ref, values["balance"], values["credit limit"],
                               values["overdue"], on_hold))
    return _result(records, errors, foreign_file_error(rows, foreign), "the file holds no balances")
