import base64

from odoo.tests.common import TransactionCase


class SageCase(TransactionCase):
    """A UK company backend, two customers and helpers to post invoices."""

    def setUp(self):
        super().setUp()
        # jobs run at once, inside the test's transaction (queue_job's own switch)
        self.env = self.env(context=dict(self.env.context, test_queue_job_no_delay=True))
        self.company = self.env.user.company_id
        self.Backend = self.env["ecrm.sage.backend"]
        self.Binding = self.env["ecrm.sage.binding"]
        self.vat20 = self.env["account.tax"].search([
            ("company_id", "=", self.company.id), ("type_tax_use", "=", "sale"), ("amount", "=", 20.0),
            ("amount_type", "=", "percent")], limit=1)
        self.vat0 = self.env["account.tax"].search([
            ("company_id", "=", self.company.id), ("type_tax_use", "=", "sale"), ("amount", "=", 0.0),
            ("amount_type", "=", "percent")], limit=1)
        self.assertTrue(self.vat20 and self.vat0, "l10n_uk sale taxes missing")
        self.income = self.env["account.account"].search([
            ("company_id", "=", self.company.id), ("internal_type", "=", "other"),
            ("user_type_id", "=", self.env.ref("account.data_account_type_revenue").id)], limit=1)
        self.backend = self.Backend.create({
            "name": "Sage 50 (test)", "company_id": self.company.id, "transport": "sage50_files",
            "sage_company_code": "TESTCO", "start_date": "2026-01-01", "department_code": "2",
            "tax_map_ids": [(0, 0, {"tax_id": self.vat20.id, "sage_tax_code": "T1"}),
                            (0, 0, {"tax_id": self.vat0.id, "sage_tax_code": "T0"})],
            "nominal_map_ids": [(0, 0, {"account_id": self.income.id, "nominal_code": "4000"})],
        })
        Partner = self.env["res.partner"]
        self.hudd = Partner.create({"name": "Huddersfield Hoists (sage test)", "is_company": True,
                                        "customer": True, "zip": "HD1 2NF", "company_id": self.company.id})
        self.wake = Partner.create({"name": "Wakefield Lifts (sage test)", "is_company": True,
                                       "customer": True, "company_id": self.company.id})

    def post_invoice(self, partner, amounts, taxes=None, kind="out_invoice", date="2026-11-02"):
        invoice = self.env["account.invoice"].create({
            "partner_id": partner.id, "type": kind, "date_invoice": date,
            "invoice_line_ids": [(0, 0, {
                "name": "Ceiling hoist service", "quantity": 1, "price_unit": amount,
                "account_id": self.income.id,
                "invoice_line_tax_ids": [(6, 0, (taxes or self.vat20).ids)]}) for amount in amounts],
        })
        invoice.compute_taxes()
        invoice.action_invoice_open()
        return invoice

    def export(self, kind, dry_run=False):
        return self.Backend.export_batch(self.backend.id, kind, dry_run)

    def import_csv(self, kind, text, dry_run=False):
        return self.Backend.import_file(self.backend.id, kind, base64.b64encode(text.encode("cp1252")), dry_run)

    def exported_rows(self, result):
        return base64.b64decode(result["file"]).decode("cp1252").splitlines()[1:]

    def ref_of(self, partner):
        return self.Binding.search([("backend_id", "=", self.backend.id), ("res_model", "=", "res.partner"),
                                    ("res_id", "=", partner.id)]).sage_ref
