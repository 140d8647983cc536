# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..sage_formats.audit_trail import TAX_CODE


class EcrmSageTaxMap(models.Model):
    _name = "ecrm.sage.tax.map"
    _description = "Sage tax code of an Odoo tax"

    backend_id = fields.Many2one("ecrm.sage.backend", required=True, ondelete="cascade", index=True)
    tax_id = fields.Many2one("account.tax", string="Odoo tax", required=True, ondelete="cascade",
                             domain=[("type_tax_use", "=", "sale")])
    sage_tax_code = fields.Char(required=True, help="T0 zero-rated, T1 standard, T2 exempt, "
                                                    "T5 reduced, T9 outside the scope of VAT ...")

    _sql_constraints = [
        ("tax_unique", "unique(backend_id, tax_id)", "Each Odoo tax maps to one Sage tax code."),
    ]

    @api.constrains("sage_tax_code")
    def _check_sage_tax_code(self):
        for line in self:
            if not TAX_CODE.match(line.sage_tax_code or ""):
                raise ValidationError(_("%r is not a Sage tax code (T0 to T99).") % line.sage_tax_code)
