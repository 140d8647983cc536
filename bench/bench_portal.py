"""Personalisation overhead on page renders: home and /shop for a logged-in portal user.

Setups, each on its own server, measured interleaved (round-robin, one request per setup
at a time) so that load from other processes falls on every setup alike:
  baseline        a database without ecrm_portal (--baseline-db: ecrm_core, same demo)
  no rules        the ecrm_portal database (--db) with every rule archived
  100 rules       a copy of it (--db + "_rules") with 100 active rules of mixed kinds
  100 rules + tr. the same server, a visitor who accepted cookies: one page-view insert each

Prints p50/p95 wall time per page and setup and the ratio of p50 against the baseline,
the CPU time per request of the Odoo server plus its PostgreSQL backends (read from /proc,
so it stays comparable on a busy machine) and its ratio, then the tracking cost per page
view (with consent minus without, and the insert statement timed alone in the database).
Asserts nothing.

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
ROUND = 1  # requests per setup before moving to the next one


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


class Setup:
    """One way of serving the page: a logged-in session on a server, and where its CPU time goes."""

    def __init__(self, session, server, monitor):
        self.session, self.server, self.monitor = session, server, monitor
        self.wall = {page: [] for page in PAGES}
        self.cpu = {page: 0.0 for page in PAGES}

    def processes(self):
        """The Odoo server and the PostgreSQL backends serving its database."""
        with self.monitor.cursor() as cur:
            cur.execute("""SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'
                             AND pid <> pg_backend_pid()""", (self.server.database,))
            return [self.server.process.pid] + [row[0] for row in cur.fetchall()]

    def get(self, page, timed=True):
        processes = self.processes()
        cpu_before, start = cpu_seconds(processes), time.perf_counter()
        response = self.session.get(self.server.url + page)
        wall, cpu = time.perf_counter() - start, cpu_seconds(processes) - cpu_before
        response.raise_for_status()
        if timed:
            self.wall[page].append(wall)
            self.cpu[page] += cpu


def cpu_seconds(pids):
    """User + system CPU time of these processes so far (Linux /proc)."""
    ticks = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a backend that just closed
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def interleaved(setups, count, warmup=10):
    """Each page requested ``count`` times per setup, the setups taking turns ROUND requests at a time."""
    for page in PAGES:
        for setup in setups.values():
            for _ in range(warmup):
                setup.get(page, timed=False)
        order = list(setups.values())
        for round_no in range(0, count, ROUND):
            order = order[1:] + order[:1]  # no setup always goes first
            for setup in order:
                for _ in range(min(ROUND, count - round_no)):
                    setup.get(page)
    for setup in setups.values():
        for values in setup.wall.values():
            values.sort()


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
            row.update(uid=1, now="2026-01-01 00:00:00", new_visit=0, visitor_id=visitor_id, cookie_key=None,
                       path="/shop", session_key="bench", rule_ids=",1,", control_rule_ids=None)
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
        monitor = psycopg2.connect(**dsn("postgres", conf))
        monitor.autocommit = True
        setups = {
            "baseline (no ecrm_portal)": Setup(portal_session(servers["baseline"].url, None), servers["baseline"],
                                               monitor),
            "no rules": Setup(portal_session(servers["portal"].url, False), servers["portal"], monitor),
            "100 rules": Setup(portal_session(servers["rules"].url, False), servers["rules"], monitor),
            "100 rules + tracking": Setup(portal_session(servers["rules"].url, True), servers["rules"], monitor),
        }
        interleaved(setups, args.count)
        monitor.close()
        views = rules_rpc("ecrm.page.view", "search_count", []) - views_before
    finally:
        for server in servers.values():
            server.stop()
    insert = insert_cost(rules_db, conf)

    base = setups["baseline (no ecrm_portal)"]
    print("\nPage render for a logged-in portal user, %d requests per page and setup, warm cache, "
          "setups interleaved %d request(s) at a time" % (args.count, ROUND))
    print("Wall time as the client sees it, and CPU time spent on the request by the Odoo server and its\n"
          "PostgreSQL backends (less sensitive to other load on the machine than wall time).")
    print("  %-26s %-6s %8s %8s %8s %10s %9s" % ("setup", "page", "p50 ms", "p95 ms", "p50 ratio",
                                                 "CPU ms/req", "CPU ratio"))
    for name, setup in setups.items():
        for page in PAGES:
            wall, cpu = setup.wall[page], setup.cpu[page] / args.count
            print("  %-26s %-6s %8.1f %8.1f %9.2f %10.1f %9.2f" % (
                name, page, statistics.median(wall) * 1000, p95(wall) * 1000,
                statistics.median(wall) / statistics.median(base.wall[page]), cpu * 1000,
                cpu / (base.cpu[page] / args.count)))
    for page in PAGES:
        tracked, untracked = setups["100 rules + tracking"], setups["100 rules"]
        wall = statistics.median(tracked.wall[page]) - statistics.median(untracked.wall[page])
        cpu = (tracked.cpu[page] - untracked.cpu[page]) / args.count
        print("  tracking cost per page view on %-6s %+.1f ms wall (p50 difference), %+.1f ms CPU" % (
            page, wall * 1000, cpu * 1000))
    print("  the page-view insert statement alone: %.2f ms (p50 of 500, in the database)" % (insert * 1000))
    print("  page views stored during the run: %d (expected %d)" % (views, (args.count + 10) * len(PAGES) + 1))


if __name__ == "__main__":
    main()
