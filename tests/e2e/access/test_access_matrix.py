"""Issue 12, section 3: every method, model, field and route the five add-ons add, tried as every
kind of user against the e2e server, and held to the matrix (matrix.py, web.py).

The inventory comes from the live registry and routing map, so anything new that the
matrix does not classify fails ``test_inventory_*`` until someone decides who may use it.
Refused calls must leak nothing in their message and write nothing (database fingerprint
before and after); reads are refused before they can write, so only their leaks are checked.
"""
import re
import xmlrpc.client

import pytest

from odoo.models import regex_private

from .actors import DENIED, OK, RpcActor, WebSession
from .expect import ALLOW, DENY, Host
from .inventory import Inventory, Route
from .matrix import METHODS, MODELS, SECRET_FIELDS, STAFF, WIZARDS, field_policy, prepare
from .sandbox import ACTORS, Sandbox, Unreachable
from .web import ROUTES
from .writes import Fingerprint

PUBLIC, BUYER = "public", "buyer"
VISITORS = (PUBLIC,) + ACTORS + (BUYER,)
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}
TARGETS = {  # the record of each model the CRUD rows read and write
    "ecrm.interaction": "other_interaction", "ecrm.consent": "consent", "ecrm.consent.history": "consent_history",
    "ecrm.sector": "sector", "ecrm.interaction.type": "interaction_type", "ecrm.quality.rule": "quality_rule", "ecrm.duplicate.group": "duplicate_group",
    "ecrm.customer360.field": "customer360_field", "ecrm.campaign.cost": "campaign_cost",
    "ecrm.job.progress": "job_progress", "ecrm.timeline.backfill": "timeline_backfill",
    "ecrm.recompute.run": "recompute_run",
    "ecrm.campaign.channel.report": "channel_report", "ecrm.campaign.roi.report": "roi_report",
    "ecrm.segment": "segment", "ecrm.campaign.program": "program", "ecrm.campaign.program.step": "program_step",
    "ecrm.campaign.participant": "participant", "ecrm.campaign.step.log": "step_log",
    "ecrm.personalisation.rule": "rule", "ecrm.portal.segment": "portal_segment", "ecrm.visitor": "visitor",
    "ecrm.page.view": "page_view", "ecrm.page.view.daily": "page_view_daily",
    "ecrm.profile.question": "question", "ecrm.profile.answer": "answer",
    "ecrm.trading.partner": "trading_partner", "ecrm.trading.partner.product": "trading_partner_product",
    "ecrm.exchange": "exchange", "ecrm.sage.backend": "backend", "ecrm.sage.tax.map": "tax_map",
    "ecrm.sage.nominal.map": "nominal_map", "ecrm.sage.binding": "binding", "ecrm.sage.batch": "batch",
    "ecrm.sage.receipt": "receipt", "ecrm.sage.reconciliation.line": "reconciliation_line",
    "ecrm.sage.balance.snapshot": "balance_snapshot", "ecrm.sage.api.token": None,
}


# ---- fixtures: the inventory, the sandbox and its four users, the write detector ----

@pytest.fixture(scope="module")
def inventory(odoo_server):
    return Inventory.load(odoo_server.database)


@pytest.fixture(scope="module")
def box(odoo_server):
    common = xmlrpc.client.ServerProxy(odoo_server.url + "/xmlrpc/2/common")
    admin = RpcActor(odoo_server, "admin", "admin", "admin",
                     common.authenticate(odoo_server.database, "admin", "admin", {}))
    sandbox = Sandbox(odoo_server, admin).build()
    with open(odoo_server.log_path, encoding="utf-8", errors="replace") as log:
        sandbox.log_start = len(log.read())
    yield sandbox
    sandbox.teardown()


@pytest.fixture(scope="module")
def fingerprint(odoo_server):
    detector = Fingerprint(odoo_server.database)
    yield detector
    detector.close()


def judge(expectation, outcome, context, fingerprint=None, before=None):
    problems = expectation.problems(outcome, context)
    if before is not None:
        written = Fingerprint.changes(before, fingerprint.snapshot())
        if written:
            problems.append("a call that must be refused wrote: %s" % ", ".join(written))
    return problems


def expectation_for(expect, context):
    return expect.resolve(context.actor) if isinstance(expect, Host) else expect


# ---- nothing unclassified, nothing stale ----

def _compare(found, classified, what):
    unclassified, stale = sorted(found - classified), sorted(classified - found)
    assert not unclassified and not stale, (
        "%s the add-ons expose but the matrix does not classify: %s\n%s the matrix lists but no add-on has: %s"
        % (what, unclassified, what, stale))


def test_inventory_methods_are_classified(inventory):
    # rows of private methods (``_x``) hold that Odoo refuses them over RPC; the inventory has public ones only
    _compare(inventory.methods, {(row.model, row.method) for row in METHODS if not regex_private.match(row.method)},
             "Methods")


def test_inventory_models_are_classified(inventory):
    transient = {name for name, kind in inventory.models.items() if kind == "transient"}
    assert transient == set(WIZARDS), "Wizards: found %s, classified %s" % (sorted(transient), sorted(WIZARDS))
    _compare(set(inventory.models) - transient, set(MODELS), "Models")


def test_inventory_fields_are_classified(inventory):
    _compare(inventory.fields, set(field_policy()), "Fields on host models")


def test_inventory_routes_are_classified(inventory):
    _compare(inventory.routes, {Route(item.method, item.path) for item in ROUTES}, "Routes")


# ---- methods: every row, as every actor, over XML-RPC and JSON-RPC ----

METHOD_CASES = [pytest.param(item, role, protocol, id="%s.%s%s-%s-%s" % (
    item.model, item.method, "[%s]" % item.variant if item.variant else "", role, protocol))
    for item in METHODS for role in ACTORS for protocol in item.protocols]


REFUSED_CALLS = {}  # row -> the call every refused actor makes (a refused call consumes nothing)


@pytest.mark.parametrize("item, role, protocol", METHOD_CASES)
def test_method(box, fingerprint, item, role, protocol):
    context = box.context(role)
    expectation = expectation_for(getattr(item, role), context)
    try:
        call = REFUSED_CALLS.get(id(item)) if expectation is DENY else None
        if call is None:
            context.personal = False
            call = prepare(item, context)
            if expectation is DENY and not context.personal:
                REFUSED_CALLS[id(item)] = call
    except Unreachable as unreachable:
        problems = expectation.problems(unreachable.outcome, context)
    else:
        if expectation is DENY:
            box.wait_for_jobs()
        before = fingerprint.before() if expectation is DENY else None
        outcome = context.actor.call(protocol, item.model, item.method, call.args, call.kwargs)
        if outcome.kind != DENIED:  # it may have consumed what it was given: the next actor gets its own
            REFUSED_CALLS.pop(id(item), None)
        problems = judge(expectation, outcome, context, fingerprint, before)
    assert not problems, "%s as %s: expected %r\n%s" % (item.method, role, expectation, "\n".join(problems))


# ---- models: read / write / create / unlink, as every actor ----

MODEL_CASES = [pytest.param(model, letter, role, id="%s-%s-%s" % (model, OPERATIONS[letter], role))
               for model in sorted(MODELS) for letter in "rwcu" for role in ACTORS]


REFUSED_UNLINK = {}  # model -> the copy every refused actor tries to delete


def _crud_call(box, model, letter, allowed, report):
    """[(method, args, kwargs)] of one operation on the model's sandbox record.

    An allowed create or unlink works on real values and a fresh copy (a person could do it).
    A refused create needs no values (access rights are checked before them: ``create({})``, which
    fails on its required fields should it ever be let through); refused unlinks share one copy.
    """
    target = box.ids.get(TARGETS[model]) if TARGETS[model] else 0
    if letter == "r":
        group = _group_field(box, model)
        return [("read", [[target], ["display_name"]], {}),
                ("search_read", [[("id", "=", target)], ["display_name"]], {}),
                ("search_count", [[]], {}),
                ("read_group", [[("id", "=", target)], [group], [group]], {"lazy": False})]
    if letter == "w":
        return [("write", [[target], _same_value(box, model, target)], {})]
    if letter == "c":
        return [("create", [_copy_values(box, model, target) if allowed else {}], {})]
    if not allowed and model not in REFUSED_UNLINK:  # a report's rows are a query: nothing to copy
        REFUSED_UNLINK[model] = target if report else _disposable(box, model, target)
    return [("unlink", [[_disposable(box, model, target) if allowed else REFUSED_UNLINK[model]]], {})]


def _group_field(box, model, cache={}):
    """A stored field to group ``model`` by (its company where it has one)."""
    if model not in cache:
        described = box.admin.ok(model, "fields_get", [], ["type", "store"])
        stored = sorted(name for name, field in described.items() if field.get("store")
                        and field["type"] in ("many2one", "selection", "char", "date") and name != "id")
        cache[model] = "company_id" if "company_id" in stored else stored[0]
    return cache[model]


def _same_value(box, model, target, cache={}):
    """A write that changes nothing a person would see: a stored field set to the value it has."""
    if not target:
        return {"id": 0}
    if (model, target) not in cache:
        cache[(model, target)] = _stored_value(box, model, target)
    return cache[(model, target)]


def _stored_value(box, model, target):
    described = box.admin.ok(model, "fields_get", [], ["type", "store", "readonly"])
    simple = sorted(name for name, field in described.items() if field.get("store") and name != "id"
                    and field["type"] in ("char", "integer", "float", "boolean", "text", "date", "selection"))
    name = next((name for name in simple if not described[name]["readonly"]), simple[0])
    return {name: box.admin.ok(model, "read", [target], [name])[0][name]}


def _copy_values(box, model, target):
    if not target:
        return {}
    factories = {
        "ecrm.consent": lambda: {"partner_id": box.partner(), "channel": "post", "state": "opted_in"},
        "ecrm.customer360.field": box.customer360_field_values,
        "ecrm.quality.rule": box.quality_rule_values,
        "ecrm.sage.binding": box.binding_values,
        "ecrm.sage.receipt": lambda: dict(_copy_data(box, model, target), transaction_key=box.unique("matrix-"),
                                          invoice_id=False),
        "ecrm.sage.tax.map": lambda: dict(_copy_data(box, model, target), backend_id=box.backend()),
        "ecrm.sage.nominal.map": lambda: dict(_copy_data(box, model, target), backend_id=box.backend()),
        "ecrm.sage.reconciliation.line": lambda: dict(_copy_data(box, model, target), partner_id=box.partner()),
        "ecrm.campaign.participant": lambda: {"program_id": box.ids["program"], "partner_id": box.partner()},
        "ecrm.trading.partner.product": lambda: {"trading_partner_id": box.trading_partner(),
                                                 "buyer_item_id": "MX-1", "product_id": box.ids["product"]},
        "ecrm.profile.answer": lambda: {"partner_id": box.partner(), "question_id": box.ids["question"],
                                        "value": "Matrix"},
        "ecrm.sector": lambda: {"name": box.unique("Matrix sector "), "code": box.unique()},
        "ecrm.interaction.type": box.interaction_type_values,
    }
    return factories[model]() if model in factories else _copy_data(box, model, target)


def _copy_data(box, model, target):
    outcome = box.admin.json(model, "copy_data", [[target]])
    if outcome.kind != OK or not outcome.value:
        return {}
    return outcome.value[0] if isinstance(outcome.value, list) else outcome.value


def _disposable(box, model, target):
    """A fresh record to delete (a copy made by the admin), so a wrong unlink costs nothing."""
    if not target:
        return 0
    values = _copy_values(box, model, target)
    outcome = box.admin.json(model, "create", [values]) if values else None
    return outcome.value if outcome and outcome.kind == OK else target


@pytest.mark.parametrize("model, letter, role", MODEL_CASES)
def test_model(box, fingerprint, inventory, model, letter, role):
    context = box.context(role)
    allowed = letter in MODELS[model][ACTORS.index(role)]
    expectation = ALLOW if allowed else DENY
    problems = []
    for method, call_args, kwargs in _crud_call(box, model, letter, allowed, inventory.models[model] == "view"):
        before = fingerprint.before() if not allowed and letter != "r" else None
        outcome = context.actor.xml(model, method, call_args, kwargs)
        if method == "unlink" and outcome.kind != DENIED:
            REFUSED_UNLINK.pop(model, None)
        problems += ["%s: %s" % (method, problem) for problem in judge(expectation, outcome, context, fingerprint,
                                                                       before)]
    assert not problems, "%s on %s as %s: expected %r\n%s" % (OPERATIONS[letter], model, role, expectation,
                                                            "\n".join(problems))


# ---- wizards: everyone may run their own, nobody may touch another's ----

WIZARD_CASES = [pytest.param(model, role, id="%s-%s" % (model, role)) for model in sorted(WIZARDS) for role in ACTORS]


@pytest.mark.parametrize("model, role", WIZARD_CASES)
def test_wizard_records_are_their_creators(box, fingerprint, model, role):
    context = box.context(role)
    problems = []
    try:
        own = context.own(model, WIZARDS[model](context))
    except Unreachable as unreachable:  # refusing a wizard outright is allowed: the actions guard it too
        problems += DENY.problems(unreachable.outcome, context)
        own = None
    if own:
        for method, call_args in (("read", [[own], ["display_name"]]), ("write", [[own], _same_value(box, model, own)]),
                                  ("unlink", [[own]])):
            outcome = context.actor.json(model, method, call_args)
            problems += ["own %s: %s" % (method, problem) for problem in ALLOW.problems(outcome, context)]
    theirs = box.admin.ok(model, "create", WIZARDS[model](box.context("manager")))
    for method, call_args in (("read", [[theirs], ["display_name"]]),
                              ("write", [[theirs], _same_value(box, model, theirs)]), ("unlink", [[theirs]])):
        before = fingerprint.before() if method != "read" else None
        outcome = context.actor.json(model, method, call_args)
        problems += ["the admin's %s: %s" % (method, problem)
                     for problem in judge(DENY, outcome, context, fingerprint, before)]
    assert not problems, "%s as %s:\n%s" % (model, role, "\n".join(problems))


# ---- fields the add-ons put on host models ----

FIELD_CASES = [pytest.param(model, name, policy, role, id="%s.%s-%s" % (model, name, role))
               for (model, name), policy in sorted(field_policy().items()) for role in ACTORS]


def _field_target(box, model, role):
    """The record of ``model`` this actor would meet: its own partner for a portal user."""
    return {
        "res.partner": box.ids["own_contact"] if role == "portal" else box.ids["other_company"],
        "utm.campaign": box.ids["campaign"], "sale.order": box.ids["quotation"], "res.company": box.ids["company"],
    }.get(model)


@pytest.mark.parametrize("model, name, policy, role", FIELD_CASES)
def test_field(box, model, name, policy, role):
    context = box.context(role)
    actor, target = context.actor, _field_target(box, model, role)
    record_readable = target and actor.json(model, "read", [[target], ["display_name"]]).kind == OK
    if not record_readable:
        # the host keeps the record itself from this actor: its fields go with it
        outcome = actor.json(model, "search_read", [[], [name]], {"limit": 1})
        problems = DENY.problems(outcome, context) if outcome.kind != OK or outcome.value else []
        assert not problems, "%s.%s as %s (record not readable):\n%s" % (model, name, role, "\n".join(problems))
        return
    staff_only = policy == STAFF and role in ("portal", "employee")
    expectation = DENY if staff_only else ALLOW
    calls = [("read", [[target], [name]], {}), ("search_read", [[("id", "=", target)], [name]], {})]
    described = box.admin.ok(model, "fields_get", [name], ["store", "readonly", "type"])[name]
    if described.get("store") and described["type"] not in ("one2many", "many2many"):
        calls.append(("read_group", [[("id", "=", target)], [name], [name]], {"lazy": False}))
    problems = []
    for method, call_args, kwargs in calls:
        outcome = actor.json(model, method, call_args, kwargs)
        problems += ["%s: %s" % (method, problem) for problem in expectation.problems(outcome, context)]
        if staff_only and outcome.kind == OK:
            problems.append("%s answered %r" % (method, outcome.value))
    if staff_only and described.get("store") and not described["readonly"] and described["type"] not in (
            "one2many", "many2many") and actor.check_access(model, "write"):
        value = box.admin.ok(model, "read", [target], [name])[0][name]
        value = value[0] if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str) else value
        outcome = actor.json(model, "write", [[target], {name: value}])
        problems += ["write: %s" % problem for problem in DENY.problems(outcome, context)]
    assert not problems, "%s.%s (%s) as %s: expected %r\n%s" % (model, name, policy, role, expectation,
                                                               "\n".join(problems))


SECRET_CASES = [pytest.param(model, name, role, id="%s.%s-%s" % (model, name, role))
                for (model, name) in sorted(SECRET_FIELDS) for role in ACTORS]


@pytest.mark.parametrize("model, name, role", SECRET_CASES)
def test_secret_field(box, model, name, role):
    context = box.context(role)
    expectation = SECRET_FIELDS[(model, name)][ACTORS.index(role)]
    target = box.ids[TARGETS[model]]
    problems = []
    for method, call_args in (("read", [[target], [name]]), ("search_read", [[("id", "=", target)], [name]])):
        outcome = context.actor.json(model, method, call_args)
        problems += ["%s: %s" % (method, problem) for problem in expectation.problems(outcome, context)]
    assert not problems, "%s.%s as %s: expected %r\n%s" % (model, name, role, expectation, "\n".join(problems))


# ---- routes, as each visitor ----

ROUTE_CASES = [pytest.param(item, visitor, id="%s %s%s-%s" % (item.method, item.path,
                                                               "[%s]" % item.variant if item.variant else "", visitor))
               for item in ROUTES for visitor in VISITORS if getattr(item, visitor) is not None]


@pytest.fixture(scope="module")
def sessions(box):
    """One browser per visitor (the buyer's machine has none), warmed up so assets are built."""
    made = {PUBLIC: WebSession(box.server)}
    made.update({role: box.users[role].web for role in ACTORS})
    for session in made.values():
        for path in ("/", "/shop", "/my", "/matrix-warm-up-404"):
            session.request("GET", path)
    made[BUYER] = None
    return made


@pytest.mark.parametrize("item, visitor", ROUTE_CASES)
def test_route(box, fingerprint, sessions, item, visitor):
    context = box.context(visitor)
    expectation = getattr(item, visitor)
    send = item.request(context, sessions[visitor])  # the data it needs is made first
    before = fingerprint.before() if expectation.refusal else None
    response = send()
    problems = expectation.problems(response, context)
    if before is not None:
        written = Fingerprint.changes(before, fingerprint.snapshot())
        if written:
            problems.append("a refused request wrote: %s" % ", ".join(written))
    assert not problems, "%s %s as %s: expected %r\n%s" % (item.method, item.path, visitor, expectation,
                                                         "\n".join(problems))


# ---- and the server said nothing it should not have ----

RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ", re.M)
# not faults: the website logs every 403 page (the host's /my for internal users) with the
# AccessError behind it, and a database copied without its files misses cached assets
EXPECTED = re.compile(r"403 Forbidden:|FileNotFoundError: .*/filestore/")


def test_server_log_has_no_traceback_from_the_matrix(odoo_server, box):
    with open(odoo_server.log_path, encoding="utf-8", errors="replace") as log:
        text = log.read()[box.log_start:]
    records = [text[start.start():end.start() if end else len(text)] for start, end in
               zip(RECORD.finditer(text), list(RECORD.finditer(text))[1:] + [None])]
    faults = [record for record in records if "Traceback" in record and not EXPECTED.search(record)]
    last_lines = sorted({[line for line in record.splitlines() if line and not line.startswith(" ")][-1][:200]
                         for record in faults})
    assert not faults, "the server logged %d traceback(s) during the matrix:\n%s" % (
        len(faults), "\n".join(last_lines))
