# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import OrderedDict, namedtuple

from psycopg2.extras import execute_values

from odoo import _, api, models
from odoo.exceptions import UserError

from ..sage_formats.matching import MONEY_OUT

# Odoo recomputes an entry's matched percentage and cash basis over all its lines after
# each reconciliation: a day of 10,000 receipts in one entry would be quadratic.
RECEIPTS_PER_ENTRY = 25
# Entries booked between two clear-outs of the ORM cache: what a chunk read or wrote
# (moves, lines, reconciliations, invoices) is dropped before the next one, so a file
# of 10,000 receipts needs no more memory than one of 500.
ENTRIES_PER_CHUNK = 20

# What booking needs to know about a receipt, as plain values: a big file holds no
# recordset (and no prefetch set) of all its receipts for the whole import.
Booking = namedtuple("Booking", "receipt_id partner_id sage_type date reference account_ref amount document_ids")
# The receivable account a receipt is booked on and the open receivable lines of its documents.
OpenLines = namedtuple("OpenLines", "account_id line_ids")
# A receipt's own receivable line and the document lines it is reconciled with.
Reconciliation = namedtuple("Reconciliation", "receipt_id line_id document_line_ids")


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
        self._book_all(backend, [Booking(
            receipt.id, receipt.partner_id.id, receipt.sage_type, receipt.date, receipt.reference,
            receipt.account_ref, receipt.amount, (receipt.invoice_id | receipt.credit_note_id).ids)
            for receipt in receipts])

    @api.model
    def _book_all(self, backend, bookings):
        """Post and reconcile ``bookings`` (Booking tuples), ENTRIES_PER_CHUNK entries at a time.

        Entries go through account.move create / post and reconciliations through
        account.move.line reconcile(), as any Odoo payment would. Between chunks the
        pending recomputations are done and the whole ORM cache is dropped: records
        held by the caller read their fields again from the database.
        """
        if not bookings:
            return
        journal = backend._receipt_journal()
        liquidity = {False: journal.default_debit_account_id.id, True: journal.default_credit_account_id.id}
        if not all(liquidity[booking.sage_type in MONEY_OUT] for booking in bookings):
            raise UserError(_("Journal %s has no default account to book Sage receipts on.") % journal.name)
        document_lines = self._open_receivable_lines(bookings)
        entries = list(self._entries(bookings))
        header = {"journal_id": journal.id, "company_id": backend.company_id.id}
        for start in range(0, len(entries), ENTRIES_PER_CHUNK):
            self._book_chunk(header, liquidity, entries[start:start + ENTRIES_PER_CHUNK], document_lines)
            self.recompute()
            self.invalidate_cache()

    @staticmethod
    def _entries(bookings):
        """(date, bookings) of each journal entry: a day's receipts, RECEIPTS_PER_ENTRY at most."""
        by_date = OrderedDict()
        for booking in sorted(bookings, key=lambda booking: (booking.date, booking.receipt_id)):
            by_date.setdefault(booking.date, []).append(booking)
        for date, day in by_date.items():
            for start in range(0, len(day), RECEIPTS_PER_ENTRY):
                yield date, day[start:start + RECEIPTS_PER_ENTRY]

    @api.model
    def _book_chunk(self, header, liquidity, entries, document_lines):
        """Post the chunk's entries, then reconcile each receipt's receivable line with its documents'."""
        Move = self.env["account.move"].with_context(tracking_disable=True, mail_notrack=True)
        move_ids = []
        for date, bookings in entries:
            move = Move.create(dict(header, date=date, ref=_("Sage receipts of %s") % date, line_ids=[
                line for booking in bookings for line in self._line_pair(booking, liquidity, document_lines)]))
            move.post()
            move_ids.append(move.id)
        # Lines are created in the order given: a receipt's receivable line, then its bank line.
        self.env.cr.execute("""
            SELECT move_id, array_agg(id ORDER BY id) FROM account_move_line WHERE move_id IN %s GROUP BY move_id""",
                            (tuple(move_ids),))
        lines_of_move = dict(self.env.cr.fetchall())
        for move_id, (_date, bookings) in zip(move_ids, entries):
            if len(lines_of_move[move_id]) != 2 * len(bookings):
                raise UserError(_("Entry %s has lines other than its receipts' pairs.") % move_id)
        pairs = [Reconciliation(booking.receipt_id, receivable_id, document_lines[booking.receipt_id].line_ids)
                 for move_id, (_date, bookings) in zip(move_ids, entries)
                 for booking, receivable_id in zip(bookings, lines_of_move[move_id][0::2])]
        self._reconcile(pairs)

    @api.model
    def _reconcile(self, pairs):
        """Reconcile each receipt's line with its documents' lines, then point receipts at their line.

        ``pairs``: Reconciliation tuples. Odoo's own
        reconcile(), once per receipt, as it pairs the oldest debit with the oldest
        credit of whatever lines it is given: lines of different receipts must not
        meet in one call. Writing the partial and full reconciliations ourselves was
        measured at only about 25 % faster, too little to bypass the accounting
        module's own bookkeeping.
        """
        Line = self.env["account.move.line"].with_context(tracking_disable=True, mail_notrack=True)
        # one prefetch set for the chunk's lines: read together, and no bigger than the chunk
        chunk = Line.browse([line_id for pair in pairs for line_id in (pair.line_id,) + tuple(pair.document_line_ids)])
        for pair in pairs:
            Line.browse([pair.line_id] + list(pair.document_line_ids), prefetch=chunk._prefetch).reconcile()
        execute_values(self.env.cr._obj, """
            UPDATE ecrm_sage_receipt receipt SET move_line_id = v.line_id FROM (VALUES %s) AS v (id, line_id)
             WHERE receipt.id = v.id""", [(pair.receipt_id, pair.line_id) for pair in pairs],
            page_size=1000)
        self.env["ecrm.sage.receipt"].invalidate_cache(fnames=["move_line_id", "move_id"])

    @api.model
    def _open_receivable_lines(self, bookings):
        """receipt id -> OpenLines (receivable account, unreconciled receivable lines of its documents), one query."""
        self.env.cr.execute("""
            SELECT inv.id, inv.account_id, array_agg(line.id ORDER BY line.date_maturity, line.id)
              FROM account_invoice inv
              JOIN account_move_line line ON line.move_id = inv.move_id AND line.account_id = inv.account_id
             WHERE inv.id IN %s AND NOT line.reconciled GROUP BY inv.id, inv.account_id""",
            (tuple({doc_id for booking in bookings for doc_id in booking.document_ids}) or (0,),))
        open_lines = {invoice_id: OpenLines(account_id, tuple(line_ids))
                      for invoice_id, account_id, line_ids in self.env.cr.fetchall()}
        lines = {}
        for booking in bookings:
            line_ids = [line_id for doc_id in booking.document_ids
                        for line_id in (open_lines[doc_id].line_ids if doc_id in open_lines else ())]
            if not line_ids:
                documents = self.env["account.invoice"].browse(booking.document_ids)
                raise UserError(_("%s has nothing left to pay: pick another document for receipt %s.")
                                % (", ".join(documents.mapped("number")),
                                   self.env["ecrm.sage.receipt"].browse(booking.receipt_id).display_name))
            first_document = next(doc_id for doc_id in booking.document_ids if doc_id in open_lines)
            lines[booking.receipt_id] = OpenLines(open_lines[first_document].account_id, tuple(line_ids))
        return lines

    @api.model
    def _line_pair(self, booking, liquidity, document_lines):
        money_out = booking.sage_type in MONEY_OUT
        debit, credit = (booking.amount, 0.0) if money_out else (0.0, booking.amount)
        label = "%s %s" % (booking.sage_type, booking.reference or booking.account_ref)
        common = {"name": label, "partner_id": booking.partner_id, "date_maturity": booking.date}
        return [
            (0, 0, dict(common, account_id=document_lines[booking.receipt_id].account_id, debit=debit, credit=credit)),
            (0, 0, dict(common, account_id=liquidity[money_out], debit=credit, credit=debit)),
        ]
