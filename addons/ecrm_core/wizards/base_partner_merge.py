# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

CONSENT_FIELDS = ("ecrm_consent_email", "ecrm_consent_phone", "ecrm_consent_post", "ecrm_consent_sms")


class MergePartnerAutomatic(models.TransientModel):
    """Whichever way customers are merged (a duplicate group's one click, the host's wizard), the
    duplicate groups and the kept customer's eCRM figures follow."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None):
        partners = self.env["res.partner"].browse(partner_ids).exists()
        groups = self.env["ecrm.duplicate.group"].sudo().search(
            [("state", "=", "open"), ("partner_ids", "in", partners.ids)])
        super()._merge(partner_ids, dst_partner)
        survivor = partners.exists()
        if len(partners) < 2 or len(survivor) != 1:  # the host merged nothing
            return
        self._ecrm_refresh_survivor(survivor)
        groups._after_host_merge(survivor)

    def _ecrm_refresh_survivor(self, survivor):
        # the merged customers' consents and interactions arrived by SQL: refresh the stored figures
        survivor.invalidate_cache()
        for name in CONSENT_FIELDS:
            self.env.add_todo(survivor._fields[name], survivor)
        survivor.recompute()
        self.env["res.partner"]._ecrm_recompute_360(survivor.ids)
