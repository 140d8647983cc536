# Shared settings and helpers for setup.sh, test.sh and stop.sh. Source it; do not run it.
# Every value can be overridden from the environment (docker/ does exactly that).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
VAR="${ECRM_VAR:-$REPO/var}"
PY="$VENV/bin/python"
export PATH="$REPO/node_modules/.bin:$VENV/bin:$PATH"
# Odoo 11's threaded server takes requests while the registry is still loading; an early
# request then imports add-ons behind the loader's back and models come up without their
# extensions (seen as "unknown field" on the first calls). Odoo's own documented cure:
export ODOO_PRELOAD_ADDONS=no

ECRM_DB_HOST="${ECRM_DB_HOST:-127.0.0.1}"
ECRM_DB_PORT="${ECRM_DB_PORT:-5432}"
ECRM_DB_USER="${ECRM_DB_USER:-ecrm}"
ECRM_DB_PASSWORD="${ECRM_DB_PASSWORD:-ecrm}"
ECRM_DEMO_DB="${ECRM_DEMO_DB:-ecrm_demo}"
ECRM_HTTP_PORT="${ECRM_HTTP_PORT:-8069}"
ECRM_LONGPOLLING_PORT="${ECRM_LONGPOLLING_PORT:-8072}"
# Production's server: worker processes with Odoo's default limits (60 s CPU, 120 s real
# per request), one cron worker and queue_job's runner.
ECRM_WORKERS="${ECRM_WORKERS:-3}"
ODOO_CONF="$VAR/odoo.conf"
ODOO_PID="$VAR/odoo.pid"
ODOO_LOG="$VAR/odoo.log"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

# Every eCRM add-on in addons/ (or the comma-separated ECRM_MODULES, to work on a subset).
ecrm_modules() {
    [ -n "${ECRM_MODULES:-}" ] && { echo "$ECRM_MODULES"; return; }
    local mods=() d
    for d in "$REPO"/addons/ecrm_*/; do
        [ -f "$d/__manifest__.py" ] && mods+=("$(basename "$d")")
    done
    (IFS=,; echo "${mods[*]}")
}

# The host apps the suite is sold on, installed next to the eCRM add-ons so that a
# demo or test database always has the full shop/sales/marketing/invoicing stack.
ECRM_HOST_MODULES="${ECRM_HOST_MODULES:-sale_management,crm,website_sale,mass_mailing,purchase,account_invoicing,contacts}"

odoo() { "$PY" "$REPO/scripts/odoo-bin" "$@"; }

psql_admin() {
    # The cluster's superuser, used only to create our role. Trust auth on loopback.
    psql -h "$ECRM_DB_HOST" -p "$ECRM_DB_PORT" -U "${PGSUPERUSER:-postgres}" -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

# apt_install PACKAGE...: install the Debian packages given (set-up's missing ones, the cluster's haproxy).
apt_install() {
    [ $# -gt 0 ] || return 0
    say "Installing Debian packages: $*"
    command -v apt-get >/dev/null || die "missing $*; install them with your package manager"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" \
        || die "apt-get install $* failed"
}

db_exists() {
    [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]
}

write_odoo_conf() {
    mkdir -p "$VAR/data"
    cat > "$ODOO_CONF" <<CONF
[options]
addons_path = $("$PY" -c 'import odoo.addons, os; print(os.path.dirname(odoo.addons.__file__))'),$REPO/addons
data_dir = $VAR/data
db_host = $ECRM_DB_HOST
db_port = $ECRM_DB_PORT
db_user = $ECRM_DB_USER
db_password = $ECRM_DB_PASSWORD
http_interface = ${ECRM_HTTP_INTERFACE:-127.0.0.1}
http_port = $ECRM_HTTP_PORT
list_db = False
log_level = info
; queue_job's runner starts inside every server process this configuration runs (prefork or
; threaded; not --stop-after-init nor the shell) and runs the jobs of the -d database.
; With ecrm_core here too (scripts/cluster.sh), the servers of one database elect one runner.
server_wide_modules = ${ECRM_SERVER_WIDE_MODULES:-web,queue_job}

[queue_job]
; Jobs run in the HTTP workers, so the channels' total capacity must stay below --workers.
channels = ${ECRM_JOB_CHANNELS:-root:2,root.ecrm:2,root.ecrm.sage:1,root.ecrm.eprocurement:1}
host = ${ECRM_JOB_RUNNER_HOST:-127.0.0.1}
${ECRM_JOB_RUNNER_PORT:+port = $ECRM_JOB_RUNNER_PORT}
CONF
}

# create_database NAME DEMO(yes|no): an en_GB database for a UK company (GBP,
# UK chart of accounts and VAT) with every eCRM add-on installed.
# The company is made British *before* accounting installs, so that account's
# own localisation hook picks l10n_uk instead of the generic chart.
create_database() {
    local name="$1" demo="$2" demo_flag=()
    [ "$demo" = yes ] || demo_flag=(--without-demo=all)
    odoo -c "$ODOO_CONF" -d "$name" -i base --load-language=en_GB "${demo_flag[@]}" \
        --stop-after-init --log-level=warn
    cancel_unreachable_installs "$name"
    odoo shell -c "$ODOO_CONF" -d "$name" --log-level=warn < "$REPO/scripts/uk_company.py"
    odoo -c "$ODOO_CONF" -d "$name" -i "$ECRM_HOST_MODULES,$(ecrm_modules)" "${demo_flag[@]}" \
        --stop-after-init --log-level=warn
    assert_installed "$name"
}

# A new database marks for install every auto-install module whose dependencies are all
# "to install", and its query joins the dependencies to the modules it knows: a dependency
# that no wheel ships (hr, fleet, maintenance, ...) drops out of the join instead of blocking.
# The Odoo wheels ship such glue modules (hr_maintenance, l10n_be_hr_payroll_fleet,
# hr_timesheet_attendance, project_timesheet_holidays); left "to install", they make the
# cron runner skip the database for ever ("because of modules to install"). Set back to
# uninstalled, as the Apps menu's "Cancel Install" does, every pending module that depends,
# directly or through another pending module, on a module Odoo does not have.
cancel_unreachable_installs() {
    psql_admin -d "$1" <<'SQL'
WITH RECURSIVE unreachable(id) AS (
    SELECT module.id
      FROM ir_module_module module
      JOIN ir_module_module_dependency dependency ON dependency.module_id = module.id
      LEFT JOIN ir_module_module wanted ON wanted.name = dependency.name
     WHERE module.state = 'to install' AND wanted.id IS NULL
    UNION
    SELECT module.id
      FROM ir_module_module module
      JOIN ir_module_module_dependency dependency ON dependency.module_id = module.id
      JOIN ir_module_module wanted ON wanted.name = dependency.name
      JOIN unreachable ON unreachable.id = wanted.id
     WHERE module.state = 'to install'
)
UPDATE ir_module_module SET state = 'uninstalled' WHERE id IN (SELECT id FROM unreachable);
SQL
}

# ensure_database NAME DEMO(yes|no): create the database, or bring an existing one up to this
# checkout (install add-ons new since, upgrade the rest). Set-up and the container both use it.
ensure_database() {
    local name="$1" demo="$2"
    if db_exists "$name"; then
        say "Updating eCRM modules in existing database $name"
        cancel_unreachable_installs "$name"  # a database made before set-up did this
        odoo -c "$ODOO_CONF" -d "$name" -i "$(ecrm_modules)" -u "$(ecrm_modules)" \
            --stop-after-init --log-level=warn || die "module update failed (output above)"
        assert_installed "$name"
    else
        say "Creating database $name (UK company, $( [ "$demo" = yes ] && echo "demo data" || echo "no demo data"), all eCRM modules)"
        if ! create_database "$name" "$demo"; then
            # Never leave a half-built database behind for the next run to "update".
            psql_admin -c "DROP DATABASE IF EXISTS \"$name\"" || true
            die "database creation failed (output above)"
        fi
    fi
}

# Odoo logs unmet dependencies and carries on with exit code 0; we do not. Nor may any
# module be left pending: Odoo's cron skips a database with modules to install or upgrade.
assert_installed() {
    local missing pending
    pending="$(psql_admin -d "$1" -c "
        SELECT string_agg(name || ' (' || state || ')', ', ' ORDER BY name) FROM ir_module_module
         WHERE state IN ('to install', 'to upgrade', 'to remove')")"
    [ -z "$pending" ] || die "modules left pending in database $1: $pending (the cron runner skips it)"
    missing="$(psql_admin -d "$1" -c "
        SELECT string_agg(wanted.name, ', ')
          FROM unnest(string_to_array('$ECRM_HOST_MODULES,$(ecrm_modules)', ',')) AS wanted(name)
          LEFT JOIN ir_module_module module ON module.name = wanted.name AND module.state = 'installed'
         WHERE module.id IS NULL")"
    [ -z "$missing" ] || die "not installed in database $1: $missing (see the Odoo errors above)"
}
