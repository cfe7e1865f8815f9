#!/usr/bin/env bash
# Starts (or reuses) a throwaway PostgreSQL server for the tests and prints its URL.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user in a
# temporary data directory that user owns.
#   .ci/postgres.sh start   → prints postgresql://postgres@127.0.0.1:$PORT/postgres
#   .ci/postgres.sh stop
set -euo pipefail
PORT="${PEKEN_PG_PORT:-55432}"
DIR="${PEKEN_PG_DIR:-/tmp/peken-pg-$PORT}"
bin() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}
BIN="$(bin)"
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
case "${1:-start}" in
  start)
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
      useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    if ! as_pg "'$BIN/pg_ctl' -D '$DIR' status" >/dev/null 2>&1; then
      if [ ! -f "$DIR/PG_VERSION" ]; then
        rm -rf "$DIR"; mkdir -p "$DIR"
        [ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
        as_pg "'$BIN/initdb' -D '$DIR' -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
      fi
      as_pg "'$BIN/pg_ctl' -D '$DIR' -l '$DIR/server.log' -w -o \"-p $PORT -k '$DIR' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start" >/dev/null
    fi
    echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    as_pg "'$BIN/pg_ctl' -D '$DIR' -m fast stop" >/dev/null 2>&1 || true
    ;;
esac
