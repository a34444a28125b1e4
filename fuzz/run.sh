#!/usr/bin/env bash
# Runs the fuzzer for a while (default 300 s) from a seed corpus of every
# rule and test file in rules/ and examples/. Needs cargo-fuzz
# (`cargo install cargo-fuzz`); the stable toolchain is enough with
# RUSTC_BOOTSTRAP=1. Findings land in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-300}"
mkdir -p fuzz/corpus/parse_check_format
find rules examples -name '*.mizan' -exec cp {} fuzz/corpus/parse_check_format/ \;
cp fuzz/seeds/* fuzz/corpus/parse_check_format/ 2>/dev/null || true
RUSTC_BOOTSTRAP=1 cargo fuzz run parse_check_format fuzz/corpus/parse_check_format \
  -- -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -timeout=10 -rss_limit_mb=2048
