# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class EcrmInteraction(models.Model):
    _inherit = "ecrm.interaction"

    @api.multi
    def _after_log(self):
        result = super()._after_log()
        if not self.env.context.get("ecrm_history"):  # a backfill's past events trigger nothing now
            self.env["ecrm.campaign.program"].sudo()._enroll_on_interactions(self)
        return result
