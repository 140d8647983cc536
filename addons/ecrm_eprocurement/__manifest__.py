# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "eCRM e-Procurement",
    "summary": "Inbound PEPPOL BIS 3 / cXML / CSV orders from NHS, council and B2B buyers, acknowledged, idempotent",
    "version": "11.0.1.2.0",
    "category": "Sales",
    "website": "https://github.com/ecrm-suite/ecrm",
    "author": "eCRM suite contributors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["ecrm_core", "sale_management", "portal"],
    "external_dependencies": {"python": ["lxml"]},
    "data": [
        "security/ir.model.access.csv",
        "security/ecrm_eprocurement_security.xml",
        "data/ecrm_eprocurement_data.xml",
        "views/ecrm_exchange_views.xml",
        "views/ecrm_trading_partner_views.xml",
        "views/ecrm_credential_wizard_views.xml",
        "views/sale_order_views.xml",
        "views/res_partner_views.xml",
        "views/portal_templates.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/ecrm_eprocurement_demo.xml",
    ],
}
