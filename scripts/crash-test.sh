#!/usr/bin/env bash
# SIGKILL crash test under submit load: nothing the server acknowledged may be lost.
#
#   scripts/crash-test.sh [--pg] [CYCLES]      (CYCLES default $CRASH_CYCLES or 50)
#
# On a fresh database (SQLite in a temp dir, or with --pg a throwaway database on the
# scripts/pg.sh server, which is started if needed and stopped again only if this script
# started it), each cycle:
#   1. starts `pingan serve` (the demo city is loaded on the first start) and waits for /healthz;
#   2. runs scripts/load/submit_load.py: THREADS threads submitting appeals through Open311
#      (POST /open311/v2/requests.json) and through the resident wizard without JavaScript
#      (form posts with a cookie jar, then the receipt page); an appeal is ACKNOWLEDGED only when
#      the server answered success (Open311: 200/201 with an id; wizard: the redirect to the
#      receipt and the receipt page showing the ticket), and its ticket is then appended to the
#      acks file, flushed and fsynced per line;
#   3. after a random 0.5–2.5 s of load, `kill -9` the server, waits for it, stops the load;
#      wizard submissions that got no answer are submitted again (same draft, same cookie) in the
#      next cycle, and once more at the end: the draft token is the idempotency key, so that must
#      give the same receipt and never a second appeal;
# then starts the server once more on the same database and checks (scripts/load/check_acks.py)
# that every acknowledged ticket is an appeal carrying the marker it was sent with, that no
# submission was stored twice or half (appeal without its first event, notification or draft
# receipt, or the reverse), `PRAGMA integrity_check` + `foreign_key_check` (SQLite), and
# `pingan audit verify`. Exits non-zero on any loss or integrity failure.
#
# Knobs (environment): PINGAN_BIN (default target/release/pingan), CRASH_CYCLES, CRASH_PORT
# (3941), CRASH_THREADS (12), CRASH_START_TIMEOUT (seconds to wait for /healthz, 90),
# CRASH_KEEP=1 (keep the temp dir with logs; it is also kept on failure).
# Bounded: every wait has a time-out, every request one too; the server and the load are killed
# at exit. Only 127.0.0.1 is used.
#
# What it proves: an answer is sent only after the commit (a killed process loses nothing it
# acknowledged) and a submission is one transaction. It kills the app, not the database or the
# machine: power loss is covered by fsync (SQLite synchronous=FULL, PostgreSQL fsync=on), which
# this does not exercise — and scripts/pg.sh's throwaway server runs with fsync off.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
BIN="${PINGAN_BIN:-target/release/pingan}"
ENGINE=sqlite
CYCLES="${CRASH_CYCLES:-50}"
for a in "$@"; do
  case "$a" in
    --pg) ENGINE=postgres ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *[!0-9]*|'') echo "usage: $0 [--pg] [CYCLES]" >&2; exit 2 ;;
    *) CYCLES="$a" ;;
  esac
done
PORT="${CRASH_PORT:-3941}"
THREADS="${CRASH_THREADS:-12}"
START_TIMEOUT="${CRASH_START_TIMEOUT:-90}"
URL="http://127.0.0.1:$PORT"
[ -x "$BIN" ] || { echo "crash-test: no binary at $BIN (set PINGAN_BIN)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "crash-test: python3 is needed" >&2; exit 2; }
command -v curl >/dev/null || { echo "crash-test: curl is needed" >&2; exit 2; }

WORK="$(mktemp -d -t pingan-crash.XXXXXX)"
SERVER_PID=""
LOAD_PID=""
PG_STARTED=0
PG_DB=""
PG_ADMIN_URL=""
START=$SECONDS
FAILED=1

log() { printf '[crash %3ss] %s\n' "$((SECONDS - START))" "$*"; }

# Kills a process we started, waits for it at most $2 seconds after the signal.
stop_pid() {
  local pid=$1 sig=${2:-TERM} limit=${3:-30} i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$LOAD_PID" TERM 20
  stop_pid "$SERVER_PID" TERM 15
  if [ -n "$PG_DB" ]; then
    psql -X -q -d "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 \
      || echo "crash-test: could not drop database $PG_DB" >&2
  fi
  [ "$PG_STARTED" = 1 ] && { "$ROOT/scripts/pg.sh" stop || true; }
  if [ "$rc" = 0 ] && [ "$FAILED" = 0 ] && [ "${CRASH_KEEP:-0}" != 1 ]; then
    rm -rf "$WORK"
  else
    echo "crash-test: logs kept in $WORK" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$ENGINE" = postgres ]; then
  command -v psql >/dev/null || { echo "crash-test: psql is needed for --pg" >&2; exit 2; }
  if ! scripts/pg.sh status >/dev/null 2>&1; then PG_STARTED=1; fi
  PG_ADMIN_URL="$(scripts/pg.sh start)"
  PG_DB="pingan_crash_$$"
  psql -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN_URL" -c "CREATE DATABASE $PG_DB" >/dev/null
  DB_URL="${PG_ADMIN_URL%/*}/$PG_DB"
else
  DB_URL="sqlite://$WORK/crash.db?mode=rwc"
fi
export DATABASE_URL="$DB_URL"
log "engine $ENGINE, $CYCLES cycles, $THREADS threads, binary $BIN, work dir $WORK"

# The Open311 client's key (creates the schema; the demo city comes with the first serve).
KEY="$("$BIN" open311-key create --name crash 2>"$WORK/key.err" | tail -n 1)" \
  || { cat "$WORK/key.err" >&2; exit 1; }
case "$KEY" in p311_*) ;; *) echo "crash-test: no API key from open311-key create" >&2; cat "$WORK/key.err" >&2; exit 1 ;; esac

start_server() {
  local n=$1 i
  PINGAN_DEMO=1 \
  LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=pingan LEPTOS_ENV=PROD \
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" \
  PINGAN_RATE_LIMIT_OPEN311=10000000 PINGAN_RATE_LIMIT_OPEN311_READS=10000000 PINGAN_RATE_LIMIT_SUBMIT=10000000 PINGAN_RATE_LIMIT_TRACK=10000000 \
  PINGAN_ARGON2="64,1,1" PINGAN_OUTBOX_EVERY_SECS=1 RUST_LOG="${RUST_LOG:-warn}" \
    "$BIN" serve >>"$WORK/server-$n.log" 2>&1 &
  SERVER_PID=$!
  for ((i = 0; i < START_TIMEOUT * 4; i++)); do
    if curl -fsS -o /dev/null --max-time 2 "$URL/healthz" 2>/dev/null; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      wait "$SERVER_PID" 2>/dev/null || true
      SERVER_PID=""
      echo "crash-test: the server (start $n) exited; log:" >&2
      tail -n 30 "$WORK/server-$n.log" >&2
      return 1
    fi
    sleep 0.25
  done
  echo "crash-test: the server (start $n) did not answer /healthz within ${START_TIMEOUT}s; log:" >&2
  tail -n 30 "$WORK/server-$n.log" >&2
  return 1
}

: >"$WORK/acks.tsv"
: >"$WORK/attempts.tsv"
for ((cycle = 1; cycle <= CYCLES; cycle++)); do
  t0=$SECONDS
  start_server "$cycle"
  python3 scripts/load/submit_load.py --target "$URL" --api-key "$KEY" --threads "$THREADS" \
    --acks "$WORK/acks.tsv" --attempts "$WORK/attempts.tsv" --pending "$WORK/pending.tsv" \
    --seconds 60 --timeout 10 --ready "$WORK/ready-$cycle" >"$WORK/load-$cycle.json" 2>"$WORK/load-$cycle.err" &
  LOAD_PID=$!
  # The random pause counts from when the load runs (Python may start slowly on a busy machine).
  for ((i = 0; i < 300; i++)); do
    [ -e "$WORK/ready-$cycle" ] && break
    kill -0 "$LOAD_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -e "$WORK/ready-$cycle" ] || { echo "crash-test: the load generator did not start:" >&2; cat "$WORK/load-$cycle.err" >&2; exit 1; }
  pause="$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.5 + 2.0 * r / 32767 }')"
  sleep "$pause"
  if ! kill -KILL "$SERVER_PID" 2>/dev/null; then
    echo "crash-test: the server died on its own during cycle $cycle; log:" >&2
    tail -n 30 "$WORK/server-$cycle.log" >&2
    exit 1
  fi
  # A SIGKILLed process cannot linger; wait is bounded by the kernel reaping it.
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  stop_pid "$LOAD_PID" TERM 30
  LOAD_PID=""
  if [ ! -s "$WORK/load-$cycle.json" ]; then
    echo "crash-test: the load generator of cycle $cycle reported nothing:" >&2
    cat "$WORK/load-$cycle.err" >&2
    exit 1
  fi
  log "cycle $cycle/$CYCLES: killed after ${pause}s of load ($((SECONDS - t0))s): $(cat "$WORK/load-$cycle.json")"
done

log "restarting on the crashed database for the checks"
start_server final
# Wizard submissions left in doubt by the last kill: submitted again, as their residents would.
python3 scripts/load/submit_load.py --target "$URL" --api-key "$KEY" --threads 4 --retry-only \
  --acks "$WORK/acks.tsv" --attempts "$WORK/attempts.tsv" --pending "$WORK/pending.tsv" \
  --seconds 60 --timeout 10 >"$WORK/load-final.json" 2>"$WORK/load-final.err" \
  || { cat "$WORK/load-final.err" >&2; exit 1; }
log "in-doubt wizard drafts submitted again: $(cat "$WORK/load-final.json")"
ACKED=$(wc -l <"$WORK/acks.tsv")
if [ "$ENGINE" = postgres ]; then
  CHECK_DB=(--pg-url "$DB_URL")
else
  CHECK_DB=(--sqlite "$WORK/crash.db" --integrity)
fi
check_rc=0
python3 scripts/load/check_acks.py --acks "$WORK/acks.tsv" --attempts "$WORK/attempts.tsv" "${CHECK_DB[@]}" \
  >"$WORK/check.json" || check_rc=$?
cat "$WORK/check.json"
audit_rc=0
"$BIN" audit verify >"$WORK/audit.txt" 2>&1 || audit_rc=$?
AUDIT="$(tr '\n' ' ' <"$WORK/audit.txt")"
PANICS=$(cat "$WORK"/server-*.log | grep -c "panicked" || true)

summary="$(python3 - "$WORK/check.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
print(f"acknowledged {c['acknowledged']} ({', '.join(f'{k} {v}' for k, v in sorted(c['acknowledged_by_path'].items()))}), "
      f"lost {c['lost']}, wrong ticket {c['wrong_ticket']}, duplicates {c['duplicate_markers']}, "
      f"half-stored {sum(c['atomicity'].values())}, "
      f"stored but unacknowledged {c['unacknowledged_but_stored']}, appeals in db {c['appeals_in_db']}, "
      f"integrity {c.get('integrity_check', 'n/a (PostgreSQL)')}, foreign-key violations {c.get('foreign_key_violations', 'n/a')}")
EOF
)" || summary="(no summary: check_acks failed to report)"
echo
echo "crash-test ($ENGINE): $CYCLES cycles in $((SECONDS - START))s; $summary; audit: $AUDIT; panics in server logs: $PANICS"
if [ "$check_rc" != 0 ] || [ "$audit_rc" != 0 ] || [ "$ACKED" = 0 ]; then
  [ "$ACKED" = 0 ] && echo "crash-test: FAILED: nothing was acknowledged (no load reached the server)" >&2
  echo "crash-test: FAILED" >&2
  exit 1
fi
FAILED=0
echo "crash-test: PASSED"
