# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The host's own events on the timeline: e-mails, orders, invoices, leads, done activities.

Each host model says which events a record of it implies (``_ecrm_timeline_rows``); this
logs them, under the company's Settings, with the keys that make a second logging a no-op.
"""
from odoo import api, models

from ..timeline import host_events


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
        """{record id: its customer (res.partner)} for records of a model with a customer."""
        if res_model not in self.env:
            return {}
        records = self.env[res_model].sudo().browse(set(res_ids)).exists()
        if res_model == "res.partner":
            return {partner.id: partner for partner in records}
        field = records._fields.get("partner_id")
        if not field or field.type != "many2one" or field.comodel_name != "res.partner":
            return {}
        return {record.id: record.partner_id for record in records if record.partner_id}
