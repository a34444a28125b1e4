#!/usr/bin/env bash
# Chaos test of streamed `mizan eval -o`: start runs on a generated batch,
# kill them at random points with SIGKILL or SIGTERM, and check that
#   - the file under the final name is always the old output or the whole
#     new one (polled while the run goes: no partial output is ever visible),
#   - the old output is intact after a killed run,
#   - no temporary file is left after a SIGTERM, nor after the next run
#     (which removes what a SIGKILL left).
#
#   scripts/chaos.sh [ROUNDS] [ENTITIES]     (default 40 rounds, 100000 entities)
#
# Uses the newer of target/release/mizan and target/debug/mizan (MIZAN=…
# to choose). tests/chaos.rs runs a short version of this in `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-40}
N=${2:-100000}
M=${MIZAN:-}
if [[ -z $M ]]; then
  # The newer of the two builds.
  if [[ -x target/release/mizan && ! target/debug/mizan -nt target/release/mizan ]]; then
    M=target/release/mizan
  else
    M=target/debug/mizan
  fi
fi
[[ -x $M ]] || { echo "build mizan first (cargo build --release)" >&2; exit 1; }
R=examples/demo/digital-readiness.mizan
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT

# The batch: the demo's moi.json, N times under different ids.
python3 - "$D/big.jsonl" "$N" <<'PY'
import json, sys
v = json.load(open("examples/demo/answers/moi.json"))
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        v["entity"]["id"] = "e%07d" % i
        f.write(json.dumps(v, ensure_ascii=False) + "\n")
PY

modes=(--format=jsonl --summary)
declare -A whole took
for m in "${modes[@]}"; do
  s=$(date +%s%N)
  "$M" eval "$m" "$R" "$D/big.jsonl" -o "$D/out" 2>/dev/null
  took[$m]=$(( ($(date +%s%N) - s) / 1000000 ))
  cp "$D/out" "$D/whole$m"
done

leftovers() { find "$D" -maxdepth 1 -type f ! -name big.jsonl ! -name out ! -name 'whole*' ! -name old -printf '%f\n'; }

fail() { echo "FAIL round $1: $2" >&2; exit 1; }
killed=0
for ((round = 0; round < ROUNDS; round++)); do
  m=${modes[$((round % 2))]}
  sig=KILL; ((round % 4 < 2)) && sig=TERM
  echo "old output $round" >"$D/old"
  cp "$D/old" "$D/out"
  at=$(( RANDOM % (took[$m] + 50) ))
  "$M" eval "$m" "$R" "$D/big.jsonl" -o "$D/out" 2>/dev/null &
  pid=$!
  start=$(date +%s%N)
  sent=0
  while kill -0 "$pid" 2>/dev/null; do
    if ! cmp -s "$D/out" "$D/old" && ! cmp -s "$D/out" "$D/whole$m"; then
      fail "$round" "partial output visible under the final name"
    fi
    if ((!sent && ($(date +%s%N) - start) / 1000000 >= at)); then
      kill -s "$sig" "$pid" 2>/dev/null || true
      sent=1
    fi
  done
  status=0
  wait "$pid" || status=$?
  if ((status == 0)); then
    cmp -s "$D/out" "$D/whole$m" || fail "$round" "a finished run did not write the whole output"
  else
    killed=$((killed + 1))
    cmp -s "$D/out" "$D/old" || cmp -s "$D/out" "$D/whole$m" || fail "$round" "the old output was not kept"
    if [[ $sig == TERM && -n $(leftovers) ]]; then
      fail "$round" "SIGTERM left $(leftovers)"
    fi
  fi
done
"$M" eval --summary "$R" "$D/big.jsonl" -o "$D/out" 2>/dev/null
[[ -z $(leftovers) ]] || fail end "the next run left $(leftovers)"
cmp -s "$D/out" "$D/whole--summary" || fail end "the last run did not write the whole output"
echo "chaos: $ROUNDS rounds ($killed killed), $N entities: old output intact, no partial output, no temporary file left"
