"""The routes the add-ons add, as each visitor meets them over HTTP.

Columns: public (not logged in), portal, employee, eCRM User, eCRM Manager, and for the
machine endpoints the buyer's system (a bearer credential, no session). A browser session,
however privileged, never authenticates a machine endpoint.

    PAGE(...)      200, and the page holds no other customer's data (and shows what it must)
    LOGIN          sent to /web/login
    LOCAL(prefix)  redirected within this website (never to another host), to prefix...
    STATUS(n)      answered with status n (401 no credential, 404 not yours)
    None           not applicable to this visitor
"""
import json
import urllib.parse
from collections import namedtuple

import requests


Response = namedtuple("Response", "status location body")
WebRow = namedtuple("WebRow", "method path variant public portal employee user manager buyer request")


def web(method, path, public, portal, employee, user, manager, request, buyer=None, variant=""):
    return WebRow(method, path, variant, public, portal, employee, user, manager, buyer, request)


class WebExpect:
    refusal = False  # a refused request must write nothing

    def __init__(self, check=None):
        self.check = check

    def problems(self, response, context):
        problems = self._problems(response, context)
        problems += ["the answer shows %r" % secret for secret in context.secrets if secret and secret in response.body]
        if not problems and self.check:
            try:
                problem = self.check(context, response)
            except Exception as error:
                problem = "the answer cannot be read (%s: %s)" % (type(error).__name__, error)
            problems += [problem] if problem else []
        return problems


class Page(WebExpect):
    def __init__(self, contains=(), check=None):
        super().__init__(check)
        self.contains = contains

    def __repr__(self):
        return "PAGE"

    def _problems(self, response, context):
        if response.status != 200:
            return ["expected the page, got %s %s" % (response.status, response.location or "")]
        wanted = [text(context) if callable(text) else text for text in self.contains]
        return ["the page misses %r" % text for text in wanted if text not in response.body]


class Login(WebExpect):
    refusal = True
    def __repr__(self):
        return "LOGIN"

    def _problems(self, response, context):
        if response.status in (302, 303) and "/web/login" in (response.location or ""):
            return []
        return ["expected the login page, got %s %s" % (response.status, response.location or "")]


class Local(WebExpect):
    def __init__(self, prefix="/", check=None):
        super().__init__(check)
        self.prefix = prefix

    def __repr__(self):
        return "LOCAL(%s)" % self.prefix

    def _problems(self, response, context):
        if response.status not in (301, 302, 303):
            return ["expected a redirect to %s, got %s" % (self.prefix, response.status)]
        location = urllib.parse.urlsplit(response.location or "")
        server = urllib.parse.urlsplit(context.box.server.url)
        if location.netloc and location.netloc != server.netloc:
            return ["redirected off the website, to %s" % response.location]
        if not location.path.startswith(self.prefix):
            return ["redirected to %s, not to %s" % (response.location, self.prefix)]
        return []


class Status(WebExpect):
    def __init__(self, status, check=None):
        super().__init__(check)
        self.status = status
        self.refusal = status in (401, 403, 404)

    def __repr__(self):
        return "STATUS(%s)" % self.status

    def _problems(self, response, context):
        if response.status != self.status:
            return ["expected %s, got %s %s" % (self.status, response.status, response.location or "")]
        return []


LOGIN, NOT_FOUND, UNAUTHENTICATED = Login(), Status(404), Status(401)


# ---- requests: (context, session) -> send(), which returns a Response; everything a request needs
# (records, CSRF token) is made before send(), so a refused request is judged on what it alone wrote.
# session is None for the buyer's machine.

def answer(response):
    return Response(response.status_code, response.headers.get("Location"), response.text)


def _value(value, c):
    return value(c) if callable(value) else value


def get(path):
    def prepare(c, session):
        target = _value(path, c)
        return lambda: answer(session.request("GET", target))
    return prepare


def post(path, data=None):
    """A form post carrying the session's CSRF token (taken from the login page, which every session has)."""
    def prepare(c, session):
        target, fields = _value(path, c), dict(_value(data, c) or {}, csrf_token=session.csrf("/web/login"))
        return lambda: answer(session.request("POST", target, data=fields))
    return prepare


def machine(path, credential=None, body=None, method="POST"):
    """What a buyer's system sends: the credential alone, or nothing, and no cookie."""
    def prepare(c, session):
        headers = {"Accept": "application/json", "Content-Type": "application/xml"}
        if credential:
            headers["Authorization"] = "Bearer %s" % credential(c)
        http = session.http if session is not None else requests
        url, payload = c.box.server.url + _value(path, c), body(c) if body else None
        return lambda: answer(http.request(method, url, data=payload, headers=headers, allow_redirects=False,
                                           timeout=120))
    return prepare


# ---- checks ----

def preferences_own_only(c, response):
    if c.read("res.partner", c.own_partner, ["ecrm_stated_channel"])["ecrm_stated_channel"] != "phone":
        return "the caller's own preferences were not saved"
    if c.read("res.partner", c.ids["other_company"], ["ecrm_stated_channel"])["ecrm_stated_channel"] == "phone":
        return "the crafted partner_id changed another customer"


def answered_as_self(c, response):
    found = c.admin.ok("ecrm.profile.answer", "search_read", [("value", "=", "Matrix web %s" % c.role)],
                       ["partner_id"])
    if [row["partner_id"][0] for row in found] != [c.own_partner]:
        return "the answer was stored for %r, not for the caller" % (found,)


def same_as_unknown_gln(c, response):
    """A foreign depot's GLN answers exactly like a GLN nobody has, and ships nothing to that depot."""
    unknown = answer(c.box.post_raw(c.box.order(c.box.unique("MX-GLN-"), delivery_gln="5000000099994")))
    mine, theirs = json.loads(response.body), json.loads(unknown.body)
    if (response.status, mine.get("error")) != (unknown.status, theirs.get("error")):
        return "a foreign GLN answers %s %s, an unknown one %s %s: the buyer can tell which GLNs exist" % (
            response.status, mine.get("error"), unknown.status, theirs.get("error"))
    foreign = c.read("res.partner", c.ids["other_depot"], ["ecrm_gln"])["ecrm_gln"]
    if (mine.get("message") or "").replace(foreign, "<GLN>") != (theirs.get("message") or "").replace(
            "5000000099994", "<GLN>"):
        return "a foreign GLN answers %r, an unknown one %r" % (mine.get("message"), theirs.get("message"))
    # the other buyer's own orders ship to its depot by default: only someone else's count
    shipped = c.admin.ok("sale.order", "search_count", [("partner_shipping_id", "=", c.ids["other_depot"]),
                                                        ("partner_id", "not in", c.admin.ok(
                                                            "res.partner", "search",
                                                            [("id", "child_of", c.ids["other_company"])]))])
    if shipped:
        return "%d sale order(s) of this buyer ship to another buyer's depot" % shipped


def same_as_unknown_document(c, response):
    unknown = answer(c.box.get_status(c.box.credential, "MX-NEVER-%s" % c.box.tag))
    if (response.status, response.body) != (unknown.status, unknown.body.replace("MX-NEVER-%s" % c.box.tag,
                                                                                   c.box.other_document)):
        return "another buyer's document answers %s, an unknown one %s" % (response.status, unknown.status)


def credential(c):
    return c.box.credential


def other_tp_form(c):
    return {"trading_partner_id": str(c.ids["other_trading_partner"]), "mode": "key", "document_id": "MX-X",
            "qty_%d" % c.ids["trading_partner_product"]: "1"}


def own_tp_form(c):
    return {"trading_partner_id": str(c.ids["trading_partner"]), "mode": "key",
            "document_id": c.box.unique("MX-PORTAL-"), "qty_%d" % c.ids["trading_partner_product"]: "1"}


def forged_unsubscribe(token="0" * 128):
    """The suite's unsubscribe link for the caller's own contact, with a token nobody signed."""
    def path(c):
        mailing = c.admin.ok("mail.mass_mailing", "create", {
            "name": c.box.unique("Matrix mailing "), "mailing_model_id": c.box.ref("base.model_res_partner"),
            "mailing_domain": "[('id', 'in', [])]", "reply_to_mode": "email"})
        query = {"res_id": c.ids["own_contact"],
                 "email": c.read("res.partner", c.ids["own_contact"], ["email"])["email"] or "x@matrix.example"}
        if token is not None:
            query["token"] = token
        return "/ecrm/unsubscribe/%d?%s" % (mailing, urllib.parse.urlencode(query))
    return path


def own_buyer(c):
    return "Matrix Buyer %s" % c.box.tag


OWN_PAGE = Page()
# the host's /my layout counts the user's invoices and orders: internal users without Sales or
# Billing rights get its 403 on every /my page, the add-on's included
HOST_403 = Status(403)
EVIL = "/.//evil.example/matrix"
FORGED_LINK = Status(403)  # the plain "not a valid link" page, and nothing written

#     method  path                    public  portal      employee   user       manager    request
ROUTES = [
    web("GET", "/my/preferences",     LOGIN,  OWN_PAGE,   HOST_403,  HOST_403,  HOST_403,  get("/my/preferences")),
    web("POST", "/my/preferences",    LOGIN,  Local("/my/preferences", preferences_own_only),
        Local("/my/preferences", preferences_own_only), Local("/my/preferences", preferences_own_only),
        Local("/my/preferences", preferences_own_only),
        post("/my/preferences", lambda c: {
            "stated_channel": "phone", "partner_id": str(c.ids["other_company"])}),
        variant="with another customer's partner_id"),
    web("POST", "/my/profile-question", LOGIN, Local("/my/preferences", answered_as_self),
        Local("/my/preferences", answered_as_self), Local("/my/preferences", answered_as_self),
        Local("/my/preferences", answered_as_self),
        post("/my/profile-question", lambda c: {
            "question_id": str(c.box.question()), "answer": "Matrix web %s" % c.role,
            "partner_id": str(c.ids["other_company"])})),
    web("GET", "/my/interactions",    LOGIN,  Page(contains=[lambda c: "Matrix own order %s" % c.box.tag]),
        HOST_403, HOST_403, HOST_403, get(lambda c: "/my/interactions?partner_id=%d" % c.ids["other_company"])),
    web("POST", "/my/call-me",        LOGIN,  Local("/my/interactions"), Local("/my/interactions"),
        Local("/my/interactions"), Local("/my/interactions"),
        post("/my/call-me", {"topic": "Matrix web call"})),
    web("GET", "/my/eprocurement",    LOGIN,  Page(contains=[own_buyer]), NOT_FOUND, NOT_FOUND, NOT_FOUND,
        get("/my/eprocurement")),
    web("POST", "/my/eprocurement",   LOGIN,  Page(contains=[own_buyer]), NOT_FOUND, NOT_FOUND, NOT_FOUND,
        post("/my/eprocurement")),
    web("POST", "/my/eprocurement/submit", LOGIN, Page(contains=["o_eprocurement_result"]), NOT_FOUND, NOT_FOUND,
        NOT_FOUND, post("/my/eprocurement/submit", own_tp_form), variant="own trading partner"),
    web("POST", "/my/eprocurement/submit", LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
        post("/my/eprocurement/submit", other_tp_form), variant="another buyer's trading partner"),
    web("POST", "/ecrm/consent",      Local("/shop"), Local("/shop"), Local("/shop"), Local("/shop"), Local("/shop"),
        post("/ecrm/consent", {"choice": "no", "redirect": "/shop"})),
    web("POST", "/ecrm/consent",      Local(), Local(), Local(), Local(), Local(),
        post("/ecrm/consent", {"choice": "no", "redirect": EVIL}), variant="redirect to another host"),
    web("GET", "/ecrm/click/<int:rule_id>", Local(), Local(), Local(), Local(), Local(),
        get(lambda c: "/ecrm/click/%d" % c.ids["offsite_rule"]), variant="rule whose button leads off-site"),
    web("POST", "/ecrm/click/<int:rule_id>", Local(), Local(), Local(), Local(), Local(),
        post(lambda c: "/ecrm/click/%d" % c.ids["offsite_rule"]), variant="rule whose button leads off-site"),
    # a program e-mail's unsubscribe link: only the token mailed with it unsubscribes anyone
    web("GET", "/ecrm/unsubscribe/<int:mailing_id>", FORGED_LINK, FORGED_LINK, FORGED_LINK, FORGED_LINK,
        FORGED_LINK, get(forged_unsubscribe()), variant="forged token"),
    web("GET", "/ecrm/unsubscribe/<int:mailing_id>", FORGED_LINK, FORGED_LINK, FORGED_LINK, FORGED_LINK,
        FORGED_LINK, get(forged_unsubscribe(None)), variant="no token"),
    web("POST", "/ecrm/unsubscribe/<int:mailing_id>", FORGED_LINK, FORGED_LINK, FORGED_LINK, FORGED_LINK,
        FORGED_LINK, post(forged_unsubscribe()), variant="forged token, one-click"),
    # machine endpoints: a browser session is no credential
    web("POST", "/ecrm/eprocurement/<string:format_code>", UNAUTHENTICATED, UNAUTHENTICATED, UNAUTHENTICATED,
        UNAUTHENTICATED, UNAUTHENTICATED, machine("/ecrm/eprocurement/peppol-order",
                                                  body=lambda c: c.box.order(c.box.unique("MX-S-")))),
    web("POST", "/ecrm/eprocurement/<string:format_code>", None, None, None, None, None,
        machine("/ecrm/eprocurement/peppol-order", credential, body=lambda c: c.box.order(
            c.box.unique("MX-D-"), delivery_gln=c.read("res.partner", c.ids["other_depot"], ["ecrm_gln"])["ecrm_gln"])),
        buyer=Status(422, same_as_unknown_gln), variant="delivery GLN of another buyer's depot"),
    web("GET", "/ecrm/eprocurement/status/<path:document_id>", UNAUTHENTICATED, UNAUTHENTICATED,
        UNAUTHENTICATED, UNAUTHENTICATED, UNAUTHENTICATED,
        machine(lambda c: "/ecrm/eprocurement/status/%s" % c.box.other_document, method="GET")),
    web("GET", "/ecrm/eprocurement/status/<path:document_id>", None, None, None, None, None,
        machine(lambda c: "/ecrm/eprocurement/status/%s" % c.box.other_document, credential, method="GET"),
        buyer=Status(404, same_as_unknown_document), variant="another buyer's document"),
]
