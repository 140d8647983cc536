# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Around a website page: the landing redirect before it renders, the one tracking statement after."""
import hashlib
import logging

import werkzeug.utils

from odoo import models
from odoo.http import request

from ..personalisation import clickstream, engine
from ..personalisation.urls import local_path
from .website import VISITOR_COOKIE, tracking_allowed

_logger = logging.getLogger(__name__)


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    # A rule's landing redirect is decided once the visitor is known and before the page
    # renders, for controller routes (_postprocess_args) and for website pages (_serve_page).

    @classmethod
    def _postprocess_args(cls, arguments, rule):
        return super()._postprocess_args(arguments, rule) or cls._ecrm_landing_redirect()

    @classmethod
    def _serve_page(cls):
        return cls._ecrm_landing_redirect() or super()._serve_page()

    @classmethod
    def _ecrm_landing_redirect(cls):
        website = getattr(request, "website", None)
        if not (website and getattr(request, "is_frontend", False)) or request.httprequest.method != "GET":
            return None
        try:
            target = cls._ecrm_redirect(website)
        except Exception:
            _logger.exception("eCRM landing redirect skipped for %s", request.httprequest.path)
            return None
        return werkzeug.utils.redirect(target, 302) if target else None

    @classmethod
    def _dispatch(cls):
        response = super()._dispatch()
        website = getattr(request, "website", None)
        if not (website and getattr(request, "is_frontend", False)) or getattr(response, "status_code", 0) != 200:
            return response
        try:
            cls._ecrm_track(website)
        except Exception:
            _logger.exception("eCRM tracking skipped for %s", request.httprequest.path)
        return response

    @classmethod
    def _ecrm_redirect(cls, website):
        if not request.env["ecrm.personalisation.rule"]._compiled_rules(website.id).has_redirects:
            return None
        rule = website._ecrm_slot(("redirect", engine.normalise_path(request.httprequest.path)))
        # checked on save too; a rule saved before that check never sends a visitor off-site
        return local_path(rule["actions"]["redirect_to"], default=None) if rule else None

    @classmethod
    def _ecrm_track(cls, website):
        http = request.httprequest
        cookie_key = http.cookies.get(VISITOR_COOKIE)
        if not cookie_key or not clickstream.trackable(http.path, http.method, consent=tracking_allowed()):
            return
        state = website._ecrm_state()
        new_visit = not request.session.get("ecrm_visit_counted")
        if new_visit:
            request.session["ecrm_visit_counted"] = True
        utm = clickstream.utm_from_query(http.args)
        logged_in = request.env.user.id != website.user_id.id
        request.env["ecrm.page.view"].sudo()._record({
            "cookie_key": cookie_key, "partner_id": request.env.user.partner_id.id if logged_in else None,
            "session_key": hashlib.sha256(request.session.sid.encode()).hexdigest()[:32],
            "website_id": website.id, "company_id": website.company_id.id, "path": http.path,
            "referrer": http.referrer, "utm_source": utm["source"], "utm_medium": utm["medium"],
            "utm_campaign": utm["campaign"], "rule_ids": state["shown"], "control_rule_ids": state["held"],
            "new_visit": new_visit, "lazy_commit": clickstream.may_commit_lazily(http.path),
        })
