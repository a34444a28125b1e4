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

use support::assert_frac_within;

mod support;

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
    let rubric = support::load_clean("rules/uae/integration/2018.mizan");
    let inputs = support::answer_inputs(&["examples/uae-integration-2018"]);
    let batch = rubric.evaluate_batch(inputs);
    assert_eq!(batch.results.len(), 12);
    for (r, (id, num, den)) in batch.results.iter().zip(EXPECTED) {
        assert_eq!(r.submission.entity, id);
        // Denominators reach 3·10^8, so d × den carries rounding up to ~10^-19.
        assert_frac_within(r.score(), num, den, 15, id);
    }
    // fcsa answered all of SmartPass N/A: the initiative is N/A and left out.
    let fcsa = &batch.results[1];
    assert_eq!(fcsa.outcomes[rubric.model().by_id["smartpass"]].score(), None);
    // Government = sum of entity results / number of entities.
    assert_frac_within(batch.population.score, 27683014949, 39312000000, 15, "government");
    // The invalid submission is rejected with its own codes; the rest go on.
    assert_eq!(batch.rejected, 1);
    let codes: Vec<String> = batch
        .errors
        .iter()
        .map(|e| miette::Diagnostic::code(e).unwrap().to_string())
        .collect();
    // `na` for fednet.1.2 (which has no N/A option) and `partial` for
    // one_portal.2.1 are both unknown options; national_crm.3.4 has no
    // answer (reported with them).
    assert_eq!(codes, ["M0406", "M0406", "M0410"]);
    assert_eq!(batch.errors[2].pointer, "/answers/national_crm.3.4");
}
