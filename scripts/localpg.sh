#!/usr/bin/env bash
# The project's own PostGIS cluster, in .pgdata/ (git-ignored): used when DATABASE_URL is unset.
#   localpg.sh start  -> create the cluster and the database if needed, start it (idempotent)
#   localpg.sh stop   -> stop it
#   localpg.sh status
# Port: RADAR_PG_PORT (default 54329). Listens on 127.0.0.1 only, trust authentication.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=${RADAR_PG_PORT:-54329}
data="$root/.pgdata/data"
log="$root/.pgdata/server.log"
bin="/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -1)/bin"

# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

init() {
  mkdir -p "$root/.pgdata"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$root/.pgdata"
  echo "Creating the local PostGIS cluster in .pgdata/ (port $port)"
  as_owner "$bin/initdb" -D "$data" -U radar --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
}

start() {
  [ -f "$data/PG_VERSION" ] || init
  if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "Port $port is already taken (another PostgreSQL? another checkout's cluster?)." >&2
      echo "Stop it, or choose another port: RADAR_PG_PORT=54330 make ..." >&2
      exit 1
    fi
    as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start \
      -o "-p $port -k $root/.pgdata -c listen_addresses=127.0.0.1 -c synchronous_commit=off" >/dev/null
  fi
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U radar -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'radar'" | grep -q 1; then
    "$bin/psql" -h 127.0.0.1 -p "$port" -U radar -d postgres -qc "CREATE DATABASE radar"
  fi
  "$bin/psql" -h 127.0.0.1 -p "$port" -U radar -d radar -q \
    -c "SET client_min_messages TO warning" -c "CREATE EXTENSION IF NOT EXISTS postgis"
}

stop() {
  [ -f "$data/PG_VERSION" ] || return 0
  as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  echo "Local PostGIS cluster stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) as_owner "$bin/pg_ctl" -D "$data" status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
