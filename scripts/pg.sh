#!/usr/bin/env bash
# Throwaway PostgreSQL for the tests (never for real data: fsync is off, auth is trust).
#
#   scripts/pg.sh start    init (first time) and start; prints the URL. Already running: prints the URL.
#   scripts/pg.sh stop     stop it (data dir kept)
#   scripts/pg.sh url      print postgres://postgres@127.0.0.1:54329/postgres
#   scripts/pg.sh status   exit 0 when running
#   scripts/pg.sh destroy  stop and delete the data dir
#
# Listens on 127.0.0.1 only; the unix socket lives in the data dir.
# Knobs: PINGAN_PG_DIR (default /tmp/pingan-pg), PINGAN_PG_PORT (default 54329),
#        PINGAN_PG_BIN (default: newest /usr/lib/postgresql/*/bin — Debian's server; note that
#        /usr/local/bin/pg_ctl may be a different build, so it is not used).
# Run as root, the server runs as the `postgres` OS user; run as anyone else, as that user.
set -euo pipefail

PGDIR="${PINGAN_PG_DIR:-/tmp/pingan-pg}"
PORT="${PINGAN_PG_PORT:-54329}"
HOST=127.0.0.1
URL="postgres://postgres@$HOST:$PORT/postgres"
LOG="$PGDIR.log"   # outside the data dir so initdb gets an empty directory

die() { echo "pg.sh: $*" >&2; exit 1; }

find_bin() {
  if [ -n "${PINGAN_PG_BIN:-}" ]; then echo "$PINGAN_PG_BIN"; return; fi
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  [ -n "$d" ] || die "no PostgreSQL server under /usr/lib/postgresql (run: scripts/setup.sh test)"
  echo "$d"
}

# Run a command as the database OS user, from a directory that user can read.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

is_running() {
  [ -f "$PGDIR/PG_VERSION" ] && as_pg "$BIN/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1
}

init_cluster() {
  local major
  major="$("$BIN/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)?.*/\1/')"
  if [ -f "$PGDIR/PG_VERSION" ] && [ "$(cat "$PGDIR/PG_VERSION")" = "$major" ]; then
    return
  fi
  # Missing, half-made or from another major version: it is throwaway, start over.
  rm -rf "$PGDIR"
  mkdir -p "$PGDIR"
  chmod 700 "$PGDIR"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "OS user 'postgres' does not exist (apt-get install postgresql)"
    chown postgres: "$PGDIR"
    : >"$LOG"; chown postgres: "$LOG"
  fi
  as_pg "$BIN/initdb" -D "$PGDIR" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null \
    || die "initdb failed"
  cat >>"$PGDIR/postgresql.conf" <<CONF

# --- pingan throwaway test server (scripts/pg.sh) ---
listen_addresses = '$HOST'
port = $PORT
unix_socket_directories = '$PGDIR'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
}

cmd="${1:-}"
case "$cmd" in
  url)
    echo "$URL" ;;
  start)
    BIN="$(find_bin)"
    if is_running; then echo "$URL"; exit 0; fi
    init_cluster
    if [ "$(id -u)" = 0 ]; then touch "$LOG"; chown postgres: "$LOG"; fi
    if ! as_pg "$BIN/pg_ctl" -D "$PGDIR" -l "$LOG" -w -t 60 start >/dev/null; then
      echo "pg.sh: PostgreSQL failed to start; log $LOG:" >&2
      tail -n 20 "$LOG" >&2 || true
      exit 1
    fi
    echo "$URL" ;;
  stop)
    BIN="$(find_bin)"
    if is_running; then
      as_pg "$BIN/pg_ctl" -D "$PGDIR" -m fast -w stop >/dev/null
    fi ;;
  status)
    BIN="$(find_bin)"
    if is_running; then echo "running: $URL"; else echo "not running"; exit 1; fi ;;
  destroy)
    "$0" stop
    rm -rf "$PGDIR" "$LOG" ;;
  *)
    echo "usage: $0 start|stop|url|status|destroy" >&2; exit 2 ;;
esac
