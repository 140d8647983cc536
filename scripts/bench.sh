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
    # bench_cluster.py loads a running `make cluster` instead (make bench-cluster)
    benches=($(ls bench/bench_*.py | grep -v '^bench/bench_cluster\.py$'))
fi
[[ " ${benches[*]} " == *bench_cluster.py* ]] && die "bench_cluster.py runs against 'make cluster': use 'make bench-cluster'"

# The OCA comparison for e-procurement runs in a database of its own, without
# website_sale (which crashes OCA sale_order_import_ubl 11.0), from an addons path
# that only its server sees.
prepare_oca() {
    say "Installing OCA sale_order_import_ubl into var/oca and creating ${ECRM_BENCH_DB}_oca"
    "$PY" -m pip install -q --no-deps --upgrade --target "$VAR/oca" -r "$REPO/bench/oca-requirements.txt" \
        || die "pip install of the OCA add-ons failed"
    sed "s|^addons_path = \(.*\)$|addons_path = \1,$VAR/oca/odoo/addons|" "$ODOO_CONF" > "$VAR/odoo-oca.conf"
    psql_admin -c "DROP DATABASE IF EXISTS \"${ECRM_BENCH_DB}_oca\""
    # every host app but website_sale, so that confirming an order costs the same (stock pickings)
    ODOO_CONF="$VAR/odoo-oca.conf" ECRM_HOST_MODULES="${ECRM_HOST_MODULES/website_sale,/}" \
        ECRM_MODULES=sale_order_import_ubl \
        create_database "${ECRM_BENCH_DB}_oca" no || die "the OCA benchmark database could not be created"
}
[[ " ${benches[*]} " == *bench_eprocurement.py* ]] && prepare_oca

# Page rendering is measured on demo data (products, pages, an NHS buyer), with and
# without ecrm_portal, so the two databases differ by that module alone.
prepare_portal() {
    say "Creating ${ECRM_BENCH_DB}_portal and ${ECRM_BENCH_DB}_portal_base (demo data, with and without ecrm_portal)"
    psql_admin -c "DROP DATABASE IF EXISTS \"${ECRM_BENCH_DB}_portal\""
    psql_admin -c "DROP DATABASE IF EXISTS \"${ECRM_BENCH_DB}_portal_base\""
    ECRM_MODULES=ecrm_core create_database "${ECRM_BENCH_DB}_portal_base" yes \
        || die "the portal baseline database could not be created"
    psql_admin -c "CREATE DATABASE \"${ECRM_BENCH_DB}_portal\" OWNER \"$ECRM_DB_USER\" TEMPLATE \"${ECRM_BENCH_DB}_portal_base\""
    # a template copy has no files: without the product images every /shop request would log missing attachments
    rm -rf "$VAR/data/filestore/${ECRM_BENCH_DB}_portal"
    cp -a "$VAR/data/filestore/${ECRM_BENCH_DB}_portal_base" "$VAR/data/filestore/${ECRM_BENCH_DB}_portal"
    odoo -c "$ODOO_CONF" -d "${ECRM_BENCH_DB}_portal" -i ecrm_portal --stop-after-init --log-level=warn \
        || die "ecrm_portal did not install in ${ECRM_BENCH_DB}_portal"
}
[[ " ${benches[*]} " == *bench_portal.py* ]] && prepare_portal

# Order confirmation is compared with the same data in a database of the host apps alone.
prepare_host() {
    say "Creating ${ECRM_BENCH_DB}_host (the host apps, no eCRM add-on)"
    psql_admin -c "DROP DATABASE IF EXISTS \"${ECRM_BENCH_DB}_host\""
    ECRM_MODULES=contacts create_database "${ECRM_BENCH_DB}_host" no \
        || die "the host-only benchmark database could not be created"
}
[[ " ${benches[*]} " == *bench_order_confirm.py* || " ${benches[*]} " == *bench_host_events.py* ]] && prepare_host

for bench in "${benches[@]}"; do
    [ -f "$bench" ] || die "no such benchmark: $bench"
    say "$bench"
    "$PY" "$bench"
done
