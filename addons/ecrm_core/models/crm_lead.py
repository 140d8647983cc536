# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.tools import email_split

from ..timeline import host_events


def _sender(email_from):
    """The lower-case address of "Name <address>", or None."""
    addresses = email_split(email_from or "")
    return addresses[0].strip().lower() if addresses else None


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def create(self, vals):
        lead = super().create(vals)
        lead._ecrm_log_on_timeline()
        return lead

    @api.multi
    def action_set_won(self):
        result = super().action_set_won()
        self._ecrm_log_on_timeline()
        return result

    @api.multi
    def action_set_lost(self):
        result = super().action_set_lost()
        self._ecrm_log_on_timeline()
        return result

    @api.multi
    def _ecrm_log_on_timeline(self):
        self.env["ecrm.interaction"]._log_host_rows(self._ecrm_timeline_rows())

    @api.multi
    def _ecrm_timeline_rows(self):
        """(family, row) of the events each lead implies: created, then won or lost.

        A lead without a customer is logged on the contact whose e-mail it came from, if any.
        """
        leads = self.sudo().with_context(active_test=False)
        web_form = self.env.ref("utm.utm_medium_website", raise_if_not_found=False)
        by_email = leads.filtered(lambda lead: not lead.partner_id and lead.email_from)._ecrm_partners_by_email()
        Interaction = self.env["ecrm.interaction"]
        rows = []
        for lead in leads:
            partner = lead.partner_id or by_email.get(_sender(lead.email_from))
            if not partner:
                continue
            won, lost = lead.active and lead.probability == 100, not lead.active and lead.probability == 0
            for event in host_events.lead_events(bool(web_form) and lead.medium_id == web_form, won, lost):
                date = lead.create_date if event.name == "created" else (lead.date_closed or lead.write_date)
                rows.append(Interaction._host_row(
                    event.kind, partner, lead, host_events.document_key(lead._name, lead.id, event.name),
                    lead.name, date=date, body=event.name == "created" and lead.description or None))
        return rows

    @api.multi
    def _ecrm_partners_by_email(self):
        """{lower-case e-mail: the oldest contact with it} for these leads' senders, in one query."""
        emails = list({_sender(lead.email_from) for lead in self} - {None})
        if not emails:
            return {}
        self.env.cr.execute("""
            SELECT DISTINCT ON (lower(trim(email))) lower(trim(email)), id FROM res_partner
             WHERE lower(trim(email)) = ANY(%s) AND active ORDER BY lower(trim(email)), id""", (emails,))
        Partner = self.env["res.partner"].sudo()
        return {email: Partner.browse(partner_id) for email, partner_id in self.env.cr.fetchall()}
