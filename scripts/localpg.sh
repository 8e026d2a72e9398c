#!/usr/bin/env bash
# The project's own PostGIS cluster: used when DATABASE_URL is unset.
#   localpg.sh start  -> create the cluster and the database if needed, start it (idempotent)
#   localpg.sh stop   -> stop it
#   localpg.sh status
#   localpg.sh dir    -> print the cluster's folder
# Port: RADAR_PG_PORT (default 54329). Listens on 127.0.0.1 only, trust authentication.
#
# Where the cluster lives (PostgreSQL refuses to run as root: as root it runs as the postgres
# user, who must be able to reach its folder):
#   - RADAR_PG_DIR when set;
#   - otherwise .pgdata/ in the checkout (git-ignored), when the postgres user can reach the
#     checkout, or when not root (the cluster then belongs to you);
#   - otherwise (root, in a checkout the postgres user cannot traverse, such as a clone under
#     /root/ or in `mktemp -d`) a folder of the postgres user keyed by the checkout's path,
#     ~postgres/radar-<hash>/, with .pgdata/ a symbolic link to it.
#
# Commits are synchronous: an acknowledged write survives a crash (`pg_ctl stop -m immediate`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd -P)
port=${RADAR_PG_PORT:-54329}
bin="/usr/lib/postgresql/$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)/bin"
is_root() { [ "$(id -u)" -eq 0 ]; }

# From /, which postgres can always enter (the checkout may be closed to it).
as_owner() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

cluster_dir() {
  if [ -n "${RADAR_PG_DIR:-}" ]; then
    echo "$RADAR_PG_DIR"
  elif ! is_root || runuser -u postgres -- test -x "$root" 2>/dev/null; then
    echo "$root/.pgdata"
  else
    local home
    home=$(getent passwd postgres | cut -d: -f6)
    echo "$home/radar-$(printf %s "$root" | sha256sum | cut -c1-12)"
  fi
}

dir=$(cluster_dir)
data="$dir/data"
log="$dir/server.log"

require_binaries() {
  if [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL is not installed: run scripts/system-packages.sh run (as root) first." >&2
    exit 1
  fi
  if is_root && ! id postgres >/dev/null 2>&1; then
    echo "As root the cluster runs as the postgres user, who is missing: reinstall postgresql." >&2
    exit 1
  fi
}

init() {
  require_binaries
  mkdir -p "$dir"
  if is_root; then
    chown postgres: "$dir"
    # A link in the checkout, so that .pgdata/server.log is found where it always was.
    [ "$dir" != "$root/.pgdata" ] && [ ! -e "$root/.pgdata" ] && ln -s "$dir" "$root/.pgdata"
  fi
  echo "Creating the local PostGIS cluster in $dir (port $port)"
  if ! as_owner "$bin/initdb" -D "$data" -U radar --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    echo "initdb could not write $data: the user running PostgreSQL (postgres, as root)" \
      "needs write access there; set RADAR_PG_DIR to a folder it can write." >&2
    exit 1
  fi
}

start() {
  [ -f "$data/PG_VERSION" ] || init
  if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "Port $port is already taken (another PostgreSQL? another checkout's cluster?)." >&2
      echo "Stop it, or choose another port: RADAR_PG_PORT=54330 make ..." >&2
      exit 1
    fi
    # The socket goes in the cluster's folder, which its owner can always write.
    if ! as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1" >/dev/null; then
      tail -n 5 "$log" >&2
      echo "The local cluster in $dir did not start (log above, in $log)." >&2
      exit 1
    fi
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
  dir) echo "$dir" ;;
  *) echo "usage: $0 start|stop|status|dir" >&2; exit 2 ;;
esac
