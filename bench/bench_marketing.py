"""Campaign ROI report and program steps on the ecrm_core 10x dataset.

In one run, on a fresh copy of the template database (``--db``, with ecrm_marketing installed):
- the ROI report of 200 campaigns three ways: ``utm.campaign.ecrm_roi_report``,
  a hand-written single SQL aggregate (the floor) and a naive per-campaign ORM
  loop (search, then sum the records);
- a program step over a frozen 10,000-member segment, twice: a tracked e-mail
  (mails, statistics, step log and timeline entries are created; nothing is
  sent, SMTP excluded) and a salesperson activity; each step is then run again
  to show nothing is done twice.
``--reuse`` keeps the loaded database between runs; ``--only`` runs one half.
Prints a table; asserts nothing. Orders, leads and costs are attributed to the
campaigns with SQL: attribution history is data, not behaviour under test.
"""
import argparse
import os
import sys

import psycopg2

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
from bench import datagen  # noqa: E402
from bench.common import dsn, fresh_copy, timed_result as timed  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

CAMPAIGNS = 200
LOOP_SAMPLE = 40  # the naive loop runs ~4 s a campaign at 10x: timed on a sample, scaled to 200
SEGMENT_SIZE = 10000

# The floor: the report's figures written by hand as one statement: each source table
# aggregated once by campaign, then joined. No company filter, no currency conversion
# and no Python around it, so it is the least work the report can be.
FLOOR_SQL = """
    WITH leads AS (
        SELECT campaign_id, count(*) AS leads, count(*) FILTER (WHERE type = 'opportunity') AS opportunities,
               count(*) FILTER (WHERE type = 'opportunity' AND probability >= 100 AND active) AS won
          FROM crm_lead WHERE campaign_id = ANY(%(ids)s) GROUP BY campaign_id
    ), orders AS (
        SELECT campaign_id, count(*) FILTER (WHERE state != 'cancel') AS quotations,
               count(*) FILTER (WHERE state IN ('sale', 'done')) AS orders,
               sum(amount_untaxed) FILTER (WHERE state IN ('sale', 'done')) AS revenue
          FROM sale_order WHERE campaign_id = ANY(%(ids)s) GROUP BY campaign_id
    ), invoices AS (
        SELECT campaign_id, count(*) AS invoices, sum(amount_untaxed_signed) AS invoiced,
               sum(amount_untaxed_signed * (amount_total_company_signed - residual_company_signed)
                   / nullif(amount_total_company_signed, 0)) AS paid
          FROM account_invoice
         WHERE campaign_id = ANY(%(ids)s) AND type IN ('out_invoice', 'out_refund') AND state IN ('open', 'paid')
         GROUP BY campaign_id
    ), won AS (
        SELECT won.campaign_id, count(DISTINCT partner.commercial_partner_id) AS customers
          FROM (SELECT campaign_id, partner_id FROM crm_lead
                 WHERE campaign_id = ANY(%(ids)s) AND type = 'opportunity' AND probability >= 100 AND active
                UNION ALL
                SELECT campaign_id, partner_id FROM sale_order
                 WHERE campaign_id = ANY(%(ids)s) AND state IN ('sale', 'done')) AS won
          JOIN res_partner partner ON partner.id = won.partner_id
         GROUP BY won.campaign_id
    ), costs AS (
        SELECT campaign_id, sum(amount) AS cost FROM ecrm_campaign_cost
         WHERE campaign_id = ANY(%(ids)s) GROUP BY campaign_id
    )
    SELECT c.id, leads.leads, leads.opportunities, leads.won, orders.quotations, orders.orders, orders.revenue,
           invoices.invoices, invoices.invoiced, invoices.paid, won.customers, costs.cost
      FROM utm_campaign c
      LEFT JOIN leads ON leads.campaign_id = c.id
      LEFT JOIN orders ON orders.campaign_id = c.id
      LEFT JOIN invoices ON invoices.campaign_id = c.id
      LEFT JOIN won ON won.campaign_id = c.id
      LEFT JOIN costs ON costs.campaign_id = c.id
     WHERE c.id = ANY(%(ids)s)"""


def attribute(conn):
    """200 campaigns; 90 % of orders and one lead per 4 orders attributed to them; two cost lines each."""
    cur = conn.cursor()
    cur.execute("""INSERT INTO utm_campaign (name, ecrm_revenue_basis, ecrm_budget)
                   SELECT 'Bench campaign ' || n, 'confirmed', 5000 FROM generate_series(1, %s) n
                   RETURNING id""", (CAMPAIGNS,))
    campaign_ids = [row[0] for row in cur.fetchall()]
    cur.execute("SELECT id FROM utm_medium ORDER BY id")
    medium_ids = [row[0] for row in cur.fetchall()]
    cur.execute("SELECT id FROM res_company ORDER BY id LIMIT 1")
    company = cur.fetchone()[0]
    cur.execute("""UPDATE sale_order SET campaign_id = (%(ids)s::int[])[1 + id %% %(n)s],
                          medium_id = (%(media)s::int[])[1 + id %% %(m)s]
                    WHERE name LIKE 'BENCH/%%' AND id %% 10 != 0""",
                {"ids": campaign_ids, "n": CAMPAIGNS, "media": medium_ids, "m": len(medium_ids)})
    cur.execute("""INSERT INTO crm_lead (name, type, active, probability, partner_id, campaign_id, company_id)
                   SELECT 'Bench lead', CASE WHEN id % 3 = 0 THEN 'lead' ELSE 'opportunity' END, true,
                          CASE WHEN id % 5 = 0 THEN 100 ELSE 10 END, partner_id, campaign_id, company_id
                     FROM sale_order WHERE campaign_id IS NOT NULL AND id % 4 = 0""")
    cur.execute("""INSERT INTO ecrm_campaign_cost (campaign_id, date, description, amount, company_id, medium_id)
                   SELECT c, current_date, 'Bench cost', 1000 + c %% 700, %s, %s
                     FROM unnest(%s::int[]) c, generate_series(1, 2)""", (company, medium_ids[0], campaign_ids))
    conn.commit()
    return campaign_ids


def naive_loop(env, campaign_ids):
    """What a per-campaign implementation does: searches and sums for each campaign in turn."""
    report = {}
    for campaign in env["utm.campaign"].browse(campaign_ids):
        leads = env["crm.lead"].with_context(active_test=False).search([("campaign_id", "=", campaign.id)])
        orders = env["sale.order"].search([("campaign_id", "=", campaign.id), ("state", "!=", "cancel")])
        confirmed = orders.filtered(lambda order: order.state in ("sale", "done"))
        costs = env["ecrm.campaign.cost"].search([("campaign_id", "=", campaign.id)])
        cost = sum(costs.mapped("amount"))
        revenue = sum(confirmed.mapped("amount_untaxed"))
        report[campaign.id] = {
            "lead_count": len(leads), "opportunity_count": len(leads.filtered(lambda l: l.type == "opportunity")),
            "quotation_count": len(orders), "order_count": len(confirmed), "revenue_confirmed": revenue,
            "cost": cost, "roi_percent": (revenue - cost) / cost * 100 if cost else None,
            "won_customer_count": len(confirmed.mapped("partner_id.commercial_partner_id")),
        }
        env["res.partner"].invalidate_cache()  # a fresh request per campaign, as a per-campaign UI or RPC loop would be
    return report


def program_steps(env, cr):
    """An e-mail step, then an activity step, each over the same frozen 10,000-member segment."""
    cr.execute("SELECT id FROM res_partner WHERE email IS NOT NULL AND name IS NOT NULL "
               "ORDER BY id DESC LIMIT %s", (SEGMENT_SIZE,))  # the generated customers come last
    partner_ids = [row[0] for row in cr.fetchall()]
    for channel in ("email", "phone"):
        cr.execute("""INSERT INTO ecrm_consent (partner_id, channel, state, date, source)
                      SELECT p, %s, 'opted_in', now() at time zone 'UTC', 'import' FROM unnest(%s::int[]) p
                      ON CONFLICT (partner_id, channel) DO UPDATE SET state = 'opted_in'""", (channel, partner_ids))
    cr.execute("UPDATE res_partner SET ecrm_consent_email = 'opted_in', ecrm_consent_phone = 'opted_in' "
               "WHERE id = ANY(%s)", (partner_ids,))
    env["res.company"].search([]).write({"ecrm_contact_cap": 0})  # both steps reach everyone
    env["res.partner"].invalidate_cache()
    segment = env["ecrm.segment"].create({"name": "Bench segment", "domain": repr([("id", "in", partner_ids)])})
    segment.action_snapshot()
    template = env["mail.template"].create({
        "name": "Bench offer", "model_id": env.ref("base.model_res_partner").id,
        "subject": "An offer for ${object.name}",
        "body_html": "<p>Dear ${object.name}, <a href='https://shop.example.co.uk/offer'>see the offer</a></p>"})
    campaign = env["utm.campaign"].create({"name": "Bench program campaign"})
    results, programs = {"members": len(partner_ids)}, {}
    for action in ("email", "activity"):
        program = env["ecrm.campaign.program"].create({
            "name": "Bench program (%s)" % action, "campaign_id": campaign.id, "segment_id": segment.id,
            "mode": "single", "step_ids": [(0, 0, {"name": "Offer", "trigger": "start", "action": action,
                                                   "mail_template_id": template.id})]})
        results["enrol"], _none = timed(program.action_start)
        step_time, done = timed(program.run)
        rerun_time, again = timed(program.run)
        results[action] = (step_time, sum(done.values()), rerun_time, sum(again.values()))
        programs[action] = program
    cr.execute("SELECT count(DISTINCT m.id), count(s.id) FROM mail_mail m "
               "LEFT JOIN mail_mail_statistics s ON s.mail_mail_id = m.id WHERE m.mailing_id = %s",
               (programs["email"].step_ids.mailing_id.id,))
    results["mails"], results["statistics"] = cr.fetchone()
    results["activities"] = env["mail.activity"].search_count(
        [("summary", "=", "%s: Offer" % programs["activity"].name)])
    return results


def prepare(args, database):
    """Copy the template and load the dataset, unless --reuse finds it loaded; returns (data, campaign ids)."""
    conn = psycopg2.connect(**dsn("postgres", odoo.tools.config))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        exists = cur.fetchone()
    conn.close()
    if args.reuse and exists:
        conn = psycopg2.connect(**dsn(database, odoo.tools.config))
        cur = conn.cursor()
        cur.execute("SELECT id FROM utm_campaign WHERE name LIKE 'Bench campaign %%' ORDER BY id")
        campaign_ids = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT (SELECT count(*) FROM res_partner WHERE customer), "
                    "(SELECT count(*) FROM sale_order WHERE name LIKE 'BENCH/%%')")
        customers, orders = cur.fetchone()
        conn.close()
        if len(campaign_ids) == CAMPAIGNS:
            return {"customers": customers, "orders": orders}, 0.0, campaign_ids
    fresh_copy(args.db, database, odoo.tools.config)
    conn = psycopg2.connect(**dsn(database, odoo.tools.config))
    load_time, data = timed(lambda: datagen.load(conn, args.scale))
    campaign_ids = attribute(conn)
    conn.cursor().execute("ANALYZE")
    conn.commit()
    conn.close()
    return data, load_time, campaign_ids


def best_of(count, function):
    """(fastest seconds, result) of ``count`` calls."""
    runs = [timed(function) for _attempt in range(count)]
    return min(seconds for seconds, _result in runs), runs[-1][1]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=os.environ.get("ECRM_BENCH_DB", "ecrm_t_mkt"),
                        help="template database with ecrm_marketing installed; it is copied, never changed")
    parser.add_argument("--scale", default="10x")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse <db>_bench_<scale> when an earlier run loaded it (after -u ecrm_marketing)")
    parser.add_argument("--only", choices=("roi", "program"), help="run one half of the benchmark")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", os.path.join(REPO, "var", "odoo.conf"), "--log-level=warn"])
    database = "%s_bench_%s" % (args.db, args.scale)
    data, load_time, campaign_ids = prepare(args, database)

    registry = odoo.registry(database)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if args.only != "program":
            roi_report(args, env, cr, data, load_time, campaign_ids)
        if args.only != "roi":
            print_program(program_steps(env, cr))
        cr.rollback()
    odoo.sql_db.close_db(database)


def roi_report(args, env, cr, data, load_time, campaign_ids):
    floor, floor_rows = best_of(3, lambda: (cr.execute(FLOOR_SQL, {"ids": campaign_ids}), cr.fetchall())[1])
    ours, report = best_of(3, lambda: env["utm.campaign"].ecrm_roi_report(campaign_ids))
    sample = campaign_ids[:LOOP_SAMPLE]
    loop_sample, naive = timed(lambda: naive_loop(env, sample))
    loop = loop_sample * len(campaign_ids) / len(sample)
    mismatches = [cid for cid in sample
                  if abs(naive[cid]["revenue_confirmed"] - report[cid]["revenue_confirmed"]) > 0.01
                  or naive[cid]["order_count"] != report[cid]["order_count"]
                  or naive[cid]["won_customer_count"] > report[cid]["won_customer_count"]]
    floor_mismatches = [row[0] for row in floor_rows
                        if abs(float(row[6] or 0) - report[row[0]]["revenue_confirmed"]) > 0.01
                        or (row[1] or 0) != report[row[0]]["lead_count"]
                        or (row[10] or 0) != report[row[0]]["won_customer_count"]
                        or abs(float(row[11] or 0) - report[row[0]]["cost"]) > 0.01]
    attributed_orders = sum(row["order_count"] for row in report.values())
    print("\n== scale %s: %d customers, %d orders (%d attributed to %d campaigns); load %.1f s"
          % (args.scale, data["customers"], data["orders"], attributed_orders, len(campaign_ids), load_time))
    print("  ROI report, ecrm_roi_report (best of 3)        %8.3f s" % ours)
    print("  floor: one hand-written SQL aggregate (best of 3) %6.3f s   ours / floor %6.2fx  (goal <= 2x)"
          % (floor, ours / floor))
    print("  naive per-campaign ORM loop, %d campaigns       %8.3f s" % (LOOP_SAMPLE, loop_sample))
    print("  naive loop scaled to %d campaigns              %8.3f s   loop / ours  %6.1fx  (goal >= 10x)"
          % (len(campaign_ids), loop, loop / ours))
    print("  figures agree with the floor: %s; with the loop: %s" % (
        "yes" if not floor_mismatches else "NO, campaigns %s" % floor_mismatches[:5],
        "yes" if not mismatches else "NO, campaigns %s" % mismatches[:5]))
    sys.stdout.flush()


def print_program(results):
    print("  program: enrol %d frozen members                %7.3f s" % (results["members"], results["enrol"]))
    for action, made in (("email", "%d mails, %d statistics queued, no SMTP" % (results["mails"],
                                                                              results["statistics"])),
                         ("activity", "%d activities" % results["activities"])):
        step_time, done, rerun_time, again = results[action]
        print("  program step (%-8s) for %d members       %7.3f s  (goal < 60 s; %s)"
              % (action, done, step_time, made))
        print("  same step run again                             %7.3f s  (%d more)" % (rerun_time, again))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
