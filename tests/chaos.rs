//! Chaos: streamed runs with `-o` (`--format jsonl` and `--summary`) are
//! killed at random points with SIGKILL and SIGTERM. Checked: the output
//! file under its final name is only ever the old file or the whole new
//! one (polled while the run goes); after a SIGTERM no temporary file is
//! left; after a SIGKILL the next run removes it. `scripts/chaos.sh` does
//! the same for longer, on any build. Bounded: about ten runs, < 30 s.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const R: &str = "examples/demo/digital-readiness.mizan";

fn mizan() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mizan"));
    c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    c
}

/// Every file in `dir` but the input and the output: temporary files,
/// whatever their naming.
fn temps(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "big.jsonl" && n != "out")
        .collect()
}

/// A small deterministic generator (the seed is printed on failure).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn killed_streaming_runs_never_expose_partial_output() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    let moi: serde_json::Value =
        serde_json::from_str(&fs::read_to_string("examples/demo/answers/moi.json").unwrap()).unwrap();
    let mut batch = String::new();
    for i in 0..20_000 {
        let mut v = moi.clone();
        v["entity"]["id"] = format!("e{i:05}").into();
        batch.push_str(&serde_json::to_string(&v).unwrap());
        batch.push('\n');
    }
    let big = dir.join("big.jsonl");
    fs::write(&big, batch).unwrap();
    let out = dir.join("out");

    let modes: [&str; 2] = ["--format=jsonl", "--summary"];
    let args = |m: &str| ["eval", m, R, big.to_str().unwrap(), "-o", out.to_str().unwrap()].map(String::from);
    // The whole outputs, for reference.
    let mut whole = Vec::new();
    let mut took = Vec::new();
    for m in modes {
        let start = Instant::now();
        let o = mizan().args(args(m)).stderr(Stdio::piped()).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        took.push(start.elapsed());
        whole.push(fs::read(&out).unwrap());
    }
    assert_eq!(whole[0].iter().filter(|&&b| b == b'\n').count(), 20_000);

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut rng = Lcg(seed);
    let budget = Instant::now();
    for round in 0..10 {
        if budget.elapsed() > Duration::from_secs(20) {
            break;
        }
        let m = round % 2;
        let old = format!("old output {round}\n").into_bytes();
        fs::write(&out, &old).unwrap();
        let term = round % 4 < 2;
        // Somewhere in the run (a few rounds may finish first).
        let limit = took[m].as_millis() as u64 + 50;
        let at = Duration::from_millis(rng.next(limit.max(2)));
        let mut child = mizan().args(args(modes[m])).spawn().unwrap();
        let start = Instant::now();
        let mut signalled = false;
        let status = loop {
            // Under the final name: the old file or the whole new one.
            let now = fs::read(&out).unwrap();
            assert!(
                now == old || now == whole[m],
                "seed {seed} round {round}: partial output visible ({} bytes)",
                now.len()
            );
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if !signalled && start.elapsed() >= at {
                signalled = true;
                if term {
                    let pid = child.id().to_string();
                    assert!(Command::new("kill")
                        .args(["-TERM", &pid])
                        .status()
                        .unwrap()
                        .success());
                } else {
                    child.kill().unwrap();
                }
            }
            std::thread::sleep(Duration::from_millis(3));
        };
        let now = fs::read(&out).unwrap();
        if status.success() {
            assert_eq!(now, whole[m], "seed {seed} round {round}");
        } else {
            // Killed: the old output intact (or, killed right after the
            // rename, the whole new one).
            assert!(
                now == old || now == whole[m],
                "seed {seed} round {round}: the old output must be intact"
            );
            if term {
                assert_eq!(
                    temps(dir),
                    Vec::<String>::new(),
                    "seed {seed} round {round}: SIGTERM left a temporary file"
                );
            }
        }
    }
    // The next run removes what a SIGKILL left, and writes the whole output.
    assert!(mizan().args(args(modes[1])).status().unwrap().success());
    assert_eq!(temps(dir), Vec::<String>::new(), "seed {seed}");
    assert_eq!(fs::read(&out).unwrap(), whole[1]);
}
