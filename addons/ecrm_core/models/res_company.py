# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from odoo.addons.queue_job.job import job

from ..customer360 import clock, fiscal

FISCAL_YEAR_FIELDS = ("fiscalyear_last_month", "fiscalyear_last_day")  # the host's (account), the one definition


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "ecrm.job.mixin"]  # the duplicate scan's progress is per company

    ecrm_ltv_horizon_years = fields.Float(
        "Lifetime value horizon (years)", default=3.0,
        help="Customer lifetime value = average order x orders per year x this horizon.")

    @api.constrains(*FISCAL_YEAR_FIELDS)
    def _check_ecrm_fiscal_year_end(self):
        for company in self:
            try:
                fiscal.check_year_end(company.fiscalyear_last_month, company.fiscalyear_last_day)
            except ValueError:
                raise ValidationError(_("%s: the financial year must end on a real day of the calendar "
                                        "(e.g. 31 March, 5 April, 31 December).") % company.name)

    @api.model
    def create(self, vals):
        company = super().create(vals)
        self.env["sale.report"].init()  # the new company's financial years
        return company

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if set(FISCAL_YEAR_FIELDS) & set(vals):
            self.env["sale.report"].init()  # the report's year boundaries come from fiscal.financial_years
        return result

    # ---- what the customer 360 is stated in (README "Customer 360: money and dates") ----

    @api.model
    def _ecrm_reporting_company(self):
        """The company whose currency and timezone every customer's 360 figures are stated in.

        The database's parent company (``base.main_company``): a customer buys from any of the
        companies, and their figures are ranked against everyone's, so all are in one currency.
        Read as superuser: which currency a figure is in is no secret of the company record.
        """
        company = self.env.ref("base.main_company", raise_if_not_found=False)
        return (company or self.sudo().search([("parent_id", "=", False)], limit=1, order="id")).sudo()

    @api.model
    def _ecrm_timezone(self):
        """The one timezone of the 360 dates and the report's financial years: the reporting company's, else UTC."""
        return clock.check_timezone(self._ecrm_reporting_company().partner_id.tz or "UTC")

    # ---- the duplicate scan, one job per company ----

    @api.multi
    def action_ecrm_scan_duplicates(self):
        """Queue a duplicate scan of this company's customers; its progress shows on the company."""
        self.ensure_one()
        if not self.env["ecrm.duplicate.group"]._is_manager():
            raise AccessError(_("Only an eCRM manager may scan customers for duplicates."))
        self._ecrm_job_enqueue("_ecrm_job_scan_duplicates",
                               description=_("Duplicate scan of %s") % self.name)
        return True

    @api.model
    def _ecrm_cron_scan_duplicates(self):
        """Nightly: queue each company's scan, skipping a company whose scan is still under way."""
        for company in self.search([]):
            if company.ecrm_job_state not in ("queued", "running"):
                company.action_ecrm_scan_duplicates()

    @job(default_channel="root.ecrm")
    @api.multi
    def _ecrm_job_scan_duplicates(self):
        with self._ecrm_job_tracking() as progress:
            found = self.env["ecrm.duplicate.group"].scan(
                [("customer", "=", True), ("company_id", "in", [self.id, False])])
            progress.update(found, found)
        return _("%d duplicate groups proposed") % found
