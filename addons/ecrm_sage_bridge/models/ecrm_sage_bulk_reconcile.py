# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2.extras import execute_values

from odoo import api, models
from odoo.tools import float_round

# Groups reconciled per round. The ORM recomputes every pending invoice whenever one
# is read, so a round's cost grows with its square: 10 measured best (1 is Odoo's own
# per-receipt cost, about 25 % slower; 100 was three times slower).
CHUNK = 10
QUIET = {"tracking_disable": True, "mail_notrack": True}
PARTIAL_FIELDS = ["debit_move_id", "credit_move_id", "amount", "amount_currency", "currency_id"]


class EcrmSageBulkReconcile(models.AbstractModel):
    """Reconciles many groups of journal items at once, for the simple case.

    ``account.move.line.reconcile()`` costs Odoo 11 about 0.15 s per receipt:
    after each partial reconciliation it recomputes residuals, invoice states
    and matched percentages. For groups in the company currency, with no
    cash-basis tax, no earlier partial reconciliation and no line shared with
    another group, the rows it writes are known in advance: this model inserts
    the same partial and full reconciliations in a few statements, then lets
    the ORM recompute every dependent field (residuals, invoice states and
    their "paid" hooks, matched percentages) once for all of them.
    Any other group goes through Odoo's own reconcile().
    """

    _name = "ecrm.sage.bulk.reconcile"
    _description = "Bulk reconciliation of journal items"

    @api.model
    def _reconcile(self, groups):
        """Reconcile each recordset of ``groups`` (account.move.line) within itself."""
        simple, others = self._split(groups)
        for group in others:
            group.with_context(**QUIET).reconcile()
        for start in range(0, len(simple), CHUNK):
            self._reconcile_simple(simple[start:start + CHUNK])

    @api.model
    def _split(self, groups):
        """(groups the bulk path can take, the others)."""
        lines = self.env["account.move.line"].browse({line.id for group in groups for line in group})
        ids = tuple(lines.ids) or (0,)
        self.env.cr.execute("""
            SELECT debit_move_id FROM account_partial_reconcile WHERE debit_move_id IN %(ids)s
             UNION SELECT credit_move_id FROM account_partial_reconcile WHERE credit_move_id IN %(ids)s
             UNION SELECT line.id FROM account_move_line line
                     JOIN account_move_line other ON other.move_id = line.move_id AND NOT other.tax_exigible
                    WHERE line.id IN %(ids)s
             UNION SELECT id FROM account_move_line WHERE id IN %(ids)s AND (currency_id IS NOT NULL OR reconciled)
        """, {"ids": ids})
        excluded = {row[0] for row in self.env.cr.fetchall()}
        seen, shared = set(), set()
        for group in groups:
            shared |= seen & set(group.ids)
            seen |= set(group.ids)
        simple, others = [], []
        for group in groups:
            (others if excluded.intersection(group.ids) or shared.intersection(group.ids) else simple).append(group)
        return simple, others

    @api.model
    def _reconcile_simple(self, groups):
        residual = {line.id: line.amount_residual for group in groups for line in group}
        rounding = groups[0][0].company_id.currency_id.rounding
        pairs, settled = [], []
        for group in groups:
            group_pairs = allocate(group, residual, rounding)
            pairs += group_pairs
            if all(abs(residual[line.id]) < rounding / 2 for line in group):
                settled.append((group, {(debit.id, credit.id) for debit, credit, _amount in group_pairs}))
        partial_ids = self._insert_partials(pairs)
        lines = self.env["account.move.line"].browse(list(residual))
        lines.invalidate_cache(fnames=["matched_debit_ids", "matched_credit_ids"], ids=lines.ids)
        partials = self.env["account.partial.reconcile"].with_context(**QUIET).browse(list(partial_ids.values()))
        partials.modified(PARTIAL_FIELDS)
        partials.recompute()
        self._insert_full_reconciles([(group, [partial_ids[pair] for pair in group_pairs])
                                      for group, group_pairs in settled])

    @api.model
    def _insert_partials(self, pairs):
        """(debit id, credit id) -> the new partial reconciliation's id; what create() would store."""
        rows = execute_values(self.env.cr._obj, """
            INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, amount, amount_currency,
                        company_id, max_date, create_uid, create_date, write_uid, write_date)
            SELECT v.debit_id, v.credit_id, v.amount, 0, debit.company_id, GREATEST(debit.date, credit.date),
                   v.uid, now() at time zone 'UTC', v.uid, now() at time zone 'UTC'
              FROM (VALUES %s) AS v (debit_id, credit_id, amount, uid)
              JOIN account_move_line debit ON debit.id = v.debit_id
              JOIN account_move_line credit ON credit.id = v.credit_id
            RETURNING debit_move_id, credit_move_id, id""",
            [(debit.id, credit.id, amount, self.env.uid) for debit, credit, amount in pairs],
            page_size=1000, fetch=True)
        return {(debit_id, credit_id): partial_id for debit_id, credit_id, partial_id in rows}

    @api.model
    def _insert_full_reconciles(self, settled):
        """One account.full.reconcile per settled group, numbered by Odoo's own sequence."""
        if not settled:
            return
        sequence = self.env.ref("account.sequence_reconcile_seq").sudo()
        full_ids = [row[0] for row in execute_values(self.env.cr._obj, """
            INSERT INTO account_full_reconcile (name, create_uid, create_date, write_uid, write_date)
            SELECT v.name, v.uid, now() at time zone 'UTC', v.uid, now() at time zone 'UTC'
              FROM (VALUES %s) AS v (position, name, uid) ORDER BY v.position RETURNING id""",
            [(position, sequence.next_by_id(), self.env.uid) for position in range(len(settled))],
            page_size=len(settled), fetch=True)]
        execute_values(self.env.cr._obj, """
            UPDATE account_move_line line SET full_reconcile_id = v.full_id FROM (VALUES %s) AS v (id, full_id)
             WHERE line.id = v.id""",
            [(line.id, full_id) for (group, _partials), full_id in zip(settled, full_ids) for line in group],
            page_size=1000)
        execute_values(self.env.cr._obj, """
            UPDATE account_partial_reconcile partial SET full_reconcile_id = v.full_id
              FROM (VALUES %s) AS v (id, full_id) WHERE partial.id = v.id""",
            [(partial_id, full_id) for (_group, partials), full_id in zip(settled, full_ids)
             for partial_id in partials], page_size=1000)
        self.env["account.move.line"].invalidate_cache(fnames=["full_reconcile_id"])
        self.env["account.partial.reconcile"].invalidate_cache(fnames=["full_reconcile_id"])


def allocate(lines, residual, rounding):
    """(debit line, credit line, amount) pairs settling ``lines`` oldest first, as Odoo's
    auto-reconciliation pairs them; ``residual`` (line id -> signed amount left) is kept up to date."""
    pairs = []
    ordered = sorted(lines, key=lambda line: (line.date_maturity or line.date, line.id))
    while True:
        debit = next((line for line in ordered if residual[line.id] >= rounding / 2), None)
        credit = next((line for line in ordered if residual[line.id] <= -rounding / 2), None)
        if not (debit and credit):
            return pairs
        amount = float_round(min(residual[debit.id], -residual[credit.id]), precision_rounding=rounding)
        residual[debit.id] = float_round(residual[debit.id] - amount, precision_rounding=rounding)
        residual[credit.id] = float_round(residual[credit.id] + amount, precision_rounding=rounding)
        pairs.append((debit, credit, amount))
