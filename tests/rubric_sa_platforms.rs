//! Hand-computed scores of `rules/sa/platforms-policy/1.mizan` over the
//! answer sets in `examples/sa-platforms-policy-1/`.
//!
//! Rubric: 9 provisions, 28 obligations, one shared scale (complied 1,
//! partial 0.5, not complied 0, N/A). Provision = ratio of its obligations,
//! N/A excluded (all N/A → the provision is N/A). Entity = mean of the
//! provisions that have a score.
//!
//! Answers below are written provision by provision in printed order, one
//! letter per obligation: C complied, P partial, N not complied, X N/A.
//! Provision sizes: strategic 2, experience 3, technology 3, continuity 7,
//! satisfaction 3, operations 2, innovation 2, services 5, cloud 1.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::fs;

use mizan::eval::EntityResult;
use mizan::Rubric;
use rust_decimal::Decimal;
use support::assert_frac;

mod support;

const RULES: &str = "rules/sa/platforms-policy/1.mizan";
const EXAMPLES: &str = "examples/sa-platforms-policy-1";

const PROVISIONS: [&str; 9] = [
    "strategic",
    "experience",
    "technology",
    "continuity",
    "satisfaction",
    "operations",
    "innovation",
    "services",
    "cloud",
];

fn rubric() -> Rubric {
    support::load_clean(RULES)
}

fn eval_file(r: &Rubric, entity: &str) -> EntityResult {
    support::eval_file(r, &format!("{EXAMPLES}/{entity}.json"))
}

/// Checks every provision (`(num, den)`, or `None` for N/A) and the entity.
fn check(entity: &str, provisions: [Option<(i64, i64)>; 9], total: (i64, i64)) {
    let r = rubric();
    let res = eval_file(&r, entity);
    for (id, want) in PROVISIONS.iter().zip(provisions) {
        let got = res.outcomes[r.model().by_id[*id]].score();
        match want {
            Some((n, d)) => assert_frac(got, n, d, &format!("{entity} {id}")),
            None => assert_eq!(got, None, "{entity} {id} should be N/A"),
        }
    }
    assert_frac(res.score(), total.0, total.1, entity);
}

#[test]
fn rubric_checks_clean() {
    let r = rubric();
    let m = r.model();
    assert_eq!(m.id, "sa.platforms_policy");
    assert_eq!(m.version, "1");
    let sizes: Vec<usize> = PROVISIONS
        .iter()
        .map(|p| m.criteria_under(m.by_id[*p]).len())
        .collect();
    assert_eq!(sizes, [2, 3, 3, 7, 3, 2, 2, 5, 1]);
    assert_eq!(m.criteria_under(0).len(), 28);
}

#[test]
fn municipal_services() {
    // CC | CCP | CCC | CCCPCCP | CCC | CP | PP | CCCCX | C
    // strategic 2/2 = 1; experience 2.5/3 = 5/6; technology 1;
    // continuity 6/7; satisfaction 1; operations 1.5/2 = 3/4;
    // innovation 1/2; services 4/4 = 1 (marketplace N/A, not yet launched);
    // cloud 1.
    // Sum = 5 + 5/6 + 6/7 + 3/4 + 1/2 = 5 + (70 + 72 + 63 + 42)/84
    //     = 5 + 247/84 = 667/84; mean over 9 = 667/756.
    check(
        "municipal-services",
        [
            Some((1, 1)),
            Some((5, 6)),
            Some((1, 1)),
            Some((6, 7)),
            Some((1, 1)),
            Some((3, 4)),
            Some((1, 2)),
            Some((1, 1)),
            Some((1, 1)),
        ],
        (667, 756),
    );
}

#[test]
fn health_records() {
    // CP | PPN | CPN | CPPNNPN | PNN | NN | XN | CCPNX | N
    // strategic 1.5/2 = 3/4; experience 1/3; technology 1.5/3 = 1/2;
    // continuity 2.5/7 = 5/14; satisfaction 0.5/3 = 1/6; operations 0;
    // innovation 0/1 = 0 (innovation.1 N/A, innovation.2 not complied: the
    // provision still counts, at 0); services 2.5/4 = 5/8; cloud 0.
    // Sum over 168: 126 + 56 + 84 + 60 + 28 + 0 + 0 + 105 + 0 = 459/168;
    // mean over 9 = 459/1512 = 17/56.
    check(
        "health-records",
        [
            Some((3, 4)),
            Some((1, 3)),
            Some((1, 2)),
            Some((5, 14)),
            Some((1, 6)),
            Some((0, 1)),
            Some((0, 1)),
            Some((5, 8)),
            Some((0, 1)),
        ],
        (17, 56),
    );
}

#[test]
fn transport_licensing_all_partial() {
    // Every obligation partial except services.3 (exempted by the Authority)
    // and services.5 (marketplace not launched), both N/A: every provision
    // is 1/2 (services 1.5/3), so the entity is 1/2. Were N/A counted as not
    // complied, services would be 1.5/5 = 3/10.
    check(
        "transport-licensing",
        [
            Some((1, 2)),
            Some((1, 2)),
            Some((1, 2)),
            Some((1, 2)),
            Some((1, 2)),
            Some((1, 2)),
            Some((1, 2)),
            Some((1, 2)),
            Some((1, 2)),
        ],
        (1, 2),
    );
    let r = rubric();
    let res = eval_file(&r, "transport-licensing");
    assert_eq!(res.outcomes[r.model().by_id["services.3"]].score(), None);
    // The services ratio counts 3 obligations, not 5.
    let sums = res.sums[r.model().by_id["services"]].unwrap();
    assert_eq!(sums, (Decimal::new(15, 1), Decimal::from(3)));
}

#[test]
fn platform_operator() {
    // CP | CCC | CCP | CCCCPPN | CCP | CC | CN | CCNXX | C
    // strategic 3/4; experience 1; technology 5/6; continuity 5/7;
    // satisfaction 5/6; operations 1; innovation 1/2; services 2/3 (GSN and
    // marketplace N/A); cloud 1.
    // Sum over 84: 63 + 84 + 70 + 60 + 70 + 84 + 42 + 56 + 84 = 613/84;
    // mean over 9 = 613/756.
    check(
        "platform-operator",
        [
            Some((3, 4)),
            Some((1, 1)),
            Some((5, 6)),
            Some((5, 7)),
            Some((5, 6)),
            Some((1, 1)),
            Some((1, 2)),
            Some((2, 3)),
            Some((1, 1)),
        ],
        (613, 756),
    );
}

#[test]
fn new_authority_provision_all_na_is_dropped() {
    // PN | NNN | NNN | NNNNNNN | NNN | NN | NN | CXXNX | X
    // strategic 0.5/2 = 1/4; six provisions at 0; services 1/2 (Nafath
    // complied, GSN not; payment, trust and marketplace N/A); cloud: its
    // single obligation N/A → the provision is N/A and leaves the mean.
    // Mean over 8 = (1/4 + 1/2) / 8 = 3/32 (over 9 it would be 1/12).
    check(
        "new-authority",
        [
            Some((1, 4)),
            Some((0, 1)),
            Some((0, 1)),
            Some((0, 1)),
            Some((0, 1)),
            Some((0, 1)),
            Some((0, 1)),
            Some((1, 2)),
            None,
        ],
        (3, 32),
    );
    let r = rubric();
    let res = eval_file(&r, "new-authority");
    // The root's mean counted 8 provisions.
    assert_eq!(res.sums[0].unwrap().1, Decimal::from(8));
}

#[test]
fn population_mean() {
    let r = rubric();
    let inputs = support::answer_inputs(&[EXAMPLES]);
    let b = r.evaluate_batch(inputs);
    assert_eq!(b.rejected, 0);
    assert_eq!(b.population.entities, 5);
    // Over 6048 = 2^5 · 3^3 · 7: 667/756 = 5336, 17/56 = 1836, 1/2 = 3024,
    // 613/756 = 4904, 3/32 = 567; sum 15667/6048; mean over 5 = 15667/30240.
    assert_frac(b.population.score, 15667, 30240, "population");
}

#[test]
fn unanswered_obligation_rejects_the_answer_set() {
    let r = rubric();
    // `missing error`: an answer set without cloud.1 is rejected (M0410),
    // never scored as not complied.
    let text = fs::read_to_string(format!("{EXAMPLES}/transport-licensing.json")).unwrap();
    let text = text.replace(r#", "cloud.1": "partial""#, "");
    assert!(!text.contains("cloud.1"));
    let err = r.evaluate_json("no-cloud.json", &text).unwrap_err();
    let codes: Vec<String> = err
        .iter()
        .map(|e| miette::Diagnostic::code(e).unwrap().to_string())
        .collect();
    assert_eq!(codes, ["M0410"]);
}
