//! A repeated entity id is judged alike in every mode (found by the
//! `jsonl_stream` fuzz target): the id is taken by the first submission
//! that is scored. A submission rejected for its own problems (at reading,
//! or at evaluation, e.g. a missing answer) takes nothing, so a corrected
//! answer set after it is scored; a later submission with a taken id is
//! M0411 when it would otherwise be scored, else it is rejected for its own
//! problems. Default `eval`, `--summary`, `--format jsonl` and `--rules
//! DIR` give the same entities and the same problems.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

mod support;

use std::collections::BTreeSet;
use std::fs;

use serde_json::Value;
use support::{ids, mizan, stderr, stdout};

const RULES: &str = r#"rubric demo.dups {
  version "1"
  criterion c1 { choice { yes 1 partial 0.5 no 0 } }
  criterion c2 { yesno }
}
"#;

/// The score of `c1` answered `partial` (line 2) and `yes` (line 6), as
/// printed.
const X_C1: &str = "0.5";
const Y_C1: &str = "1";

fn set(id: &str, answers: &str) -> String {
    format!(r#"{{"rubric":"demo.dups","version":"1","entity":{{"id":"{id}"}},"answers":{{{answers}}}}}"#)
}

/// `line code pointer` of each error of a JSON document (`-` for a whole
/// file).
fn problems(errors: &Value) -> BTreeSet<String> {
    errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let source = e["source"].as_str().unwrap();
            let where_ = match source.rsplit_once(':') {
                Some((f, l)) if f.ends_with("a.jsonl") => l.to_string(),
                _ => source.rsplit('/').next().unwrap().to_string(),
            };
            format!(
                "{where_} {} {}",
                e["code"].as_str().unwrap(),
                e["pointer"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_rejected_submission_takes_no_entity_id_in_any_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("r.mizan"), RULES).unwrap();
    let rules = dir.join("rules/demo/dups");
    fs::create_dir_all(&rules).unwrap();
    fs::write(rules.join("1.mizan"), RULES).unwrap();
    let a = dir.join("a");
    fs::create_dir_all(&a).unwrap();
    let lines = [
        // 1: rejected at evaluation (a missing answer): takes nothing.
        set("x", r#""c1":"yes""#),
        // 2: scored, takes `x`.
        set("x", r#""c1":"partial","c2":true"#),
        // 3: would be scored: a duplicate of line 2.
        set("x", r#""c1":"no","c2":false"#),
        // 4: rejected for its own problem, whatever its id.
        set("x", r#""c2":true"#),
        // 5: rejected at reading (no such option): takes nothing.
        set("y", r#""c1":"maybe","c2":true"#),
        // 6: scored, takes `y`.
        set("y", r#""c1":"yes","c2":true"#),
    ];
    fs::write(a.join("a.jsonl"), lines.join("\n") + "\n").unwrap();
    // After a.jsonl (sorted): a duplicate of line 2 as a whole file.
    fs::write(a.join("b.json"), set("x", r#""c1":"yes","c2":true"#)).unwrap();
    let (r, a) = (dir.join("r.mizan"), a.to_str().unwrap().to_string());
    let r = r.to_str().unwrap();
    let scored: BTreeSet<String> = ["x", "y"].map(String::from).into();
    let want: BTreeSet<String> = [
        "1 M0410 /answers/c2",
        "3 M0411 /entity/id",
        "4 M0410 /answers/c1",
        "5 M0406 /answers/c1",
        "b.json M0411 /entity/id",
    ]
    .map(String::from)
    .into();

    let o = mizan(&["--format", "json", "eval", r, &a]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(ids(&doc["entities"]), scored, "{doc}");
    assert_eq!(problems(&doc["errors"]), want, "{doc}");
    // `x` as line 2 answers it (`partial`), not line 3 or b.json.
    let x = doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "x")
        .unwrap();
    assert_eq!(x["nodes"]["c1"].to_string(), X_C1, "{x}");
    let batch_population = doc["aggregate"].clone();

    let o = mizan(&["--format", "json", "eval", r, &a, "--summary"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["aggregate"]["entities"], 2, "{doc}");
    assert_eq!(doc["aggregate"], batch_population, "{doc}");
    assert_eq!(problems(&doc["errors"]), want, "{doc}");

    let o = mizan(&["--format", "jsonl", "eval", r, &a]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let got: Vec<(String, String)> = stdout(&o)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["nodes"]["c1"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("x".to_string(), X_C1.to_string()),
            ("y".to_string(), Y_C1.to_string()),
        ]
    );
    let err = stderr(&o);
    assert_eq!(err.matches("error[M0411]").count(), 2, "{err}");
    assert!(
        err.contains(&format!("already evaluated from {a}/a.jsonl:2")),
        "{err}"
    );

    let rules = dir.join("rules");
    let o = mizan(&["--format", "json", "eval", "--rules", rules.to_str().unwrap(), &a]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let batch = &doc["batches"][0];
    assert_eq!(ids(&batch["entities"]), scored, "{doc}");
    let mut all = problems(&batch["errors"]);
    all.extend(problems(&doc["errors"]));
    assert_eq!(all, want, "{doc}");
}
