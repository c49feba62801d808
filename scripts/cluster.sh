#!/usr/bin/env bash
# The production-like topology on one machine (docs/operations.md):
#   etcd · Patroni with PostgreSQL leader + synchronous replica · pgBackRest ·
#   Redis master + replica under three Sentinels · HAProxy · app nodes (uvicorn) ·
#   two Celery workers · Celery beat.
# Usage: scripts/cluster.sh start | stop | status | env
# Every process runs from folders under var/cluster (configuration rendered from
# deploy/cluster/*.tmpl with deploy/cluster/cluster.env), on loopback ports clear of the
# machine's own PostgreSQL and Redis. PostgreSQL refuses to run as root: Patroni runs as
# `postgres`. APP_NODES (2 by default, at most 3) app nodes are started.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
set -a
# shellcheck source=/dev/null
source deploy/cluster/cluster.env
[ -f deploy/cluster/cluster.local.env ] && source deploy/cluster/cluster.local.env
set +a
APP_NODES="${APP_NODES:-2}"
CLUSTER_NETWORK="${CLUSTER_NETWORK:-127.0.0.1/32}"
PG1_NAME=pg1 PG2_NAME=pg2
export PG1_NAME PG2_NAME CLUSTER_NETWORK

# PostgreSQL's data must be reachable by `postgres`: when the checkout lies in a folder that
# user cannot enter (a private temporary folder, say), the data goes to /var/tmp and
# var/cluster links to it.
cluster_dir() {
  local dir="$ROOT/var/cluster"
  if [ -L "$dir" ] || [ -d "$dir" ]; then readlink -f "$dir"; return; fi
  mkdir -p "$ROOT/var"
  if runuser -u postgres -- test -x "$ROOT/var"; then
    mkdir -p "$dir"
  else
    local elsewhere
    elsewhere="/var/tmp/archipel-cluster-$(echo "$ROOT" | md5sum | cut -c1-10)"
    mkdir -p "$elsewhere"
    ln -s "$elsewhere" "$dir"
  fi
  readlink -f "$dir"
}

CLUSTER_DIR=$(cluster_dir)
ETC_DIR=$CLUSTER_DIR/etc RUN_DIR=$CLUSTER_DIR/run LOG_DIR=$CLUSTER_DIR/log DATA_DIR=$CLUSTER_DIR/data
export CLUSTER_DIR ETC_DIR RUN_DIR LOG_DIR DATA_DIR
chmod 755 "$CLUSTER_DIR"
PY=$ROOT/.venv/bin/python

install_packages() {
  local missing=()
  for p in patroni etcd-server etcd-client haproxy redis-server redis-sentinel pgbackrest \
           postgresql-15-postgis-3 gettext-base curl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return
  echo "Installing Debian packages: ${missing[*]}"
  # The packages' own services stay stopped: the cluster starts its processes itself.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' > $policy; chmod +x $policy; created=1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  [ $created = 1 ] && rm -f $policy
  return 0
}

render() {  # render TEMPLATE OUTPUT [VAR=value…]: the template with cluster.env and the values
  local template=$1 output=$2; shift 2
  env "$@" envsubst < "deploy/cluster/$template" > "$output"
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND…
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "cluster: $what not ready after ${seconds}s (logs in $LOG_DIR)" >&2; return 1
    fi
    sleep 0.5
  done
}

running() { [ -f "$RUN_DIR/$1.pid" ] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }

app_env() {  # what every app process (web, workers, beat, management commands) is given
  local sentinels="$SENTINEL1_HOST:$SENTINEL1_PORT,$SENTINEL2_HOST:$SENTINEL2_PORT,$SENTINEL3_HOST:$SENTINEL3_PORT"
  cat <<EOF
DATABASE_URL=postgres://$APP_DB_USER:$APP_DB_PASSWORD@$LB_HOST:$LB_PG_WRITE_PORT/$APP_DB_NAME
DATABASE_REPLICA_URL=postgres://$APP_DB_USER:$APP_DB_PASSWORD@$LB_HOST:$LB_PG_READ_PORT/$APP_DB_NAME
REDIS_SENTINELS=$sentinels
REDIS_SENTINEL_MASTER=$REDIS_MASTER_NAME
REDIS_URL=redis://$REDIS1_HOST:$REDIS1_PORT/0
SECRET_KEY_FILE=$ROOT/var/secret_key
SITE_PORT=$LB_HTTP_PORT
EMAIL_FILE_PATH=$CLUSTER_DIR/mail
CELERY_VISIBILITY_TIMEOUT_S=${CELERY_VISIBILITY_TIMEOUT_S:-30}
EGRESS_ALLOW_LOOPBACK=1
EGRESS_HTTPS_ONLY=0
EOF
}

start_daemon() {  # start_daemon NAME COMMAND…: in the background, its pid in run/NAME.pid
  local name=$1; shift
  running "$name" && return
  nohup "$@" >>"$LOG_DIR/$name.log" 2>&1 &
  echo $! > "$RUN_DIR/$name.pid"
}

start_patroni() {  # start_patroni NAME
  local name=$1
  if running "$name"; then  # a running node rereads its configuration (SIGHUP)
    kill -HUP "$(cat "$RUN_DIR/$name.pid")"
    return
  fi
  # The pid file is written by the shell that becomes Patroni (exec), as postgres.
  nohup runuser -u postgres -- sh -c "echo \$\$ > '$RUN_DIR/$name.pid'; exec patroni '$ETC_DIR/$name.yml'" \
    >>"$LOG_DIR/$name.log" 2>&1 &
  for _ in $(seq 1 20); do [ -s "$RUN_DIR/$name.pid" ] && break; sleep 0.1; done
}

psql_leader() {  # as postgres, over the leader's socket
  local port
  port=$(leader_port)
  runuser -u postgres -- psql -p "$port" -h /var/run/postgresql -v ON_ERROR_STOP=1 -Atq "$@"
}

leader_port() {
  if http_ok "http://$PG1_HOST:$PG1_REST_PORT/primary"; then echo "$PG1_PORT"; else echo "$PG2_PORT"; fi
}

start_database() {
  render etcd.yml.tmpl "$ETC_DIR/etcd.yml"
  start_daemon etcd etcd --config-file "$ETC_DIR/etcd.yml"
  wait_for 30 etcd http_ok "http://$ETCD_HOST:$ETCD_CLIENT_PORT/health"

  render pgbackrest.conf.tmpl "$ETC_DIR/pgbackrest.conf"
  for n in 1 2; do
    local host_var="PG${n}_HOST" port_var="PG${n}_PORT" rest_var="PG${n}_REST_PORT"
    render patroni.yml.tmpl "$ETC_DIR/pg$n.yml" NODE_NAME=pg$n NODE_HOST="${!host_var}" \
      NODE_PORT="${!port_var}" NODE_REST_PORT="${!rest_var}" NODE_DATA_DIR="$DATA_DIR/pg$n"
  done
  chown postgres:postgres "$ETC_DIR"/pg?.yml "$ETC_DIR/pgbackrest.conf"
  chmod 600 "$ETC_DIR"/pg?.yml
  start_patroni pg1
  wait_for 90 "the PostgreSQL leader" sh -c \
    "curl -fsS -o /dev/null --max-time 2 http://$PG1_HOST:$PG1_REST_PORT/primary || \
     curl -fsS -o /dev/null --max-time 2 http://$PG2_HOST:$PG2_REST_PORT/primary"
  start_patroni pg2
  wait_for 120 "the synchronous replica" sh -c \
    "curl -fsS -o /dev/null --max-time 2 http://$PG1_HOST:$PG1_REST_PORT/synchronous || \
     curl -fsS -o /dev/null --max-time 2 http://$PG2_HOST:$PG2_REST_PORT/synchronous"

  if ! psql_leader -d postgres -c "select 1 from pg_roles where rolname = '$APP_DB_USER'" | grep -q 1; then
    echo "cluster: creating role $APP_DB_USER and database $APP_DB_NAME"
    psql_leader -d postgres -c "CREATE ROLE \"$APP_DB_USER\" LOGIN PASSWORD '$APP_DB_PASSWORD'"
    psql_leader -d postgres -c "CREATE DATABASE \"$APP_DB_NAME\" OWNER \"$APP_DB_USER\""
    for extension in postgis pg_trgm unaccent; do
      psql_leader -d "$APP_DB_NAME" -c "CREATE EXTENSION IF NOT EXISTS $extension WITH SCHEMA public"
    done
  fi
  if [ ! -f "$DATA_DIR/backup/backup/archipel/backup.info" ]; then
    echo "cluster: pgBackRest stanza and first full backup"
    runuser -u postgres -- pgbackrest --config="$ETC_DIR/pgbackrest.conf" --stanza=archipel stanza-create
    runuser -u postgres -- pgbackrest --config="$ETC_DIR/pgbackrest.conf" --stanza=archipel \
      --type=full backup
  fi
}

start_redis() {
  local master_host=$REDIS1_HOST master_port=$REDIS1_PORT
  # A restarted cluster keeps the master Sentinel last chose.
  if [ -f "$RUN_DIR/redis-master" ]; then read -r master_host master_port < "$RUN_DIR/redis-master"; fi
  for n in 1 2; do
    local host_var="REDIS${n}_HOST" port_var="REDIS${n}_PORT" replicaof=""
    if [ "${!host_var}:${!port_var}" != "$master_host:$master_port" ]; then
      replicaof="replicaof $master_host $master_port"
    fi
    mkdir -p "$DATA_DIR/redis$n"
    render redis.conf.tmpl "$ETC_DIR/redis$n.conf" NODE_NAME=redis$n NODE_HOST="${!host_var}" \
      NODE_PORT="${!port_var}" NODE_REPLICAOF="$replicaof"
    running "redis$n" || redis-server "$ETC_DIR/redis$n.conf"
  done
  for n in 1 2 3; do
    local host_var="SENTINEL${n}_HOST" port_var="SENTINEL${n}_PORT"
    if ! running "sentinel$n"; then
      render sentinel.conf.tmpl "$ETC_DIR/sentinel$n.conf" NODE_NAME=sentinel$n \
        NODE_HOST="${!host_var}" NODE_PORT="${!port_var}" REDIS1_HOST="$master_host" \
        REDIS1_PORT="$master_port"
      redis-sentinel "$ETC_DIR/sentinel$n.conf"
    fi
  done
  wait_for 30 "Redis under Sentinel" sh -c \
    "redis-cli -h $SENTINEL1_HOST -p $SENTINEL1_PORT sentinel replicas $REDIS_MASTER_NAME | grep -q slave"
}

start_balancer() {
  local servers=""
  for n in $(seq 1 "$APP_NODES"); do
    local host_var="APP${n}_HOST" port_var="APP${n}_PORT"
    servers+="    server app$n ${!host_var}:${!port_var} check"$'\n'
  done
  render haproxy.cfg.tmpl "$ETC_DIR/haproxy.cfg" APP_SERVERS="$servers"
  printf 'HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nRetry-After: 2\r\nContent-Type: application/json\r\n\r\n{"error": "unavailable", "retry_after": 2}\n' \
    > "$ETC_DIR/503.http"
  haproxy -c -q -f "$ETC_DIR/haproxy.cfg"
  if ! running haproxy; then
    haproxy -D -f "$ETC_DIR/haproxy.cfg" -p "$RUN_DIR/haproxy.pid"
  elif ! cmp -s "$ETC_DIR/haproxy.cfg" "$RUN_DIR/haproxy.cfg"; then
    # Another set of app nodes (APP_NODES): a graceful reload, open connections finish.
    haproxy -D -f "$ETC_DIR/haproxy.cfg" -p "$RUN_DIR/haproxy.pid" -sf "$(cat "$RUN_DIR/haproxy.pid")"
  fi
  cp "$ETC_DIR/haproxy.cfg" "$RUN_DIR/haproxy.cfg"  # the configuration it runs
  wait_for 30 "HAProxy's write port" runuser -u postgres -- \
    psql "postgres://$APP_DB_USER:$APP_DB_PASSWORD@$LB_HOST:$LB_PG_WRITE_PORT/$APP_DB_NAME" -Atqc "select 1"
}

start_app() {
  app_env > "$ETC_DIR/app.env"
  set -a; source "$ETC_DIR/app.env"; set +a
  mkdir -p "$CLUSTER_DIR/mail"
  if [ ! -f "$RUN_DIR/app-ready" ]; then
    echo "cluster: migrating and loading the demo through HAProxy"
    "$PY" manage.py setup_archipel --port "$LB_HTTP_PORT"
    touch "$RUN_DIR/app-ready"
  fi
  for n in $(seq 1 "$APP_NODES"); do
    local host_var="APP${n}_HOST" port_var="APP${n}_PORT"
    start_daemon "app$n" .venv/bin/uvicorn archipel.asgi:application --host "${!host_var}" \
      --port "${!port_var}" --workers 1 --log-level warning --proxy-headers --ws-per-message-deflate false \
      --forwarded-allow-ips "$LB_HOST"
  done
  # Tasks are acknowledged after they ran (settings: CELERY_TASK_ACKS_LATE): a worker killed
  # mid-task leaves its task to the other one. Beat runs once, in its own process.
  for n in 1 2; do
    start_daemon "worker$n" .venv/bin/celery -A archipel worker -n "worker$n@%h" \
      --concurrency=1 --loglevel=warning
  done
  start_daemon beat .venv/bin/celery -A archipel beat --loglevel=warning \
    --schedule="$RUN_DIR/celerybeat-schedule"
  wait_for 60 "the app through HAProxy" http_ok "http://$LB_HOST:$LB_HTTP_PORT/healthz"
}

start() {
  install_packages
  mkdir -p "$ETC_DIR" "$RUN_DIR/pgbackrest" "$LOG_DIR" "$DATA_DIR/backup"
  chown postgres:postgres "$DATA_DIR" "$DATA_DIR/backup" "$RUN_DIR/pgbackrest" "$LOG_DIR" "$RUN_DIR"
  chmod 750 "$DATA_DIR/backup"
  start_database
  start_redis
  start_balancer
  start_app
  echo "cluster: up — the demo at http://localhost:$LB_HTTP_PORT/ (HAProxy stats:" \
    "http://$LB_HOST:$LB_STATS_PORT/stats); app settings in $ETC_DIR/app.env"
}

stop_pid() {  # stop_pid NAME [SIGNAL]: TERM, then KILL after 10 s
  local name=$1 pidfile="$RUN_DIR/$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

stop() {
  [ -d "$RUN_DIR" ] || { echo "cluster: not started"; return 0; }
  for name in beat worker1 worker2 app1 app2 app3 haproxy sentinel1 sentinel2 sentinel3; do
    stop_pid "$name"
  done
  # The master Sentinel chose is kept for the next start.
  local master
  master=$(redis-cli -h "$SENTINEL1_HOST" -p "$SENTINEL1_PORT" --raw \
    sentinel get-master-addr-by-name "$REDIS_MASTER_NAME" 2>/dev/null | paste -sd' ' || true)
  [ -n "$master" ] && echo "$master" > "$RUN_DIR/redis-master"
  for name in redis1 redis2 pg2 pg1; do stop_pid "$name"; done
  # PostgreSQL itself, should Patroni have been killed without stopping it.
  for n in 1 2; do
    local pidfile="$DATA_DIR/pg$n/postmaster.pid"
    if [ -f "$pidfile" ]; then
      local pid
      pid=$(head -1 "$pidfile")
      if kill -0 "$pid" 2>/dev/null; then
        runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$DATA_DIR/pg$n" -m fast stop -s || kill -KILL "$pid"
      fi
    fi
  done
  stop_pid etcd
  echo "cluster: stopped (data kept in $CLUSTER_DIR; 'make cluster-clean' removes it)"
}

status() {
  for name in etcd pg1 pg2 redis1 redis2 sentinel1 sentinel2 sentinel3 haproxy app1 app2 app3 \
              worker1 worker2 beat; do
    if running "$name"; then echo "$name: running (pid $(cat "$RUN_DIR/$name.pid"))"
    elif [ -f "$RUN_DIR/$name.pid" ]; then echo "$name: dead"; fi
  done
  curl -fsS --max-time 2 "http://$PG1_HOST:$PG1_REST_PORT/cluster" 2>/dev/null && echo || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) app_env ;;
  clean) stop; rm -rf "$(readlink -f "$ROOT/var/cluster")" "$ROOT/var/cluster" ;;
  *) echo "usage: $0 start|stop|status|env|clean" >&2; exit 2 ;;
esac
