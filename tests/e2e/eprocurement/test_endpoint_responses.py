"""Every answer of POST /ecrm/eprocurement/<format>, against a real server."""
from lxml import etree

from .orders import leeds_order

NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}


def order_response(response):
    root = etree.fromstring(response.content)
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2}OrderResponse"
    return root


def test_201_accepted_order_answers_a_bis3_order_response_and_confirms_the_sale_order(leeds, document_id):
    response = leeds.post(leeds_order(document_id))
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"].startswith("application/xml")
    root = order_response(response)
    assert root.findtext("cbc:OrderResponseCode", namespaces=NS) == "AP"
    assert root.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == document_id
    assert [s.text for s in root.iterfind("cac:OrderLine/cac:LineItem/cbc:LineStatusCode", NS)] == ["5"] * 4
    orders = leeds.sale_orders(document_id)
    assert [o["state"] for o in orders] == ["sale"]
    assert root.findtext("cbc:SalesOrderID", namespaces=NS) == orders[0]["name"]
    exchange = leeds.exchange(response)
    assert (exchange["state"], exchange["http_status"]) == ("processed", 201)
    assert exchange["sale_order_id"][0] == orders[0]["id"]
    sale_order = leeds.rpc.env["sale.order"].read(orders[0]["id"], ["origin", "partner_shipping_id", "order_line"])[0]
    assert sale_order["origin"] == "eprocurement"
    assert sale_order["partner_shipping_id"][1].endswith("Goods Inwards, St James's")
    assert len(sale_order["order_line"]) == 4
    logged = leeds.rpc.env["ecrm.interaction"].search_count([
        ("res_model", "=", "sale.order"), ("res_id", "=", exchange["sale_order_id"][0]),
        ("interaction_type", "=", "order_received"), ("channel", "=", "eprocurement")])
    assert logged == 1


def test_201_json_summary_on_accept_json(leeds, document_id):
    response = leeds.post(leeds_order(document_id), accept="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["state"], body["response_code"]) == (201, "processed", "AP")
    assert body["buyer_document_id"] == document_id
    assert body["sale_order"] == leeds.sale_orders(document_id)[0]["name"]
    assert [line["unit_price"] for line in body["lines"]][:2] == [149.0, 11.9]


def test_201_csv_order(leeds, document_id):
    body = ("order_id,currency,buyer_item_id,quantity,unit_price\n%s,GBP,NHS-HS-100,1,149.00\n" % document_id)
    response = leeds.post(body.encode(), fmt="csv", accept="application/json")
    assert response.status_code == 201, response.text
    assert [o["state"] for o in leeds.sale_orders(document_id)] == ["sale"]


def test_401_without_or_with_a_wrong_credential_stores_nothing(leeds, document_id):
    before = leeds.counts()
    for credential in ("", "ecrm_not-a-real-credential"):
        response = leeds.post(leeds_order(document_id), credential=credential)
        assert response.status_code == 401
        assert "credential" in response.json()["message"]
        assert "X-Ecrm-Exchange" not in response.headers
    response = leeds.post(leeds_order(document_id), headers={"Authorization": "Basic %s" % leeds.credential})
    assert response.status_code == 401
    assert leeds.counts() == before


def test_400_malformed_is_recorded_in_error(leeds):
    response = leeds.post(b"<?xml version='1.0'?>\n<Order>\n<cbc:ID>1</cbc:ID>\n</Order>")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "malformed" and body["problems"][0]["line"] == 3
    assert "not well-formed XML" in body["message"]
    exchange = leeds.exchange(response)
    assert (exchange["state"], exchange["http_status"], exchange["retryable"]) == ("error", 400, False)


def test_422_lists_every_problem_with_its_line_and_creates_no_order(leeds, document_id):
    payload = leeds_order(document_id, lines=[
        {"buyer_item_id": "NHS-HS-100", "quantity": 2, "unit_price": "99.00"},
        {"buyer_item_id": "UNKNOWN-1", "quantity": 1},
        {"gtin": "5060123450031", "quantity": -1},
        {"seller_item_id": "TPG-RTS-4", "quantity": 1, "unit_code": "FOO"},
    ])
    response = leeds.post(payload, accept="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "unprocessable" and body["response_code"] == "RE"
    messages = [(p["line"], p["message"].split(":")[0]) for p in body["problems"]]
    assert [m for _, m in messages] == ["order line 1", "order line 2", "order line 3", "order line 4"]
    assert all(isinstance(line, int) and line > 0 for line, _ in messages)
    assert leeds.sale_orders(document_id) == []
    exchange = leeds.exchange(response)
    assert (exchange["state"], exchange["http_status"], exchange["retryable"]) == ("error", 422, True)
    xml = leeds.post(payload)
    assert xml.status_code == 422
    assert order_response(xml).findtext("cbc:OrderResponseCode", namespaces=NS) == "RE"


def test_409_duplicate_returns_the_original_acknowledgement(leeds, document_id):
    first = leeds.post(leeds_order(document_id))
    assert first.status_code == 201
    again = leeds.post(leeds_order(document_id))
    assert again.status_code == 409
    assert again.content == first.content
    as_json = leeds.post(leeds_order(document_id), accept="application/json").json()
    assert as_json["error"] == "duplicate" and "Duplicate of" in as_json["message"]
    assert len(leeds.sale_orders(document_id)) == 1
    exchange = leeds.exchange(again)
    assert (exchange["state"], exchange["http_status"]) == ("error", 409)


def test_413_over_the_default_5_mb_limit(leeds):
    before_orders = leeds.counts()[1]
    response = leeds.post(b"<Order>" + b" " * (5 * 1024 * 1024) + b"</Order>")
    assert response.status_code == 413
    assert "the limit is 5242880 bytes" in response.json()["message"]
    exchange = leeds.exchange(response)
    assert (exchange["state"], exchange["http_status"]) == ("error", 413)
    assert leeds.counts()[1] == before_orders


def test_404_unknown_format_and_403_format_not_enabled(leeds, other_buyer, admin_rpc):
    assert leeds.post(b"x", fmt="edifact").status_code == 404
    admin_rpc.env["ecrm.trading.partner"].browse(other_buyer.trading_partner_id).write({"format_csv": False})
    try:
        response = other_buyer.post(b"order_id,currency,quantity\n1,GBP,1\n", fmt="csv")
        assert response.status_code == 403
        assert "not enabled" in response.json()["message"]
    finally:
        admin_rpc.env["ecrm.trading.partner"].browse(other_buyer.trading_partner_id).write({"format_csv": True})


def test_test_mode_order_is_acknowledged_but_never_confirmed(other_buyer, admin_rpc, document_id):
    Partner = admin_rpc.env["ecrm.trading.partner"]
    Partner.browse(other_buyer.trading_partner_id).write({"test_mode": True})
    try:
        response = other_buyer.post(leeds_order(document_id, buyer_gln="5098765000001", delivery_gln=None,
                                                lines=[{"buyer_item_id": "CAL-1", "quantity": 1}]),
                                    accept="application/json")
    finally:
        Partner.browse(other_buyer.trading_partner_id).write({"test_mode": False})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["response_code"], body["test_mode"], body["sale_order_state"]) == ("AB", True, "draft")
    orders = other_buyer.rpc.env["sale.order"].search_read(
        [("client_order_ref", "=", document_id)], ["state", "tag_ids"])
    assert [o["state"] for o in orders] == ["draft"]
    tags = admin_rpc.env["crm.lead.tag"].read(orders[0]["tag_ids"], ["name"])
    assert [t["name"] for t in tags] == ["TEST"]
