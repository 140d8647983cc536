# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Machine-to-machine order intake: accepting a document is apart from processing it.

One short transaction stores the exchange, reads the buyer's document id and queues the job
that will process it: from then on nothing (a worker killed, a time limit) can lose the order.
A small order is then processed in the request itself, which closes the job in the same
transaction and answers with the acknowledgement; should that transaction die, the job runs
once its grace ends. A large order, or a buyer asking ``Prefer: respond-async`` (RFC 7240),
gets 202 at once with the exchange and the status URL, and the job processes it under the
job runner's limits. The answer is never a 500.
"""
import json
import logging
import random
import time

import psycopg2
from werkzeug.urls import url_quote

import odoo
from odoo import SUPERUSER_ID, api, http
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from ..models.ecrm_exchange import CXML_STATUS, DuplicateRace
from ..order_formats import cxml

_logger = logging.getLogger(__name__)

# A small order loses a race for a shared row (its customer, a product) now and then; like
# the host's RPC layer, the request tries again on a fresh snapshot, but only a couple of
# times: past that, the job (which queue_job retries) is the better place to wait.
INLINE_TRIES = 3

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


def _prefers_async():
    return "respond-async" in (request.httprequest.headers.get("Prefer") or "").lower()


def _status_path(document_id):
    return "/ecrm/eprocurement/status/%s" % url_quote(document_id, safe="")


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
            asynchronous = _prefers_async()
            exchange = Exchange._accept(partner, format_code, payload, remote_addr, here=not asynchronous)
            exchange_id, inline = exchange.id, not asynchronous and exchange._inline_allowed()
        if inline:
            return self._process_in_request(registry, exchange_id)
        return self._answer_now(registry, exchange_id)

    def _process_in_request(self, registry, exchange_id):
        """Process a small order now; if that fails for any reason its job does it (202)."""
        for attempt in range(1, INLINE_TRIES + 1):
            try:
                with registry.cursor() as cr:
                    exchange = api.Environment(cr, SUPERUSER_ID, {})["ecrm.exchange"].browse(exchange_id)
                    return self._answer(exchange._process_in_request())
            except psycopg2.OperationalError as error:
                if error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY and attempt < INLINE_TRIES:
                    time.sleep(random.uniform(0.0, 0.5 * 2 ** attempt))
                    continue
                _logger.info("exchange %s left to its job after %s", exchange_id, error.__class__.__name__)
            except DuplicateRace:
                _logger.info("exchange %s left to its job: a twin delivery holds its claim", exchange_id)
            except Exception:
                _logger.exception("exchange %s left to its job", exchange_id)
            break
        return self._answer_now(registry, exchange_id, release=True)

    def _answer_now(self, registry, exchange_id, release=False):
        """The answer the exchange earns now; with ``release``, its job no longer waits for us."""
        with registry.cursor() as cr:
            exchange = api.Environment(cr, SUPERUSER_ID, {})["ecrm.exchange"].browse(exchange_id)
            if release:
                exchange._release_job()
            return self._answer(exchange)

    def _accepted(self, exchange):
        """202: stored and queued; the buyer asks the status URL for the acknowledgement."""
        status_url = _status_path(exchange.buyer_document_id)
        headers = {"X-Ecrm-Exchange": exchange.name, "Location": status_url, "Retry-After": "5"}
        if _prefers_async():
            headers["Preference-Applied"] = "respond-async"
        message = "Order %s accepted as %s and being processed; GET %s for its acknowledgement." % (
            exchange.buyer_document_id, exchange.name, status_url)
        if exchange.format_code == "cxml" and not _wants_json():
            return http.Response(cxml.build_response(CXML_STATUS[202], message), status=202,
                                 headers=dict(headers, **{"Content-Type": CONTENT_TYPES["xml"]}))
        return _json(202, {"status": 202, "exchange": exchange.name, "state": exchange.state,
                           "buyer_document_id": exchange.buyer_document_id, "status_url": status_url,
                           "message": message}, headers=headers)

    def _answer(self, exchange):
        if exchange.state in ("received", "validated"):
            return self._accepted(exchange)
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

    @http.route("/ecrm/eprocurement/status/<path:document_id>", type="http", auth="none", methods=["GET"],
                csrf=False, save_session=False)
    def status(self, document_id, **_kwargs):
        """Where the buyer's order stands: the acknowledgement sent and the sale order's progress.

        A path converter: order numbers such as PO/2026/17 keep their slashes.
        """
        try:
            with self._registry().cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                partner = env["ecrm.trading.partner"]._authenticate(_bearer_token(), request.httprequest.remote_addr)
                if not partner:
                    return _error(401, "unauthenticated", message="Missing, unknown or revoked credential.")
                exchange = env["ecrm.exchange"]._status_exchange(partner, document_id)
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
