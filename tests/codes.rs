//! Coded answers on number criteria (issue 22 §5): `codes { ID VALUE|n/a|missing
//! [TEXT] … }`, read by every reader, shown by name, counted by coverage.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

mod support;

use miette::Diagnostic;

const RULES: &str = r#"rubric demo.k {
  version "1"
  criterion share {
    number 0..100
    score value / 100
    missing na
    codes { not_tracking 0 ar "لا يتم التتبع" en "Not tracking"  pending n/a ar "البيانات قيد الإعداد" en "Data pending"  not_provided missing }
  }
  criterion other { number 0..1  score value }
}
"#;

fn rubric(text: &str) -> mizan::Rubric {
    let (r, d) = mizan::load("k.mizan", text);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    r.unwrap()
}

fn set(answers: &str) -> String {
    format!(r#"{{"rubric": "demo.k", "version": "1", "entity": {{"id": "e"}}, "answers": {answers}}}"#)
}

#[test]
fn a_code_maps_to_a_value_na_or_missing() {
    let r = rubric(RULES);
    let score = |a: &str| {
        r.evaluate_json("t.json", &set(a))
            .unwrap()
            .score()
            .map(|d| d.normalize())
    };
    // not_tracking = 0: share 0, other 1 → mean 0.5.
    assert_eq!(
        score(r#"{"share": "not_tracking", "other": 1}"#)
            .unwrap()
            .to_string(),
        "0.5"
    );
    // pending = N/A: share leaves the mean.
    assert_eq!(
        score(r#"{"share": "pending", "other": 1}"#).unwrap().to_string(),
        "1"
    );
    // not_provided = missing, under `missing na`: N/A too.
    assert_eq!(
        score(r#"{"share": "not_provided", "other": 1}"#)
            .unwrap()
            .to_string(),
        "1"
    );
    // Missing under `missing error` is M0410.
    let strict = rubric(&RULES.replace("    missing na\n", ""));
    let e = strict
        .evaluate_json("t.json", &set(r#"{"share": "not_provided", "other": 1}"#))
        .unwrap_err();
    assert_eq!(e[0].code().unwrap().to_string(), "M0410");
}

#[test]
fn explain_names_the_code() {
    let r = rubric(RULES);
    let res = r
        .evaluate_json("t.json", &set(r#"{"share": "pending", "other": 1}"#))
        .unwrap();
    let out = mizan::render::explain::render(r.model(), &res);
    assert!(out.contains("answered `pending` “Data pending” (N/A)"), "{out}");
    let ar = mizan::render::explain::render_in(r.model(), &res, mizan::render::Lang::Ar);
    assert!(ar.contains("البيانات قيد الإعداد"), "{ar}");
}

#[test]
fn an_unknown_code_is_m0427_with_did_you_mean() {
    let r = rubric(RULES);
    let e = r
        .evaluate_json("t.json", &set(r#"{"share": "pendng", "other": 1}"#))
        .unwrap_err();
    assert_eq!(e[0].code().unwrap().to_string(), "M0427");
    assert_eq!(e[0].pointer, "/answers/share");
    assert!(e[0].help().unwrap().to_string().contains("pending"), "{e:?}");
    // A number criterion without codes still refuses strings (M0407).
    let e = r
        .evaluate_json("t.json", &set(r#"{"share": 1, "other": "x"}"#))
        .unwrap_err();
    assert_eq!(e[0].code().unwrap().to_string(), "M0407");
}

#[test]
fn every_path_gives_the_same_bytes() {
    let r = rubric(RULES);
    for a in [
        r#"{"share": "not_tracking", "other": 1}"#,
        r#"{"share": "pending", "other": 0.5}"#,
        r#"{"share": "not_provided", "other": 0.5}"#,
        r#"{"share": 42, "other": 0.5}"#,
        r#"{"share": "pendng", "other": 0.5}"#,
        r#"{"share": "na", "other": 0.5}"#,
    ] {
        support::same_on_every_path(&r, &set(a));
    }
}

#[test]
fn fmt_diff_and_coverage() {
    let once = mizan::fmt::format("k.mizan", RULES).unwrap();
    assert_eq!(mizan::fmt::format("k.mizan", &once).unwrap(), once);
    assert!(once.contains("codes {  not_tracking 0 ar"), "{once}");
    let old = rubric(RULES);
    let new = rubric(&RULES.replace("pending n/a", "pending missing"));
    let d = mizan::diff::diff(old.model(), new.model());
    assert_eq!(d.changes.len(), 1, "{:?}", d.changes);
    assert!(
        d.changes[0].after.as_deref().unwrap().contains("pending missing"),
        "{:?}",
        d.changes
    );
    // Codes in the wrong place.
    let (_, diags) = mizan::load(
        "k.mizan",
        "rubric demo.k { version \"1\"\n criterion c { yesno  codes { a 0 } } }",
    );
    let codes: Vec<String> = diags
        .errors
        .iter()
        .filter_map(|e| e.code().map(|c| c.to_string()))
        .collect();
    assert_eq!(codes, ["M0212"]);
    let (_, diags) = mizan::load(
        "k.mizan",
        "rubric demo.k { version \"1\"\n criterion c { number 0..1  score value  codes { a 0  a n/a } } }",
    );
    let codes: Vec<String> = diags
        .errors
        .iter()
        .filter_map(|e| e.code().map(|c| c.to_string()))
        .collect();
    assert_eq!(codes, ["M0201"]);
}

#[test]
fn import_cells_take_a_code_by_id_or_label() {
    let r = rubric(RULES);
    let dir = std::env::temp_dir().join(format!("mizan-codes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("answers.csv");
    std::fs::write(
        &csv,
        "entity,question,answer\na,share,Data pending\na,other,1\nb,share,not_tracking\nb,other,1\nc,share,40\nc,other,1\n",
    )
    .unwrap();
    let mapping = mizan::import::parse_mapping(
        "m.import.toml",
        r#"rubric = "demo.k"
version = "1"
[[table]]
layout = "long"
entity = "entity"
criterion = "question"
answer = "answer"
"#,
    )
    .unwrap();
    let imported = r.import(&mapping, &[csv]).unwrap();
    let batch = r.evaluate_imported(imported, "answers.csv");
    std::fs::remove_dir_all(&dir).ok();
    assert!(batch.errors.is_empty(), "{:?}", batch.errors);
    let scores: Vec<String> = batch
        .results
        .iter()
        .map(|e| format!("{} {}", e.submission.entity, e.score().unwrap().normalize()))
        .collect();
    assert_eq!(scores, ["a 1", "b 0.5", "c 0.7"]);
}
