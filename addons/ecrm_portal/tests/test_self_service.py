from odoo.exceptions import AccessError, UserError, ValidationError

from .common import PortalCase, over_rpc


class TestSelfService(PortalCase):

    def test_preferences_write_audited_consent_with_source_portal(self):
        headsets = self.env.ref("website_sale.Headset")
        self.env["res.partner"].sudo(self.buyer_user).ecrm_portal_save_preferences(
            consents={"email": "opted_in", "phone": "opted_out"}, stated_channel="email",
            interest_category_ids=[str(headsets.id)])
        self.buyer.invalidate_cache()
        self.assertEqual((self.buyer.ecrm_consent_email, self.buyer.ecrm_consent_phone), ("opted_in", "opted_out"))
        history = self.env["ecrm.consent.history"].search([("partner_id", "=", self.buyer.id)])
        self.assertEqual(set(history.mapped("source")), {"portal"})
        self.assertEqual(self.buyer.ecrm_interest_category_ids, headsets)
        self.assertEqual(self.buyer.ecrm_stated_channel, "email")
        self.assertFalse(self.other.ecrm_interest_category_ids)

    def test_bad_consent_values_are_refused(self):
        with self.assertRaises(ValidationError):
            self.env["res.partner"].sudo(self.buyer_user).ecrm_portal_save_preferences(consents={"email": "maybe"})

    def test_timeline_shows_own_public_types_only(self):
        Interaction = self.env["ecrm.interaction"]
        mine = Interaction.log({"partner_id": self.buyer.id, "channel": "phone", "interaction_type": "call_me"})
        colleague = Interaction.log({"partner_id": self.trust.id, "channel": "email",
                                     "interaction_type": "order_received"})
        private = Interaction.log({"partner_id": self.buyer.id, "channel": "phone",
                                   "interaction_type": "note"})
        theirs = Interaction.log({"partner_id": self.other.id, "channel": "phone", "interaction_type": "call_me"})
        seen = self.env["res.partner"].sudo(self.buyer_user).ecrm_portal_timeline().ids
        self.assertIn(mine, seen)
        self.assertIn(colleague, seen)
        self.assertNotIn(private, seen)
        self.assertNotIn(theirs, seen)
        self.assertEqual(self.env["res.partner"].sudo(self.other_user).ecrm_portal_timeline().ids, [theirs])
        # over RPC: the ids, not a recordset neither protocol can send
        self.assertEqual(over_rpc(self.env["res.partner"].sudo(self.buyer_user), "ecrm_portal_timeline"), seen)
        self.assertEqual(over_rpc(self.env["res.partner"].sudo(self.other_user), "ecrm_portal_timeline"), [theirs])

    def test_portal_users_cannot_read_tracking_or_rules(self):
        visitor = self.env["ecrm.visitor"].create({"partner_id": self.other.id})
        self.env["ecrm.page.view"]._record({"visitor_id": visitor.id, "partner_id": self.other.id, "path": "/"})
        for model in ("ecrm.visitor", "ecrm.page.view", "ecrm.personalisation.rule", "ecrm.interaction"):
            with self.assertRaises(AccessError):
                self.env[model].sudo(self.buyer_user).search([])
        with self.assertRaises(AccessError):
            self.env["ecrm.visitor"].sudo(self.buyer_user).browse(visitor.id).read(["partner_id"])

    def test_call_me_logs_interaction_activity_and_is_rate_limited(self):
        salesperson = self.env.ref("base.user_demo")
        self.trust.user_id = salesperson
        interaction_id = self.env["res.partner"].sudo(self.buyer_user).ecrm_portal_call_me(
            "Bariatric chairs", "Tuesday morning")
        interaction = self.env["ecrm.interaction"].browse(interaction_id)
        self.assertEqual((interaction.partner_id, interaction.interaction_type, interaction.channel),
                         (self.buyer, "call_me", "portal"))
        activity = self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", self.buyer.id)])
        self.assertEqual(activity.user_id, salesperson)
        with self.assertRaises(UserError):
            self.env["res.partner"].sudo(self.buyer_user).ecrm_portal_call_me("Again", "")
        # another customer is not throttled by the first one's request
        self.env["res.partner"].sudo(self.other_user).ecrm_portal_call_me("Hoists", "")

    def test_staff_choose_the_public_types_on_the_types(self):
        call_me = self.env.ref("ecrm_core.interaction_type_call_me")
        mine = self.env["ecrm.interaction"].log({"partner_id": self.buyer.id, "interaction_type": "call_me"})
        self.assertIn("call_me", self.env["res.partner"].ecrm_portal_public_types())
        self.assertIn(mine, self.env["res.partner"].sudo(self.buyer_user).ecrm_portal_timeline().ids)
        call_me.portal_public = False
        self.assertNotIn("call_me", self.env["res.partner"].ecrm_portal_public_types())
        self.assertNotIn(mine, self.env["res.partner"].sudo(self.buyer_user).ecrm_portal_timeline().ids)
