# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.multi
    def _sage_blocked_partners(self):
        """Customers Sage has on hold, for orders whose company's backend blocks them."""
        blocking = self.env["ecrm.sage.backend"].sudo().search([
            ("block_sales_on_hold", "=", True), ("company_id", "in", self.mapped("company_id").ids)])
        if not blocking:
            return self.env["res.partner"]
        bindings = self.env["ecrm.sage.binding"].sudo().search([
            ("backend_id", "in", blocking.ids), ("res_model", "=", "res.partner"), ("sage_on_hold", "=", True),
            ("partner_id", "in", self.mapped("partner_id.commercial_partner_id").ids)])
        return bindings.mapped("partner_id")

    @api.multi
    def action_confirm(self):
        blocked = self._sage_blocked_partners()
        if blocked:
            raise UserError(_("Sage has these customers on hold; their orders cannot be confirmed: %s")
                            % ", ".join(blocked.mapped("name")))
        return super().action_confirm()

    @api.onchange("partner_id")
    def _onchange_partner_id_sage_hold(self):
        if self.partner_id and self._sage_blocked_partners():
            return {"warning": {"title": _("Customer on hold"), "message": _(
                "Sage has %s on hold: this order cannot be confirmed until accounts release it.")
                % self.partner_id.commercial_partner_id.name}}
