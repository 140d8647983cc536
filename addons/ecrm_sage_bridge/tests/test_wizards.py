import base64

from odoo.exceptions import ValidationError

from .common import SageCase


class TestWizardsAndMaps(SageCase):

    def test_export_wizard_previews_then_exports(self):
        self.export("customers")
        invoice = self.post_invoice(self.hudd, [40.0])
        wizard = self.env["ecrm.sage.export.wizard"].create({"backend_id": self.backend.id, "kind": "invoices"})
        wizard.action_preview()
        self.assertEqual(wizard.state, "preview")
        self.assertFalse(wizard.batch_id)
        self.assertIn(invoice.number, base64.b64decode(wizard.file).decode("cp1252"))
        wizard.action_export()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.batch_id.state, "exported")
        wizard.batch_id.action_mark_done()
        self.assertEqual(wizard.batch_id.state, "done")

    def test_import_wizard_shows_row_errors_and_applies_nothing(self):
        self.export("customers")
        wizard = self.env["ecrm.sage.import.wizard"].create({
            "backend_id": self.backend.id, "kind": "balances",
            "file": base64.b64encode(b"HUDDERSF,12.00,0,0,No\r\nNOBODY,1,0,0,No\r\n")})
        wizard.action_import()
        self.assertEqual((wizard.state, wizard.applied_count), ("checked", 0))
        self.assertIn("row 2: unknown account reference", wizard.errors_text)
        self.hudd.invalidate_cache()
        self.assertEqual(self.hudd.sage_balance, 0.0)

    def test_maps_refuse_codes_sage_would_not_take(self):
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.backend.tax_map_ids[0].sage_tax_code = "VAT20"
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.backend.nominal_map_ids[0].nominal_code = "40A0"
        self.backend.nominal_map_ids[0].nominal_code = "0040"
        self.assertEqual(self.backend.nominal_map_ids[0].nominal_code, "0040")

    def test_ledger_figures_sit_in_the_customer_360_tab(self):
        arch = self.env["res.partner"].fields_view_get(view_type="form")["arch"]
        customer_360 = arch.split('name="ecrm_360"')[1]
        self.assertIn("ecrm_sage_ledger", customer_360)
        self.assertIn("sage_credit_status", customer_360)

    def test_uk_vat_codes_are_mapped_in_one_click(self):
        backend = self.Backend.create({"name": "Fresh (test)", "company_id": self.company.id,
                                       "start_date": "2026-01-01"})
        backend.action_map_uk_taxes()
        codes = {line.tax_id.description: line.sage_tax_code for line in backend.tax_map_ids}
        self.assertEqual(codes.get("ST11"), "T1")
        self.assertEqual(codes.get("ST0"), "T0")
        self.assertEqual(backend.nominal_map_ids.nominal_code, "4000")
        backend.action_map_uk_taxes()
        self.assertEqual(len(backend.tax_map_ids), len(codes), "mapping twice adds nothing")
