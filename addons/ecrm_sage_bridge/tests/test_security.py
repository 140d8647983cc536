from odoo.exceptions import AccessError

from .common import SageCase


class TestSecurity(SageCase):

    def make_user(self, login, groups, company=None):
        company = company or self.company
        return self.env["res.users"].with_context(no_reset_password=True).create({
            "name": login, "login": login, "email": "%s@example.com" % login,
            "company_id": company.id, "company_ids": [(6, 0, company.ids)],
            "groups_id": [(6, 0, [self.env.ref(xmlid).id for xmlid in groups])]})

    def test_users_read_the_ledger_but_only_managers_sync(self):
        user = self.make_user("sage_user_t", ["ecrm_core.group_ecrm_user"])
        manager = self.make_user("sage_manager_t", ["ecrm_core.group_ecrm_manager"])
        self.assertTrue(self.Backend.sudo(user).search([("id", "=", self.backend.id)]))
        with self.assertRaises(AccessError):
            self.Backend.sudo(user).export_batch(self.backend.id, "customers", False)
        with self.assertRaises(AccessError):
            self.Backend.sudo(user).import_file(self.backend.id, "balances", "", False)
        result = self.Backend.sudo(manager).export_batch(self.backend.id, "customers", False)
        self.assertTrue(result["exported"])
        self.assertTrue(self.Binding.sudo(user).search([("backend_id", "=", self.backend.id)]))
        with self.assertRaises(AccessError):
            self.Binding.sudo(user).search([("backend_id", "=", self.backend.id)], limit=1).write({"sage_ref": "X1"})

    def test_portal_and_plain_employees_see_nothing(self):
        for user in (self.make_user("sage_portal_t", ["base.group_portal"]),
                     self.make_user("sage_employee_t", ["base.group_user"])):
            for model in ("ecrm.sage.backend", "ecrm.sage.binding", "ecrm.sage.batch", "ecrm.sage.receipt",
                          "ecrm.sage.reconciliation.line"):
                with self.assertRaises(AccessError, msg="%s %s" % (user.login, model)):
                    self.env[model].sudo(user).search([])

    def test_other_companies_backends_are_invisible_and_cannot_be_synced(self):
        other = self.env["res.company"].create({"name": "Pennine Lifts Group (sage test)"})
        other_manager = self.make_user("sage_other_t", ["ecrm_core.group_ecrm_manager"], company=other)
        self.export("customers")
        self.assertFalse(self.Backend.sudo(other_manager).search([("id", "=", self.backend.id)]))
        self.assertFalse(self.Binding.sudo(other_manager).search([("backend_id", "=", self.backend.id)]))
        with self.assertRaises(AccessError):
            self.Backend.sudo(other_manager).export_batch(self.backend.id, "customers", False)

    def test_a_manager_creates_batches_bindings_and_receipts_of_own_backends_only(self):
        # their company_id is the backend's, stored only after the INSERT: the company rules must
        # not refuse a manager (who is no administrator) the records of their own company's backend
        manager = self.make_user("sage_manager_c", ["ecrm_core.group_ecrm_manager"])
        batch = self.env["ecrm.sage.batch"].sudo(manager).create({"backend_id": self.backend.id, "kind": "customers"})
        binding = self.Binding.sudo(manager).create({
            "backend_id": self.backend.id, "res_model": "res.partner", "res_id": self.hudd.id,
            "partner_id": self.hudd.id, "sage_ref": "HUDD01"})
        receipt = self.env["ecrm.sage.receipt"].sudo(manager).create({
            "backend_id": self.backend.id, "partner_id": self.hudd.id, "date": "2026-11-20", "amount": 10.0,
            "transaction_key": "test-c-1", "sage_type": "SR"})
        self.assertEqual((batch.company_id, binding.company_id, receipt.company_id), (self.company,) * 3)
        other = self.env["res.company"].create({"name": "Calder Lifts (sage test)"})
        outsider = self.make_user("sage_outsider_c", ["ecrm_core.group_ecrm_manager"], company=other)
        with self.assertRaises(AccessError):
            self.env["ecrm.sage.batch"].sudo(outsider).create({"backend_id": self.backend.id, "kind": "customers"})
        with self.assertRaises(AccessError):
            self.env["ecrm.sage.receipt"].sudo(outsider).create({
                "backend_id": self.backend.id, "partner_id": self.wake.id, "date": "2026-11-20", "amount": 1.0,
                "transaction_key": "test-c-2", "sage_type": "SR"})
        self.assertFalse(self.env["ecrm.sage.batch"].sudo(outsider).search([("id", "=", batch.id)]))
