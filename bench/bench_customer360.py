"""Customer 360 recompute and duplicate scan at EnergistUK scale and 10x.

In one run, per scale, on a fresh copy of the benchmark database:
- 360 recompute (``res.partner.ecrm_recompute_360``) against the SQL floor:
  the single grouped aggregate over confirmed orders it cannot avoid;
- duplicate recall and precision on the seeded families, for our scanner and
  for Odoo's built-in merge wizard grouping (exact name and/or e-mail);
- the scan time.
Prints a table; asserts nothing.
"""
import argparse
import itertools
import os
import sys

import psycopg2

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
from bench import datagen  # noqa: E402
from bench.common import dsn, fresh_copy, timed_result as timed  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

AGGREGATE_SQL = """
    SELECT partner.commercial_partner_id AS pid, count(*) AS n, sum(s.amount_untaxed) AS revenue,
           min(s.date_order)::date AS first, max(s.date_order)::date AS last
      FROM sale_order s JOIN res_partner partner ON partner.id = s.partner_id
     WHERE s.state IN ('sale', 'done') GROUP BY partner.commercial_partner_id"""
# The bare SQL way to compute *and store* four of the figures: one statement, no scoring.
WRITE_FLOOR_SQL = """
    UPDATE res_partner p SET ecrm_order_count = a.n, ecrm_revenue = a.revenue,
           ecrm_first_order_date = a.first, ecrm_last_order_date = a.last
      FROM (%s) a WHERE p.id = a.pid""" % AGGREGATE_SQL


def pairs(groups):
    return {frozenset(pair) for group in groups for pair in itertools.combinations(sorted(group), 2)}


def quality(found_groups, families):
    truth, found = pairs(families), pairs(found_groups)
    hit = truth & found
    whole = sum(1 for family in families if any(set(family) <= set(group) for group in found_groups))
    return {
        "recall": len(hit) / len(truth) if truth else 0.0,
        "precision": len(hit) / len(found) if found else 0.0,
        "families_whole": whole,
    }


def run_scale(template, scale):
    database = "%s_%s" % (template, scale)
    fresh_copy(template, database, odoo.tools.config)

    conn = psycopg2.connect(**dsn(database, odoo.tools.config))
    load_time, data = timed(lambda: datagen.load(conn, scale))
    conn.close()

    registry = odoo.registry(database)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        aggregate, _rows = timed(lambda: (cr.execute(AGGREGATE_SQL), cr.fetchall()))
        cr.execute("SAVEPOINT floor")
        write_floor, _none = timed(lambda: cr.execute(WRITE_FLOOR_SQL))
        cr.execute("ROLLBACK TO SAVEPOINT floor")
        recompute, written = timed(env["res.partner"].ecrm_recompute_360)
        again, _written = timed(env["res.partner"].ecrm_recompute_360)  # nightly: mostly unchanged

        scan, count = timed(lambda: env["ecrm.duplicate.group"].scan([]))
        cr.execute("""SELECT array_agg(res_partner_id) FROM ecrm_duplicate_group_res_partner_rel
                      GROUP BY ecrm_duplicate_group_id""")
        ours = quality([row[0] for row in cr.fetchall()], data["families"])

        wizard = env["base.partner.merge.automatic.wizard"]
        host = {}
        for label, fields in (("name", ["name"]), ("email", ["email"]), ("name+email", ["name", "email"])):
            host_time, _none = timed(lambda: cr.execute(wizard._generate_query(fields, maximum_group=10 ** 7)))
            host[label] = (host_time, quality([row[1] for row in cr.fetchall()], data["families"]))
        cr.rollback()
    odoo.sql_db.close_db(database)

    print("\n== scale %s: %d customers, %d orders, %d interactions, %d seeded duplicate families (load %.1f s)"
          % (scale, data["customers"], data["orders"], data["interactions"], len(data["families"]), load_time))
    print("  360 recompute, first run (%d customers with orders)  %7.3f s" % (written, recompute))
    print("  360 recompute, second run (nothing changed)          %7.3f s" % again)
    print("  floor A: one grouped aggregate, read only            %7.3f s   ratio %5.1fx" % (
        aggregate, recompute / aggregate))
    print("  floor B: one UPDATE ... FROM (aggregate), 4 figures  %7.3f s   ratio %5.1fx" % (
        write_floor, recompute / write_floor))
    print("  duplicate scan: %d groups in %.2f s" % (count, scan))
    print("  %-28s recall %5.1f%%  precision %5.1f%%  whole families %d/%d" % (
        "ecrm scanner", 100 * ours["recall"], 100 * ours["precision"], ours["families_whole"],
        len(data["families"])))
    for label, (host_time, result) in host.items():
        print("  %-28s recall %5.1f%%  precision %5.1f%%  whole families %d/%d  (%.2f s)" % (
            "Odoo merge wizard by " + label, 100 * result["recall"], 100 * result["precision"],
            result["families_whole"], len(data["families"]), host_time))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=os.environ.get("ECRM_BENCH_DB", "ecrm_bench"),
                        help="template database with the eCRM modules installed (no demo data)")
    parser.add_argument("--scales", default="euk,10x")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", os.path.join(REPO, "var", "odoo.conf"), "--log-level=warn"])
    for scale in args.scales.split(","):
        run_scale(args.db, scale)


if __name__ == "__main__":
    main()
