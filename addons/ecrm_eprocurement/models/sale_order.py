# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    ecrm_exchange_id = fields.Many2one(
        "ecrm.exchange", "E-procurement exchange", readonly=True, copy=False, index=True,
        help="The inbound document this order was created from.")
    ecrm_urgent = fields.Boolean(
        "Urgent", readonly=True, copy=False, index=True,
        help="The buyer asked for delivery within the trading partner's urgent-order SLA.")

    @api.multi
    def action_confirm(self):
        result = super().action_confirm()
        # Orders confirmed at intake already answered "accepted"; the others
        # (reviewed first) now owe the buyer an order response saying so.
        for order in self.filtered(lambda o: o.ecrm_exchange_id.state == "processed"
                                   and o.ecrm_exchange_id.response_code == "AB"):
            order.ecrm_exchange_id._send_order_response(
                "confirmed", "AP", _("Order confirmed as %s.") % order.name)
        return result

    def _ecrm_report_delivery(self):
        """Tell e-procurement buyers when their order has been delivered in full."""
        for order in self.filtered(lambda o: o.ecrm_exchange_id.state == "processed" and o.state in ("sale", "done")):
            lines = order.order_line.filtered(lambda line: line.product_uom_qty > 0)
            if lines and all(line.qty_delivered >= line.product_uom_qty for line in lines):
                order.ecrm_exchange_id._send_order_response(
                    "delivered", "AP", _("Order %s delivered in full.") % order.name)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.multi
    def write(self, values):
        result = super().write(values)
        if "qty_delivered" in values:
            self.mapped("order_id").filtered("ecrm_exchange_id")._ecrm_report_delivery()
        return result
