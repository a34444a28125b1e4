#!/usr/bin/env bash
# Builds every fuzz target and runs each one for a short, bounded time from
# its seeds: cheap enough for CI. A finding (crash, abort, out of memory,
# time-out) fails the script and is left in fuzz/artifacts/TARGET/.
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); the stable
# toolchain is enough with RUSTC_BOOTSTRAP=1.
#
#   fuzz/ci.sh [SECONDS_PER_TARGET]      # default 20
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-20}"
TARGETS=(parse_check_format answer_readers import_tables import_mapping)
export RUSTC_BOOTSTRAP=1
cargo fuzz build
for t in "${TARGETS[@]}"; do
  echo "fuzz: $t for ${SECS}s"
  fuzz/run.sh "$SECS" "$t" 2>&1 | grep -E '^(Done|#[0-9]+ +DONE)|ERROR|SUMMARY|panicked|Test unit written' || true
  if [ -n "$(ls -A "fuzz/artifacts/$t" 2>/dev/null)" ]; then
    echo "fuzz: $t found a problem: fuzz/artifacts/$t/" >&2
    exit 1
  fi
done
echo "fuzz: ${#TARGETS[@]} targets, ${SECS}s each, no finding"
