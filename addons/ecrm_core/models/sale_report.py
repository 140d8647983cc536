# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SaleReport(models.Model):
    """Sales analysis by customer sector, region and UK-style financial year."""

    _inherit = "sale.report"

    ecrm_sector_id = fields.Many2one("ecrm.sector", "Customer sector", readonly=True)
    ecrm_state_id = fields.Many2one("res.country.state", "Region", readonly=True)
    ecrm_financial_year = fields.Char("Financial year", readonly=True)

    # Mirrors customer360.fiscal.financial_year_label, per the order's company year start.
    _FINANCIAL_YEAR_SQL = """
        CASE WHEN ecrm_company.ecrm_fiscal_year_start_month = 1 AND ecrm_company.ecrm_fiscal_year_start_day = 1
             THEN extract(year FROM s.date_order)::int::text
             ELSE (extract(year FROM s.date_order)::int - CASE WHEN
                       extract(month FROM s.date_order) * 100 + extract(day FROM s.date_order)
                       < ecrm_company.ecrm_fiscal_year_start_month * 100 + ecrm_company.ecrm_fiscal_year_start_day
                       THEN 1 ELSE 0 END)::text
                  || '/' || lpad(((extract(year FROM s.date_order)::int + 1 - CASE WHEN
                       extract(month FROM s.date_order) * 100 + extract(day FROM s.date_order)
                       < ecrm_company.ecrm_fiscal_year_start_month * 100 + ecrm_company.ecrm_fiscal_year_start_day
                       THEN 1 ELSE 0 END) % 100)::text, 2, '0')
        END"""

    def _select(self):
        return super()._select() + """,
                    ecrm_customer.ecrm_sector_id as ecrm_sector_id,
                    partner.state_id as ecrm_state_id,
                    %s as ecrm_financial_year""" % self._FINANCIAL_YEAR_SQL

    def _from(self):
        return super()._from() + """
                    join res_partner ecrm_customer on ecrm_customer.id = partner.commercial_partner_id
                    join res_company ecrm_company on ecrm_company.id = s.company_id"""

    def _group_by(self):
        return super()._group_by() + """,
                    ecrm_customer.ecrm_sector_id,
                    partner.state_id,
                    ecrm_company.ecrm_fiscal_year_start_month,
                    ecrm_company.ecrm_fiscal_year_start_day"""
