#!/usr/bin/env bash
# The "rankings in the browser = native" target of bench/run.sh: the wasm parity test of
# kefu-widget (crates/kefu-widget/tests/parity.rs) in headless Chromium, with its inputs made
# exactly as scripts/test-browser.sh makes them:
#   - the demo bundles and their native rankings (tests/native-rankings.mjs, `kefu ask`);
#   - every eval file's bundle and top-5 rankings from the native `kefu eval --bundle --rankings`
#     (empty files when the data is absent: the test then skips that file, and the report says so).
# The test embeds them from target/kefu-test/ (fixed paths) and asks every query in wasm.
# Writes the outcome as JSON for `kefu-bench report --parity`; exits 0 even when the test
# fails (the report shows it as a missed target), non-zero only when it could not run.
#
#   bash bench/parity.sh --out FILE [--eval DIR] [--kefu BIN]
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"

OUT=""; EVAL="$ROOT/../shared/eval"; KEFU="$ROOT/target/release/kefu"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --eval) EVAL="$2"; shift 2 ;;
    --kefu) KEFU="$2"; shift 2 ;;
    *) echo "usage: $0 --out FILE [--eval DIR] [--kefu BIN]" >&2; exit 2 ;;
  esac
done
[ -n "$OUT" ] || { echo "usage: $0 --out FILE [--eval DIR] [--kefu BIN]" >&2; exit 2; }
[ -x "$KEFU" ] || { echo "bench/parity.sh: error: no kefu CLI at $KEFU" >&2; exit 1; }

ensure_wasm_target
ensure_wasm_bindgen
ensure_chromium

# The paths are the ones parity.rs includes (relative to the repository, not CARGO_TARGET_DIR).
T="$ROOT/target/kefu-test"
mkdir -p "$T/eval"
for loc in zh-CN en; do
  "$KEFU" build "www/demo/kb/$loc" -o "$T/kb-$loc.kefu" >/dev/null
done
node tests/native-rankings.mjs "$KEFU" "$T" crates/kefu-widget/tests/queries.tsv "$T/native-rankings.tsv"
files=()
mapfile -t pairs < <(eval_sets "$EVAL")
for pair in "${pairs[@]}"; do
  name=${pair%%:*}; dir=${pair#*:}
  for variant in normalized full; do
    out="$T/eval/$name-$variant"
    if [ -f "$dir/$variant.tsv" ]; then
      "$KEFU" eval "$dir/$variant.tsv" --json --bundle "$out.kefu" --rankings "$out.tsv" >/dev/null
      files+=("$name-$variant:1")
    else
      : >"$out.kefu"; : >"$out.tsv"
      files+=("$name-$variant:0")
    fi
  done
done
# The test crate embeds these files: make cargo notice when they change.
touch crates/kefu-widget/tests/parity.rs

CMD="cargo test -p kefu-widget --target wasm32-unknown-unknown --test parity"
log "$CMD"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
t0=$SECONDS
passed=true
if ! CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=300 $CMD -- --nocapture 2>&1 | tee "$LOG"; then
  passed=false
fi
seconds=$((SECONDS - t0))

mkdir -p "$(dirname "$OUT")"
PASSED="$passed" SECONDS_TAKEN="$seconds" CMD="$CMD" FILES="${files[*]}" node - "$LOG" "$OUT" <<'EOF'
const fs = require('node:fs');
const [log, out] = process.argv.slice(2);
const text = fs.readFileSync(log, 'utf8');
const m = /parity: (\d+) eval queries ranked in wasm/.exec(text);
const passed = process.env.PASSED === 'true';
fs.writeFileSync(out, JSON.stringify({
  command: process.env.CMD,
  passed,
  files: process.env.FILES.split(' ').filter(Boolean).map((f) => {
    const [name, present] = f.split(':');
    return { name, present: present === '1' };
  }),
  queries: m ? Number(m[1]) : null,
  seconds: Number(process.env.SECONDS_TAKEN),
  log_tail: passed ? '' : text.split('\n').slice(-40).join('\n'),
}, null, 2) + '\n');
EOF
log "parity: $([ "$passed" = true ] && echo passed || echo FAILED) → $OUT"
