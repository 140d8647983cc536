"""Campaign ROI report and a program step on the ecrm_core 10x dataset.

In one run, on a fresh copy of the template database (``--db``, with ecrm_marketing installed):
- the ROI report of 200 campaigns three ways: ``utm.campaign.ecrm_roi_report``,
  a hand-written single SQL aggregate (the floor) and a naive per-campaign ORM
  loop (search, then sum the records);
- one program step (tracked e-mail) over a frozen 10,000-member segment: the
  mails, statistics, step log and timeline entries are created; nothing is sent
  (SMTP excluded).
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

# The floor: every figure the report needs, straight from the tables, in one statement.
FLOOR_SQL = """
    SELECT c.id,
           (SELECT count(*) FROM crm_lead l WHERE l.campaign_id = c.id),
           o.quotations, o.orders, o.revenue,
           (SELECT sum(amount) FROM ecrm_campaign_cost k WHERE k.campaign_id = c.id)
      FROM utm_campaign c
      LEFT JOIN (SELECT campaign_id, count(*) AS quotations,
                        count(*) FILTER (WHERE state IN ('sale', 'done')) AS orders,
                        sum(amount_untaxed) FILTER (WHERE state IN ('sale', 'done')) AS revenue
                   FROM sale_order WHERE campaign_id = ANY(%(ids)s) GROUP BY campaign_id) o ON o.campaign_id = c.id
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


def program_step(env, cr):
    cr.execute("SELECT id FROM res_partner WHERE email IS NOT NULL AND name IS NOT NULL "
               "ORDER BY id DESC LIMIT %s", (SEGMENT_SIZE,))  # the generated customers come last
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute("""INSERT INTO ecrm_consent (partner_id, channel, state, date, source)
                  SELECT p, 'email', 'opted_in', now() at time zone 'UTC', 'import' FROM unnest(%s::int[]) p
                  ON CONFLICT (partner_id, channel) DO UPDATE SET state = 'opted_in'""",
               (partner_ids,))
    cr.execute("UPDATE res_partner SET ecrm_consent_email = 'opted_in' WHERE id = ANY(%s)", (partner_ids,))
    env["res.partner"].invalidate_cache()
    segment = env["ecrm.segment"].create({"name": "Bench segment", "domain": repr([("id", "in", partner_ids)])})
    segment.action_snapshot()
    template = env["mail.template"].create({
        "name": "Bench offer", "model_id": env.ref("base.model_res_partner").id,
        "subject": "An offer for ${object.name}",
        "body_html": "<p>Dear ${object.name}, <a href='https://shop.example.co.uk/offer'>see the offer</a></p>"})
    campaign = env["utm.campaign"].create({"name": "Bench program campaign"})
    program = env["ecrm.campaign.program"].create({
        "name": "Bench program", "campaign_id": campaign.id, "segment_id": segment.id, "mode": "single",
        "step_ids": [(0, 0, {"name": "Offer", "trigger": "start", "action": "email",
                             "mail_template_id": template.id})]})
    enroll_time, _none = timed(program.action_start)
    step_time, done = timed(program.run)
    rerun_time, again = timed(program.run)
    mails = env["mail.mail"].search_count([("mailing_id", "=", program.step_ids.mailing_id.id)])
    return len(partner_ids), enroll_time, step_time, sum(done.values()), rerun_time, sum(again.values()), mails


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=os.environ.get("ECRM_BENCH_DB", "ecrm_t_mkt"),
                        help="template database with ecrm_marketing installed; it is copied, never changed")
    parser.add_argument("--scale", default="10x")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", os.path.join(REPO, "var", "odoo.conf"), "--log-level=warn"])
    database = "%s_bench_%s" % (args.db, args.scale)
    fresh_copy(args.db, database, odoo.tools.config)

    conn = psycopg2.connect(**dsn(database, odoo.tools.config))
    load_time, data = timed(lambda: datagen.load(conn, args.scale))
    campaign_ids = attribute(conn)
    conn.cursor().execute("ANALYZE")
    conn.commit()
    conn.close()

    registry = odoo.registry(database)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        floor = min(timed(lambda: (cr.execute(FLOOR_SQL, {"ids": campaign_ids}), cr.fetchall()))[0]
                    for _attempt in range(2))
        ours, report = timed(lambda: env["utm.campaign"].ecrm_roi_report(campaign_ids))
        ours_again, _report = timed(lambda: env["utm.campaign"].ecrm_roi_report(campaign_ids))
        sample = campaign_ids[:LOOP_SAMPLE]
        loop_sample, naive = timed(lambda: naive_loop(env, sample))
        loop = loop_sample * len(campaign_ids) / len(sample)
        mismatches = [cid for cid in sample
                      if abs(naive[cid]["revenue_confirmed"] - report[cid]["revenue_confirmed"]) > 0.01
                      or naive[cid]["order_count"] != report[cid]["order_count"]
                      or naive[cid]["won_customer_count"] > report[cid]["won_customer_count"]]
        attributed_orders = sum(row["order_count"] for row in report.values())
        print_roi(args, data, attributed_orders, campaign_ids, load_time, floor, min(ours, ours_again), loop,
                  loop_sample, mismatches)
        members, enroll_time, step_time, done, rerun_time, again, mails = program_step(env, cr)
        cr.rollback()
    odoo.sql_db.close_db(database)
    print("  program: enrol %d frozen members                %7.3f s" % (members, enroll_time))
    print("  program step (tracked e-mail) for %d members     %7.3f s  (goal < 60 s; %d mails queued, no SMTP)"
          % (done, step_time, mails))
    print("  same step run again                             %7.3f s  (%d more sent)" % (rerun_time, again))


def print_roi(args, data, attributed_orders, campaign_ids, load_time, floor, best, loop, loop_sample, mismatches):
    print("\n== scale %s: %d customers, %d orders (%d attributed to %d campaigns); load %.1f s"
          % (args.scale, data["customers"], data["orders"], attributed_orders, len(campaign_ids), load_time))
    print("  ROI report, ecrm_roi_report (best of 2)       %8.3f s" % best)
    print("  floor: one hand-written SQL aggregate (best of 2) %5.3f s   ours / floor %6.2fx  (goal <= 2x)"
          % (floor, best / floor))
    print("  naive per-campaign ORM loop, %d campaigns       %8.3f s" % (LOOP_SAMPLE, loop_sample))
    print("  naive loop scaled to %d campaigns              %8.3f s   loop / ours  %6.1fx  (goal >= 10x)"
          % (len(campaign_ids), loop, loop / best))
    print("  figures agree with the loop: %s" % ("yes" if not mismatches else "NO, campaigns %s" % mismatches[:5]))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
