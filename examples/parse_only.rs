//! Parse-only baselines for scripts/bench.sh: read a JSONL file and parse
//! every line with simd-json or serde_json (into a generic value), nothing
//! else; with `tape`, simd-json's tape only (no value built, buffers
//! reused); with `read RULES`, with Mizan's readers as a stream uses them
//! (answers resolved into the plan's slots, no scoring); with `direct
//! RULES`, with the direct reader alone, then the exact one; with
//! `declines RULES FILE`, how many lines the direct reader gives up on (the
//! exact reader then reads them), and how many the exact one rejects:
//! `direct 12/1000 exact 0`.
//!
//!     cargo run --release --example parse_only -- simd|tape|serde FILE.jsonl
//!     cargo run --release --example parse_only -- read|direct FILE.jsonl RULES
//!     cargo run --release --example parse_only -- declines RULES FILE.jsonl

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a tool"
)]

use std::io::BufRead;

fn declines(rules: &str, file: &str) {
    let text = std::fs::read_to_string(rules).unwrap();
    let rubric = mizan::load(rules, &text).0.unwrap();
    let plan = rubric.plan();
    let f = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(file).unwrap());
    let (mut n, mut direct, mut rejected) = (0usize, 0usize, 0usize);
    for line in f.lines() {
        let line = line.unwrap();
        n += 1;
        let origin = mizan::answers::Origin {
            file: String::new(),
            line: Some(n),
        };
        let Err(origin) = mizan::answers::read_direct(plan, origin, &line) else {
            continue;
        };
        direct += 1;
        rejected += usize::from(mizan::answers::read_exact(plan, origin, &line).is_err());
    }
    println!("direct {direct}/{n} exact {rejected}");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args[1] == "declines" {
        declines(&args[2], &args[3]);
        return;
    }
    let f = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&args[2]).unwrap());
    let mut n = 0usize;
    let mut keys = 0usize;
    let rubric = (args[1] == "read" || args[1] == "direct").then(|| {
        let text = std::fs::read_to_string(&args[3]).unwrap();
        mizan::load(&args[3], &text).0.unwrap()
    });
    if args[1] == "tape" {
        let mut f = f;
        let mut buf = Vec::new();
        let mut buffers = simd_json::Buffers::new(4096);
        let mut tape = simd_json::Tape::null().reset();
        loop {
            buf.clear();
            if f.read_until(b'\n', &mut buf).unwrap() == 0 {
                break;
            }
            if buf.last() == Some(&b'\n') {
                buf.pop();
            }
            let mut t = tape.reset();
            simd_json::fill_tape(&mut buf, &mut buffers, &mut t).unwrap();
            keys += usize::from(t.0.len() > 10);
            tape = t.reset();
            n += 1;
        }
        eprintln!("{n} lines parsed ({keys})");
        return;
    }
    for line in f.lines() {
        let mut line = line.unwrap().into_bytes();
        match args[1].as_str() {
            "simd" => {
                let v = simd_json::to_borrowed_value(&mut line).unwrap();
                keys += usize::from(simd_json::prelude::ValueAsScalar::as_str(&v).is_none());
            }
            "read" => {
                let origin = mizan::answers::Origin {
                    file: String::new(),
                    line: Some(n),
                };
                let plan = rubric.as_ref().unwrap().plan();
                keys += usize::from(mizan::answers::read_bytes(plan, origin, &line).is_ok());
            }
            "direct" => {
                let text = String::from_utf8(line).unwrap();
                let origin = mizan::answers::Origin {
                    file: String::new(),
                    line: Some(n),
                };
                let plan = rubric.as_ref().unwrap().plan();
                let read = mizan::answers::read_direct(plan, origin, &text)
                    .or_else(|origin| mizan::answers::read_exact(plan, origin, &text));
                keys += usize::from(read.is_ok());
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
