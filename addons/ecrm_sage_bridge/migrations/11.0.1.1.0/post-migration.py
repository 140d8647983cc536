# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""11.0.1.1.0: the ledger figures are stored on the customer; receipts point at their
receivable entry instead of an account.payment."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute("UPDATE res_partner SET sage_credit_status = 'none' WHERE sage_credit_status IS NULL")
    cr.execute("""SELECT DISTINCT partner_id FROM ecrm_sage_binding
                   WHERE res_model = 'res.partner' AND partner_id IS NOT NULL""")
    env["res.partner"]._sage_refresh_ledger([row[0] for row in cr.fetchall()])
    cr.execute("""SELECT 1 FROM information_schema.columns
                   WHERE table_name = 'ecrm_sage_receipt' AND column_name = 'payment_id'""")
    if cr.fetchone():
        cr.execute("""
            UPDATE ecrm_sage_receipt receipt SET move_line_id = aml.id
              FROM account_move_line aml JOIN account_account account ON account.id = aml.account_id
             WHERE aml.payment_id = receipt.payment_id AND account.internal_type = 'receivable'
               AND receipt.move_line_id IS NULL""")
