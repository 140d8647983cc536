# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EcrmCampaignCost(models.Model):
    """One thing a campaign was charged for: print run, ad spend, agency fee."""

    _name = "ecrm.campaign.cost"
    _description = "Campaign cost"
    _order = "date desc, id desc"
    _rec_name = "description"

    campaign_id = fields.Many2one("utm.campaign", required=True, index=True, ondelete="cascade")
    date = fields.Date(required=True, default=fields.Date.context_today)
    medium_id = fields.Many2one("utm.medium", string="Channel / medium", index=True)
    description = fields.Char(required=True)
    amount = fields.Monetary(required=True, currency_field="currency_id")
    invoice_id = fields.Many2one(
        "account.invoice", string="Vendor bill", domain=[("type", "in", ("in_invoice", "in_refund"))],
        ondelete="set null")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.user.company_id)
    currency_id = fields.Many2one("res.currency", related="company_id.currency_id", readonly=True)

    @api.onchange("invoice_id")
    def _onchange_invoice_id(self):
        if self.invoice_id:
            self.amount = self.invoice_id.amount_untaxed_signed
            self.description = self.description or self.invoice_id.reference or self.invoice_id.number
            self.date = self.invoice_id.date_invoice or self.date
