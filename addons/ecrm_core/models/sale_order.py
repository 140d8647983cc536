# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from ..timeline import host_events


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.multi
    def write(self, vals):
        states_before = {order.id: order.state for order in self} if "state" in vals else {}
        result = super().write(vals)
        if "state" in vals or "amount_untaxed" in vals or "partner_id" in vals:
            # confirm / cancel / re-price: refresh only the customers concerned
            # the host let the caller write these orders; their customers' figures follow
            self.env["res.partner"]._ecrm_recompute_360(self.mapped("partner_id").ids)
        moved = self.filtered(lambda order: order.state != states_before.get(order.id, order.state))
        if moved:
            # sent by the composer's "Send by e-mail": its e-mail is the entry (mail_message.py)
            skip = ("sent",) if self.env.context.get("mark_so_as_sent") else ()
            self.env["ecrm.interaction"]._log_host_rows(moved._ecrm_timeline_rows(skip))
        return result

    @api.multi
    def _ecrm_timeline_rows(self, skip=()):
        """(family, row) of the events each order's state implies: sent, placed, confirmed, cancelled."""
        Interaction = self.env["ecrm.interaction"]
        rounds = self._ecrm_cancellations()
        rows = []
        for order in self.sudo():
            from_shop = order.team_id.team_type == "website"
            for event in host_events.sale_events(order.state, from_shop):
                if event.name in skip:
                    continue
                date = {"sale": order.confirmation_date, "placed": order.date_order}.get(event.name, order.write_date)
                rows.append(Interaction._host_row(
                    event.kind, order.partner_id, order,
                    host_events.document_key(order._name, order.id, event.name, rounds.get(order.id, 0)),
                    order.name, date=date))
        return rows

    @api.multi
    def _ecrm_cancellations(self):
        """{order id: cancellations on the timeline}: the round each order is in (one grouped query)."""
        if not self.ids:
            return {}
        self.env.cr.execute(
            "SELECT res_id, count(*) FROM ecrm_interaction WHERE res_model = 'sale.order' AND res_id IN %s "
            "AND interaction_type = %s GROUP BY res_id", (tuple(self.ids), host_events.ORDER_CANCELLED.code))
        return dict(self.env.cr.fetchall())
