# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.addons.ecrm_core.models.bulk_insert import insert_rows

from ..sage_formats.bca_api import receipts_from_payments
from ..sage_formats.inbound import parse_receipts
from ..sage_formats.matching import CREDIT_NOTE, INVOICE, MONEY_OUT, OpenDocument, match_receipts
from .ecrm_sage_receipt_posting import Booking

DOCUMENT_KINDS = {"out_invoice": INVOICE, "out_refund": CREDIT_NOTE}
# Sage Business Cloud contact payment types -> the Sage 50 type they stand for.
API_PAYMENT_TYPES = (("CUSTOMER_RECEIPT", "SR"), ("CUSTOMER_REFUND", "SP"))


class EcrmSageReceipt(models.Model):
    """Money that moved in Sage for a customer: a receipt (SR / SA) or a refund paid out (SP).

    Matched ones are booked in the receipts journal and reconciled with the
    documents they settle; the others wait in the review list.
    """

    _name = "ecrm.sage.receipt"
    _description = "Receipt from Sage"
    _order = "date desc, id desc"
    _rec_name = "reference"

    backend_id = fields.Many2one("ecrm.sage.backend", required=True, ondelete="restrict", index=True, readonly=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, readonly=True, index=True)
    batch_id = fields.Many2one("ecrm.sage.batch", readonly=True, ondelete="set null")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, readonly=True)
    account_ref = fields.Char(string="Sage account", readonly=True)
    sage_type = fields.Selection([("SR", "Sales receipt"), ("SA", "Receipt on account"),
                                  ("SP", "Refund paid (sales payment)")], readonly=True)
    date = fields.Date(required=True, readonly=True)
    reference = fields.Char(readonly=True)
    details = fields.Char(readonly=True)
    amount = fields.Monetary(required=True, readonly=True)
    currency_id = fields.Many2one(related="backend_id.company_id.currency_id", readonly=True)
    transaction_key = fields.Char(required=True, readonly=True, index=True)
    state = fields.Selection([("unmatched", "To review"), ("matched", "Registered")],
                             required=True, default="unmatched", index=True, readonly=True)
    match_method = fields.Selection([("reference", "By reference"), ("amount", "By account and amount"),
                                     ("net_of_credit", "Invoice less a credit note"), ("manual", "By hand")],
                                    readonly=True)
    invoice_id = fields.Many2one("account.invoice", string="Document", index=True,
                                 help="The invoice a receipt pays, or the credit note a refund (SP) settles.",
                                 domain="[('commercial_partner_id', '=', partner_id), ('state', '=', 'open'),"
                                        " ('type', 'in', ('out_invoice', 'out_refund'))]")
    credit_note_id = fields.Many2one("account.invoice", string="Netted credit note", readonly=True,
                                     help="The credit note the customer deducted from the invoice when paying.")
    move_line_id = fields.Many2one("account.move.line", string="Receivable entry", readonly=True)
    move_id = fields.Many2one(related="move_line_id.move_id", string="Bank entry", readonly=True)

    _sql_constraints = [
        ("transaction_unique", "unique(backend_id, transaction_key)", "This Sage receipt was imported already."),
    ]

    @api.model_cr
    def init(self):
        """Index the journal items' full reconciliation (Odoo 11 has none on it).

        Every full reconciliation Odoo writes searches the items of its number
        (reconciled_line_ids); unindexed, that is a scan of the whole journal-item
        table per receipt booked: 22 ms each at 30,000 items, growing with the ledger.
        Not named <table>_<field>_index: Odoo drops an index of that name whenever
        it sets up account.move.line, as the field itself is not indexed.
        """
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS ecrm_sage_move_line_full_reconcile_index
                ON account_move_line (full_reconcile_id) WHERE full_reconcile_id IS NOT NULL""")

    @api.multi
    def action_register_payment(self):
        """Review list: a person picked the document, the receipt is booked against it."""
        for receipt in self:
            if receipt.state != "unmatched" or not receipt.invoice_id:
                raise UserError(_("Pick the invoice this unmatched receipt pays (a credit note for a refund) first."))
            if receipt.sage_type in MONEY_OUT and receipt.invoice_id.type != "out_refund":
                raise UserError(_("A refund paid out (SP) settles a credit note, not an invoice."))
            if receipt.sage_type not in MONEY_OUT and receipt.invoice_id.type != "out_invoice":
                raise UserError(_("A receipt settles a customer invoice, not a credit note."))
            self.env["ecrm.sage.receipt.posting"].sudo()._book(receipt.backend_id, receipt.sudo())
            receipt.write({"state": "matched", "match_method": "manual"})
        return True

    @api.model
    def _import_receipts(self, backend, data, open_batch):
        """Read and match the receipts (``data`` None: from the Sage API), then stage them in the batch
        ``open_batch()`` creates (none for a dry run): every Sage call happens before the first write.

        Nothing is booked here: the staged rows are booked by the batch's chunk jobs
        (``ecrm.sage.batch._sage_job_book_receipts``), each in its own short transaction.
        """
        partner_by_ref = self._partner_by_ref(backend)
        already = self._known_keys(backend)
        if data is None:
            parsed = self._receipts_from_api(backend, already)
        else:
            parsed = parse_receipts(data, set(partner_by_ref), backend.sage_company_code, already,
                                    self._exported_documents(backend))
        return self._stage(backend, parsed, partner_by_ref, open_batch)

    @api.model
    def _partner_by_ref(self, backend):
        return {binding.sage_ref: res_id for res_id, binding in
                self.env["ecrm.sage.batch"]._bindings(backend, "res.partner").items()}

    @api.model
    def _known_keys(self, backend):
        """Keys of receipts imported before, or staged by an import still being booked."""
        self.env.cr.execute("SELECT transaction_key FROM ecrm_sage_receipt WHERE backend_id = %s", (backend.id,))
        already = {row[0] for row in self.env.cr.fetchall()}
        for batch in self.env["ecrm.sage.batch"].search([("backend_id", "=", backend.id),
                                                         ("state", "=", "importing")]):
            already.update(row["transaction_key"] for row in batch._staged())
        return already

    @api.model
    def _stage(self, backend, parsed, partner_by_ref, open_batch):
        if parsed.errors:
            return {"applied": 0, "errors": parsed.errors}
        matches = match_receipts(parsed.records, self._open_documents(backend, partner_by_ref))
        matched = [match for match in matches if match.document_ids]
        batch = open_batch()
        if batch:
            batch._stage_rows(self._rows(backend, batch, matches, partner_by_ref))
        log = _("%d receipt(s): %d registered as payments, %d left for review.") % (
            len(matches), len(matched), len(matches) - len(matched))
        return {"applied": len(matches), "errors": [], "log": log,
                "matched": len(matched), "unmatched": len(matches) - len(matched)}

    @api.model
    def _receipts_from_api(self, backend, already):
        """Customer receipts and refunds polled from Sage Business Cloud (it has no webhooks), as parsed rows.

        Receipts imported before are left out (each poll sees them again); a receipt from
        a contact Odoo does not know is an error that stops the whole import. A SageApiError goes up.
        """
        self.env.cr.execute("""
            SELECT sage_id, sage_ref FROM ecrm_sage_binding
             WHERE backend_id = %s AND res_model = 'res.partner' AND sage_id IS NOT NULL""", (backend.id,))
        ref_by_contact = dict(self.env.cr.fetchall())
        client = self.env["ecrm.sage.api.transport"]._client(backend)
        payments = [(sage_type, payment) for transaction_type, sage_type in API_PAYMENT_TYPES
                    for payment in client.iterate("contact_payments", {
                        "transaction_type_id": transaction_type, "from_date": backend.start_date,
                        "attributes": "all"})]
        return receipts_from_payments(payments, ref_by_contact, already)

    @api.model
    def _exported_documents(self, backend):
        """Invoice / credit note number -> the account reference it was exported under.

        Two plain reads joined here: joined in SQL, a planner that has not seen the
        bindings a big export has just written picks a nested loop over both sets
        (measured: 34 s for 10,000 invoices and 8,000 customers).
        """
        self.env.cr.execute("""
            SELECT partner_id, sage_ref FROM ecrm_sage_binding
             WHERE backend_id = %s AND res_model = 'res.partner' AND partner_id IS NOT NULL""", (backend.id,))
        ref_of_customer = dict(self.env.cr.fetchall())
        self.env.cr.execute("""
            SELECT upper(sage_ref), partner_id FROM ecrm_sage_binding
             WHERE backend_id = %s AND res_model = 'account.invoice'""", (backend.id,))
        return {number: ref_of_customer[partner_id] for number, partner_id in self.env.cr.fetchall()
                if partner_id in ref_of_customer}

    @api.model
    def _open_documents(self, backend, partner_by_ref):
        ref_by_partner = {partner_id: ref for ref, partner_id in partner_by_ref.items()}
        self.env.cr.execute("""
            SELECT id, type, number, commercial_partner_id, residual, date_invoice FROM account_invoice
             WHERE company_id = %s AND type IN ('out_invoice', 'out_refund') AND state = 'open'
               AND commercial_partner_id IN %s""", (backend.company_id.id, tuple(ref_by_partner) or (0,)))
        return [OpenDocument(invoice_id, DOCUMENT_KINDS[kind], number or "", ref_by_partner[partner_id],
                             Decimal(str(residual)).quantize(Decimal("0.01")), date)
                for invoice_id, kind, number, partner_id, residual, date in self.env.cr.fetchall()]

    @api.model
    def _rows(self, backend, batch, matches, partner_by_ref):
        """The receipts to insert, as plain JSON-able values, with the documents each settles."""
        rows = []
        for match in matches:
            receipt = match.receipt
            invoice_id, credit_note_id = (tuple(match.document_ids) + (None, None))[:2]
            rows.append({
                "backend_id": backend.id, "company_id": backend.company_id.id, "batch_id": batch.id,
                "partner_id": partner_by_ref[receipt.account_ref], "account_ref": receipt.account_ref,
                "sage_type": receipt.type, "date": receipt.date, "reference": receipt.reference,
                "details": receipt.details, "amount": float(receipt.amount), "transaction_key": receipt.key,
                "invoice_id": invoice_id, "credit_note_id": credit_note_id,
                "state": "matched" if invoice_id else "unmatched", "match_method": match.method,
                "document_ids": list(match.document_ids)})
        return rows

    @api.model
    def _apply_rows(self, backend, rows):
        """Store staged receipts, book the matched ones and log them all; returns the new ids in order.

        Receipts are inserted with multi-row INSERTs and booked and logged from plain
        values: nothing here keeps records of the whole chunk.
        """
        columns = [{key: value for key, value in row.items() if key != "document_ids"} for row in rows]
        ids = self._insert_many(columns)
        self.env["ecrm.sage.receipt.posting"]._book_all(backend, [
            Booking(receipt_id, row["partner_id"], row["sage_type"], row["date"], row["reference"],
                    row["account_ref"], row["amount"], tuple(row["document_ids"]))
            for receipt_id, row in zip(ids, rows) if row["state"] == "matched"])
        self.env["ecrm.interaction"]._log_in_pages(
            [self._interaction_row(receipt_id, row) for receipt_id, row in zip(ids, columns)])
        return ids

    @api.model
    def _insert_many(self, rows):
        """Insert receipts with one INSERT (``insert_rows``); returns their ids in the order of ``rows``.

        The model has no computed field but the stored related company (given in the
        rows), no Python constraint and no mail thread: a create per receipt would
        only add its ORM overhead to a file of 10,000.
        """
        if not rows:
            return []
        return insert_rows(self, {column: [row[column] for row in rows] for column in rows[0]})

    @api.model
    def _interaction_row(self, receipt_id, row):
        """The timeline entry of a receipt stored from ``row`` (the values _apply inserted)."""
        refund = row["sage_type"] in MONEY_OUT
        return {
            "partner_id": row["partner_id"], "channel": "ledger", "direction": "outbound" if refund else "inbound",
            "interaction_type": "sage_refund_paid" if refund else (
                "sage_receipt" if row["state"] == "matched" else "sage_receipt_unmatched"),
            "company_id": row["company_id"], "date": row["date"],
            "subject": (_("Sage refund %s of %.2f paid") if refund else _("Sage receipt %s of %.2f")) % (
                row["reference"] or row["sage_type"], row["amount"]),
            "res_model": "ecrm.sage.receipt", "res_id": receipt_id,
        }
