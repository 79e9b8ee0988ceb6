#!/usr/bin/env bash
# Two app nodes on one PostgreSQL behind nginx: fail-over under load, nothing acknowledged lost,
# supervision notices exactly once, catalog reload on both nodes.
#
#   scripts/two-node.sh [SECONDS]      (load duration, default $TWO_NODE_SECONDS or 20)
#
# 1. A throwaway database on the scripts/pg.sh server (started if needed, stopped again only if
#    this script started it); three `pingan migrate` at once on it must all succeed (sqlx's
#    advisory lock) with each migration applied once. Node A starts with PINGAN_DEMO=1 on the empty database and loads
#    the demo city; node B starts after it, also with PINGAN_DEMO=1, and must NOT load it again
#    (PINGAN_DEMO only fills an empty database): checked in its log and in the tables.
# 2. nginx (Debian's /usr/sbin/nginx, non-daemon, temp -p prefix) runs docs/nginx-pingan.conf
#    itself, with the two node addresses, listen ports, a throwaway self-signed certificate and
#    log paths substituted (each substitution must match, so the example cannot drift from the
#    test). Checked: the plain-HTTP server redirects; nginx itself refuses bodies over the app's
#    limits (413); a refused upload within them gets the app's own answer, not a 502 (404 for an
#    unknown draft; the photos step saying "at most 3" for more photos to a full draft, which
#    the app refuses before reading; 403 for another site's Origin) and leaves the site up; a
#    photo added after submitting has the photo limit at nginx too; the access log has no
#    draft token.
# 3. scripts/load/submit_load.py: THREADS threads submitting appeals (Open311 and the no-JS
#    wizard, see that file) round robin through nginx (HTTPS) and directly to A and to B; through
#    nginx a wizard's steps land on either node. After 40 % of SECONDS node B is SIGKILLed; the
#    load goes on. Through nginx every appeal attempt that ends more than 2 s after the kill must
#    succeed (nginx fails over to A; only requests in flight on B at the kill may fail, a POST
#    with a 502 since nginx does not resend a POST it had sent); direct requests to B fail. Then B is restarted,
#    in-doubt wizard submissions are submitted again (same draft and cookie: same receipt), a
#    short load through nginx shows B back in rotation, and scripts/load/check_acks.py checks
#    that every acknowledged ticket is stored with the marker it was sent with, once.
# 4. Supervision with both nodes running it every second (PINGAN_SUPERVISION_EVERY_SECS=1):
#    NOTICE_APPEALS open appeals get their sign-for and resolve deadlines moved into the past
#    (SQL), so each owes a warning, a supervision and an escalation per deadline. When the
#    notices stop growing, SQL checks that no (appeal, cycle, deadline, stage) fired twice, that
#    events, audit entries and outbox notifications match the notices one to one, and which node
#    fired how many (their logs). Notifications go to a file per node process
#    (PINGAN_NOTIFY=file:…): every delivered outbox row must be in a file, and no row twice
#    except one the killed node sent but could not mark (at-least-once: reported, not failed).
# 5. `pingan import-regions backend/demo-city` from the CLI: both nodes must reload their
#    routing index (the catalog_version poll, every 10 s) within 30 s.
# 6. `pingan audit verify` (two nodes appended to one hash chain).
# Exits non-zero on any failure. Everything is bounded by time-outs and killed at exit; only
# 127.0.0.1 is used.
#
# Knobs: PINGAN_BIN (target/release/pingan), TWO_NODE_SECONDS, TWO_NODE_PORT (first of five
# ports, 3961), TWO_NODE_THREADS (12), NOTICE_APPEALS (200), NGINX (/usr/sbin/nginx),
# TWO_NODE_KEEP=1 (keep the temp dir; it is also kept on failure), TWO_NODE_ALLOW_UPLOAD_RESET=1
# (report refused uploads answered 502 as a known bug instead of failing).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
BIN="${PINGAN_BIN:-target/release/pingan}"
NGINX="${NGINX:-/usr/sbin/nginx}"
DURATION="${1:-${TWO_NODE_SECONDS:-20}}"
case "$DURATION" in -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;; esac
case "$DURATION" in *[!0-9]*|'') echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
[ "$DURATION" -ge 5 ] || { echo "two-node: SECONDS must be at least 5" >&2; exit 2; }
BASE="${TWO_NODE_PORT:-3961}"
PORT_A=$BASE PORT_B=$((BASE + 1)) PORT_TLS=$((BASE + 2)) PORT_HTTP=$((BASE + 3))
THREADS="${TWO_NODE_THREADS:-12}"
NOTICE_APPEALS="${NOTICE_APPEALS:-200}"
URL_A="http://127.0.0.1:$PORT_A"
URL_B="http://127.0.0.1:$PORT_B"
URL_NGINX="https://127.0.0.1:$PORT_TLS"
CONF_SRC="docs/nginx-pingan.conf"

for tool in python3 curl psql openssl; do
  command -v "$tool" >/dev/null || { echo "two-node: $tool is needed" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "two-node: no binary at $BIN (set PINGAN_BIN)" >&2; exit 2; }
[ -x "$NGINX" ] || { echo "two-node: no nginx at $NGINX (apt-get install nginx, or set NGINX)" >&2; exit 2; }

WORK="$(mktemp -d -t pingan-two.XXXXXX)"
# nginx's workers (not root) must reach their temp directories under it.
chmod 711 "$WORK"
NG="$WORK/nginx"
mkdir -p "$NG"
PID_A="" PID_B="" PID_NGINX="" LOAD_PID=""
PG_STARTED=0 PG_DB="" PG_ADMIN_URL=""
START=$SECONDS
FAILED=1
FAILURES=()

log() { printf '[two-node %3ss] %s\n' "$((SECONDS - START))" "$*"; }
fail() { FAILURES+=("$*"); echo "two-node: FAIL: $*" >&2; }

stop_pid() {
  local pid=$1 sig=${2:-TERM} limit=${3:-30} i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$LOAD_PID" TERM 20
  stop_pid "$PID_NGINX" QUIT 10
  stop_pid "$PID_A" TERM 15
  stop_pid "$PID_B" TERM 15
  if [ -n "$PG_DB" ]; then
    psql -X -q -d "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 \
      || echo "two-node: could not drop database $PG_DB" >&2
  fi
  [ "$PG_STARTED" = 1 ] && { "$ROOT/scripts/pg.sh" stop || true; }
  if [ "$rc" = 0 ] && [ "$FAILED" = 0 ] && [ "${TWO_NODE_KEEP:-0}" != 1 ]; then
    rm -rf "$WORK"
  else
    echo "two-node: logs kept in $WORK" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB_URL" -c "$1"; }

# ---------------------------------------------------------------------------- database, key
if ! scripts/pg.sh status >/dev/null 2>&1; then PG_STARTED=1; fi
PG_ADMIN_URL="$(scripts/pg.sh start)"
PG_DB="pingan_two_$$"
psql -X -q -v ON_ERROR_STOP=1 -d "$PG_ADMIN_URL" -c "CREATE DATABASE $PG_DB" >/dev/null
DB_URL="${PG_ADMIN_URL%/*}/$PG_DB"
export DATABASE_URL="$DB_URL"
log "database $PG_DB, load ${DURATION}s with $THREADS threads, binary $BIN, work dir $WORK"
# Three migrators at once on the empty database (as nodes starting together): sqlx's advisory
# lock must make each migration apply once and every one of them succeed.
mig_pids=()
for n in 1 2 3; do "$BIN" migrate >"$WORK/migrate-$n.log" 2>&1 & mig_pids+=("$!"); done
mig_ok=0
for pid in "${mig_pids[@]}"; do wait "$pid" && mig_ok=$((mig_ok + 1)); done
applied=$(sql "SELECT COUNT(*) || ' migrations, ' || COUNT(DISTINCT version) || ' distinct, all successful: ' || BOOL_AND(success) FROM _sqlx_migrations")
log "3 concurrent 'pingan migrate' on the empty database: $mig_ok succeeded; $applied"
[ "$mig_ok" = 3 ] || { cat "$WORK"/migrate-*.log >&2; fail "concurrent migrations: only $mig_ok of 3 succeeded"; }
KEY="$("$BIN" open311-key create --name two-node 2>"$WORK/key.err" | tail -n 1)" || { cat "$WORK/key.err" >&2; exit 1; }
case "$KEY" in p311_*) ;; *) echo "two-node: no API key from open311-key create" >&2; exit 1 ;; esac

# ---------------------------------------------------------------------------- nodes
# start_node NAME PORT LOGNAME: sets NODE_PID; waits for /healthz (90 s).
start_node() {
  local name=$1 port=$2 logname=$3 i pid
  PINGAN_DEMO=1 PINGAN_TRUST_PROXY=1 \
  LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=pingan LEPTOS_ENV=PROD \
  LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  PINGAN_RATE_LIMIT_OPEN311=10000000 PINGAN_RATE_LIMIT_OPEN311_READS=10000000 PINGAN_RATE_LIMIT_SUBMIT=10000000 PINGAN_RATE_LIMIT_TRACK=10000000 \
  PINGAN_ARGON2="64,1,1" PINGAN_SUPERVISION_EVERY_SECS=1 PINGAN_OUTBOX_EVERY_SECS=1 \
  PINGAN_NOTIFY="file:$WORK/notify-$logname.jsonl" \
  RUST_LOG="warn,pingan_server=info,backend::services::import=info,pingan_server::middleware=warn" \
    "$BIN" serve >"$WORK/node-$logname.log" 2>&1 &
  pid=$!
  NODE_PID=$pid
  for ((i = 0; i < 360; i++)); do
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "two-node: node $name exited at start; log:" >&2; tail -n 30 "$WORK/node-$logname.log" >&2; return 1
    fi
    sleep 0.25
  done
  echo "two-node: node $name did not answer /healthz within 90 s" >&2; tail -n 30 "$WORK/node-$logname.log" >&2
  return 1
}

start_node A "$PORT_A" a; PID_A=$NODE_PID
staff_before=$(sql "SELECT COUNT(*) FROM staff")
version_before=$(sql "SELECT value FROM settings WHERE key = 'catalog_version'")
start_node B "$PORT_B" b1; PID_B=$NODE_PID
regions=$(sql "SELECT COUNT(*) FROM regions")
staff_after=$(sql "SELECT COUNT(*) FROM staff")
version_after=$(sql "SELECT value FROM settings WHERE key = 'catalog_version'")
if grep -q "demo city loaded" "$WORK/node-a.log" && ! grep -q "demo city loaded\|demo staff accounts" "$WORK/node-b1.log" \
   && [ "$staff_before" = "$staff_after" ] && [ "$version_before" = "$version_after" ]; then
  log "demo: loaded once by A ($regions regions, $staff_after staff, catalog version $version_after); B with PINGAN_DEMO=1 left it alone"
else
  fail "demo import: A loaded it? $(grep -c 'demo city loaded' "$WORK/node-a.log"); B loaded it? $(grep -c 'demo city loaded' "$WORK/node-b1.log"); staff $staff_before -> $staff_after; version $version_before -> $version_after"
fi

# ---------------------------------------------------------------------------- nginx
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=pingan.test" \
  -keyout "$NG/key.pem" -out "$NG/cert.pem" >/dev/null 2>&1
# Each substitution must match the example (so it cannot drift from what is tested).
SUBS=(
  "server 10.0.0.11:3000|server 127.0.0.1:$PORT_A"
  "server 10.0.0.12:3000|server 127.0.0.1:$PORT_B"
  "listen 443 ssl http2;|listen 127.0.0.1:$PORT_TLS ssl http2;"
  "listen 80;|listen 127.0.0.1:$PORT_HTTP;"
  "/etc/ssl/pingan/fullchain.pem|$NG/cert.pem"
  "/etc/ssl/pingan/privkey.pem|$NG/key.pem"
  "/var/log/nginx/pingan.access.log|$NG/access.log"
  "/var/log/nginx/pingan.error.log|$NG/error.log"
)
python3 - "$CONF_SRC" "$NG/pingan.conf" "${SUBS[@]}" <<'EOF' || exit 1
import sys
src, dst, subs = sys.argv[1], sys.argv[2], sys.argv[3:]
text = open(src, encoding="utf-8").read()
for s in subs:
    old, new = s.split("|", 1)
    # Only in directives, not in the comments that name them.
    lines = text.split("\n")
    hits = 0
    for i, line in enumerate(lines):
        if not line.lstrip().startswith("#") and old in line:
            lines[i] = line.replace(old, new)
            hits += 1
    if hits == 0:
        sys.exit(f"two-node: {src} no longer has {old!r}: update scripts/two-node.sh with the example")
    text = "\n".join(lines)
for left in ("10.0.0.1", "/etc/ssl/", "/var/log/nginx"):
    if any(left in l and not l.lstrip().startswith("#") for l in text.split("\n")):
        sys.exit(f"two-node: {src} has {left!r} where the test did not substitute it")
open(dst, "w", encoding="utf-8").write(text)
EOF
cat >"$NG/nginx.conf" <<CONF
# Wrapper of the test: the part Debian's /etc/nginx/nginx.conf provides, then the example.
daemon off;
worker_processes 2;
pid $NG/nginx.pid;
error_log $NG/error.log warn;
events { worker_connections 1024; }
http {
    access_log $NG/access.log;
    client_body_temp_path $NG/client_body;
    proxy_temp_path $NG/proxy;
    fastcgi_temp_path $NG/fastcgi;
    uwsgi_temp_path $NG/uwsgi;
    scgi_temp_path $NG/scgi;
    include $NG/pingan.conf;
}
CONF
"$NGINX" -t -q -p "$NG" -e "$NG/error.log" -c "$NG/nginx.conf" || { cat "$NG/error.log" >&2; exit 1; }
"$NGINX" -p "$NG" -e "$NG/error.log" -c "$NG/nginx.conf" &
PID_NGINX=$!
for ((i = 0; i < 120; i++)); do
  curl -fsSk -o /dev/null --max-time 2 "$URL_NGINX/healthz" 2>/dev/null && break
  kill -0 "$PID_NGINX" 2>/dev/null || { echo "two-node: nginx exited" >&2; cat "$NG/error.log" >&2; exit 1; }
  sleep 0.25
done
curl -fsSk -o /dev/null --max-time 2 "$URL_NGINX/healthz" || { echo "two-node: nginx does not answer" >&2; cat "$NG/error.log" >&2; exit 1; }
redirect=$(curl -s -o /dev/null --max-time 5 -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$PORT_HTTP/track")
case "$redirect" in "301 https://"*) log "nginx up ($CONF_SRC): plain HTTP answers $redirect" ;; *) fail "plain HTTP did not redirect to https: $redirect" ;; esac

# Body limits, equal to the app's: nginx itself refuses a photo over 10 MB + 64 KB and a form
# over 64 KB (its own 413 page).
nginx_413() { # URL FILE CONTENT-TYPE
  local code
  code=$(curl -sk -o "$WORK/answer.html" -w '%{http_code}' --max-time 120 -H "Origin: $URL_NGINX" \
    -H "Content-Type: $3" --data-binary "@$2" "$1" || true)
  if [ "$code" = 413 ] && grep -q '<center>nginx' "$WORK/answer.html"; then echo "413 from nginx"; else echo "$code"; fi
}
no_draft="$URL_NGINX/form/appeal/00000000000000000000000000000000/photos/add"
head -c 10600000 /dev/zero >"$WORK/big.bin"
head -c 70000 /dev/zero | tr '\0' a | sed 's/^/ticket=/' >"$WORK/form.txt"
big=$(nginx_413 "$no_draft" "$WORK/big.bin" "multipart/form-data; boundary=x")
form=$(nginx_413 "$URL_NGINX/form/track" "$WORK/form.txt" "application/x-www-form-urlencoded")
if [ "$big" = "413 from nginx" ] && [ "$form" = "413 from nginx" ]; then
  log "body limits: a 10.6 MB upload and a 70 KB form are refused by nginx itself (413)"
else
  fail "body limits: 10.6 MB upload answered $big, 70 KB form $form (want 413 from nginx)"
fi
# A photo added after submitting (/form/track/photo) has the draft photo's limit at nginx too:
# 1 MB without a track session gets the app's answer (the session has ended), not nginx's 413.
head -c 1000000 /dev/urandom >"$WORK/track-photo.bin"
track_photo=$(curl -sk -o "$WORK/answer.html" -w '%{http_code}' --max-time 60 -H "Origin: $URL_NGINX" \
  -F "photo=@$WORK/track-photo.bin;type=image/jpeg" "$URL_NGINX/form/track/photo" || true)
if grep -q '<center>nginx' "$WORK/answer.html" || [ "$track_photo" = 413 ] || [ "$track_photo" = 502 ]; then
  fail "a 1 MB photo to /form/track/photo through nginx answered $track_photo by nginx (want the app's answer: its location's body limit)"
else
  log "a 1 MB photo to /form/track/photo through nginx: the app's answer ($track_photo)"
fi
rm -f "$WORK/track-photo.bin"
# A refused upload within the limit (here: to a draft that does not exist) must come back as the
# app's answer (404, "expired"), and must not take nodes out of rotation.
head -c 9500000 /dev/urandom >"$WORK/photo.bin"
codes=""
for _ in 1 2 3 4 5; do
  codes+="$(curl -sk -o /dev/null -w '%{http_code}' --max-time 120 -H "Origin: $URL_NGINX" \
    -F "photo=@$WORK/photo.bin;type=image/jpeg" "$no_draft" || true) "
done
# A full draft refuses more photos before reading them (load shedding); behind the proxy the app
# reads the rest away first, so the resident gets the photos step saying "at most 3", not a 502.
jar="$WORK/draft.jar"
loc=$(curl -sk -o /dev/null -c "$jar" -w '%{redirect_url}' --max-time 10 -H "Origin: $URL_NGINX" \
  -d category=suggestion "$URL_NGINX/form/appeal/new" || true)
token=$(printf '%s' "$loc" | sed -n 's#.*/appeal/\([0-9A-Za-z]*\)/.*#\1#p')
full_codes=""
if [ -n "$token" ]; then
  for photo in docs/screenshot-home.png docs/screenshot-home.png docs/screenshot-home.png \
    "$WORK/photo.bin" "$WORK/photo.bin" "$WORK/photo.bin" "$WORK/photo.bin" "$WORK/photo.bin"; do
    full_codes+="$(curl -sk -o /dev/null -b "$jar" -w '%{http_code}' --max-time 120 -H "Origin: $URL_NGINX" \
      -F "photo=@$photo;type=image/png" "$URL_NGINX/form/appeal/$token/photos/add" || true) "
  done
  step=$(curl -sk -b "$jar" --max-time 10 "$URL_NGINX/appeal/$token/photos" || true)
  said_full=$(printf '%s' "$step" | grep -c '最多上传 3 张照片' || true)
  log "3 photos and then five 9.5 MB photos to the full draft through nginx: uploads answered $full_codes; the step says the draft is full: $said_full"
  if [ "$full_codes" != "303 303 303 303 303 303 303 303 " ] || [ "$said_full" -lt 1 ]; then
    msg="a full draft's refused upload through nginx answered '$full_codes' (want 303 ×8 and the step saying the draft is full; a 502 means the app answered without reading the body)"
    if [ "${TWO_NODE_ALLOW_UPLOAD_RESET:-0}" = 1 ]; then log "KNOWN BUG (TWO_NODE_ALLOW_UPLOAD_RESET=1): $msg"; else fail "$msg"; fi
  fi
else
  fail "could not start a draft through nginx (redirect '$loc')"
fi
# Refused before the photo code (another site's Origin: the same-origin check's 403), read away
# all the same behind the proxy.
cross_codes=""
for _ in 1 2 3; do
  cross_codes+="$(curl -sk -o /dev/null -w '%{http_code}' --max-time 120 -H "Origin: https://evil.example" \
    -F "photo=@$WORK/photo.bin;type=image/jpeg" "$no_draft" || true) "
done
log "3 cross-origin 9.5 MB uploads through nginx answered: $cross_codes"
if [ "$cross_codes" != "403 403 403 " ]; then
  msg="cross-origin uploads through nginx answered '$cross_codes' instead of the app's 403 (a 502 means the app answered without reading the body)"
  if [ "${TWO_NODE_ALLOW_UPLOAD_RESET:-0}" = 1 ]; then log "KNOWN BUG (TWO_NODE_ALLOW_UPLOAD_RESET=1): $msg"; else fail "$msg"; fi
fi
rm -f "$WORK/photo.bin" "$WORK/big.bin" "$WORK/form.txt"
after_upload=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 10 "$URL_NGINX/" || true)
log "5 refused 9.5 MB uploads through nginx answered: $codes; GET / right after: $after_upload"
[ "$after_upload" = 200 ] || fail "after refused uploads the site answers GET / with $after_upload (nodes taken out of rotation?)"
not_app=0
for c in $codes; do [ "$c" = 404 ] || not_app=$((not_app + 1)); done
if [ "$not_app" -gt 0 ]; then
  msg="refused uploads answered '$codes' instead of the app's 404: the app answers without reading the body and resets the connection, so nginx (still sending it) gets 'Broken pipe' and answers 502 (server bug, see docs/nginx-pingan.conf at max_fails)"
  if [ "${TWO_NODE_ALLOW_UPLOAD_RESET:-0}" = 1 ]; then log "KNOWN BUG (TWO_NODE_ALLOW_UPLOAD_RESET=1): $msg"; else fail "$msg"; fi
fi

# ---------------------------------------------------------------------------- load and kill
python3 scripts/load/submit_load.py --target "$URL_NGINX" --target "$URL_A" --target "$URL_B" \
  --api-key "$KEY" --threads "$THREADS" --seconds "$DURATION" --timeout 10 \
  --acks "$WORK/acks.tsv" --attempts "$WORK/attempts.tsv" --pending "$WORK/pending.tsv" \
  --events "$WORK/events.tsv" --ready "$WORK/load.ready" >"$WORK/load.json" 2>"$WORK/load.err" &
LOAD_PID=$!
for ((i = 0; i < 300; i++)); do
  [ -e "$WORK/load.ready" ] && break
  kill -0 "$LOAD_PID" 2>/dev/null || break
  sleep 0.1
done
[ -e "$WORK/load.ready" ] || { echo "two-node: the load generator did not start:" >&2; cat "$WORK/load.err" >&2; exit 1; }
kill_after=$(awk -v d="$DURATION" 'BEGIN { printf "%.1f", d * 0.4 }')
sleep "$kill_after"
T_KILL=$(date +%s.%N)
kill -KILL "$PID_B" || { fail "node B died on its own before the kill"; }
wait "$PID_B" 2>/dev/null || true
PID_B=""
log "node B SIGKILLed after ${kill_after}s of load; load continues through nginx and A"
for ((i = 0; i < (DURATION + 60) * 10; i++)); do kill -0 "$LOAD_PID" 2>/dev/null || break; sleep 0.1; done
stop_pid "$LOAD_PID" TERM 20
LOAD_PID=""
log "load: $(cat "$WORK/load.json" 2>/dev/null || cat "$WORK/load.err")"

# Fail-over, from the per-attempt events: nothing through nginx may fail 2 s after the kill.
python3 - "$WORK/events.tsv" "$T_KILL" "$URL_NGINX" "$URL_A" "$URL_B" "$NG/access.log" "$PORT_A" "$PORT_B" \
  >"$WORK/failover.txt" <<'EOF' || true
import collections, re, sys
events, t_kill, nginx, a, b, access, pa, pb = sys.argv[1:9]
t_kill = float(t_kill)
rows = [l.rstrip("\n").split("\t") for l in open(events, encoding="utf-8")]
def count(pred):
    return sum(1 for r in rows if pred(float(r[0]), r[2], r[3]))
late_fail = [r for r in rows if r[2] == nginx and r[3] == "fail" and float(r[0]) > t_kill + 2]
print(f"through nginx: before the kill {count(lambda t, tg, o: tg == nginx and o == 'ok' and t < t_kill)} ok "
      f"/ {count(lambda t, tg, o: tg == nginx and o == 'fail' and t < t_kill)} failed; "
      f"within 2 s of it {count(lambda t, tg, o: tg == nginx and o == 'fail' and t_kill <= t <= t_kill + 2)} failed (in flight on B); "
      f"after {count(lambda t, tg, o: tg == nginx and o == 'ok' and t > t_kill + 2)} ok / {len(late_fail)} failed")
print(f"direct to A: {count(lambda t, tg, o: tg == a and o == 'ok')} ok / {count(lambda t, tg, o: tg == a and o == 'fail')} failed; "
      f"direct to B: {count(lambda t, tg, o: tg == b and o == 'ok' and t < t_kill)} ok before the kill, "
      f"{count(lambda t, tg, o: tg == b and o == 'fail' and t > t_kill)} refused after it")
nodes = collections.Counter()
retried = collections.Counter()
name = lambda n: "A" if n.endswith(":" + pa) else "B" if n.endswith(":" + pb) else n
for line in open(access, encoding="utf-8", errors="replace"):
    m = re.search(r"node=(.*?) ns=(.*)$", line)
    if not m or m.group(1) == "-":
        continue
    tried = [name(n.strip()) for n in re.split(r"[,:] ", m.group(1))]
    for n in tried:
        nodes[n] += 1
    if len(tried) > 1:
        method = line.split('"', 2)[1].split(" ")[0]
        retried[f"{method} {' then '.join(tried)} (answers {m.group(2).strip()})"] += 1
print("nginx upstream attempts (access log): " + ", ".join(f"{k} {v}" for k, v in sorted(nodes.items()))
      + "; passed to the next node: " + (", ".join(f"{v} x {k}" for k, v in sorted(retried.items())) or "none"))
kinds = collections.Counter(r[4] for r in late_fail)
print("LATE_FAILURES " + str(len(late_fail)) + (" " + dict(kinds).__repr__() if kinds else ""))
EOF
cat "$WORK/failover.txt" | grep -v '^LATE_FAILURES' | while read -r line; do log "$line"; done
late=$(awk '/^LATE_FAILURES/ { print $2 }' "$WORK/failover.txt")
[ "${late:-x}" = 0 ] || fail "through nginx, $late appeals failed more than 2 s after node B was killed: $(grep '^LATE' "$WORK/failover.txt")"
if grep -Eq '[0-9a-f]{32}' "$NG/access.log"; then fail "the nginx access log contains a draft token"; fi

# ---------------------------------------------------------------------------- B back, retries
start_node B "$PORT_B" b2; PID_B=$NODE_PID
log "node B restarted on the same database"
python3 scripts/load/submit_load.py --target "$URL_NGINX" --target "$URL_A" --target "$URL_B" \
  --api-key "$KEY" --threads 4 --retry-only --seconds 60 --timeout 10 \
  --acks "$WORK/acks.tsv" --attempts "$WORK/attempts.tsv" --pending "$WORK/pending.tsv" \
  >"$WORK/retry.json" 2>"$WORK/retry.err" || { cat "$WORK/retry.err" >&2; exit 1; }
log "in-doubt wizard drafts submitted again: $(cat "$WORK/retry.json")"
# nginx probes B again after fail_timeout (10 s) and puts it back in rotation.
before_lines=$(wc -l <"$NG/access.log")
sleep 10
python3 scripts/load/submit_load.py --target "$URL_NGINX" --api-key "$KEY" --threads 4 --seconds 4 --timeout 10 \
  --acks "$WORK/acks.tsv" --attempts "$WORK/attempts.tsv" >"$WORK/after.json" 2>"$WORK/after.err" || true
back_b=$(tail -n +"$((before_lines + 1))" "$NG/access.log" | grep -c "node=127.0.0.1:$PORT_B" || true)
back_a=$(tail -n +"$((before_lines + 1))" "$NG/access.log" | grep -c "node=127.0.0.1:$PORT_A" || true)
log "after B's restart, through nginx: $(cat "$WORK/after.json"); requests served by A $back_a, by B $back_b"
[ "$back_b" -gt 0 ] || fail "nginx did not send anything to the restarted node B"

check_rc=0
python3 scripts/load/check_acks.py --acks "$WORK/acks.tsv" --attempts "$WORK/attempts.tsv" --pg-url "$DB_URL" \
  >"$WORK/check.json" || check_rc=$?
log "acknowledged appeals: $(cat "$WORK/check.json")"
[ "$check_rc" = 0 ] || fail "acknowledged appeals lost, wrong, duplicated or half stored (see above)"

# ---------------------------------------------------------------------------- supervision
NOW=$(date +%s)
sql "UPDATE appeals SET sign_start_at = $NOW - 10 * 86400, sign_by_at = $NOW - 2 * 86400,
            clock_start_at = $NOW - 20 * 86400, deadline_at = $NOW - 2 * 86400
     WHERE ticket IN (SELECT ticket FROM appeals WHERE status = 'assigned' ORDER BY ticket LIMIT $NOTICE_APPEALS)" >/dev/null
due=$(sql "SELECT COUNT(*) FROM appeals WHERE deadline_at = $NOW - 2 * 86400")
log "supervision: $due appeals made due (sign-for and resolve deadlines 2 days past); both nodes run it every second"
prev=-1 stable=0
for ((i = 0; i < 120; i++)); do
  sleep 1
  n=$(sql "SELECT COUNT(*) FROM appeal_notices")
  if [ "$n" = "$prev" ] && [ "$n" -gt 0 ]; then stable=$((stable + 1)); else stable=0; fi
  prev=$n
  [ "$stable" -ge 4 ] && break
done
[ "$stable" -ge 4 ] || fail "supervision notices still growing after 120 s ($prev)"
# Let the outbox workers deliver what the runs queued.
for ((i = 0; i < 30; i++)); do
  open_rows=$(sql "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND (claim_until IS NULL OR claim_until < $(date +%s))")
  [ "$open_rows" = 0 ] && break
  sleep 1
done

read -r n_warn n_sup n_esc <<<"$(sql "SELECT
  (SELECT COUNT(*) FROM appeal_notices WHERE stage = 'warning'),
  (SELECT COUNT(*) FROM appeal_notices WHERE stage = 'supervision'),
  (SELECT COUNT(*) FROM appeal_notices WHERE stage = 'escalation')" | tr '|' ' ')"
read -r e_warn e_sup e_esc <<<"$(sql "SELECT
  (SELECT COUNT(*) FROM appeal_events WHERE kind = 'warning'),
  (SELECT COUNT(*) FROM appeal_events WHERE kind = 'supervised'),
  (SELECT COUNT(*) FROM appeal_events WHERE kind = 'auto_escalated')" | tr '|' ' ')"
read -r a_sup a_esc <<<"$(sql "SELECT
  (SELECT COUNT(*) FROM audit_log WHERE action = 'supervise'),
  (SELECT COUNT(*) FROM audit_log WHERE action = 'auto_escalate')" | tr '|' ' ')"
read -r o_warn o_sup o_esc <<<"$(sql "SELECT
  (SELECT COUNT(*) FROM outbox WHERE kind = 'warning'),
  (SELECT COUNT(*) FROM outbox WHERE kind = 'supervision'),
  (SELECT COUNT(*) FROM outbox WHERE kind = 'escalated')" | tr '|' ' ')"
dup_notices=$(sql "SELECT COUNT(*) FROM (SELECT ticket, cycle, deadline, stage FROM appeal_notices
                   GROUP BY ticket, cycle, deadline, stage HAVING COUNT(*) > 1) d")
dup_events=$(sql "SELECT COUNT(*) FROM (SELECT ticket, kind, detail FROM appeal_events
                  WHERE kind IN ('warning', 'supervised', 'auto_escalated')
                  GROUP BY ticket, kind, detail HAVING COUNT(*) > 1) d")
# Per (appeal, moment): the notifications a run queued match the events it wrote.
mismatch=$(sql "SELECT COUNT(*) FROM (
    SELECT e.ticket, e.at, e.kind, COUNT(*) AS n FROM appeal_events e
    WHERE e.kind IN ('warning', 'auto_escalated') GROUP BY e.ticket, e.at, e.kind) e
  FULL JOIN (
    SELECT o.ticket, o.created_at AS at, CASE o.kind WHEN 'warning' THEN 'warning' ELSE 'auto_escalated' END AS kind,
           COUNT(*) AS n FROM outbox o WHERE o.kind IN ('warning', 'escalated') GROUP BY 1, 2, 3) o
  ON e.ticket = o.ticket AND e.at = o.at AND e.kind = o.kind
  WHERE e.n IS DISTINCT FROM o.n")
# What each node's supervision runs reported ("supervision run" log lines, colours stripped).
fired() { cat "$@" | sed 's/\x1b\[[0-9;]*m//g' | grep 'supervision run' \
  | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] in s) s[kv[1]] += kv[2] } }
         BEGIN { s["warnings"] = 0; s["supervisions"] = 0; s["escalations"] = 0 }
         END { printf "%d warnings, %d supervisions, %d escalations", s["warnings"], s["supervisions"], s["escalations"] }'; }
fired_a=$(fired "$WORK/node-a.log")
fired_b=$(fired "$WORK"/node-b*.log)
log "notices: warning $n_warn, supervision $n_sup, escalation $n_esc; events: warning $e_warn, supervised $e_sup, auto_escalated $e_esc; audit: supervise $a_sup, auto_escalate $a_esc; outbox: warning $o_warn, supervision $o_sup, escalated $o_esc"
log "duplicates: notices per (appeal, cycle, deadline, stage) $dup_notices, events $dup_events, event/notification mismatches $mismatch; fired by node A: $fired_a; by node B: $fired_b"
[ "$n_warn" -gt 0 ] && [ "$n_sup" -gt 0 ] && [ "$n_esc" -gt 0 ] || fail "supervision fired nothing (warning $n_warn, supervision $n_sup, escalation $n_esc)"
[ "$dup_notices" = 0 ] || fail "$dup_notices (appeal, cycle, deadline, stage) fired more than once"
[ "$dup_events" = 0 ] || fail "$dup_events supervision events written more than once"
[ "$mismatch" = 0 ] || fail "$mismatch (appeal, moment) with notifications not matching events"
[ "$n_warn" = "$e_warn" ] && [ "$n_sup" = "$e_sup" ] && [ "$e_sup" = "$a_sup" ] && [ "$e_esc" = "$a_esc" ] \
  && [ "$e_esc" -le "$n_esc" ] && [ "$o_warn" = "$e_warn" ] && [ "$o_esc" = "$e_esc" ] \
  && [ "$o_sup" -ge "$e_sup" ] && [ "$o_sup" -le $((2 * e_sup)) ] \
  || fail "notices, events, audit entries and notifications do not match one to one"

# Notifications: every delivered row is in a node's file, none twice (but at-least-once after
# the kill: a row the killed node wrote to its file and could not mark as delivered).
sql "SELECT id FROM outbox WHERE delivered_at IS NOT NULL" >"$WORK/delivered.txt"
undelivered=$(sql "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")
stuck=$(sql "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND claim_until >= $(date +%s)")
python3 - "$WORK/delivered.txt" "$WORK"/notify-*.jsonl >"$WORK/notify.txt" <<'EOF' || true
import collections, json, os, sys
delivered = {int(l) for l in open(sys.argv[1]) if l.strip()}
seen = collections.defaultdict(list)
for path in sys.argv[2:]:
    for line in open(path, encoding="utf-8"):
        seen[json.loads(line)["id"]].append(os.path.basename(path))
missing = delivered - set(seen)
unmarked = set(seen) - delivered
unmarked_b1 = {i for i in unmarked if seen[i] == ["notify-b1.jsonl"]}
twice = {i: f for i, f in seen.items() if len(f) > 1}
bad_twice = {i: f for i, f in twice.items() if "notify-b1.jsonl" not in f}
print(f"{len(seen)} notifications in the sink files, {len(delivered)} marked delivered, "
      f"{len(missing)} marked delivered but in no file, {len(unmarked)} in a file but not marked "
      f"({len(unmarked_b1)} sent by the killed node just before the kill, to be sent again when its "
      f"claim runs out), "
      f"{len(twice)} sent twice ({len(twice) - len(bad_twice)} of them by the killed node first)")
print(f"BAD {len(missing) + len(bad_twice)}")
EOF
log "notifications: $(head -n 1 "$WORK/notify.txt"); undelivered rows $undelivered ($stuck still claimed by the killed node, retried when the claim runs out)"
[ "$(awk '/^BAD/ { print $2 }' "$WORK/notify.txt")" = 0 ] || fail "notification delivery: $(cat "$WORK/notify.txt")"
[ "$undelivered" -le "$stuck" ] || fail "$((undelivered - stuck)) notifications not delivered by the live nodes"

# ---------------------------------------------------------------------------- catalog reload
v0=$(sql "SELECT value FROM settings WHERE key = 'catalog_version'")
"$BIN" import-regions backend/demo-city >"$WORK/import.txt" 2>&1 || { cat "$WORK/import.txt" >&2; fail "import-regions failed"; }
v1=$(sql "SELECT value FROM settings WHERE key = 'catalog_version'")
reloaded=""
for ((i = 0; i < 30; i++)); do
  ra=$(grep -c "region catalog reloaded" "$WORK/node-a.log" || true)
  rb=$(grep -c "region catalog reloaded" "$WORK/node-b2.log" || true)
  if [ "$ra" -gt 0 ] && [ "$rb" -gt 0 ]; then reloaded="after ${i}s"; break; fi
  sleep 1
done
if [ -n "$reloaded" ]; then
  log "catalog: import-regions from the CLI bumped catalog_version $v0 -> $v1; both nodes reloaded their index ($reloaded)"
else
  fail "catalog: version $v0 -> $v1, but reloaded on A: $ra, on B: $rb within 30 s"
fi

# ---------------------------------------------------------------------------- audit, verdict
audit_rc=0
"$BIN" audit verify >"$WORK/audit.txt" 2>&1 || audit_rc=$?
log "audit: $(tr '\n' ' ' <"$WORK/audit.txt")"
[ "$audit_rc" = 0 ] || fail "pingan audit verify failed"
panics=$(cat "$WORK"/node-*.log | grep -c panicked || true)
[ "$panics" = 0 ] || log "WARNING: $panics panics in the node logs"

echo
if [ "${#FAILURES[@]}" -gt 0 ]; then
  echo "two-node: FAILED in $((SECONDS - START))s:" >&2
  printf '  - %s\n' "${FAILURES[@]}" >&2
  exit 1
fi
FAILED=0
echo "two-node: PASSED in $((SECONDS - START))s"
