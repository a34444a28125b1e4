#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (Debian's `postgresql` package) in a temp
# directory as the postgres user, runs the command given with MIZAN_TEST_PG
# set to its URL (without a database name), then stops it.
#   crates/mizan-server/pg.sh cargo test -p mizan-server
set -euo pipefail
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DIR=$(mktemp -d /tmp/mizan-pg.XXXXXX)
chown postgres "$DIR"
PORT=${MIZAN_PG_PORT:-55432}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$BIN/initdb" -D "$DIR/data" -U postgres -A trust >/dev/null
START=(as_pg "$BIN/pg_ctl" -D "$DIR/data" -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=on" -l "$DIR/log" -w start)
"${START[@]}" >/dev/null
# For tests/store_down.rs: how to stop and start this server mid-run.
export -f as_pg
export MIZAN_TEST_PG_STOP="as_pg $BIN/pg_ctl -D $DIR/data -m fast -w stop"
export MIZAN_TEST_PG_START="as_pg $BIN/pg_ctl -D $DIR/data -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1' -l $DIR/log -w start"
stop() { as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null || true; rm -rf "$DIR"; }
trap stop EXIT
MIZAN_TEST_PG="postgres://postgres@127.0.0.1:$PORT" "$@"
