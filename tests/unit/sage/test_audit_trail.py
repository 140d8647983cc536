import datetime
import csv
import io
from decimal import Decimal

from addons.ecrm_sage_bridge.sage_formats.audit_trail import (
    COLUMNS, AuditTrailWriter, check_line, document_lines)
from addons.ecrm_sage_bridge.sage_formats.checksum import content_checksum
from addons.ecrm_sage_bridge.sage_formats.customers import CustomerRecord, CustomerWriter


def invoice(**overrides):
    document = {
        "type": "SI", "account_ref": "KIRKLEES", "date": "2026-11-02", "reference": "INV/2026/0001",
        "details": "Ceiling hoist service", "department": "3", "project_ref": "NHS1",
        "lines": [{"nominal_code": "4000", "tax_code": "T1", "net": 100.0},
                  {"nominal_code": "4010", "tax_code": "T1", "net": 50.0},
                  {"nominal_code": "4000", "tax_code": "T1", "net": 0.10},
                  {"nominal_code": "0040", "tax_code": "T0", "net": 10.0}],
        "taxes": {"T1": 30.02, "T0": 0.0},
    }
    document.update(overrides)
    return document


def customer(**overrides):
    values = dict(account_ref="KIRKLEES", name="Kirklees Council", street="", street2="", town="", county="",
                  postcode="", contact_name="", phone="", email="", vat="", credit_limit=0)
    values.update(overrides)
    return CustomerRecord(**values)


def written(lines, header=True):
    stream = io.StringIO()
    writer = AuditTrailWriter(stream, header=header)
    writer.write_many(lines)
    return stream.getvalue(), writer.count


def test_lines_group_by_nominal_and_tax_code_and_keep_the_tax_total():
    lines = document_lines(invoice())
    assert [(l.nominal_code, l.tax_code, l.net) for l in lines] == [
        ("4000", "T1", Decimal("100.10")), ("4010", "T1", Decimal("50.00")), ("0040", "T0", Decimal("10.00"))]
    assert sum(l.tax for l in lines if l.tax_code == "T1") == Decimal("30.02")
    assert (lines[0].tax, lines[1].tax) == (Decimal("20.02"), Decimal("10.00"))  # 30.02 * 100.10 / 150.10, remainder
    assert {l.date for l in lines} == {"02/11/2026"}


def test_csv_has_the_fifteen_sage_columns_and_keeps_leading_zeros():
    text, count = written(document_lines(invoice()))
    rows = list(csv.reader(io.StringIO(text)))
    assert count == 3 and rows[0] == list(COLUMNS) and len(COLUMNS) == 15
    assert rows[3] == ["SI", "KIRKLEES", "0040", "3", "02/11/2026", "INV/2026/0001",
                       "Ceiling hoist service", "10.00", "T0", "0.00", "", "", "", "NHS1", ""]
    assert text.endswith("\r\n")


def test_details_with_commas_survive_and_double_quotes_become_single_ones():
    """Sage 50 refuses a double quote inside a field ("quotes out of sequence")."""
    text, _ = written(document_lines(invoice(details='Hoist, "deluxe"')), header=False)
    assert next(csv.reader(io.StringIO(text)))[6] == "Hoist, 'deluxe'"
    assert [line.count('"') for line in text.splitlines()] == [2, 2, 2], "only quotes around a field with a comma"


def test_check_line_reports_what_sage_would_refuse():
    line = document_lines(invoice())[0]._replace(type="XX", nominal_code="40A0", tax_code="VAT")
    assert len(check_line(line)) == 3
    assert check_line(document_lines(invoice())[0]) == []


def test_customer_writer_truncates_to_sage_field_lengths():
    stream = io.StringIO()
    CustomerWriter(stream).write(customer(name="K" * 80, postcode="HD1 2NF 1234", credit_limit=5000))
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows[1][0] == "KIRKLEES" and len(rows[1][1]) == 60
    assert rows[1][6] == "HD1 2NF 12" and rows[1][11] == "5000.00"


def test_checksum_changes_with_content_only():
    assert content_checksum({"a": 1.0, "b": [1]}) == content_checksum({"b": [1], "a": 1.001})
    assert content_checksum({"a": 1.0}) != content_checksum({"a": 1.01})


def test_checksum_of_a_content_never_changes():
    """Bindings store these digests: a new digest for the same content would turn every
    exported invoice into a conflict at the next export."""
    invoice = {"number": "INV/2026/0001", "type": "out_invoice", "date": "2026-11-02", "partner": 7, "currency": 1,
               "posted": True, "lines": sorted([[12, 100.0, [3]], [12, 33.333, []]]), "taxes": [(3, 20.0)]}
    customer = {"name": "Ackroyd & Sons", "limit": Decimal("1500.005"), "refs": ("A", "B"),
                "when": datetime.date(2026, 1, 31), "none": None}
    assert content_checksum(invoice) == "4b20a0752e0682f213ed74237d4f3a123d4b36777f3b1c9bd9e6d2cc77af1c5e"
    assert content_checksum(customer) == "2735014b4eedf43ef3af40e3fb1118531859d13497ee1aec230381305b5a9c64"
