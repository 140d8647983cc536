"""Rule actions over plain HTTP: session pricelist, A/B split with its control group, the website editor."""
import re
import urllib.parse
import xmlrpc.client

import odoorpc
import pytest
import requests

from odoo.addons.ecrm_portal.personalisation.engine import split_bucket

from ...conftest import connect
from .test_portal_http import csrf, login


def consenting_visitor(server):
    """A new browser that accepted the cookie banner (so it has a visitor id and is tracked)."""
    session = requests.Session()
    session.post(server.url + "/ecrm/consent", data={"csrf_token": csrf(session, server, "/"), "choice": "yes"},
                 allow_redirects=False)
    return session


@pytest.fixture
def new_records(admin_rpc):
    """Create records for one test and remove them afterwards, newest first."""
    created = []

    def create(model, values):
        record_id = admin_rpc.env[model].create(values)
        created.append((model, record_id))
        return record_id
    yield create
    for model, record_id in reversed(created):
        admin_rpc.env[model].unlink([record_id])


def test_a_rule_pricelist_holds_for_the_rest_of_the_session(odoo_server, admin_rpc, new_records):
    product = admin_rpc.env.ref("product.product_product_8_product_template").id
    pricelist = new_records("product.pricelist", {"name": "NHS framework prices (e2e)", "item_ids": [(0, 0, {
        "applied_on": "1_product", "product_tmpl_id": product, "compute_price": "fixed", "fixed_price": 987.65})]})
    new_records("ecrm.personalisation.rule", {
        "name": "Bulletin readers get framework prices (e2e)", "utm_campaign": "framework_e2e",
        "pricelist_id": pricelist})
    product_url = odoo_server.url + "/shop/product/%d" % product

    reader = requests.Session()
    reader.get(odoo_server.url + "/?utm_campaign=framework_e2e")  # the landing page: the rule matches here only
    assert "987.65" in reader.get(product_url).text
    assert "987.65" in reader.get(odoo_server.url + "/shop").text
    assert "987.65" not in requests.get(product_url).text  # another browser, not from the campaign


def test_control_group_sees_the_default_page_and_is_counted_apart(odoo_server, admin_rpc, new_records):
    Rule = admin_rpc.env["ecrm.personalisation.rule"]
    rule = new_records("ecrm.personalisation.rule", {
        "name": "Half of the bulletin readers (e2e)", "priority": 1000, "utm_campaign": "ab_e2e",
        "placement": "home_banner", "content": "<p>AB e2e banner</p>", "cta_url": "/shop", "split_percent": 50})
    home = odoo_server.url + "/?utm_campaign=ab_e2e"
    visitors = {"treatment": [], "control": []}
    while not (visitors["treatment"] and visitors["control"]) and len(sum(visitors.values(), [])) < 40:
        visitor = consenting_visitor(odoo_server)
        arm = "treatment" if split_bucket(rule, visitor.cookies["ecrm_vid"]) < 50 else "control"
        for _ in range(2):  # a visitor stays in its arm
            page = visitor.get(home).text
            assert ('data-ecrm-rule="%d"' % rule in page) is (arm == "treatment")
            if arm == "control":  # the default page: no lower rule takes the banner either
                assert "ecrm_block_home_banner" not in page
        visitors[arm].append(visitor)
    treated, held = len(visitors["treatment"]), len(visitors["control"])
    assert treated and held
    visitors["treatment"][0].get(odoo_server.url + "/ecrm/click/%d" % rule)

    stats = Rule.read([rule], ["impression_count", "visitor_count", "click_count", "control_count",
                               "control_visitor_count"])[0]
    assert (stats["impression_count"], stats["visitor_count"], stats["click_count"]) == (2 * treated, treated, 1)
    assert (stats["control_count"], stats["control_visitor_count"]) == (2 * held, held)


def test_content_block_is_edited_in_place_with_the_website_editor(odoo_server, admin_rpc, new_records):
    env = admin_rpc.env
    designer_login = "designer.e2e"
    if not env["res.users"].search([("login", "=", designer_login)]):
        env["res.users"].create({"name": "Web designer (e2e)", "login": designer_login, "password": designer_login,
                                 "groups_id": [(6, 0, [env.ref("base.group_user").id,
                                                       env.ref("website.group_website_designer").id])]})
    rule = new_records("ecrm.personalisation.rule", {
        "name": "Editable banner (e2e)", "priority": 1000, "utm_campaign": "edit_e2e",
        "placement": "home_banner", "content": "<p>Before the edit</p>"})
    home = odoo_server.url + "/?utm_campaign=edit_e2e"

    visitor_page = requests.get(home).text
    assert "Before the edit" in visitor_page and 'data-oe-model="ecrm.personalisation.rule"' not in visitor_page
    designer = login(odoo_server, designer_login, designer_login)
    branded = re.search(r'<div [^>]*data-oe-model="ecrm.personalisation.rule"[^>]*>', designer.get(home).text)
    assert branded, "the block is not editable in the designer's page"
    attributes = dict(re.findall(r'(data-oe-[a-z]+)="([^"]*)"', branded.group(0)))
    assert (attributes["data-oe-id"], attributes["data-oe-field"], attributes["data-oe-type"]) == (
        str(rule), "content", "html")

    # what the editor's Save button sends for an edited field: ir.ui.view.save(oe-id, outerHTML, no xpath)
    edited = branded.group(0) + "<p>After the edit</p></div>"
    connect(odoo_server, designer_login, designer_login).env["ir.ui.view"].save(rule, edited, None)
    assert "After the edit" in env["ecrm.personalisation.rule"].read([rule], ["content"])[0]["content"]
    assert "After the edit" in requests.get(home).text  # the cached block follows the edit


def test_page_helpers_answer_nothing_over_rpc_while_the_page_shows_the_block(odoo_server, admin_rpc, new_records):
    """The QWeb hooks work while a page renders; over RPC (even as the admin) they give nothing away."""
    website = admin_rpc.env["website"].search([], limit=1)[0]
    rule = new_records("ecrm.personalisation.rule", {
        "name": "Everyone on the e2e campaign (e2e)", "priority": 2000, "utm_campaign": "rpc_e2e",
        "placement": "home_banner", "content": "<p>RPC e2e banner</p>", "promote": "fixed",
        "product_ids": [(6, 0, [admin_rpc.env.ref("product.product_product_8_product_template").id])]})
    page = requests.get(odoo_server.url + "/?utm_campaign=rpc_e2e").text
    assert "RPC e2e banner" in page and 'data-ecrm-rule="%d"' % rule in page and "ecrm_promoted_product" in page

    xml = xmlrpc.client.ServerProxy(odoo_server.url + "/xmlrpc/2/object")
    uid = xmlrpc.client.ServerProxy(odoo_server.url + "/xmlrpc/2/common").authenticate(
        odoo_server.database, "admin", "admin", {})
    calls = [("ecrm_block", [[website], "home_banner"]), ("ecrm_promoted_products", [[website]]),
             ("ecrm_block_html", [[website], {"id": rule}]), ("ecrm_rule_record", [[website], {"id": rule}])]
    for method, args in calls:
        assert not xml.execute_kw(odoo_server.database, uid, "admin", "website", method, args), method
        assert not admin_rpc.execute_kw("website", method, args), method
    for method in ("_ecrm_visitor", "_ecrm_decision", "_ecrm_slot"):
        with pytest.raises(xmlrpc.client.Fault, match="Private methods"):
            xml.execute_kw(odoo_server.database, uid, "admin", "website", method, [[website]])
        with pytest.raises(odoorpc.error.RPCError, match="Private methods"):
            admin_rpc.execute_kw("website", method, [[website]])


def test_a_rule_button_leads_to_its_page_and_is_counted(odoo_server, admin_rpc, new_records):
    rule = new_records("ecrm.personalisation.rule", {"name": "Button (e2e)", "active": False, "cta_url": "/shop?x=1"})
    response = requests.get(odoo_server.url + "/ecrm/click/%d" % rule, allow_redirects=False)
    assert response.status_code in (302, 303)
    location = urllib.parse.urlsplit(response.headers["Location"])
    assert location.netloc in ("", urllib.parse.urlsplit(odoo_server.url).netloc)
    assert location.path.endswith("/shop") and location.query == "x=1"
