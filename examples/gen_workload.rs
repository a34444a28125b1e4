//! Deterministic benchmark workload (issue 16): N answer sets (JSONL) for a
//! rubric, in a chosen answer shape (benches/support/workload.rs).
//!
//!     cargo run --release --example gen_workload -- RULES|large:500 N OUT.jsonl \
//!         [--shape NAME] [--shuffle] [--stray P] [--missing P] [--na P] [--nulls P] \
//!         [--escapes] [--pretty] [--seed S]
//!     cargo run --release --example gen_workload -- --rubric-out FILE large:500
//!     cargo run --release --example gen_workload -- --shapes
//!
//! `large:K` is the generated rubric of K criteria. The shape starts from
//! `--shape` (default `ordered`: rubric order, no stray or missing answers,
//! 5 % N/A) and the other options change it. `missing` and `nulls` only
//! touch criteria whose `missing` policy is not `error`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a tool"
)]

#[path = "../benches/support/workload.rs"]
mod workload;

use std::io::{BufWriter, Write};

fn rubric_text(spec: &str) -> String {
    match spec.strip_prefix("large:") {
        Some(k) => workload::large_rubric(k.parse().expect("large:K, K a number of criteria")),
        None => std::fs::read_to_string(spec).unwrap_or_else(|e| panic!("{spec}: {e}")),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--shapes") {
        for (name, s) in workload::shapes() {
            let omits = if s.omits() { "omits" } else { "-" };
            println!("{name}\t{omits}\t{s:?}");
        }
        return;
    }
    if args.first().map(String::as_str) == Some("--rubric-out") {
        let (file, spec) = (&args[1], &args[2]);
        std::fs::write(file, rubric_text(spec)).unwrap();
        return;
    }
    let mut pos = Vec::new();
    let mut shape = workload::Shape::default();
    let mut edits: Vec<(String, Option<String>)> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--shape" => {
                let name = it.next().expect("--shape NAME");
                shape =
                    workload::shape(name).unwrap_or_else(|| panic!("unknown shape `{name}` (see --shapes)"));
            }
            "--shuffle" | "--escapes" | "--pretty" => edits.push((a.clone(), None)),
            "--stray" | "--missing" | "--na" | "--nulls" | "--seed" => edits.push((
                a.clone(),
                Some(it.next().unwrap_or_else(|| panic!("{a} VALUE")).clone()),
            )),
            _ if a.starts_with("--") => panic!("unknown option {a}"),
            _ => pos.push(a.clone()),
        }
    }
    for (flag, v) in edits {
        let p = || {
            v.as_deref()
                .unwrap()
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("{flag}: a share 0..1"))
        };
        match flag.as_str() {
            "--shuffle" => shape.shuffle = true,
            "--escapes" => shape.escapes = true,
            "--pretty" => shape.pretty = true,
            "--stray" => shape.stray = p(),
            "--missing" => shape.missing = p(),
            "--na" => shape.na = p(),
            "--nulls" => shape.nulls = p(),
            _ => shape.seed = v.as_deref().unwrap().parse().expect("--seed: an integer"),
        }
    }
    let [spec, n, out] = &pos[..] else {
        panic!("usage: gen_workload RULES|large:K N OUT.jsonl [--shape NAME] [options]")
    };
    let n: usize = n.parse().expect("N: a number of answer sets");
    let text = rubric_text(spec);
    let (r, d) = mizan::load(spec, &text);
    let r = r.unwrap_or_else(|| panic!("{spec}: {d:?}"));
    let mut f = BufWriter::with_capacity(1 << 20, std::fs::File::create(out).unwrap());
    workload::write(&r, &shape, n, &mut f).unwrap();
    f.flush().unwrap();
}
