# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, _, fields, models
from odoo.exceptions import AccessError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # the accounting year end (account's res.company fields): Odoo community has no setting for it
    ecrm_fiscalyear_last_day = fields.Integer(related="company_id.fiscalyear_last_day", readonly=False)
    ecrm_fiscalyear_last_month = fields.Selection(related="company_id.fiscalyear_last_month", readonly=False)
    ecrm_ltv_horizon_years = fields.Float(related="company_id.ecrm_ltv_horizon_years", readonly=False)
    ecrm_log_host_email = fields.Boolean(related="company_id.ecrm_log_host_email", readonly=False)
    ecrm_log_host_sale = fields.Boolean(related="company_id.ecrm_log_host_sale", readonly=False)
    ecrm_log_host_invoice = fields.Boolean(related="company_id.ecrm_log_host_invoice", readonly=False)
    ecrm_log_host_lead = fields.Boolean(related="company_id.ecrm_log_host_lead", readonly=False)
    ecrm_log_host_activity = fields.Boolean(related="company_id.ecrm_log_host_activity", readonly=False)
    # the company's duplicate scan job, shown where it is started
    ecrm_scan_state = fields.Selection(related="company_id.ecrm_job_state", string="Duplicate scan")
    ecrm_scan_percent = fields.Float(related="company_id.ecrm_job_percent", string="Scan progress")
    ecrm_scan_message = fields.Text(related="company_id.ecrm_job_message", string="Scan message")

    def _ecrm_check_administrator(self):
        if not (self.env.uid == SUPERUSER_ID or self.env.user.has_group("base.group_system")):
            raise AccessError(_("Only an administrator may change settings or run their actions."))

    def action_ecrm_recompute_360(self):
        """The settings' "Recompute all customers now": administrators only, as settings are.

        Queues the run and opens it, where its progress shows."""
        self._ecrm_check_administrator()
        run_id = self.env["ecrm.recompute.run"].start()
        return {"type": "ir.actions.act_window", "res_model": "ecrm.recompute.run", "res_id": run_id,
                "view_mode": "form", "target": "current"}

    def action_ecrm_scan_duplicates(self):
        """The settings' "Scan for duplicates now": queues the company's scan job."""
        self._ecrm_check_administrator()
        self.company_id.action_ecrm_scan_duplicates()
        return True
