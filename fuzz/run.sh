#!/usr/bin/env bash
# Runs a fuzz target for a while (default 300 s) from a seed corpus. Needs
# cargo-fuzz (`cargo install cargo-fuzz`); the stable toolchain is enough
# with RUSTC_BOOTSTRAP=1. Findings land in fuzz/artifacts/.
#
#   fuzz/run.sh [SECONDS] [TARGET]
#
# Targets: parse_check_format (rule files; the default), answer_readers
# (answer sets through the direct, compiled and exact readers, scored by the
# compiled program and the general evaluator), import_tables (bytes as a
# CSV, xlsx, ods or xlsb import input, mapped by the demo mapping),
# import_mapping (text as an import mapping, checked and applied),
# jsonl_stream (bytes as a .jsonl answer file, scored by the streaming and
# the batch paths, which must agree) and dir_walk (bytes as a program that
# builds a directory tree with links, FIFOs and sockets, walked for answer
# files).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-300}"
TARGET="${2:-parse_check_format}"
CORPUS="fuzz/corpus/$TARGET"
mkdir -p "$CORPUS"
case "$TARGET" in
  parse_check_format)
    # Seeds: every rule and test file (named after its path, so that
    # same-named files do not overwrite each other), the corpus fixtures,
    # past findings.
    find rules examples tests/corpus tests/fuzz-regressions -name '*.mizan' | while read -r f; do
      cp "$f" "$CORPUS/$(echo "$f" | tr '/' '_')"
    done
    ;;
  answer_readers)
    # Seeds: the shipped answer sets of the rubrics the target reads, on one
    # line, as written and without spaces (the direct reader's usual shape).
    for f in examples/doing-business-2020/*.json examples/sa-platforms-policy-1/*.json \
      examples/uae-integration-2018/*.json; do
      tr '\n' ' ' < "$f" > "$CORPUS/$(echo "$f" | tr '/' '_')"
      tr -d '\n' < "$f" | sed -E 's/([:,]) +"/\1"/g; s/\{ +"/{"/g; s/" +\}/"}/g' \
        > "$CORPUS/compact_$(echo "$f" | tr '/' '_')"
    done
    # And one of each class of refused input (repeated keys, a byte-order
    # mark, numbers beyond the exact decimals, look-alike ids, misspelt keys),
    # and generated answer sets of every shape scripts/bench.sh times
    # (`shape-RUBRIC-SHAPE-N.json`: shuffled keys, stray answers, escapes,
    # spaces, nulls; EGBR services with instances).
    cp fuzz/seeds/answer_readers/* "$CORPUS/"
    ;;
  import_tables)
    # Seeds: the CSV inputs (first byte 0: read as CSV), and small xlsx and
    # ods workbooks (first byte 1 and 2) made from the demo's long CSV.
    for f in examples/demo/import/*.csv examples/instances/import/*.csv tests/import/*.csv; do
      { printf '\000'; cat "$f"; } > "$CORPUS/$(echo "$f" | tr '/' '_')"
    done
    python3 fuzz/seeds.py "$CORPUS"
    ;;
  import_mapping)
    # Seeds: every import mapping of the repository.
    find rules examples tests/import -name '*.import.toml' | while read -r f; do
      cp "$f" "$CORPUS/$(echo "$f" | tr '/' '_')"
    done
    ;;
  jsonl_stream)
    # Seeds: the demo's and a few UAE 2018 answer sets joined into JSONL
    # (first byte 0 and 1), as they are and with CRLF, byte-order marks,
    # blank lines, repeats, a line that is not UTF-8, a lone CR.
    python3 fuzz/seeds_cli.py jsonl_stream "$CORPUS"
    MAX_LEN=16384
    ;;
  dir_walk)
    # Seeds: the trees of issue 14 (links to `.`, `..`, self links, a FIFO
    # named `.json`, a file reached twice), as programs.
    python3 fuzz/seeds_cli.py dir_walk "$CORPUS"
    MAX_LEN=128
    ;;
  *) echo "unknown target $TARGET" >&2; exit 2 ;;
esac
RUSTC_BOOTSTRAP=1 cargo fuzz run "$TARGET" "$CORPUS" \
  -- -max_total_time="$SECONDS_TO_RUN" -max_len="${MAX_LEN:-65536}" -timeout="${FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048
