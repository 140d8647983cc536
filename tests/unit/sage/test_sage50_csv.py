import csv
import io
from decimal import Decimal

import pytest

from addons.ecrm_sage_bridge.sage_formats.audit_trail import AUDIT_COLUMNS, AuditLine, check_line
from addons.ecrm_sage_bridge.sage_formats.customers import CUSTOMER_COLUMNS, CustomerRecord, CustomerWriter
from addons.ecrm_sage_bridge.sage_formats.sage50_csv import MAX_LINE_LENGTH, MONEY, money_cell, text_cell


@pytest.mark.parametrize("value, cell", [
    ("=cmd|' /C calc'!A0", " =cmd|' /C calc'!A0"),
    ("+44 1484 123456", " +44 1484 123456"),
    ("-2+3", " -2+3"),
    ("@SUM(1+1)", " @SUM(1+1)"),
    ("\t=1+1", " =1+1"),
    ("\r=1+1", " =1+1"),
    ("  =1+1  ", " =1+1"),
    ("Unit 4\r\nDean Clough", "Unit 4  Dean Clough"),
    ('The "Best" Hoists', "The 'Best' Hoists"),
    ("a\x00b\x1fc\x85d\u2028e", "a b c d e"),
    ("Kirklees Council", "Kirklees Council"),
    ("1+1=2", "1+1=2"),
    (None, ""), (False, ""), (4000, "4000"),
])
def test_text_cells_cannot_start_a_formula_and_sage_reads_them_back(value, cell):
    assert text_cell(value) == cell
    # Sage 50 ignores a field's leading and trailing spaces: what it imports is the value itself
    assert text_cell(value).strip() == cell.strip()


def test_a_neutralised_cell_is_cut_to_the_field_before_its_guard_space():
    assert text_cell("=" + "x" * 80, 60) == " =" + "x" * 59
    assert len(text_cell("=" + "x" * 80, 60).strip()) == 60


@pytest.mark.parametrize("value, cell", [(Decimal("-10"), "-10.00"), (-0.005, "-0.01"), (12.345, "12.35"),
                                         (None, "0.00"), (0, "0.00")])
def test_money_cells_keep_their_sign_and_are_never_prefixed(value, cell):
    assert money_cell(value) == cell


def test_records_are_built_by_field_name_only_and_completely():
    with pytest.raises(TypeError):
        CustomerRecord("KIRKLEES", "Kirklees Council")
    with pytest.raises(TypeError) as missing:
        CustomerRecord(account_ref="KIRKLEES", name="Kirklees Council")
    assert "contact_name" in str(missing.value)
    with pytest.raises(TypeError):
        AuditLine(type="SI", account_ref="K", nominal_code="4000", date="02/11/2026", reference="R",
                  details="", net=1, tax_code="T1", tax=0, telephone="x")


def test_every_header_names_the_field_written_under_it():
    values = {column.field: "<%s>" % column.field for column in CUSTOMER_COLUMNS}
    values["credit_limit"] = 12
    stream = io.StringIO()
    CustomerWriter(stream).write(CustomerRecord(**values))
    header, row = list(csv.reader(io.StringIO(stream.getvalue())))
    for column in CUSTOMER_COLUMNS:
        cell = row[header.index(column.header)]
        assert cell == ("12.00" if column.kind == MONEY else ("<%s>" % column.field)[:column.limit])


@pytest.mark.parametrize("columns", [CUSTOMER_COLUMNS, AUDIT_COLUMNS], ids=["customers", "audit trail"])
def test_a_full_line_stays_within_what_sage_50_reads(columns):
    # each text cell at its limit plus a guard space and quotes, money at 13 digits
    widest = sum((column.limit + 3) if column.kind != MONEY else 17 for column in columns) + len(columns) - 1
    assert all(column.limit for column in columns if column.kind != MONEY)
    assert widest <= MAX_LINE_LENGTH


def test_references_sage_would_cut_are_refused_not_cut():
    line = AuditLine(type="SI", account_ref="KIRKLEES", nominal_code="4000", date="02/11/2026",
                     reference="INV/" + "9" * 40, details="", net=1, tax_code="T1", tax=0, department="1000")
    problems = check_line(line)
    assert any("reference" in problem and "30 characters" in problem for problem in problems)
    assert any("department" in problem for problem in problems)
