#!/usr/bin/env bash
# Lighthouse (npm lighthouse@12.2.3, mobile profile, simulated throttling) on the resident pages
# of a running portal, with Debian's Chromium. Prints performance and accessibility scores, LCP,
# FCP and the bytes transferred per page. Hand-run (not in CI): the figures of the closing note
# and docs/benchmarks.md.
#
#   scripts/bench/lighthouse.sh [BASE_URL]      (default http://127.0.0.1:3917, test.sh's server)
#   LIGHTHOUSE_ELDER=1 scripts/bench/lighthouse.sh   the same pages in elder mode (cookie elder=1)
#
# Lighthouse is installed into $LIGHTHOUSE_DIR (default /tmp/pingan-lighthouse) on first use.
set -euo pipefail
BASE="${1:-http://127.0.0.1:3917}"
DIR="${LIGHTHOUSE_DIR:-/tmp/pingan-lighthouse}"
if [ ! -x "$DIR/node_modules/.bin/lighthouse" ]; then
  mkdir -p "$DIR"
  (cd "$DIR" && npm install --silent --no-audit --no-fund lighthouse@12.2.3 >/dev/null)
fi
ARTICLE="$(curl -fsS --max-time 15 "$BASE/legal" | grep -o 'href="/legal/articles/[^"]*"' | head -n 1 | cut -d'"' -f2)"
EXTRA=()
if [ "${LIGHTHOUSE_ELDER:-0}" = 1 ]; then EXTRA=(--extra-headers='{"Cookie":"elder=1"}'); fi
FLAGS="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
for p in / /appeal/new /track "$ARTICLE" /legal/services; do
  out="$DIR/report$(echo "$p" | tr '/' '_').json"
  CHROME_PATH=/usr/bin/chromium timeout 180 "$DIR/node_modules/.bin/lighthouse" "$BASE$p" --quiet --output=json \
    --output-path="$out" --only-categories=performance,accessibility --chrome-flags="$FLAGS" "${EXTRA[@]}" >/dev/null 2>&1
  python3 - "$out" "$p" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
a = r["audits"]
refs = {x["id"] for x in r["categories"]["accessibility"]["auditRefs"]}
failing = [k for k, v in a.items() if k in refs and v.get("scoreDisplayMode") == "binary" and v.get("score") == 0]
print(f"{sys.argv[2]}: performance {round(r['categories']['performance']['score'] * 100)}, "
      f"accessibility {round(r['categories']['accessibility']['score'] * 100)}, "
      f"LCP {a['largest-contentful-paint']['displayValue']}, FCP {a['first-contentful-paint']['displayValue']}, "
      f"{int(a['total-byte-weight']['numericValue']):,} bytes" + (f", failing: {failing}" if failing else ""))
PY
done
