from .common import PortalCase, over_rpc


class TestPreview(PortalCase):

    def test_preview_explains_which_rules_fire(self):
        Rule = self.env["ecrm.personalisation.rule"]
        Rule.search([]).write({"active": False})
        nhs = Rule.create({"name": "NHS (test)", "partner_domain": "[('ecrm_sector_id.code', '=', 'nhs')]",
                           "placement": "home_banner", "content": "<p>nhs</p>", "priority": 50})
        anonymous = Rule.create({"name": "Anon (test)", "audience": "anonymous", "placement": "home_banner",
                                 "content": "<p>hi</p>"})
        website = self.env.ref("website.default_website")
        Preview = self.env["ecrm.personalisation.preview"]
        as_buyer = {row["rule_id"]: row for row in Preview.create(
            {"website_id": website.id, "partner_id": self.buyer.id}).preview()}
        self.assertTrue(as_buyer[nhs.id]["matched"] and as_buyer[nhs.id]["wins"])
        self.assertFalse(as_buyer[anonymous.id]["matched"])
        self.assertIn("Not met: the visitor is logged in", as_buyer[anonymous.id]["reasons"])
        as_nobody = {row["rule_id"]: row for row in Preview.create({"website_id": website.id}).preview()}
        self.assertFalse(as_nobody[nhs.id]["matched"])
        self.assertTrue(as_nobody[anonymous.id]["wins"])
        # a rule that does not match has no arm: false, which XML-RPC can send (None it cannot)
        self.assertIs(as_nobody[nhs.id]["variant"], False)
        wizard = Preview.create({"website_id": website.id})
        self.assertEqual(over_rpc(Preview, "preview", wizard.ids)[0]["rule_id"], nhs.id)
        wizard = Preview.create({"website_id": website.id, "partner_id": self.buyer.id})
        self.assertIn("NHS (test)", wizard.result_html)

    def test_portal_user_cannot_preview_someone_else(self):
        from odoo.exceptions import AccessError
        website = self.env.ref("website.default_website")
        wizard = self.env["ecrm.personalisation.preview"].sudo(self.buyer_user).create(
            {"website_id": website.id, "partner_id": self.other.id})
        with self.assertRaises(AccessError):
            wizard.preview()
