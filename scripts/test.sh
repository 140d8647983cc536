#!/usr/bin/env bash
# The whole suite in one pytest run: plain-Python unit tests, Odoo model tests
# (pytest-odoo) of every addon, end-to-end XML-RPC/HTTP tests and headless
# Chromium tests against a real server. Extra arguments go to pytest.
source "$(dirname "$0")/env.sh"

[ -x "$PY" ] || die "no .venv: run 'make setup' first"
command -v lessc >/dev/null || die "lessc missing: run 'make setup' first"
write_odoo_conf

ECRM_TEST_DB="${ECRM_TEST_DB:-ecrm_test}"
export ECRM_E2E_DB="${ECRM_E2E_DB:-${ECRM_TEST_DB}_e2e}"
export ECRM_DOCKER_DB="${ECRM_DOCKER_DB:-${ECRM_TEST_DB}_docker}"  # the container entrypoint's test upgrades it
export ECRM_ELECTION_DB="${ECRM_ELECTION_DB:-${ECRM_TEST_DB}_election}"  # two servers elect one job runner on it

# Fresh databases every run: one for the in-process model tests, and a copy of
# it that the end-to-end server owns (a template copy takes seconds, not minutes).
for db in "$ECRM_E2E_DB" "$ECRM_DOCKER_DB" "$ECRM_ELECTION_DB" "$ECRM_TEST_DB"; do
    psql_admin -c "DROP DATABASE IF EXISTS \"$db\""
    rm -rf "$VAR/data/filestore/$db"
done
say "Creating test database $ECRM_TEST_DB (host apps + $(ecrm_modules), demo data)"
create_database "$ECRM_TEST_DB" yes || die "test database creation failed (output above)"
psql_admin -c "CREATE DATABASE \"$ECRM_E2E_DB\" OWNER \"$ECRM_DB_USER\" TEMPLATE \"$ECRM_TEST_DB\""
psql_admin -c "CREATE DATABASE \"$ECRM_DOCKER_DB\" OWNER \"$ECRM_DB_USER\" TEMPLATE \"$ECRM_TEST_DB\""
psql_admin -c "CREATE DATABASE \"$ECRM_ELECTION_DB\" OWNER \"$ECRM_DB_USER\" TEMPLATE \"$ECRM_TEST_DB\""
# The copy's attachments (compiled assets, images) live in the filestore, not in the database.
rm -rf "$VAR/data/filestore/$ECRM_E2E_DB"
[ ! -d "$VAR/data/filestore/$ECRM_TEST_DB" ] || cp -r "$VAR/data/filestore/$ECRM_TEST_DB" "$VAR/data/filestore/$ECRM_E2E_DB"

say "Running the test suite"
cd "$REPO"
exec "$PY" -m pytest --odoo-config="$ODOO_CONF" --odoo-database="$ECRM_TEST_DB" "$@"
