#!/usr/bin/env bash
# CI for the VS Code extension (editors/vscode): install the locked npm
# dependencies, run the grammar tests (vscode-tmgrammar-test on test/fixtures)
# and the node tests (manifest, grammar, commands), build the .vsix and check
# that the packaged extension loads.
# Needs node >= 20 and npm on the PATH, and git (test/run.test.js makes a
# throwaway repository). Non-interactive; no publisher secrets.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "editors/vscode/ci.sh: node and npm are required (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "editors/vscode/ci.sh: node >= 20 is required (found $(node --version))" >&2
  exit 1
fi

echo "== vscode: npm ci"
# --ignore-scripts: no dependency needs its install script (the one there is,
# @vscode/vsce-sign's, readies a signing tool that packaging does not use).
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

echo "== vscode: grammar tests (vscode-tmgrammar-test)"
npm run --silent test:grammar

echo "== vscode: node tests"
# The commands are also run against the real mizan when it is built
# (test/real-mizan.test.js; skipped otherwise).
if [ -z "${MIZAN_BIN:-}" ] && [ -x ../../target/debug/mizan ]; then
  export MIZAN_BIN="$PWD/../../target/debug/mizan"
fi
echo "MIZAN_BIN=${MIZAN_BIN:-(not set: the tests with the real mizan are skipped)}"
npm run --silent test:node

echo "== vscode: package the .vsix"
rm -f mizan.vsix
npx --no-install vsce package --allow-missing-repository -o mizan.vsix
node test/vsix-check.js mizan.vsix
echo "built editors/vscode/mizan.vsix"
