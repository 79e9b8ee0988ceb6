#!/usr/bin/env bash
# Size of the client bundle cargo-leptos produced (run after `cargo leptos build --release`):
# raw / gzip -9 / brotli -q 11 bytes of target/site/pkg/pingan.wasm, pingan.js and pingan.css
# (the stylesheet cargo-leptos makes from style/main.css). Only reads those files; builds nothing.
# Writes the table to target/size-report.txt and fails when wasm+js brotli exceeds
# PINGAN_WASM_BUDGET_BROTLI bytes (default 102400 = 100 KiB) or the CSS brotli exceeds
# PINGAN_CSS_BUDGET_BROTLI bytes (default 5600: 4,844 measured on 6 December 2026, plus ~15 %).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="${PINGAN_SITE_PKG:-$ROOT/target/site/pkg}"
OUT="$ROOT/target/size-report.txt"
BUDGET="${PINGAN_WASM_BUDGET_BROTLI:-102400}"
CSS_BUDGET="${PINGAN_CSS_BUDGET_BROTLI:-5600}"

command -v brotli >/dev/null || { echo "size-report: brotli not found (scripts/setup.sh test)" >&2; exit 1; }

total_raw=0 total_gz=0 total_br=0
report="$(
  printf '%-14s %10s %10s %10s\n' file raw gzip brotli
  for f in pingan.wasm pingan.js; do
    p="$PKG/$f"
    [ -f "$p" ] || { echo "size-report: missing $p (run cargo leptos build --release)" >&2; exit 1; }
    raw=$(wc -c <"$p")
    gz=$(gzip -9 -c "$p" | wc -c)
    br=$(brotli -c -q 11 "$p" | wc -c)
    printf '%-14s %10d %10d %10d\n' "$f" "$raw" "$gz" "$br"
  done
)"
# Sum the per-file rows (the subshell above cannot export its counters).
read -r total_raw total_gz total_br < <(echo "$report" | awk 'NR>1 {r+=$2; g+=$3; b+=$4} END {print r+0, g+0, b+0}')
report="$(printf '%s\n%-14s %10d %10d %10d\n' "$report" "total" "$total_raw" "$total_gz" "$total_br")"
verdict="budget (brotli, wasm+js): $total_br / $BUDGET bytes"
if [ "$total_br" -le "$BUDGET" ]; then verdict="$verdict  OK"; else verdict="$verdict  OVER by $((total_br - BUDGET))"; fi

# The stylesheet: its own row (not in the wasm+js total) and its own budget.
css="$PKG/pingan.css"
[ -f "$css" ] || { echo "size-report: missing $css (run cargo leptos build --release)" >&2; exit 1; }
css_raw=$(wc -c <"$css")
css_gz=$(gzip -9 -c "$css" | wc -c)
css_br=$(brotli -c -q 11 "$css" | wc -c)
report="$(printf '%s\n%-14s %10d %10d %10d\n' "$report" "pingan.css" "$css_raw" "$css_gz" "$css_br")"
css_verdict="budget (brotli, css): $css_br / $CSS_BUDGET bytes"
if [ "$css_br" -le "$CSS_BUDGET" ]; then css_verdict="$css_verdict  OK"; else css_verdict="$css_verdict  OVER by $((css_br - CSS_BUDGET))"; fi

mkdir -p "$(dirname "$OUT")"
printf '%s\n%s\n%s\n' "$report" "$verdict" "$css_verdict" | tee "$OUT"

over=0
if [ "$total_br" -gt "$BUDGET" ]; then
  echo "size-report: client bundle over budget (set PINGAN_WASM_BUDGET_BROTLI to change it)" >&2
  over=1
fi
if [ "$css_br" -gt "$CSS_BUDGET" ]; then
  echo "size-report: stylesheet over budget (set PINGAN_CSS_BUDGET_BROTLI to change it)" >&2
  over=1
fi
exit "$over"
