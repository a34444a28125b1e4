//! docs/server.md's route table is the OpenAPI document's: every operation
//! of `/openapi.json` has its row, and no row names a route it lacks.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

use std::collections::BTreeSet;

fn doc() -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/server.md");
    std::fs::read_to_string(p).unwrap()
}

/// `METHOD /path` of every operation in the OpenAPI document.
fn operations() -> BTreeSet<String> {
    let v: serde_json::Value = serde_json::from_str(&mizan_server::openapi_json()).unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in v["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.insert(format!("{} {path}", method.to_ascii_uppercase()));
        }
    }
    ops
}

/// `METHOD /path` written in the "Routes" table (query strings dropped).
fn documented() -> BTreeSet<String> {
    let doc = doc();
    let start = doc.find("## Routes").unwrap();
    let end = start + doc[start..].find("\n## ").unwrap();
    let mut rows = BTreeSet::new();
    for line in doc[start..end].lines().filter(|l| l.starts_with("| `")) {
        let first = line.split(" | ").next().unwrap();
        for code in first.split('`').skip(1).step_by(2) {
            let code = code.split('?').next().unwrap().trim();
            if code.contains(' ') {
                rows.insert(code.to_string());
            }
        }
    }
    rows
}

#[test]
fn the_route_table_is_the_openapi_document() {
    let ops = operations();
    let rows = documented();
    let missing: Vec<_> = ops.difference(&rows).collect();
    let extra: Vec<_> = rows.difference(&ops).collect();
    assert!(
        missing.is_empty(),
        "in /openapi.json, not in docs/server.md: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "in docs/server.md, not in /openapi.json: {extra:?}"
    );
    assert!(ops.len() >= 19, "{ops:?}");
}
