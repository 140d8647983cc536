import base64
from unittest.mock import patch

from .common import SageCase

BALANCES = "HUDDERSF,120.00,100.00,20.00,No\r\nWAKEFIEL,60.00,500.00,60.00,Yes\r\n"


class TestLedgerOnTheCustomer(SageCase):

    def setUp(self):
        super().setUp()
        self.export("customers")

    def test_ledger_figures_are_stored_so_staff_filter_and_group_on_them(self):
        contact = self.env["res.partner"].create({"name": "Pat Booth (sage test)", "parent_id": self.wake.id})
        self.import_csv("balances", BALANCES)
        Partner = self.env["res.partner"]
        mine = [("id", "in", (self.hudd | self.wake | contact).ids)]
        self.assertEqual(Partner.search(mine + [("sage_on_hold", "=", True)]), self.wake | contact)
        self.assertEqual(Partner.search(mine + [("sage_credit_status", "=", "over_limit")]), self.hudd)
        self.assertEqual(Partner.search(mine + [("sage_overdue", ">", 50)]), self.wake | contact)
        groups = {group["sage_credit_status"]: group["sage_credit_status_count"] for group in Partner.read_group(
            mine, ["sage_credit_status"], ["sage_credit_status"])}
        self.assertEqual(groups, {"over_limit": 1, "on_hold": 2})
        self.assertEqual((contact.sage_account_ref, contact.sage_balance), ("WAKEFIEL", 60.0))

    def test_releasing_a_customer_and_dropping_a_binding_update_the_customer(self):
        self.import_csv("balances", BALANCES)
        self.import_csv("balances", BALANCES.replace("Yes", "No"))
        self.assertEqual((self.wake.sage_on_hold, self.wake.sage_credit_status), (False, "ok"))
        self.Binding.search([("res_model", "=", "res.partner"), ("partner_id", "=", self.wake.id)]).unlink()
        self.assertEqual((self.wake.sage_account_ref, self.wake.sage_credit_status), (False, "none"))

    def test_a_new_customer_is_not_in_sage_until_exported(self):
        newcomer = self.env["res.partner"].create({"name": "Ossett Care (sage test)", "customer": True,
                                                   "is_company": True})
        self.assertEqual(newcomer.sage_credit_status, "none")
        self.export("customers")
        self.assertEqual((newcomer.sage_account_ref, newcomer.sage_credit_status), ("OSSETTCA", "ok"))


class TestReconciliationAsAt(SageCase):

    def test_reconciling_as_at_a_date_leaves_out_later_entries(self):
        self.export("customers")
        self.post_invoice(self.hudd, [100.0], date="2026-10-01")     # 120.00
        self.post_invoice(self.hudd, [50.0], date="2026-11-15")      # 60.00
        self.export("invoices")
        self.Backend.with_context(sage_balance_date="2026-10-31").import_file(
            self.backend.id, "balances", base64.b64encode(b"HUDDERSF,120.00,0,0,No\r\n"))
        line = self.env["ecrm.sage.reconciliation.line"].search([("backend_id", "=", self.backend.id),
                                                                 ("partner_id", "=", self.hudd.id)])
        self.assertEqual(line.difference, 60.0, "today Odoo also holds the November invoice")
        wizard = self.env["ecrm.sage.reconciliation.wizard"].create({"backend_id": self.backend.id,
                                                                     "date": "2026-10-31"})
        action = wizard.action_reconcile()
        line = self.env["ecrm.sage.reconciliation.line"].search([("backend_id", "=", self.backend.id),
                                                                 ("partner_id", "=", self.hudd.id)])
        self.assertEqual((line.date, line.odoo_balance, line.sage_balance_date, line.difference),
                         ("2026-10-31", 120.0, "2026-10-31", 0.0))
        self.assertEqual(self.backend.reconciliation_as_at, "2026-10-31")
        self.assertEqual(action["res_model"], "ecrm.sage.reconciliation.line")


class TestStreamedCustomerExport(SageCase):

    def test_customers_are_read_and_written_page_by_page_with_unique_references(self):
        for number in range(3):
            self.env["res.partner"].create({"name": "Huddersfield Hoists %d (sage test)" % number,
                                            "customer": True, "is_company": True})
        with patch("odoo.addons.ecrm_sage_bridge.models.ecrm_sage_batch.PAGE_SIZE", 2):
            pages = list(self.env["ecrm.sage.batch"]._customer_pages(self.backend))
            result = self.export("customers")
        self.assertGreater(len(pages), 2)
        self.assertTrue(all(len(plan["records"]) <= 2 for plan in pages))
        refs = [row.split(",")[0] for row in self.exported_rows(result)]
        self.assertEqual(len(refs), len(set(refs)))
        self.assertEqual(result["exported"], len(refs))
        self.assertTrue({"HUDDERSF", "HUDDERS1", "HUDDERS2", "HUDDERS3"} <= set(refs))
