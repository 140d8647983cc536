"""Every public method of ecrm_sage_bridge over plain XML-RPC and over JSON-RPC (odoorpc).

Both protocols must reach the same methods and get the same data: string keys, no None,
nothing XML-RPC cannot marshal. Calls that change nothing are made once per protocol and
compared as they are; calls that change the database are made on two equal set-ups, one
per protocol, and compared once the ids that differ are set aside. Refusals come back as
the same UserError message on both, without a traceback.
"""
import base64

import pytest

from ..protocols import Protocols, assert_plain, without_ids
from .conftest import export, post_invoices, wait_for_batch
from .sage_api_double import SageDouble

IMPORT_RESULT_KEYS = {"applied", "errors", "batch_id", "matched", "unmatched", "state"}
EXPORT_RESULT_KEYS = {"batch_id", "state", "exported", "skipped", "file"}


@pytest.fixture(scope="module")
def protocols(odoo_server):
    return Protocols(odoo_server)


def bound_refs(rpc, backend_id):
    return {binding["partner_id"][0]: binding["sage_ref"] for binding in rpc(
        "ecrm.sage.binding", "search_read", [("backend_id", "=", backend_id), ("res_model", "=", "res.partner")],
        ["partner_id", "sage_ref"])}


def test_exports_and_imports_answer_the_same_over_both_protocols(rpc, world, protocols):
    backend_id = world["backend_id"]
    for kind in ("customers", "invoices"):
        preview = protocols.both("ecrm.sage.backend", "export_batch", backend_id, kind, True)
        assert set(preview) == EXPORT_RESULT_KEYS and (preview["batch_id"], preview["state"]) == (False, False)
    customers = protocols.xmlrpc("ecrm.sage.backend", "export_batch", backend_id, "customers", False)
    assert set(customers) == EXPORT_RESULT_KEYS and isinstance(customers["batch_id"], int)
    assert customers["state"] == "exporting"
    assert wait_for_batch(rpc, customers["batch_id"])["state"] == "exported"
    nothing = protocols.jsonrpc("ecrm.sage.backend", "export_batch", backend_id, "customers", False)
    assert isinstance(nothing["batch_id"], int) and nothing["batch_id"] != customers["batch_id"]
    assert dict(nothing, batch_id=0) == {"batch_id": 0, "state": "exporting", "exported": 0, "skipped": [],
                                         "file": False}
    done = wait_for_batch(rpc, nothing["batch_id"])
    assert (done["state"], done["record_count"]) == ("done", 0), "a run with nothing to send ends done, empty"
    invoice_ids = post_invoices(rpc, world, [[100.0], [40.0]])
    preview = protocols.both("ecrm.sage.backend", "export_batch", backend_id, "invoices", True)
    assert preview["exported"] == 2 and preview["skipped"] == [] and base64.b64decode(preview["file"])
    ref = bound_refs(rpc, backend_id)[world["customers"][0]]
    number = rpc("account.invoice", "read", invoice_ids[:1], ["number"])[0]["number"]
    receipts = base64.b64encode(("SA,%s,1200,,%s,%s,BACS,1.00,T9,0.00\r\n" % (
        ref, "/".join(reversed(world["date"].split("-"))), number)).encode()).decode()
    checked = protocols.both("ecrm.sage.backend", "import_file", backend_id, "receipts", receipts, True)
    assert checked == {"applied": 1, "errors": [], "batch_id": False, "matched": 1, "unmatched": 0, "state": False}
    refused = protocols.both("ecrm.sage.backend", "import_file", backend_id, "receipts", "bm9wZQ==", False)
    assert set(refused) == IMPORT_RESULT_KEYS and refused["applied"] == 0
    assert [set(error) for error in refused["errors"]] == [{"row", "message"}]
    balances = base64.b64encode(("%s,12.00,100.00,0.00,No\r\n" % ref).encode()).decode()
    checked = protocols.both("ecrm.sage.backend", "import_file", backend_id, "balances", balances, True,
                             "2026-01-31")
    assert checked == {"applied": 1, "errors": [], "batch_id": False, "matched": 0, "unmatched": 0, "state": False}
    for model, method, args in (
            ("ecrm.sage.backend", "export_batch", (backend_id, "payments", False)),
            ("ecrm.sage.backend", "export_batch", ("not an id", "invoices", False)),
            ("ecrm.sage.backend", "import_file", (backend_id, "invoices", receipts, True)),
            ("ecrm.sage.backend", "import_file", (backend_id, "balances", balances, True, "31/12/2026")),
            ("ecrm.sage.backend", "import_file", (backend_id, "balances", balances, True, "2999-01-01")),
            ("ecrm.sage.backend", "import_api_receipts", (backend_id, True)),
            ("ecrm.sage.backend", "import_api_balances", (backend_id, True))):
        assert protocols.refusals(model, method, *args)


def test_record_actions_answer_the_same_over_both_protocols(rpc, world, protocols):
    backend_id = world["backend_id"]
    assert protocols.both("ecrm.sage.backend", "action_map_uk_taxes", [backend_id]) is True
    for method in ("action_view_reconciliation", "action_view_conflicts"):
        action = protocols.both("ecrm.sage.backend", method, [backend_id])
        assert action["type"] == "ir.actions.act_window" and action["domain"] == [["backend_id", "=", backend_id]] \
            + ([["state", "=", "conflict"]] if method == "action_view_conflicts" else [])
    action = protocols.both("ecrm.sage.backend", "action_run_reconciliation", [backend_id])
    assert action["res_model"] == "ecrm.sage.reconciliation.line"
    export(rpc, backend_id, "customers")
    post_invoices(rpc, world, [[10.0], [20.0]])
    first, nothing = export(rpc, backend_id, "invoices"), export(rpc, backend_id, "invoices")
    assert first["state"] == "exported" and (nothing["state"], nothing["exported"]) == ("done", 0), \
        "the second run has nothing to send"
    first = first["batch_id"]
    post_invoices(rpc, world, [[30.0], []])
    second = export(rpc, backend_id, "invoices")["batch_id"]
    assert protocols.xmlrpc("ecrm.sage.batch", "action_mark_done", [first]) is True
    assert protocols.jsonrpc("ecrm.sage.batch", "action_mark_done", [second]) is True
    assert "Only an exported batch" in protocols.refusals("ecrm.sage.batch", "action_mark_done", [first])
    bindings = rpc("ecrm.sage.binding", "search", [("backend_id", "=", backend_id)])
    assert protocols.both("ecrm.sage.binding", "action_accept_odoo_version", bindings) is True
    lines = rpc("ecrm.sage.reconciliation.line", "search", [("backend_id", "=", backend_id)], limit=1)
    for method in ("action_view_unmatched", "action_view_open_invoices"):
        assert protocols.both("ecrm.sage.reconciliation.line", method, lines)["type"] == "ir.actions.act_window"


def test_receipts_registered_by_hand_over_both_protocols(rpc, world, protocols):
    backend_id = world["backend_id"]
    export(rpc, backend_id, "customers")
    invoice_ids = post_invoices(rpc, world, [[10.0, 20.0], []])
    export(rpc, backend_id, "invoices")
    ref = bound_refs(rpc, backend_id)[world["customers"][0]]
    day = "/".join(reversed(world["date"].split("-")))
    text = "".join("SA,%s,1200,,%s,CHQ %d,Cheque,5.00,T9,0.00\r\n" % (ref, day, number) for number in (1, 2))
    result = rpc("ecrm.sage.backend", "import_file", backend_id, "receipts", base64.b64encode(text.encode()).decode())
    assert result["unmatched"] == 2
    assert wait_for_batch(rpc, result["batch_id"])["state"] == "done"
    receipts = rpc("ecrm.sage.receipt", "search", [("batch_id", "=", result["batch_id"])], order="id")
    message = protocols.refusals("ecrm.sage.receipt", "action_register_payment", receipts[:1])
    assert "Pick the invoice" in message
    for receipt_id, invoice_id in zip(receipts, invoice_ids):
        rpc("ecrm.sage.receipt", "write", [receipt_id], {"invoice_id": invoice_id})
    assert protocols.xmlrpc("ecrm.sage.receipt", "action_register_payment", receipts[:1]) is True
    assert protocols.jsonrpc("ecrm.sage.receipt", "action_register_payment", receipts[1:]) is True
    states = rpc("ecrm.sage.receipt", "read", receipts, ["state", "match_method"])
    assert {(row["state"], row["match_method"]) for row in states} == {("matched", "manual")}


def test_wizards_answer_the_same_over_both_protocols(rpc, world, protocols):
    backend_id = world["backend_id"]
    export(rpc, backend_id, "customers")
    ref = bound_refs(rpc, backend_id)[world["customers"][0]]
    balances = base64.b64encode(("%s,0.00,0.00,0.00,No\r\n" % ref).encode()).decode()
    for model, values, method in (
            ("ecrm.sage.export.wizard", {"backend_id": backend_id, "kind": "invoices"}, "action_preview"),
            ("ecrm.sage.import.wizard", {"backend_id": backend_id, "kind": "balances", "file": balances},
             "action_check"),
            ("ecrm.sage.reconciliation.wizard", {"backend_id": backend_id, "date": world["date"]},
             "action_reconcile")):
        over_xml = protocols.xmlrpc(model, method, [rpc(model, "create", values)])
        over_json = protocols.jsonrpc(model, method, [rpc(model, "create", values)])
        assert_plain(over_xml)
        assert without_ids(over_xml, "res_id") == without_ids(over_json, "res_id"), model
    for model, values, method in (
            ("ecrm.sage.export.wizard", {"backend_id": backend_id, "kind": "invoices"}, "action_export"),
            ("ecrm.sage.import.wizard", {"backend_id": backend_id, "kind": "balances", "file": balances},
             "action_import")):
        assert_plain(protocols.xmlrpc(model, method, [rpc(model, "create", values)]))
        wait_for_jobs(rpc, backend_id)  # the next click then starts an export of its own
        assert_plain(protocols.jsonrpc(model, method, [rpc(model, "create", values)]))
        wait_for_jobs(rpc, backend_id)


def wait_for_jobs(rpc, backend_id):
    for batch_id in rpc("ecrm.sage.batch", "search", [("backend_id", "=", backend_id),
                                                      ("state", "in", ("exporting", "importing"))]):
        wait_for_batch(rpc, batch_id)


@pytest.fixture
def double():
    server = SageDouble(refresh_token="refresh-contract").start()
    yield server
    server.stop()


def test_api_imports_answer_the_same_over_both_protocols(rpc, world, protocols, double):
    backend_id = world["backend_id"]
    rpc("ecrm.sage.backend", "write", [backend_id], {
        "transport": "sage_bca_api", "api_url": double.url, "api_token_url": double.url + "/token",
        "api_client_id": "ecrm-client", "api_client_secret": "s3cret", "api_business_id": "biz-uk-1",
        "api_refresh_token": "refresh-contract"})
    exported = export(rpc, backend_id, "customers")
    assert (exported["state"], exported["file"]) == ("done", False) and exported["exported"] >= 2
    for method in ("import_api_receipts", "import_api_balances"):
        checked = protocols.both("ecrm.sage.backend", method, backend_id, True)
        assert set(checked) == IMPORT_RESULT_KEYS and checked["batch_id"] is False
    double.fail_next(500, times=20)
    failed = protocols.both("ecrm.sage.backend", "import_api_balances", backend_id, True)
    assert failed["applied"] == 0 and failed["errors"][0]["message"].startswith("Sage API: ")
