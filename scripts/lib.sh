# Shared setup for scripts/demo.sh and scripts/test.sh: install what is missing, nothing more.
# Every step checks first, so a rerun on a prepared machine costs seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WASM_BINDGEN_VERSION="0.2.130"   # must equal the wasm-bindgen crate pinned in Cargo.toml
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_wasm_bindgen() {
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (once, ~3 min)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    log "apt-get update"
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_chromium() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
  export CHROMEDRIVER=/usr/bin/chromedriver
}

# npm packages of the browser tests (playwright-core drives Debian's Chromium; it never
# downloads a browser of its own).
ensure_node_modules() {
  local dir="$1"
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package.json" -nt "$dir/node_modules/.installed" ]; then
    log "npm install in $dir"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error && touch node_modules/.installed)
  fi
}

# A CJK font, so the browser tests' screenshots show Chinese text instead of empty boxes.
ensure_cjk_font() {
  if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null | head -1)" ]; then
    apt_install fonts-wqy-microhei
  fi
}

# wasm-opt (binaryen 116, from crates.io) shrinks the widget's wasm by ~20%. Debian's binaryen
# is too old for wasm-bindgen's output, so the crate is built once (~9 min) and then reused.
WASM_OPT_VERSION="0.116.1"
ensure_wasm_opt() {
  if ! wasm-opt --version 2>/dev/null | grep -q 'version 116'; then
    log "installing wasm-opt $WASM_OPT_VERSION (once, ~9 min; only with KEFU_WASM_OPT=1)"
    cargo install wasm-opt --version "$WASM_OPT_VERSION" --force
  fi
}

# A throwaway PostgreSQL server for the storage tests of `kefu serve` (Debian's postgresql
# package; its own data directory under /tmp (the `postgres` account must reach it), a Unix socket only, no TCP port, trust auth
# for the local socket). Sets PG_TEST_DSN (not exported), a connection string the tests create
# their schemas in, and stops the server when the calling script exits.
ensure_postgres() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    apt_install postgresql
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
  local base run=()
  base="$(mktemp -d "${TMPDIR:-/tmp}/kefu-pg.XXXXXX")"
  mkdir -p "$base/sock"
  # initdb refuses to run as root: run the server as Debian's `postgres` account then.
  if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); chown -R postgres "$base"; fi
  log "starting a throwaway PostgreSQL ($("$bin/postgres" --version | awk '{print $3}')) in $base"
  "${run[@]}" "$bin/initdb" -D "$base/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$base/data" -l "$base/log" -w \
    -o "-c listen_addresses='' -k $base/sock -c fsync=off -c max_connections=200" start >/dev/null
  PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$base/data" -m fast stop)
  PG_BASE="$base"
  trap 'stop_postgres' EXIT
  PG_TEST_DSN="host=$base/sock user=postgres dbname=postgres"
}

stop_postgres() {
  if [ -n "${PG_STOP+x}" ]; then
    "${PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$PG_BASE"
    unset PG_STOP
  fi
}

# The eval files of the wasm parity test (crates/kefu-widget/tests/parity.rs embeds one bundle
# and one rankings file per name and variant): name:folder, one a line; the shared sets under
# $1, kefu's own under eval/. scripts/test-browser.sh and bench/parity.sh both read it.
eval_sets() {
  printf '%s\n' "sofmattress:$1/hint3_sofmattress" "bitext:$1/bitext_customer_support" "banking77:$1/banking77" \
    "zh-service:$ROOT/eval/zh-service" "en-shop:$ROOT/eval/en-shop" "zh-beauty:$ROOT/eval/zh-beauty"
}
