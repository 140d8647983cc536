"""What visitors see, in headless Chromium against a real server with the demo rules."""
import pytest
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

CSS = "css selector"


def submit(browser, selector):
    """Click a submit button and wait until the browser has left the page it was on."""
    button = browser.find_element(CSS, selector)
    button.click()
    WebDriverWait(browser, 60).until(expected_conditions.staleness_of(button))


@pytest.fixture
def fresh_browser(browser, odoo_server):
    browser.get(odoo_server.url + "/web/login")
    browser.delete_all_cookies()
    return browser


def xmlid(rpc, ref):
    return rpc.env.ref(ref).id


def banner_rule(browser, placement="home_banner"):
    blocks = browser.find_elements(CSS, ".ecrm_block_%s" % placement)
    return int(blocks[0].get_attribute("data-ecrm-rule")) if blocks else None


def promoted(browser):
    return sorted(int(el.get_attribute("data-product-id")) for el in browser.find_elements(CSS, ".ecrm_promoted_product"))


def log_in(browser, server, login, password):
    browser.get(server.url + "/web/login")
    browser.find_element(CSS, "input[name=login]").send_keys(login)
    browser.find_element(CSS, "input[name=password]").send_keys(password)
    submit(browser, "form.oe_login_form button[type=submit]")


def rule_products(rpc, ref):
    return sorted(rpc.env["ecrm.personalisation.rule"].read([xmlid(rpc, ref)], ["product_ids"])[0]["product_ids"])


def test_anonymous_and_nhs_customer_see_different_banners_and_products(fresh_browser, odoo_server, admin_rpc):
    browser = fresh_browser
    browser.get(odoo_server.url + "/")
    anonymous_banner, anonymous_products = banner_rule(browser), promoted(browser)
    assert anonymous_banner == xmlid(admin_rpc, "ecrm_portal.rule_anonymous_home_banner")
    assert anonymous_products == rule_products(admin_rpc, "ecrm_portal.rule_anonymous_home_banner")
    assert "Free UK delivery" in browser.page_source

    log_in(browser, odoo_server, "priya", "priya")
    browser.get(odoo_server.url + "/")
    assert banner_rule(browser) == xmlid(admin_rpc, "ecrm_portal.rule_nhs_home_banner")
    assert promoted(browser) == rule_products(admin_rpc, "ecrm_portal.rule_nhs_home_banner")
    assert promoted(browser) != anonymous_products
    assert "NHS framework prices" in browser.page_source


def test_saved_interests_change_the_next_shop_page(fresh_browser, odoo_server, admin_rpc):
    browser = fresh_browser
    priya = xmlid(admin_rpc, "ecrm_core.partner_nhs_leeds_priya")
    admin_rpc.env["res.partner"].write([priya], {"ecrm_interest_category_ids": [(5, 0, 0)]})
    headset_rule = xmlid(admin_rpc, "ecrm_portal.rule_headset_interest_shop_top")
    log_in(browser, odoo_server, "priya", "priya")
    browser.get(odoo_server.url + "/shop")
    assert banner_rule(browser, "shop_top") != headset_rule
    submit(browser, "#ecrm_cookie_refuse")  # the fixed banner would cover the form

    browser.get(odoo_server.url + "/my/preferences")
    headset = xmlid(admin_rpc, "website_sale.Headset")
    browser.find_element(CSS, "input[name=interest_category_ids][value='%d']" % headset).click()
    browser.find_element(CSS, "input[name=consent_email][value=opted_in]").click()
    submit(browser, "#ecrm_preferences_save")
    assert browser.find_elements(CSS, "#ecrm_preferences_saved")

    browser.get(odoo_server.url + "/shop")
    assert banner_rule(browser, "shop_top") == headset_rule
    partner = admin_rpc.env["res.partner"].read([priya], ["ecrm_consent_email"])[0]
    assert partner["ecrm_consent_email"] == "opted_in"


def view_count(rpc):
    return rpc.env["ecrm.page.view"].search_count([])


def test_cookie_banner_gates_tracking(fresh_browser, odoo_server, admin_rpc):
    browser = fresh_browser
    visitors_before, views_before = admin_rpc.env["ecrm.visitor"].search_count([]), view_count(admin_rpc)
    browser.get(odoo_server.url + "/shop")
    browser.get(odoo_server.url + "/")
    assert browser.find_elements(CSS, "#ecrm_cookie_banner")
    assert (admin_rpc.env["ecrm.visitor"].search_count([]), view_count(admin_rpc)) == (visitors_before, views_before)

    submit(browser, "#ecrm_cookie_refuse")
    browser.get(odoo_server.url + "/shop")
    assert not browser.find_elements(CSS, "#ecrm_cookie_banner")
    assert browser.get_cookie("ecrm_vid") is None
    assert (admin_rpc.env["ecrm.visitor"].search_count([]), view_count(admin_rpc)) == (visitors_before, views_before)

    browser.delete_all_cookies()
    browser.get(odoo_server.url + "/")
    submit(browser, "#ecrm_cookie_accept")
    browser.get(odoo_server.url + "/shop")
    key = browser.get_cookie("ecrm_vid")["value"]
    visitor = admin_rpc.env["ecrm.visitor"].search([("cookie_key", "=", key)])
    assert len(visitor) == 1
    paths = [view["path"] for view in admin_rpc.env["ecrm.page.view"].search_read(
        [("visitor_id", "=", visitor[0])], ["path"], order="id")]
    assert "/shop" in paths
