//! Criterion benchmarks: checking the largest shipped rubric; reading (with
//! the direct and the exact reader) and scoring (by the
//! compiled program and by the general evaluator) one UAE 2018 answer set.
//! The batch benchmark (1M answer sets, threads, memory) is scripts/bench.sh.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark")]

use criterion::{criterion_group, criterion_main, Criterion};

fn benches(c: &mut Criterion) {
    let egbr = std::fs::read_to_string("rules/eu/egovernment-benchmark/2023.mizan").unwrap();
    c.bench_function("check eu.egovernment_benchmark 2023", |b| {
        b.iter(|| mizan::load("2023.mizan", &egbr).0.unwrap())
    });
    let uae = std::fs::read_to_string("rules/uae/integration/2018.mizan").unwrap();
    c.bench_function("check uae.integration 2018", |b| {
        b.iter(|| mizan::load("2018.mizan", &uae).0.unwrap())
    });
    let rubric = mizan::load("2018.mizan", &uae).0.unwrap();
    let answers = std::fs::read_to_string("examples/uae-integration-2018/mofaic.json").unwrap();
    c.bench_function("read and score one UAE answer set", |b| {
        b.iter(|| rubric.evaluate_json("mofaic.json", &answers).unwrap())
    });
    let line = answers.replace(['\n', '\r'], " ");
    let origin = mizan::answers::Origin {
        file: "mofaic.json".into(),
        line: None,
    };
    // As an exporting tool writes it: one line, no spaces.
    let compact: String = {
        let v: serde_json::Value = serde_json::from_str(&answers).unwrap();
        serde_json::to_string(&v).unwrap()
    };
    c.bench_function("read one UAE answer set, direct reader", |b| {
        b.iter(|| mizan::answers::read_direct(rubric.plan(), origin.clone(), &compact).unwrap())
    });
    c.bench_function("read one UAE answer set (with line breaks), direct reader", |b| {
        b.iter(|| mizan::answers::read_direct(rubric.plan(), origin.clone(), &line).unwrap())
    });
    c.bench_function("read one UAE answer set, exact reader", |b| {
        b.iter(|| mizan::answers::read_exact(rubric.plan(), origin.clone(), &line).unwrap())
    });
    let sub = mizan::answers::read(rubric.plan(), origin.clone(), &line).unwrap();
    c.bench_function("score one UAE answer set (already read)", |b| {
        b.iter(|| mizan::eval::evaluate(rubric.plan(), sub.clone()).unwrap())
    });
    c.bench_function("score one UAE answer set, general evaluator", |b| {
        b.iter(|| mizan::eval::evaluate_general(rubric.plan(), sub.clone()).unwrap())
    });
}

criterion_group!(all, benches);
criterion_main!(all);
