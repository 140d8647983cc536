# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import datetime
import decimal
import hashlib
import html
import json
import logging

import psycopg2
from psycopg2 import errorcodes

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job, identity_exact, job

from .. import order_formats
from ..order_formats import acknowledgement as ack
from ..order_formats import bounds, codes, cxml, display
from ..order_formats.errors import UNPROCESSABLE, DocumentError, Problem, format_problems

STATES = [("received", "Received"), ("validated", "Validated"), ("processed", "Processed"), ("error", "Error")]
# The only moves an exchange can make; "validated" is the claim on the buyer's
# document id that the unique index below guards.
TRANSITIONS = {
    "received": {"validated", "error"},
    "validated": {"processed", "error"},
    "error": {"received"},
    "processed": set(),
}
CLAIM_INDEX = "ecrm_exchange_inbound_claim_uniq"
MAX_BYTES_PARAM = "ecrm_eprocurement.max_payload_bytes"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
EXTENSIONS = {"peppol-order": ("xml", "application/xml"), "csv": ("csv", "text/csv"),
              "cxml": ("xml", "application/xml")}
# cXML status code answering each HTTP outcome (cXML 1.2 status codes).
CXML_STATUS = {201: 200, 202: 201, 400: 400, 401: 401, 403: 403, 404: 400, 409: 409, 413: 406, 422: 406,
               503: 500}
JOB_CHANNEL = "root.ecrm.eprocurement"
# a lost race on the same document id is settled by the retry's fresh snapshot within seconds
RETRY_PATTERN = {1: 2, 3: 10, 4: 60}
INLINE_MAX_LINES_PARAM = "ecrm_eprocurement.inline_max_lines"
DEFAULT_INLINE_MAX_LINES = 50   # the host confirms 100 lines in about 20 s of CPU, and not linearly
INLINE_GRACE_SECONDS = 60       # an order's job waits this long for the request to process it
STALE_MINUTES_PARAM = "ecrm_eprocurement.stale_minutes"
DEFAULT_STALE_MINUTES = 15
STALE_REQUEUE_HOURS = 24
LIVE_JOB_STATES = ("pending", "enqueued", "started")

_logger = logging.getLogger(__name__)



def _pre(text):
    """Text shown as it is, wrapping long lines, inside an Html field."""
    return "<pre class='o_ecrm_document' style='white-space: pre-wrap; word-break: break-all;'>%s</pre>" % (
        html.escape(text or ""))

class ExchangeRejected(Exception):
    """The order cannot become a sale order; carries the HTTP status and every problem."""

    def __init__(self, status, problems, retryable, order=None):
        super().__init__(format_problems(problems))
        self.status, self.problems, self.retryable, self.order = status, problems, retryable, order


class DuplicateDocument(Exception):
    def __init__(self, original):
        super().__init__(original.name)
        self.original = original


class DuplicateRace(Exception):
    """Another transaction claimed the same buyer document id after ours started.

    Its row is invisible to our snapshot, so the work is done again from a fresh
    transaction: the exchange's job retries, and then finds the winner (409) or, if the
    winner failed after all, the claim free.
    """

    def __init__(self, document_id):
        super().__init__(document_id)
        self.document_id = document_id


class EcrmExchange(models.Model):
    """One inbound document from a trading partner, good or bad, and what became of it."""

    _name = "ecrm.exchange"
    _description = "E-procurement exchange"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")], required=True, default="inbound", readonly=True,
        index=True, help="Outbound exchanges are the order responses we send as the order changes.")
    response_event = fields.Selection(
        [("confirmed", "Order confirmed"), ("delivered", "Order delivered")], readonly=True,
        help="For an outbound order response: the change of the order it reports.")
    inbound_exchange_id = fields.Many2one(
        "ecrm.exchange", "Answers", readonly=True, ondelete="cascade",
        help="For an outbound order response: the inbound order it is about.")
    trading_partner_id = fields.Many2one(
        "ecrm.trading.partner", required=True, readonly=True, index=True, ondelete="restrict")
    company_id = fields.Many2one(related="trading_partner_id.company_id", store=True, readonly=True, index=True)
    partner_id = fields.Many2one(related="trading_partner_id.partner_id", readonly=True, string="Buyer")
    format_code = fields.Selection(
        [("peppol-order", "PEPPOL BIS 3 Order"), ("csv", "CSV"), ("cxml", "cXML OrderRequest")], "Format",
        required=True, readonly=True)
    buyer_document_id = fields.Char("Buyer document id", readonly=True, index=True, copy=False)
    checksum = fields.Char("SHA-256", readonly=True, index=True)
    payload_attachment_id = fields.Many2one("ir.attachment", "Payload", readonly=True, ondelete="restrict")
    payload_size = fields.Integer("Size (bytes)", readonly=True)
    remote_addr = fields.Char("Source address", readonly=True)
    test_mode = fields.Boolean(readonly=True)
    state = fields.Selection(STATES, required=True, default="received", readonly=True, index=True,
                             track_visibility="onchange")
    retryable = fields.Boolean("Retry possible", readonly=True,
                               help="The error can be fixed on our side (mapping, price) and retried.")
    http_status = fields.Integer("HTTP status", readonly=True)
    response_code = fields.Selection(
        [(ack.ACKNOWLEDGED, "Acknowledged"), (ack.ACCEPTED, "Accepted"),
         (ack.CHANGED, "Accepted with changes"), (ack.REJECTED, "Rejected")], readonly=True)
    error_message = fields.Text(readonly=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True, index=True, ondelete="set null")
    duplicate_of_id = fields.Many2one("ecrm.exchange", "Duplicate of", readonly=True, ondelete="set null")
    acknowledgement = fields.Text(readonly=True, help="The OrderResponse sent back (UBL).")
    acknowledgement_json = fields.Text("Acknowledgement (JSON)", readonly=True)
    # what the form shows people: the document indented, the answer in words beside its XML
    document_display = fields.Html("Document", compute="_compute_display", sanitize=False)
    acknowledgement_summary = fields.Html("Our answer", compute="_compute_display", sanitize=False)
    acknowledgement_display = fields.Html("Answer as sent", compute="_compute_display", sanitize=False)
    line_count = fields.Integer("Lines", readonly=True)
    job_id = fields.Many2one("queue.job", "Processing job", readonly=True, ondelete="set null", copy=False,
                             help="The queued job that processes (or processed) the document.")

    @api.model_cr
    def init(self):
        # At most one exchange per (trading partner, buyer document id) may hold the
        # claim, whatever the concurrency: the index is what makes idempotency hold.
        self.env.cr.execute("DROP INDEX IF EXISTS ecrm_exchange_document_claim_uniq")  # 1.0.0 pre-release name
        self.env.cr.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", (CLAIM_INDEX,))
        if not self.env.cr.fetchone():
            self.env.cr.execute(
                "CREATE UNIQUE INDEX %s ON ecrm_exchange (trading_partner_id, buyer_document_id) "
                "WHERE direction = 'inbound' AND state IN ('validated', 'processed')" % CLAIM_INDEX)

    # ---- intake ----

    @api.model
    def _max_bytes(self):
        value = self.env["ir.config_parameter"].sudo().get_param(MAX_BYTES_PARAM)
        return int(value) if value and value.isdigit() else DEFAULT_MAX_BYTES

    # The intake helpers are private: the endpoint, the portal and the test order call them
    # with records, after authenticating the buyer; over RPC Odoo refuses any ``_`` method.

    @api.model
    def _receive(self, trading_partner, format_code, payload, remote_addr=None, test_mode=None):
        """Store an authenticated inbound document as a new exchange in state received."""
        exchange = self.sudo().with_context(tracking_disable=True).create({
            "name": self.env["ir.sequence"].sudo().next_by_code("ecrm.exchange") or "/",
            "trading_partner_id": trading_partner.id,
            "format_code": format_code,
            "checksum": hashlib.sha256(payload).hexdigest(),
            "payload_size": len(payload),
            "remote_addr": remote_addr,
            "test_mode": trading_partner.test_mode if test_mode is None else test_mode,
        })
        extension, mimetype = EXTENSIONS[format_code]
        attachment = self.env["ir.attachment"].sudo().create({
            "name": "%s.%s" % (exchange.name, extension), "datas_fname": "%s.%s" % (exchange.name, extension),
            "datas": base64.b64encode(payload), "mimetype": mimetype,
            "res_model": self._name, "res_id": exchange.id,
        })
        exchange.payload_attachment_id = attachment
        return exchange

    @api.model
    def _accept(self, trading_partner, format_code, payload, remote_addr=None, test_mode=None, here=False):
        """Store a document, read its id and queue the job that processes it; refuse a malformed one now.

        Called in the request's storing transaction: the exchange, the buyer's document id and
        the job commit together, so whatever happens next (a worker killed, a CPU limit) the
        order is processed, once. With ``here``, a small order's job is held back a while, for
        the request to process it itself (``_inline_allowed``, ``_process_in_request``).
        """
        exchange = self._receive(trading_partner, format_code, payload, remote_addr, test_mode)
        try:
            order = order_formats.parse(format_code, payload, exchange._max_bytes(), trading_partner._order_limits())
        except DocumentError as error:
            exchange._fail(ExchangeRejected(error.status, error.problems, retryable=False), error.document_id)
            return exchange
        exchange.with_context(tracking_disable=True).write({
            "buyer_document_id": order["document_id"], "line_count": len(order["lines"])})
        original = exchange._processed_original(order["document_id"])
        if original:  # a re-send of a processed order: its 409 needs no job
            exchange._mark_duplicate(original)
            return exchange
        exchange._enqueue_processing(eta=INLINE_GRACE_SECONDS if here and exchange._inline_allowed() else None)
        return exchange

    def _enqueue_processing(self, eta=None):
        """One job per exchange: the identity key makes a second queueing of it a no-op."""
        for exchange in self:
            queued = exchange.with_delay(
                channel=JOB_CHANNEL, identity_key=identity_exact, eta=eta,
                description=_("Process e-procurement exchange %s") % exchange.name)._ecrm_job_process()
            if hasattr(queued, "uuid"):  # not with test_queue_job_no_delay: it ran already
                exchange.with_context(tracking_disable=True).write({"job_id": queued.db_record().id})

    @api.model
    def _count_param(self, key, default):
        """A whole number from a system parameter, ``default`` when unset or not one."""
        value = self.env["ir.config_parameter"].sudo().get_param(key) or ""
        return int(value) if value.strip().isdigit() else default

    def _fail_retryable(self, reason):
        """Failed, 503 and retryable: processing broke on our side, with ``reason`` for the operators."""
        self._fail(ExchangeRejected(503, [Problem(None, _("processing failed (%s); the exchange can be retried")
                                                  % (reason,))], retryable=True))

    def _inline_allowed(self):
        """Whether the request that received this exchange processes it itself (a small order)."""
        self.ensure_one()
        limit = self._count_param(INLINE_MAX_LINES_PARAM, DEFAULT_INLINE_MAX_LINES)
        return self.state == "received" and self.line_count <= limit

    def _release_job(self):
        """Let the exchange's job start now: the request gave up processing the order itself."""
        for exchange in self.filtered(lambda e: e.job_id.state == "pending" and e.job_id.eta):
            waiting = Job.load(self.env, exchange.job_id.uuid)
            waiting.eta = None
            waiting.store()

    @api.model
    def _status_exchange(self, trading_partner, document_id):
        """The exchange the status endpoint reports for a buyer's order number.

        The processed one if any (a re-send still being handled does not hide it), else the
        latest delivery that is not a duplicate.
        """
        deliveries = self.search([
            ("direction", "=", "inbound"), ("trading_partner_id", "=", trading_partner.id),
            ("buyer_document_id", "=", document_id), "|", ("http_status", "=", False), ("http_status", "!=", 409)],
            order="id desc")
        return deliveries.filtered(lambda e: e.state == "processed")[:1] or deliveries[:1]

    def _process_in_request(self):
        """Process the order now, in the request, and close its waiting job in the same transaction.

        If this transaction dies (a killed worker, a CPU limit) the job was never closed and
        runs once its grace ends; if the job started first, the claim lets one of them win.
        """
        self.ensure_one()
        self._run()
        if self.job_id.state == "pending":
            waiting = Job.load(self.env, self.job_id.uuid)
            waiting.set_done(result=_("processed in the request that received it"))
            waiting.store()
        return self

    @job(default_channel=JOB_CHANNEL, retry_pattern=RETRY_PATTERN)
    @api.multi
    def _ecrm_job_process(self):
        """Process a received exchange into a sale order (or its refusal), under the job's limits.

        Concurrency errors go back to queue_job, which retries them; anything unexpected leaves
        the exchange failed and retryable, with the reason, in the operators' error queue.
        """
        self.ensure_one()
        exchange = self.sudo()
        if exchange.state != "received":
            return _("%s is %s already: nothing to do") % (exchange.name, exchange.state)
        try:
            exchange._run()
        except DuplicateRace:
            # the twin's claim is invisible to this snapshot; the retry's fresh one sees it
            raise RetryableJobError(_("a concurrent delivery of the same document holds its claim"))
        except (RetryableJobError, psycopg2.OperationalError):
            raise
        except Exception as error:  # a defect or a host error: keep the exchange, say why, allow a retry
            _logger.exception("e-procurement exchange %s failed", exchange.name)
            exchange.invalidate_cache()
            exchange._fail_retryable(error)
        return "%s: %s %s" % (exchange.name, exchange.state, exchange.http_status or "")

    @api.model
    def _ecrm_cron_sweep_stale(self):
        """Exchanges still received after a while that no job holds: queue them, or fail them.

        A job killed with its worker is queue_job's garbage collector's (it requeues jobs
        started longer ago than the real-time limit); this sweep catches what no job holds any
        more: exchanges stored before jobs existed, and jobs that failed for good. An exchange
        older than a day is not processed behind everyone's back (its order would be confirmed
        weeks late): it is failed, retryable, for a person to decide.
        """
        minutes = self._count_param(STALE_MINUTES_PARAM, DEFAULT_STALE_MINUTES)
        now = datetime.datetime.utcnow()
        cutoff = fields.Datetime.to_string(now - datetime.timedelta(minutes=minutes))
        too_old = fields.Datetime.to_string(now - datetime.timedelta(hours=STALE_REQUEUE_HOURS))
        stale = self.sudo().search([("direction", "=", "inbound"), ("state", "=", "received"),
                                    ("create_date", "<=", cutoff)])
        for exchange in stale.filtered(lambda e: e.job_id.state not in LIVE_JOB_STATES):
            try:
                with self.env.cr.savepoint():
                    exchange._sweep(too_old)
            except Exception:  # one broken exchange must not stop the others
                _logger.exception("could not sweep e-procurement exchange %s", exchange.name)
        return len(stale)

    def _sweep(self, too_old):
        if self.job_id.state == "failed":
            reason = (self.job_id.exc_info or "").strip().splitlines()[-1:] or [_("the job failed")]
        elif self.create_date < too_old:
            reason = [_("received on %s and never processed") % self.create_date]
        else:
            return self._enqueue_processing()
        self._fail_retryable(reason[0])

    @api.model
    def _record_refusal(self, trading_partner, format_code, status, message, remote_addr=None, payload_size=0):
        """An authenticated request refused before its payload was kept (too large, format not enabled)."""
        exchange = self.sudo().with_context(tracking_disable=True).create({
            "name": self.env["ir.sequence"].sudo().next_by_code("ecrm.exchange") or "/",
            "trading_partner_id": trading_partner.id, "format_code": format_code,
            "payload_size": payload_size, "remote_addr": remote_addr, "test_mode": trading_partner.test_mode,
        })
        exchange._fail(ExchangeRejected(status, [Problem(None, message)], retryable=False))
        return exchange

    @api.multi
    def unlink(self):
        """eCRM Managers delete exchanges, which nobody may write.

        The host deletes a record's attachments (the payload) and chatter messages only for a
        user who may write the record, so once the caller's own unlink rights and company rule
        are checked here, the deletion runs as the superuser.
        """
        self.check_access_rights("unlink")
        self.check_access_rule("unlink")
        return super(EcrmExchange, self.sudo()).unlink()

    def _compute_display(self):
        # every text is escaped: a buyer's document is hostile input shown to staff
        for exchange in self:
            exchange.document_display = _pre(display.readable_document(exchange.sudo()._payload()))
            exchange.acknowledgement_display = exchange.acknowledgement and _pre(
                display.readable_document(exchange.acknowledgement.encode("utf-8")))
            try:
                summary = json.loads(exchange.acknowledgement_json or "null")
            except ValueError:
                summary = None
            lines = display.acknowledgement_lines(summary if isinstance(summary, dict) else None)
            exchange.acknowledgement_summary = lines and "<ul class='o_ecrm_ack_summary'>%s</ul>" % "".join(
                "<li>%s</li>" % html.escape(line) for line in lines)

    def _payload(self):
        # bin_size off: a web client's read asks for sizes ("5.12 Kb"), not the bytes
        return base64.b64decode(self.payload_attachment_id.with_context(bin_size=False).datas or b"")

    # ---- state machine ----

    def _set_state(self, state, **values):
        for exchange in self:
            if state not in TRANSITIONS[exchange.state]:
                raise UserError(_("Exchange %s cannot go from %s to %s.") % (exchange.name, exchange.state, state))
        values["state"] = state
        self.with_context(tracking_disable=True).write(values)

    # ---- integrator API ----

    @api.multi
    def retry(self):
        """Queue failed, retryable exchanges again; returns [{id, state, http_status}] in input order.

        Each is back in state received (http_status empty) until its job has processed it.
        """
        # Exchanges are written by the pipeline only (no write access for anyone);
        # reading one in your company is what entitles you to retry it.
        self.check_access_rights("read")
        self.check_access_rule("read")
        refused = self.filtered(lambda exchange: exchange.state != "error" or not exchange.retryable)
        if refused:
            raise UserError(_("Only failed, retryable exchanges can be retried: %s")
                            % ", ".join(refused.mapped("name")))
        for exchange in self.sudo():
            exchange._set_state("received", retryable=False, http_status=False, error_message=False)
            exchange._enqueue_processing()
        return [{"id": e.id, "state": e.state, "http_status": e.http_status} for e in self]

    @api.multi
    def action_retry(self):
        self.retry()
        return True

    # ---- processing ----

    def _run(self, payload=None):
        """Process one received exchange; never leaves a partial sale order behind.

        Business and format failures end in state error (the exchange is kept);
        concurrency errors propagate so the caller can retry the transaction.
        """
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._process(payload)
        except DocumentError as error:
            self.invalidate_cache()
            self._fail(ExchangeRejected(error.status, error.problems, retryable=False), error.document_id)
        except ExchangeRejected as rejection:
            self.invalidate_cache()
            self._fail(rejection)
        except DuplicateDocument as duplicate:
            self.invalidate_cache()
            self._mark_duplicate(duplicate.original)
        except DuplicateRace:
            self.invalidate_cache()
            raise
        return self

    def _process(self, payload):
        exchange = self.with_context(force_company=self.company_id.id)
        order = order_formats.parse(exchange.format_code, exchange._payload() if payload is None else payload,
                                    exchange._max_bytes(), exchange.trading_partner_id._order_limits())
        exchange.with_context(tracking_disable=True).write({"buyer_document_id": order["document_id"]})
        original = exchange._processed_original(order["document_id"])
        if original:
            raise DuplicateDocument(original)
        priced, buyer, delivery, pricelist = exchange._check_order(order)
        exchange._claim(order["document_id"])
        sale_order = exchange._create_sale_order(order, priced, buyer, delivery, pricelist)
        if exchange._is_urgent(order):
            exchange._flag_urgent(sale_order)
        code = exchange._confirm_or_hold(sale_order, priced)
        exchange._log_order_received(order, sale_order)
        xml, summary = exchange._acknowledge(order, code, priced, sale_order)
        exchange._set_state("processed", sale_order_id=sale_order.id, http_status=201, response_code=code,
                            acknowledgement=xml, acknowledgement_json=summary, error_message=False)

    def _check_order(self, order):
        """Everything that can be wrong with a well-formed order, found in one pass (422 if any)."""
        partner = self.trading_partner_id
        pricelist = partner._effective_pricelist()
        buyer, identity_problems = partner._ordering_partner(order.get("buyer") or {})
        problems = list(order["problems"]) + identity_problems
        if not pricelist:
            problems.append(Problem(None, "no pricelist for this trading partner"))
        elif order["currency"] in codes.CURRENCIES and order["currency"] != pricelist.currency_id.name:
            problems.append(Problem(None, "order currency %s, but this buyer is priced in %s"
                                    % (order["currency"], pricelist.currency_id.name)))
        matches, product_problems = partner._match_products(order["lines"])
        delivery, delivery_problems = partner._delivery_partner(order.get("delivery"), buyer)
        priced, price_problems = self._price_lines(order["lines"], matches, pricelist, buyer, delivery)
        problems += product_problems + delivery_problems + price_problems
        problems += bounds.order_value_problems(
            [(None, line["line_id"], line["quantity"] * decimal.Decimal(repr(line["unit_price"])))
             for line in priced], partner._order_limits())
        if problems:
            raise ExchangeRejected(UNPROCESSABLE, sorted(problems, key=lambda p: p.line or 0), True, order)
        return priced, buyer, delivery, pricelist

    def _claim(self, document_id):
        """Take the (trading partner, document id) claim: waits for a concurrent twin, fails if it won."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                self._set_state("validated")
        except psycopg2.IntegrityError as error:
            if error.pgcode == errorcodes.UNIQUE_VIOLATION and CLAIM_INDEX in str(error):
                raise DuplicateRace(document_id)
            raise

    def _confirm_or_hold(self, sale_order, priced):
        """Confirm unless in test mode or reviewed by hand; returns the response code it earns."""
        if self.test_mode or not self.trading_partner_id.auto_confirm:
            return ack.ACKNOWLEDGED
        sale_order.action_confirm()
        return ack.CHANGED if any(line["status"] == ack.LINE_CHANGED for line in priced) else ack.ACCEPTED

    def _log_order_received(self, order, sale_order):
        format_name = dict(self._fields["format_code"].selection)[self.format_code]
        self.env["ecrm.interaction"].log({
            "partner_id": sale_order.partner_id.id, "channel": "eprocurement",
            "interaction_type": "order_received",
            "subject": _("%s order %s received (%s)") % (format_name, order["document_id"], sale_order.name),
            "res_model": "sale.order", "res_id": sale_order.id, "company_id": self.company_id.id,
        })

    def _processed_original(self, document_id):
        return self.search([
            ("direction", "=", "inbound"), ("trading_partner_id", "=", self.trading_partner_id.id),
            ("buyer_document_id", "=", document_id), ("state", "=", "processed"), ("id", "!=", self.id)], limit=1)

    def _price_lines(self, lines, matches, pricelist, buyer, delivery):
        """Sale line values and acknowledgement status per line, plus the price and unit problems."""
        partner = self.trading_partner_id
        tolerance = partner.price_tolerance / 100.0
        fiscal_position = self.env["account.fiscal.position"].browse(
            self.env["account.fiscal.position"].get_fiscal_position(buyer.id, delivery.id))
        reference = self._reference_prices(lines, matches, pricelist, buyer)
        priced, problems = [], []
        for index, (line, (product, contract_price)) in enumerate(zip(lines, matches)):
            if not product or line["unit_code"] not in codes.UNITS:
                continue
            uom = self.env.ref(codes.UNITS[line["unit_code"]])
            if uom.category_id != product.uom_id.category_id:
                problems.append(Problem(line["line"], "order line %s: unit %s cannot measure %s (sold in %s)"
                                        % (line["line_id"], line["unit_code"], product.display_name,
                                           product.uom_id.name)))
                continue
            our_price = contract_price if contract_price is not None else reference[index]
            status = ack.LINE_ACCEPTED
            if line["unit_price"] is not None:
                asked = float(line["unit_price"])
                if abs(asked - our_price) > our_price * tolerance + 0.005:
                    problems.append(Problem(line["line"], (
                        "order line %s: unit price %.2f is outside the %g%% tolerance of the agreed price %.2f"
                        % (line["line_id"], asked, partner.price_tolerance, our_price))))
                    continue
                if abs(asked - our_price) >= 0.005:
                    status = ack.LINE_CHANGED
            taxes = product.taxes_id.filtered(lambda tax: tax.company_id == self.company_id)
            priced.append({
                "line_id": line["line_id"], "status": status, "quantity": line["quantity"],
                "unit_code": line["unit_code"], "unit_price": our_price, "name": product.display_name,
                "values": {
                    "product_id": product.id, "name": product.display_name,
                    "product_uom_qty": float(line["quantity"]), "product_uom": uom.id, "price_unit": our_price,
                    "tax_id": [(6, 0, fiscal_position.map_tax(taxes, product, buyer).ids)],
                },
            })
        return priced, problems

    def _reference_prices(self, lines, matches, pricelist, buyer):
        """Pricelist unit price per line index, one pricelist call per unit of measure."""
        prices = {}
        if not pricelist:
            return prices
        batches = {}
        for index, (line, (product, _contract)) in enumerate(zip(lines, matches)):
            if product and line["unit_code"] in codes.UNITS:
                batches.setdefault(codes.UNITS[line["unit_code"]], []).append((index, product, float(line["quantity"])))
        for uom_xmlid, batch in batches.items():
            uom = self.env.ref(uom_xmlid)
            # _compute_price_rule keys its answer by product, so a product ordered
            # twice in one unit is priced in a batch of its own.
            while batch:
                seen, this_round, later = set(), [], []
                for item in batch:
                    (later if item[1].id in seen else this_round).append(item)
                    seen.add(item[1].id)
                rule_prices = pricelist.with_context(uom=uom.id)._compute_price_rule(
                    [(product, quantity, buyer) for _i, product, quantity in this_round], uom_id=uom.id)
                for index, product, _quantity in this_round:
                    prices[index] = rule_prices[product.id][0]
                batch = later
        return prices

    def _create_sale_order(self, order, priced, buyer, delivery, pricelist):
        partner = self.trading_partner_id
        values = {
            "partner_id": buyer.id,
            # a consortium's members order, the consortium is invoiced
            "partner_invoice_id": partner.partner_id.address_get(["invoice"])["invoice"],
            "partner_shipping_id": delivery.id,
            "pricelist_id": pricelist.id,
            "company_id": self.company_id.id,
            "client_order_ref": order["document_id"],
            "origin": "eprocurement",
            "ecrm_exchange_id": self.id,
            "fiscal_position_id": self.env["account.fiscal.position"].get_fiscal_position(buyer.id, delivery.id),
            "payment_term_id": partner.partner_id.property_payment_term_id.id,
            "note": order.get("note") or False,
            "order_line": [(0, 0, line["values"]) for line in priced],
        }
        if partner.user_id:
            values["user_id"] = partner.user_id.id
        if self.test_mode:
            values["tag_ids"] = [(4, self.env.ref("ecrm_eprocurement.crm_lead_tag_test").id)]
        return self.env["sale.order"].create(values)

    def _is_urgent(self, order, now=None):
        """Urgent: the note says so, or the requested delivery day ends within the SLA."""
        hours = self.trading_partner_id.urgent_sla_hours
        if not hours:
            return False
        if "urgent" in (order.get("note") or "").lower():
            return True
        requested = (order.get("delivery") or {}).get("requested_date")
        try:
            requested_day = datetime.datetime.strptime(requested or "", "%Y-%m-%d")
        except ValueError:
            return False
        now = now or datetime.datetime.utcnow()
        return requested_day + datetime.timedelta(days=1) <= now + datetime.timedelta(hours=hours)

    def _flag_urgent(self, sale_order):
        partner = self.trading_partner_id
        deadline = datetime.datetime.utcnow() + datetime.timedelta(hours=partner.urgent_sla_hours)
        sale_order.ecrm_urgent = True
        self.env["mail.activity"].create({
            "res_model_id": self.env["ir.model"]._get("sale.order").id, "res_id": sale_order.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
            "summary": _("Urgent e-procurement order: dispatch within %d hours") % partner.urgent_sla_hours,
            "date_deadline": fields.Date.to_string(deadline.date()),
            "user_id": (partner.user_id or sale_order.user_id or self.env.user).id,
        })

    # ---- answers ----

    def _acknowledge(self, order, code, priced, sale_order=None, problems=()):
        now = fields.Datetime.now()
        seller = self.company_id.partner_id
        response = {
            "id": self.name, "issue_date": now[:10], "issue_time": now[11:19], "code": code,
            "notes": ["line %s: %s" % (p.line, p.message) if p.line else p.message for p in problems],
            "currency": order.get("currency"), "order_id": order["document_id"],
            "sales_order_id": sale_order.name if sale_order else None,
            "customer_reference": order.get("customer_reference"),
            "seller": {"endpoint_id": seller.ecrm_gln, "name": seller.name},
            "buyer": dict(order.get("buyer") or {}, name=(order.get("buyer") or {}).get("name")
                          or self.trading_partner_id.partner_id.name),
            "lines": priced,
        }
        if self.format_code == "cxml":
            xml = cxml.build_response(
                CXML_STATUS[201] if code != ack.REJECTED else CXML_STATUS[UNPROCESSABLE],
                "\n".join(response["notes"]) or "%s %s" % (code, response["sales_order_id"] or ""),
                payload_id=None).decode("utf-8")
        else:
            xml = ack.build_order_response(response).decode("utf-8")
        summary = {
            "exchange": self.name, "buyer_document_id": order["document_id"], "response_code": code,
            "test_mode": self.test_mode,
            "sale_order": sale_order.name if sale_order else None,
            "sale_order_state": sale_order.state if sale_order else None,
            "lines": [{"line_id": line["line_id"], "status": line["status"], "quantity": float(line["quantity"]),
                       "unit_code": line["unit_code"], "unit_price": line["unit_price"]} for line in priced],
            "problems": [{"line": p.line, "message": p.message} for p in problems],
        }
        return xml, json.dumps(summary)

    def _fail(self, rejection, document_id=None):
        values = {"http_status": rejection.status, "retryable": rejection.retryable,
                  "error_message": format_problems(rejection.problems), "sale_order_id": False}
        # the failed processing's savepoint took the buyer's document id with it; the buyer
        # asks GET /status/<document id> for the refusal, so it is kept with the error
        document_id = document_id or (rejection.order or {}).get("document_id")
        if document_id:
            values["buyer_document_id"] = document_id
        if rejection.order and rejection.order.get("document_id"):
            values["response_code"] = ack.REJECTED
            values["acknowledgement"], values["acknowledgement_json"] = self._acknowledge(
                rejection.order, ack.REJECTED, [], problems=rejection.problems)
        else:
            values["acknowledgement_json"] = json.dumps({
                "exchange": self.name, "buyer_document_id": self.buyer_document_id or None,
                "problems": [{"line": p.line, "message": p.message} for p in rejection.problems]})
        self._set_state("error", **values)

    def _mark_duplicate(self, original):
        self._set_state("error", http_status=409, retryable=False, duplicate_of_id=original.id,
                        buyer_document_id=original.buyer_document_id,
                        response_code=original.response_code, acknowledgement=original.acknowledgement,
                        acknowledgement_json=original.acknowledgement_json,
                        error_message=_("Duplicate of %s, already processed as %s.")
                        % (original.name, original.sale_order_id.name or "-"))

    def _send_order_response(self, event, code, note):
        """Store an outbound OrderResponse about this processed inbound order, once per event."""
        self.ensure_one()
        if self.search_count([("inbound_exchange_id", "=", self.id), ("response_event", "=", event)]):
            return self.browse()
        order = {"document_id": self.buyer_document_id, "currency": self.sale_order_id.currency_id.name}
        outbound = self.sudo().with_context(tracking_disable=True).create({
            "name": self.env["ir.sequence"].sudo().next_by_code("ecrm.exchange") or "/",
            "direction": "outbound", "inbound_exchange_id": self.id, "state": "processed", "response_event": event,
            "trading_partner_id": self.trading_partner_id.id, "format_code": self.format_code,
            "buyer_document_id": self.buyer_document_id, "sale_order_id": self.sale_order_id.id,
            "test_mode": self.test_mode, "http_status": 200, "response_code": code,
        })
        unit_codes = {self.env.ref(xmlid).id: code for code, xmlid in reversed(list(codes.UNITS.items()))}
        lines = [{"line_id": str(number), "status": ack.LINE_ACCEPTED, "quantity": line.product_uom_qty,
                  "unit_code": unit_codes.get(line.product_uom.id, "C62"), "unit_price": line.price_unit,
                  "name": line.name}
                 for number, line in enumerate(self.sale_order_id.order_line, 1)]
        outbound.acknowledgement, outbound.acknowledgement_json = outbound._acknowledge(
            order, code, lines if code != ack.REJECTED else [], self.sale_order_id, problems=[Problem(None, note)])
        return outbound

    def _status_summary(self):
        """What the status endpoint tells the buyer about this exchange's order, now."""
        self.ensure_one()
        sale_order = self.sale_order_id
        delivery = None
        if sale_order and "picking_ids" in sale_order._fields:
            pickings = sale_order.picking_ids.filtered(lambda picking: picking.state != "cancel")
            delivery = ("delivered" if pickings and all(p.state == "done" for p in pickings)
                        else "in progress" if pickings else "not started")
        return {
            "exchange": self.name, "buyer_document_id": self.buyer_document_id, "state": self.state,
            "http_status": self.http_status or None, "response_code": self.response_code or None,
            "sale_order": sale_order.name or None, "sale_order_state": sale_order.state or None,
            "delivery": delivery, "problems": self.error_message or None,
            "responses": [{"exchange": response.name, "event": response.response_event,
                           "response_code": response.response_code, "date": response.create_date}
                          for response in self.search([("inbound_exchange_id", "=", self.id)], order="id")],
        }
