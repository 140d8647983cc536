# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    ecrm_fiscal_year_start_month = fields.Integer(
        "Financial year starts (month)", default=4,
        help="UK companies often start on 1 April; reports label years '2013/14'.")
    ecrm_fiscal_year_start_day = fields.Integer("Financial year starts (day)", default=1)
    ecrm_ltv_horizon_years = fields.Float(
        "Lifetime value horizon (years)", default=3.0,
        help="Customer lifetime value = average order x orders per year x this horizon.")

    @api.constrains("ecrm_fiscal_year_start_month", "ecrm_fiscal_year_start_day")
    def _check_ecrm_fiscal_year_start(self):
        for company in self:
            month, day = company.ecrm_fiscal_year_start_month, company.ecrm_fiscal_year_start_day
            if not (1 <= month <= 12 and 1 <= day <= 28):
                raise ValidationError("The financial year must start on a day 1-28 of a month 1-12.")
