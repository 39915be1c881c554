#!/usr/bin/env bash
# Every check, in order of speed; the first failure stops the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check
step "cargo clippy (native, all targets)"
cargo clippy --workspace --all-targets -- -D warnings
step "cargo clippy (wasm32 app)"
cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
step "native tests"
cargo test --workspace
step "wasm-bindgen-test in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/webdriver.json" \
  cargo test --target wasm32-unknown-unknown --test web
step "trunk build --release"
trunk build --release
step "Playwright end-to-end suite against dist/"
npx playwright test
step "shipped size"
scripts/size.sh
