from odoo.addons.ecrm_core.tests.common import new_user
from odoo.tests.common import TransactionCase


class MarketingCase(TransactionCase):
    """A campaign, customers and a product shared by the marketing tests."""

    def setUp(self):
        super().setUp()
        self.Campaign = self.env["utm.campaign"]
        Partner = self.env["res.partner"]
        self.campaign = self.Campaign.create({"name": "Spring stairlift offer (test)"})
        self.other_campaign = self.Campaign.create({"name": "Autumn bath lift offer (test)"})
        self.customer_a = Partner.create({"name": "Willow Bank Care (test)", "is_company": True, "customer": True,
                                          "email": "office@willowbank.example"})
        self.customer_b = Partner.create({"name": "Kirklees Council (test)", "is_company": True, "customer": True,
                                          "email": "procurement@kirklees.example"})
        self.product = self.env["product.product"].create({"name": "Stairlift service (test)", "type": "service",
                                                           "list_price": 100.0, "taxes_id": [(6, 0, [])]})

    def make_user(self, login, groups, company=None):
        return new_user(self.env, login, groups, company)

    def make_order(self, partner, amount, campaign=None, confirm=False):
        order = self.env["sale.order"].create({
            "partner_id": partner.id,
            "campaign_id": (campaign or self.campaign).id,
            "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1, "price_unit": amount,
                                   "tax_id": [(6, 0, [])]})],
        })
        if confirm:
            order.action_confirm()
        return order
