#!/usr/bin/env bash
# Scale-out on one machine: two prefork Odoo nodes on one database and one filestore, behind
# HAProxy, with one elected queue_job runner (ecrm_core/jobrunner_leader.py).
#   scripts/cluster.sh [start]     make cluster: create/upgrade the database, start what is not running
#   scripts/cluster.sh stop        make cluster-stop: stop the nodes and the proxy this script started
#   scripts/cluster.sh status      nodes, proxy, and which node's runner leads
#   scripts/cluster.sh kill NODE   kill -9 node NODE (1 or 2) with its whole process group
# Everything lives under var/cluster/ (config, pid files, logs); nothing runs under systemd.
source "$(dirname "$0")/env.sh"

CLUSTER="$VAR/cluster"
ODOO_CONF="$CLUSTER/odoo.conf"
ECRM_CLUSTER_DB="${ECRM_CLUSTER_DB:-ecrm_cluster}"
ECRM_CLUSTER_PROXY_PORT="${ECRM_CLUSTER_PROXY_PORT:-18080}"
ECRM_CLUSTER_STATS_PORT="${ECRM_CLUSTER_STATS_PORT:-18081}"
# node N (1 or 2) serves HTTP and longpolling on the Nth port of each list
ECRM_CLUSTER_HTTP_PORTS="${ECRM_CLUSTER_HTTP_PORTS:-18069 18070}"
ECRM_CLUSTER_LONGPOLLING_PORTS="${ECRM_CLUSTER_LONGPOLLING_PORTS:-18072 18073}"
ECRM_CLUSTER_WORKERS="${ECRM_CLUSTER_WORKERS:-2}"
read -r -a HTTP_PORTS <<< "$ECRM_CLUSTER_HTTP_PORTS"
read -r -a LONGPOLLING_PORTS <<< "$ECRM_CLUSTER_LONGPOLLING_PORTS"
[ ${#HTTP_PORTS[@]} = 2 ] && [ ${#LONGPOLLING_PORTS[@]} = 2 ] || die "two nodes: two HTTP and two longpolling ports"
HAPROXY_CFG="$CLUSTER/haproxy.cfg"
HAPROXY_PID="$CLUSTER/haproxy.pid"

# Each node's server elects the database's one job runner (ecrm_core server-wide), and the
# leader sends its jobs through the proxy, so they run on either node's workers.
export ECRM_SERVER_WIDE_MODULES="web,queue_job,ecrm_core"
export ECRM_JOB_RUNNER_HOST=127.0.0.1 ECRM_JOB_RUNNER_PORT="$ECRM_CLUSTER_PROXY_PORT"

node_pid_file() { echo "$CLUSTER/node$1.pid"; }
running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
any_node_running() {
    local n
    for n in "${!HTTP_PORTS[@]}"; do running "$(node_pid_file $((n + 1)))" && return 0; done
    return 1
}

# docker/haproxy.cfg, the compose topology's proxy, with this machine's addresses put in
write_haproxy_cfg() {
    local ECRM_PROXY_BIND="127.0.0.1:$ECRM_CLUSTER_PROXY_PORT" ECRM_PROXY_STATS_BIND="127.0.0.1:$ECRM_CLUSTER_STATS_PORT"
    local ECRM_NODE1_HTTP="127.0.0.1:${HTTP_PORTS[0]}" ECRM_NODE2_HTTP="127.0.0.1:${HTTP_PORTS[1]}"
    local ECRM_NODE1_LONGPOLLING="127.0.0.1:${LONGPOLLING_PORTS[0]}" ECRM_NODE2_LONGPOLLING="127.0.0.1:${LONGPOLLING_PORTS[1]}"
    local line name
    {
        echo "# Rendered by scripts/cluster.sh from docker/haproxy.cfg; edit that one."
        while IFS= read -r line; do
            while [[ "$line" =~ \"\$\{([A-Z0-9_]+)\}\" ]]; do
                name="${BASH_REMATCH[1]}"
                line="${line/\"\$\{$name\}\"/${!name}}"
            done
            printf '%s\n' "$line"
        done < "$REPO/docker/haproxy.cfg"
    } > "$HAPROXY_CFG"
}

wait_for_http() {  # wait_for_http URL PID_FILE LOG
    local _
    for _ in $(seq 120); do
        curl -sf -o /dev/null "$1" && return 0
        running "$2" || break
        sleep 1
    done
    tail -n 40 "$3" >&2
    die "nothing answered on $1 (log: $3)"
}

start_node() {
    local n="$1" port="${HTTP_PORTS[$(($1 - 1))]}" longpolling="${LONGPOLLING_PORTS[$(($1 - 1))]}"
    local pid_file; pid_file="$(node_pid_file "$n")"
    if running "$pid_file"; then
        say "node$n already running (pid $(cat "$pid_file"))"
        return
    fi
    curl -s -o /dev/null "http://127.0.0.1:$port/" \
        && die "port $port is taken by a server this script did not start; set ECRM_CLUSTER_HTTP_PORTS"
    say "Starting node$n on http://127.0.0.1:$port (longpolling $longpolling, $ECRM_CLUSTER_WORKERS workers)"
    # setsid: the node is a process group of its own (master, workers, gevent), killed as one
    setsid nohup "$PY" "$REPO/scripts/odoo-bin" -c "$ODOO_CONF" -d "$ECRM_CLUSTER_DB" \
        --db-filter="^$ECRM_CLUSTER_DB\$" --logfile="$CLUSTER/node$n.log" --proxy-mode \
        --http-port="$port" --longpolling-port="$longpolling" \
        --workers="$ECRM_CLUSTER_WORKERS" --max-cron-threads=1 \
        >/dev/null 2>&1 < /dev/null &
    echo $! > "$pid_file"
}

start_proxy() {
    write_haproxy_cfg
    haproxy -c -q -f "$HAPROXY_CFG" || die "HAProxy refused $HAPROXY_CFG"
    if running "$HAPROXY_PID"; then
        say "Reloading HAProxy (pid $(cat "$HAPROXY_PID"))"
        kill -USR2 "$(cat "$HAPROXY_PID")"
        return
    fi
    say "Starting HAProxy on http://127.0.0.1:$ECRM_CLUSTER_PROXY_PORT (stats on :$ECRM_CLUSTER_STATS_PORT)"
    # -W -db: master-worker in the foreground (logs to stdout), backgrounded here, no systemd
    nohup haproxy -W -db -f "$HAPROXY_CFG" >> "$CLUSTER/haproxy.log" 2>&1 < /dev/null &
    echo $! > "$HAPROXY_PID"
}

stop_pid_file() {  # stop_pid_file FILE NAME GROUP(yes|no)
    local pid
    if running "$1"; then
        pid="$(cat "$1")"
        if [ "$3" = yes ]; then kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"; else kill -TERM "$pid"; fi
        for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        if [ "$3" = yes ]; then kill -9 -- "-$pid" 2>/dev/null || true; else kill -9 "$pid" 2>/dev/null || true; fi
        say "$2 stopped"
    fi
    rm -f "$1"
}

leader() {
    psql_admin -d "$ECRM_CLUSTER_DB" -c "
        SELECT activity.application_name FROM pg_locks lock
          JOIN pg_stat_activity activity ON activity.pid = lock.pid
         WHERE lock.locktype = 'advisory' AND lock.granted
           AND activity.application_name LIKE 'ecrm queue_job runner%'" 2>/dev/null || true
}

status() {
    local n pid_file
    for n in "${!HTTP_PORTS[@]}"; do
        pid_file="$(node_pid_file $((n + 1)))"
        if running "$pid_file"; then
            echo "node$((n + 1)): running, pid $(cat "$pid_file"), http ${HTTP_PORTS[$n]}, longpolling ${LONGPOLLING_PORTS[$n]}"
        else
            echo "node$((n + 1)): stopped"
        fi
    done
    running "$HAPROXY_PID" && echo "proxy: running, pid $(cat "$HAPROXY_PID"), http://127.0.0.1:$ECRM_CLUSTER_PROXY_PORT" \
        || echo "proxy: stopped"
    echo "job runner leader: $(leader | sed 's/.*pid \([0-9]*\).*/master pid \1/')"
}

start() {
    command -v haproxy >/dev/null || apt_install haproxy
    [ -x "$PY" ] || die "no .venv: run 'make setup' first"
    mkdir -p "$CLUSTER"
    write_odoo_conf
    if any_node_running; then
        say "A node is running: database $ECRM_CLUSTER_DB left as it is"
    else
        ensure_database "$ECRM_CLUSTER_DB" yes
    fi
    local n
    for n in "${!HTTP_PORTS[@]}"; do start_node $((n + 1)); done
    for n in "${!HTTP_PORTS[@]}"; do
        wait_for_http "http://127.0.0.1:${HTTP_PORTS[$n]}/web/login" "$(node_pid_file $((n + 1)))" "$CLUSTER/node$((n + 1)).log"
    done
    start_proxy
    wait_for_http "http://127.0.0.1:$ECRM_CLUSTER_PROXY_PORT/web/login" "$HAPROXY_PID" "$CLUSTER/haproxy.log"
    cat <<MSG

eCRM cluster is running.
  URL:       http://127.0.0.1:$ECRM_CLUSTER_PROXY_PORT/web   (HAProxy; stats http://127.0.0.1:$ECRM_CLUSTER_STATS_PORT/)
  Nodes:     ${HTTP_PORTS[*]} (longpolling ${LONGPOLLING_PORTS[*]}), $ECRM_CLUSTER_WORKERS workers each
  Database:  $ECRM_CLUSTER_DB   Login: admin / admin
  Logs:      $CLUSTER/node*.log, $CLUSTER/haproxy.log
  Status:    scripts/cluster.sh status      Stop it: make cluster-stop
MSG
}

stop() {
    stop_pid_file "$HAPROXY_PID" "HAProxy" no
    local n
    for n in "${!HTTP_PORTS[@]}"; do stop_pid_file "$(node_pid_file $((n + 1)))" "node$((n + 1))" yes; done
}

kill_node() {
    local pid_file; pid_file="$(node_pid_file "${1:?which node: 1 or 2}")"
    running "$pid_file" || die "node$1 is not running"
    kill -9 -- "-$(cat "$pid_file")"
    say "node$1 killed (kill -9 of process group $(cat "$pid_file"))"
    rm -f "$pid_file"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    kill) kill_node "${2:-}" ;;
    *) die "usage: scripts/cluster.sh [start|stop|status|kill NODE]" ;;
esac
