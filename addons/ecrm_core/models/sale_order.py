# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if "state" in vals or "amount_untaxed" in vals or "partner_id" in vals:
            # confirm / cancel / re-price: refresh only the customers concerned
            # the host let the caller write these orders; their customers' figures follow
            self.env["res.partner"]._ecrm_recompute_360(self.mapped("partner_id").ids)
        return result
