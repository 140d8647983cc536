# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

ABANDONED_CARTS = """
    SELECT so.id, so.partner_id, so.write_date
      FROM sale_order so
      JOIN res_partner p ON p.id = so.partner_id
     WHERE so.state = 'draft' AND so.team_id IN %(website_teams)s
       AND so.write_date < %(idle_before)s
       AND so.partner_id NOT IN %(public_partners)s
       AND COALESCE(p.email, '') <> ''
       AND EXISTS (SELECT 1 FROM sale_order_line l WHERE l.order_id = so.id)
       AND NOT EXISTS (SELECT 1 FROM sale_order newer JOIN res_partner np ON np.id = newer.partner_id
                        WHERE np.commercial_partner_id = p.commercial_partner_id
                          AND newer.state IN ('sale', 'done') AND newer.date_order >= so.date_order)
       AND NOT EXISTS (SELECT 1 FROM ecrm_interaction i
                        WHERE i.res_model = 'sale.order' AND i.res_id = so.id
                          AND i.interaction_type = 'cart_abandoned')
  ORDER BY so.id
"""


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    def ecrm_cron_abandoned_carts(self, idle_hours=None):
        """Log one cart_abandoned interaction per idle website cart; running again logs nothing new.

        It reads every website cart with plain SQL: the cron (as the superuser) or an eCRM Manager.
        """
        if not (self.env.user._is_superuser() or self.env.user.has_group("ecrm_core.group_ecrm_manager")):
            raise AccessError(_("Only an eCRM manager may log abandoned carts."))
        if idle_hours is None:
            idle_hours = int(self.env["ir.config_parameter"].sudo().get_param(
                "ecrm_portal.cart_idle_hours", 24))
        websites = self.env["website"].sudo().search([])
        teams = websites.mapped("salesteam_id").ids
        public_partners = websites.mapped("user_id.partner_id").ids
        if not teams:
            return []
        idle_before = fields.Datetime.to_string(
            fields.Datetime.from_string(fields.Datetime.now()) - datetime.timedelta(hours=idle_hours))
        self.env.cr.execute(ABANDONED_CARTS, {"website_teams": tuple(teams), "idle_before": idle_before,
                                              "public_partners": tuple(public_partners or [0])})
        rows = self.env.cr.fetchall()
        orders = {order.id: order for order in self.sudo().browse([row[0] for row in rows])}
        return self.env["ecrm.interaction"].sudo().log_many([{
            "partner_id": partner_id, "channel": "web_form", "interaction_type": "cart_abandoned",
            "direction": "inbound", "res_model": "sale.order", "res_id": order_id,
            "subject": "Cart %s left with %s" % (orders[order_id].name, orders[order_id].amount_total),
            "company_id": orders[order_id].company_id.id,
        } for order_id, partner_id, _write_date in rows]) if rows else []
