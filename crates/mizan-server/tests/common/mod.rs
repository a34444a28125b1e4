//! Starts `mizan-server` on 127.0.0.1:0 against a temp SQLite file (or the
//! store in `MIZAN_TEST_DB`, a PostgreSQL URL) and talks to it.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_mizan-server");

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Writes `text` at `rel` under `dir` (a rules tree being made), its
/// directories made as needed.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The shipped UAE 2018 rubric's text, declaring version `v` instead.
pub fn uae_as(v: &str) -> String {
    let src = std::fs::read_to_string(root().join("rules/uae/integration/2018.mizan")).unwrap();
    let out = src.replacen("version \"2018\"", &format!("version \"{v}\""), 1);
    assert!(out.contains(&format!("version \"{v}\"")));
    out
}

/// `text` (UAE 2018 or a copy) with the weight of `partial` in the scale
/// `yes_partial_no_na` (fednet.1.1, 1.3, 1.4) set to 0.75.
pub fn partial_weighs_075(text: &str) -> String {
    let old = "    partial 0.5 ar \"نعم (جزئي)\" en \"Yes (partial)\"";
    assert!(text.contains(old));
    text.replacen(old, "    partial 0.75 ar \"نعم (جزئي)\" en \"Yes (partial)\"", 1)
}

/// `mizan lock ARGS…` (the CLI's lock, as a person runs it).
pub fn lock(args: &[&str]) {
    let out = Command::new(mizan()).arg("lock").args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

pub fn examples() -> PathBuf {
    root().join("examples/uae-integration-2018")
}

/// The root crate's `mizan`, built beside this crate's binary.
pub fn mizan() -> PathBuf {
    let p = Path::new(BIN).parent().unwrap().join("mizan");
    assert!(p.is_file(), "build the CLI first: cargo build --bin mizan");
    p
}

pub struct Server {
    pub child: Child,
    pub base: String,
    pub db: String,
    pub dir: tempfile::TempDir,
    pub rules: PathBuf,
    pub http: reqwest::blocking::Client,
}

/// A fresh store URL: a SQLite file in `dir`, or a fresh PostgreSQL
/// database (MIZAN_TEST_PG: a server URL without the database).
pub fn fresh_db(dir: &Path) -> String {
    match std::env::var("MIZAN_TEST_PG") {
        Ok(base) => {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let name = format!(
                "mizan_test_{}_{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            );
            let st = Command::new("psql")
                .args([
                    &format!("{base}/postgres"),
                    "-qc",
                    &format!("CREATE DATABASE {name}"),
                ])
                .status()
                .unwrap();
            assert!(st.success());
            format!("{base}/{name}")
        }
        Err(_) => format!("sqlite:{}", dir.join("mizan.db").display()),
    }
}

impl Server {
    pub fn start() -> Server {
        Self::start_with(root().join("rules"))
    }

    pub fn start_with(rules: PathBuf) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let db = fresh_db(dir.path());
        Self::spawn(dir, db, rules)
    }

    pub fn spawn(dir: tempfile::TempDir, db: String, rules: PathBuf) -> Server {
        let (child, base) = launch(&db, &rules);
        Server {
            child,
            base,
            db,
            dir,
            rules,
            http: reqwest::blocking::Client::new(),
        }
    }

    pub fn restart(&mut self) {
        let (child, base) = launch(&self.db, &self.rules);
        self.child = child;
        self.base = base;
    }

    pub fn token(&self, args: &[&str]) -> String {
        token(&self.db, args)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, tok: &str, path: &str) -> reqwest::blocking::Response {
        self.http.get(self.url(path)).bearer_auth(tok).send().unwrap()
    }

    pub fn send(&self, method: &str, tok: &str, path: &str, body: &str) -> reqwest::blocking::Response {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        self.http
            .request(m, self.url(path))
            .bearer_auth(tok)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap()
    }

    pub fn put_example(&self, tok: &str, entity: &str) -> reqwest::blocking::Response {
        let body = std::fs::read_to_string(examples().join(format!("{entity}.json"))).unwrap();
        self.send(
            "PUT",
            tok,
            &format!("/cycles/uae-integration-2018/entities/{entity}/submission"),
            &body,
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn token(db: &str, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(["token", "create", "--db", db])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Starts the server; its base URL once it listens.
pub fn launch(db: &str, rules: &Path) -> (Child, String) {
    listening(&mut server(rules, db))
}

/// `mizan-server --rules RULES --db DB`, to be run by [`listening`] or
/// [`refused`].
pub fn server(rules: &Path, db: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["--rules", rules.to_str().unwrap(), "--db", db]);
    cmd
}

/// Runs `cmd` (as for [`listening`]), which must refuse to start: what it
/// said on stderr.
pub fn refused(cmd: &mut Command) -> String {
    let out = cmd.args(["--listen", "127.0.0.1:0"]).output().unwrap();
    assert!(!out.status.success(), "it started: {out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Spawns `cmd` (a server's command, without `--listen`) on 127.0.0.1:0;
/// the child and its base URL, read from the first line it prints.
pub fn listening(cmd: &mut Command) -> (Child, String) {
    // stderr: inherited, unless `cmd` says otherwise.
    let mut child = cmd
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("mizan-server listening on ")
        .unwrap_or_else(|| panic!("no address: {line:?}"))
        .to_string();
    (child, base)
}

/// The UAE 2018 example entities that are valid.
pub const ENTITIES: &[&str] = &[
    "fahr", "fcsa", "gpssa", "ica", "moccae", "moe", "moec", "mof", "mofaic", "mohap", "mohre", "moi",
];

/// Starts `exe` (with `pre` before the server's arguments: `serve` for
/// `mizan`) on `rules` with `extra` flags (`--timeout 1`, `--no-watch`…).
pub fn start_exe(exe: &Path, pre: &[&str], rules: PathBuf, extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_db(dir.path());
    let mut cmd = Command::new(exe);
    cmd.args(pre)
        .args(["--rules", rules.to_str().unwrap(), "--db", &db])
        .args(extra);
    let (child, base) = listening(&mut cmd);
    Server {
        child,
        base,
        db,
        dir,
        rules,
        http: reqwest::blocking::Client::new(),
    }
}
