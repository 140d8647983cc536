# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The host's mailing opt-outs (customer ``opt_out``, mailing-list contact ``opt_out``) and eCRM
e-mail consent are one fact: what the host writes is recorded as consent, and back."""
import html
import re

import werkzeug.urls

from odoo import _, api, fields, models
from odoo.tools.safe_eval import safe_eval

from odoo.addons.ecrm_core.models.ecrm_consent import CONSENT_SOURCES, OPT_OUT_SYNC, trusted_context
from odoo.addons.ecrm_core.models.mail_message import TIMELINE_OVERRIDES
from odoo.addons.ecrm_core.timeline.host_events import MAILING_SENT

# the host's unsubscribe placeholder, relative or made absolute by the template's post-processing
UNSUBSCRIBE_PLACEHOLDER = re.compile(r"""(?:https?://[^\s"'<>]*?)?/unsubscribe_from_list(?=["'\s>])""")


def lower_emails(emails):
    return sorted({email.strip().lower() for email in emails if email and email.strip()})


class MassMailing(models.Model):
    _inherit = "mail.mass_mailing"

    @api.multi
    def _ecrm_timeline_utm(self, **values):
        """The mailing's campaign, medium and source for its timeline entries, with ``values``."""
        self.ensure_one()
        mailing = self.sudo()
        return dict(values, campaign_id=mailing.campaign_id.id or False, medium_id=mailing.medium_id.id or False,
                    source_id=mailing.source_id.id or False)

    def update_opt_out(self, email, res_ids, value):
        """The host's unsubscribe (its link, its page): the opt-out it writes is e-mail consent, from the link."""
        proof = _("Unsubscribe link of the mailing \"%s\", for %s.") % (self.name, email)
        source = trusted_context(self.env, "ecrm_unsubscribe_source") or "unsubscribe_link"
        return super(MassMailing, self.with_context(ecrm_consent_source=source,
                                                    ecrm_consent_proof=proof)).update_opt_out(email, res_ids, value)

    def get_remaining_recipients(self):
        """The host's recipients, but the customers marketing may not e-mail now: a mass mailing to
        customers is a marketing contact like a program's e-mail, under the same rule (consent,
        opt-out, bounce, frequency cap: ``res.partner._ecrm_marketing_refusals``), whatever its domain."""
        res_ids = super().get_remaining_recipients()
        if self.mailing_model_real != "res.partner" or not res_ids:
            return res_ids
        refused = self.env["res.partner"].browse(res_ids)._ecrm_marketing_refusals(
            "email", self.env.user.company_id, fields.Datetime.now())
        return [res_id for res_id in res_ids if res_id not in refused]

    def _get_blacklist(self):
        """The host's blacklist (opted-out records of the target model), and every customer who opted out
        of e-mail either way or whose address bounced, so a list mailing skips them too."""
        blacklist = super()._get_blacklist()
        self.env.cr.execute("""
            SELECT DISTINCT lower(substring(email, '([^ ,;<@]+@[^> ,;]+)')) FROM res_partner
             WHERE (opt_out OR ecrm_consent_email = 'opted_out' OR coalesce(message_bounce, 0) > 0)
               AND substring(email, '([^ ,;<@]+@[^> ,;]+)') IS NOT NULL""")
        return set(blacklist or ()) | {row[0] for row in self.env.cr.fetchall()}

    def _ecrm_unsubscribe_url(self, partner_id, email):
        """The signed link that unsubscribes ``partner_id`` (at ``email``) from e-mail, as the host signs its own."""
        self.ensure_one()
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url").rstrip("/")
        return "%s/ecrm/unsubscribe/%d?%s" % (base_url, self.id, werkzeug.urls.url_encode({
            "db": self.env.cr.dbname, "res_id": partner_id, "email": email or "",
            "token": self._unsubscribe_token(partner_id, email or "")}))

    def _ecrm_list_unsubscribe_headers(self, partner_id, email, headers=None):
        """``headers`` (the repr of a dict, as mail.mail stores them) with the one-click unsubscribe
        headers of RFC 2369 and RFC 8058 that large mailbox providers require of bulk senders: mail
        clients show an Unsubscribe button, and one click POSTs the signed link (which takes POST,
        without a CSRF token, for exactly this)."""
        values = safe_eval(headers) if headers else {}
        values["List-Unsubscribe"] = "<%s>" % self._ecrm_unsubscribe_url(partner_id, email)
        values["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        return repr(values)

    @api.model
    def _ecrm_with_unsubscribe_link(self, body, url):
        """``body`` with the host's placeholder turned into ``url``, else with an unsubscribe footer."""
        href = html.escape(url, quote=True)
        if UNSUBSCRIBE_PLACEHOLDER.search(body or ""):
            return UNSUBSCRIBE_PLACEHOLDER.sub(lambda match: href, body)
        return (body or "") + self._ecrm_unsubscribe_footer(href)

    @api.model
    def _ecrm_unsubscribe_footer(self, href="/unsubscribe_from_list"):
        return ('<p style="font-size: 12px; color: #888888;">%s <a href="%s">%s</a></p>'
                % (html.escape(_("You receive this e-mail because you agreed to hear from us.")), href,
                   html.escape(_("Unsubscribe"))))


class MassMailingContact(models.Model):
    _inherit = "mail.mass_mailing.contact"

    @api.model
    def create(self, vals):
        contact = super().create(vals)
        if vals.get("opt_out") and not self.env.context.get(OPT_OUT_SYNC):
            contact._ecrm_opt_out_customers()
        return contact

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if vals.get("opt_out") and not self.env.context.get(OPT_OUT_SYNC):
            self._ecrm_opt_out_customers()
        return result

    def _ecrm_opt_out_customers(self):
        """A list contact opted out: the customers with that address opt out of e-mail (consent, audited)."""
        emails = lower_emails(self.filtered("opt_out").mapped("email"))
        if not emails:
            return
        self.env.cr.execute("""
            SELECT id FROM res_partner WHERE lower(trim(email)) = ANY(%s)
               AND (NOT coalesce(opt_out, false) OR coalesce(ecrm_consent_email, 'unknown') <> 'opted_out')""",
                            (emails,))
        partners = self.env["res.partner"].browse([row[0] for row in self.env.cr.fetchall()])
        if not partners:
            return
        source = trusted_context(self.env, "ecrm_consent_source")
        if source not in dict(CONSENT_SOURCES):
            source = "import" if self.env.context.get("import_file") else "staff"
        proof = trusted_context(self.env, "ecrm_consent_proof") or _(
            "Opted out as a mailing-list contact, by %s.") % self.env.user.name
        # the caller was allowed to opt these contacts out (the write above); the customers at the same
        # address are the same person and the same decision, whatever the caller's rights on customers
        partners.sudo().with_context(ecrm_consent_source=source, ecrm_consent_proof=proof,
                                     ecrm_consent_uid=trusted_context(self.env, "ecrm_consent_uid") or self.env.uid,
                                     ).write({"opt_out": True})


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if "opt_out" in vals:
            self._ecrm_mirror_opt_out_on_contacts(bool(vals["opt_out"]))
        return result

    def _ecrm_mirror_opt_out_on_contacts(self, opt_out):
        """The mailing-list contacts of these customers' addresses follow their opt_out (and consent)."""
        emails = lower_emails(self.mapped("email"))
        if not emails:
            return
        self.env.cr.execute("SELECT id FROM mail_mass_mailing_contact WHERE lower(trim(email)) = ANY(%s) "
                            "AND coalesce(opt_out, false) <> %s", (emails, opt_out))
        contacts = self.env["mail.mass_mailing.contact"].browse([row[0] for row in self.env.cr.fetchall()])
        # the caller could write opt_out on these customers (the write above checked it, and only
        # explicit e-mail consent clears it): their list contacts are the same address, the same fact
        contacts.sudo().with_context(**{OPT_OUT_SYNC: True}).write({"opt_out": opt_out})


class MailMail(models.Model):
    _inherit = "mail.mail"

    @api.model
    def create(self, values):
        """A mass mailing to customers (a segment's, say) carries the one-click unsubscribe headers.

        The suite's own program mails get them from the bulk writer; mailing-list mailings keep the
        host's link only (its page takes no one-click POST).
        """
        mailing = self.env["mail.mass_mailing"].browse(values.get("mailing_id") or [])
        # the mail's message is its send on the timeline, as a mailing_sent with the mailing's UTM; a mail
        # the host cancels as it creates it (blacklisted, opted out, already mailed) is never sent
        sent = mailing and values.get("state") != "cancel"
        mail = super(MailMail, self.with_context(**{TIMELINE_OVERRIDES: mailing._ecrm_timeline_utm(
            interaction_type=MAILING_SENT.code, res_model=mailing._name, res_id=mailing.id)}) if sent else self
        ).create(values)
        if mailing and mailing.mailing_model_real == "res.partner" and mail.model == "res.partner" and mail.res_id:
            email = mail.sudo().recipient_ids[:1].email or mail.email_to or ""
            mail.sudo().headers = mailing._ecrm_list_unsubscribe_headers(mail.res_id, email, mail.headers)
        return mail
