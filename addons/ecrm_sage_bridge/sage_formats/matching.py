"""Match receipts from Sage to open Odoo invoices.

First by reference (the invoice number Sage carries in the receipt's
reference), then by account and exact amount (oldest open invoice first), as
SA receipts on account usually carry no usable reference.
"""
from collections import namedtuple

OpenInvoice = namedtuple("OpenInvoice", "id reference account_ref residual date")
Match = namedtuple("Match", "receipt invoice_id method")


def match_receipts(receipts, open_invoices):
    """Return one Match per receipt, in receipt order; invoice_id None when unmatched."""
    residual = {invoice.id: invoice.residual for invoice in open_invoices}
    by_reference = {}
    by_account = {}
    for invoice in sorted(open_invoices, key=lambda inv: (inv.date, inv.id)):
        by_reference[(invoice.account_ref, invoice.reference.strip().upper())] = invoice
        by_account.setdefault(invoice.account_ref, []).append(invoice)
    matches = []
    for receipt in receipts:
        invoice = by_reference.get((receipt.account_ref, receipt.reference.strip().upper()))
        if invoice and residual[invoice.id] > 0:
            residual[invoice.id] -= receipt.amount
            matches.append(Match(receipt, invoice.id, "reference"))
            continue
        candidate = next((inv for inv in by_account.get(receipt.account_ref, ())
                          if residual[inv.id] == receipt.amount), None)
        if candidate:
            residual[candidate.id] = 0
            matches.append(Match(receipt, candidate.id, "amount"))
        else:
            matches.append(Match(receipt, None, None))
    return matches
