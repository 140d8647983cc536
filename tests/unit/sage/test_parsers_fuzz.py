"""Property-based tests of every Sage input the bridge parses: the Sage 50 receipts and
balances files, and the Business Cloud payments and balances answers.

Inputs are random bytes and text, real samples (the tests' own Sage files, the ledger
stand-in's exports, and the other files in /work/shared/samples/ a clerk could upload by
mistake), and those samples mutated byte by byte and cell by cell. Two outcomes only: a
parsed result whose records respect every documented bound, or the parser's own errors
(RowError with a message, never an exception), and never both.
"""
import datetime
import pathlib
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from addons.ecrm_sage_bridge.sage_formats.account_ref import ReferenceAllocator, is_valid_reference
from addons.ecrm_sage_bridge.sage_formats.bca_api import customer_balances, receipts_from_payments
from addons.ecrm_sage_bridge.sage_formats.inbound import (
    MAX_AMOUNT, MAX_CELL_LENGTH, MAX_ERRORS, ParseResult, RowError, parse_balances, parse_receipts)
from addons.ecrm_sage_bridge.sage_formats.sage50_csv import FORMULA_STARTS, text_cell
from tests.e2e.sage.sage_ledger import SageLedger

pytestmark = pytest.mark.fuzz

KNOWN = {"KIRKLEES", "PENNINE", "HUDDERSF"}
OURS = {"INV/2026/0001": "KIRKLEES", "CN/2026/0001": "PENNINE"}
RECEIPTS = (
    "Company,UKCO\r\n"
    "Type,Account Reference,Nominal A/C Ref,Department Code,Date,Reference,Details,Net Amount,Tax Code,Tax Amount\r\n"
    "SA,KIRKLEES,1200,,02/11/2026,INV/2026/0001,Receipt,120.00,T9,0.00\r\n"
    "SR,pennine,1200,,03/11/2026,BACS 991,Receipt,\"1,234.50\",T9,0.00\r\n"
    "SP,PENNINE,1200,,04/11/2026,CN/2026/0001,Refund \xa3,15.00,T9,0.00\r\n")
BALANCES = ("Company,UKCO\r\nAccount Reference,Balance,Credit Limit,Overdue,On Hold\r\n"
            "KIRKLEES,120.00,5000,0,No\r\nPENNINE,-3.50,0,0,Yes\r\nHUDDERSF,\"1,000.00\",250.00,90.10,on hold\r\n")


def ledger_samples():
    ledger = SageLedger("UKCO", {"KIRKLEES": "10.00", "PENNINE": "0"})
    ledger.import_customers("Account Reference,Account Name,Street 1,Street 2,Town,County,Post Code,Contact Name,"
                            "Telephone,E-mail,VAT Number,Credit Limit\r\n"
                            "KIRKLEES,Kirklees,,,,,,,,,,0.00\r\nPENNINE,Pennine,,,,,,,,,,0.00\r\n")
    ledger.import_audit_trail(
        "Type,Account Reference,Nominal A/C Ref,Department Code,Date,Reference,Details,Net Amount,Tax Code,"
        "Tax Amount,Exchange Rate,Extra Reference,User Name,Project Refn,Cost Code Refn\r\n"
        "SI,KIRKLEES,4000,1,02/11/2026,INV/2026/0001,Hoist,100.00,T1,20.00,,,,,\r\n"
        "SI,PENNINE,4000,1,03/11/2026,INV/2026/0002,Sling,50.00,T1,10.00,,,,,\r\n")
    ledger.pay_invoices()
    return [ledger.receipts_csv().encode("cp1252"), ledger.balances_csv().encode("cp1252")]


SHARED = pathlib.Path("/work/shared/samples")
SAMPLES = ([RECEIPTS.encode("cp1252"), RECEIPTS.encode("utf-8-sig"), BALANCES.encode("cp1252")] + ledger_samples()
           + [path.read_bytes() for path in sorted(SHARED.rglob("*")) if path.is_file()])
HOSTILE_CELLS = ["", " ", "1e30", "-1e30", "NaN", "Infinity", "-inf", "sNaN", "1e-30", "9" * 40, "0x10", "1_000",
                 "\u0661\u0662\u0660", "999999999.99", "1000000000.00", "-0.00", "00.001", "=cmd|' /C calc'!A0",
                 "\"quoted, with comma\"", "\"unterminated", "\x00", "\x81\x8d\x9d", "\r", "\n", "\t",
                 "31/02/2026", "02/11/26", "2026-11-02", "00/00/0000", "29/02/2024", "Company", "Type",
                 "Account Reference", "SA", "SR", "SP", "SI", "kirklees", "KIRKLEES", "PENNINE", "INV/2026/0001",
                 "R" * 255, "R" * 256, "Yes", "no", "maybe", "\u00e9\u00e8", "\ud7ff", "\U0001f600"]


def mutate(data, draw):
    """One mutation of ``data``: bytes inserted, deleted, replaced or lines/cells reshuffled."""
    kind = draw(st.sampled_from(["insert", "delete", "replace", "cell", "line", "truncate", "encode"]))
    position = draw(st.integers(min_value=0, max_value=len(data)))
    if kind == "insert":
        return data[:position] + draw(st.binary(min_size=1, max_size=20)) + data[position:]
    if kind == "delete":
        return data[:position] + data[position + draw(st.integers(min_value=1, max_value=40)):]
    if kind == "replace":
        patch = draw(st.sampled_from([b"\x00", b"\x81", b"\x8d", b"\x9d", b"\"", b",", b"\r", b"\n", b"\xff\xfe",
                                      b"\xef\xbb\xbf", b"\xe9", b"\xc3"]))
        return data[:position] + patch + data[position + 1:]
    if kind == "truncate":
        return data[:position]
    text = data.decode("cp1252", errors="replace")
    lines = text.split("\r\n")
    if kind == "line":
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        lines.insert(draw(st.integers(min_value=0, max_value=len(lines))), lines[index])
        return "\r\n".join(lines).encode("cp1252", errors="replace")
    if kind == "cell":
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        cells = lines[index].split(",")
        cells[draw(st.integers(min_value=0, max_value=len(cells) - 1))] = draw(st.sampled_from(HOSTILE_CELLS))
        lines[index] = ",".join(cells)
        return "\r\n".join(lines).encode(draw(st.sampled_from(["utf-8", "cp1252"])), errors="replace")
    return text.encode(draw(st.sampled_from(["utf-16", "utf-16-le", "utf-8-sig", "latin-1"])), errors="replace")


@st.composite
def mutated_samples(draw):
    data = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        data = mutate(data, draw)
    return data


cell_text = st.one_of(st.sampled_from(HOSTILE_CELLS), st.text(max_size=12),
                      st.from_regex(r"[+-]?[0-9]{1,12}(\.[0-9]{1,3})?", fullmatch=True))


@st.composite
def random_csv(draw):
    rows = draw(st.lists(st.lists(cell_text, min_size=0, max_size=16), max_size=12))
    text = "\r\n".join(",".join(row) for row in rows)
    return draw(st.sampled_from([text, text.encode("utf-8", errors="replace"),
                                 text.encode("cp1252", errors="replace")]))


files = st.one_of(st.binary(max_size=3000), random_csv(), mutated_samples(), st.sampled_from(SAMPLES))


def assert_outcome(result, max_row=None):
    assert isinstance(result, ParseResult)
    assert isinstance(result.records, list) and isinstance(result.errors, list)
    assert len(result.errors) <= MAX_ERRORS + 1
    for error in result.errors:
        assert isinstance(error, RowError) and isinstance(error.row, int) and error.row >= 0
        assert isinstance(error.message, str) and 0 < len(error.message) <= 600
    assert not (result.records and result.errors), "a file is taken whole or not at all"
    assert result.records or result.errors


def assert_money(value, positive=False):
    assert isinstance(value, Decimal) and value.is_finite() and abs(value) <= MAX_AMOUNT
    assert value == value.quantize(Decimal("0.01"))
    if positive:
        assert value > 0


@given(files, st.sampled_from([None, "UKCO", "OTHER"]))
def test_receipts_files_parse_or_fail_with_row_errors(data, company):
    result = parse_receipts(data, KNOWN, company, already_imported={"KIRKLEES|2026-11-02|BACS|1.00"},
                            exported_documents=OURS)
    assert_outcome(result)
    keys = [receipt.key for receipt in result.records]
    assert len(keys) == len(set(keys))
    for receipt in result.records:
        assert receipt.type in ("SR", "SA", "SP") and receipt.account_ref in KNOWN
        datetime.date.fromisoformat(receipt.date)
        assert_money(receipt.amount, positive=True)
        assert all(len(value) <= MAX_CELL_LENGTH for value in (receipt.reference, receipt.details, receipt.bank_nominal))
        assert OURS.get(receipt.reference.upper(), receipt.account_ref) == receipt.account_ref


@given(files, st.sampled_from([None, "UKCO"]))
def test_balances_files_parse_or_fail_with_row_errors(data, company):
    result = parse_balances(data, KNOWN, company)
    assert_outcome(result)
    refs = [balance.account_ref for balance in result.records]
    assert len(refs) == len(set(refs)) and set(refs) <= KNOWN
    for balance in result.records:
        for value in (balance.balance, balance.credit_limit, balance.overdue):
            assert_money(value)
        assert balance.on_hold in (True, False)


def test_the_real_samples_parse():
    assert parse_receipts(SAMPLES[0], KNOWN, "UKCO", exported_documents=OURS).errors == []
    assert parse_balances(SAMPLES[2], KNOWN, "UKCO").errors == []
    assert parse_receipts(SAMPLES[3], {"KIRKLEES", "PENNINE"}, "UKCO").errors == []


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                         st.text(max_size=20), st.sampled_from(HOSTILE_CELLS))
json_values = st.recursive(json_scalars, lambda children: st.one_of(
    st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)), max_leaves=5)
REAL_PAYMENT = {"id": "p1", "transaction_type": {"id": "CUSTOMER_RECEIPT"}, "contact": {"id": "c1"},
                "total_amount": "120.00", "date": "2026-11-02", "reference": "INV/2026/0001",
                "displayed_as": "INV/2026/0001"}


REAL_UNPAID = {"id": "i1", "contact": {"id": "c1"}, "due_date": "2026-10-31", "outstanding_amount": "120.00"}


def mutated_record(real):
    @st.composite
    def records(draw):
        record = dict(real)
        for key in draw(st.lists(st.sampled_from(sorted(real)), max_size=3)):
            if draw(st.booleans()):
                record[key] = draw(json_values)
            else:
                record.pop(key, None)
        return draw(st.one_of(st.just(record), st.just(record), json_values))
    return records()


payments = mutated_record(REAL_PAYMENT)


@given(st.lists(st.tuples(st.sampled_from(["SR", "SP"]), payments), max_size=5))
@example([("SR", dict(REAL_PAYMENT, contact={"id": ["c1"]})), ("SR", dict(REAL_PAYMENT, id={"x": 1})),
          ("SP", dict(REAL_PAYMENT, total_amount=float("nan")))])
@example([("SR", dict(REAL_PAYMENT, date="2026-02-30"))])
@example([("SR", dict(REAL_PAYMENT, date="2026-11-02\n"))])
def test_api_payments_parse_or_fail_with_row_errors(listed):
    result = receipts_from_payments(listed, {"c1": "KIRKLEES", "c2": "PENNINE"}, {"API|old"})
    assert isinstance(result, ParseResult)
    assert not (result.records and result.errors)
    for error in result.errors:
        assert isinstance(error.row, int) and 0 < len(error.message) <= 600
    for receipt in result.records:
        datetime.date.fromisoformat(receipt.date)
        assert_money(receipt.amount, positive=True)
        assert receipt.account_ref in ("KIRKLEES", "PENNINE") and receipt.key != "API|old"
        assert len(receipt.reference) <= 255 and len(receipt.details) <= 255


@st.composite
def contacts(draw):
    contact = {"id": draw(st.sampled_from(["c1", "c2", "c9"])), "balance": "180.00", "credit_limit": "1000.0"}
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return draw(json_values)
    for key in draw(st.lists(st.sampled_from(["balance", "credit_limit"]), max_size=2)):
        contact[key] = draw(json_scalars)
    return contact


@given(st.lists(contacts(), max_size=5), st.lists(mutated_record(REAL_UNPAID), max_size=5))
@example([{"id": ["c1"], "balance": "1"}, {"id": "c1", "balance": 1e30}, None],
         [{"contact": {"id": {"c1": 1}}, "due_date": ["x"]}, {"contact": {"id": "c1"}, "due_date": "2000-01-01",
                                                                 "outstanding_amount": "1e30"}])
def test_api_balances_parse_or_fail_with_row_errors(listed, unpaid):
    result = customer_balances(listed, unpaid, {"c1": "KIRKLEES", "c2": "PENNINE"}, "2026-11-30")
    assert isinstance(result, ParseResult) and not (result.records and result.errors)
    for balance in result.records:
        for value in (balance.balance, balance.credit_limit, balance.overdue):
            assert_money(value)


@given(st.lists(st.text(max_size=40), min_size=1, max_size=30))
def test_any_names_get_unique_valid_references(names):
    allocator = ReferenceAllocator()
    refs = [allocator.allocate(name) for name in names]
    assert len(refs) == len(set(refs)) and all(is_valid_reference(ref) for ref in refs)


@given(st.one_of(st.text(max_size=20), st.none()))
def test_a_typed_reference_is_claimed_or_refused_with_value_error(typed):
    allocator = ReferenceAllocator(["KIRKLEES"])
    try:
        claimed = allocator.claim(typed)
    except ValueError as error:
        assert str(error)
    else:
        assert is_valid_reference(claimed) and claimed != "KIRKLEES"


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=80), st.sampled_from(HOSTILE_CELLS)), st.sampled_from([None, 8, 30, 60]))
def test_every_text_cell_is_safe_and_reads_back_as_sage_keeps_it(value, limit):
    cell = text_cell(value, limit)
    assert not cell.startswith(FORMULA_STARTS + ("\t", "\r"))
    assert '"' not in cell and not any(ord(char) < 32 or 127 <= ord(char) < 160 for char in cell)
    kept = cell.strip()
    assert limit is None or len(kept) <= limit
    plain = not any(ord(char) < 32 or 127 <= ord(char) < 160 or char in '"\u2028\u2029' for char in value)
    if plain and (limit is None or len(value.strip()) <= limit):
        assert kept == value.strip(), "the guard never changes what Sage keeps"
