# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class EcrmInteractionType(models.Model):
    _inherit = "ecrm.interaction.type"

    portal_public = fields.Boolean(
        "Shown to the customer",
        help="Entries of this type are listed on the customer's own portal page, /my/interactions.")
