# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from ..timeline import host_events


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    @api.model
    def create(self, vals):
        event = super().create(vals)
        event._ecrm_log_on_timeline()
        return event

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if "partner_ids" in vals:  # an attendee added later: their entry (the others' keys hold)
            self._ecrm_log_on_timeline()
        return result

    @api.multi
    def _ecrm_log_on_timeline(self):
        rows = self._ecrm_timeline_rows()
        if rows:
            self.env["ecrm.interaction"]._log_host_rows(rows)

    @api.multi
    def _ecrm_timeline_rows(self):
        """(family, row) of a meeting for each attendee who is not one of the company's users."""
        Interaction = self.env["ecrm.interaction"]
        rows = []
        for event in self.sudo().with_context(active_test=False):
            staff = event.partner_ids.filtered(lambda partner: any(not user.share for user in partner.user_ids))
            for partner in event.partner_ids - staff:
                rows.append(Interaction._host_row(
                    host_events.CALENDAR_MEETING, partner, event,
                    host_events.document_key(event._name, event.id, "attendee-%d" % partner.id), event.name,
                    date=event.start, body=event.description or None))
        return rows
