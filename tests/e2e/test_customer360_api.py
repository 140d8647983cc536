"""Customer 360, consent, duplicates and import as integrators drive them over RPC."""
import base64
import time
import uuid
import xmlrpc.client

import odoorpc
import pytest


@pytest.fixture(scope="module")
def demo(admin_rpc):
    Partner = admin_rpc.env["res.partner"]

    def find(name):
        found = Partner.search([("name", "=", name)])
        assert len(found) == 1, name
        return found[0]
    return find


def test_demo_customers_have_360_figures(admin_rpc, demo):
    row = admin_rpc.env["res.partner"].read([demo("Leeds Community Healthcare NHS Trust")], [
        "ecrm_order_count", "ecrm_revenue", "ecrm_rfm_segment", "ecrm_sector_id", "ecrm_interaction_count",
        "ecrm_lifetime_value", "ecrm_data_quality_score"])[0]
    assert row["ecrm_order_count"] >= 1 and row["ecrm_revenue"] > 0
    assert row["ecrm_rfm_segment"] and row["ecrm_sector_id"][1] == "NHS"
    assert row["ecrm_interaction_count"] >= 1
    junk = admin_rpc.env["res.partner"].read([demo("Mickey Mouse")], ["ecrm_quality_flagged", "ecrm_quality_band"])
    assert junk[0]["ecrm_quality_flagged"] and junk[0]["ecrm_quality_band"] == "poor"


def test_consent_round_trip(admin_rpc, demo):
    Partner = admin_rpc.env["res.partner"]
    eileen, raj, john = demo("Eileen Firth"), demo("Rajesh Kumar"), demo("John O'Brien")
    Partner.browse([eileen]).ecrm_set_consent("sms", "opted_in", "form", "Ticked 'text me' on the order form")
    contactable = Partner.browse([eileen, raj, john]).ecrm_contactable("sms")
    assert sorted(contactable) == sorted([eileen, raj])  # a recordset comes back as ids
    summary = Partner.ecrm_consent_summary([eileen, raj, john], "email")
    assert summary == {"opted_in": 1, "opted_out": 1, "unknown": 1}
    with pytest.raises(odoorpc.error.RPCError) as caught:
        Partner.browse([eileen]).ecrm_set_consent("carrier_pigeon", "opted_in")
    assert "Unknown consent channel" in str(caught.value)


def test_duplicate_scan_finds_the_demo_near_duplicate(admin_rpc):
    Group = admin_rpc.env["ecrm.duplicate.group"]
    assert Group.scan([("customer", "=", True)]) >= 1
    groups = Group.search_read([("state", "=", "open")], ["partner_ids", "reason"])
    names = [admin_rpc.env["res.partner"].read(g["partner_ids"], ["name"]) for g in groups]
    willow = [g for g, n in zip(groups, names) if {"Willow Bank Care Home Ltd", "WILLOW BANK CARE HOME LIMITED"}
              <= {row["name"] for row in n}]
    assert willow and "same phone" in willow[0]["reason"]


def test_an_ecrm_manager_merges_a_duplicate_group_in_one_click_over_xmlrpc(admin_rpc, odoo_server):
    login, tag = "dup-manager-%s@example.com" % uuid.uuid4().hex[:8], uuid.uuid4().hex[:8]
    admin_rpc.env["res.users"].with_context(no_reset_password=True).create({
        "name": "Duplicate Manager (e2e)", "login": login, "password": "dup-e2e", "email": login,
        "groups_id": [(6, 0, [admin_rpc.env.ref("ecrm_core.group_ecrm_manager").id])]})
    Partner = admin_rpc.env["res.partner"]
    phone = "+44 1924 27%04d" % (int(tag, 16) % 10000)
    kept = Partner.create({"name": "Ossett Mobility %s Ltd" % tag, "phone": phone, "customer": True})
    other = Partner.create({"name": "OSSETT MOBILITY %s LIMITED" % tag.upper(), "phone": phone, "customer": True})
    uid = xmlrpc.client.ServerProxy(odoo_server.url + "/xmlrpc/2/common").authenticate(
        odoo_server.database, login, "dup-e2e", {})
    models = xmlrpc.client.ServerProxy(odoo_server.url + "/xmlrpc/2/object", allow_none=True)

    def call(method, *args):
        return models.execute_kw(odoo_server.database, uid, "dup-e2e", "ecrm.duplicate.group", method, list(args))

    assert call("scan", [("id", "in", [kept, other])]) == 1
    [group_id] = call("search", [("partner_ids", "in", [kept]), ("state", "=", "open")])
    call("write", [group_id], {"survivor_id": kept})
    assert call("action_merge", [group_id]) is True
    group = call("read", [group_id], ["state", "survivor_id", "partner_ids", "name"])[0]
    assert (group["state"], group["survivor_id"][0], group["partner_ids"]) == ("merged", kept, [kept])
    assert "Ossett Mobility %s Ltd" % tag in group["name"]
    assert not Partner.search([("id", "=", other)])


def test_import_dry_run_over_rpc_writes_nothing(admin_rpc):
    Partner = admin_rpc.env["res.partner"]
    before = Partner.search_count([])
    tag = uuid.uuid4().hex[:8]
    data = ("Name,Email,Postcode\nCalder Valley Care %s Ltd,office@cvc-%s.co.uk,HX7 8AA\n"
            "Broken Ltd,broken-at-example,\n" % (tag, tag)).encode()
    Import = admin_rpc.env["ecrm.partner.import"]
    wizard_id = Import.create({"file": base64.b64encode(data).decode(), "filename": "clinic.csv"})
    Import.browse([wizard_id]).action_dry_run()
    counts = Import.read([wizard_id], ["new_count", "reject_count", "update_count"])[0]
    assert (counts["new_count"], counts["reject_count"], counts["update_count"]) == (1, 1, 0)
    assert Partner.search_count([]) == before
    Import.browse([wizard_id]).action_commit()  # queued: the rows are saved by jobs
    deadline = time.time() + 120
    while Import.read([wizard_id], ["state"])[0]["state"] == "importing" and time.time() < deadline:
        time.sleep(1)
    assert Partner.search_count([]) == before + 1
