#!/usr/bin/env bash
# Stop the server that setup.sh started.
source "$(dirname "$0")/env.sh"
if [ -f "$ODOO_PID" ] && kill -0 "$(cat "$ODOO_PID")" 2>/dev/null; then
    kill "$(cat "$ODOO_PID")"
    for _ in $(seq 20); do kill -0 "$(cat "$ODOO_PID")" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$(cat "$ODOO_PID")" 2>/dev/null || true
    [ "${1:-}" = "--quiet" ] || say "Odoo stopped"
else
    [ "${1:-}" = "--quiet" ] || say "No Odoo server started by setup is running"
fi
rm -f "$ODOO_PID"
