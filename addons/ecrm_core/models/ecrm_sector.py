# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class EcrmSector(models.Model):
    """Market sector of a customer (NHS, local authority, care home, ...), configurable by admins."""

    _name = "ecrm.sector"
    _description = "Customer sector"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable short code for integrations and imports.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "unique(code)", "The sector code must be unique.")]
