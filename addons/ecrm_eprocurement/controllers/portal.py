# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Buyers who have not integrated: upload an order file, or key lines against the contract catalogue.

Both go through exactly the pipeline of the machine endpoint (``ecrm.exchange``),
with the same validation and idempotency.
"""
import decimal
import logging

from odoo import _, fields, http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..order_formats.sample import build_order

_logger = logging.getLogger(__name__)


def _buyer_trading_partners():
    """Trading partners of the logged-in contact's company; portal users never pick someone else's."""
    commercial = request.env.user.partner_id.commercial_partner_id
    return request.env["ecrm.trading.partner"].sudo().search([
        ("partner_id.commercial_partner_id", "=", commercial.id)])


class EprocurementPortal(CustomerPortal):

    def _prepare_portal_layout_values(self):
        values = super()._prepare_portal_layout_values()
        values["eprocurement_count"] = len(_buyer_trading_partners())
        return values

    @http.route("/my/eprocurement", type="http", auth="user", website=True)
    def eprocurement_page(self, **_kwargs):
        trading_partners = _buyer_trading_partners()
        if not trading_partners:
            return self._not_set_up()
        return request.render("ecrm_eprocurement.portal_eprocurement", self._page_values(trading_partners))

    @http.route("/my/eprocurement/submit", type="http", auth="user", methods=["POST"], website=True)
    def eprocurement_submit(self, trading_partner_id=None, mode="key", document_id="", upload=None, **form):
        trading_partners = _buyer_trading_partners()
        trading_partner = trading_partners.filtered(lambda tp: str(tp.id) == str(trading_partner_id))
        if not trading_partner:
            return self._not_set_up()
        values = self._page_values(trading_partners)
        if mode == "upload":
            filename = (getattr(upload, "filename", "") or "").lower()
            format_code = "csv" if filename.endswith(".csv") else "peppol-order"
            if not trading_partner._format_enabled(format_code):
                values["error"] = _("Your account does not take %s files; ask us to enable them.") % format_code
                return request.render("ecrm_eprocurement.portal_eprocurement", values)
            payload = upload.read(request.env["ecrm.exchange"].sudo()._max_bytes() + 1) if upload else b""
        else:
            format_code = "peppol-order"
            payload, error = self._keyed_order(trading_partner, document_id.strip(), form)
            if error:
                values["error"] = error
                return request.render("ecrm_eprocurement.portal_eprocurement", values)
        Exchange = request.env["ecrm.exchange"].sudo()
        # like the endpoint: stored with its job, then a small order processed here and now
        exchange = Exchange._accept(trading_partner, format_code, payload, request.httprequest.remote_addr,
                                    here=True)
        if exchange._inline_allowed():
            try:
                with request.env.cr.savepoint():
                    exchange._process_in_request()
            except Exception:  # the stored exchange and its job stay: the page says it is being processed
                _logger.info("portal exchange %s left to its job", exchange.name, exc_info=True)
                exchange.invalidate_cache()
                exchange._release_job()
        values["exchange"] = exchange
        return request.render("ecrm_eprocurement.portal_eprocurement", values)

    def _not_set_up(self):
        """A customer who does not order electronically: what the page is, and who sets it up (404)."""
        return request.render("ecrm_eprocurement.portal_eprocurement_not_set_up", {"page_name": "eprocurement"},
                              status=404)

    @staticmethod
    def _page_values(trading_partners):
        """The page's values: each catalogue line's contract price for the buyer, in its currency."""
        prices, currencies = {}, {}
        for trading_partner in trading_partners:
            pricelist = trading_partner._effective_pricelist()
            currencies[trading_partner.id] = pricelist.currency_id or trading_partner.company_id.currency_id
            for mapping in trading_partner.product_mapping_ids:
                prices[mapping.id] = pricelist.get_product_price(mapping.product_id, 1.0, trading_partner.partner_id)
        return {"trading_partners": trading_partners, "page_name": "eprocurement", "exchange": None,
                "prices": prices, "currencies": currencies}

    def _keyed_order(self, trading_partner, document_id, form):
        if not document_id:
            return None, _("Give your order number.")
        lines = []
        for mapping in trading_partner.product_mapping_ids:
            raw = (form.get("qty_%d" % mapping.id) or "").strip()
            if not raw:
                continue
            try:
                quantity = decimal.Decimal(raw)
            except decimal.InvalidOperation:
                return None, _("Quantity %r for %s is not a number.") % (raw, mapping.buyer_item_id)
            lines.append({"buyer_item_id": mapping.buyer_item_id, "quantity": quantity,
                          "name": mapping.product_id.name})
        if not lines:
            return None, _("Enter a quantity on at least one line.")
        pricelist = trading_partner._effective_pricelist()
        return build_order(document_id, lines, currency=pricelist.currency_id.name or "GBP",
                           buyer_gln=trading_partner.gln or "", buyer_name=trading_partner.partner_id.name,
                           seller_name=trading_partner.company_id.name, issue_date=fields.Date.today()), None
