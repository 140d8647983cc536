"""Scale-out load: 10 buyers posting 20-line PEPPOL orders back to back through the cluster's proxy.

Needs `make cluster` (two prefork nodes behind HAProxy on one database, scripts/cluster.sh).
Each buyer is a trading partner of its own (a customer, 20 mapped products and a
credential, made as bench_eprocurement.py makes its one) and posts its next order as soon
as the last one is answered: 201 with the acknowledgement, or 202 with a status URL it
polls (every second) until the order is processed. A buyer re-posts the same order on a
connection error or on the proxy's own 502/503/504 (the node serving it died); such a
re-post must answer 409, the original acknowledgement, or process the order if its first
delivery never got that far.

Reported: orders per minute, p50/p95 per order (client side, first POST to final answer,
re-posts and polling included), answers other than 2xx/409 (must be 0), and, checked over
XML-RPC against sale.order and ecrm.exchange, duplicate and missing sale orders (must be 0).
With --kill-node-at-half, the node whose queue_job runner leads is killed (kill -9 of its
process group, scripts/cluster.sh kill) halfway: the other node's runner must take over and
every job must end done (none left pending, enqueued or started), the dead node's included.

    make cluster
    .venv/bin/python bench/bench_cluster.py [--minutes 5] [--kill-node-at-half]
"""
import argparse
import collections
import configparser
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
import xmlrpc.client

import psycopg2
import requests

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
from bench.bench_eprocurement import LINES, order_payload, set_up  # noqa: E402
from bench.common import Rpc, dsn, percentile  # noqa: E402

CLUSTER = os.path.join(os.environ.get("ECRM_VAR") or os.path.join(REPO, "var"), "cluster")
PROXY_ERRORS = (502, 503, 504)
OPEN_JOB_STATES = ("pending", "enqueued", "started")


class Buyer(threading.Thread):
    """One buyer's system: the next order as soon as the last one is answered, until ``deadline``."""

    def __init__(self, url, setup, tag, number, deadline, results):
        super().__init__(name="buyer-%d" % number, daemon=True)
        self.url, self.setup, self.deadline, self.results = url, setup, deadline, results
        self.prefix = "CL-%s-%d-" % (tag, number)
        self.session = requests.Session()
        self.headers = {"Authorization": "Bearer %s" % setup["credential"], "Content-Type": "application/xml"}

    def run(self):
        count = 0
        while time.time() < self.deadline:
            count += 1
            self.order(self.prefix + str(count))

    def order(self, document_id):
        started, reposts = time.perf_counter(), 0
        payload = order_payload(document_id)
        while True:
            try:
                response = self.session.post(self.url + "/ecrm/eprocurement/peppol-order", data=payload,
                                             headers=self.headers, timeout=300)
            except requests.RequestException as error:
                self.results.event("connection error: %s" % error.__class__.__name__)
                reposts += 1
                time.sleep(1)
                continue
            if self.from_proxy(response):
                self.results.event("proxy %d" % response.status_code)
                reposts += 1
                time.sleep(1)
                continue
            break
        status = response.status_code
        if reposts:
            self.results.event("re-post answered %d" % status)
        body = response.content
        if status == 202:
            status = self.poll(response.headers["Location"])
            body = None
        self.results.record(document_id, status, time.perf_counter() - started, reposts, body)

    def repost(self, document_id):
        """(status, body) of the same order sent once more."""
        response = self.session.post(self.url + "/ecrm/eprocurement/peppol-order", data=order_payload(document_id),
                                     headers=self.headers, timeout=300)
        return response.status_code, response.content

    @staticmethod
    def from_proxy(response):
        """The proxy's own error (no node answered), not the endpoint's JSON 503."""
        return response.status_code in PROXY_ERRORS and "json" not in response.headers.get("Content-Type", "")

    def poll(self, location):
        self.results.event("202 polled")
        while True:
            time.sleep(1)
            try:
                response = self.session.get(self.url + location, headers=dict(self.headers, Accept="application/json"),
                                            timeout=60)
            except requests.RequestException:
                continue
            if response.status_code != 200:
                continue  # a proxy error while a node dies: ask again
            body = response.json()
            if body.get("state") not in ("received", "validated"):
                return body.get("http_status") or 0


class PatientRpc(Rpc):
    """XML-RPC through the proxy that asks again while a node dies (a 502/503/504 or a refused connection)."""

    def __call__(self, model, method, *args, **kwargs):
        deadline = time.time() + 120
        while True:
            try:
                return super().__call__(model, method, *args, **kwargs)
            except (xmlrpc.client.ProtocolError, OSError) as error:
                if time.time() > deadline or getattr(error, "errcode", 502) not in PROXY_ERRORS:
                    raise
                time.sleep(2)


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.orders = {}  # document id -> (final status, seconds, re-posts)
        self.acknowledgements = {}  # document id -> the 201's body
        self.events = collections.Counter()

    def record(self, document_id, status, seconds, reposts, body=None):
        with self.lock:
            self.orders[document_id] = (status, seconds, reposts)
            if status == 201 and body:
                self.acknowledgements[document_id] = body

    def event(self, name):
        with self.lock:
            self.events[name] += 1


def odoo_conf():
    parser = configparser.ConfigParser()
    parser.read(os.path.join(CLUSTER, "odoo.conf"))
    return dict(parser["options"])


def leader_pid(database):
    """The master pid of the node whose job runner holds the leader lock, or None."""
    with psycopg2.connect(**dsn(database, odoo_conf())) as conn, conn.cursor() as cr:
        cr.execute("""SELECT activity.application_name FROM pg_locks lock
                        JOIN pg_stat_activity activity ON activity.pid = lock.pid
                       WHERE lock.locktype = 'advisory' AND lock.granted
                         AND activity.application_name LIKE 'ecrm queue_job runner%%'""")
        row = cr.fetchone()
    match = row and re.search(r"pid (\d+)", row[0])
    return int(match.group(1)) if match else None


def node_of(pid):
    for number in (1, 2):
        path = os.path.join(CLUSTER, "node%d.pid" % number)
        if os.path.exists(path) and open(path).read().strip() == str(pid):
            return number
    return None


def wait_for_leader(database, timeout=90, other_than=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        pid = leader_pid(database)
        if pid and pid != other_than:
            return pid
        time.sleep(1)
    return None


def open_jobs(rpc, since):
    return rpc("queue.job", "search_count", [("state", "in", list(OPEN_JOB_STATES)), ("date_created", ">=", since)])


def drain(rpc, since, timeout):
    """Wait until every job queued since ``since`` ended; run the jobs' garbage collector each minute.

    The collector is queue_job's 5-minute cron (with ecrm_core's requeue of jobs whose worker
    died); triggering it now only saves waiting for its next turn, its rules are unchanged
    (a started job is a dead worker's after limit_time_real plus a minute).
    """
    cron = rpc.ref("queue_job.ir_cron_queue_job_garbage_collector")
    deadline, last_gc, left = time.time() + timeout, 0, None
    while time.time() < deadline:
        left = open_jobs(rpc, since)
        if not left:
            return 0
        if time.time() - last_gc > 60:
            rpc("ir.cron", "method_direct_trigger", [cron])
            last_gc = time.time()
        time.sleep(5)
    return left


def check_orders(rpc, buyers, results):
    """Duplicate and missing sale orders, and exchanges processed more than once, per buyer document id."""
    expected = {doc for doc, (status, _s, _r) in results.orders.items() if status in (201, 409)}
    refs = collections.Counter()
    processed = collections.Counter()
    for setup in buyers:
        for order in rpc("sale.order", "search_read", [("partner_id", "=", setup["buyer"])], ["client_order_ref"]):
            refs[order["client_order_ref"]] += 1
        for exchange in rpc("ecrm.exchange", "search_read", [("trading_partner_id", "=", setup["trading_partner"]),
                                                             ("direction", "=", "inbound"),
                                                             ("state", "=", "processed")], ["buyer_document_id"]):
            processed[exchange["buyer_document_id"]] += 1
    duplicates = sorted(ref for ref, count in refs.items() if count > 1)
    missing = sorted(expected - set(refs))
    twice = sorted(ref for ref, count in processed.items() if count > 1)
    unprocessed = sorted(expected - set(processed))
    return duplicates, missing, twice, unprocessed


def check_reposts(buyers, results):
    """Send again every re-posted order and each buyer's first and last: each must answer 409
    with the acknowledgement the buyer first got (whichever node processed it, the dead one too)."""
    answers = collections.Counter()
    for buyer in buyers:
        mine = sorted((doc for doc in results.acknowledgements if doc.startswith(buyer.prefix)),
                      key=lambda doc: int(doc.rsplit("-", 1)[1]))
        sample = set(mine[:1] + mine[-1:]) | {doc for doc in mine if results.orders[doc][2]}
        for document_id in sorted(sample):
            status, body = buyer.repost(document_id)
            answers["409, original acknowledgement" if status == 409 and body == results.acknowledgements[document_id]
                    else "%d%s" % (status, ", another body" if status == 409 else "")] += 1
    return answers


def proxied_per_node(log_offset, request):
    """How many ``request`` lines (e.g. ``GET /queue_job/runjob``) the proxy sent to each node
    since ``log_offset`` of its log."""
    counts = collections.Counter()
    pattern = re.compile(r" odoo_http/(node\d) .*\"%s" % re.escape(request))
    with open(os.path.join(CLUSTER, "haproxy.log"), errors="replace") as log:
        log.seek(log_offset)
        for line in log:
            match = pattern.search(line)
            if match:
                counts[match.group(1)] += 1
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:%s" % os.environ.get("ECRM_CLUSTER_PROXY_PORT", "18080"))
    parser.add_argument("--db", default=os.environ.get("ECRM_CLUSTER_DB", "ecrm_cluster"))
    parser.add_argument("--buyers", type=int, default=10)
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("ECRM_CLUSTER_BENCH_MINUTES", "5")))
    parser.add_argument("--kill-node-at-half", action="store_true",
                        help="kill -9 the leading runner's node (its process group) halfway")
    parser.add_argument("--drain-minutes", type=float, default=12,
                        help="how long to wait at the end for every job to end")
    args = parser.parse_args()

    rpc = PatientRpc(args.url, args.db)
    tag = uuid.uuid4().hex[:6]
    print("Setting up %d buyers (%s) through %s" % (args.buyers, tag, args.url))
    buyers = []
    for number in range(args.buyers):
        setup = set_up(rpc, "%s%d" % (tag, number))
        setup["trading_partner"] = rpc("ecrm.trading.partner", "search",
                                       [("partner_id", "=", setup["buyer"])], 0, 1)[0]
        buyers.append(setup)
    since = rpc("queue.job", "search_read", [], ["date_created"], 0, 1, "id desc")
    since = since[0]["date_created"] if since else "2000-01-01 00:00:00"
    log_offset = os.path.getsize(os.path.join(CLUSTER, "haproxy.log"))
    first_leader = wait_for_leader(args.db)

    results = Results()
    start = time.time()
    deadline = start + 60 * args.minutes
    threads = [Buyer(args.url, setup, tag, number, deadline, results) for number, setup in enumerate(buyers)]
    for thread in threads:
        thread.start()
    killed, new_leader = None, None
    if args.kill_node_at_half:
        time.sleep(30 * args.minutes)
        killed = node_of(leader_pid(args.db))
        print("Killing node%s (its runner leads) at %.0f s" % (killed, time.time() - start))
        subprocess.run([os.path.join(REPO, "scripts", "cluster.sh"), "kill", str(killed)], check=True)
        new_leader = wait_for_leader(args.db, other_than=first_leader)
        print("  runner leadership taken over by node%s after %.0f s"
              % (node_of(new_leader), time.time() - start - 30 * args.minutes))
    for thread in threads:
        thread.join()
    elapsed = time.time() - start
    per_node = tuple(dict(sorted(proxied_per_node(log_offset, request).items()))
                     for request in ("POST /ecrm/eprocurement/", "GET /queue_job/runjob"))
    left = drain(rpc, since, 60 * args.drain_minutes)
    duplicates, missing, twice, unprocessed = check_orders(rpc, buyers, results)
    reposts = check_reposts(threads, results)

    latencies = [seconds for _status, seconds, _reposts in results.orders.values()]
    statuses = collections.Counter(status for status, _s, _r in results.orders.values())
    others = sum(count for status, count in statuses.items() if not (200 <= status < 300 or status == 409))
    reposted = [status for status, _s, tries in results.orders.values() if tries]
    print("\n%d buyers, %d-line PEPPOL orders back to back, %.1f min through %s%s"
          % (args.buyers, LINES, elapsed / 60, args.url,
             ", node%s killed at half" % killed if killed else ""))
    print("  %-44s %6.0f orders/min  p50 %6.0f ms  p95 %6.0f ms"
          % ("POST peppol-order -> acknowledged", 60 * len(latencies) / elapsed,
             1000 * statistics.median(latencies), 1000 * percentile(latencies, 0.95)))
    print("  orders: %d; final answers %s" % (len(latencies), dict(sorted(statuses.items()))))
    print("  events: %s" % dict(sorted(results.events.items())))
    print("  answers other than 2xx/409: %d" % others)
    print("  re-posted orders: %d, their final answers %s" % (len(reposted), dict(collections.Counter(reposted))))
    print("  duplicate sale orders: %d  missing sale orders: %d  exchanges processed twice: %d  unprocessed: %d"
          % (len(duplicates), len(missing), len(twice), len(unprocessed)))
    print("  order POSTs per node (proxy log, re-posts included): %s; job calls per node: %s" % per_node)
    print("  jobs left pending/enqueued/started after the wait: %d" % left)
    print("  processed orders sent again (re-posted ones, each buyer's first and last): %s" % dict(reposts))
    failures = []
    if others:
        failures.append("%d answers other than 2xx/409" % others)
    if duplicates or missing or twice or unprocessed:
        failures.append("duplicates %s missing %s twice %s unprocessed %s"
                        % (duplicates[:5], missing[:5], twice[:5], unprocessed[:5]))
    if set(reposts) - {"409, original acknowledgement"}:
        failures.append("orders sent again answered %s" % dict(reposts))
    if left:
        failures.append("%d jobs still open" % left)
    if killed and not new_leader:
        failures.append("no runner took the lead after node%s died" % killed)
    if failures:
        sys.exit("FAILED: " + "; ".join(failures))


if __name__ == "__main__":
    main()
