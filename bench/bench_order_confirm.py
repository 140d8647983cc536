"""Order confirmation with the eCRM suite against the same data without it (issue 17 section 5).

Two fresh copies, one of the suite's benchmark database and one of the host apps alone
(``<db>_host``: the same host modules, no eCRM add-on), get the same customers and orders
from datagen (``ECRM_BENCH_CONFIRM_SCALE``, default ``10x``: 80,000 customers, about
200,000 orders; ``euk`` for a quick run). The suite's copy first runs the nightly full
recompute, which caches the RFM cut points, as production has by morning. Then the same
quotations for the same customers are confirmed one by one in each (each committed) and
the median and 90th percentile times compared. Prints a table; asserts nothing.
"""
import argparse
import os
import random
import statistics
import sys

import psycopg2

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
from bench import datagen  # noqa: E402
from bench.common import dsn, fresh_copy, percentile, timed, timed_result  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402


def confirm_times(template, scale, count, ecrm):
    database = "%s_confirm" % template
    fresh_copy(template, database, odoo.tools.config)
    conn = psycopg2.connect(**dsn(database, odoo.tools.config))
    load_time, data = timed_result(lambda: datagen.load(conn, scale, ecrm=ecrm))
    conn.autocommit = True
    conn.cursor().execute("ANALYZE")  # the same fresh statistics on both sides
    conn.close()
    registry = odoo.registry(database)
    nightly = None
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if ecrm:
            nightly = timed(env["res.partner"]._ecrm_recompute_all)  # the nightly work, in one go
            cr.commit()
        product = env["product.product"].create({"name": "Riser recliner (bench)", "list_price": 450.0})
        cr.execute("SELECT id FROM res_partner WHERE name NOT LIKE '%%(bench)%%' AND customer "
                   "AND id IN (SELECT partner_id FROM sale_order) ORDER BY id")
        customers = random.Random(17).sample([row[0] for row in cr.fetchall()], count + 3)
        orders = [env["sale.order"].create({
            "partner_id": pid,
            "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1, "price_unit": 450.0})],
        }) for pid in customers]
        cr.commit()
        times = []
        for order in orders:
            times.append(timed(order.action_confirm))
            cr.commit()
        times = times[3:]  # the first confirmations warm the registry's caches
    odoo.sql_db.close_db(database)
    return {"times": times, "load": load_time, "data": data, "nightly": nightly}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=os.environ.get("ECRM_BENCH_DB", "ecrm_bench"),
                        help="template database with the eCRM modules installed (no demo data)")
    parser.add_argument("--base-db", help="template database with the host apps only (default: <db>_host)")
    parser.add_argument("--scale", default=os.environ.get("ECRM_BENCH_CONFIRM_SCALE", "10x"))
    parser.add_argument("--orders", type=int, default=int(os.environ.get("ECRM_BENCH_CONFIRM_ORDERS", "40")))
    args = parser.parse_args()
    conf = os.environ.get("ECRM_BENCH_CONF", os.path.join(REPO, "var", "odoo.conf"))
    odoo.tools.config.parse_config(["-c", conf, "--log-level=warn"])
    host = confirm_times(args.base_db or "%s_host" % args.db, args.scale, args.orders, ecrm=False)
    suite = confirm_times(args.db, args.scale, args.orders, ecrm=True)
    data = suite["data"]
    print("\n== order confirmation, scale %s: %d customers, %d orders already confirmed (load %.0f s / %.0f s)"
          % (args.scale, data["customers"], data["orders"], host["load"], suite["load"]))
    print("  nightly full recompute (ranks everyone, caches the cut points)  %7.2f s" % suite["nightly"])
    for label, run in (("host apps alone", host), ("with the eCRM suite", suite)):
        print("  %-22s %d confirmations  p50 %6.3f s  p90 %6.3f s  mean %6.3f s" % (
            label, len(run["times"]), percentile(run["times"], 0.5), percentile(run["times"], 0.9),
            statistics.mean(run["times"])))
    print("  ratio suite / host: p50 %.2fx  p90 %.2fx" % (
        percentile(suite["times"], 0.5) / percentile(host["times"], 0.5),
        percentile(suite["times"], 0.9) / percentile(host["times"], 0.9)))


if __name__ == "__main__":
    main()
