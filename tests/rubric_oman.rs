//! Hand-computed scores of `rules/oman/dt-programme/2025.mizan` over the
//! answer sets in `examples/oman-dt-programme-2025/`.
//!
//! Rubric: 24 KPIs in 4 groups of 6. An answer is the measured value.
//! - higher is better: clamp(value / target, 0, 1);
//! - lower is better (ranks k02, k24): clamp((baseline - value) / (baseline -
//!   target), 0, 1), or, with no baseline, 1 when value <= target else
//!   target / value;
//! - `target none` (all of `capabilities`, k13-k18): N/A whatever the answer;
//! - `missing na`: an unanswered KPI is N/A.
//!
//! Group = mean of its KPIs, N/A excluded; programme = mean of the groups,
//! N/A excluded (so `capabilities`, all N/A, is left out).
//!
//! Targets (baselines): k01 100, k02 rank 20 (24), k03 80, k04 100, k05 80
//! (34), k06 72 (36) | k07 30, k08 100, k09 100 (39), k10 80, k11 100 (22),
//! k12 80 | k13-k18 none | k19 60, k20 3, k21 90, k22 100, k23 9 (3), k24
//! rank 25 (38).

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

mod support;

const RULES: &str = "rules/oman/dt-programme/2025.mizan";
const EXAMPLES: &str = "examples/oman-dt-programme-2025";

const GROUPS: [&str; 4] = ["excellence", "efficiency", "capabilities", "participation"];

/// An expected score.
#[derive(Clone, Copy)]
enum Want {
    /// A terminating decimal, compared exactly.
    Exact(&'static str),
    /// num/den, a repeating decimal, compared to 20 places.
    Frac(i64, i64),
    /// N/A.
    Na,
}
use Want::{Exact, Frac, Na};

fn load(text: &str) -> Rubric {
    let (r, d) = mizan::load("2025.mizan", text);
    assert!(d.errors.is_empty(), "{d:?}");
    // The only warnings: the six KPIs of group 3 have no target yet (M0311).
    assert_eq!(d.codes(), vec!["M0311"; 6], "{d:?}");
    r.unwrap()
}

fn rubric() -> Rubric {
    load(&fs::read_to_string(RULES).unwrap())
}

fn eval_file(r: &Rubric, entity: &str) -> EntityResult {
    support::eval_file(r, &format!("{EXAMPLES}/{entity}.json"))
}

fn assert_want(got: Option<Decimal>, want: Want, what: &str) {
    match want {
        Exact(s) => {
            let want: Decimal = s.parse().unwrap();
            assert_eq!(got, Some(want), "{what}");
        }
        Frac(num, den) => {
            let d = got.unwrap_or_else(|| panic!("{what}: N/A"));
            let diff = (d * Decimal::from(den) - Decimal::from(num)).abs();
            assert!(diff < Decimal::new(1, 20), "{what}: {d} is not {num}/{den}");
        }
        Na => assert_eq!(got, None, "{what} should be N/A"),
    }
}

/// Checks every KPI (k01 … k24 in order), every group and the programme.
fn check(r: &Rubric, entity: &str, kpis: [Want; 24], groups: [Want; 4], total: Want) {
    let res = eval_file(r, entity);
    for (i, want) in kpis.into_iter().enumerate() {
        let id = format!("k{:02}", i + 1);
        let got = res.outcomes[r.model().by_id[id.as_str()]].score();
        assert_want(got, want, &format!("{entity} {id}"));
    }
    for (id, want) in GROUPS.iter().zip(groups) {
        let got = res.outcomes[r.model().by_id[*id]].score();
        assert_want(got, want, &format!("{entity} {id}"));
    }
    assert_want(res.score(), total, entity);
}

#[test]
fn rule_file_has_24_kpis_and_only_target_warnings() {
    let r = rubric();
    for i in 1..=24 {
        assert!(r.model().by_id.contains_key(format!("k{i:02}").as_str()));
    }
    for g in GROUPS {
        assert!(r.model().by_id.contains_key(g));
    }
}

#[test]
fn mid_programme_2023() {
    let r = rubric();
    check(
        &r,
        "oman-2023",
        [
            // excellence
            Exact("0.6"),   // k01: 60 / 100 = 0.6
            Exact("0.5"),   // k02: rank, (24 - 22) / (24 - 20) = 2/4 = 0.5
            Exact("0.625"), // k03: 50 / 80 = 0.625
            Exact("0.45"),  // k04: 45 / 100 = 0.45
            Exact("0.65"),  // k05: 52 / 80 = 0.65 (baseline 34 not used)
            Exact("0.75"),  // k06: 54 / 72 = 0.75
            // efficiency
            Na,            // k07: not answered, `missing na`
            Exact("0"),    // k08: portal not launched, 0 / 100 = 0
            Exact("0.71"), // k09: 71 / 100 = 0.71
            Exact("0.6"),  // k10: 48 / 80 = 0.6
            Exact("0.55"), // k11: 55 / 100 = 0.55
            Exact("0.65"), // k12: 52 / 80 = 0.65
            // capabilities: `target none`, N/A even where answered (k13 35, k16 14)
            Na,
            Na,
            Na,
            Na,
            Na,
            Na,
            // participation
            Exact("1"),    // k19: 66 / 60 = 1.1, clamped to 1
            Frac(2, 3),    // k20: 2 / 3 tools
            Exact("0.8"),  // k21: 72 / 90 = 0.8
            Exact("0.85"), // k22: 85 / 100 = 0.85
            Frac(2, 3),    // k23: 6 / 9 = 2/3
            Exact("0"),    // k24: rank 41, (38 - 41) / (38 - 25) = -3/13, clamped to 0
        ],
        [
            // excellence: (0.6 + 0.5 + 0.625 + 0.45 + 0.65 + 0.75) / 6
            //   = 3.575 / 6 = 143/240 = 0.59583…
            Frac(143, 240),
            // efficiency: k07 excluded, (0 + 0.71 + 0.6 + 0.55 + 0.65) / 5
            //   = 2.51 / 5 = 0.502
            Exact("0.502"),
            // capabilities: every KPI N/A
            Na,
            // participation: (1 + 2/3 + 0.8 + 0.85 + 2/3 + 0) / 6
            //   = (2.65 + 4/3) / 6 = (239/60) / 6 = 239/360 = 0.66388…
            Frac(239, 360),
        ],
        // programme: capabilities excluded, (143/240 + 251/500 + 239/360) / 3
        //   = (10725 + 9036 + 11950) / 18000 / 3 = 31711/54000 = 0.58724…
        Frac(31711, 54000),
    );
}

#[test]
fn programme_end_2025() {
    let r = rubric();
    check(
        &r,
        "oman-2025",
        [
            // excellence
            Exact("1"),     // k01: 100 / 100 = 1
            Exact("1"),     // k02: rank 18, (24 - 18) / (24 - 20) = 1.5, clamped to 1
            Exact("0.95"),  // k03: 76 / 80 = 0.95
            Exact("0.92"),  // k04: 92 / 100 = 0.92
            Exact("1"),     // k05: 84 / 80 = 1.05, clamped to 1
            Exact("0.875"), // k06: 63 / 72 = 0.875
            // efficiency
            Exact("0.8"),   // k07: 24 / 30 = 0.8
            Exact("1"),     // k08: launched, 100 / 100 = 1
            Exact("0.96"),  // k09: 96 / 100 = 0.96
            Exact("1"),     // k10: 86 / 80 = 1.075, clamped to 1
            Exact("0.78"),  // k11: 78 / 100 = 0.78
            Exact("0.875"), // k12: 70 / 80 = 0.875
            // capabilities: all six answered, all N/A (`target none`)
            Na,
            Na,
            Na,
            Na,
            Na,
            Na,
            // participation
            Exact("1"),   // k19: 71 / 60 > 1, clamped to 1
            Exact("1"),   // k20: 4 / 3 tools > 1, clamped to 1
            Exact("0.9"), // k21: 81 / 90 = 0.9
            Exact("1"),   // k22: 100 / 100 = 1
            Frac(7, 9),   // k23: 7 / 9 partnerships (baseline 3 not used)
            Frac(8, 13),  // k24: rank 30, (38 - 30) / (38 - 25) = 8/13
        ],
        [
            // excellence: (1 + 1 + 0.95 + 0.92 + 1 + 0.875) / 6 = 5.745 / 6 = 0.9575
            Exact("0.9575"),
            // efficiency: (0.8 + 1 + 0.96 + 1 + 0.78 + 0.875) / 6 = 5.415 / 6 = 0.9025
            Exact("0.9025"),
            Na,
            // participation: (1 + 1 + 0.9 + 1 + 7/9 + 8/13) / 6
            //   = (39/10 + 163/117) / 6 = (6193/1170) / 6 = 6193/7020 = 0.88219…
            Frac(6193, 7020),
        ],
        // programme: (0.9575 + 0.9025 + 6193/7020) / 3 = (93/50 + 6193/7020) / 3
        //   = (65286 + 30965) / 35100 / 3 = 96251/105300 = 0.91406…
        Frac(96251, 105300),
    );
}

/// The no-baseline rank rule, on a copy of the rules where k02 has `baseline
/// none`: 1 when value <= target, else target / value.
#[test]
fn rank_without_baseline() {
    let text = fs::read_to_string(RULES).unwrap();
    assert!(text.contains("baseline 24\n"));
    let r = load(&text.replacen("baseline 24\n", "baseline none\n", 1));
    let k02 = r.model().by_id["k02"];
    // 2023: rank 22 > target 20, 20 / 22 = 10/11.
    assert_want(
        eval_file(&r, "oman-2023").outcomes[k02].score(),
        Frac(10, 11),
        "2023 k02",
    );
    // 2025: rank 18 <= target 20, 1.
    assert_want(
        eval_file(&r, "oman-2025").outcomes[k02].score(),
        Exact("1"),
        "2025 k02",
    );
}
