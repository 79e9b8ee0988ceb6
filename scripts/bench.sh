#!/usr/bin/env bash
# Throughput and memory figures of the release server, side by side, in one run:
#
#   scripts/bench.sh
#
# Starts the release binary (PINGAN_BIN, default target/release/pingan) on a fresh SQLite
# database with the demo city, on 127.0.0.1 only, and measures (wrk, nginx, python3, curl):
#   1. durable appeals/s: Open311 POST /open311/v2/requests.json, 16 connections, 2 threads,
#      15 s (req/s, p50, p99; any non-2xx answer or socket error fails the run);
#   2. the disk's raw durable-commit rate: one-row INSERT + COMMIT in SQLite (WAL,
#      synchronous=FULL) in the database's directory, 5 s; ratio (1)/(2);
#   3. a legal article page (GET /legal/articles/<first article linked from /legal>) and
#   4. the home page GET /, each against nginx serving the same bytes (the portal's identity
#      body and its response headers, fetched once), 32 connections, 2 threads, 10 s each;
#   5. the server's RSS (VmRSS) at idle, then during a mixed load of BENCH_MIXED requests
#      (default 1,000,000; 16 connections) rotating over /, the article, /track,
#      /open311/v2/services.json and the Open311 POST: sampled every 0.5 s with the count of
#      answers so far, reported after 10 %, 50 % and all of them; stopped at BENCH_MIXED_SECS
#      (default 200 s) if not done by then, and the table says so;
#   6. the JavaScript + WebAssembly /legal and the article page make the browser load (raw,
#      gzip -9, brotli -q 11 bytes) and the inline <script> bytes they carry.
# With BENCH_PG_URL (e.g. "$(scripts/pg.sh start)") it also runs (1) on PostgreSQL, in a fresh
# database created and dropped again here, durably: for the run it turns fsync,
# synchronous_commit and full_page_writes on (ALTER SYSTEM + reload; scripts/pg.sh's test server
# has them off) and resets them after, unless BENCH_PG_DURABLE=0; beside it, (2) for PostgreSQL:
# pgbench, one connection, one-row INSERT per transaction, on the same server. That needs a
# superuser, and the reset is ALTER SYSTEM RESET (back to postgresql.conf, not to a value set
# earlier with ALTER SYSTEM): point it at a test server such as scripts/pg.sh's, never a
# production one.
#
# Prints a Markdown table and writes it to docs/benchmarks.md between <!-- bench:begin --> and
# <!-- bench:end --> (the rest of the file is left alone; the file is created if missing).
#
# Knobs (environment): PINGAN_BIN, BENCH_MIXED, BENCH_MIXED_SECS, BENCH_POST_SECS (15),
# BENCH_POST_CONNS (16: the connections of (1), also on PostgreSQL), BENCH_SQLITE_SQL (statements
# run on the fresh SQLite database before the server starts, for experiments, e.g. dropping an index),
# BENCH_PAGE_SECS (10), BENCH_RAW_SECS (5), BENCH_PG_URL, BENCH_PG_DURABLE (1), BENCH_DIR (where the temporary
# directory with the database goes, default $TMPDIR or /tmp), BENCH_OUT (docs/benchmarks.md),
# BENCH_PORT (the portal's port, default a free one). RUST_LOG is passed to the server as is
# (unset: it logs every request, as in production).
# Needs wrk, nginx, curl, python3, gzip; brotli is installed with apt-get when missing (if it
# can be), otherwise its column shows "-". Default run: about 5 minutes (measured 4m49s on 2 CPUs).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
START=$SECONDS

BIN="${PINGAN_BIN:-target/release/pingan}"
MIXED="${BENCH_MIXED:-1000000}"
MIXED_SECS="${BENCH_MIXED_SECS:-200}"
POST_SECS="${BENCH_POST_SECS:-15}"
PAGE_SECS="${BENCH_PAGE_SECS:-10}"
RAW_SECS="${BENCH_RAW_SECS:-5}"
OUT_MD="${BENCH_OUT:-docs/benchmarks.md}"
SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
POST_CONNS="${BENCH_POST_CONNS:-16}" POST_THREADS=2
PAGE_CONNS=32 PAGE_THREADS=2
MIXED_CONNS=16 MIXED_THREADS=2
# A point inside the demo city's grid cell HD010101 (../shared/demo-city/regions.geojson) and a
# category of its categories.csv.
SERVICE_CODE=neighbor_dispute
LAT=35.484 LONG=106.604
DESCRIPTION="楼上每天夜里漏水到我家，已经三次了，物业说管不了"

die() { echo "bench.sh: $*" >&2; exit 1; }
step() { printf '==> [%ss] %s\n' "$((SECONDS - START))" "$*" >&2; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

for v in MIXED MIXED_SECS POST_SECS POST_CONNS PAGE_SECS RAW_SECS; do
  if ! is_uint "${!v}" || [ "${!v}" -eq 0 ]; then die "$v must be a positive whole number, not '${!v}'"; fi
done
[ "$MIXED" -ge 10 ] || die "BENCH_MIXED must be at least 10"
[ -x "$BIN" ] || die "no binary at $BIN (cargo leptos build --release, or set PINGAN_BIN)"
[ -d "$SITE_ROOT/pkg" ] || die "no $SITE_ROOT/pkg (cargo leptos build --release)"
for tool in wrk nginx curl python3 gzip; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
if [ -n "${BENCH_PG_URL:-}" ]; then
  command -v psql >/dev/null || die "BENCH_PG_URL is set but psql is not installed"
  case "$BENCH_PG_URL" in postgres://* | postgresql://*) ;; *) die "BENCH_PG_URL must be postgres://…" ;; esac
fi
if ! command -v brotli >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    step "installing brotli (apt-get install -y brotli)"
    timeout 300 apt-get install -y -qq brotli >/dev/null 2>&1 || echo "bench.sh: could not install brotli; sizes without it" >&2
  else
    echo "bench.sh: brotli not found and cannot be installed here; sizes without it" >&2
  fi
fi

# The exact command, for the report: the knobs that were set, then the script.
CMD=""
for v in PINGAN_BIN BENCH_MIXED BENCH_MIXED_SECS BENCH_POST_SECS BENCH_POST_CONNS BENCH_SQLITE_SQL BENCH_PAGE_SECS BENCH_RAW_SECS \
         BENCH_PG_URL BENCH_DIR BENCH_OUT BENCH_PORT RUST_LOG LEPTOS_SITE_ROOT; do
  if [ -n "${!v:-}" ]; then CMD+="$v=$(printf '%q' "${!v}") "; fi
done
CMD+="scripts/bench.sh"

PARENT="${BENCH_DIR:-${TMPDIR:-/tmp}}"
mkdir -p "$PARENT"
WORK="$(mktemp -d "$PARENT/pingan-bench.XXXXXX")"
[[ "$WORK" =~ ^[A-Za-z0-9/._-]+$ ]] || die "temporary directory $WORK has unusual characters; set BENCH_DIR"
# nginx workers may run as another user (nobody, when started as root): their files live in a
# directory of their own that they can read.
NGINX_DIR="$(mktemp -d "$PARENT/pingan-bench-nginx.XXXXXX")"
chmod 755 "$NGINX_DIR"

SERVER_PID="" NGINX_PID="" WRK_PID="" PG_DB="" OK=0
stop_pid() {   # stop_pid PID [SIGNAL]: signal, wait up to 10 s, then SIGKILL
  local pid=$1 sig=${2:-TERM}
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
psql_admin() {   # psql_admin SQL: run one statement on BENCH_PG_URL, bounded
  PGCONNECT_TIMEOUT=10 timeout 60 psql "$BENCH_PG_URL" -v ON_ERROR_STOP=1 -qAtX -c "$1"
}
PG_SETTINGS_CHANGED=0
pg_durable() {   # pg_durable ON|RESET: the server's durability settings for this run, or back
  local setting
  for setting in fsync synchronous_commit full_page_writes; do
    if [ "$1" = ON ]; then psql_admin "ALTER SYSTEM SET $setting = on" >/dev/null
    else psql_admin "ALTER SYSTEM RESET $setting" >/dev/null; fi
  done
  psql_admin "SELECT pg_reload_conf()" >/dev/null
  sleep 1
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$WRK_PID" TERM   # wrk, or the timeout around it (which passes TERM on)
  stop_pid "$SERVER_PID"
  stop_pid "$NGINX_PID"
  if [ -n "$PG_DB" ]; then
    psql_admin "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 \
      || echo "bench.sh: could not drop PostgreSQL database $PG_DB" >&2
  fi
  if [ "$PG_SETTINGS_CHANGED" = 1 ]; then
    pg_durable RESET || echo "bench.sh: could not reset the PostgreSQL settings (ALTER SYSTEM RESET)" >&2
  fi
  rm -rf "$NGINX_DIR"
  if [ "$OK" = 1 ]; then
    rm -rf "$WORK"
  else
    # Keep the logs for a post-mortem, not the (large) databases.
    rm -f "$WORK"/*.db "$WORK"/*.db-wal "$WORK"/*.db-shm
    echo "bench.sh: FAILED (exit $rc) after $((SECONDS - START)) s; logs kept in $WORK" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench.sh: line $LINENO failed: $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
rss_mb() { awk '$1 == "VmRSS:" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# --- the server -----------------------------------------------------------------------------
PORT="${BENCH_PORT:-$(free_port)}"
URL="http://127.0.0.1:$PORT"
if curl -fsS -o /dev/null --max-time 2 "$URL/healthz" 2>/dev/null; then
  die "something already answers on 127.0.0.1:$PORT; set BENCH_PORT"
fi

# portal_env DB_URL CMD...: exec CMD with the bench's settings, so call it in a subshell or in
# the background (then $! is the server itself). Rate limits far above what the bench sends;
# cheap password hashing for the demo staff accounts (nobody signs in here).
portal_env() {
  local db=$1; shift
  exec env DATABASE_URL="$db" PINGAN_DEMO=1 PINGAN_ARGON2="64,1,1" \
    LEPTOS_SITE_ROOT="$SITE_ROOT" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=pingan LEPTOS_ENV=PROD \
    LEPTOS_SITE_ADDR="127.0.0.1:$PORT" \
    PINGAN_RATE_LIMIT_OPEN311=100000000 PINGAN_RATE_LIMIT_OPEN311_READS=100000000 PINGAN_RATE_LIMIT_SUBMIT=100000000 \
    PINGAN_RATE_LIMIT_TRACK=100000000 PINGAN_RATE_LIMIT_LOGIN_IP=100000000 \
    "$@"
}

# make_key DB_URL NAME: create an Open311 API key with the CLI (which also loads the demo city
# into the empty database) and print it.
make_key() {
  local db=$1 name=$2 key
  if ! printf '' | (portal_env "$db" timeout 180 "$BIN" open311-key create --name bench) \
      >"$WORK/$name-key.out" 2>"$WORK/$name-key.err"; then
    tail -n 20 "$WORK/$name-key.err" >&2
    die "pingan open311-key create failed ($name)"
  fi
  key="$(tail -n 1 "$WORK/$name-key.out")"
  [[ "$key" =~ ^p311_[0-9a-f]{64}$ ]] || die "unexpected last line from open311-key create: '$key'"
  echo "$key"
}

# start_server DB_URL LOG: start `pingan serve` and wait for /healthz (60 s at most).
start_server() {
  local db=$1 log=$2
  portal_env "$db" "$BIN" serve >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null --max-time 2 "$URL/healthz" 2>/dev/null; then
      # RSS is read from this PID: it must be the server, not a shell around it.
      [ "$(readlink -f "/proc/$SERVER_PID/exe")" = "$(readlink -f "$BIN")" ] \
        || die "process $SERVER_PID is not $BIN"
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.5
  done
  tail -n 30 "$log" >&2 || true
  die "the server did not answer $URL/healthz within 60 s (log above)"
}

# --- wrk --------------------------------------------------------------------------------------
# Every wrk script ends with this: done() prints one machine-readable line. Threads that count
# answers (response() defined) report their non-2xx count and the first non-2xx status.
cat >"$WORK/done.lua" <<'LUA'
local threads, next_id = {}, 1
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local non2xx, first_bad = -1, 0
  for _, t in ipairs(threads) do
    local n = t:get("non2xx")
    if n ~= nil then
      non2xx = math.max(non2xx, 0) + n
      local b = t:get("first_bad")
      if b ~= nil and b ~= 0 and first_bad == 0 then first_bad = b end
    end
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d secs=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d first_bad=%d " ..
    "status_ge_400=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, secs, summary.requests / secs, latency:percentile(50.0) / 1000,
    latency:percentile(99.0) / 1000, non2xx, first_bad, e.status, e.connect, e.read, e.write, e.timeout))
end
LUA

# count_lua: count answers per thread. With a target, a thread stops there and leaves a marker
# file (wrk itself runs until -d or SIGINT: the caller sends SIGINT once all threads are done),
# and every 200 answers it writes its count to PREFIX.progress.<id> (written to PREFIX.tmp.<id>
# and renamed into place, so a reader never sees half a number).
count_lua() {   # count_lua TARGET_PER_THREAD PREFIX
  cat <<LUA
non2xx, first_bad, answered = 0, 0, 0
local target, prefix = $1, "$2"
function response(status, headers, body)
  answered = answered + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad == 0 then first_bad = status end
  end
  if target > 0 then
    if answered % 200 == 0 or answered == target then
      local tmp = prefix .. ".tmp." .. tostring(id)
      local f = io.open(tmp, "w")
      if f then
        f:write(tostring(answered), "\n")
        f:close()
        os.rename(tmp, prefix .. ".progress." .. tostring(id))
      end
    end
    if answered == target then
      local f = io.open(prefix .. ".done." .. tostring(id), "w")
      if f then f:close() end
      wrk.thread:stop()
    end
  end
end
LUA
}

# Parse a BENCH line into global variables R_REQUESTS, R_RPS, R_P50, R_P99, R_NON2XX, ...
parse_bench() {   # parse_bench OUTFILE
  local line
  line="$(grep '^BENCH ' "$1" | tail -n 1)" || { cat "$1" >&2; die "wrk printed no result ($1)"; }
  R_REQUESTS="" R_SECS="" R_RPS="" R_P50="" R_P99="" R_NON2XX="" R_FIRST_BAD="" R_STATUS=""
  R_CONNECT="" R_READ="" R_WRITE="" R_TIMEOUT=""
  local kv
  for kv in ${line#BENCH }; do
    case "${kv%%=*}" in
      requests) R_REQUESTS=${kv#*=} ;; secs) R_SECS=${kv#*=} ;; rps) R_RPS=${kv#*=} ;;
      p50_ms) R_P50=${kv#*=} ;; p99_ms) R_P99=${kv#*=} ;; non2xx) R_NON2XX=${kv#*=} ;;
      first_bad) R_FIRST_BAD=${kv#*=} ;; status_ge_400) R_STATUS=${kv#*=} ;;
      connect) R_CONNECT=${kv#*=} ;; read) R_READ=${kv#*=} ;; write) R_WRITE=${kv#*=} ;;
      timeout) R_TIMEOUT=${kv#*=} ;;
    esac
  done
}

# check_bench WHAT OUTFILE: fail loudly on any non-2xx answer or socket error.
check_bench() {
  local what=$1 out=$2
  local bad=$((R_STATUS + R_CONNECT + R_READ + R_WRITE + R_TIMEOUT))
  if [ "$R_NON2XX" -gt 0 ] || [ "$bad" -gt 0 ]; then
    cat "$out" >&2
    tail -n 20 "$WORK"/server-*.log >&2 2>/dev/null || true
    die "$what: $R_NON2XX non-2xx answers (first: ${R_FIRST_BAD}), status>=400: $R_STATUS, socket errors connect $R_CONNECT read $R_READ write $R_WRITE timeout $R_TIMEOUT"
  fi
}

# run_wrk NAME CONNS THREADS SECS SCRIPT URL: a timed wrk run; leaves R_* set.
run_wrk() {
  local name=$1 conns=$2 threads=$3 secs=$4 script=$5 url=$6
  local out="$WORK/wrk-$name.txt"
  # In the background and waited for, so that a TERM or Ctrl-C reaches the cleanup at once.
  timeout $((secs + 60)) wrk -t "$threads" -c "$conns" -d "${secs}s" --timeout 10s --latency \
    -s "$script" "$url" >"$out" 2>&1 &
  WRK_PID=$!
  local rc=0
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  [ "$rc" = 0 ] || { cat "$out" >&2; die "wrk failed ($name, exit $rc)"; }
  parse_bench "$out"
  [ "$R_NON2XX" = -1 ] && R_NON2XX=0   # not counted per answer: status>=400 is checked instead
  check_bench "$name" "$out"
}

# run_counted NAME TARGET CAP_SECS SCRIPT_BODY URL: the mixed load until TARGET answers (or
# CAP_SECS), sampling "answers-so-far RSS-MB" into $WORK/NAME.rss every 0.5 s; leaves R_* set
# and R_CAPPED=1 when the cap ended it.
run_counted() {
  local name=$1 target=$2 cap=$3 body=$4 url=$5
  local per_thread=$(((target + MIXED_THREADS - 1) / MIXED_THREADS))
  local out="$WORK/wrk-$name.txt" script="$WORK/$name.lua" prefix="$WORK/$name"
  { printf '%s\n' "$body"; count_lua "$per_thread" "$prefix"; cat "$WORK/done.lua"; } >"$script"
  : >"$prefix.rss"
  wrk -t "$MIXED_THREADS" -c "$MIXED_CONNS" -d "${cap}s" --timeout 10s --latency -s "$script" "$url" \
    >"$out" 2>&1 &
  WRK_PID=$!
  local t0=$SECONDS n tick=0 progress
  R_CAPPED=0
  while kill -0 "$WRK_PID" 2>/dev/null; do
    n=$(find "$WORK" -maxdepth 1 -name "$name.done.*" | wc -l)
    if [ "$n" -ge "$MIXED_THREADS" ]; then kill -INT "$WRK_PID" 2>/dev/null || true; break; fi
    if [ $((SECONDS - t0)) -gt $((cap + 60)) ]; then kill -KILL "$WRK_PID" 2>/dev/null || true; break; fi
    tick=$((tick + 1))
    if [ $((tick % 5)) = 0 ]; then
      progress=("$prefix".progress.*)
      n=0
      [ -e "${progress[0]}" ] && n=$(awk '{ s += $1 } END { print s + 0 }' "${progress[@]}")
      printf '%s %s\n' "$n" "$(rss_mb "$SERVER_PID")" >>"$prefix.rss"
    fi
    sleep 0.1
  done
  local rc=0
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  [ "$rc" = 0 ] || { cat "$out" >&2; die "wrk failed ($name, exit $rc)"; }
  n=$(find "$WORK" -maxdepth 1 -name "$name.done.*" | wc -l)
  [ "$n" -ge "$MIXED_THREADS" ] || R_CAPPED=1
  parse_bench "$out"
  check_bench "$name" "$out"
}

# rss_at FILE FRACTION TOTAL: "requests MB" of the first sample at or past FRACTION of TOTAL
# answers (the last sample if none is).
rss_at() {
  awk -v want="$(awk -v f="$2" -v t="$3" 'BEGIN { print f * t }')" \
    '$1 >= want && !found { print $1, $2; found = 1 } { last = $1 " " $2 } END { if (!found) print last }' "$1"
}

post_body() {   # the form body of one Open311 POST, urlencoded
  python3 -c 'import sys, urllib.parse as u; print(u.urlencode(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
    api_key "$1" service_code "$SERVICE_CODE" description "$DESCRIPTION" lat "$LAT" long "$LONG"
}

post_lua() {   # post_lua KEY: a wrk script posting the same appeal again and again
  cat <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "$(post_body "$1")"
LUA
}

# --- nginx serving the same bytes -----------------------------------------------------------
# start_nginx BODY HEADERS: serve BODY at /page with the portal's own response headers (those of
# HEADERS, a curl -D dump, minus the ones nginx writes itself). Sets NGINX_PID and NGINX_URL.
start_nginx() {
  local body=$1 headers=$2 port d="$NGINX_DIR"
  stop_pid "$NGINX_PID"
  NGINX_PID=""
  rm -rf "${d:?}"/*
  mkdir -p "$d/www" "$d/tmp" "$d/logs"
  cp "$body" "$d/www/page"
  chmod 644 "$d/www/page"
  chmod 755 "$d/www"
  port="$(free_port)"
  local add_headers
  add_headers="$(python3 - "$headers" <<'PY'
import sys
skip = {"date", "content-length", "content-type", "connection", "keep-alive", "transfer-encoding",
        "server", "content-encoding", "vary"}
for line in open(sys.argv[1], encoding="latin-1").read().splitlines()[1:]:
    if ":" not in line:
        continue
    k, v = line.split(":", 1)
    k, v = k.strip(), v.strip()
    if k.lower() in skip or "$" in v or not k:
        continue
    v = v.replace("\\", "\\\\").replace('"', '\\"')
    print(f'      add_header "{k}" "{v}" always;')
PY
)"
  local ctype
  ctype="$(awk -F': *' 'tolower($1) == "content-type" { sub(/\r$/, "", $2); print $2 }' "$headers" | tail -n 1)"
  cat >"$d/nginx.conf" <<CONF
worker_processes auto;
daemon off;
master_process on;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server_tokens off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 75s;
  keepalive_requests 1000000000;
  open_file_cache max=16 inactive=60s;
  open_file_cache_valid 60s;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    root $d/www;
    location = /page {
      default_type "${ctype:-text/html; charset=utf-8}";
$add_headers
    }
  }
}
CONF
  nginx -e "$d/logs/error.log" -p "$d" -c "$d/nginx.conf" -t >"$d/logs/test.txt" 2>&1 \
    || { cat "$d/logs/test.txt" >&2; die "nginx rejected its configuration ($d/nginx.conf)"; }
  nginx -e "$d/logs/error.log" -p "$d" -c "$d/nginx.conf" >"$d/logs/stdout.txt" 2>&1 &
  NGINX_PID=$!
  NGINX_URL="http://127.0.0.1:$port/page"
  for _ in $(seq 1 50); do
    if curl -fsS -o "$d/check" --max-time 2 "$NGINX_URL" 2>/dev/null; then
      cmp -s "$d/check" "$body" || die "nginx does not serve the same bytes"
      return 0
    fi
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.2
  done
  cat "$d/logs/error.log" >&2 || true
  die "nginx did not answer on $NGINX_URL"
}

# fetch_page PATH NAME: the portal's identity body and headers of PATH, into $WORK/NAME.{body,headers}.
fetch_page() {
  local path=$1 name=$2 code
  code="$(curl -sS --max-time 15 -D "$WORK/$name.headers" -o "$WORK/$name.body" -w '%{http_code}' "$URL$path")" || true
  [ "$code" = 200 ] || die "GET $path answered $code"
  if grep -qi '^content-encoding:' "$WORK/$name.headers"; then die "GET $path came compressed"; fi
}

# compare_page PATH NAME: wrk the portal and nginx (same body) at the same load; sets P_* and N_*.
compare_page() {
  local path=$1 name=$2
  fetch_page "$path" "$name"
  cat "$WORK/done.lua" >"$WORK/get.lua"
  step "GET $path: portal, $PAGE_CONNS connections, ${PAGE_SECS} s"
  run_wrk "$name-portal" "$PAGE_CONNS" "$PAGE_THREADS" "$PAGE_SECS" "$WORK/get.lua" "$URL$path"
  P_RPS=$R_RPS P_P50=$R_P50 P_P99=$R_P99
  start_nginx "$WORK/$name.body" "$WORK/$name.headers"
  step "GET $path: nginx (same $(wc -c <"$WORK/$name.body") bytes), $PAGE_CONNS connections, ${PAGE_SECS} s"
  run_wrk "$name-nginx" "$PAGE_CONNS" "$PAGE_THREADS" "$PAGE_SECS" "$WORK/get.lua" "$NGINX_URL"
  N_RPS=$R_RPS N_P50=$R_P50 N_P99=$R_P99
  stop_pid "$NGINX_PID"
  NGINX_PID=""
  PAGE_BYTES=$(wc -c <"$WORK/$name.body")
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
fmt_int() { LC_ALL=C printf '%.0f' "$1" | sed -E ':a; s/^([0-9]+)([0-9]{3})/\1,\2/; ta'; }

# --- machine ----------------------------------------------------------------------------------
CPU_MODEL="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
RAM="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
DISK="$(df -hT "$WORK" | awk 'NR == 2 { printf "%s (%s, %s, %s free)", $1, $2, $3, $5 }')"
MOUNT_OPTS="$(findmnt -no OPTIONS -T "$WORK" 2>/dev/null || echo "?")"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
COMMIT="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
DIRTY="$( (git status --porcelain --untracked-files=no 2>/dev/null || true) | wc -l)"
COMMIT_TEXT="$COMMIT"
if [ "$DIRTY" -gt 0 ]; then COMMIT_TEXT+=" (+ uncommitted changes in $DIRTY files)"; fi
BIN_DATE="$(date -u -r "$BIN" '+%Y-%m-%d %H:%M UTC')"
DATE="$(date -u '+%Y-%m-%d %H:%M UTC')"
SQLITE_VERSION="$(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)')"
WRK_VERSION="$( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $2 }')"
NGINX_VERSION="$(nginx -v 2>&1 | sed 's|.*nginx/||')"

# --- 0. start -------------------------------------------------------------------------------
step "fresh SQLite database in $WORK, Open311 key (loads the demo city)"
SQLITE_URL="sqlite://$WORK/bench.db?mode=rwc"
KEY="$(make_key "$SQLITE_URL" sqlite)"
if [ -n "${BENCH_SQLITE_SQL:-}" ]; then
  step "running BENCH_SQLITE_SQL on the fresh database: $BENCH_SQLITE_SQL"
  python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.close()' \
    "$WORK/bench.db" "$BENCH_SQLITE_SQL"
fi
step "starting $BIN on $URL"
start_server "$SQLITE_URL" "$WORK/server-sqlite.log"
RSS_IDLE="$(rss_mb "$SERVER_PID")"

# The article: the first /legal/articles/… link on /legal.
ARTICLE="$(curl -fsS --max-time 15 "$URL/legal" | grep -o 'href="/legal/articles/[^"]*"' | head -n 1 | cut -d'"' -f2)" \
  || true
[ -n "$ARTICLE" ] || die "no /legal/articles/… link on /legal"

# --- 2. raw SQLite ----------------------------------------------------------------------------
step "raw SQLite INSERT+COMMIT (WAL, synchronous=FULL) in $WORK, ${RAW_SECS} s"
RAW_LINE="$(timeout $((RAW_SECS + 60)) python3 scripts/bench/sqlite_rate.py "$WORK/raw.db" "$RAW_SECS")"
RAW_RATE="$(sed -E 's/.* rate=([0-9.]+).*/\1/' <<<"$RAW_LINE")"

# --- 1. durable appeals/s over HTTP -----------------------------------------------------------
step "Open311 POST on SQLite, $POST_CONNS connections, ${POST_SECS} s"
{ post_lua "$KEY"; count_lua 0 "$WORK/none"; cat "$WORK/done.lua"; } >"$WORK/post.lua"
run_wrk post-sqlite "$POST_CONNS" "$POST_THREADS" "$POST_SECS" "$WORK/post.lua" "$URL/open311/v2/requests.json"
POST_RPS=$R_RPS POST_P50=$R_P50 POST_P99=$R_P99 POST_N=$R_REQUESTS POST_NON2XX=$R_NON2XX
# How far the notifications kept up: each appeal queues one message for its unit, delivered by
# the outbox job (every 5 s, the log sink) beside the load.
read -r OUTBOX_SENT OUTBOX_ALL < <(python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30)
print(*c.execute("SELECT count(delivered_at), count(*) FROM outbox").fetchone())' "$WORK/bench.db")

# --- 3, 4. pages against nginx ----------------------------------------------------------------
compare_page "$ARTICLE" article
ART_BYTES=$PAGE_BYTES ART_P_RPS=$P_RPS ART_P_P50=$P_P50 ART_P_P99=$P_P99 ART_N_RPS=$N_RPS ART_N_P50=$N_P50 ART_N_P99=$N_P99
compare_page / home
HOME_BYTES=$PAGE_BYTES HOME_P_RPS=$P_RPS HOME_P_P50=$P_P50 HOME_P_P99=$P_P99 HOME_N_RPS=$N_RPS HOME_N_P50=$N_P50 HOME_N_P99=$N_P99

# --- 6. what the pages without islands load -------------------------------------------------
step "JS + WASM referenced by /legal and $ARTICLE"
ASSETS="$(timeout 300 python3 scripts/bench/page_assets.py "$URL" /legal "$ARTICLE")"

# --- 5. RSS under a mixed load ----------------------------------------------------------------
MIXED_BODY="$(cat <<LUA
local reqs, i = {}, 0
function init(args)
  reqs = {
    wrk.format("GET", "/"),
    wrk.format("GET", "$ARTICLE"),
    wrk.format("GET", "/track"),
    wrk.format("GET", "/open311/v2/services.json"),
    wrk.format("POST", "/open311/v2/requests.json",
      { ["Content-Type"] = "application/x-www-form-urlencoded" }, "$(post_body "$KEY")"),
  }
  i = id or 0
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
LUA
)"
RSS_BEFORE_MIXED="$(rss_mb "$SERVER_PID")"
step "mixed load: $MIXED requests, $MIXED_CONNS connections (cap ${MIXED_SECS} s)"
run_counted mixed "$MIXED" "$MIXED_SECS" "$MIXED_BODY" "$URL/"
RSS_END="$(rss_mb "$SERVER_PID")"
MIXED_DONE=$R_REQUESTS MIXED_TOOK=$R_SECS MIXED_RPS=$R_RPS MIXED_CAPPED=$R_CAPPED R_P50_MIXED=$R_P50 R_P99_MIXED=$R_P99
echo "$MIXED_DONE $RSS_END" >>"$WORK/mixed.rss"
read -r AT10_N RSS_10 < <(rss_at "$WORK/mixed.rss" 0.1 "$MIXED_DONE")
read -r AT50_N RSS_50 < <(rss_at "$WORK/mixed.rss" 0.5 "$MIXED_DONE")
stop_pid "$SERVER_PID"
SERVER_PID=""
DB_MB="$(du -cm "$WORK"/bench.db* | awk 'END { print $1 }')"
APPEALS="$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM appeals").fetchone()[0])' "$WORK/bench.db")"

# --- 1 again on PostgreSQL ----------------------------------------------------------------------
PG_ROW=""
if [ -n "${BENCH_PG_URL:-}" ]; then
  PG_DB="bench_$(date +%s)_$$"
  step "PostgreSQL: CREATE DATABASE $PG_DB"
  psql_admin "CREATE DATABASE $PG_DB" >/dev/null
  base="${BENCH_PG_URL%%\?*}"
  query=""
  [ "$base" = "$BENCH_PG_URL" ] || query="?${BENCH_PG_URL#*\?}"
  rest="${base#*://}"
  [[ "$rest" == */* ]] || base="$base/"
  PG_URL="${base%/*}/$PG_DB$query"
  PG_VERSION="$(psql_admin "SHOW server_version")"
  PG_VERSION="${PG_VERSION%% *}"
  if [ "${BENCH_PG_DURABLE:-1}" = 1 ]; then
    step "PostgreSQL: fsync, synchronous_commit, full_page_writes on for this run"
    PG_SETTINGS_CHANGED=1
    pg_durable ON
  fi
  PG_FSYNC="$(psql_admin "SHOW fsync")"
  PG_SYNC="$(psql_admin "SHOW synchronous_commit")"
  PG_KEY="$(make_key "$PG_URL" pg)"
  step "starting $BIN on PostgreSQL $PG_VERSION ($PG_DB)"
  start_server "$PG_URL" "$WORK/server-pg.log"
  step "Open311 POST on PostgreSQL, $POST_CONNS connections, ${POST_SECS} s"
  { post_lua "$PG_KEY"; count_lua 0 "$WORK/none"; cat "$WORK/done.lua"; } >"$WORK/post-pg.lua"
  run_wrk post-pg "$POST_CONNS" "$POST_THREADS" "$POST_SECS" "$WORK/post-pg.lua" "$URL/open311/v2/requests.json"
  durable="durable"
  if [ "$PG_FSYNC" != on ] || [ "$PG_SYNC" = off ]; then durable="**not durable**"; fi
  PG_RPS=$R_RPS PG_P50=$R_P50 PG_P99=$R_P99 PG_REQUESTS=$R_REQUESTS PG_NON2XX=$R_NON2XX
  stop_pid "$SERVER_PID"
  SERVER_PID=""
  # (2) for PostgreSQL: what one connection's one-row commits reach on the same server.
  PG_RAW="-" PG_RATIO=""
  PGBENCH="$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$PGBENCH" ] && [ -x "$PGBENCH" ]; then
    step "PostgreSQL: raw one-row INSERT + COMMIT, one connection, ${RAW_SECS} s (pgbench)"
    psql "$PG_URL" -qAtX -v ON_ERROR_STOP=1 -c "CREATE TABLE raw_commits (id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, body TEXT NOT NULL)" >/dev/null
    printf '%s\n' "INSERT INTO raw_commits (at, body) VALUES (1, 'x');" >"$WORK/raw-pg.sql"
    PG_RAW="$(timeout $((RAW_SECS + 60)) "$PGBENCH" -n -c 1 -j 1 -T "$RAW_SECS" -f "$WORK/raw-pg.sql" "$PG_URL" 2>/dev/null \
      | awk '/^tps = / { printf "%d", $3 }')"
    [ -n "$PG_RAW" ] || PG_RAW="-"
    if [ "$PG_RAW" != "-" ] && [ "$PG_RAW" -gt 0 ]; then
      PG_RATIO="**$(python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}")' "$PG_RPS" "$PG_RAW")**"
      PG_RAW="$(fmt_int "$PG_RAW")"
    fi
  fi
  PG_ROW="| 1b | Open311 POST, PostgreSQL $PG_VERSION (fsync=$PG_FSYNC, synchronous_commit=$PG_SYNC: $durable), $POST_CONNS connections | **$(fmt_int "$PG_RPS") appeals/s**, p50 $PG_P50 ms, p99 $PG_P99 ms, $(fmt_int "$PG_REQUESTS") requests, $PG_NON2XX non-2xx | (2b) raw one-row INSERT + COMMIT, one connection, same server (pgbench, ${RAW_SECS} s): **$PG_RAW commits/s** | $PG_RATIO |"
  psql_admin "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
  PG_DB=""
fi

# --- the report -------------------------------------------------------------------------------
asset_rows() {
  local path files raw gz br inline
  while IFS=$'\t' read -r path files raw gz br inline; do
    [ -n "$path" ] || continue
    local list="${files//,/, }" br_text=-
    [ "$br" = - ] || br_text="$(fmt_int "$br")"
    # shellcheck disable=SC2016 # the backticks are Markdown
    printf '| 6 | `%s`: JS + WASM the page makes the browser load | %s bytes raw, %s gzip -9, %s brotli -q 11 (%s); inline `<script>` %s bytes | | |\n' \
      "$path" "$(fmt_int "$raw")" "$(fmt_int "$gz")" "$br_text" \
      "$( [ "$files" = none ] && echo "no files" || echo "\`$list\`")" "$(fmt_int "$inline")"
  done <<<"$ASSETS"
}

capped_note=""
if [ "$MIXED_CAPPED" = 1 ]; then
  capped_note=" (**stopped by the ${MIXED_SECS} s cap after $(fmt_int "$MIXED_DONE") of $(fmt_int "$MIXED") requests**)"
fi
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print "-" }'; }
RSS_RATIO="$(ratio "$RSS_END" "$RSS_IDLE")"
FLAT_RATIO="$(ratio "$RSS_END" "$RSS_10")"

TABLE="$(cat <<MD
Command: \`$CMD\` — $DATE, commit \`$COMMIT_TEXT\`, binary \`$BIN\` built $BIN_DATE.
Machine: $(nproc) CPUs ($CPU_MODEL), $RAM RAM, disk $DISK, mount options \`$MOUNT_OPTS\`; load average before the run $LOAD_BEFORE.
Tools: wrk $WRK_VERSION, nginx $NGINX_VERSION, SQLite $SQLITE_VERSION (python3, figure 2). wrk, the server and nginx share the machine's CPUs.

| # | what | figure | compared with | ratio |
|---|---|---|---|---|
| 1 | Open311 POST \`/open311/v2/requests.json\`, SQLite, $POST_CONNS connections, $POST_THREADS threads, ${POST_SECS} s | **$(fmt_int "$POST_RPS") appeals/s**, p50 $POST_P50 ms, p99 $POST_P99 ms, $(fmt_int "$POST_N") requests, $POST_NON2XX non-2xx; notifications delivered meanwhile: $(fmt_int "$OUTBOX_SENT") of $(fmt_int "$OUTBOX_ALL") | (2) raw SQLite INSERT + COMMIT, WAL, synchronous=FULL, same directory, ${RAW_SECS} s: **$(fmt_int "$RAW_RATE") commits/s** | **$(ratio "$POST_RPS" "$RAW_RATE")** |
${PG_ROW:+$PG_ROW
}| 3 | GET \`$ARTICLE\` (SSR, $(fmt_int "$ART_BYTES") bytes), $PAGE_CONNS connections, ${PAGE_SECS} s | **$(fmt_int "$ART_P_RPS") req/s**, p50 $ART_P_P50 ms, p99 $ART_P_P99 ms | nginx, same bytes and headers: $(fmt_int "$ART_N_RPS") req/s, p50 $ART_N_P50 ms, p99 $ART_N_P99 ms | **$(ratio "$ART_P_RPS" "$ART_N_RPS")** |
| 4 | GET \`/\` (SSR, $(fmt_int "$HOME_BYTES") bytes), $PAGE_CONNS connections, ${PAGE_SECS} s | **$(fmt_int "$HOME_P_RPS") req/s**, p50 $HOME_P_P50 ms, p99 $HOME_P_P99 ms | nginx, same bytes and headers: $(fmt_int "$HOME_N_RPS") req/s, p50 $HOME_N_P50 ms, p99 $HOME_N_P99 ms | **$(ratio "$HOME_P_RPS" "$HOME_N_RPS")** |
| 5 | server RSS (VmRSS), mixed load over \`/\`, the article, \`/track\`, \`services.json\`, Open311 POST, $MIXED_CONNS connections | idle $RSS_IDLE MB, before the mixed load $RSS_BEFORE_MIXED MB; after $(fmt_int "$AT10_N") requests ($(pct "$AT10_N" "$MIXED_DONE") %) **$RSS_10 MB**, after $(fmt_int "$AT50_N") ($(pct "$AT50_N" "$MIXED_DONE") %) $RSS_50 MB, after all $(fmt_int "$MIXED_DONE") **$RSS_END MB**$capped_note; $(fmt_int "$MIXED_RPS") req/s over $(fmt_int "$MIXED_TOOK") s, p50 $R_P50_MIXED ms, p99 $R_P99_MIXED ms; database then $DB_MB MB, $(fmt_int "$APPEALS") appeals | end / idle: **$RSS_RATIO**; end / 10 %: **$FLAT_RATIO** | |
$(asset_rows)
MD
)"

printf '\n%s\n' "$TABLE"

mkdir -p "$(dirname "$OUT_MD")"
python3 - "$OUT_MD" "$TABLE" <<'PY'
import os, sys
path, table = sys.argv[1], sys.argv[2]
begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
block = f"{begin}\n{table}\n{end}"
intro = """# Benchmarks

How to run: `scripts/bench.sh` (about 5 minutes; `BENCH_MIXED=100000 scripts/bench.sh` for a
shorter memory run; `BENCH_PG_URL="$(scripts/pg.sh start)" scripts/bench.sh` adds PostgreSQL). It
starts the release binary on a fresh SQLite database with the demo city, on 127.0.0.1, and
rewrites the part of this file between the `bench:begin` and `bench:end` markers; the rest is
prose and is left alone. The script's header lists every knob.

What each row measures:

1. **Durable appeals/s over HTTP**: `wrk` posting the same Open311 appeal (form-encoded, a point
   inside the demo city, API key from `pingan open311-key create`) to
   `/open311/v2/requests.json`; every answer must be 2xx. Each answer means the appeal, its
   routing, timeline and notification are committed and fsynced. **(2)** is what the disk allows
   one plain SQLite connection: one-row `INSERT` + `COMMIT` per row, WAL, `synchronous=FULL`, in
   the same directory. The ratio (1)/(2) is how close a full appeal gets to a bare durable commit.
   It can exceed 1 when appeals share commits, and also because the server's 16 connections keep
   the disk busier than one connection does (fsync latency on a virtual disk varies with what
   else is written: compare figures of one run, not across runs). **1b** is (1) on PostgreSQL
   when `BENCH_PG_URL` is set, durable: the script turns `fsync`, `synchronous_commit` and
   `full_page_writes` on for the run (`scripts/pg.sh`'s test server has them off; they are
   reset afterwards; `BENCH_PG_DURABLE=0` leaves them as they are), and the table gives the
   settings it ran with. **2b** is what one connection's one-row `INSERT` + `COMMIT` reaches on
   that server (`pgbench`, same duration as (2)); the ratio 1b/2b reads like (1)/(2).
3. **Legal article**, **4. home page**: server-side rendering throughput of one page, against
   nginx serving the very same body (fetched once from the portal, identity encoding) with the
   portal's response headers, `access_log off`, at the same connection count. Ratio = portal /
   nginx.
5. **Memory**: the server's resident set (`VmRSS`) at idle, after the first 10 % and after all of a
   mixed load (`BENCH_MIXED` requests, default 1,000,000, rotating over `/`, the article, `/track`,
   `/open311/v2/services.json` and the Open311 POST). Flat means after-100 % ≈ after-10 %. The
   run stops at `BENCH_MIXED_SECS` (default 200 s) and says so if the count is not reached.
6. **Pages without islands**: the JavaScript and WebAssembly files `/legal` and the article page
   make a browser load (`<script src>`, `modulepreload`/`preload` links, the Leptos bootstrap's
   import), summed raw, gzip -9 and brotli -q 11, and the bytes of inline `<script>` elements.

## Latest run

"""
where = """

## Where the time goes

(filled by hand from perf)
"""
if os.path.exists(path):
    text = open(path, encoding="utf-8").read()
    b, e = text.find(begin), text.find(end)
    if b != -1 and e != -1 and e > b:
        text = text[:b] + block + text[e + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n## Latest run\n\n" + block + "\n"
else:
    text = intro + block + where
with open(path + ".tmp", "w", encoding="utf-8") as f:
    f.write(text)
os.replace(path + ".tmp", path)
PY
OK=1
step "done in $((SECONDS - START)) s; wrote $OUT_MD"
