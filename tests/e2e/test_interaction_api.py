"""The interaction stream as integrators use it: over the wire, against a real server."""
import uuid
import xmlrpc.client

import odoorpc
import pytest

from ..conftest import connect


@pytest.fixture(scope="module")
def council_id(admin_rpc):
    found = admin_rpc.env["res.partner"].search([("name", "=", "Kirklees Council")])
    assert len(found) == 1, "demo customer missing"
    return found[0]


def test_log_many_over_json_rpc_stores_every_row(admin_rpc, council_id):
    Interaction = admin_rpc.env["ecrm.interaction"]
    ids = Interaction.log_many([
        {"partner_id": council_id, "channel": "portal", "interaction_type": "portal_ticket",
         "subject": "Hoist sling needs replacing"},
        {"partner_id": council_id, "channel": "sms", "direction": "outbound",
         "interaction_type": "delivery_reminder", "date": "2026-11-02"},
    ])
    rows = Interaction.read(ids, ["subject", "channel", "direction", "date", "commercial_partner_id"])
    assert [(r["subject"], r["channel"], r["direction"]) for r in rows] == [
        ("Hoist sling needs replacing", "portal", "inbound"),
        ("Delivery reminder", "sms", "outbound"),
    ]
    assert rows[1]["date"] == "2026-11-02 00:00:00"
    assert {r["commercial_partner_id"][0] for r in rows} == {council_id}


def test_bad_batch_over_xml_rpc_is_refused_whole_with_row_numbers(odoo_server, council_id):
    common = xmlrpc.client.ServerProxy(odoo_server.url + "/xmlrpc/2/common")
    uid = common.authenticate(odoo_server.database, "admin", "admin", {})
    models = xmlrpc.client.ServerProxy(odoo_server.url + "/xmlrpc/2/object")

    def call(method, *args):
        return models.execute_kw(odoo_server.database, uid, "admin", "ecrm.interaction", method, list(args))

    before = call("search_count", [])
    with pytest.raises(xmlrpc.client.Fault) as caught:
        call("log_many", [
            {"partner_id": council_id, "channel": "phone", "interaction_type": "call_me"},
            {"partner_id": council_id, "channel": "telegram", "interaction_type": "call_me"},
            {"channel": "phone", "interaction_type": "call_me"},
        ])
    assert "row 1: unknown channel 'telegram'" in caught.value.faultString
    assert "row 2: missing partner_id" in caught.value.faultString
    assert call("search_count", []) == before

    ids = call("log_many", [{"partner_id": council_id, "channel": "fax", "interaction_type": "order_received"}])
    assert call("search_count", []) == before + 1 and len(ids) == 1


def test_portal_user_cannot_read_the_timeline_over_rpc(admin_rpc, odoo_server, council_id):
    login = "portal-%s@example.com" % uuid.uuid4().hex[:8]
    admin_rpc.env["res.users"].with_context(no_reset_password=True).create({
        "name": "Portal Buyer (e2e)", "login": login, "password": "portal-e2e",
        "groups_id": [(6, 0, [admin_rpc.env.ref("base.group_portal").id])],
    })
    portal = connect(odoo_server, login, "portal-e2e")
    with pytest.raises(odoorpc.error.RPCError) as caught:
        portal.env["ecrm.interaction"].search_read([], ["subject"])
    assert "AccessError" in caught.value.info["data"]["name"]
    with pytest.raises(odoorpc.error.RPCError):
        portal.env["ecrm.interaction"].log({"partner_id": council_id, "channel": "portal",
                                           "interaction_type": "call_me"})


def test_demo_database_is_a_uk_sme(admin_rpc):
    company = admin_rpc.env.user.company_id
    assert company.currency_id.name == "GBP"
    assert company.country_id.code == "GB"
    assert admin_rpc.env.user.lang == "en_GB"
    date_format = admin_rpc.env["res.lang"].search_read([("code", "=", "en_GB")], ["date_format"])
    assert date_format[0]["date_format"] == "%d/%m/%Y"
    vat20 = admin_rpc.env["account.tax"].search([("type_tax_use", "=", "sale"), ("amount", "=", 20.0)])
    assert vat20, "UK standard-rate VAT (l10n_uk) missing"
    Interaction = admin_rpc.env["ecrm.interaction"]
    channels = {row["channel"] for row in Interaction.search_read([], ["channel"])}
    assert len(channels) >= 8, "demo timeline should span the channels"
    customers = admin_rpc.env["res.partner"].search_count([("lang", "=", "en_GB"), ("country_id.code", "=", "GB")])
    assert customers >= 24
