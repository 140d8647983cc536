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
