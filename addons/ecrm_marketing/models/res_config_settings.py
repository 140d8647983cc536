# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ecrm_contact_cap = fields.Integer(related="company_id.ecrm_contact_cap", readonly=False)
    ecrm_contact_cap_days = fields.Integer(related="company_id.ecrm_contact_cap_days", readonly=False)
