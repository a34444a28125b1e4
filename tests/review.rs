//! The review workflow: `mizan diff` between two versions of the UAE 2018
//! rubric (fixtures in `tests/review/rules/uae/integration/`: 2019 adds
//! fednet.1.4, renumbers 2018's fednet.1.4 to fednet.1.5 with `renamed`,
//! raises fednet.1.2's `partial` from 0.5 to 0.75 and moves the `high`
//! band from 0.8 to 0.75), and its score impact on the UAE examples.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::fs;

use mizan::answers::Origin;
use rust_decimal::Decimal;
use support::mizan;

mod support;

const V1: &str = "tests/review/rules/uae/integration/2018.mizan";
const V2: &str = "tests/review/rules/uae/integration/2019.mizan";
const ANSWERS: &str = "examples/uae-integration-2018";

fn load(path: &str) -> mizan::Rubric {
    let (r, d) = mizan::load(path, &fs::read_to_string(path).unwrap());
    assert!(d.is_empty(), "{d:?}");
    r.unwrap()
}

#[test]
fn diff_in_three_formats() {
    for (fmt, name) in [
        ("human", "review_diff_text"),
        ("markdown", "review_diff_markdown"),
        ("json", "review_diff_json"),
    ] {
        let o = mizan(&["--format", fmt, "diff", V1, V2, "--answers", ANSWERS]);
        assert_eq!(o.status.code(), Some(1), "semantic changes exit 1");
        insta::assert_snapshot!(name, String::from_utf8(o.stdout).unwrap());
    }
}

#[test]
fn the_four_changes_and_nothing_else() {
    let d = mizan::diff::diff(load(V1).model(), load(V2).model());
    let kinds: Vec<(&str, &str)> = d.changes.iter().map(|c| (c.kind, c.subject.as_str())).collect();
    assert_eq!(
        kinds,
        [
            ("band threshold", "bands grades: high"),
            ("node renamed", "fednet.1.5"),
            ("option weight", "fednet.1.2: partial"),
            ("node added", "fednet.1.4"),
        ]
    );
}

#[test]
fn formatting_alone_is_no_change() {
    let text = fs::read_to_string(V1).unwrap();
    let messy = text
        .replace("  ", "    ")
        .replace("choice yes_partial_no_na", "choice   yes_partial_no_na");
    let formatted = mizan::fmt::format("x.mizan", &messy).unwrap();
    let (a, _) = mizan::load("a", &text);
    let (b, _) = mizan::load("b", &messy);
    let (c, _) = mizan::load("c", &formatted);
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert!(mizan::diff::diff(a.model(), b.model()).changes.is_empty());
    assert!(mizan::diff::diff(a.model(), c.model()).changes.is_empty());
    let o = mizan(&["diff", V1, V1]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn errors_exit_2() {
    let o = mizan(&["diff", V1, "tests/review/no-such.mizan"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Hand-computed (see EXPECTED.md for each entity's FedNet achieved/target):
/// 2019 FedNet = (achieved + 0.25 if fednet.1.2 is `partial`) / (target + 1),
/// the new fednet.1.4 counting as `no` (0); the entity result is the mean of
/// its initiatives (6, or 5 for fcsa, whose SmartPass is N/A), so its delta
/// is the FedNet delta over 6 (or 5).
#[test]
fn score_impact_deltas_by_hand() {
    let (v1, v2) = (load(V1), load(V2));
    let mut inputs = Vec::new();
    for e in fs::read_dir(ANSWERS).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            inputs.push((
                Origin {
                    file: p.display().to_string(),
                    line: None,
                },
                fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    inputs.sort_by(|a, b| a.0.file.cmp(&b.0.file));
    let impact = mizan::diff::impact(&v1, &v2, &inputs);
    let expected: [(&str, i64, i64); 12] = [
        // entity, delta = num/den
        ("fcsa", -1, 24),    // 5/2 of 3 -> 5/2 of 4 (1.2 yes), over 5 initiatives
        ("ica", -1, 30),     // 4/4 -> 4/5
        ("moi", -1, 30),     // 4/4 -> 4/5
        ("mofaic", -7, 240), // 7/2 of 4 -> 7/2 of 5
        ("mof", -1, 40),     // 3/4 -> 3/5
        ("moec", -1, 48),    // 7/2 of 4 -> 15/4 of 5 (1.2 partial)
        ("mohre", -1, 48),   // 7/2 of 4 -> 15/4 of 5 (1.2 partial)
        ("fahr", -1, 60),    // 2/4 -> 2/5
        ("moccae", -1, 60),  // 2/4 -> 2/5
        ("moe", -1, 60),     // 3/4 -> 13/4 of 5 (1.2 partial)
        ("gpssa", -1, 80),   // 3/2 of 4 -> 3/2 of 5
        ("mohap", -1, 80),   // 5/2 of 4 -> 11/4 of 5 (1.2 partial)
    ];
    let got: Vec<&str> = impact.entities.iter().map(|e| e.entity.as_str()).collect();
    let want: Vec<&str> = expected.iter().map(|(e, _, _)| *e).collect();
    assert_eq!(got, want, "sorted by the size of the change");
    for (e, num, den) in expected {
        let d = impact
            .entities
            .iter()
            .find(|x| x.entity == e)
            .unwrap()
            .delta
            .unwrap();
        assert!(
            (d * Decimal::from(den) - Decimal::from(num)).abs() < Decimal::new(1, 20),
            "{e}: {d} is not {num}/{den}"
        );
    }
    // fahr: 41716249/68640000 = 0.6078 (medium) falls to 0.5911 (low).
    let fahr = impact.entities.iter().find(|x| x.entity == "fahr").unwrap();
    assert_eq!(
        (fahr.band_before.as_deref(), fahr.band_after.as_deref()),
        (Some("medium"), Some("low"))
    );
    // Government result: 27683014949/39312000000 before; the mean of the deltas after.
    let before = impact.population_before.unwrap();
    assert!(
        (before * Decimal::from(39_312_000_000_i64) - Decimal::from(27_683_014_949_i64)).abs()
            < Decimal::new(1, 15)
    );
    // The invalid example is rejected by both versions, with its reasons.
    assert_eq!(impact.validity.iter().filter(|v| v.entity == "moj").count(), 2);
}

fn rules_copy(version_file: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("rules/uae/integration");
    fs::create_dir_all(&d).unwrap();
    fs::copy("rules/uae/integration/2018.mizan", d.join(version_file)).unwrap();
    dir
}

#[test]
fn m0218_declared_version_disagrees_with_the_path() {
    let dir = rules_copy("2019.mizan");
    let rules = dir.path().join("rules");
    let o = mizan(&["check", rules.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("M0218") && err.contains("version `2018` does not match"),
        "{err}"
    );
    let ok = rules_copy("2018.mizan");
    let o = mizan(&["check", ok.path().join("rules").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn m0219_a_locked_cycle_must_not_change() {
    let dir = rules_copy("2018.mizan");
    let rules = dir.path().join("rules");
    let file = rules.join("uae/integration/2018.mizan");
    let o = mizan(&["lock", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let lock = fs::read_to_string(rules.join("mizan.lock")).unwrap();
    assert!(
        lock.contains("rubric = \"uae.integration\"") && lock.contains("version = \"2018\""),
        "{lock}"
    );
    assert_eq!(mizan(&["check", rules.to_str().unwrap()]).status.code(), Some(0));
    // A silent change of a published cycle: a weight edited.
    let text = fs::read_to_string(&file)
        .unwrap()
        .replacen("partial 0.5", "partial 0.6", 1);
    fs::write(&file, text).unwrap();
    let o = mizan(&["check", rules.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("M0219") && err.contains("uae.integration 2018 is locked"),
        "{err}"
    );
}

#[test]
fn m0421_eval_with_a_rules_directory_picks_each_answer_sets_version() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        "examples/uae-integration-2018/moi.json",
        dir.path().join("moi.json"),
    )
    .unwrap();
    fs::copy(
        "examples/doing-business-2020/nzl.json",
        dir.path().join("nzl.json"),
    )
    .unwrap();
    let old = fs::read_to_string("examples/uae-integration-2018/ica.json")
        .unwrap()
        .replace("\"2018\"", "\"2017\"");
    fs::write(dir.path().join("ica-2017.json"), old).unwrap();
    let o = mizan(&[
        "--format",
        "json",
        "eval",
        "--rules",
        "rules",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "one answer set names an unknown version"
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let batches = v["batches"].as_array().unwrap();
    let ids: Vec<(&str, &str)> = batches
        .iter()
        .map(|b| {
            (
                b["rubric"]["id"].as_str().unwrap(),
                b["entities"][0]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [("uae.integration", "moi"), ("worldbank.doing_business", "nzl")]
    );
    // Provenance on every result: id, version, sha256, Mizan version.
    for b in batches {
        assert_eq!(b["rubric"]["sha256"].as_str().unwrap().len(), 64);
        assert!(b["rubric"]["mizan"].is_string());
    }
    let err = &v["errors"][0];
    assert_eq!(err["code"], "M0421");
    assert_eq!(err["pointer"], "/version");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("`uae.integration` version `2017`"));
}
