"""GET /ecrm/eprocurement/status/<buyer document id> with the buyer's own credential."""
import requests

from .orders import leeds_order


def test_status_of_an_accepted_order(leeds, document_id):
    accepted = leeds.post(leeds_order(document_id))
    assert accepted.status_code == 201
    url = "%s/ecrm/eprocurement/status/%s" % (leeds.server.url, document_id)

    auth = {"Authorization": "Bearer %s" % leeds.credential}
    as_json = requests.get(url, headers=dict(auth, Accept="application/json"), timeout=60)
    assert as_json.status_code == 200
    body = as_json.json()
    assert (body["state"], body["response_code"], body["sale_order_state"]) == ("processed", "AP", "sale")
    assert body["delivery"] in ("not started", "in progress")
    as_xml = requests.get(url, headers=auth, timeout=60)
    assert as_xml.status_code == 200 and as_xml.content == accepted.content


def test_status_needs_the_credential_and_hides_other_buyers_orders(leeds, other_buyer, document_id):

    assert leeds.post(leeds_order(document_id)).status_code == 201
    url = "%s/ecrm/eprocurement/status/%s" % (leeds.server.url, document_id)
    assert requests.get(url, timeout=60).status_code == 401
    other = requests.get(url, headers={"Authorization": "Bearer %s" % other_buyer.credential}, timeout=60)
    assert other.status_code == 404
    unknown = requests.get(url + "-nope", headers={"Authorization": "Bearer %s" % leeds.credential}, timeout=60)
    assert unknown.status_code == 404 and "No order" in unknown.json()["message"]


def test_an_order_confirmed_later_is_answered_again_through_status(leeds, admin_rpc, document_id):
    TradingPartner = admin_rpc.env["ecrm.trading.partner"]
    TradingPartner.browse(leeds.trading_partner_id).write({"auto_confirm": False})
    try:
        received = leeds.post(leeds_order(document_id), accept="application/json")
    finally:
        TradingPartner.browse(leeds.trading_partner_id).write({"auto_confirm": True})
    assert received.status_code == 201 and received.json()["response_code"] == "AB"
    order_id = leeds.sale_orders(document_id)[0]["id"]
    admin_rpc.env["sale.order"].browse(order_id).action_confirm()
    url = "%s/ecrm/eprocurement/status/%s" % (leeds.server.url, document_id)
    auth = {"Authorization": "Bearer %s" % leeds.credential}
    body = requests.get(url, headers=dict(auth, Accept="application/json"), timeout=60).json()
    assert body["sale_order_state"] == "sale"
    assert [r["response_code"] for r in body["responses"]] == ["AP"]
    latest = requests.get(url, headers=auth, timeout=60)
    assert b"<cbc:OrderResponseCode>AP</cbc:OrderResponseCode>" in latest.content


def test_status_of_a_refused_order_tells_why(leeds, document_id):
    """After a 422 the buyer's status request finds the refusal instead of answering 404."""
    lines = [{"buyer_item_id": "NO-SUCH-ITEM", "quantity": 1, "name": "Unknown"}]
    refused = leeds.post(leeds_order(document_id, lines=lines), accept="application/json")
    assert refused.status_code == 422
    url = "%s/ecrm/eprocurement/status/%s" % (leeds.server.url, document_id)
    answer = requests.get(url, headers={"Authorization": "Bearer %s" % leeds.credential,
                                        "Accept": "application/json"}, timeout=60)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["state"], body["http_status"], body["response_code"]) == ("error", 422, "RE")
    assert "NO-SUCH-ITEM" in body["problems"]


def test_status_of_an_order_refused_for_its_bounds(leeds, document_id):
    lines = [{"buyer_item_id": "NHS-HS-100", "quantity": "1e20", "name": "Sling"}]
    assert leeds.post(leeds_order(document_id, lines=lines), accept="application/json").status_code == 422
    url = "%s/ecrm/eprocurement/status/%s" % (leeds.server.url, document_id)
    body = requests.get(url, headers={"Authorization": "Bearer %s" % leeds.credential,
                                      "Accept": "application/json"}, timeout=60).json()
    assert (body["state"], body["http_status"]) == ("error", 422)
    assert "more than the 100000 this buyer may order" in body["problems"]
