from .common import SageCase


class TestExport(SageCase):

    def test_customers_get_unique_references_and_a_customer_file(self):
        result = self.export("customers")
        refs = {self.ref_of(self.hudd), self.ref_of(self.wake)}
        self.assertEqual(refs, {"HUDDERSF", "WAKEFIEL"})
        rows = self.exported_rows(result)
        self.assertIn("HUDDERSF,Huddersfield Hoists (sage test),,,,,HD1 2NF,,,,,0.00", rows)
        batch = self.env["ecrm.sage.batch"].browse(result["batch_id"])
        self.assertEqual((batch.kind, batch.state, batch.record_count), ("customers", "exported", result["exported"]))
        self.assertTrue(batch.name.startswith("SAGE/"))
        again = self.export("customers")
        self.assertEqual((again["exported"], again["file"]), (0, False), "unchanged customers are not resent")
        self.hudd.zip = "HD1 1AA"
        changed = self.export("customers")
        self.assertEqual(changed["exported"], 1)
        self.assertEqual(self.ref_of(self.hudd), "HUDDERSF", "a reference never changes once given")

    def test_invoices_go_out_once_as_audit_trail_lines(self):
        self.export("customers")
        invoice = self.post_invoice(self.hudd, [100.0, 50.0])
        refund = self.post_invoice(self.hudd, [10.0], kind="out_refund")
        result = self.export("invoices")
        mine = [row for row in self.exported_rows(result) if invoice.number in row or refund.number in row]
        self.assertEqual(sorted(mine), sorted([
            "SI,HUDDERSF,4000,2,02/11/2026,%s,%s,150.00,T1,30.00,,,,," % (invoice.number, invoice.number),
            "SC,HUDDERSF,4000,2,02/11/2026,%s,%s,10.00,T1,2.00,,,,," % (refund.number, refund.number),
        ]))
        bindings = self.Binding.search([("backend_id", "=", self.backend.id), ("res_model", "=", "account.invoice")])
        self.assertEqual(set(bindings.mapped("res_id")) & {invoice.id, refund.id}, {invoice.id, refund.id})
        second = self.export("invoices")
        self.assertEqual(second["exported"], 0)
        self.assertFalse(second["file"])
        self.assertEqual(self.Binding.search_count([("invoice_id", "=", invoice.id)]), 1)

    def test_dry_run_previews_without_writing(self):
        self.export("customers")
        invoice = self.post_invoice(self.wake, [80.0])
        bindings, batches = self.Binding.search_count([]), self.env["ecrm.sage.batch"].search_count([])
        preview = self.export("invoices", dry_run=True)
        self.assertFalse(preview["batch_id"])
        self.assertTrue(any(invoice.number in row for row in self.exported_rows(preview)))
        self.assertEqual(self.Binding.search_count([]), bindings)
        self.assertEqual(self.env["ecrm.sage.batch"].search_count([]), batches)
        self.assertEqual(self.export("invoices")["exported"], preview["exported"])

    def test_skipped_invoices_say_why(self):
        unbound = self.post_invoice(self.hudd, [10.0])
        self.backend.tax_map_ids.filtered(lambda line: line.tax_id == self.vat0).unlink()
        self.Binding.create({"backend_id": self.backend.id, "res_model": "res.partner", "res_id": self.wake.id,
                             "partner_id": self.wake.id, "sage_ref": "PEN001"})
        unmapped = self.post_invoice(self.wake, [10.0], taxes=self.vat0)
        skipped = {item["id"]: item["reason"] for item in self.export("invoices")["skipped"]}
        self.assertIn("export customers first", skipped[unbound.id])
        self.assertIn("has no Sage tax code", skipped[unmapped.id])
        self.assertFalse(self.Binding.search([("invoice_id", "in", [unbound.id, unmapped.id])]))

    def test_an_invoice_edited_after_export_is_a_conflict_not_resent(self):
        self.export("customers")
        invoice = self.post_invoice(self.hudd, [100.0])
        self.export("invoices")
        invoice.journal_id.update_posted = True
        invoice.action_invoice_cancel()
        invoice.action_invoice_draft()
        invoice.write({"invoice_line_ids": [(1, invoice.invoice_line_ids.id, {"price_unit": 120.0})]})
        invoice.compute_taxes()
        invoice.action_invoice_open()
        result = self.export("invoices")
        self.assertEqual(result["exported"], 0)
        self.assertIn("conflict", dict((i["id"], i["reason"]) for i in result["skipped"])[invoice.id])
        binding = self.Binding.search([("invoice_id", "=", invoice.id)])
        self.assertEqual(binding.state, "conflict")
        self.assertEqual(self.backend.conflict_count, 1)
        self.assertEqual(self.export("invoices")["exported"], 0, "a conflict is never re-sent")
        binding.action_accept_odoo_version()
        self.assertEqual(binding.state, "exported")
        self.assertEqual(self.export("invoices")["skipped"], [])

    def test_paying_an_exported_invoice_is_not_a_change(self):
        self.export("customers")
        invoice = self.post_invoice(self.hudd, [100.0])
        self.export("invoices")
        self.import_csv("receipts", "SA,HUDDERSF,1200,,03/11/2026,%s,Receipt,120.00,T9,0.00\n" % invoice.number)
        self.assertEqual(invoice.state, "paid")
        self.assertEqual(self.export("invoices")["skipped"], [])
        self.assertEqual(self.Binding.search([("invoice_id", "=", invoice.id)]).state, "exported")

    def test_exports_log_one_ledger_interaction_per_customer_and_batch(self):
        self.export("customers")
        first, second = self.post_invoice(self.hudd, [100.0]), self.post_invoice(self.hudd, [20.0])
        other = self.post_invoice(self.wake, [30.0])
        batch_id = self.export("invoices")["batch_id"]
        logged = self.env["ecrm.interaction"].search([("res_model", "=", "ecrm.sage.batch"), ("res_id", "=", batch_id)])
        self.assertEqual(set(logged.mapped("channel")), {"ledger"})
        self.assertEqual(set(logged.mapped("interaction_type")), {"sage_invoice_exported"})
        hudd = logged.filtered(lambda entry: entry.partner_id == self.hudd)
        self.assertEqual(len(hudd), 1)
        self.assertIn("2 document(s)", hudd.subject)
        self.assertTrue(first.number in hudd.subject and second.number in hudd.subject)
        self.assertIn(other.number, logged.filtered(lambda entry: entry.partner_id == self.wake).subject)

    def test_reference_rules_on_bindings(self):
        self.export("customers")
        binding = self.Binding.search([("res_id", "=", self.hudd.id), ("res_model", "=", "res.partner")])
        binding.write({"sage_ref": "kirk01"})
        self.assertEqual(binding.sage_ref, "KIRK01")
        from odoo.exceptions import ValidationError
        from psycopg2 import IntegrityError
        from odoo.tools import mute_logger
        with self.assertRaises(ValidationError), self.cr.savepoint():
            binding.sage_ref = "MUCH TOO LONG"
        binding.invalidate_cache()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.Binding.create({"backend_id": self.backend.id, "res_model": "res.partner",
                                 "res_id": self.env.user.partner_id.id, "sage_ref": "KIRK01"})
