# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import fields, models

from ..campaign_maths import contact_rules


class ResCompany(models.Model):
    _inherit = "res.company"

    ecrm_contact_cap = fields.Integer(
        "Marketing contacts allowed", default=3,
        help="At most this many marketing contacts per customer within the window, across all programs "
             "(0: no cap).")
    ecrm_contact_cap_days = fields.Integer("Frequency cap window (days)", default=7)

    _sql_constraints = [
        ("ecrm_contact_cap_positive", "CHECK(ecrm_contact_cap >= 0 AND ecrm_contact_cap_days > 0)",
         "The frequency cap counts contacts (0 or more) within a window of at least one day."),
    ]

    def _ecrm_capped_partners(self, partner_ids, now):
        """The customers among ``partner_ids`` that this company's frequency cap holds back at ``now``.

        Every marketing contact counts, whichever path made it: program steps (their log, e-mails,
        SMS and calls alike) and the host's own mass mailings to customers (their statistics rows);
        a program's e-mail, which has both, counts once. A mail the host cancelled as it made it
        (its statistics row has ``exception``) reached nobody and does not count.
        """
        self.ensure_one()
        if not partner_ids or not self.ecrm_contact_cap:
            return set()
        now_dt = fields.Datetime.from_string(now)
        window_start = fields.Datetime.to_string(now_dt - datetime.timedelta(days=self.ecrm_contact_cap_days))
        self.env.cr.execute("""
            SELECT partner_id, array_agg(date) FROM (
                SELECT partner_id, date FROM ecrm_campaign_step_log
                 WHERE partner_id = ANY(%(ids)s) AND result = 'done' AND is_contact AND date > %(start)s
                UNION ALL
                SELECT s.res_id, coalesce(s.sent, s.scheduled) FROM mail_mail_statistics s
                 WHERE s.model = 'res.partner' AND s.res_id = ANY(%(ids)s)
                   AND coalesce(s.sent, s.scheduled) > %(start)s AND s.exception IS NULL
                   AND NOT EXISTS (SELECT 1 FROM ecrm_campaign_program_step step
                                    WHERE step.mailing_id = s.mass_mailing_id)
            ) AS contact (partner_id, date) GROUP BY partner_id""",
                            {"ids": list(partner_ids), "start": window_start})
        contacts = dict(self.env.cr.fetchall())
        return contact_rules.capped_partners(contacts, now_dt, self.ecrm_contact_cap, self.ecrm_contact_cap_days)
