# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.http import request

from ..models.website import CONSENT_COOKIE, VISITOR_COOKIE, tracking_allowed
from ..personalisation.urls import local_path

YEAR = 365 * 24 * 3600


class EcrmTracking(http.Controller):

    @http.route("/ecrm/consent", type="http", auth="public", website=True, methods=["POST"], sitemap=False)
    def cookie_consent(self, choice="no", redirect="/", **kw):
        """The banner's answer. Refusal is kept only in the visitor's own cookie."""
        response = request.redirect(local_path(redirect))
        accepted = choice == "yes"
        response.set_cookie(CONSENT_COOKIE, "yes" if accepted else "no", max_age=YEAR, httponly=True)
        if not accepted:
            response.delete_cookie(VISITOR_COOKIE)
            return response
        if request.httprequest.headers.get("DNT") == "1":
            return response
        key = request.httprequest.cookies.get(VISITOR_COOKIE)
        Visitor = request.env["ecrm.visitor"].sudo()
        if not key or not Visitor.search_count([("cookie_key", "=", key)]):
            user = request.env.user
            logged_in = user.id != request.website.user_id.id
            visitor = Visitor.create({
                "website_id": request.website.id, "company_id": request.website.company_id.id,
                "partner_id": user.partner_id.id if logged_in else False,
            })
            response.set_cookie(VISITOR_COOKIE, visitor.cookie_key, max_age=YEAR, httponly=True)
        return response

    @http.route("/ecrm/click/<int:rule_id>", type="http", auth="public", website=True, sitemap=False)
    def rule_click(self, rule_id, **kw):
        rule = request.env["ecrm.personalisation.rule"].sudo().browse(rule_id).exists()
        # a rule saved before cta_url was checked may still hold another host: never follow it
        target = local_path(rule.cta_url if rule else None, default="/")
        cookie_key = request.httprequest.cookies.get(VISITOR_COOKIE)
        if rule and cookie_key and tracking_allowed():
            user = request.env.user
            request.env["ecrm.page.view"].sudo()._record({
                "cookie_key": cookie_key, "partner_id": user.partner_id.id if user.id != request.website.user_id.id
                else None, "website_id": request.website.id, "company_id": request.website.company_id.id,
                "path": "/ecrm/click/%d" % rule.id, "referrer": request.httprequest.referrer,
                "clicked_rule_id": rule.id})
        return request.redirect(target)
