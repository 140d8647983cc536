# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, models
from odoo.tools import html2plaintext

from ..timeline import host_events

# context key: {field: value} that the entries of the messages created under it take
TIMELINE_OVERRIDES = "ecrm_timeline_overrides"
# the host's activity types (mail's data) and what a done one is on the timeline
ACTIVITY_KINDS = {
    "mail.mail_activity_data_call": host_events.ACTIVITY_CALL,
    "mail.mail_activity_data_meeting": host_events.ACTIVITY_MEETING,
    "mail.mail_activity_data_email": host_events.ACTIVITY_EMAIL,
}


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def create(self, values):
        message = super().create(values)
        # cheap tests first: most messages are tracking notifications or notes; a quotation's
        # e-mail is its quotation_sent entry (sale_order.py)
        if values.get("model") and values.get("res_id") and not self.env.context.get("mark_so_as_sent"):
            rows = message._ecrm_timeline_rows()
            overrides = self.env.context.get(TIMELINE_OVERRIDES)
            if rows and overrides:  # e.g. a mass mailing's: its type and UTM (ecrm_marketing)
                rows = [(family, dict(row, **overrides)) for family, row in rows]
            if rows:
                self.env["ecrm.interaction"]._log_host_rows(rows)
        return message

    @api.multi
    def _ecrm_is_customer_contact(self):
        """An e-mail or a message (not an internal note, not a notification), or a done activity."""
        self.ensure_one()
        if self.mail_activity_type_id:
            return True
        subtype = self.subtype_id
        if self.message_type == "email":
            return not subtype.internal
        return self.message_type == "comment" and bool(subtype) and not subtype.internal

    @api.multi
    def _ecrm_timeline_rows(self):
        """(family, row) for each of these messages that is contact with a customer."""
        contact = self.sudo().filtered(lambda message: message.model and message.res_id
                                       and message._ecrm_is_customer_contact())
        by_model = defaultdict(list)
        for message in contact:
            by_model[message.model].append(message.res_id)
        Interaction = self.env["ecrm.interaction"]
        customers = {model: Interaction._host_customers(model, ids) for model, ids in by_model.items()}
        activity_kinds = self._ecrm_activity_kinds()
        rows = []
        for message in contact:
            partner = customers[message.model].get(message.res_id)
            if not partner:
                continue
            if message.mail_activity_type_id:
                activity_type = message.mail_activity_type_id
                kind = activity_kinds.get(activity_type.id, host_events.ACTIVITY_OTHER)
                if activity_type.category == "meeting":
                    kind = host_events.ACTIVITY_MEETING
                name = activity_type.name
            else:
                author_is_staff = any(not user.share for user in message.author_id.user_ids)
                kind = host_events.message_kind(author_is_staff)
                name = message.subject or message.record_name or kind.code.replace("_", " ").capitalize()
            rows.append(Interaction._host_row(
                kind, partner, self.env[message.model].browse(message.res_id),
                host_events.message_key(message.message_id, message.id), name,
                date=message.date, body=html2plaintext(message.body or "") or None))
        return rows

    @api.model
    def _ecrm_activity_kinds(self):
        kinds = {}
        for xmlid, kind in ACTIVITY_KINDS.items():
            activity_type = self.env.ref(xmlid, raise_if_not_found=False)
            if activity_type:
                kinds[activity_type.id] = kind
        return kinds
