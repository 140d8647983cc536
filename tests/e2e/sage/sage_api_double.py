"""A local stand-in for Sage Business Cloud Accounting v3.1, for tests only.

It serves the request and response shapes the bridge uses, as Sage documents
them: the OAuth2 token endpoint with refresh tokens that rotate on every use,
Bearer access tokens, the X-Business header, list endpoints paginated with
$items / $next / $total, POST and PUT (``/<resource>/<id>``) bodies wrapped in the resource name, and the
failures a client must survive (429 with Retry-After, 5xx, expired tokens).
POST bodies may carry Sage's ``idempotency_id`` in the resource: a second POST with
the same one returns the record the first made (switch off with
``honours_idempotency=False`` to test the client's own look-up).
Faults are queued by the test: ``fail_next`` answers an error without doing
anything; ``store_then_fail`` (a 504 after storing, as a gateway timing out),
``store_then_drop`` (the connection closed without an answer) and
``store_then_stall`` (the answer later than the client waits) store the next POST
and lose its answer; ``search_lag`` keeps records just stored out of the next list
answers, as a search index that has not caught up.
Contacts listed with ``show_balance=true`` carry their ``balance`` (invoices
less credit notes and payments); sales invoices carry ``total_amount``,
``outstanding_amount``, ``due_date`` and ``status`` (UNPAID, PART_PAID, PAID),
filtered with ``status_id``; lists filter contacts with ``contact_type_id``.
"""
import itertools
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

DROP, STALL = "drop", "stall"   # handler instructions: close without answering / answer late


class Raw(str):
    """An answer body sent as it is, not as JSON (an HTML error page, a proxy's text)."""

RESOURCES = {
    # path: (POST body key, Sage's own number field and prefix)
    "contacts": ("contact", None),
    "sales_invoices": ("sales_invoice", ("invoice_number", "SI-")),
    "sales_credit_notes": ("sales_credit_note", ("credit_note_number", "SCN-")),
    "contact_payments": ("contact_payment", None),
}
TAX_RATES = [
    {"id": "GB_STANDARD", "displayed_as": "Standard 20.00%", "percentage": "20.0"},
    {"id": "GB_LOWER", "displayed_as": "Lower 5.00%", "percentage": "5.0"},
    {"id": "GB_ZERO", "displayed_as": "Zero 0.00%", "percentage": "0.0"},
    {"id": "GB_EXEMPT", "displayed_as": "Exempt 0.00%", "percentage": "0.0"},
    {"id": "GB_NO_TAX", "displayed_as": "No Tax", "percentage": "0.0"},
]


def _allocate(invoice, amount):
    outstanding = round(float(invoice["outstanding_amount"]) - amount, 2)
    invoice["outstanding_amount"] = "%.2f" % outstanding
    invoice["status"] = {"id": "PAID" if outstanding <= 0 else "PART_PAID"}


class SageDouble:
    def __init__(self, client_id="ecrm-client", client_secret="s3cret", business_id="biz-uk-1",
                 refresh_token="refresh-0", max_page_size=200, honours_idempotency=True):
        self.client_id, self.client_secret, self.business_id = client_id, client_secret, business_id
        self.refresh_token = refresh_token
        self.access_tokens = set()
        self.max_page_size = max_page_size
        self.records = {path: [] for path in RESOURCES}
        self.records["tax_rates"] = [dict(rate, **{"$path": "/tax_rates/" + rate["id"]}) for rate in TAX_RATES]
        self.records["ledger_accounts"] = [
            {"id": "la-%s" % code, "$path": "/ledger_accounts/la-%s" % code, "nominal_code": code,
             "displayed_as": "%s account" % code} for code in ("1100", "1200", "4000", "4010", "4900")]
        self.requests = []          # (method, path, headers dict)
        self.post_bodies = []       # (path, JSON body) of every POST to a resource
        self.puts = []              # (path, record id, JSON body) of every update
        self.faults = []            # [status, retry_after or None]
        self.post_faults = []       # ("fail", status) / ("drop", None) / ("stall", seconds): after storing
        self.honours_idempotency = honours_idempotency
        self.idempotent = {}        # (path, idempotency_id) -> record
        self.hidden = {}            # record id -> list answers it is still left out of
        self.lag = 0
        self.token_grants = 0
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # ---- test controls ----

    def fail_next(self, status, times=1, retry_after=None, body=None):
        """The next ``times`` API calls answer ``status`` (with ``body``, raw text, if given)."""
        with self._lock:
            self.faults.extend([[status, retry_after, body]] * times)

    def drop_next(self, times=1):
        """The next ``times`` API calls are closed without an answer, and do nothing."""
        with self._lock:
            self.faults.extend([[DROP, None, None]] * times)

    def store_then_fail(self, status=504, times=1):
        with self._lock:
            self.post_faults.extend([("fail", status)] * times)

    def store_then_drop(self, times=1):
        with self._lock:
            self.post_faults.extend([("drop", None)] * times)

    def store_then_stall(self, seconds, times=1):
        with self._lock:
            self.post_faults.extend([("stall", seconds)] * times)

    def search_lag(self, answers):
        """Records stored from now on are missing from the next ``answers`` list answers."""
        with self._lock:
            self.lag = answers

    def posts(self, path):
        return [request for request in self.requests if request[0] == "POST" and request[1] == path]

    def add_customer_receipt(self, contact_id, amount, date, reference, transaction_type="CUSTOMER_RECEIPT"):
        """What Sage holds after someone keys in a customer receipt (or a CUSTOMER_REFUND) there."""
        with self._lock:
            payment = {"id": uuid.uuid4().hex, "transaction_type": {"id": transaction_type},
                       "contact": {"id": contact_id}, "total_amount": "%.2f" % amount, "date": date,
                       "reference": reference, "displayed_as": reference}
            payment["$path"] = "/contact_payments/%s" % payment["id"]
            self.records["contact_payments"].append(payment)
            allocated = "sales_credit_notes" if transaction_type == "CUSTOMER_REFUND" else "sales_invoices"
            for invoice in self.records[allocated]:
                if invoice.get("reference") == reference and invoice["contact_id"] == contact_id:
                    _allocate(invoice, amount)
                    break
            return payment

    def expire_access_tokens(self):
        with self._lock:
            self.access_tokens.clear()

    # ---- behaviour ----

    def _token(self, form):
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token:
            return 400, {"error": "invalid_grant", "error_description": "refresh token is invalid or used"}
        self.token_grants += 1
        self.refresh_token = "refresh-%s" % uuid.uuid4().hex
        access = "access-%s" % uuid.uuid4().hex
        self.access_tokens.add(access)
        return 200, {"access_token": access, "expires_in": 300, "token_type": "bearer",
                     "refresh_token": self.refresh_token, "refresh_token_expires_in": 2678400,
                     "scope": "full_access", "requested_by_id": "user-1"}

    def _balance(self, contact_id):
        """Invoices less credit notes, less receipts, plus refunds paid out."""
        def total(path, transaction_type=None):
            return sum(float(item["total_amount"]) for item in self.records[path]
                       if (item.get("contact_id") or (item.get("contact") or {}).get("id")) == contact_id
                       and (transaction_type is None or item["transaction_type"]["id"] == transaction_type))
        return "%.2f" % (total("sales_invoices") - total("sales_credit_notes")
                         - total("contact_payments", "CUSTOMER_RECEIPT") + total("contact_payments", "CUSTOMER_REFUND"))

    def _list(self, path, query):
        items = [item for item in self.records[path] if not self.hidden.get(item["id"])]
        for record_id in list(self.hidden):
            self.hidden[record_id] -= 1
        if "contact_type_id" in query:
            items = [item for item in items if query["contact_type_id"] in item.get("contact_type_ids", ())]
        if "status_id" in query:
            items = [item for item in items if (item.get("status") or {}).get("id") == query["status_id"]]
        if path == "contacts" and query.get("show_balance") == "true":
            items = [dict(item, balance=self._balance(item["id"])) for item in items]
        search = query.get("search")
        if search:
            needle = search.lower()
            items = [item for item in items if needle in (item.get("reference") or "").lower()
                     or needle in (item.get("displayed_as") or "").lower()]
        if "transaction_type_id" in query:
            items = [item for item in items
                     if (item.get("transaction_type") or {}).get("id") == query["transaction_type_id"]]
        if "from_date" in query:
            items = [item for item in items if item.get("date", "") >= query["from_date"]]
        size = min(int(query.get("items_per_page", 20)), self.max_page_size)
        page = int(query.get("page", 1))
        chunk = items[(page - 1) * size: page * size]
        attributes = set((query.get("attributes") or "").split(","))
        shown = [item if "all" in attributes else
                 dict({key: item[key] for key in attributes if key in item},
                      id=item["id"], displayed_as=item.get("displayed_as"), **{"$path": item["$path"]})
                 for item in chunk]

        def link(number):
            return "/%s?%s" % (path, urlencode(dict(query, page=number, items_per_page=size)))
        return 200, {"$total": len(items), "$page": page, "$itemsPerPage": size,
                     "$next": link(page + 1) if page * size < len(items) else None,
                     "$back": link(page - 1) if page > 1 else None, "$items": shown}

    def _create(self, path, body):
        key, number = RESOURCES[path]
        if not isinstance(body, dict) or key not in body:
            return 422, [{"$severity": "error", "$dataCode": "RecordInvalid", "$message": "missing %s" % key}]
        idempotency_id = body[key].get("idempotency_id")
        if self.honours_idempotency and (path, idempotency_id) in self.idempotent:
            return 201, self.idempotent[(path, idempotency_id)]
        record = dict(body[key])
        record["id"] = uuid.uuid4().hex
        record["$path"] = "/%s/%s" % (path, record["id"])
        record["displayed_as"] = record.get("name") or record.get("reference") or record["id"]
        if "contact_id" in record:
            record["contact"] = {"id": record["contact_id"], "$path": "/contacts/%s" % record["contact_id"]}
        if number:
            record[number[0]] = "%s%d" % (number[1], next(self._numbers))
            lines = record.get("invoice_lines") or record.get("credit_note_lines") or []
            total = sum(float(line.get("unit_price", 0)) * float(line.get("quantity", 1))
                        + float(line.get("tax_amount", 0)) for line in lines)
            record.update(total_amount="%.2f" % total, outstanding_amount="%.2f" % total,
                          due_date=record.get("due_date") or record.get("date"), status={"id": "UNPAID"})
        self.records[path].append(record)
        if idempotency_id:
            self.idempotent[(path, idempotency_id)] = record
        if self.lag:
            self.hidden[record["id"]] = self.lag
        return 201, record

    def _update(self, path, record_id, body):
        key, _number = RESOURCES[path]
        record = next((item for item in self.records[path] if item["id"] == record_id), None)
        if record is None:
            return 404, [{"$severity": "error", "$dataCode": "RecordNotFound", "$message": record_id}]
        try:
            payload = json.loads(body.decode() or "null")
        except ValueError:
            return 400, [{"$severity": "error", "$dataCode": "BadJson", "$message": "json"}]
        if not isinstance(payload, dict) or key not in payload:
            return 422, [{"$severity": "error", "$dataCode": "RecordInvalid", "$message": "missing %s" % key}]
        self.puts.append((path, record_id, payload))
        record.update({name: value for name, value in payload[key].items() if name not in ("id", "idempotency_id")})
        return 200, record

    def handle(self, method, raw_path, headers, body):
        split = urlsplit(raw_path)
        path = split.path.strip("/")
        query = {key: values[-1] for key, values in parse_qs(split.query).items()}
        with self._lock:
            self.requests.append((method, path, dict(headers)))
            if path == "token" and method == "POST":
                form = {key: values[-1] for key, values in parse_qs(body.decode()).items()}
                return self._token(form) + ({},)
            if self.faults:
                status, retry_after, raw = self.faults.pop(0)
                if status == DROP:
                    return DROP, None, {}
                extra = {"Retry-After": str(retry_after)} if retry_after is not None else {}
                if raw is not None:
                    return status, Raw(raw), extra
                return status, [{"$severity": "error", "$dataCode": "Fault", "$message": "injected"}], extra
            auth = headers.get("Authorization", "")
            if not auth.startswith("Bearer ") or auth[7:] not in self.access_tokens:
                return 401, [{"$severity": "error", "$dataCode": "Unauthorized", "$message": "token"}], {}
            if headers.get("X-Business") != self.business_id:
                return 403, [{"$severity": "error", "$dataCode": "BusinessNotFound",
                              "$message": "X-Business missing or unknown"}], {}
            resource, _slash, record_id = path.partition("/")
            if method == "PUT" and resource in RESOURCES and record_id:
                return self._update(resource, record_id, body) + ({},)
            if path not in self.records:
                return 404, [{"$severity": "error", "$dataCode": "RecordNotFound", "$message": path}], {}
            if method == "GET":
                return self._list(path, query) + ({},)
            if method == "POST" and path in RESOURCES:
                try:
                    payload = json.loads(body.decode() or "null")
                except ValueError:
                    return 400, [{"$severity": "error", "$dataCode": "BadJson", "$message": "json"}], {}
                self.post_bodies.append((path, payload))
                status, record = self._create(path, payload)
                if status == 201 and self.post_faults:
                    kind, value = self.post_faults.pop(0)
                    if kind == "fail":
                        return value, [{"$severity": "error", "$dataCode": "GatewayTimeout",
                                        "$message": "injected after storing"}], {}
                    if kind == "drop":
                        return DROP, None, {}
                    return STALL, (value, status, record), {}
                return status, record, {}
            return 405, [{"$severity": "error", "$dataCode": "MethodNotAllowed", "$message": method}], {}

    def _handler(self):
        double = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                status, payload, extra = double.handle(self.command, self.path, self.headers,
                                                       self.rfile.read(length) if length else b"")
                if status == DROP:
                    self.close_connection = True
                    return
                if status == STALL:
                    seconds, status, payload = payload
                    time.sleep(seconds)
                data = payload.encode() if isinstance(payload, Raw) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/html" if isinstance(payload, Raw) else "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in extra.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass    # the client gave up waiting (store_then_stall)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args):
                pass

        return Handler
