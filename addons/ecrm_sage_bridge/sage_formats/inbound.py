"""Parsers for files coming back from Sage 50: receipts and customer balances.

A file is accepted whole or not at all: the parsers return every row-level
error they find and, when there is any, no records. Rows are numbered from 1
as a spreadsheet shows them; row 0 is the file as a whole.

The parsers never raise on what a file holds: whatever the bytes, the answer
is a ``ParseResult`` whose errors are ``RowError(row, message)``. A file that is
not text Sage writes (NUL bytes, UTF-16, bytes that are neither UTF-8 nor
Windows-1252, a line longer than MAX_LINE_LENGTH characters, an unreadable
CSV) is one row-0 or row-N error. Every cell is at most MAX_CELL_LENGTH
characters (no Sage 50 field is longer) and every amount is a plain decimal
number (digits, an optional sign, thousands commas and decimals) of at most
MAX_AMOUNT: no exponent, NaN or infinity. At most MAX_ERRORS errors are listed,
then one that counts the rest.

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
from decimal import Decimal

from .audit_trail import COLUMNS as AUDIT_COLUMNS
from .sage50_csv import money

# SR receipt allocated to invoices, SA receipt on account, SP payment (a refund paid out).
RECEIPT_TYPES = ("SR", "SA", "SP")
MIN_RECEIPT_COLUMNS = 10
BALANCE_COLUMNS = ("Account Reference", "Balance", "Credit Limit", "Overdue", "On Hold")
DDMMYYYY = re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4}")
AMOUNT = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
TRUE_WORDS = {"1", "y", "yes", "true", "on hold"}
FALSE_WORDS = {"", "0", "n", "no", "false", "open", "active"}
# Sage 50 writes at most 1775 characters a line and 255 a field; well past that it is not a Sage file.
MAX_LINE_LENGTH = 4096
MAX_CELL_LENGTH = 255
MAX_AMOUNT = Decimal("999999999.99")
MAX_AMOUNT_TEXT = 32
MAX_ERRORS = 100
SHOWN = 40          # characters of a bad value quoted in a message

RowError = namedtuple("RowError", "row message")
Receipt = namedtuple("Receipt", "row type account_ref bank_nominal date reference details amount key")
Balance = namedtuple("Balance", "row account_ref balance credit_limit overdue on_hold")
ParseResult = namedtuple("ParseResult", "records errors")


class SageFileError(ValueError):
    """The file as a whole is not a Sage 50 CSV; ``row`` is where that shows (0: everywhere)."""

    def __init__(self, row, message):
        super().__init__(message)
        self.row = row


def shown(value):
    """A bad value quoted in a message, cut short: a message never carries a whole hostile cell."""
    text = str(value)
    return repr(text if len(text) <= SHOWN else text[:SHOWN] + "...")


def decode(data):
    """Bytes from Sage (UTF-8 with or without BOM, or Windows-1252) -> text; SageFileError otherwise."""
    if isinstance(data, str):
        text = data
    else:
        data = bytes(data or b"")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (data and data.count(b"\x00") * 4 > len(data)):
            raise SageFileError(0, "the file is UTF-16 (Unicode text), not a CSV as Sage 50 writes it: "
                                   "save it as CSV (comma delimited)")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as error:
                line = data[:error.start].count(b"\n") + 1
                raise SageFileError(line, "byte 0x%02x on line %d is neither UTF-8 nor Windows-1252 text: "
                                          "the file is not a CSV as Sage 50 writes it"
                                    % (data[error.start], line))
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise SageFileError(line, "line %d holds a NUL character: the file is not a CSV text file" % line)
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE_LENGTH:
            raise SageFileError(number, "line %d is %d characters long; a Sage 50 CSV line is at most %d"
                                % (number, len(line), MAX_LINE_LENGTH))
    return text


def parse_date(text):
    """'02/11/2026' -> '2026-11-02'; ValueError unless strictly dd/mm/yyyy."""
    if not DDMMYYYY.fullmatch(text or ""):
        raise ValueError("date %s is not DD/MM/YYYY" % shown(text))
    try:
        return datetime.datetime.strptime(text, "%d/%m/%Y").date().isoformat()
    except ValueError:
        raise ValueError("date %s is not a valid DD/MM/YYYY date" % shown(text))


def parse_amount(text, label):
    """'1,234.50' -> Decimal('1234.50'); ValueError unless a plain decimal within +-MAX_AMOUNT."""
    text = str(text if text is not None else "").strip()
    if len(text) > MAX_AMOUNT_TEXT or not AMOUNT.fullmatch(text):
        raise ValueError("%s %s is not a number (digits with an optional sign and decimals)" % (label, shown(text)))
    value = Decimal(text.replace(",", ""))
    if abs(value) > MAX_AMOUNT:
        raise ValueError("%s %s is beyond the largest amount taken, %s" % (label, shown(text), MAX_AMOUNT))
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


def _rows(data, company_code, header_first_cell):
    """Yield (row number, cells) of the data rows, or (row number, RowError) for a row that
    cannot be read at all; a file that is not Sage CSV text ends in one RowError."""
    try:
        reader = csv.reader(io.StringIO(decode(data), newline=""))
    except SageFileError as error:
        yield error.row, RowError(error.row, str(error))
        return
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield number, RowError(number, "row %d is not CSV Sage 50 can read: %s" % (number, error))
            return
        if not any(cell.strip() for cell in cells):
            continue
        too_long = next((index for index, cell in enumerate(cells, start=1) if len(cell) > MAX_CELL_LENGTH), None)
        if too_long:
            yield number, RowError(number, "column %d is %d characters long; a Sage 50 field holds at most %d"
                                   % (too_long, len(cells[too_long - 1]), MAX_CELL_LENGTH))
            continue
        first = cells[0].strip()
        if first.lower() == "company" and len(cells) >= 2:
            found = cells[1].strip()
            if company_code and found.upper() != company_code.upper():
                yield number, RowError(number, "file was exported from company %s, this backend is %r"
                                       % (shown(found), company_code))
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
            problems.append("transaction type %s is not a receipt (SR, SA) or a refund payment (SP)" % shown(kind))
        owner = exported_documents.get(reference.strip().upper())
        if account_ref.upper() not in known_refs:
            problems.append("unknown account reference %s" % shown(account_ref))
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
    if len(errors) > MAX_ERRORS:
        errors = errors[:MAX_ERRORS] + [RowError(0, "%d more errors not listed; the first %d are above"
                                                    % (len(errors) - MAX_ERRORS, MAX_ERRORS))]
    return ParseResult([] if errors else records, errors)


def _flag(text):
    word = (text or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("on hold %s is not yes/no" % shown(text))


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
            problems.append("unknown account reference %s" % shown(cells[0]))
            foreign += 1
        elif account_ref in seen:
            problems.append("duplicate account reference %s" % shown(cells[0]))
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
