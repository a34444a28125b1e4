//! Nothing acknowledged is lost: submissions stored under concurrent load,
//! the server killed with SIGKILL, restarted: every submission that got a
//! 2xx answer is there. SIGTERM drains and exits 0.
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
use std::time::{Duration, Instant};

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

#[test]
fn every_acknowledged_submission_survives_sigkill() {
    let mut s = Server::start();
    let tok = s.token(&["--role", "admin"]);
    let stop = Arc::new(AtomicBool::new(false));
    let pid = s.child.id();
    let killer = {
        let stop = stop.clone();
        // A moment that varies from run to run.
        let ms = 400
            + u64::from(Instant::now().elapsed().subsec_nanos() % 400)
            + u64::from(std::process::id() % 300);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(ms));
            signal(pid, "-KILL");
            std::thread::sleep(Duration::from_millis(100));
            stop.store(true, Ordering::Relaxed);
        })
    };
    let acked = load(&s, &tok, 8, stop);
    killer.join().unwrap();
    let _ = s.child.wait();
    assert!(acked.len() > 10, "only {} acknowledged", acked.len());
    s.restart();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let stored = rt.block_on(async {
        let store = mizan_server::store::Store::connect(&s.db).await.unwrap();
        let all = store.all_revisions().await.unwrap();
        store.close().await;
        all
    });
    let stored: std::collections::HashSet<(String, i64, String)> =
        stored.into_iter().map(|(_, e, r, h)| (e, r, h)).collect();
    for a in &acked {
        assert!(stored.contains(a), "acknowledged but lost: {a:?}");
    }
    // And the restarted server answers.
    assert_eq!(s.http.get(s.url("/readyz")).send().unwrap().status(), 200);
    eprintln!("{} acknowledged, {} stored", acked.len(), stored.len());
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
