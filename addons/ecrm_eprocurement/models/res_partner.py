# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    ecrm_gln = fields.Char(
        "GLN", index=True, copy=False,
        help="GS1 Global Location Number: how e-procurement documents name this delivery point or party.")
