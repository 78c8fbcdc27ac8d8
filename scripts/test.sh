#!/usr/bin/env bash
# Runs every test of kefu on this machine, installing what is missing first:
#   native Rust tests (core, CLI, server; includes the answer-quality check on ../shared/eval),
#   then the wasm tests and the end-to-end tests in headless Chromium (scripts/test-browser.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_wasm_target
ensure_wasm_bindgen
ensure_chromium

log "native tests (release build, shared with the demo's build)"
cargo test --workspace --exclude kefu-widget --release

log "browser tests (wasm-bindgen-test and end-to-end, headless Chromium)"
bash scripts/test-browser.sh
