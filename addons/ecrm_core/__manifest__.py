# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "eCRM Core",
    "summary": "Single customer view: one timeline, 360 figures, consent, data quality, duplicates",
    "version": "11.0.1.4.0",
    "category": "Customer Relationship Management",
    "website": "https://github.com/ecrm-suite/ecrm",
    "author": "eCRM suite contributors",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "post_load": "post_load",
    "depends": ["crm", "sale_crm", "contacts", "mail", "queue_job"],
    "external_dependencies": {"python": ["phonenumbers", "rapidfuzz", "stdnum", "vobject"]},
    "data": [
        "security/ecrm_core_security.xml",
        "security/ir.model.access.csv",
        "data/ecrm_sector_data.xml",
        "data/ecrm_quality_rule_data.xml",
        "data/ir_cron_data.xml",
        "views/ecrm_interaction_views.xml",
        "views/res_partner_views.xml",
        "views/ecrm_config_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/res_company_demo.xml",
        "demo/res_users_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/ecrm_interaction_demo.xml",
        "demo/ecrm_customer360_demo.xml",
    ],
}
