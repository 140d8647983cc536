# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    ecrm_contact_cap = fields.Integer(
        "Marketing contacts allowed", default=3,
        help="At most this many marketing contacts per customer within the window, across all programs "
             "(0: no cap).")
    ecrm_contact_cap_days = fields.Integer("Frequency cap window (days)", default=7)

    _sql_constraints = [
        ("ecrm_contact_cap_positive", "CHECK(ecrm_contact_cap >= 0 AND ecrm_contact_cap_days > 0)",
         "The frequency cap counts contacts (0 or more) within a window of at least one day."),
    ]
