# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "eCRM Portal",
    "summary": "Rule-based website personalisation, consented clickstream, abandoned carts, /my self-service",
    "version": "11.0.1.1.0",
    "category": "Customer Relationship Management",
    "website": "https://github.com/ecrm-suite/ecrm",
    "author": "eCRM suite contributors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["ecrm_core", "website_sale", "portal"],
    "data": [
        "security/ecrm_portal_security.xml",
        "security/ir.model.access.csv",
        "data/ir_config_parameter_data.xml",
        "data/ir_cron_data.xml",
        "views/ecrm_personalisation_rule_views.xml",
        "views/ecrm_visitor_views.xml",
        "views/ecrm_page_view_views.xml",
        "views/res_partner_views.xml",
        "views/menus.xml",
        "views/ecrm_personalisation_preview_views.xml",
        "views/ecrm_path_report_views.xml",
        "views/ecrm_profile_question_views.xml",
        "views/res_config_settings_views.xml",
        "views/website_templates.xml",
        "views/portal_templates.xml",
    ],
    "demo": [
        "demo/ecrm_personalisation_rule_demo.xml",
    ],
}
