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

// ---- Transforms: encodings, fractions, criterion templates, `where`
// expressions, the capped problem report (docs/import.md#transforms).

const TRANSFORMS_RULES: &str = r#"rubric t.imp {
  version "1"
  criterion share.2022 { number 0..1  score value }
  criterion share.2023 { number 0..1  score value }
  criterion ok { choice { yes 1 no 0 } }
}
"#;

/// Writes the test rubric, a mapping (`rubric`/`version` prepended) and
/// an input of raw bytes into a temporary directory; runs `mizan import`
/// with `extra` arguments.
fn import_bytes(mapping: &str, input: &[u8], extra: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("t.mizan");
    std::fs::write(&rules, TRANSFORMS_RULES).unwrap();
    let map = dir.path().join("t.import.toml");
    std::fs::write(&map, format!("rubric = \"t.imp\"\nversion = \"1\"\n{mapping}")).unwrap();
    let csv = dir.path().join("in.csv");
    std::fs::write(&csv, input).unwrap();
    let mut args = vec![
        "import",
        rules.to_str().unwrap(),
        map.to_str().unwrap(),
        csv.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    mizan(&args)
}

fn lines(o: &std::process::Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const ARABIC_MAPPING: &str = r#"
[values]
yes = ["نعم"]
no = ["لا"]

[[table]]
encoding = "windows-1256"
entity = "entity"
name = "name"
answers = { ok = "ok" }
"#;

#[test]
fn windows_1256_arabic_csv_is_decoded() {
    let text = "entity,name,ok\nmoi,وزارة الداخلية,نعم\nmoh,وزارة الصحة,لا\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1256.encode(text);
    assert!(!unmappable);
    // Real Windows-1256 bytes: نعم is E4 DA E3, one byte a letter.
    assert!(bytes.windows(3).any(|w| w == [0xE4, 0xDA, 0xE3]));
    assert!(std::str::from_utf8(&bytes).is_err());
    let o = import_bytes(ARABIC_MAPPING, &bytes, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let sets = lines(&o);
    assert_eq!(sets[0]["entity"]["id"], "moh");
    assert_eq!(sets[0]["entity"]["name"], "وزارة الصحة");
    assert_eq!(sets[0]["answers"]["ok"], "no");
    assert_eq!(sets[1]["entity"]["name"], "وزارة الداخلية");
    assert_eq!(sets[1]["answers"]["ok"], "yes");
}

#[test]
fn latin_1_and_utf_16_csv_are_decoded() {
    let text = "entity,name,ok\nci,Côte d'Ivoire,yes\n";
    let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(latin1.contains(&0xF4), "ô is one byte, F4");
    let mapping = |enc: &str| {
        format!("[[table]]\nencoding = \"{enc}\"\nentity = \"entity\"\nname = \"name\"\nanswers = {{ ok = \"ok\" }}\n")
    };
    for enc in ["latin-1", "iso-8859-1", "windows-1252"] {
        let o = import_bytes(&mapping(enc), &latin1, &[]);
        assert_eq!(o.status.code(), Some(0), "{enc}: {}", stderr(&o));
        assert_eq!(lines(&o)[0]["entity"]["name"], "Côte d'Ivoire", "{enc}");
    }
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let mut utf8_bom = b"\xEF\xBB\xBF".to_vec();
    utf8_bom.extend(text.as_bytes());
    for (enc, bytes) in [
        ("utf-16", &le),
        ("utf-16", &be),
        ("auto", &le),
        ("auto", &be),
        ("auto", &utf8_bom),
        ("utf-8", &utf8_bom),
        ("auto", &text.as_bytes().to_vec()),
    ] {
        let o = import_bytes(&mapping(enc), bytes, &[]);
        assert_eq!(o.status.code(), Some(0), "{enc}: {}", stderr(&o));
        assert_eq!(lines(&o)[0]["entity"]["name"], "Côte d'Ivoire", "{enc}");
    }
}

#[test]
fn m0607_csv_not_valid_in_its_declared_encoding() {
    // A Latin-1 file declared UTF-8: `ô` (F4) is byte 19, on line 2.
    let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode("entity,name,ok\nci,Côte d'Ivoire,yes\n");
    let m =
        "[[table]]\nencoding = \"utf-8\"\nentity = \"entity\"\nname = \"name\"\nanswers = { ok = \"ok\" }\n";
    let o = import_bytes(m, &latin1, &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("M0607"), "{err}");
    assert!(
        err.contains("byte 19 (line 2) is not valid utf-8: the byte sequence F4"),
        "{err}"
    );
    // UTF-16 declared, no byte order mark: byte 0.
    let o = import_bytes(&m.replace("utf-8", "utf-16"), b"entity,ok\nx,yes\n", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("byte 0 (line 1) is not valid utf-16"),
        "{}",
        stderr(&o)
    );
    // An unknown encoding is a mapping error (M0601).
    let o = import_bytes(&m.replace("utf-8", "ebcdic"), b"entity,ok\nx,yes\n", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("M0601"), "{}", stderr(&o));
}

const LONG_MAPPING: &str = r#"
[[table]]
layout = "long"
entity = "entity"
criterion = "{measure}.{year}"
answer = "value"
fractions = true
where = "status == 'final' and year in (2022, 2023.0) and not (entity == 'skip')"
"#;

#[test]
fn fractions_templates_and_where_expressions() {
    let csv = "entity,measure,year,value,status\n\
               moi,share,2022,3/7,final\n\
               moi,share,2023, 1 / 2 ,final\n\
               moi,share,2024,9/9,draft\n\
               moi,share,2021,1,final\n\
               skip,share,2022,1/2,final\n\
               moh,share,2022,3/0,final\n\
               moe,share,2022,a/b,final\n";
    let o = import_bytes(LONG_MAPPING, csv.as_bytes(), &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let sets = lines(&o);
    assert_eq!(sets.len(), 1, "moh and moe are not written: {err}");
    assert_eq!(sets[0]["entity"]["id"], "moi");
    // 3/7 exactly, to the 28 digits of Mizan's decimals.
    assert_eq!(
        sets[0]["answers"]["share.2022"].to_string(),
        "0.4285714285714285714285714286"
    );
    assert_eq!(sets[0]["answers"]["share.2023"].to_string(), "0.5");
    assert!(
        err.contains("error[M0419]: cannot map `3/0`: expected a fraction whose denominator is not 0"),
        "{err}"
    );
    assert!(
        err.contains("error[M0419]: cannot map `a/b`: expected a fraction of two numbers, such as 3/7"),
        "{err}"
    );
    assert!(err.contains("row 7, column D `value`"), "{err}");
    assert!(err.contains("from 7 rows (3 left out by `where`)"), "{err}");
    // Without `fractions`, `3/7` is not a number.
    let o = import_bytes(&LONG_MAPPING.replace("fractions = true", ""), csv.as_bytes(), &[]);
    assert!(
        stderr(&o).contains("cannot map `3/7`: expected a number for `share.2022`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn where_and_criterion_template_errors_are_located_in_the_mapping() {
    let o = import_bytes(
        &LONG_MAPPING.replace("status == 'final'", "status = = 'final'"),
        b"x\n",
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("M0601") && err.contains("`where`: expected a column or a value (at character 10)"),
        "{err}"
    );
    let o = import_bytes(
        &LONG_MAPPING.replace("{measure}.{year}", "{measure.{year}"),
        b"x\n",
        &[],
    );
    assert!(
        stderr(&o).contains("`criterion`: a `{` is not closed by `}`"),
        "{}",
        stderr(&o)
    );
    // A column the expression names must be in the header (M0604).
    let o = import_bytes(
        &LONG_MAPPING.replace("status ==", "Status2 =="),
        b"entity,measure,year,value,status\n",
        &[],
    );
    assert!(
        stderr(&o).contains("M0604") && stderr(&o).contains("no column `Status2`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_problem_report_is_capped_with_a_count_per_code() {
    let mut csv = String::from("entity,measure,year,value,status\n");
    for i in 0..25 {
        csv.push_str(&format!("e{i:02},share,2022,x/y,final\n"));
    }
    for i in 0..6 {
        csv.push_str(&format!("c{i},share,2022,1,final\nc{i},share,2022,0,final\n"));
    }
    let o = import_bytes(LONG_MAPPING, csv.as_bytes(), &["--max-problems", "5"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.matches("error[M0419]").count(), 5, "{err}");
    assert!(err.contains("… and 26 more: M0419 × 20, M0420 × 6"), "{err}");
    // The default is 20.
    let o = import_bytes(LONG_MAPPING, csv.as_bytes(), &[]);
    assert!(
        stderr(&o).contains("… and 11 more: M0419 × 5, M0420 × 6"),
        "{}",
        stderr(&o)
    );
    // In Arabic.
    let o = import_bytes(LONG_MAPPING, csv.as_bytes(), &["--lang", "ar"]);
    assert!(
        stderr(&o).contains("… و 11 أخرى: M0419 × 5, M0420 × 6"),
        "{}",
        stderr(&o)
    );
    // JSON: every problem, and the counts.
    let o = import_bytes(LONG_MAPPING, csv.as_bytes(), &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(stderr(&o).lines().next().unwrap()).unwrap();
    assert_eq!(doc["problems"].as_array().unwrap().len(), 31);
    assert_eq!(doc["counts"]["M0419"], 25);
    assert_eq!(doc["counts"]["M0420"], 6);
}

#[test]
fn eval_import_caps_the_problems_it_prints() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("t.mizan");
    std::fs::write(&rules, TRANSFORMS_RULES).unwrap();
    let map = dir.path().join("t.import.toml");
    std::fs::write(
        &map,
        format!("rubric = \"t.imp\"\nversion = \"1\"\n{LONG_MAPPING}"),
    )
    .unwrap();
    let csv = dir.path().join("in.csv");
    let mut text = String::from("entity,measure,year,value,status\n");
    for i in 0..8 {
        text.push_str(&format!("e{i},share,2022,x/y,final\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let (r, m, c) = (
        rules.to_str().unwrap(),
        map.to_str().unwrap(),
        csv.to_str().unwrap(),
    );
    let o = mizan(&["eval", r, "--import", m, c, "--max-problems", "3"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.matches("error[M0419]").count(), 3, "{err}");
    assert!(err.contains("… and 5 more: M0419 × 5"), "{err}");
    // JSON lists every problem in `errors`.
    let o = mizan(&[
        "eval",
        "--format",
        "json",
        r,
        "--import",
        m,
        c,
        "--max-problems",
        "3",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["errors"].as_array().unwrap().len(), 8);
}

/// A profile cell holding a value's label (`one of { both … en "Provider
/// and consumer" }`) that the mapping does not spell is M0419, and the
/// message names the value it labels (as M0414 does for answer sets).
#[test]
fn m0419_a_value_label_the_mapping_does_not_spell_names_its_value() {
    let dir = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string("examples/demo/import/answers-long.csv")
        .unwrap()
        .replace("data provider", "Provider and consumer");
    let path = dir.path().join("answers.csv");
    std::fs::write(&path, csv).unwrap();
    let o = mizan(&[
        "import",
        "examples/demo/digital-readiness.mizan",
        "examples/demo/import/long.import.toml",
        path.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains(
            "expected one of data_provider, data_consumer, both (field `role`; `Provider and consumer` is the label of `both`: spell it in the mapping's `values`)"
        ),
        "{err}"
    );
}
