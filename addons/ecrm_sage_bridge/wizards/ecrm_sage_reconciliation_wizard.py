# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EcrmSageReconciliationWizard(models.TransientModel):
    """Reconcile Odoo's receivable with the Sage balances as at a chosen date."""

    _name = "ecrm.sage.reconciliation.wizard"
    _description = "Reconcile with Sage as at a date"

    backend_id = fields.Many2one("ecrm.sage.backend", required=True)
    date = fields.Date(string="As at", required=True, default=fields.Date.context_today,
                       help="Odoo's side counts the entries dated up to this day. Sage's side is, per "
                            "customer, the latest balance imported as at this day or earlier (see Balance "
                            "history); a customer with none shows 'No Sage balance at that date'.")
    snapshot_date = fields.Date(string="Latest Sage balances of", compute="_compute_snapshot_figures",
                                help="The latest day on or before 'As at' for which balances were imported.")
    missing_count = fields.Integer(string="Customers without a Sage balance then",
                                   compute="_compute_snapshot_figures")

    @api.depends("backend_id", "date")
    def _compute_snapshot_figures(self):
        for wizard in self:
            wizard.snapshot_date, wizard.missing_count = False, 0
            if not (wizard.date and wizard.backend_id
                    and self.env["ecrm.sage.backend"].search([("id", "=", wizard.backend_id.id)])):
                continue  # nothing to show, nor of a backend the user may not read
            self.env.cr.execute("""
                SELECT (SELECT MAX(date) FROM ecrm_sage_balance_snapshot
                         WHERE backend_id = %(backend)s AND date <= %(date)s),
                       (SELECT COUNT(*) FROM ecrm_sage_binding binding
                         WHERE binding.backend_id = %(backend)s AND binding.res_model = 'res.partner'
                           AND binding.partner_id IS NOT NULL
                           AND NOT EXISTS (SELECT 1 FROM ecrm_sage_balance_snapshot snapshot
                                            WHERE snapshot.backend_id = binding.backend_id
                                              AND snapshot.partner_id = binding.partner_id
                                              AND snapshot.date <= %(date)s))""",
                                {"backend": wizard.backend_id.id, "date": wizard.date})
            wizard.snapshot_date, wizard.missing_count = self.env.cr.fetchone()

    @api.multi
    def action_reconcile(self):
        self.ensure_one()
        backend = self.env["ecrm.sage.backend"]._checked(self.backend_id.id)
        backend._run_reconciliation(self.date)
        return self.backend_id.action_view_reconciliation()
