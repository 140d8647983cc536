# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The host's own events on the timeline: e-mails, orders, invoices, leads, done activities.

Each host model says which events a record of it implies (``_ecrm_timeline_rows``); this
logs them, under the company's Settings, with the keys that make a second logging a no-op.
"""
import logging

import psycopg2

from odoo import api, models
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import email_split

from ..timeline import host_events
from ..timeline import rows as interaction_rows
from .ecrm_interaction import source_key_of

_logger = logging.getLogger(__name__)


def sender_address(email_from):
    """The lower-case address of "Name <address>", or None."""
    addresses = email_split(email_from or "")
    return addresses[0].strip().lower() if addresses else None


class EcrmInteraction(models.Model):
    _inherit = "ecrm.interaction"

    @api.model
    def _host_families_on(self, company=None):
        company = (company or self.env.user.company_id).sudo()
        return {family for family in host_events.FAMILIES if company["ecrm_log_host_%s" % family]}

    @api.model
    def _host_row(self, kind, partner, record, event_key, name, date=None, body=None):
        """(family, log_many row) of one host event of ``record`` for its customer ``partner``.

        The entry belongs to the document's company (else the acting user's), whose Settings
        say whether it is logged.
        """
        company = "company_id" in record._fields and record.sudo().company_id or self.env.user.company_id
        row = {
            "partner_id": partner.id, "channel": kind.channel, "direction": kind.direction,
            "interaction_type": kind.code, "subject": host_events.subject(kind, name),
            "res_model": record._name, "res_id": record.id, "source_key": event_key,
            "user_id": self.env.uid, "company_id": company.id,
        }
        if date:
            row["date"] = date
        if body:
            row["body"] = body
        return kind.family, row

    @api.model
    def _host_rows_to_log(self, family_rows):
        """The rows of ``family_rows`` to log: their family on in their company's Settings, their
        key not on the timeline yet, each key once. Most writes that could bring an event bring
        none new (a lead edited once more): one query tells."""
        families = {}
        switched_on = []
        for family, row in family_rows:
            company_id = row["company_id"]
            if company_id not in families:
                families[company_id] = self._host_families_on(self.env["res.company"].browse(company_id))
            if family in families[company_id]:
                switched_on.append(row)
        stored = self._ids_by_source_key(map(source_key_of, switched_on))
        return [switched_on[position] for position in interaction_rows.first_of_each_key(switched_on)
                if source_key_of(switched_on[position]) not in stored]

    @api.model
    def _log_host_rows(self, family_rows):
        """Log the host events whose company's Settings turn their family on; their ids.

        As superuser: whoever confirms the order or posts the invoice, eCRM groups or not,
        the customer's timeline gets the event, and ``user_id`` keeps who did it. The host's
        operation never fails for the timeline's sake: a concurrency error goes up, to be
        retried with the operation, as the host's own would; anything else is logged.
        """
        rows = self._host_rows_to_log(family_rows)
        if not rows:
            return []
        Interaction = self.sudo()
        try:
            with self.env.cr.savepoint():
                page = interaction_rows.MAX_ROWS
                return [record_id for start in range(0, len(rows), page)
                        for record_id in Interaction._log_many(rows[start:start + page], host_keys=True)]
        except psycopg2.OperationalError as error:
            if error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY:
                raise
            _logger.exception("%d host event(s) could not be logged on the timeline", len(rows))
        except Exception:
            _logger.exception("%d host event(s) could not be logged on the timeline", len(rows))
        self.invalidate_cache()
        return []

    @api.model
    def _host_customers(self, res_model, res_ids, by_email=False):
        """{record id: its customer (res.partner)} for records of ``res_model``.

        A customer is the record itself, or its ``partner_id``. With ``by_email`` (for records
        whose address the company keeps itself, such as its mailing lists' subscribers, never
        one that anyone can type, such as a website lead's), failing that, the contact with the
        address in its ``email_from`` or ``email``. Records with neither are left out.
        """
        if res_model not in self.env:
            return {}
        records = self.env[res_model].sudo().with_context(active_test=False).browse(set(res_ids)).exists()
        if res_model == "res.partner":
            return {partner.id: partner for partner in records}
        customers = {}
        field = records._fields.get("partner_id")
        if field and field.type == "many2one" and field.comodel_name == "res.partner":
            customers = {record.id: record.partner_id for record in records if record.partner_id}
        email_field = next((name for name in ("email_from", "email") if name in records._fields), None)
        unmatched = records.filtered(lambda record: record.id not in customers)
        if by_email and email_field and unmatched:
            by_address = self._host_partners_by_email(sender_address(record[email_field]) for record in unmatched)
            for record in unmatched:
                partner = by_address.get(sender_address(record[email_field]))
                if partner:
                    customers[record.id] = partner
        return customers

    @api.model
    def _host_partners_by_email(self, emails):
        """{lower-case e-mail: the oldest active contact with it}, in one query."""
        emails = list({email for email in emails if email})
        if not emails:
            return {}
        self.env.cr.execute("""
            SELECT DISTINCT ON (lower(trim(email))) lower(trim(email)), id FROM res_partner
             WHERE lower(trim(email)) = ANY(%s) AND active ORDER BY lower(trim(email)), id""", (emails,))
        Partner = self.env["res.partner"].sudo()
        return {email: Partner.browse(partner_id) for email, partner_id in self.env.cr.fetchall()}
