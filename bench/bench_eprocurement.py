"""Ingest throughput: 20-line PEPPOL orders into confirmed sale orders, over HTTP.

Baseline (the floor): the same 20 lines as `sale.order.create` + `action_confirm`
over XML-RPC, which is what any import must at least do. Both run in this
process against the same server and database, interleaved round by round, and
each order is timed from the client (request out to answer in). Prints orders
per minute and p50/p95 per order; asserts that every order became exactly one
confirmed sale order.

The OCA `sale_order_import_ubl` 11.0 comparison runs in its own database
(`<db>_oca`, prepared by scripts/bench.sh: no website_sale, which crashes that
module, and an addons path only its server sees), against that database's own
floor: the same 20 lines, the same create + confirm. Each pair is reported with
its floor, so the two ratios compare like with like.

    ECRM_BENCH_DB=ecrm_bench python bench/bench_eprocurement.py [--orders 20 --rounds 3]
"""
import argparse
import os
import statistics
import sys
import time
import uuid
import base64

import requests
from lxml import etree

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "addons"))
from bench.common import Rpc, percentile, timed  # noqa: E402
from tests import odoo_server  # noqa: E402
from ecrm_eprocurement.order_formats.sample import build_order  # noqa: E402  (plain Python, no Odoo import)

LINES = 20
BUYER_GLN = "5099990000008"


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


UBL = "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
BUYER_VAT = "GB123456782"


def oca_set_up(rpc, tag):
    """What the OCA importer matches on: the buyer's VAT number and the seller's item codes."""
    buyer = rpc("res.partner", "create", {"name": "Bench NHS trust %s" % tag, "is_company": True,
                                          "customer": True, "vat": BUYER_VAT})
    products = [rpc("product.product", "create", {"name": "Bench item %s-%d" % (tag, n), "type": "consu",
                                                  "list_price": 10.0 + n, "default_code": "B%s-%d" % (tag, n)})
                for n in range(LINES)]
    unit = rpc("ir.model.data", "xmlid_to_res_id", "product.product_uom_unit")
    taxes = {p["id"]: p["taxes_id"] for p in rpc("product.product", "read", products, ["taxes_id"])}
    pricelist = rpc("product.pricelist", "search", [("currency_id.name", "=", "GBP")], 0, 1)[0]
    floor_lines = [(0, 0, {"product_id": p, "name": "Bench item %s-%d" % (tag, n), "product_uom_qty": n + 1,
                           "product_uom": unit, "price_unit": 10.0 + n, "tax_id": [(6, 0, taxes[p])]})
                   for n, p in enumerate(products)]
    return {"buyer": buyer, "pricelist": pricelist, "floor_lines": floor_lines, "tag": tag}


def oca_order(document_id, tag):
    def el(parent, ns, name, text=None, **attrib):
        node = etree.SubElement(parent, "{%s}%s" % (ns, name), attrib)
        node.text = text
        return node
    root = etree.Element("{%s}Order" % UBL, nsmap={None: UBL, "cac": CAC, "cbc": CBC})
    el(root, CBC, "ID", document_id)
    el(root, CBC, "IssueDate", time.strftime("%Y-%m-%d"))
    el(root, CBC, "DocumentCurrencyCode", "GBP")
    buyer = el(el(root, CAC, "BuyerCustomerParty"), CAC, "Party")
    el(el(buyer, CAC, "PartyName"), CBC, "Name", "Bench NHS trust %s" % tag)
    el(el(buyer, CAC, "PartyTaxScheme"), CBC, "CompanyID", BUYER_VAT)
    seller = el(el(root, CAC, "SellerSupplierParty"), CAC, "Party")
    el(el(seller, CAC, "PartyName"), CBC, "Name", "Calder Mobility Ltd")
    for n in range(LINES):
        item = el(el(root, CAC, "OrderLine"), CAC, "LineItem")
        el(item, CBC, "ID", str(n + 1))
        el(item, CBC, "Quantity", str(n + 1), unitCode="C62")
        el(el(item, CAC, "Price"), CBC, "PriceAmount", "%.2f" % (10 + n), currencyID="GBP")
        product = el(item, CAC, "Item")
        el(product, CBC, "Name", "Bench item %s-%d" % (tag, n))
        el(el(product, CAC, "SellersItemIdentification"), CBC, "ID", "B%s-%d" % (tag, n))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def oca_import(rpc, setup, document_id):
    wizard = rpc("sale.order.import", "create", {
        "order_file": base64.b64encode(oca_order(document_id, setup["tag"])).decode(),
        "order_filename": "%s.xml" % document_id, "price_source": "order"})
    action = rpc("sale.order.import", "import_order_button", [wizard])
    if action.get("res_model") != "sale.order":
        raise RuntimeError("OCA import of %s did not create an order: %s" % (document_id, action))
    rpc("sale.order", "action_confirm", [action["res_id"]])


def floor(rpc, setup, document_id):
    order = rpc("sale.order", "create", {"partner_id": setup["buyer"], "pricelist_id": setup["pricelist"],
                                         "client_order_ref": document_id, "order_line": setup["floor_lines"]})
    rpc("sale.order", "action_confirm", [order])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=os.environ.get("ECRM_BENCH_DB", "ecrm_bench"))
    parser.add_argument("--orders", type=int, default=20, help="orders per scenario per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--odoo-conf", default=odoo_server.ODOO_CONF)
    parser.add_argument("--skip-oca", action="store_true", help="leave out the OCA sale_order_import_ubl run")
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
    oca_baseline, oca = run_oca(args) if not args.skip_oca else ([], [])

    print("\n%d-line orders, %d per scenario (%d rounds, interleaved)" % (LINES, len(ours), args.rounds))
    rows = [("floor: create + action_confirm (XML-RPC), %s" % args.db, baseline),
            ("ecrm_eprocurement: POST peppol-order -> confirmed", ours)]
    if oca:
        rows += [("floor: create + action_confirm (XML-RPC), %s_oca" % args.db, oca_baseline),
                 ("OCA sale_order_import_ubl: import + confirm", oca)]
    for label, values in rows:
        print("  %-56s %6.0f orders/min  p50 %6.0f ms  p95 %6.0f ms"
              % (label, 60 * len(values) / sum(values), 1000 * statistics.median(values),
                 1000 * percentile(values, 0.95)))
    print("  ratio ecrm_eprocurement / its floor (p50): %.2fx" % (statistics.median(ours) / statistics.median(baseline)))
    if oca:
        print("  ratio OCA import / its floor (p50):        %.2fx"
              % (statistics.median(oca) / statistics.median(oca_baseline)))


def run_oca(args):
    """The same orders through OCA sale_order_import_ubl, in its own database and server."""
    database = args.db + "_oca"
    conf = os.path.join(os.path.dirname(odoo_server.ODOO_CONF), "odoo-oca.conf")
    if not os.path.exists(conf):
        print("  (OCA comparison skipped: %s missing; scripts/bench.sh prepares it)" % conf)
        return [], []
    server = odoo_server.OdooServer(database, conf=conf).start()
    tag = uuid.uuid4().hex[:6]
    try:
        rpc = Rpc(server.url, database)
        setup = oca_set_up(rpc, tag)
        for n in range(3):
            floor(rpc, setup, "WARM-F-%s-%d" % (tag, n))
            oca_import(rpc, setup, "WARM-O-%s-%d" % (tag, n))
        baseline, imported = [], []
        for round_no in range(args.rounds):
            baseline += [timed(floor, rpc, setup, "F-%s-%d-%d" % (tag, round_no, n)) for n in range(args.orders)]
            imported += [timed(oca_import, rpc, setup, "O-%s-%d-%d" % (tag, round_no, n))
                         for n in range(args.orders)]
        confirmed = rpc("sale.order", "search_count", [("partner_id", "=", setup["buyer"]), ("state", "=", "sale"),
                                                       ("client_order_ref", "=like", "O-%s-%%" % tag)])
        assert confirmed == len(imported), "expected %d OCA orders, found %d" % (len(imported), confirmed)
    finally:
        server.stop()
    return baseline, imported


if __name__ == "__main__":
    main()
