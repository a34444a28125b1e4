//! Nothing acknowledged is lost, nothing refused is stored: submissions
//! stored under concurrent load, the server killed with SIGKILL at a random
//! moment, restarted: every submission that got a 2xx answer is there, none
//! that got a 4xx, each once and whole; the ones left without an answer,
//! sent again with their Idempotency-Key, are then stored exactly once.
//! SIGTERM drains and exits 0. Against SQLite, or PostgreSQL under pg.sh.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod common;

use common::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn signal(pid: u32, sig: &str) {
    let st = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
}

/// Stores submissions from `clients` threads until `stop`; the
/// acknowledged `(entity, revision, sha256)`.
fn load(s: &Server, tok: &str, clients: usize, stop: Arc<AtomicBool>) -> Vec<(String, i64, String)> {
    let body = std::fs::read_to_string(examples().join("fahr.json")).unwrap();
    let acked = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..clients)
        .map(|t| {
            let (stop, acked, tok, base) = (stop.clone(), acked.clone(), tok.to_string(), s.base.clone());
            let body = body.clone();
            std::thread::spawn(move || {
                let http = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let entity = format!("e{t}-{}", n % 5);
                    n += 1;
                    let b = body.replacen("\"id\": \"fahr\"", &format!("\"id\": \"{entity}\""), 1);
                    let r = http
                        .put(format!(
                            "{base}/cycles/uae-integration-2018/entities/{entity}/submission"
                        ))
                        .bearer_auth(&tok)
                        .header("content-type", "application/json")
                        .body(b)
                        .send();
                    let Ok(r) = r else { continue };
                    if r.status().is_success() {
                        let Ok(v) = r.json::<serde_json::Value>() else {
                            continue;
                        };
                        acked.lock().unwrap().push((
                            entity,
                            v["revision"]["revision"].as_i64().unwrap(),
                            v["revision"]["sha256"].as_str().unwrap().to_string(),
                        ));
                    }
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    Arc::try_unwrap(acked).unwrap().into_inner().unwrap()
}

/// What became of one request.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// 201: stored as this revision, this sha256.
    Stored(i64, String),
    /// A 4xx answer.
    Refused(u16),
    /// No answer (the server died), or a 5xx: no success was claimed.
    Unknown,
}

/// One request sent: its key, entity, body, and what became of it.
#[derive(Debug, Clone)]
struct Sent {
    key: String,
    entity: String,
    body: String,
    valid: bool,
    outcome: Outcome,
}

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A few milliseconds drawn at random in `lo..hi`.
fn random_ms(lo: u64, hi: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    lo + u64::from_le_bytes(b) % (hi - lo)
}

fn put(
    http: &reqwest::blocking::Client,
    base: &str,
    tok: &str,
    entity: &str,
    key: &str,
    body: &str,
) -> Result<reqwest::blocking::Response, reqwest::Error> {
    http.put(format!(
        "{base}/cycles/uae-integration-2018/entities/{entity}/submission"
    ))
    .bearer_auth(tok)
    .header("content-type", "application/json")
    .header("idempotency-key", key)
    .body(body.to_string())
    .send()
}

/// `clients` threads send submissions (one in seven rejected: the invalid
/// example), each under its own `Idempotency-Key`, until `killed`.
fn load_keyed(s: &Server, tok: &str, round: usize, clients: usize, killed: Arc<AtomicBool>) -> Vec<Sent> {
    let valid: Vec<(String, String)> = ENTITIES
        .iter()
        .map(|e| {
            (
                e.to_string(),
                std::fs::read_to_string(examples().join(format!("{e}.json"))).unwrap(),
            )
        })
        .collect();
    let invalid = std::fs::read_to_string(examples().join("zz-invalid.json")).unwrap();
    let threads: Vec<_> = (0..clients)
        .map(|t| {
            let (killed, tok, base) = (killed.clone(), tok.to_string(), s.base.clone());
            let (valid, invalid) = (valid.clone(), invalid.clone());
            std::thread::spawn(move || {
                let http = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(20))
                    .build()
                    .unwrap();
                let mut sent = Vec::new();
                let mut n = 0;
                while !killed.load(Ordering::SeqCst) {
                    let entity = format!("k{t}-{}", n % 4);
                    let key = format!("r{round}-t{t}-n{n}");
                    let ok = n % 7 != 3;
                    let (name, text) = if ok {
                        valid[(t + n) % valid.len()].clone()
                    } else {
                        ("moj".to_string(), invalid.clone())
                    };
                    n += 1;
                    let body = text.replacen(
                        &format!("{{\"id\": \"{name}\""),
                        &format!("{{\"id\": \"{entity}\""),
                        1,
                    );
                    assert_ne!(body, text);
                    let outcome = match put(&http, &base, &tok, &entity, &key, &body) {
                        Err(_) => Outcome::Unknown,
                        Ok(r) => {
                            let status = r.status().as_u16();
                            match status {
                                201 => match r.json::<serde_json::Value>() {
                                    Ok(v) => Outcome::Stored(
                                        v["revision"]["revision"].as_i64().unwrap(),
                                        v["revision"]["sha256"].as_str().unwrap().to_string(),
                                    ),
                                    // The answer was cut: no success seen.
                                    Err(_) => Outcome::Unknown,
                                },
                                400..=499 => Outcome::Refused(status),
                                500..=599 => Outcome::Unknown,
                                _ => panic!("{key}: unexpected {status}"),
                            }
                        }
                    };
                    sent.push(Sent {
                        key,
                        entity,
                        body,
                        valid: ok,
                        outcome,
                    });
                }
                sent
            })
        })
        .collect();
    threads.into_iter().flat_map(|t| t.join().unwrap()).collect()
}

fn dump(db: &str) -> Vec<mizan_server::store::StoredRow> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = mizan_server::store::Store::connect(db).await.unwrap();
        let all = store.dump().await.unwrap();
        store.close().await;
        all
    })
}

/// Under concurrent load, SIGKILL at a random moment, restart: every
/// submission that got a 2xx answer is stored; none that got a 4xx is; no
/// revision is stored twice nor partly; the requests left without an answer
/// are sent again with the same Idempotency-Key and each is then stored
/// exactly once. `MIZAN_KILL_ROUNDS` rounds (2 by default) on one store.
#[test]
fn every_acknowledged_submission_survives_sigkill() {
    let rounds: usize = std::env::var("MIZAN_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let mut s = Server::start();
    let tok = s.token(&["--role", "admin"]);
    let mut all: Vec<Sent> = Vec::new();
    for round in 0..rounds {
        let killed = Arc::new(AtomicBool::new(false));
        let pid = s.child.id();
        let ms = random_ms(300, 1500);
        let killer = {
            let killed = killed.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(ms));
                killed.store(true, Ordering::SeqCst);
                signal(pid, "-KILL");
            })
        };
        let mut sent = load_keyed(&s, &tok, round, 8, killed);
        killer.join().unwrap();
        let _ = s.child.wait();
        let stored_n = sent
            .iter()
            .filter(|x| matches!(x.outcome, Outcome::Stored(..)))
            .count();
        let refused_n = sent
            .iter()
            .filter(|x| matches!(x.outcome, Outcome::Refused(_)))
            .count();
        assert!(stored_n > 10, "round {round}: only {stored_n} acknowledged");
        assert!(refused_n > 0, "round {round}: no request refused");
        for x in &sent {
            if let Outcome::Refused(st) = x.outcome {
                assert!(!x.valid, "{}: a valid body refused with {st}", x.key);
                assert_eq!(st, 422, "{}", x.key);
            }
            if matches!(x.outcome, Outcome::Stored(..)) {
                assert!(x.valid, "{}: an invalid body stored", x.key);
            }
        }
        s.restart();
        // The requests left without an answer, again, same key and body.
        let unknown: Vec<usize> = (0..sent.len())
            .filter(|&i| sent[i].outcome == Outcome::Unknown)
            .collect();
        for &i in &unknown {
            let x = &sent[i];
            let r = put(&s.http, &s.base, &tok, &x.entity, &x.key, &x.body).unwrap();
            let status = r.status().as_u16();
            if !x.valid {
                assert_eq!(status, 422, "{}", x.key);
                sent[i].outcome = Outcome::Refused(status);
                continue;
            }
            assert!(status == 200 || status == 201, "{}: retried: {status}", x.key);
            let v: serde_json::Value = r.json().unwrap();
            assert_eq!(v["replayed"], status == 200);
            let sha = v["revision"]["sha256"].as_str().unwrap().to_string();
            assert_eq!(sha, sha256_hex(&x.body), "{}", x.key);
            sent[i].outcome = Outcome::Stored(v["revision"]["revision"].as_i64().unwrap(), sha);
        }
        eprintln!(
            "round {round}: killed after {ms} ms: {} sent, {stored_n} acknowledged, {refused_n} refused, {} without an answer (retried)",
            sent.len(),
            unknown.len()
        );
        all.extend(sent);
        check(&all, &dump(&s.db));
    }
    // And the restarted server answers.
    assert_eq!(s.http.get(s.url("/readyz")).send().unwrap().status(), 200);
}

/// The store holds exactly the submissions stored (first answer or
/// retry), each once, whole, numbered 1, 2, … per entity.
fn check(all: &[Sent], rows: &[mizan_server::store::StoredRow]) {
    use std::collections::{BTreeMap, HashMap};
    let mut by_key: HashMap<&str, &mizan_server::store::StoredRow> = HashMap::new();
    let mut revs: BTreeMap<(&str, &str), Vec<i64>> = BTreeMap::new();
    for r in rows {
        let key = r.idempotency_key.as_deref().expect("a row without its key");
        assert!(by_key.insert(key, r).is_none(), "key {key} stored twice");
        revs.entry((&r.cycle, &r.entity))
            .or_default()
            .push(r.revision.revision);
        // Whole: every column, the body's hash, the rubric.
        assert_eq!(
            r.revision.sha256,
            sha256_hex(&r.body),
            "{key}: body and sha256 differ"
        );
        assert!(
            serde_json::from_str::<serde_json::Value>(&r.body).is_ok(),
            "{key}: body cut"
        );
        assert_eq!(r.cycle, "uae-integration-2018");
        assert_eq!(
            (r.revision.rubric.as_str(), r.revision.version.as_str()),
            ("uae.integration", "2018")
        );
        assert_eq!(r.revision.rubric_sha256.len(), 64, "{key}");
        assert_eq!(r.revision.author.len(), 12, "{key}");
        assert!(r.revision.time.ends_with('Z'), "{key}");
    }
    for ((_, entity), v) in &revs {
        let want: Vec<i64> = (1..=i64::try_from(v.len()).unwrap()).collect();
        assert_eq!(v, &want, "{entity}: revisions not 1..n, each once");
    }
    let mut stored = 0;
    for x in all {
        match &x.outcome {
            Outcome::Stored(rev, sha) => {
                stored += 1;
                let r = by_key.get(x.key.as_str()).unwrap_or_else(|| {
                    panic!("acknowledged but lost: {} {} revision {rev}", x.key, x.entity)
                });
                assert_eq!(
                    (r.entity.as_str(), r.revision.revision),
                    (x.entity.as_str(), *rev),
                    "{}",
                    x.key
                );
                assert_eq!(&r.revision.sha256, sha, "{}", x.key);
                assert_eq!(r.body, x.body, "{}", x.key);
            }
            Outcome::Refused(st) => {
                assert!(
                    !by_key.contains_key(x.key.as_str()),
                    "{}: refused ({st}) but stored",
                    x.key
                );
            }
            Outcome::Unknown => panic!("{}: never retried", x.key),
        }
    }
    assert_eq!(rows.len(), stored, "stored rows that were never acknowledged");
}

#[test]
fn sigterm_drains_and_exits_0() {
    let mut s = Server::start();
    let tok = s.token(&["--role", "admin"]);
    let stop = Arc::new(AtomicBool::new(false));
    let pid = s.child.id();
    let stopper = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            signal(pid, "-TERM");
            std::thread::sleep(Duration::from_millis(200));
            stop.store(true, Ordering::Relaxed);
        })
    };
    let acked = load(&s, &tok, 4, stop);
    stopper.join().unwrap();
    let st = s.child.wait().unwrap();
    assert_eq!(st.code(), Some(0));
    assert!(!acked.is_empty());
    s.restart();
    let admin_view: serde_json::Value = s
        .get(&tok, "/cycles/uae-integration-2018/results")
        .json()
        .unwrap();
    assert!(!admin_view["entities"].as_array().unwrap().is_empty());
}

/// The same submission sent by 16 clients at once under one
/// Idempotency-Key (as retries racing each other would): stored once, one
/// 201 and fifteen 200 with that same revision; alongside, other entities'
/// submissions in the same commits get their own revisions.
#[test]
fn one_key_sent_at_once_is_stored_once() {
    let s = Server::start();
    let tok = s.token(&["--role", "admin"]);
    let body = std::fs::read_to_string(examples().join("fahr.json")).unwrap();
    for round in 0..3_i64 {
        let barrier = Arc::new(std::sync::Barrier::new(24));
        let threads: Vec<_> = (0..24)
            .map(|t| {
                let (barrier, tok, base, body) = (barrier.clone(), tok.clone(), s.base.clone(), body.clone());
                std::thread::spawn(move || {
                    let http = reqwest::blocking::Client::new();
                    // 16 on one key; 8 others each on an entity of its own.
                    let (entity, key, body) = if t < 16 {
                        ("fahr".to_string(), format!("same-{round}"), body)
                    } else {
                        let e = format!("other{t}");
                        let b = body.replacen("{\"id\": \"fahr\"", &format!("{{\"id\": \"{e}\""), 1);
                        (e, format!("own-{round}-{t}"), b)
                    };
                    barrier.wait();
                    let r = put(&http, &base, &tok, &entity, &key, &body).unwrap();
                    let status = r.status().as_u16();
                    let v: serde_json::Value = r.json().unwrap();
                    (t, status, v["revision"]["revision"].as_i64().unwrap())
                })
            })
            .collect();
        let answers: Vec<(usize, u16, i64)> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let same: Vec<_> = answers.iter().filter(|a| a.0 < 16).collect();
        assert_eq!(same.iter().filter(|a| a.1 == 201).count(), 1, "{same:?}");
        assert_eq!(same.iter().filter(|a| a.1 == 200).count(), 15, "{same:?}");
        let want = round + 1;
        assert!(same.iter().all(|a| a.2 == want), "{same:?}");
        for a in answers.iter().filter(|a| a.0 >= 16) {
            assert_eq!((a.1, a.2), (201, want), "{a:?}");
        }
    }
    let rows = dump(&s.db);
    assert_eq!(rows.len(), 3 + 3 * 8);
    assert_eq!(rows.iter().filter(|r| r.entity == "fahr").count(), 3);
}
