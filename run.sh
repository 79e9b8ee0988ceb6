#!/usr/bin/env bash
# Build and run the portal locally:  ./run.sh
# First run installs the build tools (cargo-leptos alone takes ~16 min) and does a clean
# release build (~5 min); later runs only rebuild what changed.
#
#   LEPTOS_SITE_ADDR   listen address (default 127.0.0.1:3000)
#   DATABASE_URL       database (default: the binary's own, ./data/pingan.db SQLite)
#   PINGAN_DEMO        1 (default here) loads the demo city and accounts into an empty database
# Extra arguments are passed to `pingan serve`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=scripts/env.sh
. scripts/env.sh

scripts/setup.sh build
cargo leptos build --release
# Compressed copies of the bundle, served instead of compressing each download.
target/release/pingan precompress target/site/pkg

export LEPTOS_SITE_ROOT=target/site
export LEPTOS_SITE_PKG_DIR="${LEPTOS_SITE_PKG_DIR:-pkg}"
export LEPTOS_OUTPUT_NAME="${LEPTOS_OUTPUT_NAME:-pingan}"
export LEPTOS_ENV="${LEPTOS_ENV:-PROD}"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
# The demo city and demo staff accounts (random password, printed once); `pingan serve` alone
# never loads them.
export PINGAN_DEMO="${PINGAN_DEMO:-1}"
mkdir -p data
exec target/release/pingan serve "$@"
