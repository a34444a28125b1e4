#!/usr/bin/env bash
# CI for the language server (crates/mizan-lsp). `.ci/run` checks the root
# package only (`cargo clippy`/`cargo test` at the root of a workspace whose
# root is a package run on that package): this script covers the server.
# Needs only the Rust toolchain (with clippy); run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo fmt --all --check
cargo clippy -p mizan-lsp --all-targets --locked -- -D warnings
# The harness (tests/harness.rs) spawns the built `mizan-lsp` and speaks
# JSON-RPC to it on the shipped rubrics in rules/.
cargo test -p mizan-lsp --locked
