from unittest.mock import patch

from odoo.addons.ecrm_sage_bridge.models import ecrm_sage_receipt_posting as posting_module

from .common import SageCase
from .test_import import HEADER

POSTING = "odoo.addons.ecrm_sage_bridge.models.ecrm_sage_receipt_posting."
BATCH = "odoo.addons.ecrm_sage_bridge.models.ecrm_sage_batch."


class TestReceiptsInChunks(SageCase):
    """A big receipts file is booked a few entries at a time, with the ORM cache dropped in between.

    The sizes are shrunk (2 receipts per entry, 1 entry per chunk) so that a handful of
    receipts crosses several entries and chunks.
    """

    def setUp(self):
        super().setUp()
        self.export("customers")
        self.invoices = [self.post_invoice(partner, [amount]) for partner, amount in (
            (self.hudd, 10.0), (self.wake, 20.0), (self.hudd, 30.0), (self.wake, 40.0), (self.hudd, 50.0))]
        self.export("invoices")
        self.Posting = type(self.env["ecrm.sage.receipt.posting"])

    def receipts_file(self, rows):
        return HEADER + "".join("SR,%s,1200,,03/11/2026,%s,BACS,%.2f,T9,0.00\r\n" % row for row in rows)

    def paying_all(self):
        return self.receipts_file([(self.ref_of(invoice.partner_id), invoice.number, invoice.amount_total)
                                   for invoice in self.invoices])

    def import_small_chunks(self, text):
        with patch(POSTING + "RECEIPTS_PER_ENTRY", 2), patch(POSTING + "ENTRIES_PER_CHUNK", 1):
            return self.import_csv("receipts", text)

    def test_receipts_across_entries_and_chunks_are_all_booked_and_reconciled(self):
        result = self.import_small_chunks(self.paying_all())
        self.assertEqual((result["errors"], result["matched"]), ([], 5))
        receipts = self.env["ecrm.sage.receipt"].search([("batch_id", "=", result["batch_id"])], order="id")
        # stored in file order, with every column the import wrote
        self.assertEqual(receipts.mapped("reference"), [invoice.number for invoice in self.invoices])
        self.assertEqual(receipts.mapped("invoice_id"), self.env["account.invoice"].concat(*self.invoices))
        self.assertEqual(set(receipts.mapped("company_id")), {self.company})
        self.assertEqual(set(receipts.mapped("state")), {"matched"})
        self.assertEqual(set(receipts.mapped("match_method")), {"reference"})
        self.assertEqual(set(receipts.mapped("create_uid")), {self.env.user})
        moves = receipts.mapped("move_id")
        self.assertEqual(len(moves), 3, "5 receipts, 2 per entry")
        self.assertEqual(sorted(len(move.line_ids) for move in moves), [2, 4, 4])
        for receipt, invoice in zip(receipts, self.invoices):
            self.assertEqual(invoice.state, "paid")
            line = receipt.move_line_id
            self.assertEqual((line.account_id, line.partner_id, line.credit), (
                invoice.account_id, receipt.partner_id, invoice.amount_total))
            self.assertEqual(line.full_reconcile_id,
                             invoice.move_id.line_ids.filtered("reconciled").full_reconcile_id)
        logged = self.env["ecrm.interaction"].search([("res_model", "=", "ecrm.sage.receipt"),
                                                      ("res_id", "in", receipts.ids)])
        self.assertEqual(len(logged), 5)

    def test_each_chunk_starts_without_the_records_of_the_chunks_before(self):
        moves_cached_at_start = []
        book_chunk = self.Posting._book_chunk

        def spy(posting, header, liquidity, entries, document_lines):
            Move = posting.env["account.move"]
            moves_cached_at_start.append(set(posting.env.cache.get_records(Move, Move._fields["journal_id"]).ids))
            return book_chunk(posting, header, liquidity, entries, document_lines)

        with patch.object(self.Posting, "_book_chunk", spy):
            result = self.import_small_chunks(self.paying_all())
        receipts = self.env["ecrm.sage.receipt"].search([("batch_id", "=", result["batch_id"])], order="id")
        entries = [receipts[start:start + 2].mapped("move_id") for start in range(0, 5, 2)]
        self.assertEqual(len(moves_cached_at_start), 3)
        for chunk, cached in enumerate(moves_cached_at_start):
            booked_before = set().union(*(entry.ids for entry in entries[:chunk]))
            self.assertFalse(cached & booked_before, "chunk %d starts with earlier entries in the cache" % chunk)

    def test_invoices_paid_in_two_receipts_in_one_entry_or_across_chunks(self):
        first, split = self.invoices[0], self.invoices[1]     # 12.00 (HUDD) and 24.00 (WAKE) with VAT
        across = self.invoices[3]                              # 48.00 (WAKE)
        result = self.import_small_chunks(self.receipts_file([
            ("WAKEFIEL", split.number, 10.0), ("WAKEFIEL", split.number, 14.0),      # entry 1, chunk 1
            ("WAKEFIEL", across.number, 20.0), ("HUDDERSF", first.number, 12.0),    # entry 2, chunk 2
            ("WAKEFIEL", across.number, 28.0), ("HUDDERSF", "CHQ 1", 1.0)]))        # entry 3, chunk 3
        self.assertEqual((result["errors"], result["matched"], result["unmatched"]), ([], 5, 1))
        self.assertEqual({first.state, split.state, across.state}, {"paid"})
        receipts = self.env["ecrm.sage.receipt"].search([("batch_id", "=", result["batch_id"]),
                                                         ("state", "=", "matched")], order="id")
        self.assertEqual(len(receipts.mapped("move_id")), 3)
        for invoice, paying in ((split, receipts[0:2]), (across, receipts[2] | receipts[4])):
            self.assertEqual(paying.mapped("invoice_id"), invoice)
            self.assertEqual(set(paying.mapped("move_line_id.reconciled")), {True})
            self.assertEqual(paying.mapped("move_line_id.full_reconcile_id"),
                             invoice.move_id.line_ids.filtered("reconciled").full_reconcile_id)
        self.assertEqual(len(receipts[0:2].mapped("move_id")), 1)
        self.assertNotEqual(receipts[2].move_id, receipts[4].move_id)

    def test_a_failure_in_a_later_chunk_leaves_nothing_of_the_earlier_ones(self):
        counts = lambda: tuple(self.env[model].search_count([]) for model in (  # noqa: E731
            "account.move", "account.partial.reconcile", "ecrm.sage.receipt", "ecrm.interaction"))
        before = counts()
        last = self.invoices[4]
        book_chunk, calls = self.Posting._book_chunk, []

        def settled_meanwhile(posting, header, liquidity, entries, document_lines):
            calls.append(entries)
            if len(calls) == 3:   # the last invoice's line is taken by the time its chunk comes
                posting.env.cr.execute("UPDATE account_move_line SET reconciled = TRUE WHERE move_id = %s"
                                       " AND account_id = %s", (last.move_id.id, last.account_id.id))
                posting.env.cache.invalidate()
            return book_chunk(posting, header, liquidity, entries, document_lines)

        # two receipts per job: the failing chunk comes after two chunks were booked (committed, in production)
        with patch.object(self.Posting, "_book_chunk", settled_meanwhile), patch(BATCH + "RECEIPTS_PER_JOB", 2):
            result = self.import_small_chunks(self.paying_all())
        self.assertEqual((result["applied"], result["batch_id"]), (0, False))
        self.assertRegex(result["errors"][0]["message"], "Receipts 5-6 could not be booked: .*already reconciled.*"
                                                         "Nothing of the file was kept")
        self.assertEqual(len(calls), 3)
        self.env.cache.invalidate()
        self.assertEqual(counts(), before)
        self.assertEqual({invoice.state for invoice in self.invoices[:4]}, {"open"})
        batch = self.env["ecrm.sage.batch"].search([("backend_id", "=", self.backend.id), ("kind", "=", "receipts")])
        self.assertEqual((batch.state, batch.record_count, batch.sudo().staged_rows), ("failed", 0, False))
        self.assertIn("already reconciled", batch.log)

    def booking_statements(self, invoices, receipts_per_entry, entries_per_chunk):
        """SQL statements booking receipts for ``invoices`` took, with these chunk sizes."""
        counted, book_all = [], self.Posting._book_all

        def counting(posting, backend, bookings):
            before = posting.env.cr.sql_log_count
            book_all(posting, backend, bookings)
            counted.append(posting.env.cr.sql_log_count - before)

        text = self.receipts_file([(self.ref_of(invoice.partner_id), invoice.number, invoice.amount_total)
                                   for invoice in invoices])
        with patch(POSTING + "RECEIPTS_PER_ENTRY", receipts_per_entry), \
                patch(POSTING + "ENTRIES_PER_CHUNK", entries_per_chunk), \
                patch.object(self.Posting, "_book_all", counting):
            result = self.import_csv("receipts", text)
        self.assertEqual((result["errors"], result["matched"]), ([], len(invoices)))
        return counted[0]

    def test_the_default_chunks_make_cache_clear_outs_a_small_share_of_the_statements(self):
        """Each clear-out makes the next chunk read again what it needs (journal, accounts,
        partners, the invoices' lines): measured here in SQL statements, with the same entries
        booked in one chunk and in one chunk per entry. With the module's own sizes, that
        re-reading must stay under 1 % of what booking a chunk costs anyway (measured: about 20
        statements per clear-out, 180 per receipt)."""
        more = [self.post_invoice(partner, [amount]) for partner, amount in (
            (self.hudd, 11.0), (self.wake, 21.0), (self.hudd, 31.0), (self.wake, 41.0), (self.hudd, 51.0),
            (self.wake, 61.0), (self.hudd, 71.0), (self.wake, 81.0), (self.hudd, 91.0), (self.wake, 101.0),
            (self.hudd, 111.0), (self.wake, 121.0), (self.hudd, 131.0))]
        self.export("invoices")
        self.booking_statements(more[:1], 2, 20)                            # warm the ORM caches
        split = self.booking_statements(more[1:7], 2, 1)                    # 3 entries, 3 chunks
        together = self.booking_statements(more[7:13], 2, 20)               # 3 entries, 1 chunk
        per_clear_out = (split - together) / 2
        per_receipt = together / 6
        self.assertGreater(per_clear_out, 0, "a clear-out costs re-reads, or this measures nothing")
        chunk = posting_module.ENTRIES_PER_CHUNK * posting_module.RECEIPTS_PER_ENTRY
        self.assertLess(per_clear_out / (chunk * per_receipt), 0.01,
                        "re-reading after each clear-out costs %.0f statements, booking a receipt %.0f: "
                        "chunks of %d receipts spend too much of their time re-reading"
                        % (per_clear_out, per_receipt, chunk))
