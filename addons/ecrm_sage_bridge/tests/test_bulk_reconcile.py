from .common import SageCase

LINE_FIELDS = ("amount_residual", "amount_residual_currency", "reconciled", "debit_cash_basis",
               "credit_cash_basis", "balance_cash_basis")


class TestBulkReconcile(SageCase):
    """The bulk path must leave exactly what Odoo's own reconcile() leaves."""

    def setUp(self):
        super().setUp()
        self.journal = self.backend._receipt_journal()

    def paid_invoice(self, reconcile, receipt_amount=None):
        invoice = self.post_invoice(self.hudd, [100.0])
        move = self.env["account.move"].create({
            "journal_id": self.journal.id, "date": "2026-11-05", "line_ids": [
                (0, 0, {"name": "receipt", "partner_id": self.hudd.id, "account_id": invoice.account_id.id,
                        "credit": receipt_amount or invoice.amount_total}),
                (0, 0, {"name": "receipt", "partner_id": self.hudd.id,
                        "account_id": self.journal.default_debit_account_id.id,
                        "debit": receipt_amount or invoice.amount_total})]})
        move.post()
        receivable = (move.line_ids | invoice.move_id.line_ids).filtered(
            lambda line: line.account_id == invoice.account_id)
        reconcile(receivable)
        return invoice, receivable

    def snapshot(self, invoice, receivable):
        invoice.invalidate_cache()
        lines = invoice.move_id.line_ids.sorted("id") | receivable.sorted("id")
        partials = receivable.mapped("matched_debit_ids") | receivable.mapped("matched_credit_ids")
        return {
            "invoice": (invoice.state, invoice.residual, invoice.reconciled, invoice.move_id.matched_percentage),
            "lines": [tuple(line[name] for name in LINE_FIELDS) + (bool(line.full_reconcile_id),) for line in lines],
            "partials": sorted((partial.amount, partial.max_date, partial.company_id.id, bool(partial.full_reconcile_id))
                               for partial in partials),
            "one_full_reconcile": len(receivable.mapped("full_reconcile_id")) == 1,
        }

    def test_bulk_and_odoo_reconciliations_are_the_same(self):
        bulk = self.env["ecrm.sage.bulk.reconcile"]

        def bulk_reconcile(lines):
            self.assertEqual(bulk._split([lines]), ([lines], []), "the bulk path must take this group")
            bulk._reconcile([lines])
        for amount in (None, 50.0):
            odoo_way = self.snapshot(*self.paid_invoice(lambda lines: lines.reconcile(), amount))
            bulk_way = self.snapshot(*self.paid_invoice(bulk_reconcile, amount))
            self.assertEqual(bulk_way, odoo_way)
        self.assertEqual(odoo_way["invoice"][:3], ("open", 70.0, False))

    def test_groups_the_bulk_path_cannot_take_go_through_odoo(self):
        invoice, receivable = self.paid_invoice(lambda lines: None, 50.0)
        receivable.reconcile()                                    # an earlier partial payment
        simple, others = self.env["ecrm.sage.bulk.reconcile"]._split([receivable])
        self.assertEqual((simple, others), ([], [receivable]))
