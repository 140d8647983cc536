#!/usr/bin/env bash
# Container start: create or upgrade the database with the very function `make setup` uses,
# then serve with worker processes (prefork, longpolling on its own port).
# tests/e2e/test_docker_entrypoint.py runs this script as it is, outside a container.
source "$(dirname "$(readlink -f "$0")")/../scripts/env.sh"
write_odoo_conf
until pg_isready -q -h "$ECRM_DB_HOST" -p "$ECRM_DB_PORT"; do sleep 1; done
# In a cluster one node prepares the database; the others (ECRM_ENSURE_DATABASE=no) serve it as it is.
[ "${ECRM_ENSURE_DATABASE:-yes}" = no ] || ensure_database "$ECRM_DEMO_DB" "${ECRM_WITH_DEMO:-no}"
exec "$PY" "$REPO/scripts/odoo-bin" -c "$ODOO_CONF" -d "$ECRM_DEMO_DB" --db-filter="^$ECRM_DEMO_DB\$" \
    --workers="${ODOO_WORKERS:-4}" --max-cron-threads="${ODOO_CRON_THREADS:-1}" \
    --longpolling-port="${ODOO_LONGPOLLING_PORT:-8072}" --proxy-mode
