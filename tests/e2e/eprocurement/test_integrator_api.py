"""The integrator API over plain XML-RPC: fix a failed exchange's cause, then retry it."""
import time
import xmlrpc.client

import pytest

from .orders import leeds_order


@pytest.fixture(scope="module")
def xmlrpc_call(odoo_server):
    common = xmlrpc.client.ServerProxy(odoo_server.url + "/xmlrpc/2/common")
    uid = common.authenticate(odoo_server.database, "admin", "admin", {})
    models = xmlrpc.client.ServerProxy(odoo_server.url + "/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args):
        return models.execute_kw(odoo_server.database, uid, "admin", model, method, list(args))
    return call


def test_an_unknown_item_waits_in_the_error_queue_until_mapped_then_retry_processes_it(
        leeds, xmlrpc_call, document_id):
    item = "NEW-%s" % document_id
    response = leeds.post(leeds_order(document_id, lines=[{"buyer_item_id": item, "quantity": 4}]))
    assert response.status_code == 422
    exchange = leeds.exchange(response)
    assert (exchange["state"], exchange["retryable"]) == ("error", True)
    queue = xmlrpc_call("ecrm.exchange", "search", [("state", "=", "error"), ("retryable", "=", True)])
    assert exchange["id"] in queue
    frame = xmlrpc_call("ir.model.data", "xmlid_to_res_id", "ecrm_eprocurement.product_walking_frame")
    xmlrpc_call("ecrm.trading.partner", "write", [leeds.trading_partner_id],
                {"product_mapping_ids": [(0, 0, {"buyer_item_id": item, "product_id": frame})]})
    result = xmlrpc_call("ecrm.exchange", "retry", [exchange["id"]])
    assert result == [{"id": exchange["id"], "state": "received", "http_status": 0}], "queued again"
    deadline = time.monotonic() + 120
    while xmlrpc_call("ecrm.exchange", "read", [exchange["id"]], ["state"])[0]["state"] == "received":
        assert time.monotonic() < deadline, "the retried exchange's job did not run"
        time.sleep(0.5)
    assert xmlrpc_call("ecrm.exchange", "read", [exchange["id"]], ["state", "http_status"])[0] == {
        "id": exchange["id"], "state": "processed", "http_status": 201}
    assert [o["state"] for o in leeds.sale_orders(document_id)] == ["sale"]
    with pytest.raises(xmlrpc.client.Fault) as caught:
        xmlrpc_call("ecrm.exchange", "retry", [exchange["id"]])
    assert "Only failed, retryable exchanges can be retried" in caught.value.faultString


def test_generate_credential_is_refused_to_a_plain_ecrm_user(odoo_server, admin_rpc, leeds):
    login = "eproc-user-%s" % leeds.trading_partner_id
    if not admin_rpc.env["res.users"].search([("login", "=", login)]):
        admin_rpc.env["res.users"].with_context(no_reset_password=True).create({
            "name": "eCRM user (e2e)", "login": login, "password": "user-e2e",
            "groups_id": [(6, 0, [admin_rpc.env.ref("ecrm_core.group_ecrm_user").id])]})
    common = xmlrpc.client.ServerProxy(odoo_server.url + "/xmlrpc/2/common")
    uid = common.authenticate(odoo_server.database, login, "user-e2e", {})
    models = xmlrpc.client.ServerProxy(odoo_server.url + "/xmlrpc/2/object")
    with pytest.raises(xmlrpc.client.Fault) as caught:
        models.execute_kw(odoo_server.database, uid, "user-e2e", "ecrm.trading.partner", "generate_credential",
                          [[leeds.trading_partner_id]])
    assert "Only an eCRM Manager may generate" in caught.value.faultString
    # the buyer's credential still works
    assert leeds.post(b"<bad/>").status_code == 400
