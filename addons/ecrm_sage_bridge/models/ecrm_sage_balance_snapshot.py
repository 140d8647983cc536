# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import namedtuple

from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import UserError

CONTEXT_DATE_KEY = "sage_balance_date"
# One customer's figures for ``_store``.
SnapshotRow = namedtuple("SnapshotRow", "partner_id account_ref balance overdue credit_limit on_hold")


class EcrmSageBalanceSnapshot(models.Model):
    """A customer's balance as Sage reported it on one day: the history of balances imports.

    Every balances import (file or API) writes one row per customer it names; importing
    again for the same day replaces that day's row. Reconciling as at a day compares
    Odoo's receivable with each customer's latest row on or before that day.
    """

    _name = "ecrm.sage.balance.snapshot"
    _description = "Sage balance snapshot"
    _order = "date desc, account_ref, id"
    _rec_name = "account_ref"

    # No index of its own: the unique (backend, customer, day) index starts with it.
    backend_id = fields.Many2one("ecrm.sage.backend", required=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade",
                                 index=True, readonly=True)
    account_ref = fields.Char(string="Sage account", readonly=True)
    date = fields.Date(string="Balance as at", required=True, readonly=True,
                       help="The day the balances are as at: the import day, unless the import named "
                            "another day.")
    balance = fields.Monetary(readonly=True)
    overdue = fields.Monetary(readonly=True)
    credit_limit = fields.Monetary(readonly=True)
    on_hold = fields.Boolean(string="On hold", readonly=True)
    batch_id = fields.Many2one("ecrm.sage.batch", string="Import batch", ondelete="set null", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)

    # The unique index also serves "latest row on or before a day" (backward index scan).
    _sql_constraints = [
        ("backend_partner_date_unique", "unique(backend_id, partner_id, date)",
         "A customer has one Sage balance per backend and day."),
    ]

    @api.model
    def _balance_date(self, from_file):
        """The day an import's balances are as at: the context's ``sage_balance_date`` for a
        file (Sage 50's balances CSV carries no date), else today in the user's time zone."""
        today = fields.Date.context_today(self)
        day = self.env.context.get(CONTEXT_DATE_KEY) if from_file else None
        if not day:
            return today
        try:
            day = fields.Date.to_string(fields.Date.from_string(day))
        except (TypeError, ValueError):
            raise UserError(_("Balances as at %r is not a date (YYYY-MM-DD).") % (day,))
        if day > today:
            raise UserError(_("Balances cannot be as at %s, a day still to come.") % day)
        return day

    @api.model
    def _store(self, backend, day, rows, batch):
        """Write one snapshot per customer in multi-row INSERTs; a row already stored for the
        same backend, customer and day is replaced.

        ``rows``: SnapshotRow.
        """
        # One row per customer (a customer bound twice on a backend would make the upsert
        # touch a row twice): the last one read wins, as it does on the bindings.
        rows = list({row.partner_id: row for row in rows}.values())
        if not rows:
            return
        execute_values(self.env.cr._obj, """
            INSERT INTO ecrm_sage_balance_snapshot
                   (backend_id, company_id, partner_id, account_ref, date, balance, overdue, credit_limit,
                    on_hold, batch_id, create_uid, write_uid, create_date, write_date)
            VALUES %s
            ON CONFLICT (backend_id, partner_id, date) DO UPDATE
               SET account_ref = EXCLUDED.account_ref, balance = EXCLUDED.balance,
                   overdue = EXCLUDED.overdue, credit_limit = EXCLUDED.credit_limit,
                   on_hold = EXCLUDED.on_hold, batch_id = EXCLUDED.batch_id,
                   write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date""",
            [(backend.id, backend.company_id.id, row.partner_id, row.account_ref, day, row.balance, row.overdue,
              row.credit_limit, bool(row.on_hold), batch.id or None, self.env.uid, self.env.uid) for row in rows],
            template="(%s, %s, %s, %s, %s::date, %s, %s, %s, %s, %s, %s, %s, "
                     "now() at time zone 'UTC', now() at time zone 'UTC')",
            page_size=1000)
        self.invalidate_cache()
