import xmlrpc.client

from odoo import api
from odoo.tests.common import TransactionCase


def over_rpc(model, method, *args, **kwargs):
    """What an integrator gets (ids first for a method on records): the call as odoo.service.model makes
    it, and its value XML-RPC marshalled (a TypeError there is the traceback the caller would get)."""
    value = api.call_kw(model, method, list(args), kwargs)
    xmlrpc.client.dumps((value,), methodresponse=True, allow_none=False)
    return value


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
