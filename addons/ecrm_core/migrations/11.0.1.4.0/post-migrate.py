# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The nightly duplicate scan queues one job per company instead of scanning inside the cron.

The cron record is noupdate, so an upgrade would keep the old in-cron scan.
"""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref("ecrm_core.ir_cron_ecrm_duplicate_scan", raise_if_not_found=False)
    if cron:
        cron.write({"model_id": env.ref("base.model_res_company").id,
                    "code": "model._ecrm_cron_scan_duplicates()"})
