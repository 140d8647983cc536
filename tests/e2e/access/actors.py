"""Who calls, and what came back: RPC and HTTP clients for one user, and the outcome of a call.

Every call is classified the same way whatever the protocol, so the matrix can say
"refused" once and mean an AccessError over XML-RPC (fault code 4), over JSON-RPC
(``odoo.exceptions.AccessError``) alike.
"""
import ast
import re
import xmlrpc.client
from collections import namedtuple

import requests

OK, DENIED, REFUSED, CRASH = "ok", "denied", "refused", "crash"
# business refusals: a clean message, no traceback meant for the caller
BUSINESS_ERRORS = ("UserError", "ValidationError", "MissingError", "Warning", "RedirectWarning")


class Outcome(namedtuple("Outcome", "kind error message value")):
    """What a call did: ``kind`` is ok, denied (AccessError), refused (a business error) or crash."""

    def __str__(self):
        if self.kind == OK:
            return "ok: %s" % (repr(self.value)[:300],)
        return "%s: %s: %s" % (self.kind, self.error, (self.message or "")[:400])


def _from_error_class(name, message):
    module, _dot, short = name.rpartition(".")
    if module not in ("", "odoo.exceptions"):
        return Outcome(CRASH, name, message, None)
    if short == "AccessError":
        return Outcome(DENIED, short, message, None)
    if short in BUSINESS_ERRORS:
        return Outcome(REFUSED, short, message, None)
    return Outcome(CRASH, name, message, None)


def _fault_outcome(fault):
    """XML-RPC faults: 4 AccessError, 2 UserError/MissingError, 1 anything else with its traceback."""
    text = fault.faultString or ""
    if fault.faultCode == 4:
        return Outcome(DENIED, "AccessError", _except_orm_text(text), None)
    if fault.faultCode == 2:
        return Outcome(REFUSED, "UserError", _except_orm_text(text), None)
    # Odoo 11 sends ValidationError (not a UserError there) as an application error with a traceback
    last = [line for line in text.strip().splitlines() if line and not line.startswith(" ")][-1:] or [""]
    match = re.match(r"([\w.]+(?:Error|Exception|Warning))(?::\s?(.*))?$", last[0])
    if match:
        outcome = _from_error_class(match.group(1), _except_orm_text(match.group(2) or ""))
        return outcome._replace(message=outcome.message if outcome.kind != CRASH else text)
    return Outcome(CRASH, "Fault %s" % fault.faultCode, text, None)


def _except_orm_text(text):
    """``str()`` of an Odoo 11 except_orm is the tuple ``('message', None)``: keep the message."""
    if text.startswith("(") and text.endswith(")"):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        if isinstance(value, tuple) and value:
            return " ".join(str(part) for part in value if part)
    return text


class Traffic:
    """Counts every request the tests send, so a database fingerprint knows when it may be reused."""

    sent = 0


class RpcActor:
    """One logged-in user, driving the external API over XML-RPC and JSON-RPC like an integrator."""

    def __init__(self, server, name, login, password, uid):
        self.server, self.name, self.login, self.password, self.uid = server, name, login, password, uid
        self._object = xmlrpc.client.ServerProxy(server.url + "/xmlrpc/2/object", allow_none=True)
        self._json = requests.Session()
        self._web = None

    def __repr__(self):
        return "<%s %s uid=%s>" % (type(self).__name__, self.name, self.uid)

    def call(self, protocol, model, method, args=(), kwargs=None):
        return (self.xml if protocol == "xml" else self.json)(model, method, args, kwargs)

    def xml(self, model, method, args=(), kwargs=None):
        Traffic.sent += 1
        try:
            value = self._object.execute_kw(self.server.database, self.uid, self.password, model, method,
                                            list(args), kwargs or {})
        except xmlrpc.client.Fault as fault:
            return _fault_outcome(fault)
        return Outcome(OK, None, None, value)

    def json(self, model, method, args=(), kwargs=None):
        Traffic.sent += 1
        response = self._json.post(self.server.url + "/jsonrpc", timeout=120, json={
            "jsonrpc": "2.0", "method": "call", "params": {
                "service": "object", "method": "execute_kw",
                "args": [self.server.database, self.uid, self.password, model, method, list(args), kwargs or {}]}})
        body = response.json()
        if "error" in body:
            data = body["error"].get("data") or {}
            return _from_error_class(data.get("name") or "unknown", data.get("message") or
                                     body["error"].get("message") or "")
        return Outcome(OK, None, None, body.get("result"))

    def ok(self, model, method, *args, **kwargs):
        """A call that must succeed (fixture set-up, over JSON-RPC, which marshals anything): its value,
        else an AssertionError with the outcome."""
        outcome = self.json(model, method, args, kwargs)
        assert outcome.kind == OK, "%s %s.%s%r: %s" % (self.name, model, method, args, outcome)
        return outcome.value

    def check_access(self, model, operation):
        """What the host's access rights say this user may do on ``model`` (asked over RPC, as the user)."""
        outcome = self.xml(model, "check_access_rights", [operation, False])
        return outcome.kind == OK and bool(outcome.value)

    @property
    def web(self):
        """A browser session of this user (logged in through /web/login, with its CSRF token)."""
        if self._web is None:
            self._web = WebSession(self.server, self.login, self.password)
        return self._web


class WebSession:
    """What a browser does: cookies, CSRF tokens from the pages, no redirects followed."""

    CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

    def __init__(self, server, login=None, password=None):
        self.server = server
        self.http = requests.Session()
        if login:
            page = self.http.get(server.url + "/web/login", timeout=120)
            self.http.post(server.url + "/web/login", timeout=120, allow_redirects=False, data={
                "login": login, "password": password, "csrf_token": self.CSRF.search(page.text).group(1)})
            assert "session_id" in self.http.cookies, "could not log in as %s" % login

    def csrf(self, path="/"):
        Traffic.sent += 1
        match = self.CSRF.search(self.http.get(self.server.url + path, timeout=120).text)
        return match.group(1) if match else ""

    def request(self, method, path, **kwargs):
        Traffic.sent += 1
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 120)
        return self.http.request(method, self.server.url + path, **kwargs)
