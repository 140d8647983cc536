# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EcrmDuplicateGroupDrop(models.TransientModel):
    """Take one customer out of a duplicate group: it is not a duplicate of the others.
    Opened from the group's form, which gives ``default_group_id``."""

    _name = "ecrm.duplicate.group.drop"
    _description = "Drop a customer from a duplicate group"

    group_id = fields.Many2one("ecrm.duplicate.group", "Duplicate group", required=True, ondelete="cascade")
    group_partner_ids = fields.Many2many(related="group_id.partner_ids", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", required=True, ondelete="cascade")
    reason = fields.Char("Why", help="Noted in the group's history.")

    @api.multi
    def action_drop(self):
        self.ensure_one()
        self.group_id._drop(self.partner_id, self.reason)
        return {"type": "ir.actions.act_window_close"}
