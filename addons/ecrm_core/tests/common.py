from odoo.tests.common import TransactionCase


def new_user(env, login, groups, company=None):
    """An internal user of ``company`` (default: the current one) with exactly ``groups`` (xml ids)."""
    company = company or env.user.company_id
    return env["res.users"].with_context(no_reset_password=True).create({
        "name": login, "login": login, "email": "%s@example.com" % login,
        "company_id": company.id, "company_ids": [(6, 0, company.ids)],
        "groups_id": [(6, 0, [env.ref(xmlid).id for xmlid in groups])],
    })


class InteractionCase(TransactionCase):
    """Customers and users shared by the interaction tests."""

    def setUp(self):
        super().setUp()
        self.Interaction = self.env["ecrm.interaction"]
        Partner = self.env["res.partner"]
        self.company_partner = Partner.create({"name": "Kirklees Council (test)", "is_company": True})
        self.contact = Partner.create({"name": "Janet Holroyd (test)", "parent_id": self.company_partner.id})
        self.individual = Partner.create({"name": "Doris Lumb (test)"})
        self.campaign = self.env["utm.campaign"].create({"name": "Spring stairlift offer (test)"})

    def make_user(self, login, groups, company=None):
        return new_user(self.env, login, groups, company)

    def row(self, **overrides):
        row = {"partner_id": self.contact.id, "channel": "phone", "interaction_type": "call_me"}
        row.update(overrides)
        return row


class OrderCase(InteractionCase):
    """InteractionCase with one product and confirmed (or draft) sale orders of a given amount."""

    def setUp(self):
        super().setUp()
        self.product = self.env["product.product"].create({"name": "Riser recliner (test)", "list_price": 100.0})

    def order(self, partner, amount, confirm=True):
        order = self.env["sale.order"].create({
            "partner_id": partner.id,
            "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1, "price_unit": amount})],
        })
        if confirm:
            order.action_confirm()
        return order
