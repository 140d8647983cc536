"""What logging the host's own events costs the host (issue 13 section 1), and the backfill.

Three fresh copies get the same customers: the host apps alone (``<db>_host``), the suite
with its timeline switched off in Settings, and the suite as installed. In interleaved rounds
each posts a chatter message to a customer, confirms a quotation and validates an invoice,
each committed; the medians are compared (the goal: at most 1.10x each), the suite against
the host and the timeline alone (the suite against itself with the switches off). Then the backfill reads a copy loaded with the
datagen scale (``ECRM_BENCH_BACKFILL_SCALE``, default ``10x``: 80,000 customers, about
200,000 orders) page by page, each page committed, as its jobs do, and its time is printed.
Asserts nothing.
"""
import argparse
import os
import sys

import psycopg2

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
from bench import datagen  # noqa: E402
from bench.common import dsn, fresh_copy, percentile, timed, timed_result  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

OPERATIONS = ("message_post", "order confirm", "invoice validate")


class Side:
    """One database, its customers, and one timed operation of each kind per round."""

    def __init__(self, template, label, suffix="events", timeline=True):
        self.label, self.database = label, "%s_%s" % (template, suffix)
        fresh_copy(template, self.database, odoo.tools.config)
        self.registry = odoo.registry(self.database)
        self.times = {operation: [] for operation in OPERATIONS}
        with api.Environment.manage(), self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            if not timeline:  # the suite with its Settings' timeline switches off: the rest of its cost
                from odoo.addons.ecrm_core.timeline.host_events import FAMILIES  # once the add-ons load
                env.user.company_id.write({"ecrm_log_host_%s" % family: False for family in FAMILIES})
            self.customers = [env["res.partner"].create({"name": "Bench customer %d" % n, "customer": True,
                                                         "email": "bench%d@example.com" % n}).id
                              for n in range(60)]
            self.product = env["product.product"].create({"name": "Bath lift (bench)", "list_price": 300.0}).id
            self.account = env["account.account"].search([
                ("user_type_id", "=", env.ref("account.data_account_type_revenue").id)], limit=1).id

    def round(self, serial):
        customer = self.customers[serial % len(self.customers)]
        with api.Environment.manage(), self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].browse(customer)
            order = env["sale.order"].create({"partner_id": customer, "order_line": [
                (0, 0, {"product_id": self.product, "product_uom_qty": 1})]})
            invoice = env["account.invoice"].create({
                "partner_id": customer, "type": "out_invoice", "invoice_line_ids": [(0, 0, {
                    "name": "Service", "quantity": 1, "price_unit": 80.0, "account_id": self.account})]})
            cr.commit()
            for operation, call in (
                    ("message_post", lambda: partner.message_post(  # addressed to the customer: logged
                        body="<p>Your fitting is on Tuesday.</p>", message_type="comment",
                        subtype="mail.mt_comment", partner_ids=[customer])),
                    ("order confirm", order.action_confirm),
                    ("invoice validate", invoice.action_invoice_open)):
                self.times[operation].append(timed(call))
                cr.commit()

    def close(self):
        odoo.sql_db.close_db(self.database)


def backfill_time(template, scale):
    database = "%s_backfill" % template
    fresh_copy(template, database, odoo.tools.config)
    conn = psycopg2.connect(**dsn(database, odoo.tools.config))
    load_time, data = timed_result(lambda: datagen.load(conn, scale, ecrm=True))
    conn.autocommit = True
    conn.cursor().execute("DELETE FROM ecrm_interaction; ANALYZE")  # history from before the suite
    conn.close()
    registry = odoo.registry(database)
    from odoo.addons.ecrm_core.models.ecrm_timeline_backfill import PAGE_SIZE, SOURCES  # once the add-ons load
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Backfill = env["ecrm.timeline.backfill"]
        run = Backfill.create({"dry_run": False})
        cr.commit()

        def every_page():
            pages = read = 0
            entries = {}
            for model, domain in SOURCES:
                after = 0
                while True:
                    records = run._page(model, domain, after)
                    for code, number in run._log_page(records).items():
                        entries[code] = entries.get(code, 0) + number
                    cr.commit()
                    Backfill.invalidate_cache()  # memory stays flat, as between the jobs
                    pages, read = pages + 1, read + len(records)
                    if len(records) < PAGE_SIZE:
                        break
                    after = records[-1].id
            return pages, read, entries

        seconds, (pages, read, entries) = timed_result(every_page)
    odoo.sql_db.close_db(database)
    return {"seconds": seconds, "pages": pages, "read": read, "entries": entries, "data": data, "load": load_time}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=os.environ.get("ECRM_BENCH_DB", "ecrm_bench"),
                        help="template database with the eCRM modules installed (no demo data)")
    parser.add_argument("--base-db", help="template database with the host apps only (default: <db>_host)")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ECRM_BENCH_EVENTS_ROUNDS", "40")))
    parser.add_argument("--scale", default=os.environ.get("ECRM_BENCH_BACKFILL_SCALE", "10x"),
                        help="datagen scale of the backfill run (euk, 10x), or none to skip it")
    args = parser.parse_args()
    conf = os.environ.get("ECRM_BENCH_CONF", os.path.join(REPO, "var", "odoo.conf"))
    odoo.tools.config.parse_config(["-c", conf, "--log-level=warn"])

    host = Side(args.base_db or "%s_host" % args.db, "host apps alone")
    quiet = Side(args.db, "the suite, timeline switched off", suffix="events_off", timeline=False)
    suite = Side(args.db, "the suite")
    sides = [host, quiet, suite]
    for serial in range(args.rounds + 3):
        for side in sides[serial % 3:] + sides[:serial % 3]:  # each side goes first in turn
            side.round(serial)
    for side in sides:
        side.close()
    print("\n== the host's own operations: without the suite, with it but its timeline switched off, "
          "and with the timeline logging them (%d rounds, interleaved, the first 3 dropped)" % args.rounds)
    for operation in OPERATIONS:
        host_p50, quiet_p50, suite_p50 = (percentile(side.times[operation][3:], 0.5) for side in sides)
        print("  %-17s host %6.1f ms  suite, no timeline %6.1f ms  suite %6.1f ms   "
              "suite/host %.2fx  timeline alone %.2fx" % (
                  operation, 1000 * host_p50, 1000 * quiet_p50, 1000 * suite_p50,
                  suite_p50 / host_p50, suite_p50 / quiet_p50))

    if args.scale == "none":
        return
    run = backfill_time(args.db, args.scale)
    data = run["data"]
    print("\n== backfill at scale %s: %d customers, %d orders (load %.0f s)" % (
        args.scale, data["customers"], data["orders"], run["load"]))
    print("  %d records read in %d pages, %d entries logged, in %.1f s (%.0f records/s)" % (
        run["read"], run["pages"], sum(run["entries"].values()), run["seconds"], run["read"] / run["seconds"]))
    print("  entries per type: %s" % ", ".join("%s %d" % item for item in sorted(run["entries"].items())))


if __name__ == "__main__":
    main()
