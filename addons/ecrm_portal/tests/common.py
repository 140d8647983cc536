from odoo.tests.common import TransactionCase


class PortalCase(TransactionCase):
    """Two companies' customers with portal logins, and an NHS sector."""

    def setUp(self):
        super().setUp()
        Partner = self.env["res.partner"]
        self.nhs = self.env.ref("ecrm_core.sector_nhs")
        self.trust = Partner.create({"name": "Wakefield NHS Trust (test)", "is_company": True,
                                     "ecrm_sector_id": self.nhs.id, "email": "buy@wake.example"})
        self.buyer = Partner.create({"name": "Asha Patel (test)", "parent_id": self.trust.id,
                                     "email": "asha@wake.example"})
        self.other = Partner.create({"name": "Halifax Care Ltd (test)", "is_company": True,
                                     "email": "office@halifax.example"})
        self.buyer_user = self.make_portal_user("asha.test", self.buyer)
        self.other_user = self.make_portal_user("halifax.test", self.other)

    def make_portal_user(self, login, partner):
        return self.env["res.users"].with_context(no_reset_password=True).create({
            "login": login, "partner_id": partner.id,
            "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])]})

    def make_staff_user(self, login, *groups):
        return self.env["res.users"].with_context(no_reset_password=True).create({
            "login": login, "name": login,
            "groups_id": [(6, 0, [self.env.ref(group).id for group in ("base.group_user",) + groups])]})
