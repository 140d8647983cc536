# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

# settings field -> system parameter (Odoo 11 has no config_parameter= on fields)
PARAMETERS = {
    "ecrm_page_view_retention_days": "ecrm_portal.page_view_retention_days",
    "ecrm_cart_idle_hours": "ecrm_portal.cart_idle_hours",
    "ecrm_call_me_interval_minutes": "ecrm_portal.call_me_interval_minutes",
}


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ecrm_page_view_retention_days = fields.Integer("Keep raw page views (days)")
    ecrm_cart_idle_hours = fields.Integer("Cart abandoned after (hours)")
    ecrm_call_me_interval_minutes = fields.Integer("One call-me request per (minutes)")

    @api.model
    def get_values(self):
        values = super().get_values()
        params = self.env["ir.config_parameter"].sudo()
        for name, key in PARAMETERS.items():
            raw = params.get_param(key) or ""
            values[name] = int(raw) if self._fields[name].type == "integer" and raw.isdigit() else raw
        return values

    @api.multi
    def set_values(self):
        super().set_values()
        params = self.env["ir.config_parameter"].sudo()
        for name, key in PARAMETERS.items():
            params.set_param(key, str(self[name] or ""))
