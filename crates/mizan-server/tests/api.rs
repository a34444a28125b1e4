//! The routes against the CLI: the same bytes `mizan eval` and `mizan diff`
//! give, every route in the OpenAPI document, bad input never a 500.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod common;

use common::*;
use serde_json::Value;
use std::process::Command;

#[test]
fn results_are_byte_for_byte_the_cli() {
    let s = Server::start();
    let admin = s.token(&["--role", "admin"]);
    let tmp = tempfile::tempdir().unwrap();
    for e in ENTITIES {
        // Each through its own submitter token.
        let tok = s.token(&["--role", "submitter", "--entity", e]);
        let r = s.put_example(&tok, e);
        assert_eq!(r.status(), 201, "{e}: {}", r.text().unwrap());
        std::fs::copy(
            examples().join(format!("{e}.json")),
            tmp.path().join(format!("{e}.json")),
        )
        .unwrap();
    }
    let got = s
        .get(&admin, "/cycles/uae-integration-2018/results")
        .text()
        .unwrap();
    let files: Vec<String> = ENTITIES.iter().map(|e| format!("{e}.json")).collect();
    let out = Command::new(mizan())
        .current_dir(tmp.path())
        .arg("eval")
        .arg(root().join("rules/uae/integration/2018.mizan"))
        .args(&files)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(got, String::from_utf8(out.stdout).unwrap());
    // Arabic too.
    let got = s
        .get(&admin, "/cycles/uae-integration-2018/results?lang=ar")
        .text()
        .unwrap();
    let out = Command::new(mizan())
        .current_dir(tmp.path())
        .args(["--lang", "ar", "eval"])
        .arg(root().join("rules/uae/integration/2018.mizan"))
        .args(&files)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(got, String::from_utf8(out.stdout).unwrap());

    // Export: one line per entity; the workbook is a zip.
    let r = s.get(&admin, "/cycles/uae-integration-2018/export?format=jsonl");
    assert_eq!(r.status(), 200);
    let text = r.text().unwrap();
    let out = Command::new(mizan())
        .current_dir(tmp.path())
        .arg("eval")
        .arg(root().join("rules/uae/integration/2018.mizan"))
        .args(&files)
        .args(["--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(text, String::from_utf8(out.stdout).unwrap());
    assert_eq!(text.lines().count(), ENTITIES.len());
    let r = s.get(&admin, "/cycles/uae-integration-2018/export?format=xlsx");
    assert_eq!(r.status(), 200);
    assert!(r.bytes().unwrap().starts_with(b"PK"));
    let r = s.get(&admin, "/cycles/uae-integration-2018/export?format=pdf");
    assert_eq!(r.status(), 400);

    // The entity: score, explain, history.
    let v: Value = s
        .get(&admin, "/cycles/uae-integration-2018/entities/fahr")
        .json()
        .unwrap();
    assert_eq!(v["result"]["id"], "fahr");
    assert!(v["explain"].as_str().unwrap().contains("fednet"));
    assert_eq!(v["revisions"].as_array().unwrap().len(), 1);
    assert_eq!(v["rubric"]["sha256"], v["revisions"][0]["rubric_sha256"]);
}

#[test]
fn evaluate_is_the_cli_for_one_entity() {
    let s = Server::start();
    let tok = s.token(&["--role", "submitter", "--entity", "fahr"]);
    let body = std::fs::read_to_string(examples().join("fahr.json")).unwrap();
    let r = s.send("POST", &tok, "/rubrics/uae.integration/2018/evaluate", &body);
    assert_eq!(r.status(), 200);
    let got = r.text().unwrap();
    let out = Command::new(mizan())
        .current_dir(examples())
        .arg("eval")
        .arg(root().join("rules/uae/integration/2018.mizan"))
        .arg("fahr.json")
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(got, String::from_utf8(out.stdout).unwrap());
}

#[test]
fn rejections_are_the_cli_problems() {
    let s = Server::start();
    let tok = s.token(&["--role", "submitter", "--entity", "moj"]);
    let body = std::fs::read_to_string(examples().join("zz-invalid.json")).unwrap();
    let r = s.send("POST", &tok, "/rubrics/uae.integration/2018/evaluate", &body);
    assert_eq!(r.status(), 422);
    let v: Value = r.json().unwrap();
    assert_eq!(v["error"]["code"], "rejected");
    let out = Command::new(mizan())
        .current_dir(examples())
        .arg("eval")
        .arg(root().join("rules/uae/integration/2018.mizan"))
        .arg("zz-invalid.json")
        .args(["--format", "json"])
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    let strip = |ps: &Value| -> Vec<(String, String, String)> {
        ps.as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["code"].as_str().unwrap().to_string(),
                    p["message"].as_str().unwrap().to_string(),
                    p["pointer"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert!(!strip(&cli["errors"]).is_empty());
    assert_eq!(strip(&v["error"]["problems"]), strip(&cli["errors"]));
    // Nothing stored.
    let r = s.send(
        "PUT",
        &tok,
        "/cycles/uae-integration-2018/entities/moj/submission",
        &body,
    );
    assert_eq!(r.status(), 422);
    let admin = s.token(&["--role", "admin"]);
    assert_eq!(
        s.get(&admin, "/cycles/uae-integration-2018/entities/moj")
            .status(),
        404
    );
}

#[test]
fn bad_input_is_a_json_error_with_a_stable_code() {
    let s = Server::start();
    let tok = s.token(&["--role", "submitter", "--entity", "fahr"]);
    let ev = "/rubrics/uae.integration/2018/evaluate";
    let fahr = std::fs::read_to_string(examples().join("fahr.json")).unwrap();
    let code = |r: reqwest::blocking::Response| -> (u16, String) {
        let st = r.status().as_u16();
        let v: Value = r.json().unwrap();
        (st, v["error"]["code"].as_str().unwrap().to_string())
    };
    // Over the limit: refused from its Content-Length, before the body is
    // read (a raw request, so that the client does not race the answer).
    {
        use std::io::{Read, Write};
        let addr = s.base.strip_prefix("http://").unwrap();
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        write!(
            c,
            "POST {ev} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {tok}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{{",
            mizan_server::BODY_LIMIT + 1
        )
        .unwrap();
        let mut answer = String::new();
        let _ = c.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("\"payload_too_large\""), "{answer}");
    }
    assert_eq!(
        code(s.send("POST", &tok, ev, "{\"rubric\": ")),
        (400, "malformed_json".into())
    );
    assert_eq!(
        code(s.send("POST", &tok, ev, "\u{1}")),
        (400, "malformed_json".into())
    );
    let dup = fahr.replacen("{", "{\"rubric\": \"uae.integration\", ", 1);
    let r = s.send("POST", &tok, ev, &dup);
    let st = r.status().as_u16();
    let v: Value = r.json().unwrap();
    assert_eq!((st, v["error"]["code"].as_str().unwrap()), (422, "rejected"));
    assert_eq!(v["error"]["problems"][0]["code"], "M0422");
    assert_eq!(v["error"]["problems"][0]["pointer"], "/rubric");
    let r = s
        .http
        .post(s.url(ev))
        .bearer_auth(&tok)
        .header("content-type", "text/plain")
        .body(fahr.clone())
        .send()
        .unwrap();
    assert_eq!(code(r), (415, "unsupported_media_type".into()));
    let r = s
        .http
        .post(s.url(ev))
        .bearer_auth(&tok)
        .body(fahr.clone())
        .send()
        .unwrap();
    assert_eq!(code(r), (415, "unsupported_media_type".into()));
    assert_eq!(
        code(s.send("POST", &tok, "/rubrics/uae.integration/1999/evaluate", &fahr)),
        (404, "unknown_rubric".into())
    );
    assert_eq!(
        code(s.get(&tok, "/rubrics/nope/1")),
        (404, "unknown_rubric".into())
    );
    let other = fahr.replacen("\"version\": \"2018\"", "\"version\": \"2019\"", 1);
    assert_eq!(
        code(s.send("POST", &tok, ev, &other)),
        (422, "rubric_mismatch".into())
    );
    let ica = std::fs::read_to_string(examples().join("ica.json")).unwrap();
    assert_eq!(
        code(s.send(
            "PUT",
            &tok,
            "/cycles/uae-integration-2018/entities/fahr/submission",
            &ica
        )),
        (422, "entity_mismatch".into())
    );
    assert_eq!(code(s.send("POST", &tok, ev, "[]")), (422, "rejected".into()));
    assert_eq!(code(s.get(&tok, "/no/such/route")), (404, "not_found".into()));
    assert_eq!(
        code(s.send("DELETE", &tok, "/rubrics", "")),
        (405, "method_not_allowed".into())
    );
    let admin = s.token(&["--role", "admin"]);
    assert_eq!(
        code(s.send(
            "POST",
            &admin,
            "/cycles/uae-integration-2018/what-if?version=1999",
            ""
        )),
        (404, "unknown_rubric".into())
    );
    assert_eq!(
        code(s.send("POST", &admin, "/cycles", "{\"id\": ")),
        (400, "malformed_json".into())
    );
    // The metrics counted it all.
    let m = s.http.get(s.url("/metrics")).send().unwrap().text().unwrap();
    assert!(m.contains("mizan_rejections_total "), "{m}");
    assert!(
        m.contains("route=\"/rubrics/{id}/{version}/evaluate\",status=\"413\""),
        "{m}"
    );
    assert!(m.contains("mizan_request_duration_seconds_bucket"), "{m}");
}

#[test]
fn every_route_is_in_the_openapi_document() {
    let s = Server::start();
    let v: Value = s.http.get(s.url("/openapi.json")).send().unwrap().json().unwrap();
    assert!(v["openapi"].as_str().unwrap().starts_with("3.1"));
    for (method, path) in mizan_server::api::ROUTES {
        assert!(v["paths"][path][method].is_object(), "{method} {path}");
    }
    let n: usize = v["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(n, mizan_server::api::ROUTES.len());
    assert_eq!(s.http.get(s.url("/healthz")).send().unwrap().status(), 200);
    assert_eq!(s.http.get(s.url("/readyz")).send().unwrap().status(), 200);
    let admin = s.token(&["--role", "admin"]);
    let v: Value = s.get(&admin, "/rubrics").json().unwrap();
    assert!(v["rubrics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "uae.integration"));
    let v: Value = s.get(&admin, "/rubrics/uae.integration/2018").json().unwrap();
    assert_eq!(
        v["sha256"],
        "dfe709f4803aef795beafb80c6ef8937868985c5537ffc972784e91d3a9c96a7"
    );
    assert!(v["title"]["ar"].is_string() && v["title"]["en"].is_string());
    assert!(v["schema"]["$schema"].is_string());
    assert!(v["source"].as_str().unwrap().contains("version \"2018\""));
}

/// A copy of the shipped rules with a 2019 version of the UAE rubric (one
/// weight changed) and a cycle file.
fn rules_with_2019() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "uae/integration/2018.mizan", &uae_as("2018"));
    write(t.path(), "uae/integration/2019.mizan", &uae_as("2019"));
    write(
        t.path(),
        "cycles/uae-integration-2018.toml",
        "rubric = \"uae.integration\"\nversion = \"2018\"\n",
    );
    t
}

#[test]
fn what_if_is_mizan_diff_answers() {
    let rules = rules_with_2019();
    let s = Server::start_with(rules.path().to_path_buf());
    let admin = s.token(&["--role", "admin"]);
    let tmp = tempfile::tempdir().unwrap();
    for e in ["fahr", "ica", "moe"] {
        assert_eq!(s.put_example(&admin, e).status(), 201);
        std::fs::copy(
            examples().join(format!("{e}.json")),
            tmp.path().join(format!("{e}.json")),
        )
        .unwrap();
    }
    let r = s.send(
        "POST",
        &admin,
        "/cycles/uae-integration-2018/what-if?version=2019",
        "",
    );
    assert_eq!(r.status(), 200);
    let got = r.text().unwrap();
    let out = Command::new(mizan())
        .current_dir(tmp.path())
        .arg("diff")
        .arg(rules.path().join("uae/integration/2018.mizan"))
        .arg(rules.path().join("uae/integration/2019.mizan"))
        .args([
            "--answers",
            "fahr.json",
            "ica.json",
            "moe.json",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(got.trim_end(), String::from_utf8(out.stdout).unwrap().trim_end());
    // An admin creates a cycle on the other version; the first stays pinned.
    let r = s.send(
        "POST",
        &admin,
        "/cycles",
        r#"{"id": "uae-2019", "rubric": "uae.integration", "version": "2019"}"#,
    );
    assert_eq!(r.status(), 201);
    let r = s.send(
        "POST",
        &admin,
        "/cycles",
        r#"{"id": "uae-2019", "rubric": "uae.integration", "version": "2019"}"#,
    );
    assert_eq!(r.status(), 409);
    let v: Value = s.get(&admin, "/cycles").json().unwrap();
    assert_eq!(v["cycles"].as_array().unwrap().len(), 2);
    let fahr = std::fs::read_to_string(examples().join("fahr.json")).unwrap();
    // A 2018 answer set is not silently scored under 2019.
    let r = s.send("PUT", &admin, "/cycles/uae-2019/entities/fahr/submission", &fahr);
    assert_eq!(r.status(), 422);
}

#[test]
fn a_locked_file_that_changed_stops_the_server() {
    let t = tempfile::tempdir().unwrap();
    let src = uae_as("2018");
    write(
        t.path(),
        "uae/integration/2018.mizan",
        &format!("{src}\n# changed\n"),
    );
    std::fs::copy(root().join("rules/mizan.lock"), t.path().join("mizan.lock")).unwrap();
    let db = t.path().join("m.db");
    let db = format!("sqlite:{}", db.display());
    let err = common::refused(&mut common::server(t.path(), &db));
    assert!(err.contains("locked"), "{err}");
    // A cycle file naming a version that is not there stops it too.
    write(t.path(), "uae/integration/2018.mizan", &src);
    write(
        t.path(),
        "cycles/c.toml",
        "rubric = \"uae.integration\"\nversion = \"2030\"\n",
    );
    let err = common::refused(&mut common::server(t.path(), &db));
    assert!(err.contains("2030"), "{err}");
}

/// A 2019 version of UAE 2018 with one real weight changed: `partial` of
/// the scale `yes_partial_no_na` (fednet.1.1, 1.3, 1.4) from 0.5 to 0.75,
/// locked beside the shipped lock; a cycle pinned to 2018.
fn rules_with_reweighted_2019() -> tempfile::TempDir {
    let t = rules_with_2019();
    let v2019 = t.path().join("uae/integration/2019.mizan");
    std::fs::write(&v2019, partial_weighs_075(&uae_as("2019"))).unwrap();
    std::fs::copy(root().join("rules/mizan.lock"), t.path().join("mizan.lock")).unwrap();
    lock(&[v2019.to_str().unwrap()]);
    t
}

#[test]
fn what_if_moves_scores_as_mizan_diff_answers_does() {
    let rules = rules_with_reweighted_2019();
    let s = Server::start_with(rules.path().to_path_buf());
    let admin = s.token(&["--role", "admin"]);
    let tmp = tempfile::tempdir().unwrap();
    for e in ENTITIES {
        assert_eq!(s.put_example(&admin, e).status(), 201);
        std::fs::copy(
            examples().join(format!("{e}.json")),
            tmp.path().join(format!("{e}.json")),
        )
        .unwrap();
    }
    let before = s
        .get(&admin, "/cycles/uae-integration-2018/results")
        .text()
        .unwrap();
    let r = s.send(
        "POST",
        &admin,
        "/cycles/uae-integration-2018/what-if?version=2019",
        "",
    );
    assert_eq!(r.status(), 200);
    let got = r.text().unwrap();
    let files: Vec<String> = ENTITIES.iter().map(|e| format!("{e}.json")).collect();
    let out = Command::new(mizan())
        .current_dir(tmp.path())
        .arg("diff")
        .arg(rules.path().join("uae/integration/2018.mizan"))
        .arg(rules.path().join("uae/integration/2019.mizan"))
        .arg("--answers")
        .args(&files)
        .args(["--format", "json"])
        .output()
        .unwrap();
    // Byte for byte what the CLI says.
    assert_eq!(got.trim_end(), String::from_utf8(out.stdout).unwrap().trim_end());
    let v: Value = serde_json::from_str(&got).unwrap();
    let moves = v["impact"]["entities"].as_array().unwrap();
    let fahr = moves.iter().find(|m| m["entity"] == "fahr").unwrap();
    // By hand: fahr answers fednet.1.1 yes, 1.2 no, 1.3 partial, 1.4
    // partial; FedNet is achieved / target = (1 + 0 + 0.5 + 0.5) / 4 =
    // 0.5 under 2018, (1 + 0 + 0.75 + 0.75) / 4 = 0.625 under 2019.
    let node = fahr["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "fednet")
        .unwrap();
    assert_eq!(
        (
            node["before"].to_string(),
            node["after"].to_string(),
            node["delta"].to_string()
        ),
        ("0.5".into(), "0.625".into(), "0.125".into())
    );
    // The entity is the mean of its six initiatives: it moves by 0.125 / 6.
    let f = |k: &str| fahr[k].as_f64().unwrap();
    assert!((f("delta") - 0.125 / 6.0).abs() < 1e-12, "{}", fahr["delta"]);
    assert!((f("after") - f("before") - 0.125 / 6.0).abs() < 1e-12);
    assert!(fahr["delta"].to_string().starts_with("0.02083333333"));
    // Nothing stored or re-scored: the cycle still scores under 2018.
    assert_eq!(
        s.get(&admin, "/cycles/uae-integration-2018/results")
            .text()
            .unwrap(),
        before
    );
}
