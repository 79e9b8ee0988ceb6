#!/usr/bin/env bash
# Hostile upload load against a local server, measuring its peak memory (issue 9 §5):
#
#   scripts/upload-load.sh [path/to/pingan]      (default: $CARGO_TARGET_DIR or target, debug)
#
# Starts the given binary on a throwaway SQLite database at 127.0.0.1:$PORT (default 3931), then
# for each scenario sends N (default 20) uploads at once, each to its own draft, while a plain
# GET / is timed every 0.2 s:
#   big     an 8 MB PNG of noise (a real picture, decoded and shrunk)
#   bomb    a PNG of 6000 × 6000 RGB of one colour: a few hundred KB, 108 MB decoded
#   gray    a PNG of 6000 × 6000 grey: 36 MB decoded, within the decode budget
# and prints per scenario: the answers' status codes, the server's peak RSS (VmHWM, reset
# before each scenario via /proc/PID/clear_refs) and the slowest GET / meanwhile.
# Everything is bounded: curl --max-time, and the server is stopped at exit.
# Needs curl and python3 (no Pillow: the PNGs are written with zlib).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN="${1:-${CARGO_TARGET_DIR:-target}/debug/pingan}"
PORT="${PORT:-3931}"
N="${N:-20}"
URL="http://127.0.0.1:$PORT"
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build -p pingan-server --bin pingan)" >&2; exit 2; }

WORK="$(mktemp -d -t pingan-load.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

python3 - "$WORK" <<'EOF'
import os, struct, sys, zlib
out = sys.argv[1]

def chunk(kind, data):
    c = struct.pack(">I", len(data)) + kind + data
    return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

def png(path, w, h, color_type, channels, row_fn, level):
    z = zlib.compressobj(level)
    idat = bytearray()
    for y in range(h):
        idat += z.compress(b"\0" + row_fn(y, w * channels))
    idat += z.flush()
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)))
        f.write(chunk(b"IDAT", bytes(idat)))
        f.write(chunk(b"IEND", b""))

png(f"{out}/big.png", 1700, 1600, 2, 3, lambda y, n: os.urandom(n), 1)      # ~8 MB of noise
one = {}
def flat(y, n):
    return one.setdefault(n, bytes([90]) * n)
png(f"{out}/bomb.png", 6000, 6000, 2, 3, flat, 9)                            # RGB bomb
png(f"{out}/gray.png", 6000, 6000, 0, 1, flat, 9)                            # grey, fits
for f in ("big", "bomb", "gray"):
    print(f"{f}.png: {os.path.getsize(f'{out}/{f}.png')} bytes", file=sys.stderr)
EOF

# Demo city (the wizard's categories), cheap password hashing for the demo accounts, and enough
# draft budget for every upload to start its own draft.
DATABASE_URL="sqlite://$WORK/load.db?mode=rwc" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT="$WORK" \
PINGAN_DEMO=1 PINGAN_ARGON2="64,1,1" PINGAN_RATE_LIMIT_SUBMIT=100000 RUST_LOG=warn \
  "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 240); do
  curl -fsS -o /dev/null --max-time 2 "$URL/healthz" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.5
done
rss() { awk -v k="$1:" '$1 == k { print int($2 / 1024) }' "/proc/$SERVER_PID/status"; }
echo "binary: $BIN"
echo "idle: VmRSS $(rss VmRSS) MB, VmHWM since start $(rss VmHWM) MB"

scenario() {
  local name=$1 file=$2
  local tokens=()
  for _ in $(seq 1 "$N"); do
    tokens+=("$(curl -fsS --max-time 10 "$URL/appeal/new" | grep -o 'action="/form/appeal/[0-9a-f]\{32\}' | awk -F/ 'NR == 1 { print $4 }')")
  done
  echo 5 >"/proc/$SERVER_PID/clear_refs"   # VmHWM := VmRSS now
  local before; before=$(rss VmRSS)
  # The plain GET / prober, meanwhile.
  (
    while [ ! -e "$WORK/$name.done" ]; do
      curl -s -o /dev/null --max-time 30 -w '%{http_code} %{time_total}\n' "$URL/" >>"$WORK/$name.get" || echo "ERR 30" >>"$WORK/$name.get"
      sleep 0.2
    done
  ) &
  local prober=$!
  local start=$SECONDS pids=()
  for t in "${tokens[@]}"; do
    curl -s -o /dev/null --max-time 180 -w '%{http_code}\n' -F "photo=@$WORK/$file;type=image/png" \
      "$URL/form/appeal/$t/photos/add" >>"$WORK/$name.codes" &
    pids+=("$!")
  done
  wait "${pids[@]}" || true
  touch "$WORK/$name.done"
  wait "$prober" || true
  local codes; codes=$(sort "$WORK/$name.codes" | uniq -c | awk '{ printf "%s×%s ", $1, $2 }')
  local gets slowest
  gets=$(awk '{ n[$1]++ } END { for (c in n) printf "%s×%s ", n[c], c }' "$WORK/$name.get")
  slowest=$(awk 'BEGIN { m = 0 } { if ($2 > m) m = $2 } END { printf "%.2f", m }' "$WORK/$name.get")
  local peak; peak=$(rss VmHWM)
  # 303 means "answered on the photos step": whether the photo was kept or why not is on the page.
  local kept=0 refused=0 why=""
  for t in "${tokens[@]}"; do
    page=$(curl -s --max-time 10 "$URL/appeal/$t/photos")
    if grep -q 'src="/draft-photo/' <<<"$page"; then kept=$((kept + 1)); else
      refused=$((refused + 1))
      why=$(grep -o 'href="#photo"[^<]*' <<<"$page" | awk -F'>' 'NR == 1 { print $2 }' || true)
    fi
  done
  printf '%-5s %2d uploads of %-9s answers: %s(photo kept %s, refused %s%s) | RSS before %s MB, peak %s MB | GET / meanwhile: %s slowest %ss | %ss\n' \
    "$name" "$N" "$(stat -c %s "$WORK/$file" | awk '{ printf "%.1f MB", $1 / 1048576 }')" "$codes" "$kept" "$refused" \
    "${why:+: $why}" "$before" "$peak" "$gets" "$slowest" "$((SECONDS - start))"
}

scenario big big.png
scenario bomb bomb.png
scenario gray gray.png
echo "after: VmRSS $(rss VmRSS) MB"
# What the uploads left in the drafts (303 = answered on the photos step; the page says why).
grep -ci "photo upload refused" "$WORK/server.log" | sed 's/^/503 log lines: /' || true
