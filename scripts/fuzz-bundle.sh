#!/usr/bin/env bash
# Fuzzes damaged bundles (issue 15): byte flips, runs, truncations inside the index files of the
# demo bundle, checksum recomputed; Engine::open plus a few searches must never panic. Prints
# cases/s, the Ok/Err split and where tantivy panicked (contained by kefu_core::guard).
#   bash scripts/fuzz-bundle.sh              # 100 000 cases
#   KEFU_FUZZ_CASES=1000000 KEFU_FUZZ_SEED=7 bash scripts/fuzz-bundle.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
export KEFU_FUZZ_CASES="${KEFU_FUZZ_CASES:-100000}"
log "fuzzing $KEFU_FUZZ_CASES damaged bundles (seed ${KEFU_FUZZ_SEED:-15})"
# A memory cap turns a runaway allocation into a visible abort instead of swapping the machine.
ulimit -v $((4 * 1024 * 1024))
cargo test --release -p kefu-core --features build --test fuzz_bundle -- --nocapture 2>&1 | grep -aE '^fuzz:|panicked|test result'
