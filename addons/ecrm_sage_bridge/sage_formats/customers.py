"""Sage 50 customer records CSV (account reference first, then the record)."""
import csv
from collections import namedtuple

COLUMNS = (
    "Account Reference", "Account Name", "Street 1", "Street 2", "Town", "County", "Post Code",
    "Contact Name", "Telephone", "E-mail", "VAT Number", "Credit Limit",
)
CustomerRecord = namedtuple("CustomerRecord", [
    "account_ref", "name", "street", "street2", "town", "county", "postcode",
    "contact_name", "phone", "email", "vat", "credit_limit"])
CustomerRecord.__new__.__defaults__ = ("",) * 9 + (0,)
# Sage 50's customer record field lengths.
LIMITS = (8, 60, 60, 60, 60, 60, 10, 30, 30, 255, 20, None)


def _cells(record):
    cells = []
    for value, limit in zip(record, LIMITS):
        if limit is None:
            cells.append("%.2f" % float(value or 0))
        else:
            cells.append(("" if value in (None, False) else str(value))[:limit])
    return cells


class CustomerWriter:
    def __init__(self, stream, header=True):
        self._writer = csv.writer(stream, lineterminator="\r\n")
        self.count = 0
        if header:
            self._writer.writerow(COLUMNS)

    def write(self, record):
        self._writer.writerow(_cells(record))
        self.count += 1
