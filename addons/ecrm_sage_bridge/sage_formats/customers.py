"""Sage 50 customer records CSV (account reference first, then the record).

Lengths are those of Sage 50's customer record fields.
"""
from .sage50_csv import MONEY, TEXT, Column, Sage50Writer, record_type

CUSTOMER_COLUMNS = (
    Column("Account Reference", "account_ref", 8, TEXT),
    Column("Account Name", "name", 60, TEXT),
    Column("Street 1", "street", 60, TEXT),
    Column("Street 2", "street2", 60, TEXT),
    Column("Town", "town", 60, TEXT),
    Column("County", "county", 60, TEXT),
    Column("Post Code", "postcode", 10, TEXT),
    Column("Contact Name", "contact_name", 30, TEXT),
    Column("Telephone", "phone", 30, TEXT),
    Column("E-mail", "email", 255, TEXT),
    Column("VAT Number", "vat", 20, TEXT),
    Column("Credit Limit", "credit_limit", None, MONEY),
)
COLUMNS = tuple(column.header for column in CUSTOMER_COLUMNS)
# Built by field name only, every field given: CustomerRecord(account_ref=..., name=..., ...).
CustomerRecord = record_type("CustomerRecord", CUSTOMER_COLUMNS)


class CustomerWriter(Sage50Writer):
    def __init__(self, stream, header=True):
        super().__init__(stream, CUSTOMER_COLUMNS, header)
