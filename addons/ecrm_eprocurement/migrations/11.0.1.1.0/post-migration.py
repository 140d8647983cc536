# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""11.0.1.1.0: the company rule of product mappings follows the trading partner's company (the
mapping's stored company_id is only filled after the INSERT, so non-administrators could not
create mappings). The rule is noupdate data: an upgrade does not rewrite it by itself."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref("ecrm_eprocurement.ecrm_trading_partner_product_rule_company", raise_if_not_found=False)
    if rule:
        rule.write({"domain_force": "[('trading_partner_id.company_id', 'in', user.company_ids.ids)]"})
