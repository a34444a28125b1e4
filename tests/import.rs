//! `mizan import` and `mizan eval --import`: spreadsheet and CSV answers,
//! wide and long layouts, and one test per import diagnostic code.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use support::{mizan, stderr, stdout};

mod support;

const SERVICES: &str = "examples/instances/services.mizan";

fn score_of(json: &str, entity: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == entity)
        .unwrap()["score"]
        .clone()
}

#[test]
fn wide_csv_with_instances_scores_like_the_json_answer_set() {
    let from_csv = mizan(&[
        "eval",
        "--format",
        "json",
        SERVICES,
        "--import",
        "examples/instances/import/services.import.toml",
        "examples/instances/import/",
    ]);
    assert_eq!(from_csv.status.code(), Some(0), "{}", stderr(&from_csv));
    let from_json = mizan(&[
        "eval",
        "--format",
        "json",
        SERVICES,
        "examples/instances/answers/",
    ]);
    // Hand-computed in tests/instances.rs: 7/10.
    assert_eq!(score_of(&stdout(&from_csv), "Alpha").to_string(), "0.7");
    assert_eq!(score_of(&stdout(&from_json), "alpha").to_string(), "0.7");
    let doc: serde_json::Value = serde_json::from_str(&stdout(&from_csv)).unwrap();
    let le = &doc["entities"][0]["instances"]["le"];
    assert_eq!(le[0]["key"], "Family | 2022");
    assert_eq!(le[0]["nodes"]["le.eid"].to_string(), "0.165");
    assert_eq!(le[1]["nodes"]["le.availability"].to_string(), "1");
}

#[test]
fn long_csv_answer_sets_snapshot_and_score() {
    let o = mizan(&[
        "import",
        "examples/demo/digital-readiness.mizan",
        "examples/demo/import/long.import.toml",
        "examples/demo/import/answers-long.csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("import_long_jsonl", stdout(&o));
    insta::assert_snapshot!("import_long_summary", stderr(&o));
    // The same answers as examples/demo/answers/moi.json: the same score.
    let a = mizan(&[
        "eval",
        "--format",
        "json",
        "examples/demo/digital-readiness.mizan",
        "--import",
        "examples/demo/import/long.import.toml",
        "examples/demo/import/answers-long.csv",
    ]);
    let b = mizan(&[
        "eval",
        "--format",
        "json",
        "examples/demo/digital-readiness.mizan",
        "examples/demo/answers/moi.json",
    ]);
    assert_eq!(score_of(&stdout(&a), "moi"), score_of(&stdout(&b), "moi"));
}

#[test]
fn import_output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("answers.jsonl");
    let o = mizan(&[
        "import",
        "examples/demo/digital-readiness.mizan",
        "examples/demo/import/long.import.toml",
        "examples/demo/import/answers-long.csv",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 1);
    // The file is an answer set `mizan eval` accepts.
    let e = mizan(&[
        "eval",
        "examples/demo/digital-readiness.mizan",
        out.to_str().unwrap(),
    ]);
    assert_eq!(e.status.code(), Some(0), "{}", stderr(&e));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}

#[test]
fn m0419_unmappable_cell_rejects_only_its_entity() {
    let o = mizan(&[
        "eval",
        SERVICES,
        "--import",
        "tests/import/bad.import.toml",
        "tests/import/services-ab.csv",
        "tests/import/bad-cells.csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!("import_m0419_stderr", stderr(&o));
    // Alpha is rejected; Beta (whose cells map) is evaluated.
    let out = stdout(&o);
    assert!(out.contains("Beta"), "{out}");
    assert!(!out.contains("Alpha"), "{out}");
}

#[test]
fn m0420_two_rows_disagree() {
    let o = mizan(&[
        "import",
        SERVICES,
        "tests/import/bad.import.toml",
        "tests/import/bad-services.csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!("import_m0420_stderr", stderr(&o));
}

#[test]
fn m0601_invalid_mapping() {
    let o = mizan(&[
        "import",
        SERVICES,
        "tests/import/syntax.import.toml",
        "tests/import/bad-cells.csv",
    ]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("import_m0601_stderr", stderr(&o));
}

#[test]
fn m0602_mapping_names_an_unknown_criterion() {
    let o = mizan(&[
        "import",
        SERVICES,
        "tests/import/unknown-criterion.import.toml",
        "tests/import/bad-cells.csv",
    ]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("import_m0602_stderr", stderr(&o));
}

#[test]
fn m0603_missing_sheet() {
    let o = mizan(&[
        "import",
        "rules/worldbank/doing-business/2020.mizan",
        "tests/import/missing-sheet.import.toml",
        "../shared/conformance/doing_business2020/Historical-data---COMPLETE-dataset-with-scores.xlsx",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("M0603"), "{err}");
    assert!(err.contains("no sheet `All data`"), "{err}");
    assert!(err.contains("did you mean `All Data`?"), "{err}");
}

#[test]
fn m0604_missing_column() {
    let o = mizan(&[
        "import",
        SERVICES,
        "tests/import/missing-column.import.toml",
        "tests/import/bad-cells.csv",
    ]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("import_m0604_stderr", stderr(&o));
}

#[test]
fn m0605_unreadable_input() {
    let o = mizan(&[
        "import",
        SERVICES,
        "examples/instances/import/services.import.toml",
        "tests/import/no-such-file.csv",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("M0605") && err.contains("no-such-file.csv: cannot read: no such file"),
        "{err}"
    );
    // A file that no table of the mapping reads is an error too, not skipped.
    let o = mizan(&[
        "import",
        SERVICES,
        "examples/instances/import/services.import.toml",
        "tests/import/bad-cells.csv",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no table of the mapping reads this file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn m0606_duplicate_column() {
    let o = mizan(&[
        "import",
        "examples/demo/digital-readiness.mizan",
        "examples/demo/import/long.import.toml",
        "tests/import/duplicate-column.csv",
    ]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("import_m0606_stderr", stderr(&o));
}
