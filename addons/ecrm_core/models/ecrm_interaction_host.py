# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The host's own events on the timeline: e-mails, orders, invoices, leads, done activities.

Each host model says which events a record of it implies (``_ecrm_timeline_rows``); this
logs them, under the company's Settings, with the keys that make a second logging a no-op.
"""
from odoo import api, models
from odoo.tools import email_split

from ..timeline import host_events


def sender_address(email_from):
    """The lower-case address of "Name <address>", or None."""
    addresses = email_split(email_from or "")
    return addresses[0].strip().lower() if addresses else None


class EcrmInteraction(models.Model):
    _inherit = "ecrm.interaction"

    @api.model
    def _host_families_on(self):
        company = self.env.user.company_id.sudo()
        return {family for family in host_events.FAMILIES if company["ecrm_log_host_%s" % family]}

    @api.model
    def _host_row(self, kind, partner, record, event_key, name, date=None, body=None):
        """(family, log_many row) of one host event of ``record`` for its customer ``partner``."""
        row = {
            "partner_id": partner.id, "channel": kind.channel, "direction": kind.direction,
            "interaction_type": kind.code, "subject": host_events.subject(kind, name),
            "res_model": record._name, "res_id": record.id, "source_key": event_key,
            "user_id": self.env.uid,
        }
        if date:
            row["date"] = date
        if body:
            row["body"] = body
        return kind.family, row

    @api.model
    def _log_host_rows(self, family_rows, families=None):
        """Log the rows whose family the Settings (or ``families``) turn on; their ids.

        As superuser: whoever confirms the order or posts the invoice, eCRM groups or not,
        the customer's timeline gets the event; ``user_id`` keeps who did it.
        """
        families = self._host_families_on() if families is None else families
        rows = [row for family, row in family_rows if family in families]
        return self.sudo().log_many(rows) if rows else []

    @api.model
    def _host_customers(self, res_model, res_ids):
        """{record id: its customer (res.partner)} for records of ``res_model``.

        A customer is the record itself, or its ``partner_id``; failing that, the contact with
        the address in its ``email_from`` or ``email`` (a lead from the website, a mailing-list
        subscriber). Records with neither are left out.
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
        if email_field and unmatched:
            by_email = self._host_partners_by_email(sender_address(record[email_field]) for record in unmatched)
            for record in unmatched:
                partner = by_email.get(sender_address(record[email_field]))
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
