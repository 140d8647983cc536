"""The Sage bridge as integrators drive it: XML-RPC against a real server."""
import base64
import csv
import io
import os
import signal
import subprocess
import sys
import threading
import time

import odoo
import psycopg2

from ...odoo_server import ODOO_CONF, REPO
from .conftest import export, post_invoices, wait_for_batch
from .sage_ledger import SageLedger


def decoded(result):
    return base64.b64decode(result["file"]).decode("cp1252")


def opening_balances(rpc, backend_id):
    """Sage's ledger at the start of the parallel run holds the history Odoo has: start equal."""
    bindings = rpc("ecrm.sage.binding", "search_read", [("backend_id", "=", backend_id),
                                                        ("res_model", "=", "res.partner")], ["partner_id", "sage_ref"])
    groups = rpc("account.move.line", "read_group", [("account_id.internal_type", "=", "receivable")],
                 ["partner_id", "balance"], ["partner_id"])
    receivable = {group["partner_id"][0]: group["balance"] for group in groups if group["partner_id"]}
    return {binding["sage_ref"]: round(receivable.get(binding["partner_id"][0], 0.0), 2) for binding in bindings}


def sessions_blocked_by(database, pid, patience=120):
    """The queries of sessions waiting for a lock ``pid`` holds, once there is one (or [] after
    ``patience`` seconds: the bound on a wait that never comes, not a measure of speed)."""
    config = odoo.tools.config
    connection = psycopg2.connect(dbname=database, host=config["db_host"] or None, port=config["db_port"] or None,
                                  user=config["db_user"] or None, password=config["db_password"] or None)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            give_up = time.monotonic() + patience
            while time.monotonic() < give_up:
                cursor.execute("SELECT query FROM pg_stat_activity WHERE datname = %s AND %s = ANY(pg_blocking_pids(pid))",
                               (database, pid))
                found = [row[0] for row in cursor.fetchall()]
                if found:
                    return found
                time.sleep(0.2)
            return []
    finally:
        connection.close()


def test_round_trip_pays_invoices_and_reconciles_to_zero(rpc, world):
    backend_id = world["backend_id"]
    customers = export(rpc, backend_id, "customers")
    assert customers["exported"] >= 2 and customers["batch_id"]
    opening = opening_balances(rpc, backend_id)
    invoice_ids = post_invoices(rpc, world, [[100.0, 40.0], [250.0]])

    preview = rpc("ecrm.sage.backend", "export_batch", backend_id, "invoices", True)
    assert preview["batch_id"] is False and preview["exported"] == 3
    invoices = export(rpc, backend_id, "invoices")
    assert invoices["exported"] == 3 and invoices["skipped"] == []
    assert decoded(invoices) == decoded(preview)

    ledger = SageLedger(world["code"], opening)
    ledger.import_customers(decoded(customers))
    ledger.import_audit_trail(decoded(invoices))
    ledger.pay_invoices()
    receipts_file = base64.b64encode(ledger.receipts_csv().encode("cp1252")).decode()
    result = rpc("ecrm.sage.backend", "import_file", backend_id, "receipts", receipts_file, False)
    assert (result["applied"], result["errors"], result["matched"], result["state"]) == (3, [], 3, "importing")
    assert wait_for_batch(rpc, result["batch_id"])["state"] == "done"
    states = {row["id"]: row["state"] for row in rpc("account.invoice", "read", invoice_ids, ["state"])}
    assert set(states.values()) == {"paid"}

    balances_file = base64.b64encode(ledger.balances_csv().encode("cp1252")).decode()
    result = rpc("ecrm.sage.backend", "import_file", backend_id, "balances", balances_file, False)
    assert result["errors"] == [] and result["applied"] == len(ledger.balances)
    backend = rpc("ecrm.sage.backend", "read", [backend_id],
                  ["reconciliation_state", "reconciliation_difference_count"])[0]
    assert (backend["reconciliation_state"], backend["reconciliation_difference_count"]) == ("in_balance", 0)
    lines = rpc("ecrm.sage.reconciliation.line", "search_read", [("backend_id", "=", backend_id)],
                ["partner_id", "difference"])
    assert {line["partner_id"][0] for line in lines} >= set(world["customers"])
    assert all(abs(line["difference"]) < 0.005 for line in lines)

    # the same balances as at an earlier day: history only, the customers keep today's figures
    result = rpc("ecrm.sage.backend", "import_file", backend_id, "balances", balances_file, False, "2026-01-31")
    assert result["errors"] == [] and result["applied"] == len(ledger.balances)
    snapshots = rpc("ecrm.sage.balance.snapshot", "search_read", [("backend_id", "=", backend_id)], ["date"])
    assert len({snapshot["date"] for snapshot in snapshots}) == 2
    assert len(snapshots) == 2 * len(ledger.balances)
    bound_days = {binding["sage_balance_date"] for binding in rpc(
        "ecrm.sage.binding", "search_read", [("backend_id", "=", backend_id), ("res_model", "=", "res.partner"),
                                             ("sage_balance_date", "!=", False)], ["sage_balance_date"])}
    assert "2026-01-31" not in bound_days and len(bound_days) == 1

    again = export(rpc, backend_id, "invoices")
    assert again["exported"] == 0 and again["file"] is False


def test_bad_receipts_file_over_xml_rpc_writes_nothing(rpc, world):
    backend_id = world["backend_id"]
    export(rpc, backend_id, "customers")
    refs = {b["partner_id"][0]: b["sage_ref"] for b in rpc(
        "ecrm.sage.binding", "search_read", [("backend_id", "=", backend_id), ("res_model", "=", "res.partner")],
        ["partner_id", "sage_ref"])}
    ref = refs[world["customers"][0]]
    before = rpc("ecrm.sage.receipt", "search_count", [])
    text = ("SA,%s,1200,,01/12/2026,R1,Receipt,10.00,T9,0.00\r\n"
            "SA,%s,1200,,1/12/2026,R2,Receipt,10.00,T9,0.00\r\n"
            "SA,NOSUCH,1200,,01/12/2026,R3,Receipt,abc,T9,0.00\r\n" % (ref, ref))
    result = rpc("ecrm.sage.backend", "import_file", backend_id, "receipts",
                 base64.b64encode(text.encode()).decode(), False)
    assert result["applied"] == 0
    assert [error["row"] for error in result["errors"]] == [2, 3, 3]
    assert rpc("ecrm.sage.receipt", "search_count", []) == before
    garbage = rpc("ecrm.sage.backend", "import_file", backend_id, "receipts", "%%%not base64", False)
    assert garbage["applied"] == 0 and "base64" in garbage["errors"][0]["message"]


def test_a_killed_export_is_finished_by_the_next_run_without_duplicates(rpc, world, odoo_server):
    backend_id = world["backend_id"]
    export(rpc, backend_id, "customers")
    invoice_ids = post_invoices(rpc, world, [[10.0, 20.0, 30.0], [40.0, 50.0]])
    run = subprocess.Popen(
        [sys.executable, os.path.join(os.path.dirname(__file__), "interrupted_export.py"),
         ODOO_CONF, odoo_server.database, str(backend_id)],
        cwd=REPO, stdout=subprocess.PIPE, universal_newlines=True)
    try:
        line = run.stdout.readline()
        assert line.startswith("BINDINGS_WRITTEN"), line
        written, visible_inside, first_pid = map(int, line.split()[1:4])
        assert written == 5 and visible_inside >= 5 + 2
        # A second run started now waits for the first: PostgreSQL shows its session blocked by
        # the first one's, on the backend's sync lock (not on the bindings' unique index).
        outcome = {}
        second = threading.Thread(target=lambda: outcome.update(
            export(rpc, backend_id, "invoices")))
        second.start()
        blocked = sessions_blocked_by(odoo_server.database, first_pid)
        assert len(blocked) == 1, blocked
        assert "FROM ecrm_sage_backend" in blocked[0] and "FOR NO KEY UPDATE" in blocked[0], blocked
        assert second.is_alive() and outcome == {}
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    second.join(timeout=120)
    # ... and, once the first is killed, exports every invoice exactly once.
    assert outcome["exported"] == 5 and outcome["skipped"] == []
    exported_refs = [row["Reference"] for row in csv.DictReader(io.StringIO(decoded(outcome)))]
    assert len(exported_refs) == len(set(exported_refs)) == 5
    counts = rpc("ecrm.sage.binding", "read_group", [("invoice_id", "in", invoice_ids)], ["invoice_id"], ["invoice_id"])
    assert sorted(group["invoice_id_count"] for group in counts) == [1] * 5
    assert export(rpc, backend_id, "invoices")["exported"] == 0


def test_conflict_on_an_edited_exported_invoice_over_xml_rpc(rpc, world):
    backend_id = world["backend_id"]
    export(rpc, backend_id, "customers")
    invoice_id = post_invoices(rpc, world, [[75.0], []])[0]
    assert export(rpc, backend_id, "invoices")["exported"] == 1
    journal_id = rpc("account.invoice", "read", [invoice_id], ["journal_id"])[0]["journal_id"][0]
    rpc("account.journal", "write", [journal_id], {"update_posted": True})
    rpc("account.invoice", "action_invoice_cancel", [invoice_id])
    result = export(rpc, backend_id, "invoices")
    assert result["exported"] == 0 and [item["id"] for item in result["skipped"]] == [invoice_id]
    binding = rpc("ecrm.sage.binding", "search_read", [("invoice_id", "=", invoice_id)], ["state", "last_error"])
    assert binding[0]["state"] == "conflict" and "conflict" in binding[0]["last_error"]
