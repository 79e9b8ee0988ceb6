# shellcheck shell=bash
# Source this (". scripts/env.sh") to get the project's tool paths:
#   ~/.cargo/bin                  cargo-leptos, wasm-bindgen, cargo-nextest (cargo install)
#   <repo>/.tools/node_modules/.bin  wasm-opt from the npm package `binaryen` (Debian's is broken)
# The project-local wasm-opt goes first so it wins over any system wasm-opt: cargo-leptos
# would otherwise pick up another one or try to download one from GitHub (unreachable here).
# Safe to source more than once and under `set -euo pipefail`.

if [ -n "${BASH_SOURCE[0]:-}" ]; then
  PINGAN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
else
  PINGAN_ROOT="${PINGAN_ROOT:-$(pwd)}"
fi
export PINGAN_ROOT

_pingan_path_prepend() {
  case ":${PATH}:" in
    *":$1:"*) ;;
    *) PATH="$1${PATH:+:${PATH}}" ;;
  esac
}
_pingan_path_prepend "${CARGO_HOME:-$HOME/.cargo}/bin"
_pingan_path_prepend "$PINGAN_ROOT/.tools/node_modules/.bin"
unset -f _pingan_path_prepend
export PATH

# rustup must never fetch toolchains behind our back.
export RUSTUP_AUTO_INSTALL="${RUSTUP_AUTO_INSTALL:-0}"
