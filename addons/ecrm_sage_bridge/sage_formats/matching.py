"""Match money that moved in Sage to open Odoo documents.

Receipts (SR allocated, SA on account) pay invoices: first by reference (the
invoice number Sage carries in the receipt's reference), then by account and
exact amount (oldest open invoice first), then by account and an amount equal
to an invoice less an open credit note of the same customer (the customer paid
the net, as Sage allocates a receipt and a credit against one invoice).
Payments (SP, a refund paid out) settle open credit notes the same way, by
reference then by account and amount.
"""
from collections import namedtuple

INVOICE, CREDIT_NOTE = "invoice", "credit_note"
MONEY_IN = ("SR", "SA")
MONEY_OUT = ("SP",)

OpenDocument = namedtuple("OpenDocument", "id kind reference account_ref residual date")
# document_ids: the documents the receipt settles together (an invoice, or an invoice and
# the credit note it was netted with); empty when unmatched.
Match = namedtuple("Match", "receipt document_ids method")


class _OpenBook:
    """Open documents of one kind per account, with what is left to pay on each."""

    def __init__(self, documents):
        self.residual = {document.id: document.residual for document in documents}
        self.by_reference = {}
        self.by_account = {}
        for document in sorted(documents, key=lambda doc: (doc.date, doc.id)):
            self.by_reference[(document.account_ref, document.reference.strip().upper())] = document
            self.by_account.setdefault(document.account_ref, []).append(document)

    def referenced(self, account_ref, reference):
        document = self.by_reference.get((account_ref, reference.strip().upper()))
        return document if document and self.residual[document.id] > 0 else None

    def of_amount(self, account_ref, amount):
        return next((doc for doc in self.by_account.get(account_ref, ()) if self.residual[doc.id] == amount), None)

    def open(self, account_ref):
        return [doc for doc in self.by_account.get(account_ref, ()) if self.residual[doc.id] > 0]

    def settle(self, document, amount):
        self.residual[document.id] -= amount


def match_receipts(receipts, open_documents):
    """Return one Match per receipt, in receipt order."""
    invoices = _OpenBook([doc for doc in open_documents if doc.kind == INVOICE])
    credits = _OpenBook([doc for doc in open_documents if doc.kind == CREDIT_NOTE])
    matches = []
    for receipt in receipts:
        if receipt.type in MONEY_OUT:
            matches.append(_match_one(receipt, credits))
            continue
        match = _match_one(receipt, invoices)
        matches.append(match if match.document_ids else _match_net_of_credit(receipt, invoices, credits))
    return matches


def _match_one(receipt, book):
    document = book.referenced(receipt.account_ref, receipt.reference)
    method = "reference"
    if not document:
        document, method = book.of_amount(receipt.account_ref, receipt.amount), "amount"
    if not document:
        return Match(receipt, (), None)
    book.settle(document, receipt.amount)
    return Match(receipt, (document.id,), method)


def _match_net_of_credit(receipt, invoices, credits):
    for invoice in invoices.open(receipt.account_ref):
        for credit in credits.open(receipt.account_ref):
            if invoices.residual[invoice.id] - credits.residual[credit.id] == receipt.amount:
                credit_left = credits.residual[credit.id]
                credits.settle(credit, credit_left)
                invoices.settle(invoice, receipt.amount + credit_left)
                return Match(receipt, (invoice.id, credit.id), "net_of_credit")
    return Match(receipt, (), None)
