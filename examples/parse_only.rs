//! Parse-only baselines for scripts/bench.sh: read a JSONL file and parse
//! every line with simd-json or serde_json (into a generic value), nothing
//! else.
//!
//!     cargo run --release --example parse_only -- simd|serde FILE.jsonl

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a tool"
)]

use std::io::BufRead;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let f = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&args[2]).unwrap());
    let mut n = 0usize;
    let mut keys = 0usize;
    for line in f.lines() {
        let mut line = line.unwrap().into_bytes();
        match args[1].as_str() {
            "simd" => {
                let v = simd_json::to_borrowed_value(&mut line).unwrap();
                keys += usize::from(simd_json::prelude::ValueAsScalar::as_str(&v).is_none());
            }
            _ => {
                let v: serde_json::Value = serde_json::from_slice(&line).unwrap();
                keys += usize::from(v.is_object());
            }
        }
        n += 1;
    }
    eprintln!("{n} lines parsed ({keys})");
}
