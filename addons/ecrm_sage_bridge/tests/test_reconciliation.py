import base64
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError

from ..sage_formats.inbound import Balance, ParseResult
from .common import SageCase

BALANCES = "HUDDERSF,120.00,100.00,20.00,No\r\nWAKEFIEL,60.00,500.00,60.00,Yes\r\n"


class ReconciliationCase(SageCase):

    def setUp(self):
        super().setUp()
        self.export("customers")
        self.Snapshot = self.env["ecrm.sage.balance.snapshot"]
        self.Line = self.env["ecrm.sage.reconciliation.line"]
        self.today = fields.Date.context_today(self.Snapshot)

    def import_balances(self, text, day=None):
        backend = self.Backend.with_context(sage_balance_date=day) if day else self.Backend
        result = self.import_csv_with(backend, text)
        self.assertEqual(result["errors"], [])
        return result

    def import_csv_with(self, backend_model, text):
        return backend_model.import_file(self.backend.id, "balances", base64.b64encode(text.encode("cp1252")))

    def snapshots(self, partner=None):
        domain = [("backend_id", "=", self.backend.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.Snapshot.search(domain, order="date, partner_id")

    def reconcile(self, day=None):
        if day:
            self.env["ecrm.sage.reconciliation.wizard"].create(
                {"backend_id": self.backend.id, "date": day}).action_reconcile()
        else:
            self.backend._run_reconciliation()
        return self.Line.search([("backend_id", "=", self.backend.id)])

    def line_of(self, lines, partner):
        line = lines.filtered(lambda l: l.partner_id == partner)
        self.assertEqual(len(line), 1)
        return line


class TestBalanceHistory(ReconciliationCase):

    def test_every_balances_import_keeps_one_snapshot_per_customer(self):
        result = self.import_balances(BALANCES)
        snapshots = self.snapshots()
        self.assertEqual(snapshots.mapped("partner_id"), self.hudd | self.wake)
        wake = self.snapshots(self.wake)
        self.assertEqual((wake.date, wake.account_ref, wake.balance, wake.overdue, wake.credit_limit, wake.on_hold,
                          wake.batch_id.id, wake.company_id),
                         (self.today, "WAKEFIEL", 60.0, 60.0, 500.0, True, result["batch_id"], self.company))
        self.assertEqual((self.wake.sage_balance, self.wake.sage_balance_date), (60.0, self.today))

    def test_a_dry_run_keeps_no_snapshot(self):
        self.Backend.import_file(self.backend.id, "balances", base64.b64encode(BALANCES.encode()), True)
        self.assertFalse(self.snapshots())

    def test_importing_again_the_same_day_replaces_that_days_snapshot(self):
        self.import_balances(BALANCES)
        second = self.import_balances(BALANCES.replace("120.00", "130.00").replace("Yes", "No"))
        self.assertEqual(len(self.snapshots()), 2)
        hudd, wake = self.snapshots(self.hudd), self.snapshots(self.wake)
        self.assertEqual((hudd.balance, hudd.batch_id.id), (130.0, second["batch_id"]))
        self.assertFalse(wake.on_hold)
        self.assertEqual(self.hudd.sage_balance, 130.0)

    def test_balances_as_at_an_earlier_day_go_into_the_history_only(self):
        self.import_balances(BALANCES)
        self.import_balances("HUDDERSF,90.00,100.00,0,No\r\n", day="2026-10-31")
        self.assertEqual(self.snapshots(self.hudd).mapped("date"), ["2026-10-31", self.today])
        self.assertEqual(self.snapshots(self.hudd).mapped("balance"), [90.0, 120.0])
        self.assertEqual((self.hudd.sage_balance, self.hudd.sage_balance_date), (120.0, self.today),
                         "the customer keeps the latest figures Sage reported")

    def test_balances_cannot_be_as_at_a_day_to_come_nor_a_non_date(self):
        for day in ("2999-01-01", "31/10/2026"):
            with self.assertRaises(UserError, msg=day):
                self.import_csv_with(self.Backend.with_context(sage_balance_date=day), BALANCES)
        self.assertFalse(self.snapshots())

    def test_api_balances_are_as_at_today_whatever_the_context_says(self):
        self.backend.write({"transport": "sage_bca_api", "api_url": "http://sage.invalid", "api_business_id": "b"})
        rows = [Balance(1, "HUDDERSF", 75.0, 100.0, 0.0, None)]
        with patch("odoo.addons.ecrm_sage_bridge.models.ecrm_sage_api_transport.EcrmSageApiTransport._balances",
                   return_value=ParseResult(rows, [])):
            result = self.Backend.with_context(sage_balance_date="2026-10-31").import_api_balances(self.backend.id)
        self.assertEqual(result["errors"], [])
        snapshot = self.snapshots(self.hudd)
        self.assertEqual((snapshot.date, snapshot.balance, snapshot.on_hold), (self.today, 75.0, False))


class TestReconciliationAsAtSnapshots(ReconciliationCase):

    def setUp(self):
        super().setUp()
        self.post_invoice(self.hudd, [100.0], date="2026-09-15")    # 120.00
        self.post_invoice(self.hudd, [50.0], date="2026-10-15")     # 60.00
        self.export("invoices")
        self.import_balances("HUDDERSF,120.00,0,0,No\r\n", day="2026-09-30")
        self.import_balances("HUDDERSF,180.00,0,0,No\r\nWAKEFIEL,0,0,0,No\r\n", day="2026-10-31")

    def test_as_at_a_day_uses_each_customers_latest_snapshot_on_or_before_it(self):
        for day, odoo, sage, sage_date, difference in (
                ("2026-09-30", 120.0, 120.0, "2026-09-30", 0.0),
                ("2026-10-20", 180.0, 120.0, "2026-09-30", 60.0),
                ("2026-10-31", 180.0, 180.0, "2026-10-31", 0.0),
                ("2026-11-29", 180.0, 180.0, "2026-10-31", 0.0)):
            line = self.line_of(self.reconcile(day), self.hudd)
            self.assertEqual((line.date, line.odoo_balance, line.sage_balance, line.sage_balance_date,
                              line.difference, line.in_balance, line.sage_balance_missing),
                             (day, odoo, sage, sage_date, difference, not difference, False), day)

    def test_before_the_first_snapshot_there_is_no_sage_balance(self):
        lines = self.reconcile("2026-09-20")
        hudd, wake = self.line_of(lines, self.hudd), self.line_of(lines, self.wake)
        self.assertEqual((hudd.sage_balance_missing, hudd.sage_balance, hudd.sage_balance_date, hudd.odoo_balance,
                          hudd.difference, hudd.in_balance), (True, 0.0, False, 120.0, 120.0, False),
                         "a receivable in Odoo with nothing from Sage is a difference")
        self.assertEqual((wake.sage_balance_missing, wake.odoo_balance, wake.in_balance), (True, 0.0, True),
                         "no receivable and no Sage balance is no difference")
        lines = self.reconcile("2026-09-10")
        self.assertFalse(self.line_of(lines, self.hudd).difference, "no invoice yet at that day")
        self.assertTrue(all(lines.mapped("sage_balance_missing")))

    def test_a_customer_sage_never_reported_shows_no_sage_balance(self):
        lines = self.reconcile("2026-10-31")
        self.assertFalse(self.line_of(lines, self.wake).sage_balance_missing)
        others = lines.filtered(lambda l: l.partner_id not in self.hudd | self.wake)
        self.assertTrue(others and all(others.mapped("sage_balance_missing")))
        self.assertEqual(others.filtered(lambda l: not l.in_balance),
                         others.filtered(lambda l: l.odoo_balance != 0))

    def test_after_a_sync_the_latest_snapshot_counts(self):
        self.import_balances("HUDDERSF,150.00,0,0,No\r\n")
        line = self.line_of(self.Line.search([("backend_id", "=", self.backend.id)]), self.hudd)
        self.assertEqual((line.date, line.sage_balance, line.sage_balance_date, line.difference),
                         (self.today, 150.0, self.today, 30.0))
        self.assertEqual(self.backend.reconciliation_as_at, self.today)

    def test_totals_add_up_and_the_backend_counts_the_differences(self):
        for day, expected in ((None, 0), ("2026-09-20", 1), ("2026-10-20", 1)):
            lines = self.reconcile(day)
            self.assertEqual(len(lines), self.Binding.search_count([("backend_id", "=", self.backend.id),
                                                                    ("res_model", "=", "res.partner")]))
            total = self.Line.read_group([("backend_id", "=", self.backend.id)],
                                         ["odoo_balance", "sage_balance", "difference"], [])[0]
            self.assertAlmostEqual(total["odoo_balance"] - total["sage_balance"], total["difference"], places=2)
            differences = len(lines.filtered(lambda l: not l.in_balance))
            self.assertEqual(differences, expected + len(lines.filtered(
                lambda l: l.partner_id != self.hudd and l.odoo_balance)), day)
            self.assertEqual(self.backend.reconciliation_difference_count, differences, day)
            self.assertEqual(self.backend.reconciliation_summary,
                             "%d differences" % differences if differences else "In balance", day)
            receivable = sum(self.env["account.move.line"].search([
                ("account_id.internal_type", "=", "receivable"), ("company_id", "=", self.company.id),
                ("partner_id", "in", lines.mapped("partner_id").ids),
                ("date", "<=", day or "9999-12-31")]).mapped("balance"))
            self.assertAlmostEqual(total["odoo_balance"], receivable, places=2, msg=day)

    def test_the_wizard_shows_which_balances_it_will_compare_with(self):
        wizard = self.env["ecrm.sage.reconciliation.wizard"].create({"backend_id": self.backend.id,
                                                                     "date": "2026-10-20"})
        bound = self.Binding.search_count([("backend_id", "=", self.backend.id), ("res_model", "=", "res.partner")])
        self.assertEqual((wizard.snapshot_date, wizard.missing_count), ("2026-09-30", bound - 1))
        wizard.date = "2026-09-01"
        self.assertEqual((wizard.snapshot_date, wizard.missing_count), (False, bound))


class TestSnapshotAccess(ReconciliationCase):

    def make_user(self, login, groups, company):
        return self.env["res.users"].with_context(no_reset_password=True).create({
            "name": login, "login": login, "email": "%s@example.com" % login,
            "company_id": company.id, "company_ids": [(6, 0, company.ids)],
            "groups_id": [(6, 0, [self.env.ref(xmlid).id for xmlid in groups])]})

    def test_snapshots_are_read_by_their_company_only_and_written_by_imports_only(self):
        self.import_balances(BALANCES)
        other = self.env["res.company"].create({"name": "Pennine Lifts Group (snapshot test)"})
        outsider = self.make_user("sage_snap_other_t", ["ecrm_core.group_ecrm_manager"], other)
        user = self.make_user("sage_snap_user_t", ["ecrm_core.group_ecrm_user"], self.company)
        self.assertEqual(self.Snapshot.sudo(user).search([("backend_id", "=", self.backend.id)]), self.snapshots())
        self.assertFalse(self.Snapshot.sudo(outsider).search([("backend_id", "=", self.backend.id)]))
        with self.assertRaises(AccessError):
            self.snapshots(self.hudd).sudo(outsider).read(["balance"])
        with self.assertRaises(AccessError):
            self.snapshots(self.hudd).sudo(user).write({"balance": 1.0})
        with self.assertRaises(AccessError):
            self.Snapshot.sudo(user).create({"backend_id": self.backend.id, "company_id": self.company.id,
                                             "partner_id": self.hudd.id, "date": "2026-10-01"})
        portal = self.make_user("sage_snap_portal_t", ["base.group_portal"], self.company)
        with self.assertRaises(AccessError):
            self.Snapshot.sudo(portal).search([])
