//! Repeated instances, hand-computed on `examples/instances/services.mizan`
//! with `examples/instances/answers/alpha.json`.
//!
//! Life event `family|2022` (year 2022):
//! - S1 transactional, central → `best` over its two URLs: q1 yes|no → yes,
//!   q2 no|nr → no (an ignored answer loses to any real one), login
//!   yes|no → yes, eid no|missing(worst = no) → no. Availability
//!   0.5·1 + 0.5·0 = 1/2; eID gate open, eid 0 → 0.
//! - S2 transactional, local → `mean` of URL scores: availability URL1 1,
//!   URL2 N/A (q2 not relevant), URL3 0 → 1/2; eID 1, 0, 0 → 1/3, rounded
//!   to a whole percent: 0.33.
//! - S3 informational, proactive → availability overridden to 1; eID gated
//!   (login no) → N/A.
//! - S4 does not apply (applicable false): left out everywhere.
//!
//! So availability = wmean(mean(1/2, 1/2), 0.8, mean(1), 0.2) = 0.6, eID =
//! mean(0, 0.33) = 0.165, services with a value = 3.
//!
//! Life event `moving|2021`: T1 informational, local, availability 1, eID
//! gated → availability = 1 (transactional side empty: weights re-normalise),
//! eID N/A, services 1.
//!
//! Entity: `le` combined = mean(0.6, 1) = 0.8; recent = mean of the 2022
//! life events' availability = 0.6; score = mean(0.8, 0.6) = 0.7.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use mizan::eval::{InstanceSetResult, NaReason, Outcome};
use rust_decimal::Decimal;
use support::{assert_frac, eval_file, load_clean};

mod support;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn node(r: &mizan::Rubric, id: &str) -> usize {
    r.model().by_id[id]
}

/// Outcome of `id` in instance `key` of `set`.
fn inst(r: &mizan::Rubric, set: &InstanceSetResult, key: &str, id: &str) -> Outcome {
    let it = set.items.iter().find(|i| i.key == key).unwrap();
    it.outcomes[node(r, id) - set.node]
}

#[test]
fn hand_computed_instances() {
    let r = load_clean("examples/instances/services.mizan");
    let res = eval_file(&r, "examples/instances/answers/alpha.json");
    assert_frac(res.score(), 7, 10, "entity");
    assert_frac(res.outcomes[node(&r, "recent")].score(), 6, 10, "recent");
    assert_frac(res.outcomes[node(&r, "le")].score(), 8, 10, "le combined");
    assert_frac(
        res.outcomes[node(&r, "le.services")].score(),
        2,
        1,
        "le.services combined",
    );

    let les = &res.instances[0];
    assert_eq!(les.items.len(), 2);
    assert_frac(
        inst(&r, les, "family|2022", "le.availability").score(),
        6,
        10,
        "family availability",
    );
    assert_eq!(inst(&r, les, "family|2022", "le.eid").score(), Some(dec("0.165")));
    assert_frac(
        inst(&r, les, "family|2022", "le.services").score(),
        3,
        1,
        "family services",
    );
    assert_frac(
        inst(&r, les, "moving|2021", "le.availability").score(),
        1,
        1,
        "moving availability",
    );
    assert_eq!(
        inst(&r, les, "moving|2021", "le.eid"),
        Outcome::Na(NaReason::Formula)
    );

    let family = les.items.iter().find(|i| i.key == "family|2022").unwrap();
    let svcs = &family.instances[0];
    assert_frac(inst(&r, svcs, "S1", "svc.availability").score(), 1, 2, "S1 best");
    assert_eq!(inst(&r, svcs, "S1", "svc.eid").score(), Some(Decimal::ZERO));
    assert_frac(inst(&r, svcs, "S2", "svc.availability").score(), 1, 2, "S2 mean");
    assert_eq!(inst(&r, svcs, "S2", "svc.eid").score(), Some(dec("0.33")));
    assert_frac(
        inst(&r, svcs, "S3", "svc.availability").score(),
        1,
        1,
        "S3 proactive",
    );
    assert!(inst(&r, svcs, "S3", "svc.eid").score().is_none());
    assert_eq!(inst(&r, svcs, "S4", "svc"), Outcome::Na(NaReason::NotApplicable));

    // Inside S2: URL 2 answered q2 "not relevant".
    let s2 = svcs.items.iter().find(|i| i.key == "S2").unwrap();
    let urls = &s2.instances[0];
    assert_eq!(inst(&r, urls, "1", "q2"), Outcome::Na(NaReason::Ignored));
    // Inside S3: the eID gate is closed.
    let s3 = svcs.items.iter().find(|i| i.key == "S3").unwrap();
    assert_eq!(
        inst(&r, &s3.instances[0], "0", "url.eid"),
        Outcome::Na(NaReason::Gated)
    );
}

#[test]
fn instance_answers_are_validated_with_pointers() {
    let r = load_clean("examples/instances/services.mizan");
    let text = r#"{"rubric": "demo.services", "version": "1", "entity": {"id": "x"}, "answers": {"q1": "yes"},
      "instances": {"le": [{"key": "a", "profile": {"year": 2022, "colour": 1},
        "instances": {"svc": [{"profile": {"type": "other", "level": "central", "applicable": true},
          "instances": {"url": [{"answers": {"q1": "maybe"}}]}}]}}]}}"#;
    let errs = r.evaluate_json("bad.json", text).unwrap_err();
    let got: Vec<(String, String)> = errs
        .iter()
        .map(|e| {
            use miette::Diagnostic;
            (e.code().unwrap().to_string(), e.pointer.clone())
        })
        .collect();
    assert_eq!(
        got,
        [
            ("M0405".to_string(), "/answers/q1".to_string()),
            ("M0413".to_string(), "/instances/le/0/profile/colour".to_string()),
            (
                "M0414".to_string(),
                "/instances/le/0/instances/svc/0/profile/type".to_string()
            ),
            (
                "M0415".to_string(),
                "/instances/le/0/instances/svc/0/profile/proactive".to_string()
            ),
            (
                "M0406".to_string(),
                "/instances/le/0/instances/svc/0/instances/url/0/answers/q1".to_string()
            ),
        ]
    );
}

#[test]
fn explain_names_the_instance_rules() {
    let r = load_clean("examples/instances/services.mizan");
    let res = eval_file(&r, "examples/instances/answers/alpha.json");
    insta::assert_snapshot!(
        "instances_explain",
        mizan::render::explain::render(r.model(), &res)
    );
}

#[test]
fn json_lists_every_instance_with_its_key() {
    let r = load_clean("examples/instances/services.mizan");
    let text = std::fs::read_to_string("examples/instances/answers/alpha.json").unwrap();
    let batch = r.evaluate_batch(vec![(
        mizan::answers::Origin {
            file: "alpha.json".into(),
            line: None,
        },
        text,
    )]);
    insta::assert_snapshot!(
        "instances_json",
        mizan::render::json::to_string(r.model(), &batch)
    );
}
