# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "eCRM Sage Bridge",
    "summary": "Two-way ledger bridge with Sage 50 files and Sage Business Cloud Accounting, "
               "without double posting, with reconciliation",
    "version": "11.0.1.6.0",
    "category": "Accounting",
    "website": "https://github.com/ecrm-suite/ecrm",
    "author": "eCRM suite contributors",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["ecrm_core", "account_invoicing"],
    "data": [
        "security/ecrm_sage_bridge_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/ecrm_interaction_type_data.xml",
        "data/ir_cron_data.xml",
        "wizards/ecrm_sage_wizard_views.xml",
        "views/ecrm_sage_backend_views.xml",
        "views/ecrm_sage_batch_views.xml",
        "views/ecrm_sage_binding_views.xml",
        "views/ecrm_sage_receipt_views.xml",
        "views/ecrm_sage_reconciliation_line_views.xml",
        "views/res_partner_views.xml",
        "views/menus.xml",
        "views/ecrm_sage_balance_snapshot_views.xml",
    ],
    "demo": [
        "demo/ecrm_sage_backend_demo.xml",
    ],
}
