#!/usr/bin/env bash
# Builds every fuzz target and runs each one for a short, bounded time from
# its seeds: cheap enough for CI. A finding (crash, abort, out of memory,
# time-out) in any target fails the script (after all targets ran) and is
# left in fuzz/artifacts/TARGET/.
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); the stable
# toolchain is enough with RUSTC_BOOTSTRAP=1.
#
#   fuzz/ci.sh [SECONDS_PER_TARGET [TARGET...]]   # default: 20 s, every target
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-20}"
shift || true
if [ "$#" -gt 0 ]; then
  TARGETS=("$@")
else
  TARGETS=(parse_check_format answer_readers import_tables import_mapping jsonl_stream dir_walk)
fi
export RUSTC_BOOTSTRAP=1
cargo fuzz build
count() { if [ -d "$1" ]; then ls -A "$1" | wc -l; else echo 0; fi; }
failed=()
for t in "${TARGETS[@]}"; do
  before="$(count "fuzz/artifacts/$t")"
  echo "fuzz: $t for ${SECS}s"
  fuzz/run.sh "$SECS" "$t" 2>&1 | grep -E '^#[0-9]+ +DONE|^Done|ERROR|SUMMARY|panicked|Test unit written' || true
  after="$(count "fuzz/artifacts/$t")"
  if [ "$after" -gt "$before" ]; then
    failed+=("$t")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]} (fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: ${#TARGETS[@]} targets, ${SECS}s each, no finding"
