# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""11.0.1.3.0: the company rules of batches, bindings and receipts follow the backend's company
(their stored company_id is only filled after the INSERT, so non-administrators could not create
them). The rules are noupdate data: an upgrade does not rewrite them by itself."""
from odoo import SUPERUSER_ID, api

RULES = {
    "ecrm_sage_bridge.ecrm_sage_binding_rule_company": "[('backend_id.company_id', 'in', user.company_ids.ids)]",
    "ecrm_sage_bridge.ecrm_sage_batch_rule_company": "[('backend_id.company_id', 'in', user.company_ids.ids)]",
    "ecrm_sage_bridge.ecrm_sage_receipt_rule_company": "[('backend_id.company_id', 'in', user.company_ids.ids)]",
}


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, domain in RULES.items():
        rule = env.ref(xmlid, raise_if_not_found=False)
        if rule:
            rule.write({"domain_force": domain})
