#!/usr/bin/env bash
# The widget's tests in a real browser (headless Debian Chromium):
#   1. wasm-bindgen tests of kefu-widget (crates/kefu-widget/tests): the demo bundles open
#      in wasm and rank exactly like the native CLI on the parity queries; the widget mounts
#      and answers with DOM nodes;
#   2. the end-to-end tests (tests/e2e/*.test.mjs, node --test + playwright-core) against the
#      built pkg/ served by tests/server.mjs with the strict CSP, and (handoff.test.mjs) by a
#      real `kefu serve` on loopback with a temp SQLite database: photos, fault tests, agent
#      replies; they also take the screenshots, into target/kefu-test/screenshots/ (the
#      tracked ones in docs/screenshots/ only with --update-screenshots);
#   3. the figures (tests/e2e/measure.mjs): click → ready cold/warm, send → answer, heap.
# Builds pkg/ first when it is missing or older than its sources. Exits non-zero on failure,
# and when a test changed a file under docs/ without --update-screenshots.
#
#   bash scripts/test-browser.sh               # all of it
#   KEFU_E2E_ONLY=1 bash scripts/test-browser.sh   # skip the wasm-bindgen tests
#   bash scripts/test-browser.sh --update-screenshots   # also rewrite docs/screenshots/*.png
#                                              # (= KEFU_UPDATE_SCREENSHOTS=1; commit them on purpose)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

for arg in "$@"; do
  case "$arg" in
    --update-screenshots) export KEFU_UPDATE_SCREENSHOTS=1 ;;
    *) echo "usage: $0 [--update-screenshots]" >&2; exit 2 ;;
  esac
done

ensure_wasm_target
ensure_wasm_bindgen
ensure_chromium
ensure_cjk_font
ensure_node_modules "$ROOT/tests"

# The CLI builds the bundles and is the hand-off server of the e2e tests (`kefu serve`).
# scripts/test.sh has just built it (and run the widget's unit tests) in its native pass.
if [ -n "${KEFU_NATIVE_TESTED:-}" ] && [ -x target/release/kefu ]; then
  log "the kefu CLI: reusing target/release/kefu from the native tests"
else
  log "the kefu CLI (release)"
  cargo build --release -p kefu-cli
fi

stale=""
if [ ! -f pkg/kefu.js ]; then
  stale="missing"
elif [ -n "$(find crates/kefu-widget crates/kefu-core/src www/loader www/widget www/demo/kb -newer pkg/kefu.js -type f | head -1)" ]; then
  stale="older than its sources"
fi
if [ -n "$stale" ]; then
  log "pkg/ is $stale: building it"
  KEFU_SKIP_CLI=1 bash scripts/build-widget.sh
fi

failed=()

if [ -z "${KEFU_NATIVE_TESTED:-}" ]; then
  log "widget unit tests (native, release)"
  cargo test --release -p kefu-widget --lib || failed+=("widget unit tests")
fi

if [ -z "${KEFU_E2E_ONLY:-}" ]; then
  log "native bundles and rankings for the wasm parity test"
  mkdir -p target/kefu-test
  for loc in zh-CN en; do
    target/release/kefu build "www/demo/kb/$loc" -o "target/kefu-test/kb-$loc.kefu" >/dev/null
  done
  node tests/native-rankings.mjs target/release/kefu target/kefu-test \
    crates/kefu-widget/tests/queries.tsv target/kefu-test/native-rankings.tsv
  # The replies of the reply-parity conversations, at a fixed moment (2025-12-03 02:00 UTC;
  # promises depend on the time): the wasm reads the policy's word lists from the bundle.
  node tests/native-replies.mjs target/release/kefu target/kefu-test \
    crates/kefu-widget/tests/replies.tsv target/kefu-test/native-replies.jsonl 1764727200000
  # Every query of every eval file: the bundle `kefu eval` asked and its rankings (empty
  # files when the shared data is absent; the wasm test then says it skipped them).
  mkdir -p target/kefu-test/eval
  mapfile -t pairs < <(eval_sets ../shared/eval)
  for pair in "${pairs[@]}"; do
    name=${pair%%:*}; dir=${pair#*:}
    for variant in normalized full; do
      out="target/kefu-test/eval/$name-$variant"
      if [ -f "$dir/$variant.tsv" ]; then
        target/release/kefu eval "$dir/$variant.tsv" --json --bundle "$out.kefu" --rankings "$out.tsv" >/dev/null
      else
        : >"$out.kefu"; : >"$out.tsv"
      fi
    done
  done
  # The test crate embeds these files: make cargo notice when they change.
  touch crates/kefu-widget/tests/parity.rs
  log "wasm-bindgen tests in headless Chromium"
  if ! CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=300 \
      cargo test -p kefu-widget --target wasm32-unknown-unknown; then
    failed+=("wasm-bindgen tests")
  fi
fi

log "end-to-end tests (tests/e2e)"
# Tracked docs must come out of a test run as they went in (screenshots go to target/
# unless the run opted in to updating them).
docs_sum() { find docs -type f -exec sha256sum {} + | sort; }
docs_before="$(docs_sum)"
# A hung browser must not hang CI: the whole run gets 10 minutes.
if ! (cd tests && timeout 600 node --test --test-concurrency=1 --test-reporter=spec e2e/*.test.mjs); then
  failed+=("e2e tests")
fi
if [ "${KEFU_UPDATE_SCREENSHOTS:-}" = 1 ]; then
  log "screenshots updated in docs/screenshots (review and commit them)"
elif [ "$(docs_sum)" != "$docs_before" ]; then
  failed+=("e2e tests changed files under docs/ (use --update-screenshots to mean it)")
fi

log "figures"
if ! node tests/e2e/measure.mjs 3; then
  failed+=("measure")
fi

if [ ${#failed[@]} -gt 0 ]; then
  printf '\033[31mFAILED: %s\033[0m\n' "${failed[*]}" >&2
  exit 1
fi
log "browser tests passed"
