# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EcrmSageReconciliationWizard(models.TransientModel):
    """Reconcile Odoo's receivable with the Sage balances as at a chosen date."""

    _name = "ecrm.sage.reconciliation.wizard"
    _description = "Reconcile with Sage as at a date"

    backend_id = fields.Many2one("ecrm.sage.backend", required=True)
    date = fields.Date(string="As at", required=True, default=fields.Date.context_today,
                       help="Odoo's side counts the entries dated up to this day. Sage's side is the balance "
                            "Sage last reported: import a balances file exported as at the same day.")

    @api.multi
    def action_reconcile(self):
        self.ensure_one()
        backend = self.env["ecrm.sage.backend"]._checked(self.backend_id.id)
        backend._run_reconciliation(self.date)
        return self.backend_id.action_view_reconciliation()
