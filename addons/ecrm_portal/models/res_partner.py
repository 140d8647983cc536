# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

CONSENT_CHANNELS = ("email", "phone", "post", "sms")
CONSENT_CHOICES = ("opted_in", "opted_out")


class ResPartner(models.Model):
    """Self-service for the logged-in customer: every method acts on the caller's own partner only."""

    _inherit = "res.partner"

    ecrm_interest_category_ids = fields.Many2many(
        "product.public.category", "ecrm_partner_interest_categ_rel", "partner_id", "categ_id",
        "Interests", help="Shop categories the customer told us they care about (/my/preferences).")
    ecrm_stated_channel = fields.Selection(
        [("email", "E-mail"), ("phone", "Phone"), ("post", "Post"), ("sms", "SMS")], "Asked to be contacted by",
        help="What the customer chose in /my/preferences; the computed preferred channel is what they actually use.")
    ecrm_visitor_ids = fields.One2many("ecrm.visitor", "partner_id", "Website visitors", readonly=True,
                                       groups="ecrm_core.group_ecrm_user")

    @api.model
    def _ecrm_portal_partner(self):
        partner = self.env.user.partner_id
        if self.env.user._is_public():
            raise UserError(_("Please log in."))
        return partner.sudo()

    @api.model
    def ecrm_portal_save_preferences(self, consents=None, stated_channel=None, interest_category_ids=None):
        """Apply /my/preferences for the current user; consent goes through the audited ecrm_core API."""
        partner = self._ecrm_portal_partner()
        for channel, state in (consents or {}).items():
            if channel not in CONSENT_CHANNELS or state not in CONSENT_CHOICES:
                raise ValidationError(_("Unknown consent choice %s=%s.") % (channel, state))
            if getattr(partner, "ecrm_consent_%s" % channel) != state:
                partner.ecrm_set_consent(channel, state, source="portal",
                                         proof=_("Changed by the customer in /my/preferences."))
        values = {}
        if stated_channel is not None:
            if stated_channel and stated_channel not in CONSENT_CHANNELS:
                raise ValidationError(_("Unknown channel %s.") % stated_channel)
            values["ecrm_stated_channel"] = stated_channel or False
        if interest_category_ids is not None:
            allowed = self.env["product.public.category"].sudo().browse(
                [int(categ_id) for categ_id in interest_category_ids]).exists()
            values["ecrm_interest_category_ids"] = [(6, 0, allowed.ids)]
        if values:
            partner.write(values)
        return True

    @api.model
    def ecrm_portal_public_types(self):
        """The codes of the interaction types customers see on /my/interactions."""
        return self.env["ecrm.interaction.type"].sudo().search([("portal_public", "=", True)]).mapped("code")

    @api.model
    @api.returns("ecrm.interaction")
    def ecrm_portal_timeline(self, limit=80):
        """The current customer's own interactions, of the types staff made public (ids over RPC)."""
        partner = self._ecrm_portal_partner()
        return self.env["ecrm.interaction"].sudo().search([
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
            ("type_id.portal_public", "=", True),
        ], limit=limit)

    @api.model
    def ecrm_portal_call_me(self, topic, preferred_time=None):
        """Log a call_me request and give the salesperson an activity; at most one per interval."""
        partner = self._ecrm_portal_partner()
        topic = (topic or "").strip()[:200]
        if not topic:
            raise ValidationError(_("Tell us what the call is about."))
        minutes = int(self.env["ir.config_parameter"].sudo().get_param("ecrm_portal.call_me_interval_minutes", 60))
        since = fields.Datetime.to_string(
            fields.Datetime.from_string(fields.Datetime.now()) - datetime.timedelta(minutes=minutes))
        Interaction = self.env["ecrm.interaction"].sudo()
        if Interaction.search_count([("partner_id", "=", partner.id), ("interaction_type", "=", "call_me"),
                                     ("date", ">=", since)]):
            raise UserError(_("We already have your call request; we will be in touch soon."))
        preferred_time = (preferred_time or "").strip()[:64]
        interaction_id = Interaction.log({
            "partner_id": partner.id, "channel": "portal", "interaction_type": "call_me", "direction": "inbound",
            "subject": _("Call me: %s") % topic,
            "body": _("Preferred time: %s") % (preferred_time or _("any time")),
            "company_id": (partner.company_id or self.env.user.company_id).id,
        })
        salesperson = partner.user_id or partner.commercial_partner_id.user_id
        self.env["mail.activity"].sudo().create({
            "res_model_id": self.env["ir.model"]._get("res.partner").id, "res_id": partner.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
            "summary": _("Call back: %s") % topic, "note": _("Preferred time: %s") % (preferred_time or "-"),
            "user_id": (salesperson or self.env.ref("base.user_root")).id,
            "date_deadline": fields.Date.context_today(self),
        })
        return interaction_id

    # ---- progressive profiling: one unanswered question at a time ----

    @api.model
    @api.returns("ecrm.profile.question")
    def ecrm_portal_next_question(self):
        """The first active question the logged-in customer has not answered yet (or an empty record;
        over RPC a list of at most one id)."""
        partner = self._ecrm_portal_partner()
        answered = self.env["ecrm.profile.answer"].sudo().search([("partner_id", "=", partner.id)])
        return self.env["ecrm.profile.question"].sudo().search(
            [("id", "not in", answered.mapped("question_id").ids)], limit=1)

    @api.model
    def ecrm_portal_answer(self, question_id, value):
        """Store the logged-in customer's answer; a question is answered once, options are checked."""
        partner = self._ecrm_portal_partner()
        question = self.env["ecrm.profile.question"].sudo().browse(int(question_id)).exists()
        value = (value or "").strip()[:250]
        if not question or not question.active:
            raise ValidationError(_("This question is no longer asked."))
        if not value:
            raise ValidationError(_("Please give an answer."))
        if question.answer_type == "choice" and value not in question.option_list():
            raise ValidationError(_("Please choose one of the options."))
        Answer = self.env["ecrm.profile.answer"].sudo()
        if Answer.search_count([("partner_id", "=", partner.id), ("question_id", "=", question.id)]):
            raise UserError(_("You have already answered this question."))
        answer = Answer.create({"partner_id": partner.id, "question_id": question.id, "value": value})
        self.env["ecrm.interaction"].sudo().log({
            "partner_id": partner.id, "channel": "portal", "interaction_type": "profile_answer",
            "subject": question.name, "body": value,
            "company_id": (partner.company_id or self.env.user.company_id).id,
        })
        return answer.id
