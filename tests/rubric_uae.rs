//! UAE 2018 integration indicator: every example entity's result and the
//! government result against exact fractions computed by hand
//! (`examples/uae-integration-2018/EXPECTED.md` shows each initiative's
//! achieved / target and works `mofaic` through criterion by criterion).
//!
//! Entity result = mean of its non-N/A initiative ratios; initiative ratio =
//! Σ chosen weights / number of applicable, non-N/A criteria.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails by panicking"
)]

use std::fs;

use mizan::answers::Origin;
use rust_decimal::Decimal;

fn assert_frac(d: Option<Decimal>, num: i64, den: i64, what: &str) {
    let d = d.unwrap_or_else(|| panic!("{what}: N/A"));
    let diff = (d * Decimal::from(den) - Decimal::from(num)).abs();
    assert!(diff < Decimal::new(1, 15), "{what}: {d} is not {num}/{den}");
}

const EXPECTED: [(&str, i64, i64); 12] = [
    ("fahr", 41716249, 68640000),
    ("fcsa", 54429923, 77000000),
    ("gpssa", 5203709, 10400000),
    ("ica", 144629161, 166320000),
    ("moccae", 20431637, 36960000),
    ("moe", 71537957, 110880000),
    ("moec", 43031441, 57200000),
    ("mof", 12209993, 15120000),
    ("mofaic", 213621013, 308880000),
    ("mohap", 16272761, 25200000),
    ("mohre", 2965003, 3600000),
    ("moi", 174392039, 205920000),
];

#[test]
fn entity_and_government_results() {
    let text = fs::read_to_string("rules/uae/integration/2018.mizan").unwrap();
    let (rubric, diags) = mizan::load("2018.mizan", &text);
    assert!(diags.is_empty(), "{diags:?}");
    let rubric = rubric.unwrap();
    let mut paths: Vec<_> = fs::read_dir("examples/uae-integration-2018")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let inputs = paths
        .iter()
        .map(|p| {
            (
                Origin {
                    file: p.display().to_string(),
                    line: None,
                },
                fs::read_to_string(p).unwrap(),
            )
        })
        .collect();
    let batch = rubric.evaluate_batch(inputs);
    assert_eq!(batch.results.len(), 12);
    for (r, (id, num, den)) in batch.results.iter().zip(EXPECTED) {
        assert_eq!(r.submission.entity, id);
        assert_frac(r.score(), num, den, id);
    }
    // fcsa answered all of SmartPass N/A: the initiative is N/A and left out.
    let fcsa = &batch.results[1];
    assert_eq!(fcsa.outcomes[rubric.model().by_id["smartpass"]].score(), None);
    // Government = sum of entity results / number of entities.
    assert_frac(batch.population.score, 27683014949, 39312000000, "government");
    // The invalid submission is rejected with its own codes; the rest go on.
    assert_eq!(batch.rejected, 1);
    let codes: Vec<String> = batch
        .errors
        .iter()
        .map(|e| miette::Diagnostic::code(e).unwrap().to_string())
        .collect();
    // `na` for fednet.1.2 (which has no N/A option) and `partial` for
    // one_portal.2.1 are both unknown options.
    assert_eq!(codes, ["M0406", "M0406"]);
}
