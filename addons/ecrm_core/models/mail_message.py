# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, models
from odoo.tools import html2plaintext

from ..timeline import host_events

# context key: {field: value} that the entries of the messages created under it take
TIMELINE_OVERRIDES = "ecrm_timeline_overrides"
# The documents whose messages are contact with their customer, and whether a document
# without one finds it by its e-mail address (a mailing list's own subscribers; never a lead,
# whose address anyone can type into the website form). Messages elsewhere (tasks, purchase
# orders, applicants, pickings) stay where the host's access rules keep them.
CUSTOMER_DOCUMENTS = {
    "res.partner": False, "sale.order": False, "account.invoice": False, "crm.lead": False,
    "mail.mass_mailing.contact": True,
}
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
        # cheap tests first: most messages are tracking notifications, notes or on other models
        if values.get("model") in CUSTOMER_DOCUMENTS and values.get("res_id"):
            overrides = dict(self.env.context.get(TIMELINE_OVERRIDES) or {})
            # a mass mailing's message is addressed through its mail.mail's recipients
            rows = message._ecrm_timeline_rows(addressed_only=not overrides)
            if self.env.context.get("mark_so_as_sent") and values["model"] == "sale.order":
                # the composer's "Send by e-mail" of a quotation or order: that e-mail is the sending
                overrides.setdefault("interaction_type", host_events.QUOTATION_SENT.code)
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
    def _ecrm_timeline_rows(self, addressed_only=True):
        """(family, row) for each of these messages that is contact with a customer.

        Staff's messages count when addressed to the customer (a colleague's chatter on an
        order is not customer contact), unless ``addressed_only`` is False; anyone else's
        (the customer's, an unknown sender's) always do.
        """
        contact = self.sudo().filtered(lambda message: message.model in CUSTOMER_DOCUMENTS and message.res_id
                                       and message._ecrm_is_customer_contact())
        if not contact:  # most messages: tracking notifications and notes
            return []
        by_model = defaultdict(list)
        for message in contact:
            by_model[message.model].append(message.res_id)
        Interaction = self.env["ecrm.interaction"]
        customers = {model: Interaction._host_customers(model, ids, by_email=CUSTOMER_DOCUMENTS[model])
                     for model, ids in by_model.items()}
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
                if author_is_staff and addressed_only and partner not in message.partner_ids:
                    continue
                kind = host_events.message_kind(author_is_staff)
                name = message.subject or message.record_name or kind.code.replace("_", " ").capitalize()
            rows.append(Interaction._host_row(
                kind, partner, self.env[message.model].browse(message.res_id),
                host_events.message_key(message.message_id, message.id, partner.id), name,
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
