"""Sage Business Cloud Accounting v3.1 client: OAuth2 with rotating refresh tokens,
the X-Business header, $next pagination, and errors that say whether trying again can help.

Sage rotates the refresh token on every use: the old one stops working the
moment a new one is issued. ``token_store.save`` is therefore called with the
new token before anything else happens, and must persist it on its own
(committed at once, whatever becomes of the caller's transaction).

Every failure reaches the caller as ``SageApiError`` with a message a person can
act on: Sage unreachable, a TLS failure, no answer in time, an answer that is not
JSON or not of the expected shape, or a 4xx/5xx. Never a ``requests`` exception.

The client never waits and tries again itself (but for one new access token after
a 401): a failure that may pass (429, with ``retry_after`` from Sage's Retry-After; a
5xx; no answer or no connection) is ``retryable`` and the caller decides when to try
again (the Odoo layer: queue_job, with backoff).

Nothing is posted twice. A POST is ``uncertain`` after a 5xx or a lost answer: Sage
may have stored the record all the same. ``create_once`` therefore looks the record
up by its reference before every POST, so a new attempt after an uncertain one finds
what the first stored; and every body carries Sage's ``idempotency_id`` (the same one
on every attempt, derived from the business, resource and reference), which Sage
honours on contacts, sales invoices, sales credit notes and contact payments: even
a record stored a moment ago and not yet found by the search is not made twice.
"""
import datetime
import math
import re
import time
import uuid
from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlsplit

import requests

from .inbound import Balance, ParseResult, Receipt, RowError, parse_amount, shown

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})
CONNECT_TIMEOUT, READ_TIMEOUT = 10, 30
MAX_RETRY_AFTER = 3600.0       # seconds; a longer (or unreadable infinite) Retry-After is taken as this
DEFAULT_RETRY_AFTER = None     # no usable Retry-After: the caller's own backoff
IDEMPOTENCY_NAMESPACE = uuid.UUID("5b0f4f5e-3c6a-4d0e-9a4b-0c1e5a9e2f17")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_TEXT = 255


class SageApiError(Exception):
    """A Sage API call failed. ``status``: the HTTP status, None when no answer came;
    ``uncertain``: a POST whose outcome is unknown (Sage may have stored it);
    ``retryable``: the same call may succeed later (429, 5xx, no answer or no connection);
    ``retry_after``: seconds Sage asked to wait (429 Retry-After), else None."""

    def __init__(self, message, status=None, payload=None, uncertain=False, retryable=False, retry_after=None):
        super().__init__(message)
        self.status = status
        self.payload = payload
        self.uncertain = uncertain
        self.retryable = retryable
        self.retry_after = retry_after


class SageClient:
    def __init__(self, base_url, token_url, client_id, client_secret, business_id, token_store,
                 session=None, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), clock=time.monotonic):
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.business_id = business_id
        self.token_store = token_store
        self.session = session or requests.Session()
        self.timeout = timeout
        self.clock = clock
        self._access_token = None
        self._expires_at = 0.0

    # ---- transport ----

    def _send(self, method, url, **kwargs):
        """One HTTP exchange; what ``requests`` raises becomes SageApiError."""
        host = urlsplit(url).netloc or url
        post = method == "POST"
        try:
            return self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.exceptions.SSLError as error:
            # a certificate or a URL that speaks no TLS: a setting to correct, not a passing fault
            raise SageApiError("the TLS connection to %s failed (%s): check the API URL and the server's "
                               "certificate" % (host, _short(error)), uncertain=post)
        except requests.exceptions.Timeout as error:
            raise SageApiError("Sage (%s) did not answer in time (%s)" % (host, _short(error)),
                               uncertain=post, retryable=True)
        except requests.exceptions.RequestException as error:
            raise SageApiError("could not reach Sage at %s (%s)" % (host, _short(error)), uncertain=post,
                               retryable=True)

    # ---- OAuth2 ----

    def refresh(self):
        response = self._send("POST", self.token_url, data={
            "grant_type": "refresh_token", "refresh_token": self.token_store.load(),
            "client_id": self.client_id, "client_secret": self.client_secret})
        if response.status_code == 429 or response.status_code in RETRYABLE_STATUSES:
            raise SageApiError("Sage's token endpoint answered %s: %s" % (response.status_code, _text(response)),
                               response.status_code, _json_or_none(response), retryable=True,
                               retry_after=_retry_after(response))
        if response.status_code != 200:
            raise SageApiError("Sage refused the refresh token (%s: %s); connect the backend to Sage again "
                               "(a new refresh token)" % (response.status_code, _text(response)),
                               response.status_code, _json_or_none(response))
        payload = _json_or_none(response)
        if not (isinstance(payload, dict) and isinstance(payload.get("access_token"), str)
                and isinstance(payload.get("refresh_token"), str) and payload["refresh_token"]):
            raise SageApiError("Sage's token endpoint answered without the tokens expected: %s" % _text(response),
                               response.status_code)
        self.token_store.save(payload["refresh_token"])
        self._access_token = payload["access_token"]
        try:
            expires_in = int(payload.get("expires_in", 300))
        except (TypeError, ValueError):
            expires_in = 300
        # renew a little early rather than have a request bounce
        self._expires_at = self.clock() + max(expires_in - 30, 0)
        return self._access_token

    def _token(self):
        if not self._access_token or self.clock() >= self._expires_at:
            self.refresh()
        return self._access_token

    # ---- requests ----

    def request(self, method, path, params=None, json=None):
        """One call; sent a second time only with a new access token after a 401."""
        url = path if path.startswith("http") else self.base_url + "/" + path.lstrip("/")
        response = self._authorised(method, url, params=params, json=json)
        if response.status_code == 401:
            self.refresh()
            response = self._authorised(method, url, params=params, json=json)
        if response.status_code >= 400:
            raise self._error(method, path, response)
        if not response.content:
            return {}
        payload = _json_or_none(response)
        if payload is None:
            raise SageApiError("%s %s answered %s with something that is not JSON: %s"
                               % (method, path, response.status_code, _text(response)), response.status_code)
        return payload

    def _authorised(self, method, url, **kwargs):
        headers = {"Authorization": "Bearer %s" % self._token(), "X-Business": self.business_id,
                   "Accept": "application/json"}
        return self._send(method, url, headers=headers, **kwargs)

    @staticmethod
    def _error(method, path, response):
        status = response.status_code
        passing = status == 429 or status in RETRYABLE_STATUSES
        return SageApiError(
            "%s %s answered %s: %s" % (method, path, status, _text(response)), status, _json_or_none(response),
            # a 429 was not processed; after a 5xx a POST may have been
            uncertain=method == "POST" and status in RETRYABLE_STATUSES,
            retryable=passing, retry_after=_retry_after(response) if status == 429 else None)

    def iterate(self, path, params=None, items_per_page=200):
        """Every item of a list endpoint, following $next; each item is a dict with an id."""
        params = dict(params or {}, items_per_page=items_per_page)
        page = self.request("GET", path, params=params)
        while True:
            items = page.get("$items", []) if isinstance(page, dict) else None
            if not isinstance(items, list):
                raise SageApiError("GET %s answered a list page without $items: %s" % (path, shown(page)))
            for item in items:
                yield _record(item, "GET %s" % path)
            next_path = page.get("$next")
            if not next_path:
                return
            if not isinstance(next_path, str) or (
                    next_path.startswith("http") and urlsplit(next_path).netloc != urlsplit(self.base_url).netloc):
                # the bearer token goes wherever $next points: only ever to the API's own host
                raise SageApiError("GET %s answered a $next that is not a link of this API: %s"
                                   % (path, shown(next_path)))
            page = self.request("GET", next_path)

    def create(self, path, key, body):
        return _record(self.request("POST", path, json={key: body}), "POST %s" % path)

    def update(self, path, record_id, key, body):
        """Replace the fields ``body`` names on an existing record (PUT, safe to retry)."""
        return _record(self.request("PUT", "%s/%s" % (path.rstrip("/"), record_id), json={key: body}),
                       "PUT %s" % path)

    def find_by_reference(self, path, reference):
        """The record whose reference is exactly ``reference`` (Sage's search is fuzzy), or None."""
        for item in self.iterate(path, {"search": reference, "attributes": "reference"}):
            if item.get("reference") == reference:
                return item
        return None

    def idempotency_id(self, path, reference):
        """Sage's idempotency_id for this record: 32 hex digits, the same on every attempt and run."""
        return uuid.uuid5(IDEMPOTENCY_NAMESPACE, "%s|%s|%s" % (self.business_id, path, reference)).hex

    def create_once(self, path, key, body):
        """Create unless a record with the same reference exists: a resumed run adopts it.

        Returns (record, created). Looked up first every time, so trying again after an
        ``uncertain`` failure (a 5xx, no answer) finds what that attempt stored.
        """
        body = dict(body, idempotency_id=self.idempotency_id(path, body["reference"]))
        existing = self.find_by_reference(path, body["reference"])
        if existing:
            return existing, False
        return self.create(path, key, body), True


def _retry_after(response):
    """Seconds from a Retry-After header (bounded), or None when there is none to read."""
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return DEFAULT_RETRY_AFTER
    if math.isnan(seconds):
        return DEFAULT_RETRY_AFTER
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _record(item, where):
    if not (isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]):
        raise SageApiError("%s answered a record without an id: %s" % (where, shown(item)))
    return item


def _is_date(text):
    try:
        datetime.datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def _id_of(record):
    """A record's Sage id, or None when it is not a record with a text id."""
    value = record.get("id") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def _short(error):
    return str(error)[:200]


def _text(response):
    return " ".join((response.text or "")[:300].split())


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def _amount(value, label):
    return parse_amount("" if value is None else str(value), label)


def _text_field(payload, name):
    value = payload.get(name)
    return ("" if value is None else str(value))[:MAX_TEXT]


def receipts_from_payments(payments, ref_by_contact, already):
    """Receipt rows from Sage ``contact_payments``: [(Sage 50 type, payment dict)] in poll order.

    Payments whose key (``API|<id>``) is in ``already`` were imported before and are left
    out. A payment from a contact Odoo never exported, or one that is malformed (no id,
    no ISO date, an amount that is not a plain number of at most 999,999,999.99), is an
    error; with any error there are no records. Never raises.
    """
    records, errors = [], []
    for number, (sage_type, payment) in enumerate(payments, start=1):
        if not isinstance(payment, dict) or not isinstance(payment.get("id"), str) or not payment["id"] \
                or len(payment["id"]) > MAX_TEXT:
            errors.append(RowError(number, "payment %d has no usable id: %s" % (number, shown(payment))))
            continue
        key = "API|%s" % payment["id"]
        if key in already:
            continue
        account_ref = ref_by_contact.get(_id_of(payment.get("contact")))
        if not account_ref:
            errors.append(RowError(number, "payment %s is from a contact not exported from Odoo" % shown(payment["id"])))
            continue
        date = payment.get("date")
        if not (isinstance(date, str) and ISO_DATE.fullmatch(date) and _is_date(date)):
            errors.append(RowError(number, "payment %s has no date (YYYY-MM-DD): %s"
                                   % (shown(payment["id"]), shown(date))))
            continue
        try:
            amount = _amount(payment.get("total_amount"), "amount")
        except ValueError as error:
            errors.append(RowError(number, "payment %s: %s" % (shown(payment["id"]), error)))
            continue
        if amount <= 0:
            errors.append(RowError(number, "payment %s: amount %s is not positive" % (shown(payment["id"]), amount)))
            continue
        records.append(Receipt(number, sage_type, account_ref, "", date, _text_field(payment, "reference"),
                               _text_field(payment, "displayed_as"), amount, key))
    return ParseResult([] if errors else records, errors)


def customer_balances(contacts, unpaid_invoices, ref_by_contact, today):
    """Balance rows from Sage contacts (``show_balance``) and their unpaid sales invoices, as a ParseResult.

    Overdue is what is outstanding on invoices due before ``today`` (YYYY-MM-DD).
    Contacts Odoo never exported are left out; on hold is None (the API has no such status).
    An amount that is not a plain number is an error; with any error there are no records.
    """
    overdue, errors = defaultdict(Decimal), []
    for number, invoice in enumerate(unpaid_invoices, start=1):
        if not isinstance(invoice, dict):
            errors.append(RowError(0, "unpaid sales invoice %d is not a record: %s" % (number, shown(invoice))))
            continue
        contact_id = _id_of(invoice.get("contact"))
        due = invoice.get("due_date") if isinstance(invoice.get("due_date"), str) else "9999-12-31"
        if contact_id in ref_by_contact and due < today:
            try:
                overdue[contact_id] += _amount(invoice.get("outstanding_amount") or 0, "outstanding amount")
            except ValueError as error:
                errors.append(RowError(0, "sales invoice %s: %s" % (shown(invoice.get("id")), error)))
    rows = []
    for number, contact in enumerate(contacts, start=1):
        if not isinstance(contact, dict):
            errors.append(RowError(number, "contact %d is not a record: %s" % (number, shown(contact))))
            continue
        ref = ref_by_contact.get(_id_of(contact))
        if not ref:
            continue
        try:
            rows.append(Balance(number, ref, _amount(contact.get("balance") or 0, "balance"),
                                _amount(contact.get("credit_limit") or 0, "credit limit"), overdue[_id_of(contact)],
                                None))
        except ValueError as error:
            errors.append(RowError(number, "contact %s: %s" % (ref, error)))
    return ParseResult([] if errors else rows, errors)
