from odoo.exceptions import AccessError, ValidationError

from .common import InteractionCase


class TestConsent(InteractionCase):

    def test_unknown_and_opted_out_both_mean_no(self):
        partners = self.contact | self.individual | self.company_partner
        self.contact.ecrm_set_consent("email", "opted_in", "form", "Ticked the newsletter box")
        self.individual.ecrm_set_consent("email", "opted_out", "portal")
        self.assertEqual(partners.ecrm_contactable("email"), self.contact)
        self.assertTrue(self.contact.ecrm_can_contact("email"))
        self.assertFalse(self.individual.ecrm_can_contact("email"))
        self.assertFalse(self.company_partner.ecrm_can_contact("email"))
        self.assertFalse(self.contact.ecrm_can_contact("sms"), "consent is per channel")
        self.assertEqual(self.env["res.partner"].ecrm_consent_summary(partners.ids, "email"),
                         {"opted_in": 1, "opted_out": 1, "unknown": 1})

    def test_every_change_is_kept_in_the_history_and_on_the_timeline(self):
        self.contact.ecrm_set_consent("email", "opted_in", "form", "Newsletter form")
        self.contact.ecrm_set_consent("email", "opted_out", "staff", "Asked by phone to stop")
        history = self.env["ecrm.consent.history"].search([("partner_id", "=", self.contact.id)], order="id")
        self.assertEqual([(h.previous_state, h.state, h.source) for h in history],
                         [(False, "opted_in", "form"), ("opted_in", "opted_out", "staff")])
        self.assertEqual(history[-1].proof, "Asked by phone to stop")
        self.assertEqual(self.contact.ecrm_consent_email, "opted_out")
        types = self.env["ecrm.interaction"].search([("partner_id", "=", self.contact.id)]).mapped("interaction_type")
        self.assertIn("consent_opted_out", types)

    def test_history_is_read_only_for_users(self):
        user = self.make_user("consent_user_t", ["ecrm_core.group_ecrm_user"])
        self.contact.ecrm_set_consent("phone", "opted_in", "staff")
        history = self.env["ecrm.consent.history"].sudo(user).search([("partner_id", "=", self.contact.id)])
        self.assertEqual(len(history), 1)
        with self.assertRaises(AccessError):
            history.write({"state": "opted_out"})
        with self.assertRaises(AccessError):
            history.unlink()

    def test_bad_arguments_are_refused(self):
        with self.assertRaises(ValidationError):
            self.contact.ecrm_set_consent("pigeon", "opted_in")
        with self.assertRaises(ValidationError):
            self.contact.ecrm_contactable("fax")


class TestConsentIsOptOut(InteractionCase):
    """E-mail consent and Odoo's opt_out of the customer are one fact, whichever side is written."""

    def email_history(self, partner):
        return self.env["ecrm.consent.history"].search([("partner_id", "=", partner.id), ("channel", "=", "email")],
                                                       order="id")

    def test_opt_out_ticked_on_the_customer_records_consent_opted_out_with_audit(self):
        self.individual.ecrm_set_consent("email", "opted_in", "form", "Newsletter form")
        employee = self.make_user("consent_optout_t", ["base.group_user", "base.group_partner_manager"])
        self.individual.sudo(employee).write({"opt_out": True})
        self.assertEqual(self.individual.ecrm_consent_email, "opted_out")
        last = self.email_history(self.individual)[-1]
        self.assertEqual((last.previous_state, last.state, last.source, last.user_id),
                         ("opted_in", "opted_out", "staff", employee))
        self.assertFalse(self.individual.ecrm_contactable("email"))
        self.assertFalse(self.individual.ecrm_can_contact("email"))

    def test_a_customer_imported_opted_out_has_consent_opted_out(self):
        partner = self.env["res.partner"].with_context(import_file=True).create(
            {"name": "Imported opt-out (test)", "email": "imported@example.com", "opt_out": True})
        self.assertEqual(partner.ecrm_consent_email, "opted_out")
        self.assertEqual(self.email_history(partner).mapped("source"), ["import"])

    def test_consent_opted_out_sets_opt_out_and_only_explicit_consent_clears_it(self):
        self.contact.ecrm_set_consent("email", "opted_out", "portal", "Unticked on /my/preferences")
        self.assertTrue(self.contact.opt_out)
        with self.assertRaises(ValidationError):
            self.contact.write({"opt_out": False})
        self.assertTrue(self.contact.opt_out)
        self.contact.ecrm_set_consent("email", "opted_in", "form", "Ticked the newsletter box again")
        self.assertFalse(self.contact.opt_out)
        self.assertEqual([(h.previous_state, h.state) for h in self.email_history(self.contact)],
                         [(False, "opted_out"), ("opted_out", "opted_in")], "one audit row per decision, no echo")
        self.assertTrue(self.contact.ecrm_can_contact("email"))

    def test_opt_out_written_around_the_orm_is_still_refused(self):
        self.contact.ecrm_set_consent("email", "opted_in", "form", "Newsletter form")
        self.env.cr.execute("UPDATE res_partner SET opt_out = true WHERE id = %s", (self.contact.id,))
        self.contact.invalidate_cache()
        self.assertFalse(self.contact.ecrm_contactable("email"))
        self.contact.write({"opt_out": True})  # the record is then put right, with its audit row
        self.assertEqual(self.contact.ecrm_consent_email, "opted_out")

    def test_the_audit_author_cannot_be_forged_over_the_context(self):
        user = self.make_user("consent_forger_t", ["ecrm_core.group_ecrm_user", "base.group_partner_manager"])
        self.individual.sudo(user).with_context(ecrm_consent_uid=self.env.ref("base.user_root").id,
                                                ecrm_consent_source="unsubscribe_link").write({"opt_out": True})
        last = self.email_history(self.individual)[-1]
        self.assertEqual((last.user_id, last.source), (user, "staff"))
