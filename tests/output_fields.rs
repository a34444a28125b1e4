//! docs/output.md documents every field of every `mizan eval` JSON format:
//! the field tables (each after a `<!-- fields: NAME -->` line) are
//! compared, both ways, with the keys the command emits on the shipped
//! examples (a documented field that never appears is as wrong as an
//! emitted one the docs do not list).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use serde_json::Value;
use support::{mizan, stderr};

mod support;

/// Field tables of docs/output.md by name: every backticked name in the
/// first cell of each row.
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let text = fs::read_to_string("docs/output.md").unwrap();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(name) = line
            .strip_prefix("<!-- fields: ")
            .and_then(|l| l.strip_suffix(" -->"))
        {
            current = Some(name.to_string());
            out.entry(name.to_string()).or_default();
            continue;
        }
        let Some(name) = &current else { continue };
        if line.trim().is_empty() && !out[name].is_empty() {
            current = None;
            continue;
        }
        let Some(first) = line.strip_prefix('|').and_then(|l| l.split('|').next()) else {
            continue;
        };
        // The header and its rule have no backticked names.
        let fields: Vec<&str> = first.split('`').skip(1).step_by(2).collect();
        out.get_mut(name)
            .unwrap()
            .extend(fields.iter().map(|f| f.to_string()));
    }
    out
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// Every instance object, nested ones included.
fn instances<'a>(e: &'a Value, out: &mut Vec<&'a Value>) {
    if let Some(m) = e.get("instances").and_then(Value::as_object) {
        for list in m.values() {
            for i in list.as_array().unwrap() {
                out.push(i);
                instances(i, out);
            }
        }
    }
}

fn run_json(args: &[&str]) -> Value {
    let o = mizan(args);
    assert!(matches!(o.status.code(), Some(0 | 2)), "{args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The batches of the shipped examples: named entities, repeated nodes
/// (nested), a ranked rubric, bands, rejected and warned submissions.
const BATCHES: [&[&str]; 6] = [
    &[
        "examples/demo/digital-readiness.mizan",
        "examples/demo/answers",
        "examples/demo/invalid",
    ],
    &["examples/instances/services.mizan", "examples/instances/answers"],
    &[
        "rules/worldbank/doing-business/2020.mizan",
        "examples/doing-business-2020",
    ],
    &[
        "rules/uae/integration/2018.mizan",
        "examples/uae-integration-2018",
    ],
    &[
        "rules/uae/proactive-readiness/2020.mizan",
        "examples/uae-proactive-readiness-2020",
    ],
    // Units and headline indicators.
    &["examples/units/scorecard.mizan", "examples/units/answers"],
];

#[test]
fn every_documented_field_is_emitted_and_every_emitted_field_documented() {
    let docs = documented();
    let names: BTreeSet<&str> = docs.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "aggregate",
            "document",
            "entity",
            "instance",
            "jsonl",
            "problem",
            "rubric",
            "rules-document",
            "summary"
        ])
    );
    let mut seen: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut add = |k: &'static str, set: BTreeSet<String>| seen.entry(k).or_default().extend(set);
    for batch in BATCHES {
        let mut args = vec!["--format", "json", "eval"];
        args.extend_from_slice(batch);
        let doc = run_json(&args);
        add("document", keys(&doc));
        add("rubric", keys(&doc["rubric"]));
        add("aggregate", keys(&doc["aggregate"]));
        for p in doc["errors"]
            .as_array()
            .unwrap()
            .iter()
            .chain(doc["warnings"].as_array().unwrap())
        {
            add("problem", keys(p));
        }
        for e in doc["entities"].as_array().unwrap() {
            add("entity", keys(e));
            let mut all = Vec::new();
            instances(e, &mut all);
            for i in all {
                add("instance", keys(i));
            }
        }
        // --summary --format json.
        let mut args = vec!["--format", "json", "eval", "--summary"];
        args.extend_from_slice(batch);
        let s = run_json(&args);
        add("summary", keys(&s));
        assert_eq!(keys(&s["aggregate"]), keys(&doc["aggregate"]));
        // --format jsonl: each line.
        let mut args = vec!["--format", "jsonl", "eval"];
        args.extend_from_slice(batch);
        let o = mizan(&args);
        for l in String::from_utf8(o.stdout).unwrap().lines() {
            add("jsonl", keys(&serde_json::from_str(l).unwrap()));
        }
    }
    // --rules: the document of documents.
    let r = run_json(&[
        "--format",
        "json",
        "eval",
        "--rules",
        "rules",
        "examples/uae-integration-2018",
    ]);
    add("rules-document", keys(&r));
    for b in r["batches"].as_array().unwrap() {
        add("document", keys(b));
    }
    for (name, emitted) in &seen {
        assert_eq!(
            &docs[*name], emitted,
            "fields of `{name}`: docs/output.md (left) against the output (right)"
        );
    }
    assert_eq!(seen.len(), docs.len());
    // A jsonl line is an entity object of the document, field for field.
    assert_eq!(docs["jsonl"], docs["entity"]);
}

#[test]
fn the_table_columns_documented_are_those_printed() {
    let text = fs::read_to_string("docs/output.md").unwrap();
    // The fixed columns of the table section, English and Arabic.
    for (en, ar) in [
        ("entity", "الجهة"),
        ("score", "الدرجة"),
        ("band", "الفئة"),
        ("rank", "الترتيب"),
    ] {
        assert!(text.contains(&format!("| `{en}` ({ar}) |")), "{en}");
    }
    let o = mizan(&[
        "--format",
        "plain",
        "eval",
        "rules/worldbank/doing-business/2020.mizan",
        "examples/doing-business-2020",
    ]);
    let header = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    let cols: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(cols[..4], ["entity", "score", "band", "rank"], "{header}");
    let o = mizan(&[
        "--lang",
        "ar",
        "--format",
        "plain",
        "eval",
        "rules/worldbank/doing-business/2020.mizan",
        "examples/doing-business-2020",
    ]);
    let header = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    let cols: Vec<&str> = header.trim_start_matches('\u{200f}').split_whitespace().collect();
    assert_eq!(cols[..4], ["الجهة", "الدرجة", "الفئة", "الترتيب"], "{header}");
}
