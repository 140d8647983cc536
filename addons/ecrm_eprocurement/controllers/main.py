# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Machine-to-machine order intake.

Each request runs in short transactions of its own: one that stores the
exchange (so it survives anything that follows), one that processes it (retried
on serialization failures), and, after losing a race on the same document, one
that records the duplicate. The answer is never a 500.
"""
import json
import logging
import random
import time

import psycopg2
from psycopg2 import errorcodes

import odoo
from odoo import SUPERUSER_ID, api, http
from odoo.http import request

from ..models.ecrm_exchange import CXML_STATUS, DuplicateRace, ExchangeRejected
from ..order_formats import Problem, cxml

_logger = logging.getLogger(__name__)

RETRYABLE_PGCODES = (errorcodes.LOCK_NOT_AVAILABLE, errorcodes.SERIALIZATION_FAILURE,
                     errorcodes.DEADLOCK_DETECTED)
MAX_ATTEMPTS = 6
CONTENT_TYPES = {"xml": "application/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


def _json(status, body, headers=None):
    return http.Response(json.dumps(body), status=status, headers=dict(headers or {}, **{
        "Content-Type": CONTENT_TYPES["json"]}))


def _error(status, error, problems=(), message=None, headers=None):
    return _json(status, {
        "status": status, "error": error,
        "message": message or "; ".join(
            ("line %s: %s" % (p.line, p.message)) if p.line else p.message for p in problems),
        "problems": [{"line": p.line, "message": p.message} for p in problems],
    }, headers=headers)


ERRORS = {400: "malformed", 403: "format_not_enabled", 409: "duplicate", 413: "too_large", 422: "unprocessable",
          503: "unavailable"}


def _refusal(format_code, status, error, message, exchange=None):
    """An error answer: a cXML Response to cXML senders, JSON to everyone else."""
    headers = {"X-Ecrm-Exchange": exchange.name} if exchange else {}
    if status == 503:
        headers["Retry-After"] = "30"
    if format_code == "cxml" and not _wants_json():
        body = cxml.build_response(CXML_STATUS.get(status, 500), message or error)
        return http.Response(body, status=status, headers=dict(headers, **{"Content-Type": CONTENT_TYPES["xml"]}))
    return _error(status, error, message=message, headers=headers)


def _bearer_token():
    header = request.httprequest.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _wants_json():
    return "application/json" in (request.httprequest.headers.get("Accept") or "")


class EprocurementController(http.Controller):

    @http.route("/ecrm/eprocurement/<string:format_code>", type="http", auth="none", methods=["POST"],
                csrf=False, save_session=False)
    def receive(self, format_code, **_kwargs):
        try:
            return self._receive(format_code)
        except Exception:  # the contract promises an answer, never a 500
            _logger.exception("e-procurement intake failed")
            return _error(503, "unavailable", message="The order could not be processed now; "
                          "send it again later.")

    def _registry(self):
        return odoo.registry(request.db)

    def _receive(self, format_code):
        registry = self._registry()
        remote_addr = request.httprequest.remote_addr
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Exchange = env["ecrm.exchange"]
            if format_code not in dict(Exchange._fields["format_code"].selection):
                return _error(404, "unknown_format", message="Unknown format %r; use peppol-order, csv or cxml."
                              % format_code)
            limit = Exchange._max_bytes()
            declared = request.httprequest.content_length or 0
            credential, payload = _bearer_token(), None
            if not credential and format_code == "cxml" and declared <= limit:
                # cXML buyers may authenticate with the Sender SharedSecret inside the document.
                payload = request.httprequest.stream.read(limit + 1)
                credential = cxml.shared_secret(payload, limit)
            partner = env["ecrm.trading.partner"]._authenticate(credential, remote_addr)
            if not partner:
                return _refusal(format_code, 401, "unauthenticated", "Missing, unknown or revoked credential "
                                "(send 'Authorization: Bearer <credential>'), or source address not allowed.")
            if not partner._format_enabled(format_code):
                message = "format %s is not enabled for this trading partner" % format_code
                refused = Exchange._record_refusal(partner, format_code, 403, message, remote_addr)
                return _refusal(format_code, 403, "format_not_enabled", message, exchange=refused)
            if payload is None and declared <= limit:
                payload = request.httprequest.stream.read(limit + 1)
            if declared > limit or len(payload) > limit:
                size = max(declared, len(payload or b""))
                message = "document is %d bytes or more, the limit is %d bytes" % (size, limit)
                refused = Exchange._record_refusal(partner, format_code, 413, message, remote_addr, size)
                return _refusal(format_code, 413, "too_large", message, exchange=refused)
            exchange_id = Exchange._receive(partner, format_code, payload, remote_addr).id
        return self._process(registry, exchange_id, payload)

    def _process(self, registry, exchange_id, payload):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    exchange = env["ecrm.exchange"].browse(exchange_id)._run(payload)
                    return self._answer(exchange)
            except DuplicateRace as race:
                with registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    exchange = env["ecrm.exchange"].browse(exchange_id)
                    exchange._mark_duplicate_of_processed(race.document_id)
                    return self._answer(exchange)
            except psycopg2.OperationalError as error:
                if error.pgcode not in RETRYABLE_PGCODES or attempt == MAX_ATTEMPTS:
                    break
                time.sleep(random.uniform(0.05, 0.2) * attempt)
            except Exception:
                _logger.exception("e-procurement exchange %s failed", exchange_id)
                break
        with registry.cursor() as cr:
            exchange = api.Environment(cr, SUPERUSER_ID, {})["ecrm.exchange"].browse(exchange_id)
            exchange._fail(ExchangeRejected(503, [Problem(None, "temporary failure; the exchange will be "
                                                          "retried")], retryable=True))
            return self._answer(exchange)

    def _answer(self, exchange):
        status = exchange.http_status or 503
        error = ERRORS.get(status, "refused")
        if status in (201, 409, 422) and exchange.acknowledgement and not _wants_json():
            return http.Response(exchange.acknowledgement.encode("utf-8"), status=status,
                                 headers={"Content-Type": CONTENT_TYPES["xml"], "X-Ecrm-Exchange": exchange.name})
        if status not in (201, 409, 422) and exchange.format_code == "cxml" and not _wants_json():
            return _refusal("cxml", status, error, exchange.error_message, exchange=exchange)
        body = json.loads(exchange.acknowledgement_json or "{}")
        body.update({"status": status, "exchange": exchange.name, "state": exchange.state})
        if status != 201:
            body.update({"error": error, "message": exchange.error_message})
        headers = {"X-Ecrm-Exchange": exchange.name}
        if status == 503:
            headers["Retry-After"] = "30"
        return _json(status, body, headers=headers)

    @http.route("/ecrm/eprocurement/status/<string:document_id>", type="http", auth="none", methods=["GET"],
                csrf=False, save_session=False)
    def status(self, document_id, **_kwargs):
        """Where the buyer's order stands: the acknowledgement sent and the sale order's progress."""
        try:
            with self._registry().cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                partner = env["ecrm.trading.partner"]._authenticate(_bearer_token(), request.httprequest.remote_addr)
                if not partner:
                    return _error(401, "unauthenticated", message="Missing, unknown or revoked credential.")
                exchange = env["ecrm.exchange"].search([
                    ("direction", "=", "inbound"), ("trading_partner_id", "=", partner.id),
                    ("buyer_document_id", "=", document_id), ("http_status", "!=", 409)], order="id desc", limit=1)
                if not exchange:
                    return _error(404, "not_found", message="No order %r from this trading partner." % document_id)
                latest = env["ecrm.exchange"].search([("inbound_exchange_id", "=", exchange.id)],
                                                     order="id desc", limit=1) or exchange
                if not _wants_json() and latest.acknowledgement:
                    return http.Response(latest.acknowledgement.encode("utf-8"), status=200, headers={
                        "Content-Type": CONTENT_TYPES["xml"], "X-Ecrm-Exchange": latest.name})
                return _json(200, exchange._status_summary(), headers={"X-Ecrm-Exchange": exchange.name})
        except Exception:
            _logger.exception("e-procurement status failed")
            return _error(503, "unavailable", message="Status unavailable now; try again later.")
