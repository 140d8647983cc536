from decimal import Decimal

import pytest

from addons.ecrm_sage_bridge.sage_formats.inbound import (
    parse_balances, parse_receipts, receipt_key)
from addons.ecrm_sage_bridge.sage_formats.matching import CREDIT_NOTE, INVOICE, OpenDocument, match_receipts

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
    ("SA,PENNINE,1200,,02/11/2026,INV/2026/0009,Receipt,10.00,T9,0", "our document of account KIRKLEES"),
    ("SA,KIRKLEES,1200,,02/11/2026,INV/2026/0001,Receipt,120.00,T9,0.00", "duplicate transaction"),
])
def test_each_bad_row_rejects_the_whole_file_with_its_row_number(line, message):
    result = parse_receipts(GOOD + line + "\r\n", KNOWN, company_code="UKCO",
                            exported_documents={"INV/2026/0009": "KIRKLEES"})
    assert result.records == []
    assert [error.row for error in result.errors] == [5]
    assert message in result.errors[0].message


def test_a_file_from_another_company_is_refused():
    result = parse_receipts(GOOD.replace("UKCO", "OTHERCO"), KNOWN, company_code="UKCO")
    assert result.records == [] and result.errors[0].row == 1
    assert "OTHERCO" in result.errors[0].message


def test_a_sage_50_export_from_another_company_is_recognised_by_its_accounts():
    foreign = ("SA,ACME01,1200,,02/11/2026,INV/1,Receipt,10.00,T9,0\r\n"
               "SA,ACME02,1200,,02/11/2026,INV/2,Receipt,20.00,T9,0\r\n"
               "SA,KIRKLEES,1200,,02/11/2026,BACS,Receipt,30.00,T9,0\r\n")
    result = parse_receipts(foreign, KNOWN)
    assert result.records == []
    assert result.errors[0].row == 0 and "another Sage company" in result.errors[0].message
    assert [error.row for error in result.errors[1:]] == [1, 2]
    balances = parse_balances("ACME01,1,0,0,No\r\nACME02,1,0,0,No\r\n", KNOWN)
    assert balances.errors[0].row == 0 and "2 of the 2 rows" in balances.errors[0].message


def test_receipts_naming_our_invoices_under_other_accounts_count_as_foreign():
    ours = {"INV/1": "KIRKLEES", "INV/2": "KIRKLEES"}
    text = ("SA,PENNINE,1200,,02/11/2026,INV/1,Receipt,10.00,T9,0\r\n"
            "SA,PENNINE,1200,,02/11/2026,INV/2,Receipt,20.00,T9,0\r\n")
    result = parse_receipts(text, KNOWN, exported_documents=ours)
    assert result.errors[0].row == 0 and "another Sage company" in result.errors[0].message
    assert parse_receipts(text.replace("PENNINE", "KIRKLEES"), KNOWN, exported_documents=ours).errors == []


def test_refund_payments_sp_are_read_too():
    result = parse_receipts("SP,KIRKLEES,1200,,02/11/2026,CN/1,Refund,15.00,T9,0\r\n", KNOWN)
    assert [(r.type, r.amount) for r in result.records] == [("SP", Decimal("15.00"))]


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
    invoices = [OpenDocument(1, INVOICE, "INV/1", "KIRKLEES", Decimal("120.00"), "2026-10-01"),
                OpenDocument(2, INVOICE, "INV/2", "KIRKLEES", Decimal("50.00"), "2026-10-02"),
                OpenDocument(3, INVOICE, "INV/3", "KIRKLEES", Decimal("50.00"), "2026-10-03")]
    receipts = parse_receipts(
        "SA,KIRKLEES,1200,,02/11/2026,inv/1,R,120.00,T9,0\n"
        "SA,KIRKLEES,1200,,02/11/2026,BACS,R,50.00,T9,0\n"
        "SA,KIRKLEES,1200,,02/11/2026,BACS2,R,50.00,T9,0\n"
        "SA,KIRKLEES,1200,,02/11/2026,BACS3,R,50.00,T9,0\n", KNOWN).records
    assert [(m.document_ids, m.method) for m in match_receipts(receipts, invoices)] == [
        ((1,), "reference"), ((2,), "amount"), ((3,), "amount"), ((), None)]


def test_a_receipt_of_an_invoice_less_its_credit_note_settles_both():
    documents = [OpenDocument(1, INVOICE, "INV/1", "KIRKLEES", Decimal("120.00"), "2026-10-01"),
                 OpenDocument(7, CREDIT_NOTE, "CN/7", "KIRKLEES", Decimal("20.00"), "2026-10-05"),
                 OpenDocument(8, CREDIT_NOTE, "CN/8", "PENNINE", Decimal("20.00"), "2026-10-05")]
    receipts = parse_receipts("SR,KIRKLEES,1200,,02/11/2026,BACS,R,100.00,T9,0\n"
                              "SR,PENNINE,1200,,02/11/2026,BACS,R,100.00,T9,0\n", KNOWN).records
    assert [(m.document_ids, m.method) for m in match_receipts(receipts, documents)] == [
        ((1, 7), "net_of_credit"), ((), None)]


def test_refund_payments_settle_credit_notes_never_invoices():
    documents = [OpenDocument(1, INVOICE, "INV/1", "KIRKLEES", Decimal("15.00"), "2026-10-01"),
                 OpenDocument(7, CREDIT_NOTE, "CN/7", "KIRKLEES", Decimal("15.00"), "2026-10-05"),
                 OpenDocument(9, CREDIT_NOTE, "CN/9", "KIRKLEES", Decimal("40.00"), "2026-10-06")]
    receipts = parse_receipts("SP,KIRKLEES,1200,,02/11/2026,cn/9,Refund,40.00,T9,0\n"
                              "SP,KIRKLEES,1200,,02/11/2026,CHQ,Refund,15.00,T9,0\n"
                              "SP,KIRKLEES,1200,,02/11/2026,INV/1,Refund,15.01,T9,0\n", KNOWN).records
    assert [(m.document_ids, m.method) for m in match_receipts(receipts, documents)] == [
        ((9,), "reference"), ((7,), "amount"), ((), None)]
    sr_naming_a_credit_note = parse_receipts("SR,KIRKLEES,1200,,02/11/2026,CN/9,R,40.00,T9,0\n", KNOWN).records
    assert match_receipts(sr_naming_a_credit_note, documents)[0].document_ids == ()


def test_api_balances_take_overdue_from_unpaid_invoices_past_due():
    from addons.ecrm_sage_bridge.sage_formats.bca_api import customer_balances
    contacts = [{"id": "c1", "reference": "KIRKLEES", "balance": "180.00", "credit_limit": "1000.0"},
                {"id": "c2", "reference": "PENNINE", "balance": "0.0", "credit_limit": None},
                {"id": "c9", "reference": "SAGEONLY", "balance": "5.0"}]
    unpaid = [{"contact": {"id": "c1"}, "due_date": "2026-10-31", "outstanding_amount": "120.00"},
              {"contact": {"id": "c1"}, "due_date": "2026-12-31", "outstanding_amount": "60.00"},
              {"contact": {"id": "c2"}, "due_date": "2026-11-30", "outstanding_amount": "9.99"}]
    result = customer_balances(contacts, unpaid, {"c1": "KIRKLEES", "c2": "PENNINE"}, "2026-11-30")
    rows = result.records
    assert result.errors == []
    assert [(r.account_ref, r.balance, r.credit_limit, r.overdue, r.on_hold) for r in rows] == [
        ("KIRKLEES", Decimal("180.00"), Decimal("1000.00"), Decimal("120.00"), None),
        ("PENNINE", Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), None)]


@pytest.mark.parametrize("data, row, message", [
    (GOOD.encode("cp1252").replace(b"Receipt", b"Rec\x00eipt"), 3, "NUL"),
    (GOOD.encode("utf-16"), 0, "UTF-16"),
    (GOOD.encode("utf-16-be"), 0, "UTF-16"),
    (GOOD.encode("cp1252").replace(b"BACS 991", b"BACS\x8d991"), 4, "0x8d on line 4"),
    (GOOD + "SA,KIRKLEES,1200,,02/11/2026,X,%s,1.00,T9,0\r\n" % ("D" * 5000), 5, "line 5 is 50"),
    (GOOD + '"' + "x" * 200000, 5, "line 5"),
], ids=["NUL", "UTF-16", "UTF-16-BE", "0x8d", "long line", "unclosed quote"])
def test_what_is_not_sage_csv_text_is_one_clear_error(data, row, message):
    for parse in (parse_receipts, parse_balances):
        result = parse(data, KNOWN, company_code="UKCO")
        assert result.records == []
        assert result.errors[0].row == row and message in result.errors[0].message


def test_a_cell_longer_than_any_sage_field_is_refused():
    result = parse_receipts(GOOD + "SA,KIRKLEES,1200,,02/11/2026,%s,R,1.00,T9,0\r\n" % ("R" * 256), KNOWN)
    assert result.records == [] and result.errors == [(5, "column 6 is 256 characters long; a Sage 50 field "
                                                          "holds at most 255")]


@pytest.mark.parametrize("amount", ["1e30", "NaN", "Infinity", "-inf", "1e-30", "9" * 40, "0x1F", "1_0",
                                    "\u0661", "1,00", "1000000000", "+-1", ""])
def test_amounts_are_plain_bounded_decimals(amount):
    result = parse_balances('KIRKLEES,"%s",0,0,No\r\n' % amount, KNOWN)
    assert result.records == [] and "balance" in result.errors[0].message


def test_a_message_never_carries_a_whole_hostile_value():
    result = parse_receipts("SA,%s,1200,,02/11/2026,X,R,1.00,T9,0\r\n" % ("Z" * 250), KNOWN)
    assert all(len(error.message) < 200 for error in result.errors)
