"""Personalisation overhead on page renders: home and /shop for a logged-in portal user.

Setups, each on its own server, measured interleaved (round-robin, a few requests per
setup at a time) so that load from other processes falls on every setup alike:
  baseline        a database without ecrm_portal (--baseline-db: ecrm_core, same demo)
  no rules        the ecrm_portal database (--db) with every rule archived
  100 rules       a copy of it (--db + "_rules") with 100 active rules of mixed kinds
  100 rules + tr. the same server, a visitor who accepted cookies: one page-view insert each

Prints p50/p95 per page and setup and the ratio of p50 against the baseline, then the
tracking insert cost per page view (p50 with consent minus p50 without, and the insert
statement timed alone in the database). Asserts nothing.

scripts/bench.sh portal builds --db and --baseline-db (prepare_portal) from ECRM_BENCH_DB.
"""
import argparse
import os
import re
import shutil
import statistics
import sys
import time

import psycopg2
import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import Rpc, dsn, fresh_copy  # noqa: E402
from tests.odoo_server import OdooServer  # noqa: E402

PAGES = ("/", "/shop")
PORTAL_LOGIN = ("bench.portal", "bench.portal")
ROUND = 5  # requests per setup before moving to the next one


def read_conf():
    from odoo.tools import config
    config.parse_config(["-c", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                            "var", "odoo.conf")])
    return config


def ensure_portal_user(rpc):
    """A portal login on an NHS buyer, identical in every database."""
    login, password = PORTAL_LOGIN
    if not rpc("res.users", "search", [("login", "=", login)]):
        # an NHS-sector buyer, so NHS rules apply; the demo one when there is demo data
        partner = rpc.ref("ecrm_core.partner_nhs_sheffield_tom") or rpc("res.partner", "create", {
            "name": "Bench NHS buyer", "email": "bench.portal@example.nhs.uk",
            "ecrm_sector_id": rpc.ref("ecrm_core.sector_nhs")})
        rpc("res.users", "create", {"login": login, "password": password, "partner_id": partner,
                                    "groups_id": [(6, 0, [rpc.ref("base.group_portal")])]},
            context={"no_reset_password": True})


def portal_session(url, consent):
    session = requests.Session()
    page = session.get(url + "/web/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    session.post(url + "/web/login", data={"login": PORTAL_LOGIN[0], "password": PORTAL_LOGIN[1],
                                           "csrf_token": token})
    if consent is not None:
        token = re.search(r'name="csrf_token" value="([^"]+)"', session.get(url + "/").text).group(1)
        session.post(url + "/ecrm/consent", data={"csrf_token": token, "choice": "yes" if consent else "no"})
        assert session.cookies.get("ecrm_consent") == ("yes" if consent else "no")
    return session


def hundred_rules(rpc):
    """Mixed kinds; ten keep a control group. The NHS buyer wins the home banner with rule 80."""
    categories = rpc("product.public.category", "search", [], limit=6)
    products = rpc("product.template", "search", [("website_published", "=", True)], limit=8)
    sectors = ["nhs", "local_authority", "care_home", "commercial", "charity"]
    rules = []
    for index in range(100):
        kind = index % 4
        values = {"name": "Bench rule %03d" % index, "priority": index,
                  "placement": ("home_banner", "shop_top")[index % 2],
                  "content": "<p>Bench content %d</p>" % index, "split_percent": 50 if index % 10 == 5 else 100}
        if kind == 0:
            values["partner_domain"] = "[('ecrm_sector_id.code', '=', '%s')]" % sectors[index % len(sectors)]
        elif kind == 1:
            values["interest_category_ids"] = [(6, 0, [categories[index % len(categories)]])]
        elif kind == 2:
            values.update(viewed_category_ids=[(6, 0, [categories[index % len(categories)]])], viewed_days=30,
                          promote="top_sellers")
        else:
            values.update(utm_source="bench_%d" % index, audience="logged_in", promote="fixed",
                          product_ids=[(6, 0, products[:3])])
        rules.append(rpc("ecrm.personalisation.rule", "create", values))
    return rules


def interleaved(sessions, count, warmup=10):
    """{setup: {page: sorted seconds}}, the setups taking turns ROUND requests at a time."""
    samples = {name: {page: [] for page in PAGES} for name in sessions}
    for page in PAGES:
        for name, (session, url) in sessions.items():
            for _ in range(warmup):
                session.get(url + page).raise_for_status()
        names = list(sessions)
        for round_no in range(0, count, ROUND):
            names = names[1:] + names[:1]  # no setup always goes first
            for name in names:
                session, url = sessions[name]
                for _ in range(min(ROUND, count - round_no)):
                    start = time.perf_counter()
                    response = session.get(url + page)
                    samples[name][page].append(time.perf_counter() - start)
                    response.raise_for_status()
    for figures in samples.values():
        for values in figures.values():
            values.sort()
    return samples


def insert_cost(database, conf, count=500):
    """The page-view insert alone, in a transaction rolled back: seconds per statement (p50)."""
    from odoo.addons.ecrm_portal.models.ecrm_page_view import INSERT_VIEW
    connection = psycopg2.connect(**dsn(database, conf))
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT id FROM ecrm_visitor ORDER BY id DESC LIMIT 1")
            visitor_id = cur.fetchone()[0]
            row = dict.fromkeys(("partner_id", "website_id", "company_id", "product_tmpl_id", "public_categ_id",
                                 "referrer", "utm_source", "utm_medium", "utm_campaign", "clicked_rule_id"))
            row.update(uid=1, now="2026-01-01 00:00:00", new_visit=0, visitor_id=visitor_id, path="/shop",
                       session_key="bench", rule_ids=",1,", control_rule_ids=None)
            durations = []
            for _ in range(count):
                start = time.perf_counter()
                cur.execute(INSERT_VIEW, row)
                durations.append(time.perf_counter() - start)
        return statistics.median(durations)
    finally:
        connection.rollback()
        connection.close()


def copy_missing_files(source, target):
    for folder, _dirs, files in os.walk(source):
        destination = os.path.join(target, os.path.relpath(folder, source))
        os.makedirs(destination, exist_ok=True)
        for name in files:
            if not os.path.exists(os.path.join(destination, name)):
                shutil.copy2(os.path.join(folder, name), destination)


def p95(values):
    return values[int(len(values) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bench_db = os.environ.get("ECRM_BENCH_DB", "ecrm_bench")
    parser.add_argument("--db", default=bench_db + "_portal", help="demo data with ecrm_portal")
    parser.add_argument("--baseline-db", default=bench_db + "_portal_base", help="the same without ecrm_portal")
    parser.add_argument("--count", type=int, default=200, help="timed requests per page and setup")
    args = parser.parse_args()
    conf = read_conf()
    rules_db = args.db + "_rules"
    # --db was copied from --baseline-db in PostgreSQL only: give both portal databases the
    # attachments (product images) too, or /shop would pay for missing files in them alone
    copy_missing_files(conf.filestore(args.baseline_db), conf.filestore(args.db))
    fresh_copy(args.db, rules_db, conf)
    shutil.rmtree(conf.filestore(rules_db), ignore_errors=True)
    shutil.copytree(conf.filestore(args.db), conf.filestore(rules_db))

    servers = {"baseline": OdooServer(args.baseline_db), "portal": OdooServer(args.db),
               "rules": OdooServer(rules_db)}
    try:
        for server in servers.values():
            server.start()
            ensure_portal_user(Rpc(server.url, server.database))
        rule_model = "ecrm.personalisation.rule"
        for name in ("portal", "rules"):
            rpc = Rpc(servers[name].url, servers[name].database)
            rpc(rule_model, "write", rpc(rule_model, "search", []), {"active": False})
        hundred_rules(Rpc(servers["rules"].url, rules_db))
        rules_rpc = Rpc(servers["rules"].url, rules_db)
        views_before = rules_rpc("ecrm.page.view", "search_count", [])
        url = {name: server.url for name, server in servers.items()}
        sessions = {
            "baseline (no ecrm_portal)": (portal_session(url["baseline"], None), url["baseline"]),
            "no rules": (portal_session(url["portal"], False), url["portal"]),
            "100 rules": (portal_session(url["rules"], False), url["rules"]),
            "100 rules + tracking": (portal_session(url["rules"], True), url["rules"]),
        }
        results = interleaved(sessions, args.count)
        views = rules_rpc("ecrm.page.view", "search_count", []) - views_before
    finally:
        for server in servers.values():
            server.stop()
    insert = insert_cost(rules_db, conf)

    base = results["baseline (no ecrm_portal)"]
    print("\nPage render for a logged-in portal user, %d requests per page and setup, warm cache, "
          "setups interleaved %d requests at a time" % (args.count, ROUND))
    print("  %-28s %-6s %9s %9s %9s" % ("setup", "page", "p50 ms", "p95 ms", "p50 ratio"))
    for setup, figures in results.items():
        for page in PAGES:
            values = figures[page]
            print("  %-28s %-6s %9.1f %9.1f %9.2f" % (setup, page, statistics.median(values) * 1000,
                                                      p95(values) * 1000,
                                                      statistics.median(values) / statistics.median(base[page])))
    for page in PAGES:
        cost = statistics.median(results["100 rules + tracking"][page]) - statistics.median(results["100 rules"][page])
        print("  tracking cost per page view on %-6s %+.1f ms (p50 difference)" % (page, cost * 1000))
    print("  the page-view insert statement alone: %.2f ms (p50 of 500, in the database)" % (insert * 1000))
    print("  page views stored during the run: %d (expected %d)" % (views, (args.count + 10) * len(PAGES) + 1))


if __name__ == "__main__":
    main()
