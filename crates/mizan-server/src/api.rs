//! The routes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use mizan::answers::Origin;
use mizan::eval::Batch;
use mizan::render::Lang;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{caller, Caller, Role};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::rules::{Loaded, Rules};
use crate::store::{NewSubmission, Store};

/// What every handler reads.
pub struct App {
    /// The rules: loaded at start, replaced whole on SIGHUP.
    pub rules: std::sync::RwLock<Arc<Rules>>,
    /// The store.
    pub store: Store,
    /// Counters.
    pub metrics: Metrics,
    /// Held (shared) while a submission is scored and stored, and
    /// (exclusive) while a reload checks the new tree against the stored
    /// submissions and puts it in place: no submission is stored under
    /// rules that a reload is replacing.
    pub storing: tokio::sync::RwLock<()>,
}

type St = State<Arc<App>>;

impl App {
    /// The rules now (a request keeps the tree it started with).
    pub fn rules(&self) -> Arc<Rules> {
        match self.rules.read() {
            Ok(r) => r.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// Every route: (method, path), as in the OpenAPI document.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/openapi.json"),
    ("get", "/rubrics"),
    ("get", "/rubrics/{id}/{version}"),
    ("post", "/rubrics/{id}/{version}/evaluate"),
    ("get", "/cycles"),
    ("post", "/cycles"),
    ("put", "/cycles/{cycle}/entities/{entity}/submission"),
    ("get", "/cycles/{cycle}/entities/{entity}"),
    ("get", "/cycles/{cycle}/results"),
    ("get", "/cycles/{cycle}/export"),
    ("post", "/cycles/{cycle}/what-if"),
    ("get", "/login"),
    ("post", "/login"),
    ("post", "/logout"),
    ("get", "/cycles/{cycle}/entities/{entity}/form"),
    ("post", "/cycles/{cycle}/entities/{entity}/form"),
];

/// The router (without the server's layers).
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .route("/rubrics", get(rubrics))
        .route("/rubrics/{id}/{version}", get(rubric))
        .route("/rubrics/{id}/{version}/evaluate", post(evaluate))
        .route("/cycles", get(cycles).post(create_cycle))
        .route("/cycles/{cycle}/entities/{entity}/submission", put(submit))
        .route("/cycles/{cycle}/entities/{entity}", get(entity))
        .route("/cycles/{cycle}/results", get(results))
        .route("/cycles/{cycle}/export", get(export))
        .route("/cycles/{cycle}/what-if", post(what_if))
        .merge(crate::form::routes())
        .with_state(app)
}

/// `?lang=ar|en` (English by default).
#[derive(Deserialize, Default)]
pub struct LangQuery {
    lang: Option<String>,
}

fn lang(q: &LangQuery) -> Lang {
    match q.lang.as_deref() {
        Some("ar") => Lang::Ar,
        _ => Lang::En,
    }
}

fn json_text(status: StatusCode, text: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}

fn json_value(status: StatusCode, v: &Value) -> Response {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    json_text(status, s)
}

fn titles(l: &Loaded) -> Value {
    json!(l.rubric.model().title)
}

#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "The process runs")))]
async fn healthz() -> Response {
    json_value(StatusCode::OK, &json!({"status": "ok"}))
}

#[utoipa::path(get, path = "/readyz", responses((status = 200, description = "Rules loaded and the store answers"), (status = 503, description = "The store does not answer (`store_unavailable`)")))]
async fn readyz(State(app): St) -> Response {
    if app.store.ping().await {
        json_value(
            StatusCode::OK,
            &json!({"status": "ready", "rubrics": app.rules().rubrics.len()}),
        )
    } else {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            "the store does not answer",
        )
        .into_response()
    }
}

#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text: requests, latencies, evaluations, rejections")))]
async fn metrics(State(app): St) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(),
    )
        .into_response()
}

#[utoipa::path(get, path = "/openapi.json", responses((status = 200, description = "This OpenAPI 3.1 document")))]
async fn openapi() -> Response {
    json_text(StatusCode::OK, crate::openapi_json())
}

#[utoipa::path(get, path = "/rubrics", security(("bearer" = [])), responses((status = 200, description = "Every rubric version: id, version, sha256, titles"), (status = 401, description = "`unauthorized`")))]
async fn rubrics(State(app): St, headers: HeaderMap) -> Result<Response, ApiError> {
    caller(&app.store, &headers).await?;
    let list: Vec<Value> = app
        .rules()
        .rubrics
        .values()
        .map(|l| {
            let m = l.rubric.model();
            json!({"id": m.id, "version": m.version, "sha256": m.sha256, "title": titles(l)})
        })
        .collect();
    Ok(json_value(StatusCode::OK, &json!({ "rubrics": list })))
}

#[utoipa::path(get, path = "/rubrics/{id}/{version}", security(("bearer" = [])), params(("id" = String, Path), ("version" = String, Path)), responses((status = 200, description = "id, version, sha256, titles, the JSON Schema of its answer sets, the source text"), (status = 404, description = "`unknown_rubric`")))]
async fn rubric(
    State(app): St,
    headers: HeaderMap,
    Path((id, version)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
) -> Result<Response, ApiError> {
    caller(&app.store, &headers).await?;
    let l = find(&app, &id, &version)?;
    let m = l.rubric.model();
    Ok(json_value(
        StatusCode::OK,
        &json!({
            "id": m.id, "version": m.version, "sha256": m.sha256, "title": titles(&l),
            "schema": mizan::render::schema::answer_schema(m, lang(&q)),
            "source": l.source,
        }),
    ))
}

fn find(app: &App, id: &str, version: &str) -> Result<Arc<Loaded>, ApiError> {
    app.rules().get(id, version).cloned().ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_rubric",
            format!("no rubric {id} version {version}"),
        )
    })
}

/// Reads a posted answer set for `l` and scores it: the batch of one, or
/// the error answer (415, 400, 422; a rejection's messages in `lang`, the
/// web form's words, docs/form.md).
fn score_one(
    app: &App,
    l: &Loaded,
    headers: &HeaderMap,
    body: &Bytes,
    entity: Option<&str>,
    origin: &str,
    lang: Lang,
) -> Result<(Batch, String), ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence != "application/json" {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be application/json",
        ));
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", "the body is not UTF-8"))?
        .to_string();
    let origin = Origin {
        file: origin.to_string(),
        line: None,
    };
    let parsed = match mizan::answers::parse_json(&origin, &text) {
        Ok(j) => j,
        Err(problems) => {
            let mut e = ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", "the body is not JSON");
            e.problems = problems.iter().map(mizan::render::json::problem).collect();
            return Err(e);
        }
    };
    let m = l.rubric.model();
    let v = &parsed.value;
    if v.is_object() {
        let field = |k: &str| match v.get(k) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        if let (Some(r), Some(ver)) = (field("rubric"), field("version")) {
            if r != m.id || ver != m.version {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "rubric_mismatch",
                    format!("the answer set is for {r} {ver}, not {} {}", m.id, m.version),
                ));
            }
        }
        if let Some(want) = entity {
            if let Some(got) = v.pointer("/entity/id").and_then(Value::as_str) {
                if got != want {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "entity_mismatch",
                        format!("the answer set is for entity {got}, not {want}"),
                    ));
                }
            }
        }
    }
    let batch = score_text(app, l, origin, text.clone(), lang)?;
    Ok((batch, text))
}

/// Scores one answer set's text (counted in the metrics): its batch, or
/// 422 `rejected` with every problem, worded in `lang` as the web form
/// words them.
pub(crate) fn score_text(
    app: &App,
    l: &Loaded,
    origin: Origin,
    text: String,
    lang: Lang,
) -> Result<Batch, ApiError> {
    let batch = l.rubric.evaluate_batch(vec![(origin, text)]);
    app.metrics.evaluated(batch.rejected > 0);
    if batch.rejected > 0 || batch.results.is_empty() {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "rejected",
            "the answer set is rejected: see problems",
        );
        e.problems = batch
            .errors
            .iter()
            .map(|r| mizan::render::json::ProblemOut {
                message: mizan::render::form::message(lang, &r.error),
                ..mizan::render::json::problem(r)
            })
            .collect();
        return Err(e);
    }
    Ok(batch)
}

#[utoipa::path(post, path = "/rubrics/{id}/{version}/evaluate", security(("bearer" = [])), params(("id" = String, Path), ("version" = String, Path), ("lang" = Option<String>, Query, description = "en (default) or ar: the result's labels, and a rejection's messages (as the web form words them)")), request_body(content_type = "application/json", description = "One answer set"), responses((status = 200, description = "Exactly `mizan eval --format json` for that entity"), (status = 422, description = "`rejected` (with every problem: code, message, pointer), `rubric_mismatch`"), (status = 400, description = "`malformed_json`"), (status = 413, description = "`payload_too_large`"), (status = 415, description = "`unsupported_media_type`")))]
async fn evaluate(
    State(app): St,
    headers: HeaderMap,
    Path((id, version)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller(&app.store, &headers).await?;
    let l = find(&app, &id, &version)?;
    let (batch, _) = score_one(&app, &l, &headers, &body, None, "request", lang(&q))?;
    Ok(json_text(
        StatusCode::OK,
        mizan::render::json::to_string_in(l.rubric.model(), &batch, lang(&q)),
    ))
}

/// The cycle's rubric, when the caller may see the cycle at all.
pub(crate) async fn cycle_rubric(app: &App, cycle: &str) -> Result<Arc<Loaded>, ApiError> {
    let (id, version) = app
        .store
        .cycle(cycle)
        .await
        .map_err(|e| ApiError::store(&e))?
        .ok_or_else(ApiError::not_found)?;
    app.rules().get(&id, &version).cloned().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "rubric_not_loaded",
            format!("the cycle's rubric {id} {version} is not under --rules"),
        )
    })
}

#[utoipa::path(get, path = "/cycles", security(("bearer" = [])), responses((status = 200, description = "The cycles the caller may see")))]
async fn cycles(State(app): St, headers: HeaderMap) -> Result<Response, ApiError> {
    let c = caller(&app.store, &headers).await?;
    let list: Vec<Value> = app
        .store
        .cycles()
        .await
        .map_err(|e| ApiError::store(&e))?
        .into_iter()
        .filter(|(id, _, _)| c.role == Role::Admin || c.cycle.as_deref().is_none_or(|x| x == id))
        .map(|(id, r, v)| json!({"id": id, "rubric": r, "version": v}))
        .collect();
    Ok(json_value(StatusCode::OK, &json!({ "cycles": list })))
}

/// `POST /cycles` body.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCycle {
    /// Cycle id.
    id: String,
    /// Rubric id.
    rubric: String,
    /// Rubric version.
    version: String,
}

#[utoipa::path(post, path = "/cycles", security(("bearer" = [])), request_body = NewCycle, responses((status = 201, description = "Created"), (status = 409, description = "`cycle_exists`"), (status = 404, description = "`not_found` (not an admin), `unknown_rubric`")))]
async fn create_cycle(State(app): St, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let c = caller(&app.store, &headers).await?;
    if c.role != Role::Admin {
        return Err(ApiError::not_found());
    }
    let n: NewCycle = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", e.to_string()))?;
    find(&app, &n.rubric, &n.version)?;
    if !valid_id(&n.id) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "a cycle id is letters, digits, `.`, `-`, `_`",
        ));
    }
    let created = app
        .store
        .create_cycle(&n.id, &n.rubric, &n.version, &c.id)
        .await
        .map_err(|e| ApiError::store(&e))?;
    if !created {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "cycle_exists",
            format!("cycle {} exists", n.id),
        ));
    }
    Ok(json_value(
        StatusCode::CREATED,
        &json!({"id": n.id, "rubric": n.rubric, "version": n.version}),
    ))
}

/// Whether `s` is a usable id in a path.
pub fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[utoipa::path(put, path = "/cycles/{cycle}/entities/{entity}/submission", security(("bearer" = [])), params(("cycle" = String, Path), ("entity" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body(content_type = "application/json", description = "The entity's answer set"), responses((status = 201, description = "Stored: the revision, and its score"), (status = 200, description = "Stored before under this Idempotency-Key: the same revision"), (status = 404, description = "`not_found`: no such cycle, or not the caller's entity"), (status = 422, description = "`rejected`, `rubric_mismatch`, `entity_mismatch`, `idempotency_key_reused`")))]
async fn submit(
    State(app): St,
    headers: HeaderMap,
    Path((cycle, entity)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let c = caller(&app.store, &headers).await?;
    if !c.writes_entity(&cycle, &entity) {
        return Err(ApiError::not_found());
    }
    let _storing = app.storing.read().await;
    let l = cycle_rubric(&app, &cycle).await?;
    let origin = format!("{entity}.json");
    let (batch, text) = score_one(&app, &l, &headers, &body, Some(&entity), &origin, Lang::En)?;
    let sha = crate::auth::sha256_hex(text.as_bytes());
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let m = l.rubric.model();
    let (rev, replayed) = app
        .store
        .submit(&NewSubmission {
            cycle: &cycle,
            entity: &entity,
            author: &c.id,
            sha256: &sha,
            rubric: (&m.id, &m.version, &m.sha256),
            idempotency_key: key,
            body: &text,
        })
        .await
        .map_err(|e| ApiError::store(&e))?;
    if replayed && rev.sha256 != sha {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key stored another body",
        ));
    }
    let score = batch
        .results
        .first()
        .map(|r| mizan::render::json::entity_in(m, r, Lang::En));
    let status = if replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(json_value(
        status,
        &json!({"cycle": cycle, "entity": entity, "revision": rev, "replayed": replayed, "result": score}),
    ))
}

#[utoipa::path(get, path = "/cycles/{cycle}/entities/{entity}", security(("bearer" = [])), params(("cycle" = String, Path), ("entity" = String, Path), ("lang" = Option<String>, Query)), responses((status = 200, description = "Score, explain tree and revision history"), (status = 404, description = "`not_found`")))]
async fn entity(
    State(app): St,
    headers: HeaderMap,
    Path((cycle, entity)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
) -> Result<Response, ApiError> {
    let c = caller(&app.store, &headers).await?;
    if !c.reads_entity(&cycle, &entity) {
        return Err(ApiError::not_found());
    }
    let l = cycle_rubric(&app, &cycle).await?;
    let (revisions, body) = app
        .store
        .history(&cycle, &entity)
        .await
        .map_err(|e| ApiError::store(&e))?;
    let Some(body) = body else {
        return Err(ApiError::not_found());
    };
    let lang = lang(&q);
    let m = l.rubric.model();
    let batch = l.rubric.evaluate_batch(vec![(
        Origin {
            file: format!("{entity}.json"),
            line: None,
        },
        body,
    )]);
    let r = batch.results.first();
    Ok(json_value(
        StatusCode::OK,
        &json!({
            "cycle": cycle,
            "entity": entity,
            "rubric": mizan::render::json::RubricInfo::new(m),
            "result": r.map(|r| mizan::render::json::entity_in(m, r, lang)),
            "explain": r.map(|r| mizan::render::explain::render_in(m, r, lang)),
            "revisions": revisions,
        }),
    ))
}

async fn cycle_batch(app: &App, c: &Caller, cycle: &str) -> Result<(Arc<Loaded>, Batch), ApiError> {
    if !c.reads_cycle(cycle) {
        return Err(ApiError::not_found());
    }
    let l = cycle_rubric(app, cycle).await?;
    let inputs = latest_inputs(app, cycle).await?;
    let batch = l.rubric.evaluate_batch(inputs);
    Ok((l, batch))
}

async fn latest_inputs(app: &App, cycle: &str) -> Result<Vec<(Origin, String)>, ApiError> {
    Ok(app
        .store
        .latest(cycle)
        .await
        .map_err(|e| ApiError::store(&e))?
        .into_iter()
        .map(|(e, body)| {
            (
                Origin {
                    file: format!("{e}.json"),
                    line: None,
                },
                body,
            )
        })
        .collect())
}

#[utoipa::path(get, path = "/cycles/{cycle}/results", security(("bearer" = [])), params(("cycle" = String, Path), ("lang" = Option<String>, Query)), responses((status = 200, description = "`mizan eval --format json` on the latest submissions"), (status = 404, description = "`not_found`")))]
async fn results(
    State(app): St,
    headers: HeaderMap,
    Path(cycle): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response, ApiError> {
    let c = caller(&app.store, &headers).await?;
    let (l, batch) = cycle_batch(&app, &c, &cycle).await?;
    Ok(json_text(
        StatusCode::OK,
        mizan::render::json::to_string_in(l.rubric.model(), &batch, lang(&q)),
    ))
}

/// `?format=jsonl|xlsx&lang=`.
#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
    lang: Option<String>,
}

#[utoipa::path(get, path = "/cycles/{cycle}/export", security(("bearer" = [])), params(("cycle" = String, Path), ("format" = Option<String>, Query, description = "jsonl (default) or xlsx"), ("lang" = Option<String>, Query)), responses((status = 200, description = "One JSON line per entity, or the results workbook"), (status = 400, description = "`bad_request`: unknown format")))]
async fn export(
    State(app): St,
    headers: HeaderMap,
    Path(cycle): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let c = caller(&app.store, &headers).await?;
    let (l, batch) = cycle_batch(&app, &c, &cycle).await?;
    let m = l.rubric.model();
    let lang = lang(&LangQuery { lang: q.lang.clone() });
    match q.format.as_deref().unwrap_or("jsonl") {
        "jsonl" => {
            let mut out = Vec::new();
            for (r, rank) in batch.results.iter().zip(&batch.ranks) {
                let line = mizan::render::json::EntityOut {
                    rank: m.population.rank.as_ref().map(|_| *rank),
                    ..mizan::render::json::entity_in(m, r, lang)
                };
                out.extend_from_slice(serde_json::to_string(&line).unwrap_or_default().as_bytes());
                out.push(b'\n');
            }
            Ok((
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/x-ndjson")],
                out,
            )
                .into_response())
        }
        "xlsx" => {
            let bytes = mizan::render::xlsx::results(m, &batch, lang).map_err(|e| {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "export_failed", e.to_string())
            })?;
            Ok((
                StatusCode::OK,
                [(
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )],
                bytes,
            )
                .into_response())
        }
        other => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("unknown format `{other}` (jsonl, xlsx)"),
        )),
    }
}

/// `?version=V`.
#[derive(Deserialize)]
pub struct WhatIfQuery {
    version: Option<String>,
    lang: Option<String>,
}

#[utoipa::path(post, path = "/cycles/{cycle}/what-if", security(("bearer" = [])), params(("cycle" = String, Path), ("version" = String, Query), ("lang" = Option<String>, Query)), responses((status = 200, description = "`mizan diff --answers --format json` of the cycle's version against V on the latest submissions (nothing stored)"), (status = 404, description = "`not_found`, `unknown_rubric`")))]
async fn what_if(
    State(app): St,
    headers: HeaderMap,
    Path(cycle): Path<String>,
    Query(q): Query<WhatIfQuery>,
) -> Result<Response, ApiError> {
    let c = caller(&app.store, &headers).await?;
    if !c.reads_cycle(&cycle) {
        return Err(ApiError::not_found());
    }
    let old = cycle_rubric(&app, &cycle).await?;
    let Some(version) = q.version.as_deref() else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "give ?version=V",
        ));
    };
    let new = find(&app, &old.rubric.model().id, version)?;
    let inputs = latest_inputs(&app, &cycle).await?;
    let impact = mizan::diff::impact(&old.rubric, &new.rubric, &inputs);
    let d = mizan::diff::diff(old.rubric.model(), new.rubric.model());
    let review = mizan::render::diff::Review {
        old: old.rubric.model(),
        new: new.rubric.model(),
        diff: &d,
        impact: Some(&impact),
        lang: lang(&LangQuery { lang: q.lang.clone() }),
    };
    Ok(json_text(StatusCode::OK, mizan::render::diff::json(&review)))
}

/// The OpenAPI document's paths.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Mizan", description = "Submissions against versioned rules (`mizan serve`)"),
    paths(healthz, readyz, metrics, openapi, rubrics, rubric, evaluate, cycles, create_cycle, submit, entity, results, export, what_if,
        crate::form::login_page, crate::form::login, crate::form::logout, crate::form::form_page, crate::form::form_post),
    components(schemas(NewCycle)),
    modifiers(&Bearer)
)]
pub struct Doc;

struct Bearer;
impl utoipa::Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // The web form's login cookie (docs/form.md): the same token.
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::COOKIE))),
        );
    }
}
