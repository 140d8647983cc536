.PHONY: setup test stop bench fuzz cluster cluster-stop bench-cluster
# First command: everything from a fresh machine to a running demo on 127.0.0.1:8069.
setup:
	./scripts/setup.sh
# Second command: the whole test suite (unit, Odoo model, end-to-end, browser).
test:
	./scripts/test.sh
stop:
	./scripts/stop.sh
# All benchmarks, or some: make bench BENCH="interaction_log customer360"
bench:
	./scripts/bench.sh $(BENCH)
# The parsers' property-based tests with the long profile (50,000 examples each, or ECRM_FUZZ_EXAMPLES)
fuzz:
	./scripts/fuzz.sh
# Scale-out on this machine: two prefork nodes + HAProxy on http://127.0.0.1:18080, one database (ecrm_cluster)
cluster:
	./scripts/cluster.sh start
cluster-stop:
	./scripts/cluster.sh stop
# Load through the cluster's proxy: 10 buyers, 5 minutes (BENCH_ARGS="--minutes 2 --kill-node-at-half")
bench-cluster:
	./.venv/bin/python -u bench/bench_cluster.py $(BENCH_ARGS)
