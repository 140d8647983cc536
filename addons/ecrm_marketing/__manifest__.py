# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "eCRM Marketing",
    "summary": "Campaign ROI (forecast and actual), segments, single / multistep / event-triggered programs",
    "version": "11.0.1.4.0",
    "category": "Marketing",
    "website": "https://github.com/ecrm-suite/ecrm",
    "author": "eCRM suite contributors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["ecrm_core", "mass_mailing", "link_tracker"],
    "data": [
        "security/ecrm_marketing_security.xml",
        "security/ir.model.access.csv",
        "views/utm_campaign_views.xml",
        "views/ecrm_campaign_report_views.xml",
        "data/ecrm_interaction_type_data.xml",
        "data/ir_cron_data.xml",
        "views/ecrm_segment_views.xml",
        "views/ecrm_campaign_program_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/ecrm_marketing_demo.xml",
    ],
}
