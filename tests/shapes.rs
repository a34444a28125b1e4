//! Every answer shape a real batch has, on every path: generated batches
//! (benches/support/workload.rs, the workloads scripts/bench.sh times) of
//! the UAE 2018, EGBR 2023 services (instances), Doing Business 2020
//! (numbers) and a generated large rubric, in every named shape (rubric
//! order or shuffled keys, answers to criteria that do not apply, missing
//! answers, N/A, `null`s, JSON escapes and Arabic names, spaces), give
//! byte-identical outcomes (scores, warnings, explain tree) through the
//! direct reader and the exact one, the compiled program and the general
//! evaluator; the direct reader takes every line of every shape (none is
//! left to the exact reader); and a streamed batch of each gives the same
//! warnings file at one and two threads.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::fs;

use mizan::answers::{self, Origin};

mod support;

#[path = "../benches/support/workload.rs"]
mod workload;

/// The rubrics of the bench, each with how many answer sets a shape gets
/// here (instances make EGBR's lines large).
fn rubrics() -> Vec<(&'static str, String, usize)> {
    let read = |p: &str| fs::read_to_string(p).unwrap();
    vec![
        ("uae", read("rules/uae/integration/2018.mizan"), 300),
        (
            "egbr",
            read("rules/eu/egovernment-benchmark-services/2023.mizan"),
            12,
        ),
        ("db", read("rules/worldbank/doing-business/2020.mizan"), 200),
        ("large", workload::large_rubric(120), 60),
    ]
}

fn load(name: &str, text: &str) -> mizan::Rubric {
    let (r, d) = mizan::load(name, text);
    r.unwrap_or_else(|| panic!("{name}: {d:?}"))
}

#[test]
fn every_shape_reads_and_scores_alike_on_every_path() {
    for (name, text, n) in rubrics() {
        for (shape_name, shape) in workload::shapes() {
            // Shapes that leave answers out are scored under `missing
            // worst`, as the bench scores them.
            let text = match shape.omits() {
                true => workload::worst_variant(&text).unwrap_or_else(|| text.clone()),
                false => text.clone(),
            };
            let r = load(name, &text);
            let mut out = Vec::new();
            workload::write(&r, &shape, n, &mut out).unwrap();
            let batch = String::from_utf8(out).unwrap();
            let mut declined = 0;
            let mut warned = 0;
            for (i, line) in batch.lines().enumerate() {
                let outcome = support::same_on_every_path(&r, line);
                assert!(
                    !outcome.starts_with("rejected"),
                    "{name} {shape_name} line {i}: {outcome}"
                );
                warned += usize::from(outcome.contains("M0412"));
                let origin = Origin {
                    file: "shape.jsonl".into(),
                    line: Some(i + 1),
                };
                declined += usize::from(answers::read_direct(r.plan(), origin, line).is_err());
            }
            assert_eq!(
                declined, 0,
                "{name} {shape_name}: the direct reader declined {declined} of {n}"
            );
            if shape.stray > 0.0 && name != "db" {
                assert!(
                    warned > 0,
                    "{name} {shape_name}: no stray answer was warned about"
                );
            }
        }
    }
}

#[test]
fn a_streamed_batch_of_every_shape_warns_alike_at_any_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (text, n) = (workload::large_rubric(120), 3000);
    let rules = dir.path().join("large.mizan");
    for (shape_name, shape) in workload::shapes() {
        let text = match shape.omits() {
            true => workload::worst_variant(&text).unwrap_or_else(|| text.clone()),
            false => text.clone(),
        };
        fs::write(&rules, &text).unwrap();
        let r = load("large", &text);
        let input = dir.path().join(format!("{shape_name}.jsonl"));
        let mut f = fs::File::create(&input).unwrap();
        workload::write(&r, &shape, n, &mut f).unwrap();
        let mut files = Vec::new();
        for jobs in ["1", "2"] {
            let w = dir.path().join(format!("{shape_name}-{jobs}.warnings"));
            let out = dir.path().join(format!("{shape_name}-{jobs}.jsonl"));
            let o = support::mizan(&[
                "--format",
                "jsonl",
                "eval",
                rules.to_str().unwrap(),
                input.to_str().unwrap(),
                "--jobs",
                jobs,
                "-o",
                out.to_str().unwrap(),
                "--warnings",
                w.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{shape_name}: {}", support::stderr(&o));
            files.push((fs::read(&out).unwrap(), fs::read(&w).unwrap()));
        }
        assert!(files[0] == files[1], "{shape_name}: 1 and 2 threads differ");
        let warnings = String::from_utf8(files[0].1.clone()).unwrap();
        if shape.stray > 0.0 {
            assert!(
                warnings.lines().count() > n / 10,
                "{shape_name}: too few warnings"
            );
        }
    }
}
