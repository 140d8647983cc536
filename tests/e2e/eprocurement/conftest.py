"""Fixtures for the e-procurement endpoint tests: credentials issued over RPC, an HTTP helper."""
import uuid

import pytest
import requests


class Channel:
    """Posts documents to the endpoint the way a buyer's system does."""

    def __init__(self, server, rpc, credential, trading_partner_id):
        self.server, self.rpc = server, rpc
        self.credential, self.trading_partner_id = credential, trading_partner_id

    def post(self, body, fmt="peppol-order", credential=None, accept=None, headers=None):
        all_headers = {"Authorization": "Bearer %s" % (self.credential if credential is None else credential),
                       "Content-Type": "text/csv" if fmt == "csv" else "application/xml"}
        if accept:
            all_headers["Accept"] = accept
        all_headers.update(headers or {})
        return requests.post("%s/ecrm/eprocurement/%s" % (self.server.url, fmt), data=body,
                             headers=all_headers, timeout=120)

    def exchange(self, response):
        name = response.headers.get("X-Ecrm-Exchange")
        found = self.rpc.env["ecrm.exchange"].search_read([("name", "=", name)], [
            "state", "http_status", "retryable", "sale_order_id", "error_message", "buyer_document_id"])
        assert len(found) == 1, "no exchange %r recorded" % name
        return found[0]

    def sale_orders(self, document_id):
        return self.rpc.env["sale.order"].search_read([("client_order_ref", "=", document_id)], ["state", "name"])

    def counts(self):
        return (self.rpc.env["ecrm.exchange"].search_count([]), self.rpc.env["sale.order"].search_count([]),
                self.rpc.env["ir.attachment"].search_count([("res_model", "=", "ecrm.exchange")]))


@pytest.fixture(scope="session")
def leeds(odoo_server, admin_rpc):
    """The demo NHS trust, with a fresh credential issued over RPC."""
    trading_partner = admin_rpc.env.ref("ecrm_eprocurement.trading_partner_leeds_nhs")
    trading_partner.write({"test_mode": False, "auto_confirm": True, "format_cxml": True,
                           "cxml_domain": "NetworkID", "cxml_identity": "AN0100000042"})
    credential = admin_rpc.env["ecrm.trading.partner"].generate_credential([trading_partner.id])
    return Channel(odoo_server, admin_rpc, credential, trading_partner.id)


@pytest.fixture(scope="session")
def other_buyer(odoo_server, admin_rpc):
    """A second buyer with its own credential and its own mapping of the same products."""
    partner_id = admin_rpc.env["res.partner"].create({"name": "Calderdale Council (e2e)", "is_company": True})
    sling = admin_rpc.env.ref("ecrm_eprocurement.product_hoist_sling").id
    trading_partner_id = admin_rpc.env["ecrm.trading.partner"].create({
        "name": "Calderdale (e2e)", "partner_id": partner_id, "gln": "5098765000001", "format_csv": True,
        "product_mapping_ids": [(0, 0, {"buyer_item_id": "CAL-1", "product_id": sling})],
    })
    credential = admin_rpc.env["ecrm.trading.partner"].generate_credential([trading_partner_id])
    return Channel(odoo_server, admin_rpc, credential, trading_partner_id)


@pytest.fixture
def document_id():
    return "PO-%s" % uuid.uuid4().hex[:10]
