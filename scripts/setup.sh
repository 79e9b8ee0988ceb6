#!/usr/bin/env bash
# Installs whatever the build / the tests need and is missing. Idempotent; prints nothing
# when everything is already present, one line per thing it installs otherwise.
#
#   scripts/setup.sh [build]   wasm32 target, cargo-leptos 0.3.10, wasm-bindgen-cli (= Cargo.lock),
#                              wasm-opt (npm binaryen, into .tools/), cargo-nextest
#   scripts/setup.sh test      all of `build`, plus apt chromium/postgresql/brotli/curl/nginx/wrk,
#                              the end2end/ npm packages (Playwright) and cargo-deny
#
# Tools land in ~/.cargo/bin and .tools/node_modules/.bin: `. scripts/env.sh` puts both on PATH
# (run.sh and test.sh do that themselves).
#
# Environment knobs:
#   PINGAN_SKIP_CARGO_LEPTOS=1  do not install cargo-leptos even if missing/wrong version (e.g.
#                               while another `cargo install cargo-leptos` is still running).
#                               Without it, a running install is detected and waited for
#                               instead of starting a second one.
#   PINGAN_BINARYEN_VERSION     npm binaryen version for wasm-opt (default 132.0.0)
set -euo pipefail

# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PINGAN_ROOT"

CARGO_LEPTOS_VERSION=0.3.10
CARGO_DENY_VERSION=0.20.2
BINARYEN_VERSION="${PINGAN_BINARYEN_VERSION:-132.0.0}"
INSTALLED=0

say()  { echo "setup: $*"; }
die()  { echo "setup: error: $*" >&2; exit 1; }
installing() { say "installing $*"; INSTALLED=1; }

want_build=0 want_test=0
[ $# -eq 0 ] && set -- build
for arg in "$@"; do
  case "$arg" in
    build) want_build=1 ;;
    test)  want_build=1; want_test=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown part '$arg' (use: build | test)" ;;
  esac
done

command -v cargo  >/dev/null || die "cargo not found (install Rust via rustup first)"
command -v rustup >/dev/null || die "rustup not found"

# ---------------------------------------------------------------- build tools
wasm_bindgen_version() {
  # Cargo.lock is authoritative; fall back to the "=x.y.z" pin in Cargo.toml.
  local v=""
  if [ -f Cargo.lock ]; then
    v="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)"
  fi
  if [ -z "$v" ]; then
    v="$(sed -n 's/^wasm-bindgen *= *"=\{0,1\}\([0-9][0-9.]*\)".*/\1/p' Cargo.toml | head -1)"
  fi
  [ -n "$v" ] || die "cannot find the wasm-bindgen version in Cargo.lock or Cargo.toml"
  echo "$v"
}

cargo_leptos_ok() {
  [ "$(cargo leptos --version 2>/dev/null | awk '{print $NF}')" = "$CARGO_LEPTOS_VERSION" ]
}

running_cargo_leptos_install() {
  pgrep -f 'cargo install .*cargo-leptos' 2>/dev/null | head -1 || true
}

setup_build() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    installing "rustup target wasm32-unknown-unknown"
    rustup -q target add wasm32-unknown-unknown
  fi

  if ! cargo_leptos_ok; then
    if [ "${PINGAN_SKIP_CARGO_LEPTOS:-0}" = 1 ]; then
      say "cargo-leptos $CARGO_LEPTOS_VERSION missing; skipped (PINGAN_SKIP_CARGO_LEPTOS=1)"
    else
      local pid
      pid="$(running_cargo_leptos_install)"
      if [ -n "$pid" ]; then
        say "another 'cargo install cargo-leptos' is running (pid $pid); waiting for it"
        while kill -0 "$pid" 2>/dev/null; do sleep 10; done
      fi
      if ! cargo_leptos_ok; then
        # 0.3.11 with --locked needs rustc 1.96; 0.3.10 is the newest that builds here (~16 min).
        installing "cargo-leptos $CARGO_LEPTOS_VERSION (takes ~16 min)"
        cargo install --quiet cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
      fi
    fi
  fi

  local wbv
  wbv="$(wasm_bindgen_version)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbv" ]; then
    # No --locked: its lockfile asks for a crate version the registry does not have.
    installing "wasm-bindgen-cli $wbv (takes 2-8 min)"
    cargo install --quiet --force wasm-bindgen-cli --version "$wbv"
  fi

  local wov="${BINARYEN_VERSION%%.*}"
  if ! "$PINGAN_ROOT/.tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $wov\b"; then
    command -v npm >/dev/null || die "npm not found (apt-get install nodejs npm, node >= 20)"
    installing "wasm-opt (npm binaryen@$BINARYEN_VERSION) into .tools/"
    mkdir -p .tools
    npm install --prefix "$PINGAN_ROOT/.tools" --silent --no-audit --no-fund --save-exact \
      "binaryen@$BINARYEN_VERSION" >/dev/null
  fi

  if ! cargo nextest --version >/dev/null 2>&1; then
    installing "cargo-nextest"
    cargo install --quiet cargo-nextest --locked
  fi
}

# ----------------------------------------------------------------- test tools
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "need $* but apt-get is not available"
  export DEBIAN_FRONTEND=noninteractive
  if [ "$APT_UPDATED" = 0 ]; then
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

setup_test() {
  local pkgs=()
  [ -x /usr/bin/chromium ] || pkgs+=(chromium)
  # A Chinese font, so the elder-mode screenshots of the Playwright run show text, not boxes.
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || pkgs+=(fonts-noto-cjk)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || pkgs+=(postgresql)
  command -v psql   >/dev/null || pkgs+=(postgresql-client)
  command -v brotli >/dev/null || pkgs+=(brotli)
  command -v curl   >/dev/null || pkgs+=(curl)
  command -v gzip   >/dev/null || pkgs+=(gzip)
  # The two-node test's reverse proxy (docs/nginx-pingan.conf) and the benchmark's load tool.
  [ -x /usr/sbin/nginx ] || pkgs+=(nginx-light)
  command -v wrk    >/dev/null || pkgs+=(wrk)
  if [ ${#pkgs[@]} -gt 0 ]; then
    installing "apt: ${pkgs[*]}"
    apt_install "${pkgs[@]}"
  fi

  command -v node >/dev/null || die "node not found (need node >= 20 for Playwright)"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || die "node $(node --version) is too old; Playwright needs node >= 20"

  # Reinstall end2end/node_modules when missing or when package-lock.json changed.
  local e2e="$PINGAN_ROOT/end2end" stamp sum
  stamp="$e2e/node_modules/.pingan-lock.sha256"
  if [ -f "$e2e/package-lock.json" ]; then
    sum="$(sha256sum "$e2e/package-lock.json" "$e2e/package.json" | sha256sum | cut -d' ' -f1)"
    if [ ! -d "$e2e/node_modules" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
      installing "end2end npm packages (npm ci)"
      (cd "$e2e" && npm ci --silent --no-audit --no-fund >/dev/null)
      echo "$sum" >"$stamp"
    fi
  elif [ ! -d "$e2e/node_modules" ]; then
    installing "end2end npm packages (npm install; no package-lock.json yet)"
    (cd "$e2e" && npm install --silent --no-audit --no-fund >/dev/null)
  fi
  # Browsers: Debian's /usr/bin/chromium via playwright.config.ts. Never `npx playwright install`.

  # The dependency-tree check (deny.toml): licences, bans, sources. About 3 minutes to build.
  if ! cargo deny --version 2>/dev/null | grep -q "^cargo-deny $CARGO_DENY_VERSION\b"; then
    installing "cargo-deny $CARGO_DENY_VERSION"
    cargo install --quiet cargo-deny --locked --version "$CARGO_DENY_VERSION"
  fi
}

# (plain `if`s: `set -e` is ignored inside functions called from an && list)
if [ "$want_build" = 1 ]; then setup_build; fi
if [ "$want_test" = 1 ]; then setup_test; fi

if [ "$INSTALLED" = 1 ]; then
  say "done. Tools are in ${CARGO_HOME:-$HOME/.cargo}/bin and $PINGAN_ROOT/.tools/node_modules/.bin;"
  say "put them on PATH with:  . scripts/env.sh"
fi
exit 0
