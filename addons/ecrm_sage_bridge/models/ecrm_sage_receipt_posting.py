# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import OrderedDict

from psycopg2.extras import execute_values

from odoo import _, api, models
from odoo.exceptions import UserError

from ..sage_formats.matching import MONEY_OUT

# Odoo recomputes an entry's matched percentage and cash basis over all its lines after
# each reconciliation: a day of 10,000 receipts in one entry would be quadratic.
RECEIPTS_PER_ENTRY = 25


class EcrmSageReceiptPosting(models.AbstractModel):
    """Books receipts from Sage in Odoo's ledger, the way a bank deposit is booked.

    Posted journal entries per receipt date in the receipts journal (a day's
    paying-in, RECEIPTS_PER_ENTRY receipts at most each). Each receipt keeps
    its own pair of lines: the customer's receivable line, reconciled with the
    documents it settles, and its own bank line, so a bank statement line still
    finds it. Compared with one account.payment posted per receipt this writes
    the same receivable and bank amounts and the same reconciliations, without
    a payment record, a journal entry and a sequence number per receipt.
    """

    _name = "ecrm.sage.receipt.posting"
    _description = "Sage receipts booked as bank entries"

    @api.model
    def _book(self, backend, receipts):
        """Post ``receipts`` (ecrm.sage.receipt with their documents chosen) and reconcile them."""
        if not receipts:
            return
        journal = backend._receipt_journal()
        Move = self.env["account.move"].with_context(tracking_disable=True, mail_notrack=True)
        document_lines = self._open_receivable_lines(receipts)
        to_reconcile = []
        for date, entry_receipts in self._entries(receipts):
            move = Move.create({
                "journal_id": journal.id, "date": date, "company_id": backend.company_id.id,
                "ref": _("Sage receipts of %s") % date,
                "line_ids": [line for receipt in entry_receipts
                             for line in self._line_pair(receipt, journal, document_lines)],
            })
            move.post()
            receivable_lines = move.line_ids.filtered(lambda line: line.account_id.reconcile).sorted("id")
            to_reconcile += [(receipt, line | document_lines[receipt.id])
                             for receipt, line in zip(entry_receipts, receivable_lines)]
        self._reconcile(to_reconcile)

    @staticmethod
    def _entries(receipts):
        """(date, receipts) of each journal entry: a day's receipts, RECEIPTS_PER_ENTRY at most."""
        by_date = OrderedDict()
        for receipt in receipts.sorted(lambda rec: (rec.date, rec.id)):
            by_date.setdefault(receipt.date, []).append(receipt.id)
        for date, ids in by_date.items():
            for start in range(0, len(ids), RECEIPTS_PER_ENTRY):
                yield date, receipts.browse(ids[start:start + RECEIPTS_PER_ENTRY])

    @api.model
    def _reconcile(self, receipt_lines):
        """Reconcile each receipt's line with its documents' lines, then point receipts at their line.

        Odoo's own reconcile(), once per receipt: writing the partial and full
        reconciliations ourselves was measured at only about 25 % faster, too little
        to bypass the accounting module's own bookkeeping.
        """
        for _receipt, lines in receipt_lines:
            lines.with_context(tracking_disable=True, mail_notrack=True).reconcile()
        execute_values(self.env.cr._obj, """
            UPDATE ecrm_sage_receipt receipt SET move_line_id = v.line_id FROM (VALUES %s) AS v (id, line_id)
             WHERE receipt.id = v.id""", [(receipt.id, lines[0].id) for receipt, lines in receipt_lines],
            page_size=1000)
        self.env["ecrm.sage.receipt"].invalidate_cache(fnames=["move_line_id", "move_id"])

    @api.model
    def _open_receivable_lines(self, receipts):
        """receipt id -> the unreconciled receivable lines of the documents it settles, one query."""
        documents = {receipt.id: (receipt.invoice_id | receipt.credit_note_id).ids for receipt in receipts}
        self.env.cr.execute("""
            SELECT inv.id, array_agg(line.id ORDER BY line.date_maturity, line.id)
              FROM account_invoice inv
              JOIN account_move_line line ON line.move_id = inv.move_id AND line.account_id = inv.account_id
             WHERE inv.id IN %s AND NOT line.reconciled GROUP BY inv.id""",
            (tuple({doc_id for ids in documents.values() for doc_id in ids}) or (0,),))
        open_lines = dict(self.env.cr.fetchall())
        Line, lines = self.env["account.move.line"], {}
        for receipt in receipts:
            lines[receipt.id] = Line.browse([line_id for doc_id in documents[receipt.id]
                                             for line_id in open_lines.get(doc_id, ())])
            if not lines[receipt.id]:
                raise UserError(_("%s has nothing left to pay: pick another document for receipt %s.")
                                % (", ".join((receipt.invoice_id | receipt.credit_note_id).mapped("number")),
                                   receipt.display_name))
        return lines

    @api.model
    def _line_pair(self, receipt, journal, document_lines):
        money_out = receipt.sage_type in MONEY_OUT
        liquidity = journal.default_credit_account_id if money_out else journal.default_debit_account_id
        if not liquidity:
            raise UserError(_("Journal %s has no default account to book Sage receipts on.") % journal.name)
        debit, credit = (receipt.amount, 0.0) if money_out else (0.0, receipt.amount)
        label = "%s %s" % (receipt.sage_type, receipt.reference or receipt.account_ref)
        common = {"name": label, "partner_id": receipt.partner_id.id, "date_maturity": receipt.date}
        return [
            (0, 0, dict(common, account_id=document_lines[receipt.id][0].account_id.id,
                        debit=debit, credit=credit)),
            (0, 0, dict(common, account_id=liquidity.id, debit=credit, credit=debit)),
        ]

