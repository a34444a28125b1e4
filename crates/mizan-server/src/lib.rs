//! `mizan-server`: submissions against versioned rules, over HTTP, with a
//! SQLite or PostgreSQL store (docs/server.md).

pub mod api;
pub mod auth;
pub mod error;
pub mod metrics;
pub mod rules;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest request body accepted (413 `payload_too_large` above).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Longest a request may take (408 `timeout`).
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// Requests handled at once; more wait their turn.
pub const CONCURRENCY: usize = 256;

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
    /// Where to listen.
    pub listen: String,
}

/// Loads the rules and opens the store (every problem, when it cannot).
pub async fn prepare(config: &Config) -> Result<Arc<api::App>, Vec<String>> {
    let dir = config.rules.clone();
    let rules = tokio::task::spawn_blocking(move || rules::load(&dir))
        .await
        .map_err(|e| vec![e.to_string()])??;
    let store = store::Store::connect(&config.db)
        .await
        .map_err(|e| vec![format!("{}: {e}", config.db)])?;
    file_cycles(&store, &rules).await?;
    // A new store: one admin token, shown once (on stderr), so that the
    // first requests need no other command.
    if !store.has_tokens().await.map_err(|e| vec![e.to_string()])? {
        let token = auth::generate().map_err(|e| vec![e])?;
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
        eprintln!("mizan-server: a new store: its admin token (shown once): {token}");
    }
    Ok(Arc::new(api::App {
        rules: std::sync::RwLock::new(Arc::new(rules)),
        store,
        metrics: metrics::Metrics::default(),
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

/// Loads the rules again (SIGHUP): the new tree replaces the old one whole
/// when it loads clean; otherwise the old one stays, and why is said.
pub async fn reload(app: &api::App, dir: PathBuf) -> Result<usize, Vec<String>> {
    let rules = tokio::task::spawn_blocking(move || rules::load(&dir))
        .await
        .map_err(|e| vec![e.to_string()])??;
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
            .is_none_or(|v| !v.starts_with("application/json"))
    {
        error::for_status(status).into_response()
    } else {
        res
    };
    app.metrics
        .request(&method, &route, status.as_u16(), start.elapsed().as_secs_f64());
    res
}

/// The whole service: routes and layers.
pub fn service(app: Arc<api::App>) -> axum::Router {
    api::router(app.clone())
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT))
        // Inside `observe`, so that a timeout's answer is JSON and counted.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            TIMEOUT,
        ))
        .layer(axum::middleware::from_fn(move |req, next| {
            observe(app.clone(), req, next)
        }))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(CONCURRENCY))
}

/// Serves until SIGTERM or Ctrl-C, then drains the requests in flight.
pub async fn serve(config: Config) -> Result<(), Vec<String>> {
    let app = prepare(&config).await?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| vec![format!("{}: {e}", config.listen)])?;
    let addr: SocketAddr = listener.local_addr().map_err(|e| vec![e.to_string()])?;
    // The address, for scripts and tests that listen on port 0.
    println!("mizan-server listening on http://{addr}");
    let store = app.store.clone();
    {
        let (app, dir) = (app.clone(), config.rules.clone());
        tokio::spawn(async move {
            let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
                return;
            };
            while hup.recv().await.is_some() {
                match reload(&app, dir.clone()).await {
                    Ok(n) => eprintln!("mizan-server: rules reloaded ({n} rubric versions)"),
                    Err(errors) => {
                        for e in errors {
                            eprintln!("error: {e}");
                        }
                        eprintln!("mizan-server: the rules were not reloaded; the previous ones stay");
                    }
                }
            }
        });
    }
    axum::serve(listener, service(app))
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| vec![e.to_string()])?;
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
