"""The portal page for buyers who have not integrated: same pipeline, same validation, same idempotency."""
import re
import uuid

import pytest
import requests


def portal_session(server, login, password):
    session = requests.Session()
    page = session.get(server.url + "/web/login", timeout=60)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = session.post(server.url + "/web/login", timeout=60, data={
        "login": login, "password": password, "csrf_token": token, "redirect": "/my/eprocurement"})
    assert answer.status_code == 200
    return session


def make_portal_user(admin_rpc, parent_id, name):
    login = "%s-%s@example.com" % (name, uuid.uuid4().hex[:6])
    partner_id = admin_rpc.env["res.partner"].create({"name": name, "parent_id": parent_id, "email": login})
    admin_rpc.env["res.users"].with_context(no_reset_password=True).create({
        "login": login, "password": "portal-e2e", "partner_id": partner_id,
        "groups_id": [(6, 0, [admin_rpc.env.ref("base.group_portal").id])]})
    return login


@pytest.fixture(scope="module")
def buyer_session(odoo_server, admin_rpc, leeds):
    leeds_partner = admin_rpc.env.ref("ecrm_eprocurement.partner_leeds_nhs").id
    return portal_session(odoo_server, make_portal_user(admin_rpc, leeds_partner, "ward-clerk"), "portal-e2e")


def form_of(page_text, css_class):
    form = re.search(r'<form[^>]*class="%s[^"]*".*?</form>' % css_class, page_text, re.S).group(0)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    quantities = re.findall(r'name="(qty_\d+)"', form)
    return fields, quantities


def test_keyed_order_becomes_a_sale_order_once(odoo_server, buyer_session, leeds, document_id):
    page = buyer_session.get(odoo_server.url + "/my/eprocurement", timeout=60)
    assert page.status_code == 200 and "NHS-HS-100" in page.text
    # each catalogue line shows the buyer's contract price, in pounds
    prices = re.findall(r'o_eprocurement_price">(.*?)</td>', page.text, re.S)
    assert prices and all("\u00a3" in price or "&pound;" in price for price in prices), prices
    fields, quantities = form_of(page.text, "o_eprocurement_key")
    data = dict(fields, document_id=document_id, **{quantities[0]: "3"})
    result = buyer_session.post(odoo_server.url + "/my/eprocurement/submit", data=data, timeout=120)
    assert result.status_code == 200
    assert "o_eprocurement_result" in result.text and "received as" in result.text
    orders = leeds.sale_orders(document_id)
    assert [o["state"] for o in orders] == ["sale"]
    [order] = leeds.rpc.env["sale.order"].read([orders[0]["id"]], ["amount_total"])
    total = re.search(r'o_eprocurement_total">(.*?)</strong>', result.text, re.S).group(1)
    assert "%.2f" % order["amount_total"] in total.replace(",", ""), (total, order["amount_total"])
    again = buyer_session.post(odoo_server.url + "/my/eprocurement/submit", data=data, timeout=120)
    assert "already received" in again.text
    assert len(leeds.sale_orders(document_id)) == 1


def test_uploaded_csv_with_a_bad_line_is_refused_with_its_line(odoo_server, buyer_session, leeds, document_id):
    page = buyer_session.get(odoo_server.url + "/my/eprocurement", timeout=60)
    fields, _quantities = form_of(page.text, "o_eprocurement_upload")
    csv_body = "order_id,currency,buyer_item_id,quantity\n%s,GBP,NHS-HS-100,1\n%s,GBP,NOPE,2\n" % (
        document_id, document_id)
    result = buyer_session.post(odoo_server.url + "/my/eprocurement/submit", data=fields, timeout=120,
                                files={"upload": ("order.csv", csv_body.encode(), "text/csv")})
    assert result.status_code == 200
    assert "not accepted" in result.text
    assert "line 3: order line 2: unknown product (buyer item id NOPE" in result.text
    assert leeds.sale_orders(document_id) == []


def test_a_portal_user_of_another_company_gets_no_page(odoo_server, admin_rpc):
    stranger_company = admin_rpc.env["res.partner"].create({"name": "Unrelated Ltd (e2e)", "is_company": True})
    session = portal_session(odoo_server, make_portal_user(admin_rpc, stranger_company, "stranger"), "portal-e2e")
    refused = session.get(odoo_server.url + "/my/eprocurement", timeout=60)
    # a 404 inside the portal's own layout that says what the page is for, not Werkzeug's bare one
    assert refused.status_code == 404
    assert "o_eprocurement_not_set_up" in refused.text and "o_portal" in refused.text, refused.text[:300]
    leeds_tp = admin_rpc.env.ref("ecrm_eprocurement.trading_partner_leeds_nhs").id
    page = session.get(odoo_server.url + "/my/home", timeout=60)
    token = re.search(r'csrf_token: "([^"]+)"|name="csrf_token" value="([^"]+)"', page.text)
    data = {"trading_partner_id": str(leeds_tp), "mode": "key", "document_id": "X-1",
            "csrf_token": token and (token.group(1) or token.group(2)) or ""}
    assert data["csrf_token"], "no CSRF token on /my/home"
    answer = session.post(odoo_server.url + "/my/eprocurement/submit", data=data, timeout=60)
    assert answer.status_code == 404
