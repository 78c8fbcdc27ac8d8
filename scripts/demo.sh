#!/usr/bin/env bash
# Builds everything and runs the demo shop on http://127.0.0.1:8080/ (Ctrl-C stops it):
#   - installs what is missing (wasm32 target, pinned wasm-bindgen-cli, npm packages),
#   - builds the kefu CLI, the demo KB bundles and the widget into pkg/ (scripts/build-widget.sh),
#   - creates an inbox account `demo` (password `kefu-demo-password`) in target/demo/kefu.sqlite,
#   - runs `kefu serve`: the storefront at /, the widget at /kefu/, hand-offs at /api/,
#     the agent inbox at /inbox/.
#
#   bash scripts/demo.sh                 # port 8080
#   KEFU_ADDR=127.0.0.1:9000 bash scripts/demo.sh
#   KEFU_WASM_OPT=1 bash scripts/demo.sh      # also run wasm-opt -Oz (installed once, ~9 min):
#                                             # smaller raw wasm, but larger after brotli
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_wasm_target
ensure_wasm_bindgen

log "building the kefu CLI (release)"
cargo build --release -p kefu-cli
KEFU_SKIP_CLI=1 bash scripts/build-widget.sh

mkdir -p target/demo
DB=target/demo/kefu.sqlite
KEFU_PASSWORD='kefu-demo-password' target/release/kefu serve --db "$DB" --add-user demo --role supervisor >/dev/null

ADDR="${KEFU_ADDR:-127.0.0.1:8080}"
cat <<MSG

  kefu demo shop:   http://$ADDR/          (中文)     http://$ADDR/en.html   (English)
  agent inbox:      http://$ADDR/inbox/    user: demo   password: kefu-demo-password
  try asking:       退貨要多久退款？  ·  how do I chnage my adress  ·  我要找人工

MSG
exec target/release/kefu serve --db "$DB" --addr "$ADDR" --www www --pkg pkg
