# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    ecrm_interaction_count = fields.Integer(
        string="Interactions", compute="_compute_ecrm_interaction_count",
        groups="ecrm_core.group_ecrm_user")

    def _ecrm_interaction_domain(self):
        """A company sees its own timeline and its contacts'; a contact only its own."""
        self.ensure_one()
        if self.commercial_partner_id == self:
            return [("commercial_partner_id", "=", self.id)]
        return [("partner_id", "=", self.id)]

    @api.multi
    def _compute_ecrm_interaction_count(self):
        Interaction = self.env["ecrm.interaction"]
        commercial = self.filtered(lambda partner: partner.commercial_partner_id == partner)
        by_company = {
            group["commercial_partner_id"][0]: group["commercial_partner_id_count"]
            for group in Interaction.read_group(
                [("commercial_partner_id", "in", commercial.ids)],
                ["commercial_partner_id"], ["commercial_partner_id"])
        }
        by_contact = {
            group["partner_id"][0]: group["partner_id_count"]
            for group in Interaction.read_group(
                [("partner_id", "in", (self - commercial).ids)], ["partner_id"], ["partner_id"])
        }
        for partner in self:
            counts = by_company if partner in commercial else by_contact
            partner.ecrm_interaction_count = counts.get(partner.id, 0)

    @api.multi
    def action_view_ecrm_interactions(self):
        self.ensure_one()
        action = self.env.ref("ecrm_core.ecrm_interaction_action").read()[0]
        action["domain"] = self._ecrm_interaction_domain()
        action["context"] = {"default_partner_id": self.id}
        return action
