# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..sage_formats.audit_trail import NOMINAL_CODE


class EcrmSageNominalMap(models.Model):
    _name = "ecrm.sage.nominal.map"
    _description = "Sage nominal code of an Odoo account"

    backend_id = fields.Many2one("ecrm.sage.backend", required=True, ondelete="cascade", index=True)
    account_id = fields.Many2one("account.account", required=True, ondelete="cascade")
    nominal_code = fields.Char(required=True, help="Kept as text: leading zeros matter (0040).")

    _sql_constraints = [
        ("account_unique", "unique(backend_id, account_id)", "Each account maps to one nominal code."),
    ]

    @api.constrains("nominal_code")
    def _check_nominal_code(self):
        for line in self:
            if not NOMINAL_CODE.match(line.nominal_code or ""):
                raise ValidationError(_("Nominal code %r must be 1 to 8 digits.") % line.nominal_code)
