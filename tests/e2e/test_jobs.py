"""Long work as jobs on the production-like server (prefork workers, queue_job's runner):
the duplicate scan, a program run, a customer import and the recompute of everyone's
figures, each started as the UI starts it (its button method, over XML-RPC or JSON-RPC),
run in jobs, show their progress on the record that started them and cannot be started
twice at once."""
import base64
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


def wait_until_ended(rpc, model, record_id, timeout=150):
    deadline = time.time() + timeout
    while time.time() < deadline:
        [record] = rpc.xmlrpc(model, "read", [record_id], ["ecrm_job_state", "ecrm_job_done", "ecrm_job_total",
                                                           "ecrm_job_message"])
        if record["ecrm_job_state"] in ("done", "failed"):
            return record
        time.sleep(1)
    pytest.fail("the %s job did not end within %ss: %r" % (model, timeout, record))


def test_a_program_run_from_its_button_is_a_job_with_progress(rpc, odoo_server):
    run = "%06d" % random.randrange(10 ** 6)
    partner_ids = [rpc.xmlrpc("res.partner", "create", {"name": "Program Job %s %d" % (run, n), "customer": True,
                                                        "email": "job-%s-%d@example.com" % (run, n)})
                   for n in range(3)]
    note_type = rpc.xmlrpc("ecrm.interaction.type", "search", [("code", "=", "marketing_note")])
    campaign_id = rpc.xmlrpc("utm.campaign", "create", {"name": "Job campaign %s" % run})
    program_id = rpc.xmlrpc("ecrm.campaign.program", "create", {
        "name": "Job program %s" % run, "campaign_id": campaign_id, "mode": "multistep",
        "step_ids": [(0, 0, {"name": "Note", "trigger": "start", "action": "interaction",
                             "log_type_id": note_type[0]})]})
    rpc.xmlrpc("ecrm.campaign.program", "action_start", [program_id])
    rpc.xmlrpc("ecrm.campaign.program", "enroll", [program_id], partner_ids)
    assert rpc.jsonrpc("ecrm.campaign.program", "action_run", [program_id]) is True
    program = wait_until_ended(rpc, "ecrm.campaign.program", program_id)
    assert (program["ecrm_job_state"], program["ecrm_job_done"], program["ecrm_job_total"]) == ("done", 3, 3)
    assert rpc.xmlrpc("ecrm.interaction", "search_count", [("partner_id", "in", partner_ids),
                                                          ("interaction_type", "=", "marketing_note")]) == 3
    # a second run finds nothing due: nobody takes the step twice
    assert rpc.xmlrpc("ecrm.campaign.program", "action_run", [program_id]) is True
    assert wait_until_ended(rpc, "ecrm.campaign.program", program_id)["ecrm_job_done"] == 0
    assert "Traceback" not in odoo_server.log_text()


def test_a_customer_import_is_saved_by_jobs_and_the_new_customers_appear_together(rpc, odoo_server):
    run = "%06d" % random.randrange(10 ** 6)
    rows = "".join("Imported Job %s Ltd %d,office%d@import-%s.example\n" % (run, n, n, run) for n in range(5))
    wizard_id = rpc.xmlrpc("ecrm.partner.import", "create", {
        "file": base64.b64encode(("Name,Email\n" + rows).encode()).decode(), "filename": "import.csv"})
    rpc.xmlrpc("ecrm.partner.import", "action_dry_run", [wizard_id])
    rpc.xmlrpc("ecrm.partner.import", "action_commit", [wizard_id])
    wizard = wait_until_ended(rpc, "ecrm.partner.import", wizard_id)
    assert (wizard["ecrm_job_state"], wizard["ecrm_job_done"]) == ("done", 5), wizard
    assert rpc.xmlrpc("ecrm.partner.import", "read", [wizard_id], ["state"])[0]["state"] == "done"
    assert rpc.xmlrpc("res.partner", "search_count", [("name", "like", "Imported Job %s Ltd" % run)]) == 5
    with pytest.raises(xmlrpc.client.Fault) as refusal:  # the same wizard committed again
        rpc.xmlrpc("ecrm.partner.import", "action_dry_run", [wizard_id])
        rpc.xmlrpc("ecrm.partner.import", "action_commit", [wizard_id])
    assert "Traceback" not in refusal.value.faultString
    assert rpc.xmlrpc("res.partner", "search_count", [("name", "like", "Imported Job %s Ltd" % run)]) == 5
    assert "Traceback" not in odoo_server.log_text()


def test_recompute_everyone_from_the_settings_is_page_jobs_with_progress(rpc, odoo_server):
    settings_id = rpc.xmlrpc("res.config.settings", "create", {})
    action = rpc.xmlrpc("res.config.settings", "action_ecrm_recompute_360", [settings_id])
    assert action["res_model"] == "ecrm.recompute.run"
    run = wait_until_ended(rpc, "ecrm.recompute.run", action["res_id"], timeout=300)
    [counted] = rpc.xmlrpc("ecrm.recompute.run", "read", [action["res_id"]], ["partner_count"])
    assert run["ecrm_job_state"] == "done", run
    assert run["ecrm_job_done"] == run["ecrm_job_total"] == counted["partner_count"] > 0
    assert "Traceback" not in odoo_server.log_text()
