#!/usr/bin/env bash
# Batch benchmark of issue 16: every rubric × answer shape (the workload
# generator benches/support/workload.rs, through examples/gen_workload.rs).
# For each combination, N answer sets and N/10 are generated
# deterministically, then measured:
#   - simd-json parse only of the same file (examples/parse_only.rs simd);
#   - `mizan eval --summary` at 1 and 2 threads, `--format jsonl -o FILE` at
#     1 thread (and at 2, only to check the output is identical);
#   - the tuned hand-written scorer (benches/baseline_uae.rs, UAE only),
#     whose population score must agree with Mizan's;
#   - how many lines the fast readers decline (parse_only declines);
#   - peak memory (/usr/bin/time %M) of --summary and of --format jsonl -o,
#     at N and at N/10 (--jobs 2).
# Timings are wall-clock, best of 3 runs interleaved (1 with --quick).
# Then `mizan check` of the largest shipped rubric and `mizan eval` of one
# answer set, end to end, median of 20 runs.
#
#   scripts/bench.sh [N] [--quick]           (default N 1000000)
#   BENCH_RUBRICS="uae egbr db large"        rubrics to run (default: all)
#   BENCH_SHAPES="ordered realistic …"       shapes (default: all; see
#                                            `gen_workload --shapes`)
#   BENCH_DIR=/tmp/mizan-bench               where files go
#   BENCH_KEEP=1                             keep the generated files (else
#                                            each is deleted after its row)
#   BENCH_EGBR_DIV=10                        EGBR uses N / this (answer sets
#                                            of ~8 KB, results ~15 KB: 1M
#                                            would be ~8 GB in, 15 GB out)
#   BENCH_LARGE_DIV=5                        the large rubric uses N / this
#                                            (~8 KB in, ~7 KB out a line)
#
# Rubrics: uae = rules/uae/integration/2018.mizan, egbr =
# rules/eu/egovernment-benchmark-services/2023.mizan (instances), db =
# rules/worldbank/doing-business/2020.mizan (numbers), large = a generated
# rubric of 500 criteria. Shapes that leave answers out (missing, nulls) run
# uae and db with their `missing error` header changed to `missing worst`
# (marked `*` in the table): under `missing error` every such answer set
# would be rejected.
#
# Disk: a 1M UAE file is ~1.9 GB, its jsonl results as much; one
# combination's files (N, N/10, one output) exist at a time unless
# BENCH_KEEP=1. Time: ~11 min at N=20000 on the shared 2-core VM; at 1M
# expect hours for all 36 combinations (BENCH_SHAPES / --quick to cut).
set -euo pipefail
cd "$(dirname "$0")/.."
N=1000000
QUICK=0
for a in "$@"; do
  case "$a" in
    --quick) QUICK=1 ;;
    *) N="$a" ;;
  esac
done
WORK="${BENCH_DIR:-/tmp/mizan-bench}"
KEEP="${BENCH_KEEP:-0}"
RUBRICS="${BENCH_RUBRICS:-uae egbr db large}"
EGBR_DIV="${BENCH_EGBR_DIV:-10}"
LARGE_DIV="${BENCH_LARGE_DIV:-5}"
RUNS=3
[ "$QUICK" = 1 ] && RUNS=1
mkdir -p "$WORK"

cargo build --release --quiet
cargo build --release --quiet --examples
BIN=target/release/mizan
EX=target/release/examples
SHAPES="${BENCH_SHAPES:-$($EX/gen_workload --shapes | cut -f1 | tr '\n' ' ')}"
LARGE="$WORK/large-500.mizan"
$EX/gen_workload --rubric-out "$LARGE" large:500

rules_of() { # rubric key, shape -> rule file
  local f
  case "$1" in
    uae) f=rules/uae/integration/2018.mizan ;;
    egbr) f=rules/eu/egovernment-benchmark-services/2023.mizan ;;
    db) f=rules/worldbank/doing-business/2020.mizan ;;
    large) f="$LARGE" ;;
    *) echo "unknown rubric $1" >&2; exit 2 ;;
  esac
  if [ "$($EX/gen_workload --shapes | awk -v s="$2" '$1 == s {print $2}')" = omits ] \
    && grep -q '^  missing error$' "$f"; then
    local w="$WORK/$1-worst.mizan"
    sed '0,/^  missing error$/s//  missing worst/' "$f" > "$w"
    f="$w"
  fi
  echo "$f"
}

ns() { date +%s%N; }
# best[KEY]: best wall time in ns of the commands run through `timed KEY …`.
declare -A best
timed() {
  local key=$1; shift
  local s e
  s=$(ns); "$@" > /dev/null 2>&1 || { echo "FAILED: $*" >&2; }; e=$(ns)
  local d=$((e - s))
  if [ -z "${best[$key]:-}" ] || [ "$d" -lt "${best[$key]}" ]; then best[$key]=$d; fi
}
secs() { awk -v n="${best[$1]}" 'BEGIN { printf "%.2f", n / 1e9 }'; }
ratio() { awk -v a="${best[$1]}" -v b="${best[$2]}" 'BEGIN { printf "%.2f", a / b }'; }
peak() { # peak RSS in MB
  /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1/1024}'
}
population() { # the population score of `mizan --format json eval --summary`
  { "$BIN" --format json eval "$@" --summary 2>/dev/null || true; } \
    | awk '/"aggregate"/ { a = 1 } a && /"score"/ { gsub(/[",]/, "", $2); print $2; exit }'
}

echo "N = $N (egbr N / $EGBR_DIV, large N / $LARGE_DIV), best of $RUNS; times in s, memory in MB (peak RSS, --jobs 2)"
echo
echo "| rubric | shape | N | simd | sum-1 | ÷ simd | sum-2 | 2-thr × | jsonl-1 | jsonl ÷ sum | baseline | base ÷ simd | sum-1 ÷ base | declined % | mem sum N / N÷10 | mem jsonl N / N÷10 | checks |"
echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
for rub in $RUBRICS; do
  for shape in $SHAPES; do
    RULES=$(rules_of "$rub" "$shape")
    spec="$RULES"
    n=$N
    [ "$rub" = egbr ] && n=$((N / EGBR_DIV))
    [ "$rub" = large ] && n=$((N / LARGE_DIV))
    small=$((n / 10))
    F="$WORK/$rub-$shape-$n.jsonl"
    S="$WORK/$rub-$shape-$small.jsonl"
    [ -f "$F" ] || $EX/gen_workload "$spec" "$n" "$F" --shape "$shape"
    [ -f "$S" ] || $EX/gen_workload "$spec" "$small" "$S" --shape "$shape"
    OUT1="$WORK/out1.jsonl"
    OUT2="$WORK/out2.jsonl"
    best=()
    for _ in $(seq "$RUNS"); do
      timed simd $EX/parse_only simd "$F"
      timed sum1 "$BIN" eval "$RULES" "$F" --summary --jobs 1
      timed sum2 "$BIN" eval "$RULES" "$F" --summary --jobs 2
      timed jl1 "$BIN" --format jsonl eval "$RULES" "$F" --jobs 1 -o "$OUT1"
      [ "$rub" = uae ] && timed base $EX/baseline_uae "$RULES" "$F"
    done
    "$BIN" --format jsonl eval "$RULES" "$F" --jobs 2 -o "$OUT2" > /dev/null 2>&1 || true
    checks=""
    cmp -s "$OUT1" "$OUT2" && checks="jsonl 1=2 thr" || checks="jsonl 1≠2 thr DIFFERENT"
    rm -f "$OUT1" "$OUT2"
    base="–"; baser="–"; vsbase="–"
    if [ "$rub" = uae ]; then
      base=$(secs base); baser=$(ratio base simd); vsbase=$(ratio sum1 base)
      ours=$(population "$RULES" "$F")
      theirs=$($EX/baseline_uae "$RULES" "$F" | awk '{print $NF}')
      if awk -v a="$ours" -v b="$theirs" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 1e-9) }'; then
        checks="$checks; baseline agrees"
      else
        checks="$checks; baseline DIFFERS ($ours vs $theirs)"
      fi
    fi
    dec=$($EX/parse_only declines "$RULES" "$F")
    declined=$(echo "$dec" | awk '{ split($2, d, "/"); printf "%.1f", 100 * d[1] / d[2] }')
    rejected=$(echo "$dec" | awk '{print $4}')
    [ "$rejected" = 0 ] || checks="$checks; $rejected REJECTED"
    ms=$(peak "$BIN" eval "$RULES" "$F" --summary --jobs 2)
    ms_s=$(peak "$BIN" eval "$RULES" "$S" --summary --jobs 2)
    mj=$(peak "$BIN" --format jsonl eval "$RULES" "$F" --jobs 2 -o "$OUT1")
    mj_s=$(peak "$BIN" --format jsonl eval "$RULES" "$S" --jobs 2 -o "$OUT1")
    rm -f "$OUT1"
    name=$rub
    [ "$RULES" = "$WORK/$rub-worst.mizan" ] && name="$rub*"
    echo "| $name | $shape | $n | $(secs simd) | $(secs sum1) | $(ratio sum1 simd) | $(secs sum2) | $(ratio sum1 sum2) | $(secs jl1) | $(ratio jl1 sum1) | $base | $baser | $vsbase | $declined | $ms / $ms_s | $mj / $mj_s | $checks |"
    [ "$KEEP" = 1 ] || rm -f "$F" "$S"
  done
done
echo
echo "\`*\`: the rubric with \`missing worst\` instead of \`missing error\` (the shape leaves answers out)."

median_ms() { # median wall time in ms of 20 runs of a command
  local t=()
  for _ in $(seq 20); do
    local s e; s=$(ns); "$@" > /dev/null 2>&1 || true; e=$(ns)
    t+=($(((e - s) / 1000)))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", (a[10] + a[11]) / 2 / 1000 }'
}
echo
echo "end to end, median of 20 runs:"
echo "- mizan check rules/eu/egovernment-benchmark/2023.mizan (largest shipped rubric): $(median_ms "$BIN" check rules/eu/egovernment-benchmark/2023.mizan) ms"
echo "- mizan eval rules/uae/integration/2018.mizan examples/uae-integration-2018/mofaic.json: $(median_ms "$BIN" eval rules/uae/integration/2018.mizan examples/uae-integration-2018/mofaic.json) ms"
[ "$KEEP" = 1 ] || rm -f "$LARGE" "$WORK"/*-worst.mizan
