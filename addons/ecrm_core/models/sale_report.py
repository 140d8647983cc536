# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..customer360 import fiscal
from ..customer360.clock import local_date_sql

# the years the report labels; orders outside them have no financial year
REPORT_YEARS = (1970, 2100)


class SaleReport(models.Model):
    """Sales analysis by customer sector, region and UK-style financial year."""

    _inherit = "sale.report"

    ecrm_sector_id = fields.Many2one("ecrm.sector", "Customer sector", readonly=True)
    ecrm_state_id = fields.Many2one("res.country.state", "Region", readonly=True)
    ecrm_financial_year = fields.Char("Financial year", readonly=True)

    def _ecrm_financial_years_sql(self):
        """SQL VALUES: (company, first day, last day, label) of every company's financial years.

        Taken from customer360.fiscal.financial_years and the company's accounting year end,
        so report and Python agree by construction. res.company rebuilds the view when a year
        end changes or a company is added. Every value is a number or a date written here.
        """
        rows = ["(NULL::int, NULL::date, NULL::date, NULL::varchar)"]
        for company in self.env["res.company"].sudo().search([]):
            rows += ["(%d, DATE '%s', DATE '%s', '%s')" % (company.id, first, last, label)
                     for first, last, label in fiscal.financial_years(
                         REPORT_YEARS[0], REPORT_YEARS[1], company.fiscalyear_last_month,
                         company.fiscalyear_last_day)]
        return "(VALUES %s)" % ", ".join(rows)

    def _ecrm_local_order_date_sql(self):
        """The order's date in the 360 timezone (the reporting company's, read when the row is)."""
        company = self.env["res.company"]._ecrm_reporting_company()
        timezone = ("COALESCE((SELECT tz_partner.tz FROM res_company tz_company JOIN res_partner tz_partner"
                    " ON tz_partner.id = tz_company.partner_id WHERE tz_company.id = %d), 'UTC')" % company.id)
        return local_date_sql("s.date_order", timezone)

    def _select(self):
        return super()._select() + """,
                    ecrm_customer.ecrm_sector_id as ecrm_sector_id,
                    partner.state_id as ecrm_state_id,
                    ecrm_fy.label as ecrm_financial_year"""

    def _from(self):
        return super()._from() + """
                    join res_partner ecrm_customer on ecrm_customer.id = partner.commercial_partner_id
                    left join %s AS ecrm_fy(company_id, date_from, date_to, label)
                           on ecrm_fy.company_id = s.company_id
                          and %s between ecrm_fy.date_from and ecrm_fy.date_to""" % (
            self._ecrm_financial_years_sql(), self._ecrm_local_order_date_sql())

    def _group_by(self):
        return super()._group_by() + """,
                    ecrm_customer.ecrm_sector_id,
                    partner.state_id,
                    ecrm_fy.label"""
