"""An order-desk clerk reads an electronic order: the document indented, our answer in words."""
import os

from selenium.webdriver.support.ui import WebDriverWait

from .test_log_a_call import CSS, SCREENSHOTS, log_in, tracebacks, wait_for

# staff_browser and server_log are fixtures of test_log_a_call
from .test_log_a_call import server_log, staff_browser  # noqa: F401 (fixtures)


def open_tab(browser, label):
    tab = next(link for link in browser.find_elements(CSS, ".o_notebook .nav-tabs a") if link.text == label)
    tab.click()
    return tab


def test_the_exchange_form_shows_the_order_and_the_answer(staff_browser, odoo_server, admin_rpc, server_log):
    browser = staff_browser
    trading_partner = admin_rpc.env.ref("ecrm_eprocurement.trading_partner_leeds_nhs").id
    action = admin_rpc.env["ecrm.trading.partner"].action_send_test_order([trading_partner])
    log_in(browser, odoo_server, "admin", "admin")
    browser.get(odoo_server.url + "/web#model=ecrm.exchange&id=%d&view_type=form" % action["res_id"])
    wait_for(browser, ".o_form_view .o_notebook")
    open_tab(browser, "Document")
    document = wait_for(browser, "pre.o_ecrm_document")
    assert "<cbc:ID>TEST-" in document.text and "\n  <" in document.text, document.text[:200]
    os.makedirs(SCREENSHOTS, exist_ok=True)
    browser.save_screenshot(os.path.join(SCREENSHOTS, "exchange_document.png"))
    open_tab(browser, "Acknowledgement")
    summary = WebDriverWait(browser, 30).until(lambda b: [item for item in b.find_elements(
        CSS, ".o_ecrm_ack_summary li") if item.is_displayed()])
    assert summary[0].text.startswith("Received, to be handled"), summary[0].text  # a test order
    assert any(item.text.startswith("Line 1: ") for item in summary)
    browser.save_screenshot(os.path.join(SCREENSHOTS, "exchange_acknowledgement.png"))
    assert not tracebacks(server_log())
