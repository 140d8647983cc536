"""cXML OrderRequest parsing and the cXML Response, written from the cXML 1.2 specification."""
import decimal

import pytest
from lxml import etree

from odoo.addons.ecrm_eprocurement.order_formats import DocumentError, cxml, parse

LIMIT = 1024 * 1024


def order_request(order_id="CX-1", secret="s3cret", items=None, doctype=True):
    items = items if items is not None else """
      <ItemOut quantity="2" lineNumber="1" requestedDeliveryDate="2026-11-25">
        <ItemID><SupplierPartID>TPG-SL-M</SupplierPartID><BuyerPartID>NHS-HS-100</BuyerPartID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="GBP">149.00</Money></UnitPrice>
          <Description xml:lang="en">Ceiling hoist sling</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
        </ItemDetail>
      </ItemOut>"""
    return ("""<?xml version="1.0" encoding="UTF-8"?>
%s
<cXML payloadID="1700000000.123@buyer.example" timestamp="2026-11-22T10:00:00+00:00">
  <Header>
    <From><Credential domain="NetworkID"><Identity>AN0100000042</Identity></Credential></From>
    <To><Credential domain="DUNS"><Identity>123456789</Identity></Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>AN0100000042</Identity>
      <SharedSecret>%s</SharedSecret></Credential><UserAgent>Buyer 1.0</UserAgent></Sender>
  </Header>
  <Request deploymentMode="production">
    <OrderRequest>
      <OrderRequestHeader orderID="%s" orderDate="2026-11-22T09:58:00+00:00" type="new">
        <Total><Money currency="GBP">298.00</Money></Total>
        <ShipTo><Address addressID="5012345000011"><Name xml:lang="en">Goods Inwards</Name>
          <PostalAddress><Street>Beckett Street</Street><City>Leeds</City><PostalCode>LS9 7TF</PostalCode>
          <Country isoCountryCode="GB">United Kingdom</Country></PostalAddress></Address></ShipTo>
        <Comments>Ward 12</Comments>
      </OrderRequestHeader>%s
    </OrderRequest>
  </Request>
</cXML>
""" % ('<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">' if doctype else "",
       secret, order_id, items)).encode()


def test_order_request_with_its_public_doctype_is_read():
    order = parse("cxml", order_request(), LIMIT)
    assert (order["document_id"], order["currency"], order["issue_date"]) == ("CX-1", "GBP", "2026-11-22")
    assert order["buyer"] == {"cxml_domain": "NetworkID", "cxml_identity": "AN0100000042"}
    assert order["delivery"]["gln"] == "5012345000011" and order["delivery"]["requested_date"] == "2026-11-25"
    (line,) = order["lines"]
    assert (line["line_id"], line["quantity"], line["unit_price"]) == ("1", decimal.Decimal(2), decimal.Decimal(149))
    assert (line["buyer_item_id"], line["seller_item_id"], line["line"]) == ("NHS-HS-100", "TPG-SL-M", 19)
    assert order["problems"] == []


def test_shared_secret_is_found_for_authentication():
    assert cxml.shared_secret(order_request(secret="ecrm_abc"), LIMIT) == "ecrm_abc"
    assert cxml.shared_secret(b"not xml", LIMIT) is None


def test_an_internal_subset_is_still_refused():
    payload = order_request().replace(
        b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">',
        b'<!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    with pytest.raises(DocumentError) as caught:
        parse("cxml", payload, LIMIT)
    assert caught.value.status == 400 and "DTD and entity declarations" in str(caught.value)
    other_dtd = order_request().replace(b"http://xml.cxml.org/schemas", b"http://evil.example/schemas")
    with pytest.raises(DocumentError):
        parse("cxml", other_dtd, LIMIT)


def test_line_problems_and_malformed_items():
    bad = """<ItemOut quantity="0" lineNumber="1"><ItemID><BuyerPartID>A</BuyerPartID></ItemID>
        <ItemDetail><UnitOfMeasure>ZZ</UnitOfMeasure></ItemDetail></ItemOut>"""
    order = parse("cxml", order_request(items=bad), LIMIT)
    messages = [p.message for p in order["problems"]]
    assert messages[0] == "order line 1: quantity must be greater than zero, got 0"
    assert messages[1].startswith("order line 1: unknown unit code 'ZZ'")
    assert len(messages) == 2
    with pytest.raises(DocumentError) as caught:
        parse("cxml", order_request(items='<ItemOut quantity="x" lineNumber="1"><ItemDetail>'
                                          "<UnitOfMeasure>EA</UnitOfMeasure></ItemDetail></ItemOut>"), LIMIT)
    assert "order line 1: 'x' is not a number" in str(caught.value)


def test_response_carries_the_status():
    root = etree.fromstring(cxml.build_response(406, "line 17: unknown product"))
    status = root.find("Response/Status")
    assert (status.get("code"), status.get("text")) == ("406", "Not Acceptable")
    assert status.text == "line 17: unknown product"
    assert root.get("payloadID") and root.get("timestamp")
