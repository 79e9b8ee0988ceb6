#!/usr/bin/env bash
# Issue 12's figures at scale: seeds a SQLite database with N synthetic appeals (default
# 1,000,000, scripts/bench/seed_appeals.py) plus 100,000 in one community, starts the release
# server on it (127.0.0.1 only), and prints the time of
#   /stats for the city and a district (last month and last year): the first request (those
#   already read by the warm-up job; other periods a database read), the next ones
#   (the one-minute public cache) and the same a minute later (stale-while-revalidate),
#   /staff/ledger.csv of the community's 100,000+ rows (streamed: rows/s and the server's RSS),
# each by curl's time_total. Goals: /stats ≤ 300 ms on a warm database; the ledger ≥ 50,000
# rows/s with memory flat.
#
#   scripts/bench/stats.sh [N] [BINARY]     (BINARY default target/release/pingan; build it first)
#
# With PINGAN_BENCH_PG_URL (a PostgreSQL server's URL, e.g. scripts/pg.sh's), the same seeded rows
# are copied into a new database on it (migrated by the binary; dropped at the end) and the
# server runs on PostgreSQL instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
N="${1:-1000000}"
BIN="${2:-target/release/pingan}"
[ -x "$BIN" ] || { echo "no $BIN: run cargo leptos build --release first" >&2; exit 1; }
DIR="$(mktemp -d -t pingan-stats-bench.XXXXXX)"
DB="$DIR/bench.db"
PORT="${PINGAN_BENCH_PORT:-39581}"
URL="http://127.0.0.1:$PORT"
PASS="bench correct horse battery"
PGDB="pingan_stats_bench_$$"
cleanup() {
  kill "${PID:-0}" 2>/dev/null || true
  wait "${PID:-0}" 2>/dev/null || true
  [ -n "${PINGAN_BENCH_PG_URL:-}" ] && psql "$PINGAN_BENCH_PG_URL" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1
  rm -rf "$DIR"
}
trap cleanup EXIT

export PINGAN_DEMO=1 DATABASE_URL="sqlite://$DB?mode=rwc"
printf '%s\n' "$PASS" | "$BIN" create-staff --username bench-community --unit U-HD0101 --role unit_handler >/dev/null
echo "seeding $N appeals + ${PINGAN_BENCH_COMMUNITY:-100000} in U-HD0101 ..."
t0=$(date +%s)
python3 scripts/bench/seed_appeals.py "$DB" "$N"
python3 scripts/bench/seed_appeals.py "$DB" "${PINGAN_BENCH_COMMUNITY:-100000}" U-HD0101
echo "seeded in $(( $(date +%s) - t0 )) s; $(du -h "$DB" | cut -f1)"
ENGINE=SQLite
if [ -n "${PINGAN_BENCH_PG_URL:-}" ]; then
  psql "$PINGAN_BENCH_PG_URL" -qc "CREATE DATABASE $PGDB" >/dev/null
  PG="${PINGAN_BENCH_PG_URL%/*}/$PGDB"
  t0=$(date +%s)
  printf '%s\n' "$PASS" | DATABASE_URL="$PG" "$BIN" create-staff --username bench-community --unit U-HD0101 --role unit_handler >/dev/null
  # The seeded tables, column by column as SQLite has them (the events' ids are PostgreSQL's own).
  for t in appeals appeal_events ratings appeal_notices; do
    cols=$(sqlite3 "$DB" "SELECT group_concat(name, ', ') FROM pragma_table_info('$t') WHERE NOT ('$t' = 'appeal_events' AND name = 'id')")
    sqlite3 -csv "$DB" "SELECT $cols FROM $t" | psql "$PG" -v ON_ERROR_STOP=1 -qc "\\copy $t ($cols) FROM pstdin WITH (FORMAT csv)"
  done
  psql "$PG" -qc "VACUUM ANALYZE" >/dev/null
  echo "copied to PostgreSQL in $(( $(date +%s) - t0 )) s; $(psql "$PG" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")"
  export DATABASE_URL="$PG"
  ENGINE=PostgreSQL
fi

LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=pingan \
  LEPTOS_ENV=PROD PINGAN_SECURE_COOKIES=0 PINGAN_SUPERVISION_EVERY_SECS=0 PINGAN_OUTBOX_EVERY_SECS=0 PINGAN_RATE_LIMIT_STATS=1000 \
  "$BIN" serve >"$DIR/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do curl -fsS "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$PID/status"; }
echo "server up on $ENGINE (migrations applied); RSS $(rss)"

Y=$(date +%Y); M=$((10#$(date +%m)))
# The public sees months, quarters and years that have ended (domain::stats::Period::public_at):
# the last month over (LY-LM), last year, and a quarter two before the current one.
if [ "$M" = 1 ]; then LY=$((Y - 1)); LM=12; else LY=$Y; LM=$((M - 1)); fi
K=$((Y * 4 + (M - 1) / 3 - 2)); QY=$((K / 4)); QQ=$((K % 4 + 1))
timeit() { curl -s -o /dev/null -w '%{http_code} %{time_total}' "$URL$1"; }
# The cold case: a period nobody asked for before the job counted and kept it (right after a
# start on a new database, while the job is counting the last month, quarter and year over).
COLD="/stats?period=quarter&year=$QY&quarter=$QQ"
printf '\n%s right after the start (not counted yet, the job counting beside it): HTTP %s s\n' "$COLD" "$(timeit "$COLD")"
# The job (stats::warm and stats::fill) counts every month, quarter and year over since the first
# appeal and keeps them in the database: wait until it says none is left.
t0=$(date +%s)
for _ in $(seq 1 "${PINGAN_BENCH_FILL_WAIT:-600}"); do grep -q 'ended periods counted and kept.* left=0' "$DIR/server.log" && break; sleep 1; done
KEPT_SQL="SELECT count(*), sum(length(figures)) / count(*) / 1024 FROM stats_snapshots"
if [ "$ENGINE" = PostgreSQL ]; then kept=$(psql "$DATABASE_URL" -Atc "$KEPT_SQL"); else kept=$(sqlite3 "$DB" "$KEPT_SQL"); fi
echo "the job counted every public period in $(( $(date +%s) - t0 )) s after that request (runs: $(grep -o 'counted=[0-9]* left=[0-9]* ms=[0-9]*' "$DIR/server.log" | paste -sd' ')); kept: ${kept%%|*} periods, ${kept#*|} KB of JSON each"
# Kept, never read by this node: two months and a quarter further back.
K3=$((K - 1)); M3=$(( (M + 8) % 12 + 1 )); M3Y=$(( M <= 3 ? Y - 1 : Y )); M5=$(( (M + 6) % 12 + 1 )); M5Y=$(( M <= 5 ? Y - 1 : Y ))
PAGES=("/stats" "/stats?region=HD" "/stats?period=year&year=$((Y - 1))" "/stats?region=HD&period=year&year=$((Y - 1))"
       "/stats?region=HD0101&period=month&year=$LY&month=$LM" "$COLD"
       "/stats?period=month&year=$M3Y&month=$M3" "/stats?region=HD&period=month&year=$M5Y&month=$M5"
       "/stats?period=quarter&year=$((K3 / 4))&quarter=$((K3 % 4 + 1))")
printf '\n| page | first request | then (cache), 3 runs |\n|---|---|---|\n'
for q in "${PAGES[@]}"; do
  first=$(timeit "$q")
  then=$(for _ in 1 2 3; do timeit "$q" | cut -d' ' -f2; done | paste -sd' ')
  printf '| `%s` | %s s | %s s |\n' "$q" "${first#* }" "$then"
done
# Past the cache minute the last figures are shown while one read runs in the background.
sleep 61
printf '\n| page | a minute later (stale figures, read again behind), 3 runs |\n|---|---|\n'
for q in "${PAGES[@]}"; do
  printf '| `%s` | %s s |\n' "$q" "$(for _ in 1 2 3; do timeit "$q" | cut -d' ' -f2; done | paste -sd' ')"
done

# The ledger: sign in as the community (a unit handler: no second factor), export its scope.
JAR="$DIR/jar"
page=$(curl -s -c "$JAR" -b "$JAR" "$URL/staff/login")
csrf=$(printf '%s' "$page" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//; s/"//')
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf=$csrf" --data-urlencode "username=bench-community" \
  --data-urlencode "password=$PASS" "$URL/staff/login"
before=$(rss)
out=$(curl -s -b "$JAR" -o "$DIR/ledger.csv" -w '%{http_code} %{time_total} %{size_download}' "$URL/staff/ledger.csv?status=")
read -r code secs bytes <<<"$out"
if [ "$code" != 200 ]; then
  # Say why instead of ending without a figure (a 1M run once did, exit 1 from the count below).
  echo "ledger.csv: HTTP $code after $secs s ($bytes bytes); server log tail:" >&2
  tail -n 20 "$DIR/server.log" >&2
  exit 1
fi
rows=$(( $(grep -c $'\r$' "$DIR/ledger.csv" || true) - 1 ))
echo
echo "ledger.csv: HTTP $code, $rows rows, $bytes bytes in $secs s = $(awk -v r="$rows" -v s="$secs" 'BEGIN{printf "%d", r/s}') rows/s; server RSS $before -> $(rss)"
