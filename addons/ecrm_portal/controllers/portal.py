# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.res_partner import CONSENT_CHANNELS


class EcrmCustomerPortal(CustomerPortal):
    """/my pages. No route takes a partner id: everything is the logged-in customer's own."""

    @http.route("/my/preferences", type="http", auth="user", website=True, methods=["GET"])
    def ecrm_preferences(self, saved=None, **kw):
        partner = request.env.user.partner_id.sudo()
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "ecrm_preferences", "partner": partner, "saved": bool(saved),
            "channels": [(code, label) for code, label in partner._fields["ecrm_stated_channel"].selection],
            "categories": request.env["product.public.category"].sudo().search([]),
            "question": request.env["res.partner"].ecrm_portal_next_question(),
            "answered": kw.get("answered"),
        })
        return request.render("ecrm_portal.portal_my_preferences", values)

    @http.route("/my/profile-question", type="http", auth="user", website=True, methods=["POST"], csrf=True)
    def ecrm_profile_answer(self, question_id="", answer="", **kw):
        if not question_id.isdigit():
            return request.redirect("/my/preferences?answered=refused")
        try:
            request.env["res.partner"].ecrm_portal_answer(int(question_id), answer)
            outcome = "thanks"
        except (UserError, ValidationError):
            outcome = "refused"
        return request.redirect("/my/preferences?answered=%s" % outcome)

    @http.route("/my/preferences", type="http", auth="user", website=True, methods=["POST"], csrf=True)
    def ecrm_preferences_save(self, **post):
        consents = {channel: post["consent_%s" % channel] for channel in CONSENT_CHANNELS
                    if post.get("consent_%s" % channel) in ("opted_in", "opted_out")}
        categories = request.httprequest.form.getlist("interest_category_ids")
        request.env["res.partner"].ecrm_portal_save_preferences(
            consents=consents, stated_channel=post.get("stated_channel", ""),
            interest_category_ids=[categ for categ in categories if categ.isdigit()])
        return request.redirect("/my/preferences?saved=1")

    @http.route("/my/interactions", type="http", auth="user", website=True, methods=["GET"])
    def ecrm_interactions(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "ecrm_interactions",
                       "interactions": request.env["res.partner"].ecrm_portal_timeline(),
                       "call_me_message": kw.get("call_me")})
        return request.render("ecrm_portal.portal_my_interactions", values)

    @http.route("/my/call-me", type="http", auth="user", website=True, methods=["POST"], csrf=True)
    def ecrm_call_me(self, topic="", preferred_time="", **kw):
        try:
            request.env["res.partner"].ecrm_portal_call_me(topic, preferred_time)
            outcome = "requested"
        except (UserError, ValidationError):
            outcome = "refused"
        return request.redirect("/my/interactions?call_me=%s" % outcome)
