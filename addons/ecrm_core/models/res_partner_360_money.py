# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Customer 360 money and dates: the currency the figures are in, and the 360 clock.

Kept apart from res_partner.py's field definitions: the amounts there only learn
here which currency field states them.
"""
from odoo import api, fields, models

from ..customer360 import clock
from .ecrm_consent import trusted_context
from .res_partner import STAFF

CLOCK_KEY = "ecrm_now"  # context: a frozen 'YYYY-MM-DD HH:MM:SS' UTC "now", honoured for superuser code only


class ResPartner(models.Model):
    _inherit = "res.partner"

    ecrm_currency_id = fields.Many2one(
        "res.currency", "Currency", readonly=True, copy=False, groups=STAFF,
        help="The currency of revenue, average order and lifetime value: the parent company's, "
             "each order converted at the rate of its order date.")
    ecrm_revenue = fields.Monetary(currency_field="ecrm_currency_id",
                                   help="Confirmed sales before tax, every company's orders converted to the "
                                        "parent company's currency at the rate of the order date.")
    ecrm_avg_order_value = fields.Monetary(currency_field="ecrm_currency_id")
    ecrm_lifetime_value = fields.Monetary(currency_field="ecrm_currency_id")

    @api.model
    def _ecrm_360_basis(self):
        """(reporting company, timezone, today) of a recompute: one currency, one clock for everyone."""
        Company = self.env["res.company"]
        tz = Company._ecrm_timezone()
        now = clock.parse_utc(trusted_context(self.env, CLOCK_KEY) or fields.Datetime.now())
        return Company._ecrm_reporting_company(), tz, clock.local_date(now, tz)
