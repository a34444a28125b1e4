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
# Load and kill, bounded (about a minute): the SIGKILL test for more rounds
# (each: load, kill at a random moment, restart, retry, check the store),
# then the load benchmark's client and server for a few requests (a debug
# build: this checks that it runs; the figures are `cargo bench`'s,
# docs/server.md "Measured figures").
load_and_kill() {
    MIZAN_KILL_ROUNDS=5 cargo test -p mizan-server --test durability every_acknowledged &&
        MIZAN_BENCH_REQUESTS=300 MIZAN_BENCH_SECONDS=2 cargo test -p mizan-server --bench load -- --bench
}
load_and_kill
if command -v psql >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    crates/mizan-server/pg.sh cargo test -p mizan-server
    export -f load_and_kill
    crates/mizan-server/pg.sh bash -c load_and_kill
else
    echo "ci.sh: PostgreSQL not installed: its run is skipped" >&2
    exit 1
fi
