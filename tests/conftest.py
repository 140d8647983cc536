"""Fixtures for the outside-in tests: a real server, odoorpc sessions, a browser."""
import os

import odoorpc
import pytest

from .odoo_server import OdooServer


@pytest.fixture(scope="session")
def odoo_server():
    database = os.environ.get("ECRM_E2E_DB")
    if not database:
        pytest.fail("ECRM_E2E_DB is not set: run the suite with 'make test'")
    server = OdooServer(database).start()
    yield server
    server.stop()


def connect(server, login, password):
    client = odoorpc.ODOO("127.0.0.1", port=server.port, timeout=120)
    client.login(server.database, login, password)
    return client


@pytest.fixture(scope="session")
def admin_rpc(odoo_server):
    return connect(odoo_server, "admin", "admin")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven through its matching chromedriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()
