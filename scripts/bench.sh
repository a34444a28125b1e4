#!/usr/bin/env bash
# Reproducible batch benchmark (issue 8 workload): N answer sets of the UAE
# 2018 integration rubric (mixed roles, ~5 % N/A), generated
# deterministically, then timed: read-only, parse-only (simd-json,
# serde_json, and Mizan's compiled reader without scoring), and `mizan eval`
# with --summary and with --format jsonl at 1 and 2 threads. Peak memory is
# measured at N and at N/10. Prints the times and the ratios.
#
#   scripts/bench.sh [N]        (default 1000000; the file is ~1.9 KB a line)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
WORK="${BENCH_DIR:-/tmp/mizan-bench}"
mkdir -p "$WORK"
FILE="$WORK/uae-$N.jsonl"
SMALL="$WORK/uae-$((N / 10)).jsonl"
RULES=rules/uae/integration/2018.mizan

cargo build --release --quiet
cargo build --release --quiet --examples
BIN=target/release/mizan
[ -f "$FILE" ] || target/release/examples/gen_workload "$RULES" "$N" "$FILE"
[ -f "$SMALL" ] || target/release/examples/gen_workload "$RULES" "$((N / 10))" "$SMALL"
echo "workload: $FILE ($(du -h "$FILE" | cut -f1), $N answer sets)"

t() { # seconds of wall time of a command, best of 2
  local best=""
  for _ in 1 2; do
    local s e
    s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N)
    local d; d=$(echo "$e - $s" | bc)
    if [ -z "$best" ] || [ "$(echo "$d < $best" | bc)" = 1 ]; then best=$d; fi
  done
  echo "$best"
}
peak() { # peak RSS in MB
  /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1/1024}'
}

READ=$(t cat "$FILE")
SIMD=$(t target/release/examples/parse_only simd "$FILE")
SERDE=$(t target/release/examples/parse_only serde "$FILE")
READER=$(t target/release/examples/parse_only read "$FILE" "$RULES")
SUM1=$(t $BIN eval "$RULES" "$FILE" --summary --jobs 1)
SUM2=$(t $BIN eval "$RULES" "$FILE" --summary --jobs 2)
JL1=$(t $BIN --format jsonl eval "$RULES" "$FILE" --jobs 1 --output "$WORK/out1.jsonl")
JL2=$(t $BIN --format jsonl eval "$RULES" "$FILE" --jobs 2 --output "$WORK/out2.jsonl")
cmp -s "$WORK/out1.jsonl" "$WORK/out2.jsonl" && SAME=identical || SAME=DIFFERENT
MEM_SUM=$(peak $BIN eval "$RULES" "$FILE" --summary --jobs 2)
MEM_JL=$(peak $BIN --format jsonl eval "$RULES" "$FILE" --jobs 2 --output "$WORK/out2.jsonl")
MEM_SUM_S=$(peak $BIN eval "$RULES" "$SMALL" --summary --jobs 2)
MEM_JL_S=$(peak $BIN --format jsonl eval "$RULES" "$SMALL" --jobs 2 --output "$WORK/out-small.jsonl")

printf '%-38s %8s s\n' "read only (cat)" "$READ" "parse only, simd-json" "$SIMD" "parse only, serde_json" "$SERDE" "read only, Mizan's reader" "$READER" \
  "eval --summary, 1 thread" "$SUM1" "eval --summary, 2 threads" "$SUM2" \
  "eval --format jsonl, 1 thread" "$JL1" "eval --format jsonl, 2 threads" "$JL2"
echo "jsonl output at 1 and 2 threads: $SAME"
echo "peak memory at $N: --summary ${MEM_SUM} MB, --format jsonl ${MEM_JL} MB"
echo "peak memory at $((N / 10)): --summary ${MEM_SUM_S} MB, --format jsonl ${MEM_JL_S} MB"
echo "memory growth from $((N / 10)) to $N: --summary $(echo "scale=2; $MEM_SUM / $MEM_SUM_S" | bc) x, --format jsonl $(echo "scale=2; $MEM_JL / $MEM_JL_S" | bc) x"
echo "ratio eval --summary (1 thread) / simd-json parse: $(echo "scale=2; $SUM1 / $SIMD" | bc)"
echo "speed-up at 2 threads (--summary): $(echo "scale=2; $SUM1 / $SUM2" | bc)"
