#!/usr/bin/env bash
# Container start: create or upgrade the database with the same functions as
# `make setup`, then serve with worker processes (multi-process, longpolling on 8072).
source /srv/ecrm/scripts/env.sh
write_odoo_conf
until pg_isready -q -h "$ECRM_DB_HOST" -p "$ECRM_DB_PORT"; do sleep 1; done
if db_exists "$ECRM_DEMO_DB"; then
    odoo -c "$ODOO_CONF" -d "$ECRM_DEMO_DB" -i "$(ecrm_modules)" -u "$(ecrm_modules)" --stop-after-init
    assert_installed "$ECRM_DEMO_DB"
else
    create_database "$ECRM_DEMO_DB" "${ECRM_WITH_DEMO:-no}"
fi
exec "$PY" "$REPO/scripts/odoo-bin" -c "$ODOO_CONF" -d "$ECRM_DEMO_DB" --db-filter="^$ECRM_DEMO_DB\$" \
    --workers="${ODOO_WORKERS:-4}" --max-cron-threads="${ODOO_CRON_THREADS:-1}" --proxy-mode
