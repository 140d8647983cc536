# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class EcrmCredentialWizard(models.TransientModel):
    """Shows a freshly generated credential once.

    The clear text only travels in the action's context (a default value of an
    unsaved dialog); it is never written to the database.
    """

    _name = "ecrm.credential.wizard"
    _description = "New e-procurement credential"

    trading_partner_id = fields.Many2one("ecrm.trading.partner", readonly=True)
    credential = fields.Char(readonly=True)
