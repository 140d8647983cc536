# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResPartner(models.Model):
    """The ledger picture sales staff see: what Sage says about the customer."""

    _inherit = "res.partner"

    sage_binding_ids = fields.One2many("ecrm.sage.binding", "partner_id", string="Sage bindings",
                                       domain=[("res_model", "=", "res.partner")])
    sage_account_ref = fields.Char(string="Sage account", compute="_compute_sage_ledger")
    sage_balance = fields.Monetary(string="Ledger balance", compute="_compute_sage_ledger")
    sage_overdue = fields.Monetary(string="Overdue", compute="_compute_sage_ledger")
    sage_credit_limit = fields.Monetary(string="Sage credit limit", compute="_compute_sage_ledger")
    sage_on_hold = fields.Boolean(string="On hold in Sage", compute="_compute_sage_ledger")
    sage_credit_status = fields.Selection(
        [("none", "Not in Sage"), ("ok", "Within limit"), ("over_limit", "Over credit limit"),
         ("on_hold", "On hold")], compute="_compute_sage_ledger")
    sage_balance_date = fields.Date(string="Ledger balance of", compute="_compute_sage_ledger")

    @api.multi
    def _compute_sage_ledger(self):
        """From the bindings of the current company's backends, read in one query."""
        commercial = {partner.id: partner.commercial_partner_id.id for partner in self}
        self.env.cr.execute("""
            SELECT b.partner_id, b.sage_ref, b.sage_balance, b.sage_overdue, b.sage_credit_limit,
                   b.sage_on_hold, b.sage_balance_date
              FROM ecrm_sage_binding b JOIN ecrm_sage_backend backend ON backend.id = b.backend_id
             WHERE b.res_model = 'res.partner' AND b.partner_id IN %s AND backend.company_id = %s
               AND backend.active ORDER BY b.id""",
            (tuple(set(commercial.values())) or (0,), self.env.user.company_id.id))
        ledger = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for partner in self:
            ref, balance, overdue, limit, on_hold, date = ledger.get(
                commercial.get(partner.id), (False, 0.0, 0.0, 0.0, False, False))
            partner.sage_account_ref = ref
            partner.sage_balance = balance or 0.0
            partner.sage_overdue = overdue or 0.0
            partner.sage_credit_limit = limit or 0.0
            partner.sage_on_hold = bool(on_hold)
            partner.sage_balance_date = date
            if not ref:
                partner.sage_credit_status = "none"
            elif on_hold:
                partner.sage_credit_status = "on_hold"
            elif limit and (balance or 0.0) > limit:
                partner.sage_credit_status = "over_limit"
            else:
                partner.sage_credit_status = "ok"
