# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from xml.sax.saxutils import quoteattr

CUSTOM_VIEW = "ecrm_core.res_partner_view_form_360_custom"


class EcrmCustomer360Field(models.Model):
    """An extra customer field an admin chose to show on the Customer 360 tab - no code needed.

    The choice is turned into an inherited form view, so the field behaves
    exactly like one a developer would have added.
    """

    _name = "ecrm.customer360.field"
    _description = "Extra field on the Customer 360 tab"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    field_id = fields.Many2one(
        "ir.model.fields", "Field", required=True, ondelete="cascade",
        domain=[("model", "=", "res.partner"), ("ttype", "not in", ("one2many", "many2many", "binary"))])
    label = fields.Char(help="Leave empty to use the field's own label.")
    active = fields.Boolean(default=True)

    _sql_constraints = [("field_unique", "unique(field_id)", "This field is already on the tab.")]

    @api.model
    def create(self, vals):
        record = super().create(vals)
        self._rebuild_view()
        return record

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        self._rebuild_view()
        return result

    @api.multi
    def unlink(self):
        result = super().unlink()
        self._rebuild_view()
        return result

    @api.model
    def _rebuild_view(self):
        fields_xml = "".join(
            "<field name=%s%s/>" % (quoteattr(line.field_id.name),
                                    " string=%s" % quoteattr(line.label) if line.label else "")
            for line in self.search([]))
        self.env.ref(CUSTOM_VIEW).sudo().write({"arch": (
            '<data><xpath expr="//group[@name=\'ecrm_360_custom\']" position="inside">%s</xpath></data>'
            % fields_xml)})
