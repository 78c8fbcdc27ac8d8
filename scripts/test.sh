#!/usr/bin/env bash
# Runs every test of kefu on this machine, installing what is missing first:
#   native Rust tests (core, CLI, server; includes the answer-quality check on ../shared/eval),
#   the server's storage tests again on a throwaway PostgreSQL (Debian package),
#   then the wasm tests and the end-to-end tests in headless Chromium (scripts/test-browser.sh).
# Leaves tracked files alone: screenshots go to target/kefu-test/screenshots. To refresh the
# ones in docs/screenshots for a commit, pass --update-screenshots (or KEFU_UPDATE_SCREENSHOTS=1).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

browser_args=()
for arg in "$@"; do
  case "$arg" in
    --update-screenshots) browser_args+=(--update-screenshots) ;;
    *) echo "usage: $0 [--update-screenshots]" >&2; exit 2 ;;
  esac
done

ensure_wasm_target
ensure_wasm_bindgen
ensure_chromium

# One cargo invocation for every native test (the widget's unit tests included): one feature
# resolution, so nothing is compiled twice. It also builds target/release/kefu, which the
# browser tests reuse instead of building the CLI again.
log "native tests (release build)"
cargo test --workspace --release

# The same server tests (API, faults, inbox, malicious input, webhook, CLI, load) against
# PostgreSQL: same binary, no rebuild; each test gets a schema of its own.
# Wrong answers at 0/30/60% out-of-scope traffic on every shared eval file (fails over 5%).
log "out-of-scope mix table"
python3 scripts/eval-mix.py

log "server tests on PostgreSQL"
ensure_postgres
KEFU_TEST_POSTGRES="$PG_TEST_DSN" cargo test --workspace --release --test server --test load
stop_postgres

log "browser tests (wasm-bindgen-test and end-to-end, headless Chromium)"
KEFU_NATIVE_TESTED=1 bash scripts/test-browser.sh "${browser_args[@]}"
