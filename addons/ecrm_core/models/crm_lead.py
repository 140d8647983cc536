# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from ..timeline import host_events


# a write of any of these may bring a lead a new event (the others' keys are stored already)
LEAD_EVENT_FIELDS = {"stage_id", "probability", "active", "partner_id"}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def create(self, vals):
        lead = super().create(vals)
        lead._ecrm_log_on_timeline()
        return lead

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        # won (set_won, or dragged to a won stage), lost, or linked to its customer at last
        if LEAD_EVENT_FIELDS & set(vals):
            self._ecrm_log_on_timeline()
        return result

    @api.multi
    def _ecrm_log_on_timeline(self):
        self.env["ecrm.interaction"]._log_host_rows(self._ecrm_timeline_rows())

    @api.multi
    def _ecrm_timeline_rows(self):
        """(family, row) of the events each lead implies: created, then won or lost.

        A lead without a customer waits for one: the address typed into the website form is
        no proof of who sent it; once staff link the lead to its customer, it is logged.
        """
        leads = self.sudo().with_context(active_test=False)
        web_form = self.env.ref("utm.utm_medium_website", raise_if_not_found=False)
        Interaction = self.env["ecrm.interaction"]
        customers = Interaction._host_customers(self._name, leads.ids)
        rows = []
        for lead in leads:
            partner = customers.get(lead.id)
            if not partner:
                continue
            won, lost = lead.active and lead.probability == 100, not lead.active and lead.probability == 0
            for event in host_events.lead_events(bool(web_form) and lead.medium_id == web_form, won, lost):
                date = lead.create_date if event.name == "created" else (lead.date_closed or lead.write_date)
                rows.append(Interaction._host_row(
                    event.kind, partner, lead, host_events.document_key(lead._name, lead.id, event.name),
                    lead.name, date=date, body=event.name == "created" and lead.description or None))
        return rows

