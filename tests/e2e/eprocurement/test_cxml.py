"""cXML OrderRequest over the same endpoint: Bearer or Sender SharedSecret, answered with a cXML Response."""
from lxml import etree

from ...unit.eprocurement.test_cxml_order import order_request


def status_of(response):
    status = etree.fromstring(response.content).find("Response/Status")
    return int(status.get("code")), status.text or ""


def test_shared_secret_authenticates_and_the_order_is_confirmed(leeds, document_id):
    response = leeds.post(order_request(order_id=document_id, secret=leeds.credential), fmt="cxml",
                          credential="", headers={"Authorization": ""})
    assert response.status_code == 201, response.text
    assert status_of(response)[0] == 200
    assert [o["state"] for o in leeds.sale_orders(document_id)] == ["sale"]
    again = leeds.post(order_request(order_id=document_id), fmt="cxml")  # Bearer this time
    assert again.status_code == 409 and again.content == response.content


def test_wrong_shared_secret_is_401_in_cxml_and_stores_nothing(leeds, document_id):
    before = leeds.counts()
    response = leeds.post(order_request(order_id=document_id, secret="wrong"), fmt="cxml",
                          headers={"Authorization": ""})
    assert response.status_code == 401
    code, message = status_of(response)
    assert code == 401 and "credential" in message
    assert leeds.counts() == before


def test_business_errors_are_422_with_cxml_status_406(leeds, document_id):
    items = """<ItemOut quantity="1" lineNumber="1"><ItemID><BuyerPartID>NOPE</BuyerPartID></ItemID>
        <ItemDetail><UnitPrice><Money currency="GBP">1.00</Money></UnitPrice><UnitOfMeasure>EA</UnitOfMeasure>
        </ItemDetail></ItemOut>"""
    response = leeds.post(order_request(order_id=document_id, items=items), fmt="cxml")
    assert response.status_code == 422
    code, message = status_of(response)
    assert code == 406 and "order line 1: unknown product (buyer item id NOPE" in message
    assert leeds.exchange(response)["state"] == "error"


def test_xxe_in_cxml_is_400(leeds, document_id):
    payload = order_request(order_id=document_id).replace(
        b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">',
        b'<!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>').replace(b"Ward 12", b"&x;")
    response = leeds.post(payload, fmt="cxml")
    assert response.status_code == 400
    code, message = status_of(response)
    assert code == 400 and "DTD and entity declarations" in message and "root:" not in response.text
    assert leeds.sale_orders(document_id) == []


def test_an_asynchronous_cxml_order_is_202_with_a_cxml_accepted_status(leeds, document_id):
    response = leeds.post(order_request(order_id=document_id), fmt="cxml", headers={"Prefer": "respond-async"})
    assert response.status_code == 202, response.text
    code, message = status_of(response)
    assert code == 201 and document_id in message and "/ecrm/eprocurement/status/" in message
    assert response.headers["Content-Type"].startswith("application/xml")
