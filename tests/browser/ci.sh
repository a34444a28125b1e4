#!/usr/bin/env bash
# Browser tests of `mizan report`: builds mizan (debug profile, as the Rust
# tests do), writes the UAE 2018 and EGBR 2023 reports in English and
# Arabic into target/browser/<name>-<lang>/, then drives Debian's chromium
# over them (tests/browser/report.test.mjs, node's test runner).
# Then the web form of `mizan-server` (tests/browser/server-form.test.mjs):
# builds mizan-server, starts it on 127.0.0.1:0 with a temp SQLite store
# and --rules rules/, creates two submitter tokens, drives chromium over
# the form in English and Arabic, and stops the server; then the form of a
# rubric with repeated nodes (tests/browser/server-form-instances.test.mjs:
# the instances demo under a copy of rules/ with a cycle `services`).
# Screenshots: target/browser/screenshots/*.png.
# ONLY=report or ONLY=form runs one of the two.
#
# Needs: node >= 18 and npm, and (Debian) `apt-get install -y chromium
# fonts-dejavu-core fonts-noto-core`. No browser is downloaded:
# playwright-core drives /usr/bin/chromium (or $CHROMIUM).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

cargo build --quiet --bin mizan
cargo build --quiet -p mizan-server --bin mizan-server
MIZAN="$ROOT/target/debug/mizan"
OUT="$ROOT/target/browser"
mkdir -p "$OUT"

report() { # NAME LANG RULES ANSWERS...
  local name=$1 lang=$2
  shift 2
  local status=0
  "$MIZAN" --lang "$lang" report "$@" -o "$OUT/$name-$lang" 2>"$OUT/$name-$lang.stderr" || status=$?
  # 0: every answer set evaluated; 2: some rejected (listed in the report).
  if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
    cat "$OUT/$name-$lang.stderr" >&2
    echo "mizan report $name $lang failed with exit code $status" >&2
    exit 1
  fi
}

cd tests/browser
npm ci --no-audit --no-fund
cd "$ROOT"

if [ "${ONLY:-report}" = report ]; then
for lang in en ar; do
  report uae-2018 "$lang" rules/uae/integration/2018.mizan examples/uae-integration-2018
  # the 35 countries of the publisher's own workbook (docs/rubrics-egbr.md)
  report egbr-2023 "$lang" rules/eu/egovernment-benchmark/2023.mizan \
    --import rules/eu/egovernment-benchmark/2023.import.toml ../shared/conformance/egbr2023/*.xlsx
done

(cd tests/browser && REPORTS="$OUT" node --test report.test.mjs)
fi
[ "${ONLY:-form}" = form ] || exit 0

# The served web form.
SERVER="$ROOT/target/debug/mizan-server"
TMP=$(mktemp -d /tmp/mizan-form.XXXXXX)
DB="sqlite:$TMP/mizan.db"
PID=
stop() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap stop EXIT
TOKEN_EN=$("$SERVER" token create --db "$DB" --role submitter --entity moe)
TOKEN_AR=$("$SERVER" token create --db "$DB" --role submitter --entity fahr)
TOKEN_SVC_EN=$("$SERVER" token create --db "$DB" --role submitter --entity alpha)
TOKEN_SVC_AR=$("$SERVER" token create --db "$DB" --role submitter --entity beta)
# The shipped rules and the instances demo with its cycle `services`.
cp -r "$ROOT/rules" "$TMP/rules"
mkdir -p "$TMP/rules/demo/services"
cp "$ROOT/examples/instances/services.mizan" "$TMP/rules/demo/services/1.mizan"
printf 'rubric = "demo.services"\nversion = "1"\n' >"$TMP/rules/cycles/services.toml"
"$SERVER" --rules "$TMP/rules" --db "$DB" --listen 127.0.0.1:0 >"$TMP/out" 2>"$TMP/err" &
PID=$!
URL=
for _ in $(seq 1 100); do
  URL=$(sed -n 's/^mizan-server listening on //p' "$TMP/out")
  [ -n "$URL" ] && break
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$URL" ]; then
  cat "$TMP/err" >&2
  echo "mizan-server did not start" >&2
  exit 1
fi
MIZAN_URL="$URL" MIZAN_TOKEN_EN="$TOKEN_EN" MIZAN_TOKEN_AR="$TOKEN_AR" \
  EXAMPLES="$ROOT/examples/uae-integration-2018" SHOTS="$OUT/screenshots" \
  node --test tests/browser/server-form.test.mjs
MIZAN_URL="$URL" MIZAN_TOKEN_SVC_EN="$TOKEN_SVC_EN" MIZAN_TOKEN_SVC_AR="$TOKEN_SVC_AR" \
  SHOTS="$OUT/screenshots" node --test tests/browser/server-form-instances.test.mjs
