#!/usr/bin/env bash
# CI for the submissions service (crates/mizan-server): clippy, then the
# integration tests against an embedded SQLite file and against a real
# PostgreSQL (Debian's `postgresql` package; pg.sh starts it as the
# postgres user). Needs: apt-get install -y postgresql (psql, initdb, pg_ctl).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_INCREMENTAL=0
cargo clippy -p mizan-server --all-targets -- -D warnings
# The tests compare with the CLI's bytes: `mizan` beside `mizan-server`.
cargo build --bin mizan
cargo test -p mizan-server
if command -v psql >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    crates/mizan-server/pg.sh cargo test -p mizan-server
else
    echo "ci.sh: PostgreSQL not installed: its run is skipped" >&2
    exit 1
fi
