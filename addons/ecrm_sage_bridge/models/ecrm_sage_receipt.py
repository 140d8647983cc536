# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..sage_formats.audit_trail import money
from ..sage_formats.bca_api import SageApiError
from ..sage_formats.inbound import ParseResult, Receipt, RowError, parse_receipts
from ..sage_formats.matching import OpenInvoice, match_receipts


class EcrmSageReceipt(models.Model):
    """A customer receipt read from Sage: matched and registered as a payment, or left for review."""

    _name = "ecrm.sage.receipt"
    _description = "Receipt from Sage"
    _order = "date desc, id desc"
    _rec_name = "reference"

    backend_id = fields.Many2one("ecrm.sage.backend", required=True, ondelete="restrict", index=True, readonly=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, readonly=True, index=True)
    batch_id = fields.Many2one("ecrm.sage.batch", readonly=True, ondelete="set null")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, readonly=True)
    account_ref = fields.Char(string="Sage account", readonly=True)
    sage_type = fields.Selection([("SR", "Sales receipt"), ("SA", "Receipt on account")], readonly=True)
    date = fields.Date(required=True, readonly=True)
    reference = fields.Char(readonly=True)
    details = fields.Char(readonly=True)
    amount = fields.Monetary(required=True, readonly=True)
    currency_id = fields.Many2one(related="backend_id.company_id.currency_id", readonly=True)
    transaction_key = fields.Char(required=True, readonly=True, index=True)
    state = fields.Selection([("unmatched", "To review"), ("matched", "Registered")],
                             required=True, default="unmatched", index=True, readonly=True)
    match_method = fields.Selection([("reference", "By reference"), ("amount", "By account and amount"),
                                     ("manual", "By hand")], readonly=True)
    invoice_id = fields.Many2one("account.invoice", index=True,
                                 domain="[('commercial_partner_id', '=', partner_id), ('state', '=', 'open'),"
                                        " ('type', '=', 'out_invoice')]")
    payment_id = fields.Many2one("account.payment", readonly=True)

    _sql_constraints = [
        ("transaction_unique", "unique(backend_id, transaction_key)", "This Sage receipt was imported already."),
    ]

    @api.multi
    def action_register_payment(self):
        """Review list: a person picked the invoice, the receipt becomes its payment."""
        for receipt in self:
            if receipt.state != "unmatched" or not receipt.invoice_id:
                raise UserError(_("Pick the invoice this unmatched receipt pays first."))
            payment = self.sudo()._register_payments(receipt.backend_id, [(receipt, receipt.invoice_id.id)])[0]
            receipt.write({"state": "matched", "match_method": "manual", "payment_id": payment.id})
        return True

    @api.model
    def _import_receipts(self, backend, data, batch):
        partner_by_ref = {values[1]: res_id for res_id, values in
                          self.env["ecrm.sage.batch"]._bindings(backend, "res.partner").items()}
        self.env.cr.execute("SELECT transaction_key FROM ecrm_sage_receipt WHERE backend_id = %s", (backend.id,))
        already = {row[0] for row in self.env.cr.fetchall()}
        if data is None:
            parsed = self._receipts_from_api(backend, already)
        else:
            parsed = parse_receipts(data, set(partner_by_ref), backend.sage_company_code, already)
        if parsed.errors:
            return {"applied": 0, "errors": parsed.errors}
        matches = match_receipts(parsed.records, self._open_invoices(backend, partner_by_ref))
        matched = [match for match in matches if match.invoice_id]
        if batch:
            self._apply(backend, batch, matches, partner_by_ref)
        log = _("%d receipt(s): %d registered as payments, %d left for review.") % (
            len(matches), len(matched), len(matches) - len(matched))
        return {"applied": len(matches), "errors": [], "log": log,
                "matched": len(matched), "unmatched": len(matches) - len(matched)}

    @api.model
    def _receipts_from_api(self, backend, already):
        """Customer receipts polled from Sage Business Cloud (it has no webhooks), as parsed rows.

        Receipts imported before are left out (each poll sees them again); a receipt from
        a contact Odoo does not know is an error that stops the whole import.
        """
        self.env.cr.execute("""
            SELECT sage_id, sage_ref FROM ecrm_sage_binding
             WHERE backend_id = %s AND res_model = 'res.partner' AND sage_id IS NOT NULL""", (backend.id,))
        ref_by_contact = dict(self.env.cr.fetchall())
        client = self.env["ecrm.sage.api.transport"]._client(backend)
        records, errors = [], []
        try:
            payments = list(client.iterate("contact_payments", {
                "transaction_type_id": "CUSTOMER_RECEIPT", "from_date": backend.start_date, "attributes": "all"}))
        except SageApiError as error:
            return ParseResult([], [RowError(0, "Sage API: %s" % error)])
        for number, payment in enumerate(payments, start=1):
            key = "API|%s" % payment["id"]
            if key in already:
                continue
            account_ref = ref_by_contact.get((payment.get("contact") or {}).get("id"))
            if not account_ref:
                errors.append(RowError(number, "payment %s is from a contact not exported from Odoo" % payment["id"]))
                continue
            records.append(Receipt(number, "SR", account_ref, "", payment["date"], payment.get("reference") or "",
                                   payment.get("displayed_as") or "", money(payment["total_amount"]), key))
        return ParseResult([] if errors else records, errors)

    @api.model
    def _open_invoices(self, backend, partner_by_ref):
        ref_by_partner = {partner_id: ref for ref, partner_id in partner_by_ref.items()}
        self.env.cr.execute("""
            SELECT id, number, commercial_partner_id, residual, date_invoice FROM account_invoice
             WHERE company_id = %s AND type = 'out_invoice' AND state = 'open'
               AND commercial_partner_id IN %s""", (backend.company_id.id, tuple(ref_by_partner) or (0,)))
        return [OpenInvoice(invoice_id, number or "", ref_by_partner[partner_id],
                            Decimal(str(residual)).quantize(Decimal("0.01")), date)
                for invoice_id, number, partner_id, residual, date in self.env.cr.fetchall()]

    @api.model
    def _apply(self, backend, batch, matches, partner_by_ref):
        receipts = self.browse()
        for match in matches:
            receipt = match.receipt
            receipts |= self.create({
                "backend_id": backend.id, "batch_id": batch.id, "partner_id": partner_by_ref[receipt.account_ref],
                "account_ref": receipt.account_ref, "sage_type": receipt.type, "date": receipt.date,
                "reference": receipt.reference, "details": receipt.details, "amount": float(receipt.amount),
                "transaction_key": receipt.key, "invoice_id": match.invoice_id,
                "state": "matched" if match.invoice_id else "unmatched", "match_method": match.method})
        matched = receipts.filtered(lambda rec: rec.state == "matched")
        payments = self._register_payments(backend, [(receipt, receipt.invoice_id.id) for receipt in matched])
        for receipt, payment in zip(matched, payments):
            receipt.payment_id = payment
        if not receipts:
            return receipts
        self.env["ecrm.interaction"].log_many([{
            "partner_id": receipt.partner_id.id, "channel": "ledger", "direction": "inbound",
            "interaction_type": "sage_receipt" if receipt.state == "matched" else "sage_receipt_unmatched",
            "company_id": backend.company_id.id, "date": receipt.date,
            "subject": _("Sage receipt %s of %.2f") % (receipt.reference or receipt.sage_type, receipt.amount),
            "res_model": "ecrm.sage.receipt", "res_id": receipt.id,
        } for receipt in receipts])
        return receipts

    @api.model
    def _register_payments(self, backend, receipt_invoice_pairs):
        """One posted account.payment per receipt, reconciled with its invoice."""
        journal = backend._receipt_journal()
        method = self.env.ref("account.account_payment_method_manual_in")
        # No chatter tracking: the batch log and the customer's timeline record these payments,
        # and per-payment tracking messages triple the cost of a 10,000-receipt import.
        Payment = self.env["account.payment"].with_context(
            force_company=backend.company_id.id, tracking_disable=True, mail_notrack=True,
            mail_create_nolog=True)
        payments = []
        for receipt, invoice_id in receipt_invoice_pairs:
            invoice = self.env["account.invoice"].browse(invoice_id)
            payment = Payment.create({
                "payment_type": "inbound", "partner_type": "customer",
                "partner_id": invoice.commercial_partner_id.id, "amount": receipt.amount,
                "currency_id": invoice.currency_id.id, "journal_id": journal.id,
                "payment_method_id": method.id, "payment_date": receipt.date,
                "communication": receipt.reference or invoice.number,
                "invoice_ids": [(6, 0, [invoice_id])],
            })
            payment.post()
            payments.append(payment)
        return payments
