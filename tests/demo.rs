//! Hand-computed scores of the demo rubric (`examples/demo/`).
//!
//! Rubric: root = weighted mean of `services` (weight 2) and `data`
//! (weight 1). `services` = ratio over its criteria, N/A excluded. `data` =
//! mean of its three criteria, N/A counted as zero; `data.open` only applies
//! to federal entities. KPI `data.share` = clamp(value / 80, 0, 1);
//! `data.rank` = clamp((60 - value) / (60 - 20), 0, 1).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use rust_decimal::Decimal;
use support::assert_frac;

mod support;

fn rubric() -> mizan::Rubric {
    support::load_clean("examples/demo/digital-readiness.mizan")
}

fn batch() -> mizan::eval::Batch {
    rubric().evaluate_batch(support::answer_inputs(&[
        "examples/demo/answers",
        "examples/demo/invalid",
    ]))
}

fn node(b: &mizan::eval::Batch, entity: &str, id: &str) -> Option<Decimal> {
    let r = rubric();
    let ix = if id.is_empty() { 0 } else { r.model().by_id[id] };
    let e = b.results.iter().find(|e| e.submission.entity == entity).unwrap();
    e.outcomes[ix].score()
}

#[test]
fn moi_data_provider() {
    let b = batch();
    // services: 1.1 yes 1, 1.2 partial 0.5, 1.3 ruled out (provider),
    // 2.1 web+app 0.5+0.5 = 1, 2.2 yes 1 → 3.5 / 4 = 7/8.
    assert_frac(node(&b, "moi", "services"), 7, 8, "moi services");
    // data: share 60/80 = 3/4, rank (60-30)/40 = 3/4, open some 1/2 → 2/3.
    assert_frac(node(&b, "moi", "data"), 2, 3, "moi data");
    // root: (2 × 7/8 + 1 × 2/3) / 3 = 29/36.
    assert_frac(node(&b, "moi", ""), 29, 36, "moi");
    assert_eq!(node(&b, "moi", "services.1.3"), None);
}

#[test]
fn mof_consumer_with_na_counted_as_zero() {
    let b = batch();
    // services: 1.1 partial 0.5, 1.2 ruled out, 1.3 no 0, 2.1 centre 0.25,
    // 2.2 no 0 → 0.75 / 4 = 3/16.
    assert_frac(node(&b, "mof", "services"), 3, 16, "mof services");
    // data: share 1, rank clamp(50/40) = 1, open N/A counted zero → 2/3.
    assert_frac(node(&b, "mof", "data"), 2, 3, "mof data");
    // root: (2 × 3/16 + 2/3) / 3 = 25/72.
    assert_frac(node(&b, "mof", ""), 25, 72, "mof");
}

#[test]
fn moh_both_roles_na_excluded_missing_worst() {
    let b = batch();
    // services: 1.1 N/A excluded, 1.2 yes, 1.3 yes, 2.1 capped at 1,
    // 2.2 missing → worst 0 → 3 / 4.
    assert_frac(node(&b, "moh", "services"), 3, 4, "moh services");
    assert_eq!(node(&b, "moh", "services.1.1"), None);
    // data: open ruled out (not federal); share clamp(100/80) = 1, rank 0 → 1/2.
    assert_frac(node(&b, "moh", "data"), 1, 2, "moh data");
    // root: (2 × 3/4 + 1/2) / 3 = 2/3.
    assert_frac(node(&b, "moh", ""), 2, 3, "moh");
}

#[test]
fn moe_missing_na_counts_zero_under_zero_policy() {
    let b = batch();
    // services: 1 + 1 + 0.5 + 1 = 3.5 / 4 = 7/8; data: 0.5, 1, open missing
    // (missing na) counted zero → 1.5 / 3 = 1/2; root (7/4 + 1/2) / 3 = 3/4.
    assert_frac(node(&b, "moe", "services"), 7, 8, "moe services");
    assert_frac(node(&b, "moe", "data"), 1, 2, "moe data");
    assert_frac(node(&b, "moe", ""), 3, 4, "moe");
}

#[test]
fn population_and_rejection() {
    let b = batch();
    // Mean of 29/36, 25/72, 2/3, 3/4 = (58 + 25 + 48 + 54) / 72 / 4 = 185/288.
    assert_frac(b.population.score, 185, 288, "population");
    assert_eq!(b.population.entities, 4);
    assert_eq!(b.rejected, 1);
    let codes: Vec<String> = b
        .errors
        .iter()
        .map(|e| miette::Diagnostic::code(e).unwrap().to_string())
        .collect();
    // With its other problems, the answer it lacks (M0410).
    assert_eq!(codes, ["M0406", "M0408", "M0410"]);
    assert_eq!(b.errors[2].pointer, "/answers/services.2.1");
    assert!(b.errors.iter().all(|e| e.entity.as_deref() == Some("mocd")));
    assert_eq!(b.errors[0].pointer, "/answers/services.1.1");
}

#[test]
fn exact_decimals() {
    let (r, d) = mizan::load(
        "t.mizan",
        "rubric t { version \"1\" criterion c { number score clamp(value + 0.2, 0, 1) } }",
    );
    assert!(d.errors.is_empty(), "{d:?}");
    let res = r
        .unwrap()
        .evaluate_json(
            "a.json",
            r#"{"rubric": "t", "version": "1", "entity": {"id": "x"}, "answers": {"c": 0.1}}"#,
        )
        .unwrap();
    // 0.1 + 0.2 is exactly 0.3, not 0.30000000000000004.
    assert_eq!(res.score().unwrap().normalize().to_string(), "0.3");
}
