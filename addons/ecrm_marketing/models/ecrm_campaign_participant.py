# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .ecrm_campaign_program_step import _with_program_company

PARTICIPANT_STATES = [("active", "Active"), ("stopped", "Stopped")]


class EcrmCampaignParticipant(models.Model):
    """A customer going through a program. Kept when the program changes mode."""

    _name = "ecrm.campaign.participant"
    _description = "Campaign program participant"
    _order = "program_id, id"
    _rec_name = "partner_id"

    program_id = fields.Many2one("ecrm.campaign.program", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade")
    state = fields.Selection(PARTICIPANT_STATES, required=True, default="active", index=True)
    enrolled_date = fields.Datetime(required=True, default=fields.Datetime.now)
    last_step_id = fields.Many2one("ecrm.campaign.program.step", "Step reached", readonly=True)
    last_step_date = fields.Datetime(readonly=True)
    company_id = fields.Many2one(related="program_id.company_id", store=True, readonly=True)

    _sql_constraints = [
        ("program_partner_unique", "unique(program_id, partner_id)", "A customer joins a program once."),
    ]

    @api.model
    def create(self, vals):
        self.check_access_rights("create")
        if vals.get("partner_id"):  # as ``enroll``: only customers the caller may read
            self.env["res.partner"].browse(vals["partner_id"]).check_access_rule("read")
        return super().create(_with_program_company(self.env, vals))
