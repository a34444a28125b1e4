//! Bands as published indices use them: several band sets on one node, and
//! a band set judged on the rounded score while ranking stays exact
//! (issue 15 §3).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use mizan::answers::Origin;
use rust_decimal::Decimal;
use std::str::FromStr;

mod support;

/// The OBI-like survey: categories on the score rounded to a whole
/// percentage (`obi`), and a second published scheme on the exact score.
const RUBRIC: &str = r#"
rubric demo.obi {
  version "1"
  bands obi {
    extensive   >= 0.81  ar "واسعة"  en "Extensive"
    substantial >= 0.61  ar "كبيرة"  en "Substantial"
    limited     >= 0.21  ar "محدودة" en "Limited"
    scant       >= 0     ar "ضئيلة"  en "Scant"
  }
  bands pass { passed >= 0.61  failed >= 0 }
  bands obi on round(score, 2)
  bands pass
  criterion q { number 0..1  score value  bands pass on round(score, 1) }
  population {
    rank
    bands pass on round(score, 0)
    bands obi
  }
}
"#;

fn rubric() -> mizan::Rubric {
    let (r, d) = mizan::load("obi.mizan", RUBRIC);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    r.unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn band_of(r: &mizan::Rubric, set: &str, score: &str) -> Option<String> {
    let m = r.model();
    let u = m.root().bands.iter().find(|u| u.set == set).unwrap();
    m.band_in(u, d(score)).map(|b| b.id.clone())
}

#[test]
fn the_band_is_judged_on_the_rounded_score_at_every_boundary() {
    let r = rubric();
    // Each threshold t: just below t - 0.005 stays below, t - 0.005 rounds
    // up to t (half away from zero) and reaches the band.
    for (t, below, at) in [
        ("0.81", "substantial", "extensive"),
        ("0.61", "limited", "substantial"),
        ("0.21", "scant", "limited"),
    ] {
        let half = d(t) - d("0.005");
        let under = half - d("0.0000001");
        assert_eq!(
            band_of(&r, "obi", &under.to_string()).as_deref(),
            Some(below),
            "{under}"
        );
        assert_eq!(
            band_of(&r, "obi", &half.to_string()).as_deref(),
            Some(at),
            "{half}"
        );
        // The exact scheme (`pass` has no rounding) keeps the exact value.
        assert_eq!(band_of(&r, "obi", t).as_deref(), Some(at));
    }
    // `pass` is judged on the exact score: 0.6099 fails, 0.61 passes.
    assert_eq!(band_of(&r, "pass", "0.6099").as_deref(), Some("failed"));
    assert_eq!(band_of(&r, "pass", "0.61").as_deref(), Some("passed"));
    // The headline band is the first set's.
    let m = r.model();
    assert_eq!(m.band(&m.root().bands, d("0.2049")).unwrap().id, "scant");
    assert_eq!(m.band(&m.root().bands, d("0.205")).unwrap().id, "limited");
    let all: Vec<(String, Option<String>)> = m
        .bands(&m.root().bands, d("0.605"))
        .into_iter()
        .map(|(s, b)| (s.to_string(), b.map(|b| b.id.clone())))
        .collect();
    assert_eq!(
        all,
        vec![
            ("obi".into(), Some("substantial".into())),
            ("pass".into(), Some("failed".into()))
        ]
    );
}

#[test]
fn node_and_population_bands_are_judged_on_their_own_rounding() {
    let r = rubric();
    let m = r.model();
    let q = &m.nodes[m.by_id["q"]];
    // round(score, 1): 0.55 → 0.6 (failed: below 0.61), 0.61 → 0.6 too.
    assert_eq!(m.band(&q.bands, d("0.61")).unwrap().id, "failed");
    assert_eq!(m.band(&q.bands, d("0.65")).unwrap().id, "passed");
    // The population: `pass` on round(score, 0): 0.5 → 1 (passed).
    assert_eq!(m.band(&m.population.bands, d("0.5")).unwrap().id, "passed");
    assert_eq!(m.band(&m.population.bands, d("0.49")).unwrap().id, "failed");
    assert_eq!(m.population.bands[1].set, "obi");
}

#[test]
fn ranking_stays_on_the_exact_score() {
    let r = rubric();
    // 0.2049 and 0.2001 both print as 20% and are both `scant`; 0.205
    // prints as 21% (`limited`). Ranks follow the exact scores.
    let inputs: Vec<(Origin, String)> = [("a", "0.2049"), ("b", "0.2001"), ("c", "0.205")]
        .iter()
        .map(|(id, q)| {
            (
                Origin {
                    file: format!("{id}.json"),
                    line: None,
                },
                format!(
                    r#"{{"rubric": "demo.obi", "version": "1", "entity": {{"id": "{id}"}}, "answers": {{"q": {q}}}}}"#
                ),
            )
        })
        .collect();
    let b = r.evaluate_batch(inputs);
    let got: Vec<(String, Option<usize>, String)> = b
        .results
        .iter()
        .zip(&b.ranks)
        .map(|(e, rank)| {
            let m = r.model();
            let band = m.band(&m.root().bands, e.score().unwrap()).unwrap().id.clone();
            (e.submission.entity.clone(), *rank, band)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("a".into(), Some(2), "scant".into()),
            ("b".into(), Some(3), "scant".into()),
            ("c".into(), Some(1), "limited".into()),
        ]
    );
}

#[test]
fn only_score_or_round_of_score_is_accepted() {
    for (on, ok) in [
        ("score", true),
        ("round(score, 0)", true),
        ("round(score, 28)", true),
        ("round(score, 2.0)", true),
        ("round(score, 29)", false),
        ("round(score, -1)", false),
        ("round(score, 1.5)", false),
        ("round(score)", false),
        ("round(q, 2)", false),
        ("floor(score)", false),
        ("score * 100", false),
        ("q", false),
    ] {
        let text = format!(
            "rubric demo.t {{ version \"1\" bands g {{ a >= 0.5 b >= 0 }} bands g on {on} criterion q {{ yesno }} }}"
        );
        let (_, diags) = mizan::load("t.mizan", &text);
        let codes: Vec<String> = diags
            .errors
            .iter()
            .filter_map(|e| miette::Diagnostic::code(e.as_ref()).map(|c| c.to_string()))
            .collect();
        if ok {
            assert!(codes.is_empty(), "`{on}`: {codes:?}");
        } else {
            assert_eq!(codes, vec!["M0325".to_string()], "`{on}`");
        }
    }
}

#[test]
fn the_same_band_set_twice_is_m0213_on_every_kind_of_node() {
    for place in ["ROOT", "group", "criterion", "population"] {
        let twice = "bands g  bands g on round(score, 2)";
        let (root, group, crit, pop) = match place {
            "ROOT" => (twice, "", "", ""),
            "group" => ("", twice, "", ""),
            "criterion" => ("", "", twice, ""),
            _ => ("", "", "", twice),
        };
        let text = format!(
            "rubric demo.t {{ version \"1\" bands g {{ a >= 0.5 b >= 0 }} {root} group x {{ {group} criterion q {{ yesno {crit} }} }} population {{ {pop} }} }}"
        );
        let (_, diags) = mizan::load("t.mizan", &text);
        let codes: Vec<String> = diags
            .errors
            .iter()
            .filter_map(|e| miette::Diagnostic::code(e.as_ref()).map(|c| c.to_string()))
            .collect();
        assert_eq!(codes, vec!["M0213".to_string()], "{place}");
    }
}

#[test]
fn rule_tests_name_a_band_set() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("obi.mizan"), RUBRIC).unwrap();
    std::fs::write(
        dir.path().join("obi.test.mizan"),
        r#"tests demo.obi {
  version "1"
  case "rounded up into limited" {
    answer q = 0.205
    expect band = limited
    expect band obi = limited
    expect band pass = failed
    expect q band = failed
    expect q band pass = failed
  }
  case "a wrong expectation on the second set fails" {
    answer q = 0.205
    expect band pass = passed
  }
}
"#,
    )
    .unwrap();
    let out = support::mizan(&["test", dir.path().to_str().unwrap()]);
    let text = format!("{}{}", support::stdout(&out), support::stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("1 passed, 1 failed"), "{text}");
    assert!(text.contains("band pass"), "{text}");
    // An unknown set is a located problem of the test file, with a hint.
    std::fs::write(
        dir.path().join("obi.test.mizan"),
        "tests demo.obi { version \"1\" case \"x\" { answer q = 0.2 expect band pas = failed } }",
    )
    .unwrap();
    let out = support::mizan(&["test", dir.path().to_str().unwrap()]);
    let text = format!("{}{}", support::stdout(&out), support::stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("no band set `pas`"), "{text}");
    assert!(text.contains("pass"), "{text}");
}

#[test]
fn fmt_keeps_band_uses_and_their_rounding() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("obi.mizan");
    std::fs::write(&f, RUBRIC).unwrap();
    let out = support::mizan(&["fmt", f.to_str().unwrap()]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(text.contains("bands obi on round(score, 2)\n"), "{text}");
    assert!(text.contains("bands pass\n"), "{text}");
    let (r, d) = mizan::load("obi.mizan", &text);
    assert!(d.errors.is_empty());
    let r = r.unwrap();
    assert_eq!(
        r.model().root().bands,
        rubric()
            .model()
            .root()
            .bands
            .clone()
            .into_iter()
            .map(|mut u| {
                // Locations differ after formatting; compare what they mean.
                u.loc = r
                    .model()
                    .root()
                    .bands
                    .iter()
                    .find(|x| x.set == u.set)
                    .unwrap()
                    .loc
                    .clone();
                u
            })
            .collect::<Vec<_>>()
    );
}
