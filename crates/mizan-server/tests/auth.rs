//! Who may do what: a submitter reads and writes only its own entity, a
//! reviewer reads its cycle, an admin everything; another entity's data is
//! 404 (no enumeration); tokens stored hashed; every write audited.
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

const C: &str = "/cycles/uae-integration-2018";

fn status(r: reqwest::blocking::Response) -> (u16, String) {
    let st = r.status().as_u16();
    let v: Value = r.json().unwrap_or(Value::Null);
    (st, v["error"]["code"].as_str().unwrap_or("").to_string())
}

#[test]
fn a_submitter_sees_only_its_own_entity() {
    let s = Server::start();
    let fahr = s.token(&["--role", "submitter", "--entity", "fahr"]);
    let ica = s.token(&["--role", "submitter", "--entity", "ica"]);
    assert_eq!(s.put_example(&ica, "ica").status(), 201);
    assert_eq!(s.put_example(&fahr, "fahr").status(), 201);
    let ica_body = std::fs::read_to_string(examples().join("ica.json")).unwrap();
    let nf = (404, "not_found".to_string());
    // Every route naming another entity, or the whole cycle: 404.
    assert_eq!(
        status(s.send("PUT", &fahr, &format!("{C}/entities/ica/submission"), &ica_body)),
        nf
    );
    assert_eq!(status(s.get(&fahr, &format!("{C}/entities/ica"))), nf);
    // The web form of another entity, read or posted (as a draft or a submit).
    assert_eq!(status(s.get(&fahr, &format!("{C}/entities/ica/form"))), nf);
    for action in ["save", "submit"] {
        let r = s
            .http
            .post(s.url(&format!("{C}/entities/ica/form")))
            .bearer_auth(&fahr)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!("action={action}&q%3Agsb.1.1=yes"))
            .send()
            .unwrap();
        assert_eq!(status(r), nf);
    }
    // An entity with no submission looks the same as one the caller may not see.
    assert_eq!(status(s.get(&fahr, &format!("{C}/entities/nobody"))), nf);
    assert_eq!(status(s.get(&fahr, &format!("{C}/results"))), nf);
    assert_eq!(status(s.get(&fahr, &format!("{C}/export?format=jsonl"))), nf);
    assert_eq!(status(s.get(&fahr, &format!("{C}/export?format=xlsx"))), nf);
    assert_eq!(
        status(s.send("POST", &fahr, &format!("{C}/what-if?version=2018"), "")),
        nf
    );
    assert_eq!(
        status(s.send(
            "POST",
            &fahr,
            "/cycles",
            r#"{"id": "x", "rubric": "uae.integration", "version": "2018"}"#
        )),
        nf
    );
    // Unknown cycle: the same answer.
    assert_eq!(status(s.get(&fahr, "/cycles/none/entities/fahr")), nf);
    assert_eq!(s.put_example(&fahr, "fahr").status(), 201);
    // Its own: readable, with both revisions.
    let v: Value = s.get(&fahr, &format!("{C}/entities/fahr")).json().unwrap();
    assert_eq!(v["revisions"].as_array().unwrap().len(), 2);
    // Rubrics and evaluate are open to every token.
    assert_eq!(s.get(&fahr, "/rubrics").status(), 200);
    assert_eq!(
        s.send("POST", &fahr, "/rubrics/uae.integration/2018/evaluate", &ica_body)
            .status(),
        200
    );
}

#[test]
fn a_submitter_limited_to_a_cycle_sees_no_other() {
    let s = Server::start();
    let admin = s.token(&["--role", "admin"]);
    assert_eq!(
        s.send(
            "POST",
            &admin,
            "/cycles",
            r#"{"id": "other", "rubric": "uae.integration", "version": "2018"}"#
        )
        .status(),
        201
    );
    let tok = s.token(&["--role", "submitter", "--entity", "fahr", "--cycle", "other"]);
    assert_eq!(s.put_example(&tok, "fahr").status(), 404);
    let body = std::fs::read_to_string(examples().join("fahr.json")).unwrap();
    assert_eq!(
        s.send("PUT", &tok, "/cycles/other/entities/fahr/submission", &body)
            .status(),
        201
    );
}

#[test]
fn a_reviewer_reads_its_cycle_only_and_writes_nothing() {
    let s = Server::start();
    let admin = s.token(&["--role", "admin"]);
    assert_eq!(s.put_example(&admin, "fahr").status(), 201);
    assert_eq!(
        s.send(
            "POST",
            &admin,
            "/cycles",
            r#"{"id": "other", "rubric": "uae.integration", "version": "2018"}"#
        )
        .status(),
        201
    );
    let rev = s.token(&["--role", "reviewer", "--cycle", "uae-integration-2018"]);
    assert_eq!(s.get(&rev, &format!("{C}/results")).status(), 200);
    assert_eq!(s.get(&rev, &format!("{C}/entities/fahr")).status(), 200);
    assert_eq!(s.get(&rev, &format!("{C}/export")).status(), 200);
    assert_eq!(
        s.send("POST", &rev, &format!("{C}/what-if?version=2018"), "")
            .status(),
        200
    );
    assert_eq!(status(s.put_example(&rev, "fahr")), (404, "not_found".into()));
    assert_eq!(
        status(s.get(&rev, "/cycles/other/results")),
        (404, "not_found".into())
    );
    assert_eq!(
        status(s.send(
            "POST",
            &rev,
            "/cycles",
            r#"{"id": "x", "rubric": "uae.integration", "version": "2018"}"#
        )),
        (404, "not_found".into())
    );
    let v: Value = s.get(&rev, "/cycles").json().unwrap();
    assert_eq!(v["cycles"].as_array().unwrap().len(), 1);
}

#[test]
fn no_token_or_a_wrong_one_is_401() {
    let s = Server::start();
    let r = s.http.get(s.url("/rubrics")).send().unwrap();
    assert_eq!(status(r), (401, "unauthorized".into()));
    assert_eq!(
        status(s.get("mzn_0000", "/rubrics")),
        (401, "unauthorized".into())
    );
    let r = s
        .http
        .get(s.url("/rubrics"))
        .header("authorization", "Basic eDp5")
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    let body = std::fs::read_to_string(examples().join("fahr.json")).unwrap();
    let r = s
        .http
        .put(s.url(&format!("{C}/entities/fahr/submission")))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    // Health, readiness, metrics and the contract need none.
    for p in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        assert_eq!(s.http.get(s.url(p)).send().unwrap().status(), 200, "{p}");
    }
}

#[test]
fn tokens_are_stored_hashed_and_every_write_is_audited() {
    let s = Server::start();
    let admin = s.token(&["--role", "admin"]);
    let fahr = s.token(&["--role", "submitter", "--entity", "fahr"]);
    assert!(fahr.starts_with("mzn_") && fahr.len() == 68);
    assert_eq!(s.put_example(&fahr, "fahr").status(), 201);
    assert_eq!(
        s.send(
            "POST",
            &admin,
            "/cycles",
            r#"{"id": "c2", "rubric": "uae.integration", "version": "2018"}"#
        )
        .status(),
        201
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = mizan_server::store::Store::connect(&s.db).await.unwrap();
        assert!(store.token(&fahr).await.unwrap().is_none());
        assert!(store
            .token(&mizan_server::auth::hash(&fahr))
            .await
            .unwrap()
            .is_some());
        let log = store.audit_log().await.unwrap();
        // Rows of one millisecond have no order: compared as a set.
        let mut actions: Vec<&str> = log.iter().map(|l| l.0.as_str()).collect();
        actions.sort_unstable();
        assert_eq!(
            actions,
            [
                "cycle.create",
                "cycle.create",
                "submission.put",
                "token.create",
                "token.create",
                "token.create"
            ]
        );
        let fahr_id = mizan_server::auth::hash(&fahr)[..12].to_string();
        let put = log.iter().find(|l| l.0 == "submission.put").unwrap();
        assert_eq!(put.1, fahr_id);
        assert_eq!(put.3.as_deref(), Some("fahr"));
        assert!(log.iter().any(|l| l.0 == "token.create" && l.1 == "bootstrap"));
        store.close().await;
    });
    if s.db.starts_with("sqlite:") {
        for f in std::fs::read_dir(s.dir.path()).unwrap() {
            let bytes = std::fs::read(f.unwrap().path()).unwrap();
            assert!(!bytes.windows(fahr.len()).any(|w| w == fahr.as_bytes()));
        }
    }
}

#[test]
fn an_idempotency_key_stores_nothing_twice() {
    let s = Server::start();
    let fahr = s.token(&["--role", "submitter", "--entity", "fahr"]);
    let body = std::fs::read_to_string(examples().join("fahr.json")).unwrap();
    let put = |key: Option<&str>, body: &str| {
        let mut r = s
            .http
            .put(s.url(&format!("{C}/entities/fahr/submission")))
            .bearer_auth(&fahr)
            .header("content-type", "application/json");
        if let Some(k) = key {
            r = r.header("idempotency-key", k);
        }
        r.body(body.to_string()).send().unwrap()
    };
    let a = put(Some("k1"), &body);
    assert_eq!(a.status(), 201);
    let a: Value = a.json().unwrap();
    let b = put(Some("k1"), &body);
    assert_eq!(b.status(), 200);
    let b: Value = b.json().unwrap();
    assert_eq!(a["revision"], b["revision"]);
    assert_eq!(b["replayed"], true);
    // The same key with another body: refused.
    let other = body.replacen("\"fednet.1.1\": \"yes\"", "\"fednet.1.1\": \"no\"", 1);
    assert_ne!(other, body);
    assert_eq!(
        status(put(Some("k1"), &other)),
        (422, "idempotency_key_reused".into())
    );
    // Without a key: a new revision.
    let c: Value = put(None, &other).json().unwrap();
    assert_eq!(c["revision"]["revision"], 2);
    let v: Value = s.get(&fahr, &format!("{C}/entities/fahr")).json().unwrap();
    let revs = v["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 2);
    // The latest counts.
    assert_eq!(v["result"]["nodes"]["fednet.1.1"], 0);
    assert_ne!(revs[0]["sha256"], revs[1]["sha256"]);
}

fn cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN).args(args).output().unwrap()
}

/// `token list` shows every token's id, role, entity and cycle (never a
/// token), `token revoke ID` revokes one: it stays listed (with when), is in
/// the audit log, and authenticates nothing once the server's token cache
/// has expired (`--token-ttl 0`: at once); the others keep working. Unknown,
/// ambiguous, too short and already revoked ids are errors.
#[test]
fn a_revoked_token_authenticates_nothing() {
    let s = start_exe(
        std::path::Path::new(BIN),
        &[],
        root().join("rules"),
        &["--token-ttl", "0"],
    );
    let fahr = s.token(&["--role", "submitter", "--entity", "fahr"]);
    let ica = s.token(&["--role", "submitter", "--entity", "ica"]);
    assert_eq!(s.put_example(&fahr, "fahr").status(), 201);
    let fahr_id = mizan_server::auth::hash(&fahr)[..12].to_string();

    let o = cli(&["token", "list", "--db", &s.db, "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(!text.contains(&fahr) && !text.contains(&ica), "a token is shown");
    let list: Value = serde_json::from_str(&text).unwrap();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == fahr_id.as_str())
        .unwrap();
    assert_eq!(row["role"], "submitter");
    assert_eq!(row["entity"], "fahr");
    assert_eq!(row["revoked_at"], Value::Null);

    // Errors: nothing revoked.
    for (id, says) in [
        ("0123", "no token has id"),
        ("zzzzzzzzzzzz", "no token has id"),
        ("ffffffffffff", "no token has id"),
    ] {
        let o = cli(&["token", "revoke", id, "--db", &s.db]);
        assert!(!o.status.success(), "{id}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(says), "{id}: {o:?}");
    }

    let o = cli(&["token", "revoke", &fahr_id[..8], "--db", &s.db]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap().trim(),
        format!("revoked token {fahr_id} (submitter of entity fahr)")
    );
    // Refused at once (--token-ttl 0), on every route; the other token works.
    let (st, code) = status(s.get(&fahr, &format!("{C}/entities/fahr")));
    assert_eq!((st, code.as_str()), (401, "unauthorized"));
    assert_eq!(s.put_example(&fahr, "fahr").status(), 401);
    assert_eq!(s.put_example(&ica, "ica").status(), 201);
    // The web form's login takes it no more (and still takes the other).
    let no_redirect = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = |tok: &str| {
        no_redirect
            .post(s.url("/login"))
            .header("origin", &s.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={tok}&lang=en"))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(login(&fahr), 401, "a revoked token logged in");
    assert_eq!(login(&ica), 303);

    let o = cli(&["token", "revoke", &fahr_id, "--db", &s.db]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("revoked already"),
        "{o:?}"
    );
    let o = cli(&["token", "list", "--db", &s.db, "--lang", "ar"]);
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(table.trim_start().starts_with("المعرّف"), "{table}");
    let line = table.lines().find(|l| l.contains(&fahr_id)).unwrap();
    assert!(!line.trim_end().ends_with(" -"), "no revocation time: {line}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = mizan_server::store::Store::connect(&s.db).await.unwrap();
        let log = store.audit_log().await.unwrap();
        let rev = log.iter().find(|l| l.0 == "token.revoke").unwrap();
        assert_eq!((rev.1.as_str(), rev.3.as_deref()), ("cli", Some("fahr")));
        // Its submission still names it.
        let h = store.history("uae-integration-2018", "fahr").await.unwrap();
        assert_eq!(h.0.len(), 1);
        assert_eq!(h.0[0].author, fahr_id);
        store.close().await;
    });
}

/// With the default token cache (5 s), a revoked token that the server has
/// just used works until its cached copy expires, then no more.
#[test]
fn a_revoked_token_stops_working_within_the_token_ttl() {
    let s = Server::start();
    let fahr = s.token(&["--role", "submitter", "--entity", "fahr"]);
    assert_eq!(s.get(&fahr, &format!("{C}/entities/fahr")).status(), 404);
    let id = mizan_server::auth::hash(&fahr)[..12].to_string();
    assert!(cli(&["token", "revoke", &id, "--db", &s.db]).status.success());
    let start = std::time::Instant::now();
    loop {
        let st = s.get(&fahr, &format!("{C}/entities/fahr")).status().as_u16();
        if st == 401 {
            break;
        }
        assert_eq!(st, 404);
        assert!(
            start.elapsed() < mizan_server::store::TOKEN_TTL + std::time::Duration::from_secs(5),
            "still accepted after the token TTL"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}
