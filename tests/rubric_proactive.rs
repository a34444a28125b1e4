//! Hand-computed scores of `rules/uae/proactive-readiness/2020.mizan` over the
//! answer sets in `examples/uae-proactive-readiness-2020/`.
//!
//! Rubric: one answer set per service. `criteria` = ratio of the five
//! criteria met (met 1, not met 0; no N/A). The root score is the formula
//! `score criteria`, so the service's score is the criteria part alone; the
//! `classification` part (a multi of four options weighing 1 each, combined by
//! `max`, plus an N/A option) is evaluated and reported but never read. Band
//! `readiness`: `candidate` from 0.2 (one criterion of five), else
//! `not_candidate`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use mizan::eval::EntityResult;
use mizan::Rubric;
use rust_decimal::Decimal;

mod support;

const RULES: &str = "rules/uae/proactive-readiness/2020.mizan";
const EXAMPLES: &str = "examples/uae-proactive-readiness-2020";

fn rubric() -> Rubric {
    // Clean: no error and no warning (the CLI's `check --deny-warnings`).
    support::load_clean(RULES)
}

fn eval_file(r: &Rubric, file: &str) -> EntityResult {
    support::eval_file(r, &format!("{EXAMPLES}/{file}"))
}

fn eval_inline(r: &Rubric, answers: &str) -> Result<EntityResult, Vec<mizan::answers::Rejection>> {
    let text = format!(
        r#"{{"rubric": "uae.proactive_readiness", "version": "2020",
            "entity": {{"id": "inline"}}, "answers": {answers}}}"#
    );
    r.evaluate_json("inline.json", &text)
}

fn node(r: &Rubric, res: &EntityResult, id: &str) -> Option<Decimal> {
    res.outcomes[r.model().by_id[id]].score()
}

fn band(r: &Rubric, score: Decimal) -> String {
    r.model().band(&r.model().root().bands, score).unwrap().id.clone()
}

/// Score of the service, of its criteria part and of its classification part,
/// and its band.
fn check(file: &str, score: Decimal, classification: Option<Decimal>, expected_band: &str) {
    let r = rubric();
    let res = eval_file(&r, file);
    assert_eq!(node(&r, &res, "criteria"), Some(score), "{file}: criteria");
    // The root is the criteria part, whatever the classification.
    assert_eq!(res.score(), Some(score), "{file}: root");
    assert_eq!(
        node(&r, &res, "classification"),
        classification,
        "{file}: classification"
    );
    assert_eq!(band(&r, score), expected_band, "{file}: band");
}

#[test]
fn rubric_checks_clean() {
    let r = rubric();
    let m = r.model();
    assert_eq!(m.id, "uae.proactive_readiness");
    assert_eq!(m.version, "2020");
    // Five criteria and one classification attribute.
    assert_eq!(m.criteria_under(m.by_id["criteria"]).len(), 5);
    assert_eq!(m.criteria_under(m.by_id["classification"]).len(), 1);
}

#[test]
fn vaccination_reminder() {
    // Temporal met (the child reaching the age of a vaccination); the other
    // four not met → 1 / 5 = 0.2 → candidate (exactly on the threshold).
    // Classification [reminder] → max(1) = 1.
    check(
        "vaccination-reminder.json",
        Decimal::new(2, 1),
        Some(Decimal::ONE),
        "candidate",
    );
}

#[test]
fn marriage_grant_eligibility() {
    // Linkage (follows the issue of the family book) and change of status
    // (marriage) met → 2 / 5 = 0.4 → candidate.
    // Classification [eligibility_check, informational] → max(1, 1) = 1.
    check(
        "marriage-grant-eligibility.json",
        Decimal::new(4, 1),
        Some(Decimal::ONE),
        "candidate",
    );
}

#[test]
fn birth_certificate_documents() {
    // Linkage (ID card and passport follow the birth certificate) and change of
    // status (a birth) met → 2 / 5 = 0.4 → candidate. [procedural] → 1.
    check(
        "birth-certificate-documents.json",
        Decimal::new(4, 1),
        Some(Decimal::ONE),
        "candidate",
    );
}

#[test]
fn trade_licence_documents() {
    // Linkage only (the guide's own linkage example) → 1 / 5 = 0.2 → candidate.
    // [procedural] → 1.
    check(
        "trade-licence-documents.json",
        Decimal::new(2, 1),
        Some(Decimal::ONE),
        "candidate",
    );
}

#[test]
fn damaged_id_replacement_meets_nothing() {
    // No criterion met → 0 / 5 = 0 → not_candidate. Classification answered
    // `none` (N/A) → the part has no input with a score → N/A; the root does
    // not read it, so the score is still 0, not N/A.
    check(
        "damaged-id-replacement.json",
        Decimal::ZERO,
        None,
        "not_candidate",
    );
    let r = rubric();
    let res = eval_file(&r, "damaged-id-replacement.json");
    assert_eq!(node(&r, &res, "classification.type"), None);
}

#[test]
fn band_thresholds() {
    let r = rubric();
    // 0, 0.2, 0.4, 0.6, 0.8, 1 are the only reachable scores.
    assert_eq!(band(&r, Decimal::ZERO), "not_candidate");
    assert_eq!(band(&r, Decimal::new(19, 2)), "not_candidate");
    for k in 1..=5 {
        assert_eq!(band(&r, Decimal::new(2 * k, 1)), "candidate", "{k} of 5");
    }
}

#[test]
fn classification_never_moves_the_score() {
    let r = rubric();
    let criteria = r#""criteria.spatial": "met", "criteria.legislative": "not_met",
        "criteria.linkage": "not_met", "criteria.status": "met", "criteria.temporal": "met""#;
    // Same criteria (3 of 5 met → 0.6), four different classifications:
    // all four options (max 1), one option (1), the empty list (max of
    // nothing = 0) and N/A (part N/A). The score is 0.6 every time.
    for (class, part) in [
        (
            r#"["reminder", "eligibility_check", "informational", "procedural"]"#,
            Some(Decimal::ONE),
        ),
        (r#"["informational"]"#, Some(Decimal::ONE)),
        ("[]", Some(Decimal::ZERO)),
        (r#""none""#, None),
    ] {
        let res = eval_inline(&r, &format!("{{{criteria}, \"classification.type\": {class}}}")).unwrap();
        assert_eq!(res.score(), Some(Decimal::new(6, 1)), "classification {class}");
        assert_eq!(node(&r, &res, "classification"), part, "classification {class}");
        assert_eq!(band(&r, res.score().unwrap()), "candidate");
    }
}

#[test]
fn every_criterion_must_be_answered() {
    let r = rubric();
    // `missing error`: leaving out criteria.temporal rejects the answer set
    // (M0410) instead of counting it as not met.
    let err = eval_inline(
        &r,
        r#"{"criteria.spatial": "met", "criteria.legislative": "not_met",
            "criteria.linkage": "not_met", "criteria.status": "not_met",
            "classification.type": ["reminder"]}"#,
    )
    .unwrap_err();
    let codes: Vec<String> = err
        .iter()
        .map(|e| miette::Diagnostic::code(e).unwrap().to_string())
        .collect();
    assert_eq!(codes, ["M0410"]);
    // No N/A on a criterion: the scale has no N/A option.
    assert!(eval_inline(
        &r,
        r#"{"criteria.spatial": "na", "criteria.legislative": "not_met",
            "criteria.linkage": "not_met", "criteria.status": "not_met",
            "criteria.temporal": "met", "classification.type": ["reminder"]}"#,
    )
    .is_err());
}

#[test]
fn population_mean() {
    let r = rubric();
    let inputs = support::answer_inputs(&[EXAMPLES]);
    let b = r.evaluate_batch(inputs);
    assert_eq!(b.rejected, 0);
    assert_eq!(b.population.entities, 5);
    // (0.4 + 0 + 0.4 + 0.2 + 0.2) / 5 = 1.2 / 5 = 0.24.
    assert_eq!(b.population.score, Some(Decimal::new(24, 2)));
}
