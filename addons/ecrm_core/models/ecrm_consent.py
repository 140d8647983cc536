# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import ValidationError

CONSENT_CHANNELS = [("email", "E-mail"), ("phone", "Phone"), ("post", "Post"), ("sms", "SMS")]
CONSENT_STATES = [("unknown", "Unknown"), ("opted_in", "Opted in"), ("opted_out", "Opted out")]
CONSENT_SOURCES = [("form", "Web form"), ("import", "Import"), ("portal", "Portal"), ("staff", "Staff"),
                   ("unsubscribe_link", "Unsubscribe link"), ("one_click", "One-click unsubscribe"),
                   ("reply", "Unsubscribe reply")]
# context key of the writes that mirror e-mail consent onto res.partner.opt_out (and back): no second round
OPT_OUT_SYNC = "ecrm_opt_out_sync"


def trusted_context(env, key):
    """A context value set by the suite's own superuser code (the unsubscribe link, the opt_out mirror).

    Over RPC anyone can pass any context: only code already running as superuser may tell who
    changed a consent, and from where.
    """
    return env.context.get(key) if env.uid == SUPERUSER_ID else None


class EcrmConsent(models.Model):
    """A customer's current marketing permission on one channel.

    Every change is copied to ``ecrm.consent.history``; that history is the
    audit trail and is never edited. E-mail consent and Odoo's ``opt_out`` of
    the customer are one fact: opted out sets ``opt_out``, opted in (explicit
    consent, the only way back) clears it, and ``opt_out`` set on a customer
    by any path records e-mail consent opted out (res.partner).
    """

    _name = "ecrm.consent"
    _description = "Marketing consent"
    _order = "partner_id, channel"
    _rec_name = "channel"

    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade")
    channel = fields.Selection(CONSENT_CHANNELS, required=True)
    state = fields.Selection(CONSENT_STATES, required=True, default="unknown")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    source = fields.Selection(CONSENT_SOURCES, required=True, default="staff")
    proof = fields.Text(help="What the customer agreed to and how: form text, call note, signed letter.")
    history_ids = fields.One2many("ecrm.consent.history", "consent_id", readonly=True)

    _sql_constraints = [
        ("partner_channel_unique", "unique(partner_id, channel)",
         "A customer has one consent per channel; change the existing one."),
    ]

    @api.model
    def create(self, vals):
        consent = super().create(vals)
        consent._record_history(previous_state=False)
        consent._sync_partner_opt_out()
        return consent

    @api.multi
    def write(self, vals):
        moved = self.filtered(lambda consent: vals.get("partner_id", consent.partner_id.id) != consent.partner_id.id
                              or vals.get("channel", consent.channel) != consent.channel)
        if moved:
            raise ValidationError(_("A consent cannot move to another customer or channel."))
        audited = ("state", "source", "proof")
        previous = {consent.id: tuple(consent[name] for name in audited) for consent in self}
        if "state" in vals and "date" not in vals:
            vals = dict(vals, date=fields.Datetime.now())
        result = super().write(vals)
        for consent in self:
            if tuple(consent[name] for name in audited) != previous[consent.id]:
                consent._record_history(previous_state=previous[consent.id][0])
        if "state" in vals:
            self._sync_partner_opt_out()
        return result

    def _sync_partner_opt_out(self):
        """E-mail consent opted out sets the customer's ``opt_out``; opted in clears it. Unknown leaves it."""
        if self.env.context.get(OPT_OUT_SYNC):
            return
        email = self.filtered(lambda consent: consent.channel == "email")
        opted_out = email.filtered(lambda consent: consent.state == "opted_out").mapped("partner_id")
        opted_in = email.filtered(lambda consent: consent.state == "opted_in").mapped("partner_id")
        # the caller's right to write these consents was checked by the ORM write above; the host's
        # opt_out is the same fact, written whatever the caller's rights on the customer record
        mirror = {OPT_OUT_SYNC: True}
        opted_out.filtered(lambda partner: not partner.opt_out).sudo().with_context(**mirror).write({"opt_out": True})
        opted_in.filtered("opt_out").sudo().with_context(**mirror).write({"opt_out": False})

    def _record_history(self, previous_state):
        self.env["ecrm.consent.history"].sudo().create({
            "consent_id": self.id,
            "partner_id": self.partner_id.id,
            "channel": self.channel,
            "previous_state": previous_state,
            "state": self.state,
            "date": self.date,
            "source": self.source,
            "proof": self.proof,
            "user_id": trusted_context(self.env, "ecrm_consent_uid") or self.env.uid,
        })


class EcrmConsentHistory(models.Model):
    _name = "ecrm.consent.history"
    _description = "Marketing consent change (audit trail)"
    _order = "date desc, id desc"

    consent_id = fields.Many2one("ecrm.consent", index=True, ondelete="set null", readonly=True)
    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade", readonly=True)
    channel = fields.Selection(CONSENT_CHANNELS, required=True, readonly=True)
    previous_state = fields.Selection(CONSENT_STATES, readonly=True)
    state = fields.Selection(CONSENT_STATES, required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True)
    source = fields.Selection(CONSENT_SOURCES, required=True, readonly=True)
    proof = fields.Text(readonly=True)
    user_id = fields.Many2one("res.users", string="Changed by", readonly=True)
