//! Limits and timeouts given as flags: a body that trickles past
//! `--timeout` is 408, a client that does not finish its headers within
//! `--header-timeout` is disconnected, `--body-limit` is exact (413 one
//! byte over, scored at the limit, through `mizan serve` too), and
//! `--max-concurrency` with `--max-queue` makes a request wait, then sheds
//! the next one with 503 `overloaded`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

fn connect(s: &Server) -> TcpStream {
    let c = TcpStream::connect(s.base.strip_prefix("http://").unwrap()).unwrap();
    // A safety net only: every read below ends well before.
    c.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    c
}

/// The head of an evaluate request announcing `len` bytes of body.
fn evaluate_head(tok: &str, len: usize) -> String {
    format!(
        "POST /rubrics/uae.integration/2018/evaluate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {tok}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
    )
}

/// Reads one answer off a raw connection: its status and JSON body.
fn answer(c: &mut TcpStream) -> (u16, Value) {
    let mut r = BufReader::new(c);
    let mut status = String::new();
    r.read_line(&mut status).unwrap();
    let code: u16 = status.split(' ').nth(1).unwrap().parse().unwrap();
    let mut len = 0;
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        if h.trim().is_empty() {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap();
    (code, serde_json::from_slice(&body).unwrap())
}

/// A gauge of `/metrics`.
fn gauge(s: &Server, name: &str) -> u64 {
    let text = s.http.get(s.url("/metrics")).send().unwrap().text().unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
        .parse()
        .unwrap()
}

/// Waits (bounded) until `/metrics` shows `name` at `want`.
fn wait_gauge(s: &Server, name: &str, want: u64) {
    for _ in 0..200 {
        if gauge(s, name) == want {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("{name} never reached {want}");
}

#[test]
fn a_body_slower_than_the_timeout_is_408_timeout() {
    let s = start_exe(Path::new(BIN), &[], root().join("rules"), &["--timeout", "1"]);
    let tok = s.token(&["--role", "admin"]);
    let mut c = connect(&s);
    // 100 bytes announced, one sent: the body never completes.
    c.write_all(evaluate_head(&tok, 100).as_bytes()).unwrap();
    c.write_all(b"{").unwrap();
    let (status, body) = answer(&mut c);
    assert_eq!(status, 408);
    assert_eq!(body["error"]["code"], "timeout");
    // The server goes on answering.
    assert_eq!(s.http.get(s.url("/readyz")).send().unwrap().status(), 200);
    assert!(s
        .http
        .get(s.url("/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap()
        .contains("route=\"/rubrics/{id}/{version}/evaluate\",status=\"408\"} 1"));
}

#[test]
fn headers_slower_than_the_header_timeout_close_the_connection() {
    let s = start_exe(
        Path::new(BIN),
        &[],
        root().join("rules"),
        &["--header-timeout", "1"],
    );
    let mut c = connect(&s);
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
    // No answer: the connection is closed once the header timeout passes
    // (before the 60 s safety net of `connect`).
    let mut rest = Vec::new();
    match c.read_to_end(&mut rest) {
        Ok(_) => assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest)),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    // Others are served meanwhile and after.
    assert_eq!(s.http.get(s.url("/healthz")).send().unwrap().status(), 200);
    // A kept-alive connection that sends no next request is closed too.
    let mut c = connect(&s);
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let (status, body) = answer(&mut c);
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let mut rest = Vec::new();
    match c.read_to_end(&mut rest) {
        Ok(_) => assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest)),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
}

#[test]
fn the_body_limit_is_exact_and_mizan_serve_passes_it_on() {
    let fahr = std::fs::read_to_string(examples().join("fahr.json")).unwrap();
    let limit = fahr.len() + 10;
    // Through `mizan serve`: the flags reach mizan-server.
    let s = start_exe(
        &mizan(),
        &["serve"],
        root().join("rules"),
        &["--body-limit", &limit.to_string()],
    );
    let tok = s.token(&["--role", "admin"]);
    let at = format!("{fahr}{}", " ".repeat(limit - fahr.len()));
    assert_eq!(at.len(), limit);
    let r = s.send("POST", &tok, "/rubrics/uae.integration/2018/evaluate", &at);
    assert_eq!(r.status(), 200);
    let v: Value = r.json().unwrap();
    assert_eq!(v["entities"][0]["id"], "fahr");
    let over = format!("{at} ");
    let r = s.send("POST", &tok, "/rubrics/uae.integration/2018/evaluate", &over);
    assert_eq!(r.status(), 413);
    let v: Value = r.json().unwrap();
    assert_eq!(v["error"]["code"], "payload_too_large");
    // A stored submission has the same limit.
    let r = s.send(
        "PUT",
        &tok,
        "/cycles/uae-integration-2018/entities/fahr/submission",
        &over,
    );
    assert_eq!(r.status(), 413);
    let r = s.send(
        "PUT",
        &tok,
        "/cycles/uae-integration-2018/entities/fahr/submission",
        &at,
    );
    assert_eq!(r.status(), 201);
}

#[test]
fn past_the_concurrency_limit_requests_wait_then_are_shed() {
    let s = start_exe(
        Path::new(BIN),
        &[],
        root().join("rules"),
        &["--max-concurrency", "1", "--max-queue", "1", "--timeout", "60"],
    );
    let tok = s.token(&["--role", "admin"]);
    // The one slot: a request whose body is not all sent yet.
    let mut holder = connect(&s);
    holder.write_all(evaluate_head(&tok, 10).as_bytes()).unwrap();
    holder.write_all(b"{").unwrap();
    wait_gauge(&s, "mizan_requests_in_flight", 1);
    // The next one waits in the queue.
    let waiting = {
        let (url, tok) = (s.url("/rubrics"), tok.clone());
        std::thread::spawn(move || {
            let r = reqwest::blocking::Client::new()
                .get(url)
                .bearer_auth(tok)
                .send()
                .unwrap();
            r.status().as_u16()
        })
    };
    wait_gauge(&s, "mizan_requests_queued", 1);
    // The queue is full: shed at once, with Retry-After.
    let r = s.get(&tok, "/rubrics");
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "1");
    let v: Value = r.json().unwrap();
    assert_eq!(v["error"]["code"], "overloaded");
    // Liveness and metrics are not limited.
    assert_eq!(s.http.get(s.url("/healthz")).send().unwrap().status(), 200);
    assert_eq!(gauge(&s, "mizan_requests_shed_total"), 1);
    // The holder finishes (its body is not JSON: 400); the waiting one is
    // served.
    holder.write_all(b"not json!").unwrap();
    let (status, body) = answer(&mut holder);
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "malformed_json");
    assert_eq!(waiting.join().unwrap(), 200);
    wait_gauge(&s, "mizan_requests_in_flight", 0);
    assert_eq!(gauge(&s, "mizan_requests_queued"), 0);
    assert_eq!(s.get(&tok, "/rubrics").status(), 200);
}

#[test]
fn one_store_connection_serves_concurrent_submissions_and_reads() {
    // `--db-pool 1`: the writer's grouped commits and every read share one
    // connection; nothing waits forever, everything is stored.
    let s = start_exe(Path::new(BIN), &[], root().join("rules"), &["--db-pool", "1"]);
    let tok = s.token(&["--role", "admin"]);
    std::thread::scope(|scope| {
        for entity in ["fahr", "ica", "moe", "mof"] {
            let (s, tok) = (&s, &tok);
            scope.spawn(move || {
                for _ in 0..5 {
                    assert_eq!(s.put_example(tok, entity).status(), 201);
                    let r = s.get(tok, &format!("/cycles/uae-integration-2018/entities/{entity}"));
                    assert_eq!(r.status(), 200);
                }
            });
        }
    });
    let v: serde_json::Value = s
        .get(&tok, "/cycles/uae-integration-2018/results")
        .json()
        .unwrap();
    assert_eq!(v["entities"].as_array().unwrap().len(), 4);
    let v: serde_json::Value = s
        .get(&tok, "/cycles/uae-integration-2018/entities/moe")
        .json()
        .unwrap();
    assert_eq!(v["revisions"].as_array().unwrap().len(), 5);
}

#[test]
fn a_pool_of_no_connection_is_refused() {
    let out = std::process::Command::new(BIN)
        .args(["--rules", "rules", "--db-pool", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--db-pool"));
}
