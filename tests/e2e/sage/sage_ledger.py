"""A stand-in for the Sage 50 ledger on the other side of the files, for the round-trip tests.

It reads what the bridge exported (customer records and audit-trail SI/SC
lines) the way Sage's import wizard would, keeps per-account balances, pays
invoices with SA receipts carrying the invoice number, and writes the
receipts and customer-balances files Sage would export back. It shares no
code with the bridge on purpose: both sides read the same documented layout.
"""
import csv
import datetime
import io
from collections import OrderedDict
from decimal import Decimal


class SageLedger:
    def __init__(self, company_code, opening_balances=None):
        self.company_code = company_code
        self.balances = OrderedDict((ref, Decimal(str(amount))) for ref, amount in (opening_balances or {}).items())
        self.documents = OrderedDict()   # (type, account, reference) -> [gross, date]
        self.receipts = []

    @staticmethod
    def _records(text, first_header, width):
        """Rows by header name, each cell as Sage 50 reads it (leading and trailing spaces ignored)."""
        reader = csv.DictReader(io.StringIO(text, newline=""))
        assert reader.fieldnames[0] == first_header and len(reader.fieldnames) == width, reader.fieldnames
        return [{header: value.strip() for header, value in row.items()} for row in reader]

    def import_customers(self, text):
        for row in self._records(text, "Account Reference", 12):
            self.balances.setdefault(row["Account Reference"], Decimal("0"))

    def import_audit_trail(self, text):
        for row in self._records(text, "Type", 15):
            kind, ref, date, reference = row["Type"], row["Account Reference"], row["Date"], row["Reference"]
            assert ref in self.balances, "Account not found: %s" % ref
            gross = Decimal(row["Net Amount"]) + Decimal(row["Tax Amount"])
            key = (kind, ref, reference)
            assert kind in ("SI", "SC"), kind
            document = self.documents.setdefault(key, [Decimal("0"), date])
            document[0] += gross
            self.balances[ref] += gross if kind == "SI" else -gross

    def pay_invoices(self, which=lambda reference: True):
        for (kind, ref, reference), (gross, date) in self.documents.items():
            if kind != "SI" or not which(reference):
                continue
            paid_on = datetime.datetime.strptime(date, "%d/%m/%Y").date() + datetime.timedelta(days=1)
            self.receipts.append(("SA", ref, "1200", "", paid_on.strftime("%d/%m/%Y"), reference,
                                  "Receipt", "%.2f" % gross, "T9", "0.00"))
            self.balances[ref] -= gross

    def receipts_csv(self):
        stream = io.StringIO()
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(["Company", self.company_code])
        writer.writerow(["Type", "Account Reference", "Nominal A/C Ref", "Department Code", "Date", "Reference",
                         "Details", "Net Amount", "Tax Code", "Tax Amount"])
        writer.writerows(self.receipts)
        return stream.getvalue()

    def balances_csv(self):
        stream = io.StringIO()
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(["Company", self.company_code])
        writer.writerow(["Account Reference", "Balance", "Credit Limit", "Overdue", "On Hold"])
        for ref, balance in self.balances.items():
            writer.writerow([ref, "%.2f" % balance, "0.00", "0.00", "No"])
        return stream.getvalue()
