#!/usr/bin/env bash
# Installs whatever is missing, at pinned versions; fast when everything is present.
#   scripts/setup.sh build   tools to build and serve the app
#   scripts/setup.sh test    the above plus browsers and test runners
# Pins and pitfalls: docs/decisions.md#d8 (trunk 0.21.14 --locked; wasm-bindgen-cli
# exactly the Cargo.lock version, without --locked; wasm-opt from npm binaryen, never Debian's).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-build}"
TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if ! [ -x node_modules/.bin/wasm-opt ] || { [ "$mode" = test ] && ! [ -d node_modules/@playwright/test ]; }; then
  say "installing npm packages from package-lock.json (binaryen, playwright; no browser download)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
# The JS glue's minifier for release builds (scripts/post_build.py, tools/jsmin): from the
# crates Trunk itself was built with; a no-op once built.
cargo build -q --release --locked --manifest-path tools/jsmin/Cargo.toml --target-dir target/tools
if [ "$mode" = test ]; then
  if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ]; then
    say "installing Debian chromium and chromium-driver"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
say "tools ready: $(trunk --version), wasm-bindgen $WASM_BINDGEN_VERSION, wasm-opt $(wasm-opt --version | awk '{print $3}')"
