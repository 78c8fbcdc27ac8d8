#!/usr/bin/env bash
# Builds what a merchant deploys into pkg/ (served at /kefu/ by tests/server.mjs):
#   kefu.js                    the loader (fixed name: it is what the <script> tag points at)
#   kefu-widget.<hash>.js      wasm-bindgen glue (--target web)
#   kefu-widget.<hash>.wasm    kefu-core + the widget UI (opt-level "z"; wasm-opt only with KEFU_WASM_OPT=1)
#   kefu.<hash>.css            widget styles (loaded inside the shadow root)
#   kb-zh-CN.kefu, kb-en.kefu  the demo shop's knowledge bases, built by the kefu CLI
# and prints each file's size raw / gzip / brotli.
#
#   bash scripts/build-widget.sh            # everything
#   KEFU_SKIP_CLI=1 bash scripts/build-widget.sh   # reuse target/release/kefu
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_wasm_target
ensure_wasm_bindgen
# wasm-opt is off by default: after brotli, the opt-level "z" build is smaller without it.
[ -z "${KEFU_WASM_OPT:-}" ] || ensure_wasm_opt

OUT="$ROOT/pkg"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$TARGET"
# A private staging folder per run: two builds at once (the demo, the benchmarks, a check
# on a clone sharing the target dir) must not mix their files.
STAGE="$(mktemp -d "$TARGET/kefu-widget-stage.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

if [ -z "${KEFU_SKIP_CLI:-}" ] || [ ! -x target/release/kefu ]; then
  log "building the kefu CLI (release)"
  cargo build --release -p kefu-cli
fi
for loc in zh-CN en; do
  log "bundling www/demo/kb/$loc"
  target/release/kefu build "www/demo/kb/$loc" -o "$STAGE/kb-$loc.kefu"
done

log "building kefu-widget for wasm32 (profile wasm-release)"
# cargo's output file is shared by every checkout that uses this target dir: build and copy
# it under a lock, and check (by its dep-info) that it was built from this tree's sources.
ARTIFACT="$TARGET/wasm32-unknown-unknown/wasm-release/kefu_widget"
built_here() {
  local f
  for f in $(cd "$ROOT" && find crates/kefu-widget/src -name '*.rs'); do
    grep -q "$f" "$ARTIFACT.d" 2>/dev/null || return 1
  done
}
for attempt in 1 2 3; do
  (
    flock 9
    # opt-level "z": 5% smaller after brotli than the profile's "s", answers as fast.
    CARGO_PROFILE_WASM_RELEASE_OPT_LEVEL=z \
      cargo build -p kefu-widget --target wasm32-unknown-unknown --profile wasm-release
    cp "$ARTIFACT.wasm" "$STAGE/kefu_widget.wasm"
    cp "$ARTIFACT.d" "$STAGE/kefu_widget.d"
  ) 9>"$TARGET/.kefu-widget-build.lock"
  if (ARTIFACT="$STAGE/kefu_widget"; built_here); then break; fi
  log "the wasm in the shared target dir came from another checkout: rebuilding (attempt $attempt)"
  touch crates/kefu-widget/src/lib.rs
  [ "$attempt" = 3 ] && { echo "could not get a wasm built from this tree" >&2; exit 1; }
done
wasm-bindgen --target web --no-typescript --out-dir "$STAGE/bindgen" --out-name kefu-widget "$STAGE/kefu_widget.wasm"
WASM="$STAGE/bindgen/kefu-widget_bg.wasm"
# wasm-opt -Oz makes the raw wasm ~12% smaller but the brotli transfer ~2% larger (measured
# on this widget), and the transfer is what shoppers wait for: off unless asked for.
if [ -n "${KEFU_WASM_OPT:-}" ]; then
  log "wasm-opt -Oz ($(wasm-opt --version))"
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$WASM" -o "$STAGE/opt.wasm"
  mv "$STAGE/opt.wasm" "$WASM"
else
  log "no wasm-opt pass (KEFU_WASM_OPT=1 runs wasm-opt -Oz: smaller raw, larger brotli)"
fi

hash() { sha256sum "$1" | cut -c1-10; }
JS="kefu-widget.$(hash "$STAGE/bindgen/kefu-widget.js").js"
WA="kefu-widget.$(hash "$WASM").wasm"
CSS="kefu.$(hash www/widget/kefu.css).css"
cp "$STAGE/bindgen/kefu-widget.js" "$STAGE/$JS"
cp "$WASM" "$STAGE/$WA"
cp www/widget/kefu.css "$STAGE/$CSS"

# The loader: hashed names written in, then minified with terser (tests/node_modules).
ensure_node_modules "$ROOT/tests"
grep -q '^  var FILES = ' www/loader/kefu.js || { echo "loader has no FILES line" >&2; exit 1; }
sed -e "s|^  var FILES = .*|  var FILES = {\"js\": \"$JS\", \"wasm\": \"$WA\", \"css\": \"$CSS\"};|" \
  www/loader/kefu.js > "$STAGE/kefu.src.js"
grep -q "$WA" "$STAGE/kefu.src.js" || { echo "hashed names were not written into the loader" >&2; exit 1; }
"$ROOT/tests/node_modules/.bin/terser" "$STAGE/kefu.src.js" --ecma 2020 -c passes=3,unsafe_arrows=true -m --comments '/^!/' -o "$STAGE/kefu.js"
node --check "$STAGE/kefu.js"

# Pre-compressed copies (brotli q11, gzip -9) for servers that serve them as they are
# (kefu serve, nginx gzip_static/brotli_static): smaller than compressing on the fly.
# `kefu build` already wrote those of the bundles (same settings).
node - "$STAGE" "$JS" "$WA" "$CSS" kefu.js kb-zh-CN.kefu kb-en.kefu <<'EOF'
const fs = require('fs'), path = require('path'), z = require('zlib');
const [dir, ...files] = process.argv.slice(2);
for (const f of files) {
  if (f.endsWith('.kefu') && ['.br', '.gz'].every((x) => fs.existsSync(path.join(dir, f + x)))) continue;
  const b = fs.readFileSync(path.join(dir, f));
  fs.writeFileSync(path.join(dir, f + '.br'), z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11, [z.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }));
  fs.writeFileSync(path.join(dir, f + '.gz'), z.gzipSync(b, { level: 9 }));
}
EOF

# Swap the new pkg/ in whole (a server reading it meanwhile sees the old or the new one).
mkdir -p "$STAGE/pkg"
cp "$STAGE/kefu.js" "$STAGE/$JS" "$STAGE/$WA" "$STAGE/$CSS" "$STAGE"/kb-*.kefu "$STAGE"/*.br "$STAGE"/*.gz "$STAGE/pkg/"
rm -rf "$OUT.old"
[ -d "$OUT" ] && mv "$OUT" "$OUT.old"
mv "$STAGE/pkg" "$OUT"
rm -rf "$OUT.old"

log "pkg/ (sizes in bytes)"
node - "$OUT" <<'EOF'
// The compressed sizes are those of the pre-compressed copies written above (what is served).
const fs = require('fs'), path = require('path');
const dir = process.argv[2];
const rows = [];
let w = { raw: 0, gz: 0, br: 0 };
const size = (f) => fs.statSync(path.join(dir, f)).size;
for (const f of fs.readdirSync(dir).sort()) {
  if (/\.(br|gz)$/.test(f)) continue;
  const [raw, gz, br] = [size(f), size(f + '.gz'), size(f + '.br')];
  rows.push([f, raw, gz, br]);
  if (!f.endsWith('.kefu')) { w.raw += raw; w.gz += gz; w.br += br; }
}
const pad = (s, n) => String(s).padStart(n);
console.log(`${'file'.padEnd(34)}${pad('raw', 10)}${pad('gzip', 10)}${pad('brotli', 10)}`);
for (const [f, r, g, b] of rows) console.log(`${f.padEnd(34)}${pad(r, 10)}${pad(g, 10)}${pad(b, 10)}`);
console.log(`${'widget total (without KB)'.padEnd(34)}${pad(w.raw, 10)}${pad(w.gz, 10)}${pad(w.br, 10)}`);
EOF
