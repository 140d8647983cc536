"""A local stand-in for Sage Business Cloud Accounting v3.1, for tests only.

It serves the request and response shapes the bridge uses, as Sage documents
them: the OAuth2 token endpoint with refresh tokens that rotate on every use,
Bearer access tokens, the X-Business header, list endpoints paginated with
$items / $next / $total, POST bodies wrapped in the resource name, and the
failures a client must survive (429 with Retry-After, 5xx, expired tokens).
Contacts listed with ``show_balance=true`` carry their ``balance`` (invoices
less credit notes and payments); sales invoices carry ``total_amount``,
``outstanding_amount``, ``due_date`` and ``status`` (UNPAID, PART_PAID, PAID),
filtered with ``status_id``; lists filter contacts with ``contact_type_id``.
Faults are queued by the test with ``fail_next``.
"""
import itertools
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

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
                 refresh_token="refresh-0", max_page_size=200):
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
        self.faults = []            # [status, retry_after or None]
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

    def fail_next(self, status, times=1, retry_after=None):
        with self._lock:
            self.faults.extend([[status, retry_after]] * times)

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
        items = self.records[path]
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
        return 201, record

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
                status, retry_after = self.faults.pop(0)
                extra = {"Retry-After": str(retry_after)} if retry_after is not None else {}
                return status, [{"$severity": "error", "$dataCode": "Fault", "$message": "injected"}], extra
            auth = headers.get("Authorization", "")
            if not auth.startswith("Bearer ") or auth[7:] not in self.access_tokens:
                return 401, [{"$severity": "error", "$dataCode": "Unauthorized", "$message": "token"}], {}
            if headers.get("X-Business") != self.business_id:
                return 403, [{"$severity": "error", "$dataCode": "BusinessNotFound",
                              "$message": "X-Business missing or unknown"}], {}
            if path not in self.records:
                return 404, [{"$severity": "error", "$dataCode": "RecordNotFound", "$message": path}], {}
            if method == "GET":
                return self._list(path, query) + ({},)
            if method == "POST" and path in RESOURCES:
                try:
                    payload = json.loads(body.decode() or "null")
                except ValueError:
                    return 400, [{"$severity": "error", "$dataCode": "BadJson", "$message": "json"}], {}
                return self._create(path, payload) + ({},)
            return 405, [{"$severity": "error", "$dataCode": "MethodNotAllowed", "$message": method}], {}

    def _handler(self):
        double = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                status, payload, extra = double.handle(self.command, self.path, self.headers,
                                                       self.rfile.read(length) if length else b"")
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args):
                pass

        return Handler
