"""The hostile-input corpus: every case is refused with a useful message and leaves no sale order."""
import pytest

from .orders import leeds_order


def _body(document_id):
    return leeds_order(document_id).split(b"?>", 1)[1]


def xxe_file(document_id):
    return (b'<?xml version="1.0"?>\n<!DOCTYPE Order [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
            + _body(document_id).replace(b"<cbc:Name>Sling</cbc:Name>", b"<cbc:Name>&secret;</cbc:Name>"))


def xxe_http(document_id):
    return (b'<?xml version="1.0"?>\n<!DOCTYPE Order [<!ENTITY remote SYSTEM "http://127.0.0.1:9/leak">]>'
            + _body(document_id).replace(b"<cbc:Name>Sling</cbc:Name>", b"<cbc:Name>&remote;</cbc:Name>"))


def billion_laughs(document_id):
    entities = b"".join(b'<!ENTITY l%d "%s">' % (n, b"&l%d;" % (n - 1) * 10) for n in range(1, 10))
    return (b'<?xml version="1.0"?>\n<!DOCTYPE Order [<!ENTITY l0 "ha">' + entities + b"]>"
            + _body(document_id).replace(b"<cbc:Name>Sling</cbc:Name>", b"<cbc:Name>&l9;</cbc:Name>"))


@pytest.mark.parametrize("attack", [xxe_file, xxe_http, billion_laughs])
def test_dtd_attacks_are_400_with_no_order_and_an_exchange_in_error(leeds, document_id, attack):
    response = leeds.post(attack(document_id), accept="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "DTD and entity declarations (<!DOCTYPE) are not accepted" in body["message"]
    assert body["problems"][0]["line"] == 2
    assert "root:" not in response.text and "hahaha" not in response.text
    assert leeds.sale_orders(document_id) == []
    exchange = leeds.exchange(response)
    assert (exchange["state"], exchange["http_status"], exchange["retryable"]) == ("error", 400, False)


def test_oversized_body_is_413_without_reading_it(leeds):
    response = leeds.post(b"<" * (6 * 1024 * 1024))
    assert response.status_code == 413
    assert "limit is 5242880 bytes" in response.json()["message"]
    exchange = leeds.exchange(response)
    assert (exchange["state"], exchange["http_status"]) == ("error", 413)


def test_wrong_credential_is_401_and_stores_nothing(leeds, document_id):
    before = leeds.counts()
    response = leeds.post(leeds_order(document_id), credential=leeds.credential[:-2] + "xx")
    assert response.status_code == 401
    assert "credential" in response.json()["message"]
    assert leeds.counts() == before
    assert leeds.sale_orders(document_id) == []


def test_another_buyers_credential_cannot_order_for_this_buyer(leeds, other_buyer, document_id):
    response = other_buyer.post(leeds_order(document_id), accept="application/json")
    assert response.status_code == 422
    message = response.json()["message"]
    assert "the buyer party in the document (5012345000004) is not this trading partner's" in message
    assert leeds.sale_orders(document_id) == []
    exchange = other_buyer.exchange(response)
    assert (exchange["state"], exchange["http_status"]) == ("error", 422)


def test_replay_of_an_accepted_order_creates_nothing_new(leeds, document_id):
    payload = leeds_order(document_id)
    assert leeds.post(payload).status_code == 201
    before = leeds.counts()
    replay = leeds.post(payload, accept="application/json")
    assert replay.status_code == 409
    assert replay.json()["error"] == "duplicate"
    exchanges, orders, attachments = leeds.counts()
    assert (exchanges, orders) == (before[0] + 1, before[1])  # the replay is recorded, nothing else
    assert len(leeds.sale_orders(document_id)) == 1
    assert leeds.exchange(replay)["state"] == "error"


def test_invalid_utf8_names_the_line(leeds, document_id):
    payload = leeds_order(document_id).replace(b"<cbc:Name>Walking frame</cbc:Name>",
                                               b"<cbc:Name>Walking fr\xe2me</cbc:Name>")
    response = leeds.post(payload, accept="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "invalid UTF-8 byte 0xe2" in body["message"]
    expected = payload[:payload.index(b"Walking fr\xe2me")].count(b"\n") + 1
    assert body["problems"][0]["line"] == expected


def test_wrong_namespace_is_400(leeds, document_id):
    payload = leeds_order(document_id).replace(b"xsd:Order-2", b"xsd:Invoice-2")
    response = leeds.post(payload, accept="application/json")
    assert response.status_code == 400
    assert "expected Order in namespace" in response.json()["message"]


def _sling(quantity, unit_price="149.00"):
    return [{"buyer_item_id": "NHS-HS-100", "quantity": quantity, "unit_price": unit_price, "name": "Sling"}]


@pytest.mark.parametrize("quantity, message", [
    ("1e999999", "quantity 1E+999999 is more than the 100000 this buyer may order"),
    ("1e20", "quantity 1E+20 is more than the 100000 this buyer may order"),
    ("0.0000001", "quantity 1E-7 has more than 3 decimal places"),
])
def test_an_absurd_quantity_is_a_final_422_with_no_order(leeds, document_id, quantity, message):
    response = leeds.post(leeds_order(document_id, lines=_sling(quantity)), accept="application/json")
    assert response.status_code == 422, response.text
    assert message in response.json()["message"]
    assert leeds.sale_orders(document_id) == []
    exchange = leeds.exchange(response)
    assert (exchange["state"], exchange["http_status"], exchange["retryable"]) == ("error", 422, False)


def test_a_megabyte_order_id_is_a_final_422_not_a_retryable_503(leeds):
    response = leeds.post(leeds_order("7" * 1024 * 1024), accept="application/json")
    assert response.status_code == 422, response.text[:500]
    assert "document_id is 1048576 characters long, the limit is 100" in response.json()["message"]
    assert len(response.content) < 10000  # the refusal does not echo the megabyte back
    exchange = leeds.exchange(response)
    assert (exchange["state"], exchange["retryable"], exchange["buyer_document_id"]) == ("error", False, False)


def test_an_order_worth_more_than_the_buyers_bound_is_refused(leeds, admin_rpc, document_id):
    TradingPartner = admin_rpc.env["ecrm.trading.partner"]
    TradingPartner.browse(leeds.trading_partner_id).write({"max_order_value": 1000.0})
    try:
        response = leeds.post(leeds_order(document_id, lines=_sling(7)), accept="application/json")
    finally:
        TradingPartner.browse(leeds.trading_partner_id).write({"max_order_value": 5000000.0})
    assert response.status_code == 422, response.text
    assert "the order is worth 1,043.00, more than the 1,000.00 this buyer may order at once" in \
        response.json()["message"]
    assert leeds.sale_orders(document_id) == []
