//! `mizan-server`: submissions against versioned rules, over HTTP, with a
//! SQLite or PostgreSQL store (docs/server.md).

pub mod api;
pub mod auth;
pub mod drafts;
pub mod error;
pub mod form;
pub mod metrics;
pub mod rules;
pub mod store;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest request body accepted by default (413 `payload_too_large`
/// above; `--body-limit`).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Longest a request may take by default (408 `timeout`; `--timeout`).
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// Requests handled at once by default (`--max-concurrency`).
pub const CONCURRENCY: usize = 256;
/// Requests that may wait for a slot by default (`--max-queue`); more are
/// shed with 503 `overloaded`.
pub const QUEUE: usize = 1024;
/// Longest a client may take to send a request's headers by default
/// (`--header-timeout`): the connection is closed after it.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the rules tree must stay quiet after a change before it is
/// loaded again by default (`--reload-debounce`).
pub const RELOAD_DEBOUNCE: Duration = Duration::from_millis(500);

/// Limits and timeouts: the defaults above, or the flags.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest request body, in bytes (413 above).
    pub body_limit: usize,
    /// Longest a request may take, reading its body included (408).
    pub timeout: Duration,
    /// Requests handled at once.
    pub max_concurrency: usize,
    /// Requests that may wait for a slot (each at most `timeout`); more
    /// get 503 `overloaded` with `Retry-After`.
    pub max_queue: usize,
    /// Longest a client may take to send the headers of a request.
    pub header_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_limit: BODY_LIMIT,
            timeout: TIMEOUT,
            max_concurrency: CONCURRENCY,
            max_queue: QUEUE,
            header_timeout: HEADER_TIMEOUT,
        }
    }
}

/// The OpenAPI 3.1 document, as JSON text.
pub fn openapi_json() -> String {
    use utoipa::OpenApi;
    api::Doc::openapi().to_pretty_json().unwrap_or_default()
}

/// How to serve.
pub struct Config {
    /// The rules tree.
    pub rules: PathBuf,
    /// The store's URL.
    pub db: String,
    /// Most connections to the store (`None`: the store's default).
    pub db_pool: Option<u32>,
    /// Where to listen.
    pub listen: String,
    /// Limits and timeouts.
    pub limits: Limits,
    /// Quiet time after a change of the rules tree before it is loaded
    /// again; `None`: only SIGHUP reloads.
    pub watch: Option<Duration>,
    /// A new store's first admin token (`MIZAN_ADMIN_TOKEN`), instead of a
    /// generated one; ignored once the store has a token.
    pub admin_token: Option<String>,
    /// How long a found token is trusted before the store is asked again
    /// (and so how long a revoked one still works here).
    pub token_ttl: Duration,
}

/// Shortest token `MIZAN_ADMIN_TOKEN` may give.
pub const ADMIN_TOKEN_MIN: usize = 16;

/// Loads the rules and opens the store (every problem, when it cannot).
pub async fn prepare(config: &Config) -> Result<Arc<api::App>, Vec<String>> {
    let dir = config.rules.clone();
    let rules = tokio::task::spawn_blocking(move || rules::load(&dir))
        .await
        .map_err(|e| vec![e.to_string()])??;
    let store = store::Store::connect_with(&config.db, config.db_pool)
        .await
        .map_err(|e| vec![format!("{}: {e}", config.db)])?
        .with_token_ttl(config.token_ttl);
    file_cycles(&store, &rules).await?;
    scored_unchanged(&store, &rules).await?;
    if let Some(t) = &config.admin_token {
        if t.chars().count() < ADMIN_TOKEN_MIN || !t.chars().all(|c| c.is_ascii_graphic()) {
            return Err(vec![format!(
                "MIZAN_ADMIN_TOKEN must be at least {ADMIN_TOKEN_MIN} printable ASCII characters without spaces"
            )]);
        }
    }
    // A new store: one admin token (MIZAN_ADMIN_TOKEN's, or one generated
    // and shown once on stderr), so that the first requests need no other
    // command.
    if !store.has_tokens().await.map_err(|e| vec![e.to_string()])? {
        let (token, given) = match &config.admin_token {
            Some(t) => (t.clone(), true),
            None => (auth::generate().map_err(|e| vec![e])?, false),
        };
        let row = store::TokenRow {
            hash: auth::hash(&token),
            role: auth::Role::Admin.name().to_string(),
            entity: None,
            cycle: None,
        };
        store
            .add_token(&row, "bootstrap")
            .await
            .map_err(|e| vec![e.to_string()])?;
        if given {
            eprintln!("mizan-server: a new store: its admin token is MIZAN_ADMIN_TOKEN's");
        } else {
            eprintln!("mizan-server: a new store: its admin token (shown once): {token}");
        }
    } else if config.admin_token.is_some() {
        eprintln!("mizan-server: the store has tokens already: MIZAN_ADMIN_TOKEN is ignored");
    }
    Ok(Arc::new(api::App {
        rules: std::sync::RwLock::new(Arc::new(rules)),
        store,
        metrics: metrics::Metrics::default(),
        storing: tokio::sync::RwLock::new(()),
    }))
}

/// Cycle files: created once; a cycle may never move to another version.
async fn file_cycles(store: &store::Store, rules: &rules::Rules) -> Result<(), Vec<String>> {
    for (id, (rubric, version)) in &rules.cycles {
        match store.cycle(id).await.map_err(|e| vec![e.to_string()])? {
            Some((r, v)) if (&r, &v) == (rubric, version) => {}
            Some((r, v)) => {
                return Err(vec![format!(
                    "cycle {id} is declared for {rubric} {version} but the store has it for {r} {v}: a cycle's version never changes (declare a new cycle)"
                )])
            }
            None => {
                store
                    .create_cycle(id, rubric, version, "cycle-file")
                    .await
                    .map_err(|e| vec![e.to_string()])?;
            }
        }
    }
    Ok(())
}

/// A rubric version that scored stored submissions keeps the rules that
/// scored them: the tree may add versions and change versions nothing was
/// stored under, but a stored submission is never re-scored under other
/// rules with the same id and version (release a new version instead).
async fn scored_unchanged(store: &store::Store, rules: &rules::Rules) -> Result<(), Vec<String>> {
    let scored = store.scored_versions().await.map_err(|e| vec![e.to_string()])?;
    let errors: Vec<String> = scored
        .iter()
        .filter_map(|(id, version, sha)| {
            let l = rules.get(id, version)?;
            let now = &l.rubric.model().sha256;
            (now != sha).then(|| {
                format!(
                    "{}: {id} {version} scored stored submissions with rules of sha256 {sha}; this file's sha256 is {now}: a stored submission is never re-scored under other rules (restore the file, or release a new version and a new cycle)",
                    l.path.display()
                )
            })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Loads the rules again (SIGHUP, or a change under `--rules`): the new tree replaces the old one whole
/// when it loads clean; otherwise the old one stays, and why is said.
pub async fn reload(app: &api::App, dir: PathBuf) -> Result<usize, Vec<String>> {
    let rules = tokio::task::spawn_blocking(move || rules::load(&dir))
        .await
        .map_err(|e| vec![e.to_string()])??;
    // No submission is stored between the check and the swap.
    let _storing = app.storing.write().await;
    scored_unchanged(&app.store, &rules).await?;
    file_cycles(&app.store, &rules).await?;
    let n = rules.rubrics.len();
    match app.rules.write() {
        Ok(mut r) => *r = Arc::new(rules),
        Err(poisoned) => *poisoned.into_inner() = Arc::new(rules),
    }
    Ok(n)
}

/// Counts the request and gives every error answer a JSON body.
async fn observe(app: Arc<api::App>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_ascii_lowercase();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    let status = res.status();
    let res = if status.as_u16() >= 400
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| !v.starts_with("application/json") && !v.starts_with("text/html"))
    {
        error::for_status(status).into_response()
    } else {
        res
    };
    app.metrics
        .request(&method, &route, status.as_u16(), start.elapsed().as_secs_f64());
    res
}

/// The concurrency limit: `max_concurrency` slots; a request without one
/// waits in a queue of at most `max_queue` for at most the request
/// timeout, and is shed (503 `overloaded`, `Retry-After: 1`) when the
/// queue is full or the wait runs out. `/healthz` and `/metrics` are not
/// limited: a busy server is alive, and says how busy.
struct Gate {
    slots: Arc<tokio::sync::Semaphore>,
    max_queue: usize,
    wait: Duration,
}

/// A gauge counted up while this lives (a request dropped mid-way, its
/// client gone, counts down too).
struct Up<'a>(&'a std::sync::atomic::AtomicUsize);

impl<'a> Up<'a> {
    fn new(g: &'a std::sync::atomic::AtomicUsize) -> Self {
        g.fetch_add(1, Ordering::SeqCst);
        Up(g)
    }
}

impl Drop for Up<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn admit(gate: Arc<Gate>, app: Arc<api::App>, req: Request, next: Next) -> Response {
    if matches!(req.uri().path(), "/healthz" | "/metrics") {
        return next.run(req).await;
    }
    let _permit = match gate.slots.clone().try_acquire_owned() {
        Ok(p) => p,
        Err(_) => {
            let waiting = Up::new(&app.metrics.queued);
            if app.metrics.queued.load(Ordering::SeqCst) > gate.max_queue {
                drop(waiting);
                return overloaded(&app);
            }
            let got = tokio::time::timeout(gate.wait, gate.slots.clone().acquire_owned()).await;
            drop(waiting);
            match got {
                Ok(Ok(p)) => p,
                _ => return overloaded(&app),
            }
        }
    };
    let _busy = Up::new(&app.metrics.in_flight);
    next.run(req).await
}

fn overloaded(app: &api::App) -> Response {
    app.metrics.shed.fetch_add(1, Ordering::Relaxed);
    error::ApiError::new(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        "overloaded",
        "the server is at its concurrency limit and its queue is full: retry later",
    )
    .into_response()
}

/// The whole service: routes and layers (outermost first: `observe`, the
/// concurrency limit, the timeout, the body limit).
pub fn service(app: Arc<api::App>, limits: &Limits) -> axum::Router {
    let gate = Arc::new(Gate {
        slots: Arc::new(tokio::sync::Semaphore::new(limits.max_concurrency.max(1))),
        max_queue: limits.max_queue,
        wait: limits.timeout,
    });
    let admitted = app.clone();
    api::router(app.clone())
        .layer(DefaultBodyLimit::max(limits.body_limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(limits.body_limit))
        // Inside `observe`, so that a timeout's answer is JSON and counted;
        // reading the body is part of the request's time.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            limits.timeout,
        ))
        .layer(axum::middleware::from_fn(move |req, next| {
            admit(gate.clone(), admitted.clone(), req, next)
        }))
        .layer(axum::middleware::from_fn(move |req, next| {
            observe(app.clone(), req, next)
        }))
}

/// Loads the rules again and says what came of it on stderr.
async fn reload_and_say(app: &api::App, dir: PathBuf, why: &str) {
    match reload(app, dir).await {
        Ok(n) => {
            app.metrics.reloads.fetch_add(1, Ordering::SeqCst);
            eprintln!("mizan-server: rules reloaded ({why}; {n} rubric versions)");
        }
        Err(errors) => {
            app.metrics.reload_failures.fetch_add(1, Ordering::SeqCst);
            for e in errors {
                eprintln!("error: {e}");
            }
            eprintln!("mizan-server: the rules were not reloaded ({why}); the previous ones stay");
        }
    }
}

/// Watches the rules tree: after a change, once it has been quiet for
/// `debounce`, loads it again. The watcher lives as long as the task.
///
/// `--rules` may be a symbolic link that a deployment swaps to a new
/// release (`ln -sfn releases/42 current`): the link's directory is watched
/// too (that entry only), and when the link points elsewhere the tree's
/// watch moves to the new target, so that the swap is a change like any
/// other.
fn watch_rules(app: Arc<api::App>, dir: PathBuf, debounce: Duration) -> Result<(), String> {
    use notify::Watcher;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let link = std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink());
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let name = dir.file_name().map(std::ffi::OsStr::to_os_string);
    let in_parent = parent.clone();
    let mut watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
        // Reads are not changes; anything else (an error too) is looked at,
        // except other entries of the link's directory.
        if let Ok(e) = &ev {
            let elsewhere = !e.paths.is_empty()
                && e.paths
                    .iter()
                    .all(|p| p.parent() == Some(in_parent.as_path()) && p.file_name() != name.as_deref());
            if e.kind.is_access() || (link && elsewhere) {
                return;
            }
        }
        let _ = tx.send(());
    })
    .map_err(|e| e.to_string())?;
    watcher
        .watch(&dir, notify::RecursiveMode::Recursive)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    if link {
        watcher
            .watch(&parent, notify::RecursiveMode::NonRecursive)
            .map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    tokio::spawn(async move {
        let mut watcher = watcher;
        let mut target = std::fs::canonicalize(&dir).ok();
        while rx.recv().await.is_some() {
            // Debounce: wait until nothing changed for `debounce`, so that
            // a rule file and its lock written one after the other load as
            // one tree.
            while let Ok(Some(())) = tokio::time::timeout(debounce, rx.recv()).await {}
            let now = std::fs::canonicalize(&dir).ok();
            let why = if link && now != target {
                // The link was swapped: watch the new release's tree.
                let _ = watcher.unwatch(&dir);
                if let Err(e) = watcher.watch(&dir, notify::RecursiveMode::Recursive) {
                    eprintln!(
                        "error: {}: {e} (its changes are not watched: send SIGHUP)",
                        dir.display()
                    );
                }
                target = now;
                "the rules link points to another tree"
            } else {
                "the rules tree changed"
            };
            reload_and_say(&app, dir.clone(), why).await;
        }
    });
    Ok(())
}

/// Serves until SIGTERM or Ctrl-C, then drains the requests in flight.
pub async fn serve(config: Config) -> Result<(), Vec<String>> {
    let app = prepare(&config).await?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| vec![format!("{}: {e}", config.listen)])?;
    let addr: SocketAddr = listener.local_addr().map_err(|e| vec![e.to_string()])?;
    let store = app.store.clone();
    {
        let (app, dir) = (app.clone(), config.rules.clone());
        tokio::spawn(async move {
            let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
                return;
            };
            while hup.recv().await.is_some() {
                reload_and_say(&app, dir.clone(), "SIGHUP").await;
            }
        });
    }
    if let Some(debounce) = config.watch {
        watch_rules(app.clone(), config.rules.clone(), debounce).map_err(|e| vec![e])?;
    }
    // The address, for scripts and tests that listen on port 0 (once the
    // watcher is in place: a change after this line is seen).
    println!("mizan-server listening on http://{addr}");
    let router = service(app, &config.limits);
    // hyper's HTTP/1 connections, as `axum::serve` makes them, with a
    // timer: a client that does not send a request's headers within
    // `header_timeout` is disconnected (slow clients hold no connection).
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(config.limits.header_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, go on.
                        eprintln!("mizan-server: accept: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let svc = hyper_util::service::TowerToHyperService::new(router.clone());
                let conn = http.serve_connection(hyper_util::rt::TokioIo::new(stream), svc);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = &mut stop => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
    store.close().await;
    Ok(())
}

async fn shutdown() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = term => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
