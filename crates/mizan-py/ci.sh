#!/usr/bin/env bash
# CI for the Python package (crates/mizan-py): lints of the extension crate,
# then `pip install ./crates/mizan-py` into a fresh virtualenv (maturin and
# the Rust build come with it) and pytest: the package, the Arrow path and
# the Spark test (local[2], 200,000 answer sets; MIZAN_SPARK_N to change).
# Needs python3 (with venv), the Rust toolchain and Java 17 for pyspark
# (installed with apt when missing). Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$SECONDS

cargo fmt --all --check
cargo clippy -p mizan-py --all-targets --locked -- -D warnings
# (The crate's unit test, `cargo test -p mizan-py`, would build pyo3 and
# Arrow once more in the dev profile: the split of an exact sum it checks
# is exercised by the Spark test's population, a sum of 34 digits.)

if ! command -v java >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
fi

venv="${MIZAN_PY_VENV:-target/py-venv}"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
# The package (a release build of the extension), then what the tests use.
"$venv/bin/python" -m pip install -q ./crates/mizan-py
"$venv/bin/python" -m pip install -q pytest pyarrow pandas polars pyspark
echo "mizan-py: installed in $((SECONDS - start)) s"

# The tests compare with the `mizan` command of this checkout.
cargo build --quiet --locked --bin mizan
status=0
MIZAN_BIN="$PWD/target/debug/mizan" "$venv/bin/python" -m pytest crates/mizan-py/tests -q -p no:cacheprovider || status=$?
# pytest's 5 is "no tests ran": a failure here, never a pass.
if [ "$status" -ne 0 ]; then
  echo "mizan-py: pytest exited $status" >&2
  exit "$status"
fi
echo "mizan-py: done in $((SECONDS - start)) s"
