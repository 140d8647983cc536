"""Personalisation overhead on page renders: home and /shop for a logged-in portal user.

Setups (one server at a time, warm caches):
  baseline   a database without ecrm_portal (--baseline-db: ecrm_core installed, same demo)
  no rules   the ecrm_portal database with every rule archived
  100 rules  the same database with 100 active rules of mixed kinds
  + tracking 100 rules and a consenting visitor: one page-view insert per request

Prints p50/p95 per page and setup and the ratio of p50 against the baseline, then the
tracking insert cost per page view (p50 with consent minus p50 without). Asserts nothing.

Prepare the databases (names must start with ecrm_t_portal):
  createdb from ecrm_t_base, then  odoo -i ecrm_core          -> ecrm_t_portal_bench_base
  createdb from ecrm_t_portal (ecrm_core + ecrm_portal, demo) -> ecrm_t_portal_bench
"""
import argparse
import os
import re
import statistics
import sys
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import Rpc  # noqa: E402
from tests.odoo_server import OdooServer  # noqa: E402

PAGES = ("/", "/shop")
PORTAL_LOGIN = ("bench.portal", "bench.portal")


def ensure_portal_user(rpc):
    """A portal login on an NHS buyer, identical in both databases."""
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
        token = re.search(r'name="csrf_token" value="([^"]+)"', session.get(url + "/").text)
        if token:  # only ecrm_portal has the consent endpoint
            session.post(url + "/ecrm/consent", data={"csrf_token": token.group(1),
                                                      "choice": "yes" if consent else "no"})
    return session


def timings(session, url, count, warmup=10):
    results = {}
    for page in PAGES:
        for _ in range(warmup):
            session.get(url + page).raise_for_status()
        samples = []
        for _ in range(count):
            start = time.perf_counter()
            response = session.get(url + page)
            samples.append(time.perf_counter() - start)
            response.raise_for_status()
        samples.sort()
        results[page] = (statistics.median(samples), samples[int(len(samples) * 0.95) - 1])
    return results


def hundred_rules(rpc):
    categories = rpc("product.public.category", "search", [], limit=6)
    products = rpc("product.template", "search", [("website_published", "=", True)], limit=8)
    sectors = ["nhs", "local_authority", "care_home", "commercial", "charity"]
    rules = []
    for index in range(100):
        kind = index % 4
        values = {"name": "Bench rule %03d" % index, "priority": index, "placement": ("home_banner", "shop_top")[index % 2],
                  "content": "<p>Bench content %d</p>" % index, "split_percent": 50 if index % 10 == 0 else 100}
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


def run_setup(database, prepare, measure):
    server = OdooServer(database).start()
    try:
        rpc = Rpc(server.url, database)
        ensure_portal_user(rpc)
        prepare(rpc)
        return measure(server.url)
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    bench_db = os.environ.get("ECRM_BENCH_DB", "ecrm_bench")
    parser.add_argument("--db", default=bench_db + "_portal", help="demo data with ecrm_portal")
    parser.add_argument("--baseline-db", default=bench_db + "_portal_base", help="the same without ecrm_portal")
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    results = {}

    results["baseline (no ecrm_portal)"] = run_setup(
        args.baseline_db, lambda rpc: None, lambda url: timings(portal_session(url, None), url, args.count))

    def measure_portal(url):
        rpc = Rpc(url, args.db)
        rule_model = "ecrm.personalisation.rule"
        rpc(rule_model, "write", rpc(rule_model, "search", []), {"active": False})
        out = {"no rules": timings(portal_session(url, False), url, args.count)}
        created = hundred_rules(rpc)
        out["100 rules"] = timings(portal_session(url, False), url, args.count)
        views_before = rpc("ecrm.page.view", "search_count", [])
        out["100 rules + tracking"] = timings(portal_session(url, True), url, args.count)
        out["_views"] = rpc("ecrm.page.view", "search_count", []) - views_before
        rpc(rule_model, "unlink", created)
        return out

    results.update(run_setup(args.db, lambda rpc: None, measure_portal))
    views = results.pop("_views")

    base = results["baseline (no ecrm_portal)"]
    print("\nPage render for a logged-in portal user, %d requests per page, warm cache" % args.count)
    print("  %-28s %-6s %9s %9s %8s" % ("setup", "page", "p50 ms", "p95 ms", "p50 ratio"))
    for setup, figures in results.items():
        for page in PAGES:
            p50, p95 = figures[page]
            print("  %-28s %-6s %9.1f %9.1f %8.2f" % (setup, page, p50 * 1000, p95 * 1000, p50 / base[page][0]))
    for page in PAGES:
        cost = results["100 rules + tracking"][page][0] - results["100 rules"][page][0]
        print("  tracking cost per page view on %-6s %+.1f ms (p50 difference)" % (page, cost * 1000))
    print("  page views stored during the tracking run: %d (expected %d)" % (views, (args.count + 10) * len(PAGES)))


if __name__ == "__main__":
    main()
