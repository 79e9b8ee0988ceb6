#!/usr/bin/env bash
# Run every test:  ./test.sh
#   1. install missing tools            (scripts/setup.sh test)
#   2. format and lints                 (cargo fmt --check; cargo clippy --workspace --all-targets -D warnings;
#                                        cargo deny check licenses bans sources, deny.toml;
#                                        advisories when a local RustSec database is given: scripts/advisories.sh)
#   3. throwaway PostgreSQL             (scripts/pg.sh; stopped again at exit)
#   4. Rust tests, SQLite + PostgreSQL  (cargo nextest run --workspace, PINGAN_TEST_PG_URL set)
#   5. release build                    (cargo leptos build --release)
#   6. client size budgets              (scripts/size-report.sh: WASM+JS and CSS, brotli)
#   7. crash test: SIGKILL under submit load, short (scripts/crash-test.sh: 10 cycles SQLite, 5 PostgreSQL)
#   8. two nodes on one PostgreSQL behind nginx, one killed mid-load (scripts/two-node.sh 15)
#   9. Playwright end-to-end tests against the release server on a fresh SQLite database
# Exits non-zero on the first failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(pwd)"
# shellcheck source=scripts/env.sh
. scripts/env.sh

E2E_ADDR="${PINGAN_E2E_ADDR:-127.0.0.1:3917}"
E2E_URL="http://$E2E_ADDR"
START=$SECONDS
SERVER_PID=""
E2E_DIR=""
PG_STARTED=0

step() { printf '\n==> [%ss] %s\n' "$((SECONDS - START))" "$*"; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  [ -n "$E2E_DIR" ] && rm -rf "$E2E_DIR"
  [ "$PG_STARTED" = 1 ] && "$ROOT/scripts/pg.sh" stop || true
  local t=$((SECONDS - START))
  if [ "$rc" = 0 ]; then
    printf '\ntest.sh: all passed in %dm%02ds\n' $((t / 60)) $((t % 60))
  else
    printf '\ntest.sh: FAILED (exit %d) after %dm%02ds\n' "$rc" $((t / 60)) $((t % 60)) >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "setup"
scripts/setup.sh test
# A CI machine builds once from nothing: incremental caches would only cost disk (a full disk
# showed up as a linker bus error), so they are off there. Report the room left.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi
df -h "$ROOT" | tail -n 1 | awk '{print "disk: " $4 " free of " $2}'

step "format and lints (cargo fmt --check, cargo clippy -D warnings)"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
# Licences, banned crates and sources of the dependency tree. Not `advisories`: the RustSec
# database is on GitHub, which the build machines cannot reach. `--offline` stops cargo deny
# from fetching that database, but its `cargo metadata` then needs every crate of every target
# (the WebAssembly-only ones too) already downloaded: on a fresh machine clippy has fetched only
# the native ones, so fetch the rest first (quick when they are there).
cargo fetch --locked --quiet
cargo deny --offline --log-level error check licenses bans sources
# Advisories against a local copy of the RustSec database when there is one
# (PINGAN_ADVISORY_DB); said skipped otherwise.
scripts/advisories.sh --if-found

step "PostgreSQL"
PG_STARTED=1
PG_URL="$(scripts/pg.sh start)"
echo "$PG_URL"

step "Rust tests (cargo nextest run --workspace)"
PINGAN_TEST_PG_URL="$PG_URL" cargo nextest run --workspace

step "release build (cargo leptos build --release)"
cargo leptos build --release
# Compressed copies of the bundle, served instead of compressing each download (server/src/compress.rs).
target/release/pingan precompress target/site/pkg

df -h "$ROOT" | tail -n 1 | awk '{print "disk: " $4 " free of " $2}'

step "client bundle size"
scripts/size-report.sh

# Short versions; the full runs (50 cycles, longer load) are in docs/benchmarks.md and deploy.md.
step "crash test (scripts/crash-test.sh: 10 kill cycles on SQLite, 5 on PostgreSQL)"
scripts/crash-test.sh 10
scripts/crash-test.sh --pg 5

step "two nodes on one PostgreSQL behind nginx (scripts/two-node.sh 15)"
scripts/two-node.sh 15

step "end-to-end tests (Playwright, $E2E_URL)"
if curl -fsS -o /dev/null --max-time 2 "$E2E_URL/healthz" 2>/dev/null; then
  echo "test.sh: something is already answering on $E2E_ADDR; stop it or set PINGAN_E2E_ADDR" >&2
  exit 1
fi
E2E_DIR="$(mktemp -d -t pingan-e2e.XXXXXX)"
# The SMS stand-in (end2end/sms-gateway.ts, started by Playwright's global set-up): the portal's
# notifications go to it on loopback, so the receipt-recovery spec can read its one-time code.
SMS_PORT="${PINGAN_E2E_SMS_PORT:-3918}"
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$SMS_PORT/" 2>/dev/null; then
  echo "test.sh: something is already answering on 127.0.0.1:$SMS_PORT; stop it or set PINGAN_E2E_SMS_PORT" >&2
  exit 1
fi
export PINGAN_E2E_SMS_PORT="$SMS_PORT" PINGAN_E2E_SMS_FILE="$E2E_DIR/sms.jsonl"
E2E_DB="sqlite://$E2E_DIR/e2e.db?mode=rwc"
SERVER_LOG="$ROOT/target/e2e-server.log"   # kept after the run for post-mortems
# Staff accounts the Playwright specs sign in with (end2end/tests/staff/helpers.ts), made with
# the real CLI (password on stdin); the first call also loads the demo city and legal content,
# which needs PINGAN_DEMO=1 (off by default).
export PINGAN_DEMO=1
export PINGAN_E2E_PASSWORD="${PINGAN_E2E_PASSWORD:-e2e correct horse battery}"
for account in "e2e-grid U-HD010101 grid_worker" "e2e-community U-HD0101 unit_handler" \
               "e2e-street U-HD01 dispatcher" "e2e-district U-HD dispatcher" "e2e-hrss D-HD-hrss unit_handler" \
               "e2e-admin U-SF admin"; do
  read -r user unit role <<<"$account"
  printf '%s\n' "$PINGAN_E2E_PASSWORD" | DATABASE_URL="$E2E_DB" target/release/pingan create-staff \
    --username "$user" --unit "$unit" --role "$role" >/dev/null
done
DATABASE_URL="$E2E_DB" \
LEPTOS_SITE_ROOT=target/site \
LEPTOS_SITE_PKG_DIR=pkg \
LEPTOS_OUTPUT_NAME=pingan \
LEPTOS_ENV=PROD \
LEPTOS_SITE_ADDR="$E2E_ADDR" \
PINGAN_RATE_LIMIT_TRACK=1000 \
PINGAN_RATE_LIMIT_STATS=1000 \
PINGAN_RATE_LIMIT_OPEN311_READS=1000 \
PINGAN_RATE_LIMIT_SUBMIT=1000 \
PINGAN_RATE_LIMIT_LOGIN_IP=1000 \
PINGAN_RATE_LIMIT_RECOVER=1000 \
PINGAN_NOTIFY="webhook:http://127.0.0.1:$SMS_PORT/sms" \
PINGAN_WEBHOOK_SECRET=e2e-only \
PINGAN_OUTBOX_EVERY_SECS=1 \
  target/release/pingan serve >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

ready=0
for _ in $(seq 1 120); do
  if curl -fsS -o /dev/null --max-time 2 "$E2E_URL/healthz" 2>/dev/null; then ready=1; break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.5
done
if [ "$ready" != 1 ]; then
  echo "test.sh: server did not answer $E2E_URL/healthz within 60 s; log:" >&2
  tail -n 50 "$SERVER_LOG" >&2 || true
  exit 1
fi

if ! (cd end2end && BASE_URL="$E2E_URL" npx --no-install playwright test); then
  echo "test.sh: Playwright failed; server log tail ($SERVER_LOG):" >&2
  tail -n 50 "$SERVER_LOG" >&2 || true
  exit 1
fi
