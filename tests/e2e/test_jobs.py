"""Long work as jobs on the production-like server (prefork workers, queue_job's runner):
the duplicate scan started over XML-RPC runs in a job, shows its progress on the company,
tells the person who started it, and cannot be started twice at once."""
import random
import time
import xmlrpc.client

import pytest

from .protocols import Protocols


@pytest.fixture(scope="module")
def rpc(odoo_server):
    return Protocols(odoo_server)


def wait_for_job(rpc, company_id, timeout=150):
    deadline = time.time() + timeout
    while time.time() < deadline:
        [company] = rpc.xmlrpc("res.company", "read", [company_id],
                               ["ecrm_job_state", "ecrm_job_done", "ecrm_job_total", "ecrm_job_message"])
        if company["ecrm_job_state"] in ("done", "failed"):
            return company
        time.sleep(1)
    pytest.fail("the scan job did not end within %ss: %r" % (timeout, company))


def test_the_duplicate_scan_runs_as_a_job_with_progress_and_a_notification(rpc, odoo_server):
    [company_id] = rpc.xmlrpc("res.users", "read", [rpc.uid], ["company_id"])[0]["company_id"][:1]
    run = "%06d" % random.randrange(10 ** 6)  # a pair of its own, whatever earlier runs left
    pair = [rpc.xmlrpc("res.partner", "create", {"name": name % run, "phone": "01484 %s" % run, "zip": "HD1 2TA",
                                                 "customer": True, "company_id": company_id})
            for name in ("Huddersfield Mobility %s Ltd", "HUDDERSFIELD MOBILITY %s LIMITED")]

    assert rpc.xmlrpc("res.company", "action_ecrm_scan_duplicates", [company_id]) is True
    # the claim is taken at once: a second start is refused while the first is queued or running
    # (the runner may finish the first in between: then the second is a new job of its own)
    try:
        rpc.xmlrpc("res.company", "action_ecrm_scan_duplicates", [company_id])
        second_started = True
    except xmlrpc.client.Fault as refusal:
        assert "already being worked on" in refusal.faultString and "Traceback" not in refusal.faultString
        second_started = False

    company = wait_for_job(rpc, company_id)
    assert company["ecrm_job_state"] == "done", company
    assert company["ecrm_job_done"] == company["ecrm_job_total"] >= 1
    groups = rpc.xmlrpc("ecrm.duplicate.group", "search_read",
                        [("partner_ids", "in", pair), ("state", "=", "open")], ["partner_ids"])
    assert [sorted(group["partner_ids"]) for group in groups] == [sorted(pair)]
    jobs = rpc.xmlrpc("queue.job", "search_read", [("model_name", "=", "res.company"),
                                                   ("method_name", "=", "_ecrm_job_scan_duplicates")],
                      ["state", "channel"])
    assert {job["state"] for job in jobs} == {"done"} and {job["channel"] for job in jobs} == {"root.ecrm"}
    assert len(jobs) >= 1 + second_started
    [admin] = rpc.xmlrpc("res.users", "read", [rpc.uid], ["partner_id"])
    told = rpc.xmlrpc("mail.message", "search_count", [
        ("model", "=", "res.company"), ("res_id", "=", company_id), ("body", "ilike", "is done"),
        ("needaction_partner_ids", "in", [admin["partner_id"][0]])])
    assert told >= 1
    # and it can be started again once done
    assert rpc.jsonrpc("res.company", "action_ecrm_scan_duplicates", [company_id]) is True
    assert wait_for_job(rpc, company_id)["ecrm_job_state"] == "done"
    assert "Traceback" not in odoo_server.log_text()
