# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2.extras import execute_values

from odoo import api, fields, models

TOLERANCE = 0.005


class EcrmSageReconciliationLine(models.Model):
    """Per customer: Odoo's receivable against the balance Sage last reported.

    Rebuilt after every sync; the backend form shows 'in balance' or 'N differences'.
    """

    _name = "ecrm.sage.reconciliation.line"
    _description = "Sage reconciliation line"
    _order = "abs_difference desc, id"

    backend_id = fields.Many2one("ecrm.sage.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True)
    account_ref = fields.Char(string="Sage account")
    date = fields.Date(string="As at", required=True)
    odoo_balance = fields.Monetary(string="Odoo receivable")
    sage_balance = fields.Monetary(string="Sage balance")
    sage_balance_date = fields.Date(string="Sage balance of")
    difference = fields.Monetary()
    abs_difference = fields.Monetary(string="Absolute difference")
    unmatched_receipt_count = fields.Integer(string="Unmatched receipts")
    unmatched_receipt_amount = fields.Monetary(string="Unmatched amount")
    in_balance = fields.Boolean(index=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)

    @api.model
    def _rebuild(self, backend, date=None):
        """Odoo's side counts every posted entry up to ``date`` (default: all of them, as a
        Sage balance snapshot includes forward-dated transactions too)."""
        as_at = date or fields.Date.context_today(self)
        date = date or "9999-12-31"
        cr = self.env.cr
        cr.execute("DELETE FROM ecrm_sage_reconciliation_line WHERE backend_id = %s", (backend.id,))
        # Three grouped reads joined in Python: planner estimates on freshly written
        # bindings are useless within the sync's own transaction.
        cr.execute("""
            SELECT aml.partner_id, SUM(aml.balance)
              FROM account_move_line aml JOIN account_account account ON account.id = aml.account_id
             WHERE account.internal_type = 'receivable' AND aml.company_id = %s AND aml.date <= %s
               AND aml.partner_id IS NOT NULL
             GROUP BY aml.partner_id""", (backend.company_id.id, date))
        receivable = dict(cr.fetchall())
        cr.execute("""
            SELECT partner_id, COUNT(*), SUM(amount) FROM ecrm_sage_receipt
             WHERE backend_id = %s AND state = 'unmatched' AND date <= %s GROUP BY partner_id""", (backend.id, date))
        unmatched = {partner_id: (count, amount) for partner_id, count, amount in cr.fetchall()}
        cr.execute("""
            SELECT partner_id, sage_ref, COALESCE(sage_balance, 0), sage_balance_date FROM ecrm_sage_binding
             WHERE backend_id = %s AND res_model = 'res.partner' AND partner_id IS NOT NULL""", (backend.id,))
        bindings = cr.fetchall()
        rows, differences = [], 0
        for partner_id, ref, sage_balance, balance_date in bindings:
            odoo_balance = round(receivable.get(partner_id) or 0.0, 2)
            difference = round(odoo_balance - float(sage_balance), 2)
            in_balance = abs(difference) < TOLERANCE
            differences += not in_balance
            count, amount = unmatched.get(partner_id, (0, 0.0))
            rows.append((backend.id, backend.company_id.id, partner_id, ref, as_at, odoo_balance, sage_balance,
                         balance_date, difference, abs(difference), count, amount, in_balance,
                         self.env.uid, self.env.uid))
        execute_values(cr._obj, """
            INSERT INTO ecrm_sage_reconciliation_line
                   (backend_id, company_id, partner_id, account_ref, date, odoo_balance, sage_balance,
                    sage_balance_date, difference, abs_difference, unmatched_receipt_count,
                    unmatched_receipt_amount, in_balance, create_uid, write_uid, create_date, write_date)
            VALUES %s""", rows, template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                                        "now() at time zone 'UTC', now() at time zone 'UTC')", page_size=1000)
        self.invalidate_cache()
        backend.write({
            "reconciliation_state": "differences" if differences else "in_balance",
            "reconciliation_difference_count": differences,
            "reconciliation_date": fields.Datetime.now(),
            "reconciliation_as_at": as_at,
        })

    @api.multi
    def action_view_unmatched(self):
        """Drill down: the customer's receipts still to review and invoices still open."""
        self.ensure_one()
        action = self.env.ref("ecrm_sage_bridge.ecrm_sage_receipt_action").read()[0]
        action["domain"] = [("backend_id", "=", self.backend_id.id), ("partner_id", "=", self.partner_id.id),
                            ("state", "=", "unmatched")]
        return action

    @api.multi
    def action_view_open_invoices(self):
        self.ensure_one()
        action = self.env.ref("account.action_invoice_tree1").read()[0]
        action["domain"] = [("commercial_partner_id", "=", self.partner_id.id), ("state", "=", "open"),
                            ("company_id", "=", self.company_id.id)]
        return action
