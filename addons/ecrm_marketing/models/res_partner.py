# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The one rule of every marketing send path: may we contact this customer on this channel now."""
from collections import namedtuple

from psycopg2 import sql

from odoo import _, api, models

# what a send path does for one customer: ``result`` is a step log result ("done", "skipped_consent",
# "skipped_no_email", "skipped_cap"), ``reason`` says why it was skipped
Verdict = namedtuple("Verdict", "result reason")
DONE = Verdict("done", None)


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.multi
    def _ecrm_marketing_refusals(self, channel, company, now, capped=True):
        """{partner id: Verdict} of these customers whom marketing may not contact on ``channel`` at ``now``.

        Every marketing send path asks this: program steps, the host's mass mailings to customers
        and the composer's mass mail to customers (wizards/mail_compose_message.py). In order:
        consent (``ecrm_contactable``: opted in and, on e-mail, not ``opt_out`` and an address that
        has not bounced), an address to write to on e-mail, then, when ``capped``, ``company``'s
        frequency cap, which counts the contacts of all those paths. ``channel`` None needs no
        consent (a program's lead or note).
        """
        refusals = {}
        if channel:
            allowed = set(self.ecrm_contactable(channel).ids)
            refusals.update(self._ecrm_consent_refusals(channel, [pid for pid in self.ids if pid not in allowed]))
        if channel == "email":
            refusals.update(self._ecrm_addressless_refusals([pid for pid in self.ids if pid not in refusals]))
        if capped:
            left = [pid for pid in self.ids if pid not in refusals]
            refusals.update((partner_id, Verdict("skipped_cap", _("frequency cap reached")))
                            for partner_id in company._ecrm_capped_partners(left, now))
        return refusals

    @api.model
    def _ecrm_consent_refusals(self, channel, partner_ids):
        """{partner id: Verdict} saying why ``ecrm_contactable`` left these customers out.

        Read in SQL: the send paths decide for customers the caller may not read (a mailing's domain
        is the host's to check), and the reason is for the step log and the mail log, not the caller.
        """
        if not partner_ids:
            return {}
        self._ecrm_check_consent_channel(channel)  # only a channel's own column reaches the query
        column = "ecrm_consent_%s" % channel
        self.env.cr.execute(sql.SQL("""
            SELECT id, coalesce({}, 'unknown'), coalesce(opt_out, false), coalesce(message_bounce, 0)
              FROM res_partner WHERE id = ANY(%s)""").format(sql.Identifier(column)), (list(partner_ids),))
        refusals = {}
        for partner_id, state, opt_out, bounces in self.env.cr.fetchall():
            if state != "opted_in":
                reason = _("%s consent: %s") % (channel, state)
            elif channel == "email" and opt_out:
                reason = _("opted out of e-mail in Odoo")
            elif channel == "email" and bounces:
                reason = _("e-mail address bounced")
            else:
                reason = _("not a customer the caller may reach")  # archived, or outside the record rules
            refusals[partner_id] = Verdict("skipped_consent", reason)
        return refusals

    @api.model
    def _ecrm_addressless_refusals(self, partner_ids):
        if not partner_ids:
            return {}
        self.env.cr.execute("SELECT id FROM res_partner WHERE id = ANY(%s) AND coalesce(trim(email), '') = ''",
                            (list(partner_ids),))
        return {row[0]: Verdict("skipped_no_email", _("no e-mail address")) for row in self.env.cr.fetchall()}
