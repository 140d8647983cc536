#!/usr/bin/env bash
# Benchmarks on a fresh database of their own; each prints its ratio against a baseline.
#   scripts/bench.sh                      every bench/bench_*.py
#   scripts/bench.sh interaction_log ...  only bench/bench_interaction_log.py, ...
source "$(dirname "$0")/env.sh"
[ -x "$PY" ] || die "no .venv: run 'make setup' first"
write_odoo_conf
ECRM_BENCH_DB="${ECRM_BENCH_DB:-ecrm_bench}"
export ECRM_BENCH_DB
psql_admin -c "DROP DATABASE IF EXISTS \"$ECRM_BENCH_DB\""
say "Creating benchmark database $ECRM_BENCH_DB (no demo data)"
create_database "$ECRM_BENCH_DB" no || die "benchmark database creation failed (output above)"
cd "$REPO"
benches=()
if [ $# -gt 0 ]; then
    for name in "$@"; do benches+=("bench/bench_$name.py"); done
else
    benches=(bench/bench_*.py)
fi
for bench in "${benches[@]}"; do
    [ -f "$bench" ] || die "no such benchmark: $bench"
    say "$bench"
    "$PY" "$bench"
done
