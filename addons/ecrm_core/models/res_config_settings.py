# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ecrm_fiscal_year_start_month = fields.Integer(
        related="company_id.ecrm_fiscal_year_start_month", readonly=False)
    ecrm_fiscal_year_start_day = fields.Integer(
        related="company_id.ecrm_fiscal_year_start_day", readonly=False)
    ecrm_ltv_horizon_years = fields.Float(related="company_id.ecrm_ltv_horizon_years", readonly=False)

    def action_ecrm_recompute_360(self):
        self.env["res.partner"].ecrm_cron_recompute()
        return True
