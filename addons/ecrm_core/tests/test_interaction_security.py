from odoo.exceptions import AccessError

from .common import InteractionCase


class TestInteractionSecurity(InteractionCase):

    def setUp(self):
        super().setUp()
        self.interaction_id = self.Interaction.log(self.row())
        self.ecrm_user = self.make_user("ecrm_user_t", ["ecrm_core.group_ecrm_user"])
        self.ecrm_manager = self.make_user("ecrm_manager_t", ["ecrm_core.group_ecrm_manager"])

    def test_portal_public_and_plain_employees_cannot_read_interactions(self):
        portal = self.make_user("portal_t", ["base.group_portal"])
        employee = self.make_user("employee_t", ["base.group_user"])
        public = self.env.ref("base.public_user")
        for user in (portal, public, employee):
            as_user = self.Interaction.sudo(user)
            with self.assertRaises(AccessError, msg=user.login):
                as_user.search([])
            with self.assertRaises(AccessError, msg=user.login):
                as_user.browse(self.interaction_id).read(["subject"])
            with self.assertRaises(AccessError, msg=user.login):
                as_user.log(self.row())

    def test_user_logs_but_only_manager_corrects_and_deletes(self):
        as_user = self.Interaction.sudo(self.ecrm_user)
        new_id = as_user.log(self.row(subject="logged by a user"))
        record = as_user.browse(new_id)
        self.assertEqual(record.user_id, self.ecrm_user)
        with self.assertRaises(AccessError):
            record.write({"subject": "rewritten"})
        with self.assertRaises(AccessError):
            record.unlink()
        self.Interaction.sudo(self.ecrm_manager).browse(new_id).write({"subject": "corrected"})
        self.assertEqual(self.Interaction.browse(new_id).subject, "corrected")
        self.Interaction.sudo(self.ecrm_manager).browse(new_id).unlink()
        self.assertFalse(self.Interaction.browse(new_id).exists())

    def test_users_see_only_their_companies_interactions(self):
        other_company = self.env["res.company"].create({"name": "Pennine Lifts Group (test)"})
        other_user = self.make_user("other_co_t", ["ecrm_core.group_ecrm_user"], company=other_company)
        theirs = self.Interaction.log(self.row(company_id=other_company.id, subject="other company"))

        visible_to_ours = self.Interaction.sudo(self.ecrm_user).search([]).ids
        self.assertIn(self.interaction_id, visible_to_ours)
        self.assertNotIn(theirs, visible_to_ours)
        with self.assertRaises(AccessError):
            self.Interaction.sudo(self.ecrm_user).browse(theirs).read(["subject"])

        visible_to_theirs = self.Interaction.sudo(other_user).search([]).ids
        self.assertEqual(visible_to_theirs, [theirs])

    def test_batch_into_a_foreign_company_is_refused_whole(self):
        other_company = self.env["res.company"].create({"name": "Foreign Ltd (test)"})
        before = self.Interaction.search_count([])
        with self.assertRaises(AccessError):
            self.Interaction.sudo(self.ecrm_user).log_many([
                self.row(), self.row(company_id=other_company.id)])
        self.assertEqual(self.Interaction.search_count([]), before)
