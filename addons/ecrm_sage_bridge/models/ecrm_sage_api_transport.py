# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..sage_formats.bca_api import SageApiError, SageClient, customer_balances
from .ecrm_sage_api_token import TokenStore

# Sage 50 tax codes -> Sage Business Cloud UK tax rate ids.
TAX_RATE_IDS = {"T0": "GB_ZERO", "T1": "GB_STANDARD", "T2": "GB_EXEMPT", "T5": "GB_LOWER", "T9": "GB_NO_TAX"}


class EcrmSageApiTransport(models.AbstractModel):
    """Sends an export plan through the Sage Business Cloud Accounting API instead of a file.

    Every record is created with ``create_once`` (looked up by its reference
    first), so a run killed after Sage accepted some records but before Odoo
    committed their bindings is finished by the next run without duplicates.
    """

    _name = "ecrm.sage.api.transport"
    _description = "Sage Business Cloud transport"

    @api.model
    def _client(self, backend):
        if not (backend.api_url and backend.api_token_url and backend.api_business_id):
            raise UserError(_("Backend %s needs the API URL, token URL and business id.") % backend.name)
        return SageClient(
            backend.api_url, backend.api_token_url, backend.api_client_id, backend.api_client_secret,
            backend.api_business_id, TokenStore(self.pool, backend.id, backend.api_refresh_token))

    @api.model
    def _push(self, backend, kind, plan):
        """Create the plan's records in Sage; fills each binding's sage_id.

        A SageApiError goes up as it is: the job that called decides whether to try again."""
        client = self._client(backend)
        if kind == "customers":
            self._push_contacts(client, plan)
        else:
            self._push_invoices(client, backend, plan)

    @staticmethod
    def _push_contacts(client, plan):
        """Create each customer once; one Sage already has (changed in Odoo, or sent by a run that
        was killed) gets the record's current fields (PUT), so what the binding says was sent is
        what Sage holds."""
        by_ref = {values["sage_ref"]: values for values in plan["bindings"]}
        for record in plan["records"]:
            body = {
                "name": record.name, "reference": record.account_ref, "contact_type_ids": ["CUSTOMER"],
                "email": record.email or None, "telephone": record.phone or None,
                "tax_number": record.vat or None, "credit_limit": float(record.credit_limit or 0),
                "main_address": {"address_line_1": record.street or None, "address_line_2": record.street2 or None,
                                 "city": record.town or None, "region": record.county or None,
                                 "postal_code": record.postcode or None}}
            contact, created = client.create_once("contacts", "contact", body)
            if not created:
                contact = client.update("contacts", contact["id"], "contact", body)
            if record.account_ref in by_ref:
                by_ref[record.account_ref]["sage_id"] = contact["id"]

    @staticmethod
    def _push_invoices(client, backend, plan):
        contact_ids = {}
        ledger_ids = {item.get("nominal_code"): item["id"] for item in client.iterate(
            "ledger_accounts", {"attributes": "nominal_code"})}
        offered = {item["id"] for item in client.iterate("tax_rates")}
        missing = sorted({line.tax_code for lines in plan["records"] for line in lines
                          if TAX_RATE_IDS.get(line.tax_code, line.tax_code) not in offered})
        if missing:
            raise SageApiError("this Sage business has no tax rate for tax code(s) %s" % ", ".join(missing))
        for lines, values in zip(plan["records"], plan["bindings"]):
            account_ref = lines[0].account_ref
            if account_ref not in contact_ids:
                contact = client.find_by_reference("contacts", account_ref)
                if not contact:
                    raise SageApiError("contact %s is not in Sage: export customers first" % account_ref)
                contact_ids[account_ref] = contact["id"]
            path, key = (("sales_credit_notes", "sales_credit_note") if lines[0].type == "SC"
                         else ("sales_invoices", "sales_invoice"))
            day, month, year = lines[0].date.split("/")
            document, _created = client.create_once(path, key, {
                "contact_id": contact_ids[account_ref], "date": "%s-%s-%s" % (year, month, day),
                "reference": lines[0].reference,
                "invoice_lines" if key == "sales_invoice" else "credit_note_lines": [{
                    "description": line.details or line.reference, "quantity": 1, "unit_price": float(line.net),
                    "ledger_account_id": ledger_ids.get(line.nominal_code, line.nominal_code),
                    "tax_rate_id": TAX_RATE_IDS.get(line.tax_code, line.tax_code),
                    "tax_amount": float(line.tax)} for line in lines]})
            values["sage_id"] = document["id"]

    @api.model
    def _balances(self, backend, by_ref):
        """Balances and credit limits of the customers Odoo exported, as parsed balance rows.

        Sage Business Cloud keeps no on-hold status, so it is left as it was. A SageApiError goes up.
        """
        ref_by_contact = {binding.sage_id: ref for ref, binding in by_ref.items() if binding.sage_id}
        client = self._client(backend)
        contacts = list(client.iterate("contacts", {"contact_type_id": "CUSTOMER", "show_balance": "true",
                                                    "attributes": "reference,balance,credit_limit"}))
        unpaid = [invoice for status in ("UNPAID", "PART_PAID") for invoice in client.iterate(
            "sales_invoices", {"status_id": status, "attributes": "contact,due_date,outstanding_amount"})]
        return customer_balances(contacts, unpaid, ref_by_contact, fields.Date.context_today(self))
