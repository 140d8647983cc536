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
