#!/usr/bin/env bash
# kefu side by side with MiniSearch, FlexSearch (headless Chromium) and plain tantivy (native),
# the widget's click → ready (tests/e2e/measure.mjs) and the wasm = native parity test
# (bench/parity.sh), every figure from this one run, checked against the targets of issue 14.
# Installs what is missing, builds, measures, and writes
#   bench/results/latest.json, latest.md, *.svg
# See docs/bench.md for what each figure means. ~20 minutes on a 2-core machine.
#
#   bash bench/run.sh
#   KEFU_BENCH_QUICK=1 bash bench/run.sh     # smoke run on small data (→ target/kefu-bench/quick/results)
#   KEFU_BENCH_PKG=DIR bash bench/run.sh     # use an already built widget (pkg/) instead of building it
#   KEFU_EVAL=DIR                            # the shared eval data (default: ../shared/eval)
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"

START=$SECONDS
stage() { log "[$((SECONDS - START)) s] $*"; }

EVAL="${KEFU_EVAL:-$ROOT/../shared/eval}"
[ -d "$EVAL/banking77" ] || { echo "bench/run.sh: error: no eval data at $EVAL (set KEFU_EVAL)" >&2; exit 1; }
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
if [ -n "${KEFU_BENCH_QUICK:-}" ]; then
  WORK="$TARGET/kefu-bench/quick"; OUT="$WORK/results"; QUICK=(--quick); LOADS=(--cold 1 --warm 1)
  CLICKS=5   # click → ready: cold and warm loads each (the targets need ≥ 5)
else
  WORK="$TARGET/kefu-bench"; OUT="$ROOT/bench/results"; QUICK=(); LOADS=(--cold 3 --warm 3)
  CLICKS=9
fi
DATA="$WORK/data"

stage "tools"
ensure_wasm_target
ensure_wasm_bindgen
ensure_chromium
ensure_node_modules "$ROOT/bench"
ensure_node_modules "$ROOT/tests"

if [ -n "${KEFU_BENCH_PKG:-}" ]; then
  PKG="$KEFU_BENCH_PKG"
  stage "using the widget in $PKG"
else
  stage "building the widget (scripts/build-widget.sh)"
  bash scripts/build-widget.sh
  PKG="$ROOT/pkg"
fi

stage "building kefu-bench and the kefu CLI (release)"
cargo build --release -p kefu-bench
cargo build --release -p kefu-cli   # one package per build, so neither's features change the other
BENCH="$TARGET/release/kefu-bench"

stage "data sets → $DATA"
rm -rf "$DATA"
"$BENCH" data --eval "$EVAL" --demo www/demo/kb --demo-queries crates/kefu-widget/tests/queries.tsv --out "$DATA" "${QUICK[@]}"

stage "native: kefu and tantivy, one process per phase"
"$BENCH" native --data "$DATA" --out "$WORK/native.json"

stage "native: criterion"
rm -rf "$TARGET/criterion/query"
KEFU_BENCH_DATA="$DATA" cargo bench -p kefu-bench --features criterion --bench query >"$WORK/criterion.log" 2>&1 \
  || { cat "$WORK/criterion.log" >&2; exit 1; }
grep -E '^query/|time:' "$WORK/criterion.log" || true

stage "browser: kefu wasm, MiniSearch, FlexSearch in headless Chromium"
node bench/browser.mjs --data "$DATA" --pkg "$PKG" --out "$WORK/browser.json" "${LOADS[@]}"

stage "browser: the widget's click → ready, $CLICKS cold + $CLICKS warm loads (tests/e2e/measure.mjs)"
node tests/e2e/measure.mjs "$CLICKS" --pkg "$PKG" --out "$WORK/measure.json"

stage "browser: rankings wasm = native on every eval file (bench/parity.sh)"
bash bench/parity.sh --eval "$EVAL" --kefu "$TARGET/release/kefu" --out "$WORK/parity.json"

stage "report → $OUT"
"$BENCH" report --data "$DATA" --native "$WORK/native.json" --browser "$WORK/browser.json" \
  --criterion "$TARGET/criterion/query" --measure "$WORK/measure.json" --parity "$WORK/parity.json" --out "$OUT"
sed -n '/^## Targets/,/^## kefu \/ peer/p' "$OUT/latest.md" | sed '$d'
stage "done: $OUT/latest.md"
