"""A salesperson logs a call in the back office, as they would: by picking the type's label."""
import os

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

CSS = "css selector"
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "var", "screenshots")


@pytest.fixture
def staff_browser(browser, odoo_server):
    """The shared browser, logged out again afterwards: the visitor tests that follow start
    anonymous, with no web client of a staff session still polling."""
    yield browser
    browser.get(odoo_server.url + "/web/session/logout")
    browser.get("about:blank")
    browser.delete_all_cookies()


@pytest.fixture
def server_log(odoo_server):
    """What the server logs during the test (the server is shared with the other tests)."""
    start = len(odoo_server.log_text())
    return lambda: odoo_server.log_text()[start:]


def tracebacks(log_text):
    """The log's tracebacks, but the host's "bus.Bus unavailable": the web client polls
    /longpolling on the HTTP port, which in production the reverse proxy sends to the
    longpolling port; here there is no proxy."""
    chunks = log_text.split("Traceback (most recent call last):")[1:]
    return [chunk[:2000] for chunk in chunks if "Exception: bus.Bus unavailable" not in chunk]


def wait_for(browser, selector, timeout=60):
    return WebDriverWait(browser, timeout).until(
        expected_conditions.visibility_of_element_located((CSS, selector)))


def log_in(browser, server, login, password):
    browser.get(server.url + "/web/login")
    browser.delete_all_cookies()
    browser.get(server.url + "/web/login")
    browser.find_element(CSS, "input[name=login]").send_keys(login)
    browser.find_element(CSS, "input[name=password]").send_keys(password)
    browser.find_element(CSS, "form.oe_login_form button[type=submit]").click()
    wait_for(browser, ".o_main_navbar, .o_web_client")


def pick(browser, field, text):
    """Type into a many2one and choose the suggestion, as a person does (the list is redrawn as
    the answers come: a suggestion gone stale is looked up again)."""
    box = wait_for(browser, ".o_form_view .o_field_widget[name=%s] input" % field)
    box.click()
    box.send_keys(text)

    def click_suggestion(b):
        try:
            for item in b.find_elements(CSS, "ul.ui-autocomplete li.ui-menu-item a"):
                if item.is_displayed() and text.lower() in item.text.lower():
                    item.click()
                    return True
        except StaleElementReferenceException:
            pass
        return False
    WebDriverWait(browser, 30).until(click_suggestion, "no suggestion %r for %s" % (text, field))
    WebDriverWait(browser, 30).until(lambda b: text.lower() in box.get_attribute("value").lower())


def test_a_salesperson_logs_a_call_by_picking_phone_call(staff_browser, odoo_server, admin_rpc, server_log):
    browser = staff_browser
    action = admin_rpc.env.ref("ecrm_core.ecrm_interaction_action").id
    before = admin_rpc.env["ecrm.interaction"].search([("interaction_type", "=", "call")])
    log_in(browser, odoo_server, "demo", "demo")
    browser.get(odoo_server.url + "/web#action=%d&model=ecrm.interaction&view_type=form" % action)
    wait_for(browser, ".o_form_view.o_form_editable")
    pick(browser, "partner_id", "Kirklees Council")
    pick(browser, "type_id", "Phone call")
    WebDriverWait(browser, 30).until(lambda b: b.find_element(
        CSS, ".o_field_widget[name=channel]").get_attribute("value") == '"phone"',
        "picking Phone call did not set the channel")
    subject = wait_for(browser, ".o_field_widget[name=subject]")
    subject.send_keys("Rang about the ceiling hoist service" + Keys.TAB)
    browser.find_element(CSS, ".o_form_button_save").click()
    wait_for(browser, ".o_form_view.o_form_readonly")
    os.makedirs(SCREENSHOTS, exist_ok=True)
    browser.save_screenshot(os.path.join(SCREENSHOTS, "log_a_call.png"))

    assert not browser.find_elements(CSS, ".modal .o_dialog_warning, .o_error_detail"), "an error dialog showed"
    logged = admin_rpc.env["ecrm.interaction"].search([("interaction_type", "=", "call")])
    new = [record_id for record_id in logged if record_id not in before]
    assert len(new) == 1
    entry = admin_rpc.env["ecrm.interaction"].read(new, ["type_id", "channel", "subject", "user_id"])[0]
    assert entry["type_id"][1] == "Phone call" and entry["channel"] == "phone"
    assert entry["subject"] == "Rang about the ceiling hoist service"
    assert entry["user_id"][1] == "Demo User"
    assert not tracebacks(server_log())


def test_the_customer_360_shows_the_timeline_as_a_feed(staff_browser, odoo_server, admin_rpc, server_log):
    """Labels and icons, not codes; the source document one click away."""
    browser = staff_browser
    Interaction = admin_rpc.env["ecrm.interaction"]
    # a customer of its own: the shared test database's other customers have other tests' entries
    council = admin_rpc.env["res.partner"].create({"name": "Feed Check Borough Council", "is_company": True})
    Interaction.log({"partner_id": council, "interaction_type": "call", "subject": "Earlier call",
                     "date": "2026-01-05 10:00:00"})
    demo_uid = admin_rpc.env["res.users"].search([("login", "=", "demo")])[0]
    # the salesperson's own order: a colleague's would be neither linked nor named for them
    order = admin_rpc.env["sale.order"].create({"partner_id": council, "user_id": demo_uid})
    order_name = admin_rpc.env["sale.order"].read([order], ["name"])[0]["name"]
    Interaction.log({"partner_id": council, "interaction_type": "order_received", "channel": "eprocurement",
                     "subject": "Feed check order", "res_model": "sale.order", "res_id": order})
    log_in(browser, odoo_server, "demo", "demo")
    browser.get(odoo_server.url + "/web#model=res.partner&id=%d&view_type=form" % council)
    wait_for(browser, ".o_form_view")
    tab = next(link for link in browser.find_elements(CSS, ".o_notebook .nav-tabs a") if "360" in link.text)
    tab.click()
    entry = WebDriverWait(browser, 60).until(lambda b: [card for card in b.find_elements(
        CSS, ".o_ecrm_feed_entry") if "Feed check order" in card.text])[0]
    os.makedirs(SCREENSHOTS, exist_ok=True)
    browser.save_screenshot(os.path.join(SCREENSHOTS, "customer_360_feed.png"))
    assert "Order received" in entry.text and "order_received" not in entry.text
    assert entry.find_elements(CSS, ".fa-exchange"), "the e-procurement icon"
    cards = browser.find_elements(CSS, ".o_ecrm_feed_entry")
    assert cards[0].text == entry.text, "newest first"
    entry.find_element(CSS, "a.o_ecrm_feed_source").click()
    WebDriverWait(browser, 60).until(lambda b: "model=sale.order" in b.current_url)
    WebDriverWait(browser, 60).until(lambda b: order_name in b.find_element(CSS, ".o_form_view").text)
    assert not tracebacks(server_log())


def test_the_log_button_on_a_customer_opens_a_small_composer(staff_browser, odoo_server, admin_rpc, server_log):
    browser = staff_browser
    customer = admin_rpc.env["res.partner"].create({"name": "Log Button Care Home", "is_company": True,
                                                    "customer": True})
    log_in(browser, odoo_server, "demo", "demo")
    browser.get(odoo_server.url + "/web#model=res.partner&id=%d&view_type=form" % customer)
    wait_for(browser, ".o_form_view .oe_button_box")
    button = WebDriverWait(browser, 30).until(lambda b: [
        candidate for candidate in b.find_elements(CSS, ".oe_button_box button.oe_stat_button")
        if candidate.is_displayed() and candidate.text.strip() == "Log"])[0]
    button.click()
    dialog = wait_for(browser, ".modal .o_form_view")
    title = browser.find_element(CSS, ".modal .modal-title").text
    assert title == "Log an interaction", title
    assert "Log Button Care Home" in dialog.find_element(
        CSS, ".o_field_widget[name=partner_id] input").get_attribute("value"), "the customer is filled in"
    pick(browser, "type_id", "Phone call")
    WebDriverWait(browser, 30).until(lambda b: b.find_element(
        CSS, ".modal .o_field_widget[name=channel]").get_attribute("value") == '"phone"')
    browser.find_element(CSS, ".modal .o_field_widget[name=subject]").send_keys("Rang about a bath lift" + Keys.TAB)
    os.makedirs(SCREENSHOTS, exist_ok=True)
    browser.save_screenshot(os.path.join(SCREENSHOTS, "log_button_composer.png"))
    next(b for b in browser.find_elements(CSS, ".modal-footer button") if b.text.strip() == "Log").click()
    WebDriverWait(browser, 30).until(lambda b: not b.find_elements(CSS, ".modal .o_form_view"))
    # a customer who never answered: the 360 says what unknown consent means
    next(link for link in browser.find_elements(CSS, ".o_notebook .nav-tabs a") if "360" in link.text).click()
    note = wait_for(browser, ".o_ecrm_consent_unknown")
    assert note.text.startswith("Unknown: not contactable until the customer opts in"), note.text
    logged = admin_rpc.env["ecrm.interaction"].search_read([("partner_id", "=", customer)],
                                                          ["type_id", "channel", "subject", "user_id"])
    assert [(row["type_id"][1], row["channel"], row["subject"], row["user_id"][1]) for row in logged] == [
        ("Phone call", "phone", "Rang about a bath lift", "Demo User")]
    assert not tracebacks(server_log())
