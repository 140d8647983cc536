# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, models

from odoo.addons.ecrm_core.models.mail_message import CUSTOMER_DOCUMENTS
from odoo.addons.ecrm_core.timeline import host_events


class MailMailStatistics(models.Model):
    """A mailing's opens, clicks, replies and bounces on the recipient's timeline, with its UTM.

    The host records each one once per mail in its statistics row (``set_opened`` and the
    like write the column only while it is empty); the key per row and response holds the
    timeline to once as well.
    """

    _inherit = "mail.mail.statistics"

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        responses = [column for column in host_events.MAILING_RESPONSES if vals.get(column)]
        if responses and self:
            self.env["ecrm.interaction"]._log_host_rows(self._ecrm_timeline_rows(responses))
        return result

    @api.multi
    def _ecrm_timeline_rows(self, responses=tuple(host_events.MAILING_RESPONSES)):
        stats = self.sudo().filtered(lambda stat: stat.mass_mailing_id and stat.model and stat.res_id)
        customers = self._ecrm_recipients(stats)
        Interaction = self.env["ecrm.interaction"]
        rows = []
        for stat in stats:
            partner = customers.get((stat.model, stat.res_id))
            if not partner:
                continue
            utm = stat.mass_mailing_id._ecrm_timeline_utm()
            for column in responses:
                if not stat[column]:
                    continue
                kind = host_events.MAILING_RESPONSES[column]
                family, row = Interaction._host_row(
                    kind, partner, stat.mass_mailing_id, host_events.document_key(stat._name, stat.id, column),
                    stat.mass_mailing_id.name, date=stat[column])
                rows.append((family, dict(row, **utm)))
        return rows

    @api.model
    def _ecrm_recipients(self, stats):
        """{(model, res_id): customer} of the statistics' recipients (ecrm_core's rules)."""
        by_model = defaultdict(set)
        for stat in stats:
            by_model[stat.model].add(stat.res_id)
        Interaction = self.env["ecrm.interaction"]
        return {(model, res_id): partner for model, ids in by_model.items()
                for res_id, partner in Interaction._host_customers(
                    model, ids, by_email=CUSTOMER_DOCUMENTS.get(model, False)).items()}
