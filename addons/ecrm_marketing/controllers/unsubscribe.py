# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import html

from odoo import _, http
from odoo.http import Response, request
from odoo.tools import consteq

MAX_ID = 2 ** 31 - 1  # a PostgreSQL integer: anything larger is no record, and must not reach a query

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="robots" content="noindex, nofollow"/><title>%(title)s</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto; padding: 0 1em; color: #333;">
<h1 style="font-size: 1.5em;">%(title)s</h1><p>%(text)s</p></body></html>"""


def _record_id(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


class EcrmUnsubscribe(http.Controller):

    @http.route("/ecrm/unsubscribe/<int:mailing_id>", type="http", auth="public", methods=["GET", "POST"],
                csrf=False, sitemap=False)
    def ecrm_unsubscribe(self, mailing_id, res_id=None, email=None, token=None, **kwargs):
        """The unsubscribe link of a program e-mail: e-mail consent opted out (source: unsubscribe link).

        The link is signed as the host signs its own (mailing, customer, address, database secret):
        a forged, altered or incomplete link unsubscribes nobody and gets the same plain page,
        whatever mailing or customer it names. POST is accepted for mail clients' one-click unsubscribe.
        """
        partner_id = _record_id(res_id)
        mailing = request.env["mail.mass_mailing"].sudo()
        if _record_id(mailing_id) and partner_id and isinstance(email, str) and email and isinstance(token, str):
            mailing = mailing.browse(mailing_id).exists()
        else:
            mailing = mailing.browse()
        if not (mailing and mailing.mailing_model_real == "res.partner"
                and consteq(token, mailing._unsubscribe_token(partner_id, email))):
            return self._page(403, _("This unsubscribe link is not valid"), _(
                "Nobody was unsubscribed. Please use the link in the e-mail you received, or reply to it "
                "and we will take you off our list."))
        # the token proves the link is the one mailed to this customer at this address: its holder may
        # opt them out, as the host's own unsubscribe page does (as superuser); the audit names the visitor
        # RFC 8058: a mail client's one-click button POSTs "List-Unsubscribe=One-Click"
        one_click = request.httprequest.method == "POST" and kwargs.get("List-Unsubscribe") == "One-Click"
        mailing.with_context(ecrm_consent_uid=request.uid,
                             ecrm_unsubscribe_source="one_click" if one_click else "unsubscribe_link",
                             ).update_opt_out(email, [partner_id], True)
        return self._page(200, _("You have been unsubscribed"), _(
            "You will receive no more marketing e-mail from us at %s. If this was a mistake, tell us and we will "
            "ask for your consent again.") % email)

    def _page(self, status, title, text):
        body = PAGE % {"title": html.escape(title), "text": html.escape(text)}
        return Response(body, status=status, headers=[("Content-Type", "text/html; charset=utf-8"),
                                                      ("Cache-Control", "no-store")])
