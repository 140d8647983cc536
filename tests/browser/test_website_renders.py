"""What a website visitor sees: the shop is styled, not raw HTML."""
import os

SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "var", "screenshots")


def computed(browser, selector, prop):
    return browser.execute_script(
        "var el = document.querySelector(arguments[0]);"
        "return el ? getComputedStyle(el).getPropertyValue(arguments[1]) : null;", selector, prop)


def test_shop_renders_with_compiled_css(browser, odoo_server):
    browser.get(odoo_server.url + "/shop")
    os.makedirs(SCREENSHOTS, exist_ok=True)
    browser.save_screenshot(os.path.join(SCREENSHOTS, "shop.png"))

    # The frontend bundle is compiled from LESS by lessc; without lessc Odoo
    # serves an error stub and the page falls back to browser defaults.
    rules = browser.execute_script(
        "return Array.from(document.styleSheets).reduce(function (n, s) {"
        "  try { return n + s.cssRules.length; } catch (e) { return n; } }, 0);")
    assert rules > 500, "stylesheets missing or empty: %s rules" % rules
    assert computed(browser, "header .navbar", "min-height") == "50px"  # Bootstrap 3 navbar
    assert "serif" not in computed(browser, "body", "font-family").replace("sans-serif", "")
    assert browser.find_elements("css selector", ".oe_product"), "no products on the shop page"
    assert computed(browser, ".oe_product_image img", "max-width") == "100%"
    assert "Could not execute command" not in odoo_server.log_text()
    assert "lessc" not in browser.page_source.lower()
