import datetime

from odoo import fields
from odoo.exceptions import AccessError

from .common import PortalCase


class TestAbandonedCarts(PortalCase):

    def setUp(self):
        super().setUp()
        self.website = self.env.ref("website.default_website")
        self.team = self.website.salesteam_id or self.env["crm.team"].create({"name": "Web (test)"})
        self.website.salesteam_id = self.team
        self.product = self.env.ref("product.product_product_8")

    def cart(self, partner, hours_idle, lines=True):
        order = self.env["sale.order"].create({
            "partner_id": partner.id, "team_id": self.team.id,
            "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1})] if lines else []})
        stamp = fields.Datetime.to_string(datetime.datetime.utcnow() - datetime.timedelta(hours=hours_idle))
        self.env.cr.execute("UPDATE sale_order SET write_date = %s, date_order = %s WHERE id = %s",
                            (stamp, stamp, order.id))
        order.invalidate_cache()
        return order

    def logged(self, order):
        return self.env["ecrm.interaction"].search([
            ("res_model", "=", "sale.order"), ("res_id", "=", order.id), ("interaction_type", "=", "cart_abandoned")])

    def test_one_interaction_per_idle_cart_and_idempotent(self):
        idle = self.cart(self.buyer, 30)
        fresh = self.cart(self.other, 1)
        empty = self.cart(self.other, 30, lines=False)
        SaleOrder = self.env["sale.order"]
        SaleOrder.ecrm_cron_abandoned_carts(idle_hours=24)
        SaleOrder.ecrm_cron_abandoned_carts(idle_hours=24)
        self.assertEqual(len(self.logged(idle)), 1)
        self.assertEqual(self.logged(idle).partner_id, self.buyer)
        self.assertFalse(self.logged(fresh) | self.logged(empty))

    def test_newer_confirmed_order_means_not_abandoned(self):
        idle = self.cart(self.buyer, 30)
        confirmed = self.env["sale.order"].create({
            "partner_id": self.trust.id, "order_line": [(0, 0, {"product_id": self.product.id})]})
        confirmed.action_confirm()
        self.env["sale.order"].ecrm_cron_abandoned_carts(idle_hours=24)
        self.assertFalse(self.logged(idle))

    def test_only_the_cron_and_ecrm_managers_log_abandoned_carts(self):
        idle = self.cart(self.buyer, 30)
        user = self.make_staff_user("ecrm.user.carts", "ecrm_core.group_ecrm_user")
        for caller in (self.buyer_user, self.make_staff_user("employee.carts"), user):
            with self.assertRaises(AccessError):
                self.env["sale.order"].sudo(caller).ecrm_cron_abandoned_carts(idle_hours=24)
        self.assertFalse(self.logged(idle))
        manager = self.make_staff_user("ecrm.manager.carts", "ecrm_core.group_ecrm_manager")
        self.env["sale.order"].sudo(manager).ecrm_cron_abandoned_carts(idle_hours=24)
        self.assertEqual(len(self.logged(idle)), 1)
