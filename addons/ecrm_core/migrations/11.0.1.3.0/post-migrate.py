# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The financial year has one definition, accounting's year end: carry over the eCRM year start.

eCRM kept its own start (res.company.ecrm_fiscal_year_start_month/day, default 1 April) beside
account's year end (fiscalyear_last_month/day, default 31 December). A company still on
accounting's default takes the eCRM year (1 April -> 31 March); one whose accountant set a
year end keeps it. The old columns go; the sales report and every customer's 360 figures
(now in one stated currency and timezone) are rebuilt.
"""
import datetime
import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    cr.execute("""SELECT count(*) FROM information_schema.columns WHERE table_name = 'res_company'
                   AND column_name IN ('ecrm_fiscal_year_start_month', 'ecrm_fiscal_year_start_day')""")
    if cr.fetchone()[0] == 2:
        _carry_over_year_start(cr)
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["sale.report"].init()
    env["res.partner"]._ecrm_recompute_360()


def _carry_over_year_start(cr):
    cr.execute("""SELECT id, name, ecrm_fiscal_year_start_month, ecrm_fiscal_year_start_day,
                         fiscalyear_last_month, fiscalyear_last_day FROM res_company""")
    for company_id, name, start_month, start_day, last_month, last_day in cr.fetchall():
        if not (start_month and start_day) or (start_month, start_day) == (1, 1):
            continue
        end = datetime.date(2001, start_month, start_day) - datetime.timedelta(days=1)
        if (last_month, last_day) != (12, 31):
            if (last_month, last_day) != (end.month, end.day):
                _logger.warning("%s: financial year end %s/%s kept (accounting's); the eCRM start %s/%s is dropped",
                                name, last_day, last_month, start_day, start_month)
            continue
        cr.execute("UPDATE res_company SET fiscalyear_last_month = %s, fiscalyear_last_day = %s WHERE id = %s",
                   (end.month, end.day, company_id))
    cr.execute("ALTER TABLE res_company DROP COLUMN ecrm_fiscal_year_start_month, "
               "DROP COLUMN ecrm_fiscal_year_start_day")
