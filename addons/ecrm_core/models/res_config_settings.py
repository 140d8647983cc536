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

    def action_ecrm_recompute_360(self):
        """The settings' "Recompute all customers now": administrators only, as settings are."""
        if not (self.env.uid == SUPERUSER_ID or self.env.user.has_group("base.group_system")):
            raise AccessError(_("Only an administrator may change settings or run their actions."))
        self.env["res.partner"]._ecrm_recompute_all()
        return True
