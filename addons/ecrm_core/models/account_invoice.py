# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from ..timeline import host_events


class AccountInvoice(models.Model):
    _inherit = "account.invoice"

    @api.multi
    def write(self, vals):
        states_before = {invoice.id: invoice.state for invoice in self} if "state" in vals else {}
        result = super().write(vals)
        moved = self.filtered(lambda invoice: invoice.state != states_before.get(invoice.id, invoice.state))
        if moved:
            moved._ecrm_forget_undone_payments(states_before)
            self.env["ecrm.interaction"]._log_host_rows(moved._ecrm_timeline_rows())
        return result

    @api.multi
    def _ecrm_forget_undone_payments(self, states_before):
        """A payment undone (unreconciled, or an all-or-nothing import taking its work back) takes
        its "paid" entry with it: the timeline shows the payment that stands, and a later one
        is logged afresh under the same key."""
        keys = [host_events.document_key(invoice._name, invoice.id, "paid") for invoice in self
                if states_before.get(invoice.id) == "paid" and invoice.state != "paid"]
        if keys:
            self.env["ecrm.interaction"].sudo().search([("source_key", "in", keys)]).unlink()

    @api.multi
    def _ecrm_timeline_rows(self):
        """(family, row) of the events each customer invoice's state implies: posted, paid."""
        Interaction = self.env["ecrm.interaction"]
        rows = []
        for invoice in self.sudo():
            for event in host_events.invoice_events(invoice.type, invoice.state):
                date = invoice.write_date if event.name == invoice.state else invoice.date_invoice
                rows.append(Interaction._host_row(
                    event.kind, invoice.partner_id, invoice,
                    host_events.document_key(invoice._name, invoice.id, event.name),
                    invoice.number or invoice.name, date=date))
        return rows
