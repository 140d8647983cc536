"""1,000 interactions over XML-RPC: one log_many call against 1,000 create calls.

Baseline: the host's own way, `create` once per record. Both run in this
process against the same server and database; the ratio is the median of
--rounds rounds. Prints a table; asserts nothing.
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import Rpc, timed  # noqa: E402
from tests.odoo_server import OdooServer  # noqa: E402

CHANNELS = ["email", "phone", "web_form", "portal", "eprocurement", "ledger"]


def make_rows(partner_ids, count, tag):
    return [{"partner_id": partner_ids[i % len(partner_ids)], "channel": CHANNELS[i % len(CHANNELS)],
             "interaction_type": "bench_row", "subject": "Bench row %d (%s)" % (i, tag)}
            for i in range(count)]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=os.environ.get("ECRM_BENCH_DB", "ecrm_bench"))
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    server = OdooServer(args.db).start()
    try:
        rpc = Rpc(server.url, args.db)
        before = rpc("ecrm.interaction", "search_count", [])
        partner_ids = [rpc("res.partner", "create", {"name": "Bench customer %d" % i}) for i in range(50)]
        if not rpc("ecrm.interaction.type", "search_count", [("code", "=", "bench_row")]):
            rpc("ecrm.interaction.type", "create", {"code": "bench_row", "name": "Bench row"})
        rpc("ecrm.interaction", "log_many", make_rows(partner_ids, 10, "warmup"))   # warm caches
        for row in make_rows(partner_ids, 10, "warmup"):
            rpc("ecrm.interaction", "create", row)

        baseline, ours = [], []
        for round_no in range(args.rounds):
            rows = make_rows(partner_ids, args.rows, "create%d" % round_no)
            baseline.append(timed(lambda: [rpc("ecrm.interaction", "create", row) for row in rows]))
            rows = make_rows(partner_ids, args.rows, "log_many%d" % round_no)
            ours.append(timed(lambda: rpc("ecrm.interaction", "log_many", rows)))
        stored = rpc("ecrm.interaction", "search_count", []) - before
        expected = args.rounds * args.rows * 2 + 20
        assert stored == expected, "expected %d stored interactions, found %d" % (expected, stored)
    finally:
        server.stop()

    base, mine = statistics.median(baseline), statistics.median(ours)
    print("\n%d interactions over XML-RPC, median of %d rounds (database %s)" % (args.rows, args.rounds, args.db))
    print("  %-42s %8.3f s  (%6.0f rows/s)" % ("baseline: %d x create()" % args.rows, base, args.rows / base))
    print("  %-42s %8.3f s  (%6.0f rows/s)" % ("ecrm.interaction.log_many(1 call)", mine, args.rows / mine))
    print("  ratio log_many vs create: %.1fx faster" % (base / mine))


if __name__ == "__main__":
    main()
