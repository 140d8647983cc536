from decimal import Decimal

import pytest

from addons.ecrm_sage_bridge.sage_formats.inbound import (
    parse_balances, parse_receipts, receipt_key)
from addons.ecrm_sage_bridge.sage_formats.matching import OpenInvoice, match_receipts

KNOWN = {"KIRKLEES", "PENNINE"}
GOOD = ("Company,UKCO\r\n"
        "Type,Account Reference,Nominal A/C Ref,Department Code,Date,Reference,Details,Net Amount,Tax Code,Tax Amount\r\n"
        "SA,KIRKLEES,1200,,02/11/2026,INV/2026/0001,Receipt,120.00,T9,0.00\r\n"
        "SR,pennine,1200,,03/11/2026,BACS 991,Receipt,\"1,234.50\",T9,0.00\r\n")


def test_a_good_receipts_file_parses_fully():
    result = parse_receipts(GOOD, KNOWN, company_code="UKCO")
    assert result.errors == []
    assert [(r.row, r.type, r.account_ref, r.date, r.amount) for r in result.records] == [
        (3, "SA", "KIRKLEES", "2026-11-02", Decimal("120.00")),
        (4, "SR", "PENNINE", "2026-11-03", Decimal("1234.50")),
    ] or result.errors


@pytest.mark.parametrize("line, message", [
    ("SA,KIRKLEES,1200,,02/11/2026,INV1,Receipt", "columns"),
    ("SA,KIRKLEES,1200,,2026-11-02,INV1,Receipt,10.00,T9,0", "not DD/MM/YYYY"),
    ("SA,KIRKLEES,1200,,31/02/2026,INV1,Receipt,10.00,T9,0", "not a valid DD/MM/YYYY date"),
    ("SA,NOBODY,1200,,02/11/2026,INV1,Receipt,10.00,T9,0", "unknown account reference"),
    ("SA,KIRKLEES,1200,,02/11/2026,INV1,Receipt,ten,T9,0", "not a number"),
    ("SI,KIRKLEES,1200,,02/11/2026,INV1,Invoice,10.00,T9,0", "not a receipt"),
    ("SA,KIRKLEES,1200,,02/11/2026,INV/2026/0001,Receipt,120.00,T9,0.00", "duplicate transaction"),
])
def test_each_bad_row_rejects_the_whole_file_with_its_row_number(line, message):
    result = parse_receipts(GOOD + line + "\r\n", KNOWN, company_code="UKCO")
    assert result.records == []
    assert [error.row for error in result.errors] == [5]
    assert message in result.errors[0].message


def test_a_file_from_another_company_is_refused():
    result = parse_receipts(GOOD.replace("UKCO", "OTHERCO"), KNOWN, company_code="UKCO")
    assert result.records == [] and result.errors[0].row == 1
    assert "OTHERCO" in result.errors[0].message


def test_receipts_imported_before_are_duplicates():
    before = {receipt_key("KIRKLEES", "2026-11-02", "inv/2026/0001", Decimal("120"))}
    result = parse_receipts(GOOD, KNOWN, already_imported=before)
    assert result.records == [] and result.errors[0].row == 3


def test_empty_or_cp1252_files():
    assert parse_receipts(b"", KNOWN).errors[0].message == "the file holds no receipts"
    data = GOOD.replace("Receipt", "Payment \xa3").encode("cp1252")
    assert parse_receipts(data, KNOWN).records[0].details == "Payment \xa3"


def test_balances_parse_and_reject_bad_rows():
    good = "Account Reference,Balance,Credit Limit,Overdue,On Hold\nKIRKLEES,120.00,5000,0,No\nPENNINE,-3.50,0,0,Yes\n"
    result = parse_balances(good, KNOWN)
    assert [(b.account_ref, b.balance, b.on_hold) for b in result.records] == [
        ("KIRKLEES", Decimal("120.00"), False), ("PENNINE", Decimal("-3.50"), True)]
    bad = parse_balances(good + "KIRKLEES,1,1,1,No\nNOBODY,x,1,1,maybe\n", KNOWN)
    assert bad.records == []
    assert [(e.row, e.message.split(" ")[0]) for e in bad.errors] == [
        (4, "duplicate"), (5, "unknown"), (5, "balance"), (5, "on")]


def test_matching_by_reference_then_by_account_and_amount():
    invoices = [OpenInvoice(1, "INV/1", "KIRKLEES", Decimal("120.00"), "2026-10-01"),
                OpenInvoice(2, "INV/2", "KIRKLEES", Decimal("50.00"), "2026-10-02"),
                OpenInvoice(3, "INV/3", "KIRKLEES", Decimal("50.00"), "2026-10-03")]
    receipts = parse_receipts(
        "SA,KIRKLEES,1200,,02/11/2026,inv/1,R,120.00,T9,0\n"
        "SA,KIRKLEES,1200,,02/11/2026,BACS,R,50.00,T9,0\n"
        "SA,KIRKLEES,1200,,02/11/2026,BACS2,R,50.00,T9,0\n"
        "SA,KIRKLEES,1200,,02/11/2026,BACS3,R,50.00,T9,0\n", KNOWN).records
    assert [(m.invoice_id, m.method) for m in match_receipts(receipts, invoices)] == [
        (1, "reference"), (2, "amount"), (3, "amount"), (None, None)]
