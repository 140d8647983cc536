"""Every call in the README's integrator tables, over plain XML-RPC and over JSON-RPC.

The README promises that ``xmlrpc.client`` and odoorpc reach the same methods and get the same
data. Calls that change nothing are made once per protocol and compared as they are; calls that
write are made once per protocol on equal inputs and compared once the ids that must differ are
set aside. Bad input comes back as the same UserError/ValidationError message on both, never a
traceback. The Sage tables are held by tests/e2e/sage/test_sage_contract.py the same way.

A README row without a case here fails ``test_every_readme_call_has_a_case``: a call cannot be
documented without being held to both protocols.
"""
import base64
import re
import uuid

import pytest

from .protocols import Protocols, assert_plain, without_ids
from .test_jobs import wait_for_job
from .test_readme_example import README

# README sections whose tables are held here, and the one held by the Sage contract test
SECTIONS = ("The interaction stream", "Customer 360, consent, duplicates and import", "Electronic orders",
            "Campaigns", "Website and portal")
ELSEWHERE = {"Sage ledger": "tests/e2e/sage/test_sage_contract.py"}


def readme_calls(section):
    """The ``model.method`` names in the first column of a README section's tables."""
    text = README.read_text()
    body = re.search(r"^### %s.*?$(.*?)(?=^### |^## )" % re.escape(section), text, re.S | re.M)
    assert body, "README lost its section %r" % section
    calls = set()
    for row in re.findall(r"^\| *(`[^|]*)\|", body.group(1), re.M):
        calls.update(re.findall(r"`(?:([a-z_.]+)\.)?([a-z_0-9]+)\(", row))
    return {("%s.%s" % call) if call[0] else call[1] for call in calls}


@pytest.fixture(scope="module")
def protocols(odoo_server):
    return Protocols(odoo_server)


@pytest.fixture(scope="module")
def world(protocols):
    call = protocols.jsonrpc
    ref = lambda xmlid: call("ir.model.data", "xmlid_to_res_id", xmlid, True)  # noqa: E731
    council = call("res.partner", "search", [("name", "=", "Kirklees Council")], 0, 1)[0]
    customers = call("res.partner", "search", [("customer", "=", True), ("is_company", "=", True)], 0, 3)
    return {"council": council, "customers": customers,
            "campaign": ref("ecrm_marketing.campaign_stairlift_spring"),
            "segment": ref("ecrm_marketing.segment_care_homes_email"),
            "program": ref("ecrm_marketing.program_winback"),
            "website": call("website", "search", [], 0, 1)[0]}


CALLS_HELD = set()


def held(*names):
    CALLS_HELD.update(names)


def test_every_readme_call_has_a_case():
    # the cases below register what they hold at import time
    documented = set().union(*(readme_calls(section) for section in SECTIONS))
    assert documented - CALLS_HELD == set(), "README calls no contract case holds"
    assert CALLS_HELD - documented == set(), "contract cases of calls the README does not document"
    for section in ELSEWHERE:
        assert readme_calls(section), section


held("log", "log_many")


def test_the_interaction_stream(protocols, world):
    row = {"partner_id": world["council"], "channel": "phone", "interaction_type": "call_me",
           "subject": "Contract test call"}
    over_xml, over_json = (protocols.xmlrpc("ecrm.interaction", "log", row),
                           protocols.jsonrpc("ecrm.interaction", "log", row))
    assert isinstance(over_xml, int) and isinstance(over_json, int) and over_xml != over_json
    over_xml, over_json = (protocols.xmlrpc("ecrm.interaction", "log_many", [row, row]),
                           protocols.jsonrpc("ecrm.interaction", "log_many", [row, row]))
    assert len(over_xml) == len(over_json) == 2 and all(isinstance(i, int) for i in over_xml + over_json)
    bad = [row, {"partner_id": 999999999, "channel": "pigeon", "interaction_type": "call_me"}]
    assert "row 1: unknown partner 999999999" in protocols.refusals("ecrm.interaction", "log_many", bad)
    assert protocols.refusals("ecrm.interaction", "log", dict(row, colour="red"))


held("res.partner.ecrm_recompute_360", "res.partner.ecrm_recompute_quality", "res.partner.ecrm_cron_recompute",
     "res.partner.ecrm_set_consent",
     "res.partner.ecrm_contactable", "res.partner.ecrm_can_contact", "res.partner.ecrm_consent_summary",
     "ecrm.duplicate.group.scan", "create", "action_dry_run", "action_commit")


def test_customer_360_consent_and_duplicates(protocols, world):
    ids = world["customers"]
    assert_plain(protocols.both("res.partner", "ecrm_recompute_360", ids))
    assert_plain(protocols.both("res.partner", "ecrm_recompute_quality", ids))
    # everyone, as a run of page jobs: the same run's id from both protocols while it is under way
    run_id = protocols.xmlrpc("res.partner", "ecrm_cron_recompute")
    assert isinstance(run_id, int)
    assert protocols.jsonrpc("ecrm.recompute.run", "read", [run_id], ["ecrm_job_state"])[0]["ecrm_job_state"] in (
        "queued", "running", "done")
    for protocol in (protocols.xmlrpc, protocols.jsonrpc):
        assert protocol("res.partner", "ecrm_set_consent", ids[:1], "sms", "opted_in", "staff",
                        "Contract test") is True
    assert protocols.both("res.partner", "ecrm_contactable", ids, "sms") == ids[:1] or \
        set(protocols.both("res.partner", "ecrm_contactable", ids, "sms")) >= set(ids[:1])
    assert protocols.both("res.partner", "ecrm_can_contact", ids[:1], "sms") is True
    summary = protocols.both("res.partner", "ecrm_consent_summary", ids, "sms")
    assert set(summary) == {"opted_in", "opted_out", "unknown"} and sum(summary.values()) == len(ids)
    assert protocols.refusals("res.partner", "ecrm_set_consent", ids[:1], "pigeon", "opted_in", "staff", "x")
    found = protocols.both("ecrm.duplicate.group", "scan", [("id", "in", ids)])
    assert isinstance(found, int)


held("res.company.action_ecrm_scan_duplicates", "res.company.read")


def test_the_duplicate_scan_job(protocols):
    company = protocols.jsonrpc("res.users", "read", [protocols.uid], ["company_id"])[0]["company_id"][0]
    fields = ["ecrm_job_state", "ecrm_job_done", "ecrm_job_total", "ecrm_job_percent", "ecrm_job_message"]
    answers = []
    for protocol in (protocols.xmlrpc, protocols.jsonrpc):
        assert protocol("res.company", "action_ecrm_scan_duplicates", [company]) is True
        wait_for_job(protocols, company)
        answers.append(protocol("res.company", "read", [company], fields)[0])
    assert answers[0] == answers[1] and answers[0]["ecrm_job_state"] == "done"
    assert answers[0]["ecrm_job_percent"] == 100.0 and answers[0]["ecrm_job_message"] is False


def test_partner_import(protocols):
    def wizard(protocol, tag):
        data = "Name,Email\nContract Import %s,contract-%s@example.com\n" % (tag, tag)
        return protocol("ecrm.partner.import", "create", {
            "file": base64.b64encode(data.encode()).decode(), "filename": "contacts.csv"})

    counts = ["new_count", "update_count", "reject_count", "duplicate_count"]
    for method in ("action_dry_run", "action_commit"):
        answers = []
        run = uuid.uuid4().hex[:8]
        for protocol, tag in ((protocols.xmlrpc, "xml-%s-%s" % (method, run)),
                              (protocols.jsonrpc, "json-%s-%s" % (method, run))):
            wizard_id = wizard(protocol, tag)
            if method == "action_commit":
                protocol("ecrm.partner.import", "action_dry_run", [wizard_id])
            answers.append([protocol("ecrm.partner.import", method, [wizard_id]),
                            protocol("ecrm.partner.import", "read", [wizard_id], counts)[0]])
        assert without_ids(answers[0], "res_id", "id") == without_ids(answers[1], "res_id", "id"), method
        assert_plain(answers[0][0]) if answers[0][0] is not True else None
        assert answers[0][1]["new_count"] == 1, answers


held("ecrm.trading.partner.generate_credential", "ecrm.exchange.retry", "ecrm.trading.partner.action_send_test_order")


def test_electronic_orders(protocols):
    call = protocols.jsonrpc
    sling = call("ir.model.data", "xmlid_to_res_id", "ecrm_eprocurement.product_hoist_sling", True)
    trading_partner = [call("ecrm.trading.partner", "create", {
        "name": "Contract buyer %s" % uuid.uuid4().hex[:6], "gln": "5098765000099",
        "partner_id": call("res.partner", "create", {"name": "Contract buyer", "is_company": True}),
        "product_mapping_ids": [(0, 0, {"buyer_item_id": "CONTRACT-1", "product_id": sling})]})]
    for protocol in (protocols.xmlrpc, protocols.jsonrpc):
        credential = protocol("ecrm.trading.partner", "generate_credential", trading_partner)
        assert isinstance(credential, str) and len(credential) >= 32
    sent = [protocol("ecrm.trading.partner", "action_send_test_order", trading_partner)
            for protocol in (protocols.xmlrpc, protocols.jsonrpc)]
    assert sent[0]["res_model"] == "ecrm.exchange" and sent[0]["res_id"] != sent[1]["res_id"]
    assert without_ids(sent[0], "res_id") == without_ids(sent[1], "res_id")
    assert protocols.both("ecrm.exchange", "retry", []) == []
    final = protocols.jsonrpc("ecrm.exchange", "search", [("state", "=", "error"), ("retryable", "=", False)], 0, 1)
    if final:
        assert "Only failed, retryable exchanges can be retried" in protocols.refusals("ecrm.exchange", "retry", final)
    retryable = protocols.jsonrpc("ecrm.exchange", "search", [("state", "=", "error"), ("retryable", "=", True)])
    for protocol, exchange in zip((protocols.xmlrpc, protocols.jsonrpc), retryable):
        answers = protocol("ecrm.exchange", "retry", [exchange])
        assert_plain(answers)
        assert [set(answer) for answer in answers] == [{"id", "state", "http_status"}]


held("utm.campaign.ecrm_roi_report", "ecrm.segment.ecrm_contactable_partner_ids",
     "ecrm.segment.ecrm_segment_ids_of_partner", "ecrm.campaign.program.enroll", "ecrm.campaign.program.run",
     "ecrm.campaign.program.action_run")


def test_campaigns(protocols, world):
    report = protocols.both("utm.campaign", "ecrm_roi_report", [world["campaign"]])
    assert list(report) == [str(world["campaign"])]
    figures = report[str(world["campaign"])]
    assert {"budget", "cost", "attributed_revenue", "cost_per_lead"} <= set(figures), sorted(figures)
    assert isinstance(protocols.both("ecrm.segment", "ecrm_contactable_partner_ids", [world["segment"]]), list)
    assert isinstance(protocols.both("ecrm.segment", "ecrm_segment_ids_of_partner", world["customers"][0]), list)
    program = protocols.jsonrpc("ecrm.campaign.program", "copy", world["program"], {"name": "Contract program"})
    joined = [protocol("ecrm.campaign.program", "enroll", [program], world["customers"][:1])
              for protocol in (protocols.xmlrpc, protocols.jsonrpc)]
    assert joined == [1, 0], joined  # the second call finds the customer enrolled already
    protocols.jsonrpc("ecrm.campaign.program", "action_start", [program])
    over_xml = protocols.xmlrpc("ecrm.campaign.program", "run", [program])
    over_json = protocols.jsonrpc("ecrm.campaign.program", "run", [program])
    assert_plain(over_xml)
    assert set(over_xml) == set(over_json) and all(isinstance(key, str) for key in over_xml)
    assert all(count == 0 for count in over_json.values()), "a re-run sent again: %r" % over_json
    # queued: True over both protocols; a second start while the first is queued or running is refused
    # plainly (the runner may have finished the first already: then it is a new run of its own)
    assert protocols.xmlrpc("ecrm.campaign.program", "action_run", [program]) is True
    try:
        assert protocols.jsonrpc("ecrm.campaign.program", "action_run", [program]) is True
    except Exception as refusal:  # noqa: B902 - either protocol's error type
        assert "already being worked on" in str(refusal) and "Traceback" not in str(refusal)


held("ecrm.personalisation.preview.preview")


def test_personalisation_preview(protocols, world):
    answers = []
    for protocol in (protocols.xmlrpc, protocols.jsonrpc):
        preview = protocol("ecrm.personalisation.preview", "create", {
            "website_id": world["website"], "partner_id": world["customers"][0]})
        answers.append(protocol("ecrm.personalisation.preview", "preview", [preview]))
    assert_plain(answers[0])
    assert without_ids(answers[0], "res_id") == without_ids(answers[1], "res_id")
