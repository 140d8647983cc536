# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

STEP_RESULTS = [("done", "Done"), ("skipped_consent", "Skipped: no consent"),
                ("skipped_cap", "Skipped: frequency cap"), ("skipped_no_email", "Skipped: no e-mail address")]


class EcrmCampaignStepLog(models.Model):
    """What a step did for one customer. One row per step, customer and occurrence, so nothing runs twice.

    Steps happen once per customer (occurrence 0), except anniversaries, which
    happen once a year (occurrence: the year).
    """

    _name = "ecrm.campaign.step.log"
    _description = "Campaign step result"
    _order = "date desc, id desc"
    _rec_name = "step_id"

    step_id = fields.Many2one("ecrm.campaign.program.step", required=True, index=True, ondelete="cascade")
    program_id = fields.Many2one("ecrm.campaign.program", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade")
    date = fields.Datetime(required=True, index=True)
    result = fields.Selection(STEP_RESULTS, required=True, index=True)
    is_contact = fields.Boolean("Marketing contact", index=True,
                                help="Counts towards the frequency cap.")
    reason = fields.Char()
    occurrence = fields.Integer(required=True, default=0, help="The year of an anniversary; 0 for other steps.")
    company_id = fields.Many2one(related="program_id.company_id", store=True, readonly=True)

    _sql_constraints = [
        ("step_partner_unique", "unique(step_id, partner_id, occurrence)",
         "A customer takes each step at most once (anniversaries: once a year)."),
    ]
