"""Sage Business Cloud Accounting v3.1 client: OAuth2 with rotating refresh tokens,
the X-Business header, $next pagination, 429 Retry-After and 5xx backoff.

Sage rotates the refresh token on every use: the old one stops working the
moment a new one is issued. ``token_store.save`` is therefore called with the
new token before anything else happens, and must persist it on its own
(committed at once, whatever becomes of the caller's transaction).
"""
import time
from collections import defaultdict
from decimal import Decimal

import requests

from .inbound import Balance, money

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


class SageApiError(Exception):
    def __init__(self, message, status=None, payload=None):
        super().__init__(message)
        self.status = status
        self.payload = payload


class SageClient:
    def __init__(self, base_url, token_url, client_id, client_secret, business_id, token_store,
                 session=None, max_attempts=5, backoff=0.5, sleep=time.sleep, timeout=30, clock=time.monotonic):
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.business_id = business_id
        self.token_store = token_store
        self.session = session or requests.Session()
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.sleep = sleep
        self.timeout = timeout
        self.clock = clock
        self._access_token = None
        self._expires_at = 0.0

    # ---- OAuth2 ----

    def refresh(self):
        response = self.session.post(self.token_url, timeout=self.timeout, data={
            "grant_type": "refresh_token", "refresh_token": self.token_store.load(),
            "client_id": self.client_id, "client_secret": self.client_secret})
        if response.status_code != 200:
            raise SageApiError("token refresh refused (%s): %s" % (response.status_code, response.text[:200]),
                               response.status_code)
        payload = response.json()
        self.token_store.save(payload["refresh_token"])
        self._access_token = payload["access_token"]
        # renew a little early rather than have a request bounce
        self._expires_at = self.clock() + max(int(payload.get("expires_in", 300)) - 30, 0)
        return self._access_token

    def _token(self):
        if not self._access_token or self.clock() >= self._expires_at:
            self.refresh()
        return self._access_token

    # ---- requests ----

    def request(self, method, path, params=None, json=None):
        url = path if path.startswith("http") else self.base_url + "/" + path.lstrip("/")
        refreshed, server_errors = False, 0
        for attempt in range(1, self.max_attempts + 1):
            response = self.session.request(method, url, params=params, json=json, timeout=self.timeout, headers={
                "Authorization": "Bearer %s" % self._token(), "X-Business": self.business_id,
                "Accept": "application/json"})
            if response.status_code == 401 and not refreshed:
                refreshed = True
                self.refresh()
                continue
            if response.status_code == 429 and attempt < self.max_attempts:
                self.sleep(self._retry_after(response))
                continue
            if response.status_code in RETRYABLE_STATUSES and attempt < self.max_attempts:
                server_errors += 1
                self.sleep(self.backoff * 2 ** (server_errors - 1))
                continue
            if response.status_code >= 400:
                raise SageApiError("%s %s answered %s: %s" % (method, path, response.status_code, response.text[:300]),
                                   response.status_code, _json_or_none(response))
            return response.json() if response.content else {}
        raise SageApiError("%s %s: still failing after %d attempts" % (method, path, self.max_attempts),
                           response.status_code)

    def _retry_after(self, response):
        try:
            return max(float(response.headers.get("Retry-After", "1")), 0.0)
        except ValueError:
            return self.backoff

    def iterate(self, path, params=None, items_per_page=200):
        """Every item of a list endpoint, following $next."""
        params = dict(params or {}, items_per_page=items_per_page)
        page = self.request("GET", path, params=params)
        while True:
            for item in page.get("$items", []):
                yield item
            next_path = page.get("$next")
            if not next_path:
                return
            page = self.request("GET", next_path)

    def create(self, path, key, body):
        return self.request("POST", path, json={key: body})

    def find_by_reference(self, path, reference):
        """The record whose reference is exactly ``reference`` (Sage's search is fuzzy), or None."""
        for item in self.iterate(path, {"search": reference, "attributes": "reference"}):
            if item.get("reference") == reference:
                return item
        return None

    def create_once(self, path, key, body):
        """Create unless a record with the same reference exists: a resumed run adopts it."""
        existing = self.find_by_reference(path, body["reference"])
        if existing:
            return existing, False
        return self.create(path, key, body), True


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def customer_balances(contacts, unpaid_invoices, ref_by_contact, today):
    """Balance rows from Sage contacts (``show_balance``) and their unpaid sales invoices.

    Overdue is what is outstanding on invoices due before ``today`` (YYYY-MM-DD).
    Contacts Odoo never exported are left out; on hold is None (the API has no such status).
    """
    overdue = defaultdict(Decimal)
    for invoice in unpaid_invoices:
        contact_id = (invoice.get("contact") or {}).get("id")
        if (invoice.get("due_date") or "9999-12-31") < today:
            overdue[contact_id] += money(invoice.get("outstanding_amount") or 0)
    rows = []
    for number, contact in enumerate(contacts, start=1):
        ref = ref_by_contact.get(contact.get("id"))
        if ref:
            rows.append(Balance(number, ref, money(contact.get("balance") or 0),
                                money(contact.get("credit_limit") or 0), overdue[contact["id"]], None))
    return rows
