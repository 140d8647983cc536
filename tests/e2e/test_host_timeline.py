"""The host's own events on the timeline, against the real server: what a salesperson does in
the back office reaches the customer's timeline, and the backfill fills it from history over
XML-RPC, in jobs, once."""
import json
import os
import pathlib
import re
import subprocess
import sys
import time
import uuid
import xmlrpc.client

import odoorpc
import pytest

from odoo.addons.ecrm_core.timeline import host_events

from ..conftest import connect
from .protocols import Protocols

SETTINGS_FAMILIES = ["ecrm_log_host_%s" % family for family in host_events.FAMILIES]


@pytest.fixture(scope="module")
def rpc(odoo_server):
    return Protocols(odoo_server)


def new_user(rpc, groups, password="host-events-e2e"):
    login = "host-events-%s@example.com" % uuid.uuid4().hex[:8]
    group_ids = [rpc.jsonrpc("ir.model.data", "xmlid_to_res_id", xmlid) for xmlid in groups]
    rpc.xmlrpc("res.users", "create", {"name": login, "login": login, "password": password, "email": login,
                                       "groups_id": [(6, 0, group_ids)]})
    return login, password


def new_customer(rpc, name):
    return rpc.xmlrpc("res.partner", "create", {"name": "%s %s" % (name, uuid.uuid4().hex[:6]), "customer": True})


def timeline(rpc, partner_id):
    return rpc.xmlrpc("ecrm.interaction", "search_read", [("partner_id", "=", partner_id)],
                      ["interaction_type", "channel", "direction", "user_id", "res_model", "res_id", "source_key"])


def confirmed_order(rpc, partner_id):
    [product_id] = rpc.xmlrpc("product.product", "search", [("sale_ok", "=", True)], 0, 1)
    order_id = rpc.xmlrpc("sale.order", "create", {
        "partner_id": partner_id, "order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": 1})]})
    rpc.xmlrpc("sale.order", "action_confirm", [order_id])
    return order_id


def test_a_salesperson_without_ecrm_groups_confirms_an_order_and_writes_and_the_timeline_has_both(rpc, odoo_server):
    login, password = new_user(rpc, ["base.group_user", "sales_team.group_sale_salesman_all_leads"])
    sales = connect(odoo_server, login, password)
    partner_id = new_customer(rpc, "Calderdale Care Home")
    [product_id] = rpc.xmlrpc("product.product", "search", [("sale_ok", "=", True)], 0, 1)
    order_id = sales.env["sale.order"].create({
        "partner_id": partner_id, "order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": 2})]})
    # execute_kw, not odoorpc's records: those read every field back, which a salesperson may not
    sales.execute_kw("sale.order", "action_confirm", [[order_id]])
    sales.execute_kw("res.partner", "message_post", [[partner_id]], {
        "body": "Your order ships on Friday.", "subject": "Delivery", "message_type": "comment",
        "subtype": "mail.mt_comment", "partner_ids": [partner_id]})
    sales.execute_kw("res.partner", "message_post", [[partner_id]], {
        "body": "Asked for a discount again", "message_type": "comment", "subtype": "mail.mt_note"})

    entries = {entry["interaction_type"]: entry for entry in timeline(rpc, partner_id)}
    assert sorted(entries) == ["email_sent", "order_confirmed"], "the internal note is not customer contact"
    confirmed = entries["order_confirmed"]
    assert (confirmed["res_model"], confirmed["res_id"]) == ("sale.order", order_id)
    assert confirmed["source_key"] == "sale.order,%d:sale" % order_id
    # and nobody outside can take that key over the API
    with pytest.raises(xmlrpc.client.Fault) as refused:
        rpc.xmlrpc("ecrm.interaction", "log", {"partner_id": partner_id, "channel": "other",
                                               "interaction_type": "order_confirmed",
                                               "source_key": "sale.order,%d:cancel" % order_id})
    assert "form of the host's own events' keys" in refused.value.faultString
    assert "Traceback" not in refused.value.faultString
    assert confirmed["user_id"][1] == login and entries["email_sent"]["user_id"][1] == login
    # the salesperson did all that without being allowed to read the timeline itself
    with pytest.raises(odoorpc.error.RPCError) as refused:
        sales.env["ecrm.interaction"].search_read([("partner_id", "=", partner_id)], ["subject"])
    assert "AccessError" in refused.value.info["data"]["name"]


def wait_for_run(rpc, run_id, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        [run] = rpc.xmlrpc("ecrm.timeline.backfill", "read", [run_id],
                           ["ecrm_job_state", "ecrm_job_done", "record_count", "counts", "ecrm_job_message"])
        if run["ecrm_job_state"] in ("done", "failed"):
            return run
        time.sleep(1)
    pytest.fail("the backfill did not end within %ss: %r" % (timeout, run))


def test_the_backfill_counts_then_fills_from_history_in_jobs_and_a_second_run_logs_nothing(rpc):
    [company_id] = rpc.xmlrpc("res.users", "read", [rpc.uid], ["company_id"])[0]["company_id"][:1]
    rpc.xmlrpc("res.company", "write", [company_id], dict.fromkeys(SETTINGS_FAMILIES, False))
    try:  # history from before the suite logged anything
        partner_id = new_customer(rpc, "Wakefield Hospice")
        order_id = confirmed_order(rpc, partner_id)
    finally:
        rpc.xmlrpc("res.company", "write", [company_id], dict.fromkeys(SETTINGS_FAMILIES, True))
    assert timeline(rpc, partner_id) == []

    count = wait_for_run(rpc, rpc.xmlrpc("ecrm.timeline.backfill", "backfill", True))
    assert count["ecrm_job_state"] == "done", count
    assert count["ecrm_job_done"] == count["record_count"] > 0
    assert json.loads(count["counts"]).get("order_confirmed", 0) >= 1
    assert timeline(rpc, partner_id) == [], "a count logs nothing"

    fill = wait_for_run(rpc, rpc.jsonrpc("ecrm.timeline.backfill", "backfill", False))
    assert fill["ecrm_job_state"] == "done", fill
    assert json.loads(fill["counts"]) == json.loads(count["counts"])
    [entry] = timeline(rpc, partner_id)
    assert (entry["interaction_type"], entry["res_id"]) == ("order_confirmed", order_id)
    jobs = rpc.xmlrpc("queue.job", "search_read", [("model_name", "=", "ecrm.timeline.backfill"),
                                                   ("record_ids", "like", str(fill["id"]))], ["state"])
    assert len(jobs) >= 4 and {job["state"] for job in jobs} == {"done"}, "a job per page and source"

    again = wait_for_run(rpc, rpc.xmlrpc("ecrm.timeline.backfill", "backfill", False))
    assert (again["ecrm_job_state"], json.loads(again["counts"])) == ("done", {})
    assert len(timeline(rpc, partner_id)) == 1


def test_only_ecrm_managers_start_a_backfill(rpc, odoo_server):
    for groups in (["base.group_portal"], ["base.group_user", "ecrm_core.group_ecrm_user"]):
        login, password = new_user(rpc, groups)
        common = xmlrpc.client.ServerProxy(odoo_server.url + "/xmlrpc/2/common")
        uid = common.authenticate(odoo_server.database, login, password, {})
        models = xmlrpc.client.ServerProxy(odoo_server.url + "/xmlrpc/2/object")
        with pytest.raises(xmlrpc.client.Fault) as refused:
            models.execute_kw(odoo_server.database, uid, password, "ecrm.timeline.backfill", "backfill", [True])
        assert "Traceback" not in refused.value.faultString
        assert "not allowed to create" in refused.value.faultString and "eCRM/Manager" in refused.value.faultString


def test_the_readme_backfill_example_runs_as_written(odoo_server):
    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(r"<!-- backfill-example:start -->\s*```python\n(.*?)```", readme, re.S)
    assert block, "README lost its backfill example"
    result = subprocess.run(
        [sys.executable, "-c", block.group(1)],
        env=dict(os.environ, ECRM_PORT=str(odoo_server.port), ECRM_DB=odoo_server.database),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert re.match(r"done (\d+) of \1 records read$", first), result.stdout
