#!/usr/bin/env bash
# Browser tests of `mizan report`: builds mizan (debug profile, as the Rust
# tests do), writes the UAE 2018 and EGBR 2023 reports in English and
# Arabic into target/browser/<name>-<lang>/, then drives Debian's chromium
# over them (tests/browser/report.test.mjs, node's test runner).
# Screenshots: target/browser/screenshots/*.png.
#
# Needs: node >= 18 and npm, and (Debian) `apt-get install -y chromium
# fonts-dejavu-core fonts-noto-core`. No browser is downloaded:
# playwright-core drives /usr/bin/chromium (or $CHROMIUM).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

cargo build --quiet --bin mizan
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

for lang in en ar; do
  report uae-2018 "$lang" rules/uae/integration/2018.mizan examples/uae-integration-2018
  # the 35 countries of the publisher's own workbook (docs/rubrics-egbr.md)
  report egbr-2023 "$lang" rules/eu/egovernment-benchmark/2023.mizan \
    --import rules/eu/egovernment-benchmark/2023.import.toml ../shared/conformance/egbr2023/*.xlsx
done

cd tests/browser
npm ci --no-audit --no-fund
REPORTS="$OUT" node --test report.test.mjs
