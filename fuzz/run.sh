#!/usr/bin/env bash
# Runs the fuzzer for a while (default 300 s) from a seed corpus of every
# rule and test file in rules/ and examples/. Needs cargo-fuzz
# (`cargo install cargo-fuzz`); the stable toolchain is enough with
# RUSTC_BOOTSTRAP=1. Findings land in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-300}"
mkdir -p fuzz/corpus/parse_check_format
# Seeds: every rule and test file (named after its path, so that same-named
# files do not overwrite each other), the corpus fixtures, past findings.
find rules examples tests/corpus tests/fuzz-regressions -name '*.mizan' | while read -r f; do
  cp "$f" "fuzz/corpus/parse_check_format/$(echo "$f" | tr '/' '_')"
done
RUSTC_BOOTSTRAP=1 cargo fuzz run parse_check_format fuzz/corpus/parse_check_format \
  -- -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -timeout=10 -rss_limit_mb=2048
