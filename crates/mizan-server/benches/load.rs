//! The load benchmark (docs/server.md, "Measured figures"): starts the
//! release `mizan-server` on 127.0.0.1:0 with the shipped rules and a temp
//! SQLite file (or a fresh PostgreSQL database when `MIZAN_TEST_PG` is set,
//! as under `pg.sh`), and measures requests/s and p50/p99 latency of
//!
//! - `POST /rubrics/uae.integration/2018/evaluate` with the shipped UAE
//!   answer sets (rotating), and
//! - `PUT /cycles/uae-integration-2018/entities/{entity}/submission`
//!   storing submissions (many entities, each request a new revision, each
//!   with its own `Idempotency-Key`),
//!
//! at 1, 16 and 64 concurrent clients over keep-alive HTTP/1.1
//! connections. Each step is bounded in requests and in wall time:
//!
//! ```text
//! cargo bench -p mizan-server --bench load
//! MIZAN_BENCH_REQUESTS=2000 MIZAN_BENCH_SECONDS=3 cargo bench -p mizan-server --bench load
//! crates/mizan-server/pg.sh cargo bench -p mizan-server --bench load
//! ```
//!
//! `MIZAN_BENCH_SERVER=PATH` measures another build of the server.
//! Every answer must be 200 (evaluate) or 201 (store): any other status
//! fails the run. Not a test: the figures depend on the machine.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;

// The tests' helpers: the repository root, a fresh store, the server's
// address once it listens, the UAE 2018 example entities.
#[path = "../tests/common/mod.rs"]
mod common;

use common::{fresh_db, listening, root, BIN, ENTITIES};

const CYCLE: &str = "uae-integration-2018";

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The server measured: this build's, or `MIZAN_BENCH_SERVER` (another
/// build, to compare).
fn server_bin() -> String {
    std::env::var("MIZAN_BENCH_SERVER").unwrap_or_else(|_| BIN.to_string())
}

fn launch(db: &str) -> (Server, std::net::SocketAddr) {
    let mut cmd = Command::new(server_bin());
    cmd.args(["--rules", root().join("rules").to_str().unwrap(), "--db", db])
        .stderr(Stdio::null());
    let (child, base) = listening(&mut cmd);
    let addr = base
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("no address: {base:?}"))
        .parse()
        .unwrap();
    (Server(child), addr)
}

fn token(db: &str) -> String {
    let out = Command::new(server_bin())
        .args(["token", "create", "--db", db, "--role", "admin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// One request to make: method, path, body, the status wanted.
type MakeRequest = dyn Fn(usize) -> (hyper::Method, String, Bytes, Option<String>) + Send + Sync;

struct Step {
    requests: usize,
    seconds: f64,
    latencies: Vec<u32>,
}

/// `clients` connections, each sending one request after another, until
/// `max` requests were sent or `limit` passed.
async fn run(
    addr: std::net::SocketAddr,
    tok: &str,
    clients: usize,
    max: usize,
    limit: Duration,
    want: u16,
    make: Arc<MakeRequest>,
) -> Step {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + limit;
    let auth = format!("Bearer {tok}");
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (next, make, auth) = (next.clone(), make.clone(), auth.clone());
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let (mut send, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .unwrap();
            tokio::spawn(conn);
            let mut lat = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= max || Instant::now() >= deadline {
                    break;
                }
                let (method, path, body, key) = make(n);
                let mut req = hyper::Request::builder()
                    .method(method)
                    .uri(path)
                    .header("host", "127.0.0.1")
                    .header("authorization", &auth)
                    .header("content-type", "application/json");
                if let Some(k) = key {
                    req = req.header("idempotency-key", k);
                }
                let req = req.body(Full::new(body)).unwrap();
                let t = Instant::now();
                send.ready().await.unwrap();
                let res = send.send_request(req).await.unwrap();
                let status = res.status().as_u16();
                let bytes = res.into_body().collect().await.unwrap().to_bytes();
                lat.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
                assert_eq!(status, want, "{}", String::from_utf8_lossy(&bytes));
            }
            lat
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let seconds = start.elapsed().as_secs_f64();
    latencies.sort_unstable();
    Step {
        requests: latencies.len(),
        seconds,
        latencies,
    }
}

fn pct(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    f64::from(sorted[i]) / 1000.0
}

fn main() {
    // `cargo test --benches` runs this with `--test`-less args too; only
    // `cargo bench` (which passes `--bench`) measures.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("load: run it with `cargo bench -p mizan-server --bench load`");
        return;
    }
    let max = env_num("MIZAN_BENCH_REQUESTS", 50_000) as usize;
    let limit = Duration::from_secs(env_num("MIZAN_BENCH_SECONDS", 10));
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_db(dir.path());
    let store = if db.starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let tok = token(&db);
    let (server, addr) = launch(&db);
    let examples = root().join("examples/uae-integration-2018");
    let sets: Vec<(String, String)> = ENTITIES
        .iter()
        .map(|e| {
            let text = std::fs::read_to_string(examples.join(format!("{e}.json"))).unwrap();
            (e.to_string(), text)
        })
        .collect();
    let sets = Arc::new(sets);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let evaluate: Arc<MakeRequest> = {
        let bodies: Vec<Bytes> = sets.iter().map(|(_, t)| Bytes::from(t.clone())).collect();
        Arc::new(move |n| {
            (
                hyper::Method::POST,
                "/rubrics/uae.integration/2018/evaluate".to_string(),
                bodies[n % bodies.len()].clone(),
                None,
            )
        })
    };
    // Each step stores under its own entities; entity k takes the answer
    // set k % 12 with its id changed, so each request is a new revision.
    let store_step = |step: usize| -> Arc<MakeRequest> {
        let sets = sets.clone();
        Arc::new(move |n| {
            let k = n % 500;
            let (name, text) = &sets[k % sets.len()];
            let entity = format!("s{step}-{k}");
            let body = text.replacen(
                &format!("\"entity\": {{\"id\": \"{name}\""),
                &format!("\"entity\": {{\"id\": \"{entity}\""),
                1,
            );
            (
                hyper::Method::PUT,
                format!("/cycles/{CYCLE}/entities/{entity}/submission"),
                Bytes::from(body),
                Some(format!("bench-{step}-{n}")),
            )
        })
    };

    println!(
        "mizan-server load: {} CPUs, store {store}, at most {max} requests and {}s per step",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        limit.as_secs()
    );
    // Warm up: the first connections, the allocator, the caches.
    rt.block_on(run(addr, &tok, 4, 2000, limit, 200, evaluate.clone()));
    let mut rows = Vec::new();
    for clients in [1, 16, 64] {
        let s = rt.block_on(run(addr, &tok, clients, max, limit, 200, evaluate.clone()));
        rows.push(("POST evaluate", clients, s));
    }
    for (i, clients) in [1, 16, 64].into_iter().enumerate() {
        let s = rt.block_on(run(addr, &tok, clients, max, limit, 201, store_step(i)));
        rows.push(("PUT submission", clients, s));
    }
    println!();
    println!("| request | store | clients | requests | req/s | p50 ms | p99 ms |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for (what, clients, s) in &rows {
        println!(
            "| {what} | {store} | {clients} | {} | {:.0} | {:.2} | {:.2} |",
            s.requests,
            s.requests as f64 / s.seconds,
            pct(&s.latencies, 0.50),
            pct(&s.latencies, 0.99),
        );
    }
    if let Ok(base) = std::env::var("MIZAN_TEST_PG") {
        drop(server);
        // The database fresh_db made: the last part of its URL.
        let name = db.rsplit('/').next().unwrap_or_default();
        let _ = Command::new("psql")
            .args([
                &format!("{base}/postgres"),
                "-qc",
                &format!("DROP DATABASE {name}"),
            ])
            .status();
    }
}
