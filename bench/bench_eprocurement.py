"""Ingest throughput: 20-line PEPPOL orders into confirmed sale orders, over HTTP.

Baseline (the floor): the same 20 lines as `sale.order.create` + `action_confirm`
over XML-RPC, which is what any import must at least do. Both run in this
process against the same server and database, interleaved round by round, and
each order is timed from the client (request out to answer in). Prints orders
per minute and p50/p95 per order; asserts that every order became exactly one
confirmed sale order.

The OCA `sale_order_import_ubl` comparison is not run here. It needs `--no-deps`
installs of the OCA 11.0 chain (sale_order_import, base_business_document_import,
base_ubl, onchange_helper, ...) into the venv's `odoo/addons`, where Odoo imports
every add-on at a server's first request, so one bad import would break every
server run from this tree; and a second database without website_sale.

    ECRM_BENCH_DB=ecrm_bench python bench/bench_eprocurement.py [--orders 20 --rounds 3]
"""
import argparse
import os
import statistics
import sys
import time
import uuid
import xmlrpc.client

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "addons"))
from tests import odoo_server  # noqa: E402
from ecrm_eprocurement.order_formats.sample import build_order  # noqa: E402  (plain Python, no Odoo import)

LINES = 20
BUYER_GLN = "5099990000008"


class Rpc:
    def __init__(self, url, database):
        self.database = database
        common = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/common")
        self.uid = common.authenticate(database, "admin", "admin", {})
        self.models = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args):
        return self.models.execute_kw(self.database, self.uid, "admin", model, method, list(args))


def set_up(rpc, tag):
    """A GBP pricelist, a buyer, 20 products mapped to buyer item ids, a trading partner and its credential."""
    gbp = rpc("res.currency", "search", [("name", "=", "GBP")])[0]
    pricelist = rpc("product.pricelist", "create", {"name": "Bench %s" % tag, "currency_id": gbp})
    buyer = rpc("res.partner", "create", {"name": "Bench NHS trust %s" % tag, "is_company": True,
                                          "property_product_pricelist": pricelist})
    products = [rpc("product.product", "create", {"name": "Bench item %s-%d" % (tag, n), "type": "consu",
                                                  "list_price": 10.0 + n, "default_code": "B%s-%d" % (tag, n)})
                for n in range(LINES)]
    unit = rpc("ir.model.data", "xmlid_to_res_id", "product.product_uom_unit")
    taxes = {p["id"]: p["taxes_id"] for p in rpc("product.product", "read", products, ["taxes_id"])}
    trading_partner = rpc("ecrm.trading.partner", "create", {
        "name": "Bench %s" % tag, "partner_id": buyer, "gln": BUYER_GLN, "pricelist_id": pricelist,
        "auto_confirm": True, "test_mode": False,
        "product_mapping_ids": [(0, 0, {"buyer_item_id": "BI-%d" % n, "product_id": p})
                                for n, p in enumerate(products)],
    })
    credential = rpc("ecrm.trading.partner", "generate_credential", [trading_partner])
    floor_lines = [(0, 0, {"product_id": p, "name": "Bench item %s-%d" % (tag, n), "product_uom_qty": n + 1,
                           "product_uom": unit, "price_unit": 10.0 + n, "tax_id": [(6, 0, taxes[p])]})
                   for n, p in enumerate(products)]
    return {"buyer": buyer, "pricelist": pricelist, "credential": credential, "floor_lines": floor_lines}


def order_payload(document_id):
    return build_order(document_id, [{"buyer_item_id": "BI-%d" % n, "quantity": n + 1, "unit_price": "%.2f" % (10 + n)}
                                     for n in range(LINES)], buyer_gln=BUYER_GLN)


def ingest(url, setup, document_id):
    response = requests.post(url + "/ecrm/eprocurement/peppol-order", data=order_payload(document_id),
                             headers={"Authorization": "Bearer %s" % setup["credential"],
                                      "Content-Type": "application/xml"}, timeout=300)
    if response.status_code != 201:
        raise RuntimeError("order %s answered %s: %s" % (document_id, response.status_code, response.text[:500]))


def floor(rpc, setup, document_id):
    order = rpc("sale.order", "create", {"partner_id": setup["buyer"], "pricelist_id": setup["pricelist"],
                                         "client_order_ref": document_id, "order_line": setup["floor_lines"]})
    rpc("sale.order", "action_confirm", [order])


def timed(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=os.environ.get("ECRM_BENCH_DB", "ecrm_bench"))
    parser.add_argument("--orders", type=int, default=20, help="orders per scenario per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--odoo-conf", default=odoo_server.ODOO_CONF)
    args = parser.parse_args()
    odoo_server.ODOO_CONF = args.odoo_conf

    server = odoo_server.OdooServer(args.db).start()
    tag = uuid.uuid4().hex[:6]
    try:
        rpc = Rpc(server.url, args.db)
        setup = set_up(rpc, tag)
        for n in range(3):  # warm both paths
            floor(rpc, setup, "WARM-F-%s-%d" % (tag, n))
            ingest(server.url, setup, "WARM-E-%s-%d" % (tag, n))
        baseline, ours = [], []
        for round_no in range(args.rounds):
            baseline += [timed(floor, rpc, setup, "F-%s-%d-%d" % (tag, round_no, n)) for n in range(args.orders)]
            ours += [timed(ingest, server.url, setup, "E-%s-%d-%d" % (tag, round_no, n)) for n in range(args.orders)]
        confirmed = rpc("sale.order", "search_count", [("partner_id", "=", setup["buyer"]), ("state", "=", "sale"),
                                                       ("client_order_ref", "=like", "E-%s-%%" % tag)])
        assert confirmed == len(ours), "expected %d confirmed e-procurement orders, found %d" % (len(ours), confirmed)
        lines = rpc("sale.order.line", "search_count", [("order_id.client_order_ref", "=like", "E-%s-%%" % tag)])
        assert lines == len(ours) * LINES
    finally:
        server.stop()

    print("\n%d-line orders, %d per scenario (%d rounds, interleaved), database %s"
          % (LINES, len(ours), args.rounds, args.db))
    for label, values in (("floor: sale.order.create + action_confirm (XML-RPC)", baseline),
                          ("ecrm_eprocurement: POST peppol-order -> confirmed", ours)):
        print("  %-52s %6.0f orders/min  p50 %6.0f ms  p95 %6.0f ms"
              % (label, 60 * len(values) / sum(values), 1000 * statistics.median(values),
                 1000 * percentile(values, 0.95)))
    print("  ratio ours / floor (p50): %.2fx" % (statistics.median(ours) / statistics.median(baseline)))


if __name__ == "__main__":
    main()
