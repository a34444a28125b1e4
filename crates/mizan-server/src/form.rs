//! The web form for entities (docs/form.md): a login page that puts the
//! bearer token into an `HttpOnly`, `SameSite=Strict` cookie, and each
//! entity's questionnaire for a cycle, rendered by the library
//! (`mizan::render::form`), saved as a draft or submitted through the same
//! store path as `PUT …/submission`. Pages in English and Arabic
//! (`?lang=ar`), working without JavaScript; nothing is loaded from
//! anywhere but this server.
//!
//! CSRF: besides `SameSite=Strict`, every cookie-authenticated `POST` must
//! come from a page of this server: its `Origin` (or, without one, its
//! `Referer`) must have the request's own `Host` (403 `cross_site`
//! otherwise); `auth::caller` refuses the cookie on a request the browser
//! marks cross-site. A request with an `Authorization` header is not
//! cookie-authenticated and is not checked.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use mizan::render::escape_markup as esc;
use mizan::render::form::{added_anchor, answers_from_form, page, FormState, Notice};
use mizan::render::Lang;
use serde::Deserialize;
use serde_json::Value;

use crate::api::App;
use crate::auth::{caller, same_origin, Caller, Role, COOKIE};
use crate::error::ApiError;
use crate::store::NewSubmission;

type St = State<Arc<App>>;

/// The form's routes (merged into [`crate::api::router`]).
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route(
            "/cycles/{cycle}/entities/{entity}/form",
            get(form_page).post(form_post),
        )
}

/// `?lang=en|ar&next=PATH&notice=saved|submitted`.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    lang: Option<String>,
    next: Option<String>,
    notice: Option<String>,
}

fn lang_of(s: Option<&str>) -> Lang {
    match s {
        Some("ar") => Lang::Ar,
        _ => Lang::En,
    }
}

/// The Content-Security-Policy of every page: nothing from elsewhere,
/// inline style and script only, posts and fetches to this server only.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
                   connect-src 'self'; form-action 'self'; img-src 'self' data:; base-uri 'none'; \
                   frame-ancestors 'none'";

fn html(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    res
}

fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A path of this server to go to after login (`/…`, not `//…`).
fn local_path(next: Option<&str>) -> Option<&str> {
    next.filter(|n| {
        n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.chars().any(char::is_control)
    })
}

/// Whether the request carries an `Authorization` header (so is not
/// authenticated by the cookie).
fn has_bearer(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
}

fn cross_site() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "cross_site",
        "this form must be posted from a page of this server (Origin or Referer)",
    )
}

fn form_content(headers: &HeaderMap) -> Result<(), ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence == "application/x-www-form-urlencoded" {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be application/x-www-form-urlencoded",
        ))
    }
}

fn pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

const PAGE_STYLE: &str = "body{font-family:system-ui,'Noto Sans Arabic','DejaVu Sans',sans-serif;margin:0;color:#1b1f24;background:#f6f7f9;line-height:1.5}\
main{max-width:34rem;margin:3rem auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.5rem 2rem}\
h1{font-size:1.4rem;margin-top:0}label{display:block;font-weight:600;margin:1rem 0 .3rem}\
input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #8c959f;border-radius:4px}\
button{margin-top:1rem;padding:.5rem 1.2rem;font:inherit;border-radius:4px;border:1px solid #1f6feb;background:#1f6feb;color:#fff;cursor:pointer}\
.bad{color:#a40e26;background:#ffebe9;border:1px solid #ff8182;border-radius:4px;padding:.5rem .8rem}\
.ok{background:#dafbe1;border:1px solid #4ac26b;border-radius:4px;padding:.5rem .8rem}\
.lang{float:inline-end}ul{padding-inline-start:1.2rem}";

/// The account bar put at the top of the form page: the other language and
/// a log-out button.
const NAV_STYLE: &str = "<link rel=\"icon\" href=\"data:,\">\n<style>nav.account{display:flex;gap:1rem;align-items:center;\
padding:.4rem 1rem;border-bottom:1px solid #d0d7de;background:#f6f8fa;font-size:.9rem}\
nav.account span{margin-inline-end:auto}nav.account form{margin:0}nav.account button{font:inherit;padding:.2rem .8rem;cursor:pointer}</style>\n";

/// The login page (also the page that lists a logged-in caller's forms).
async fn login_html(
    app: &App,
    lang: Lang,
    next: Option<&str>,
    who: Option<&Caller>,
    error: Option<&str>,
) -> Result<String, ApiError> {
    let t = |en: &'static str, ar: &'static str| lang.t(en, ar);
    let dir = if lang.is_rtl() { "rtl" } else { "ltr" };
    let other = lang.other();
    let mut other_href = format!("/login?lang={}", other.tag());
    if let Some(n) = local_path(next) {
        other_href.push_str(&format!("&next={}", enc(n)));
    }
    let mut body = String::new();
    body.push_str(&format!(
        "<a class=\"lang\" href=\"{}\" lang=\"{}\">{}</a>\n<h1>{}</h1>\n",
        esc(&other_href),
        other.tag(),
        other.t("English", "العربية"),
        t("Log in to the questionnaire", "الدخول إلى الاستبيان"),
    ));
    if let Some(e) = error {
        body.push_str(&format!(
            "<p class=\"bad\" role=\"alert\" id=\"login-error\">{}</p>\n",
            esc(e)
        ));
    }
    if let Some(c) = who {
        body.push_str(&format!(
            "<p class=\"ok\" id=\"logged-in\">{}</p>\n",
            esc(t("You are logged in.", "تم تسجيل دخولك."))
        ));
        let forms = forms_of(app, c).await?;
        if !forms.is_empty() {
            let heading = if c.role == Role::Admin {
                t(
                    "Questionnaires with a submission or a draft",
                    "الاستبيانات التي لها إجابات مرسلة أو مسودة",
                )
            } else {
                t("Your questionnaires", "استبياناتك")
            };
            body.push_str(&format!("<h2>{heading}</h2>\n<ul id=\"forms\">\n"));
            for (cycle, entity) in forms {
                let href = format!(
                    "/cycles/{}/entities/{}/form?lang={}",
                    enc(&cycle),
                    enc(&entity),
                    lang.tag()
                );
                body.push_str(&format!(
                    "<li><a href=\"{}\"><bdi dir=\"ltr\">{}</bdi> · <bdi dir=\"ltr\">{}</bdi></a></li>\n",
                    esc(&href),
                    esc(&cycle),
                    esc(&entity)
                ));
            }
            body.push_str("</ul>\n");
        }
        body.push_str(&format!(
            "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"lang\" value=\"{}\"><button type=\"submit\">{}</button></form>\n",
            lang.tag(),
            t("Log out", "تسجيل الخروج")
        ));
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"/login\" id=\"login\">\n<input type=\"hidden\" name=\"lang\" value=\"{}\">\n",
        lang.tag()
    ));
    if let Some(n) = local_path(next) {
        body.push_str(&format!(
            "<input type=\"hidden\" name=\"next\" value=\"{}\">\n",
            esc(n)
        ));
    }
    body.push_str(&format!(
        "<label for=\"token\">{}</label>\n<input type=\"password\" id=\"token\" name=\"token\" dir=\"ltr\" autocomplete=\"off\" required>\n<p>{}</p>\n<button type=\"submit\">{}</button>\n</form>\n",
        t("Access token", "رمز الدخول"),
        t(
            "The token your administrator gave you (it starts with mzn_). It is kept in a cookie of this site until you log out.",
            "الرمز الذي أعطاك إياه المسؤول (يبدأ بـ mzn_). يُحفظ في ملف تعريف ارتباط لهذا الموقع حتى تسجّل الخروج.",
        ),
        t("Log in", "دخول"),
    ));
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>{PAGE_STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        lang.tag(),
        t("Log in · Mizan", "الدخول · ميزان"),
    ))
}

/// The `(cycle, entity)` forms a caller may fill: a submitter's entity in
/// every cycle its token allows; for an admin, every entity with a
/// submission or a draft in each cycle (another one is opened by its URL).
async fn forms_of(app: &App, c: &Caller) -> Result<Vec<(String, String)>, ApiError> {
    let cycles = app.store.cycles().await.map_err(|e| ApiError::store(&e))?;
    if c.role == Role::Admin {
        let mut out = Vec::new();
        for (id, _, _) in cycles {
            let entities = app
                .store
                .entities_with_forms(&id)
                .await
                .map_err(|e| ApiError::store(&e))?;
            out.extend(entities.into_iter().map(|e| (id.clone(), e)));
        }
        return Ok(out);
    }
    let Some(entity) = c.entity.clone() else {
        return Ok(Vec::new());
    };
    Ok(cycles
        .into_iter()
        .filter(|(id, _, _)| c.writes_entity(id, &entity))
        .map(|(id, _, _)| (id, entity.clone()))
        .collect())
}

#[utoipa::path(get, path = "/login", params(("lang" = Option<String>, Query, description = "en (default) or ar"), ("next" = Option<String>, Query, description = "a path of this server to go to after login")), responses((status = 200, description = "The web form's login page (HTML); logged in: the caller's forms and a log-out button")))]
async fn login_page(
    State(app): St,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let lang = lang_of(q.lang.as_deref());
    let who = caller(&app.store, &headers).await.ok();
    let page = login_html(&app, lang, q.next.as_deref(), who.as_ref(), None).await?;
    Ok(html(StatusCode::OK, page))
}

#[utoipa::path(post, path = "/login", request_body(content_type = "application/x-www-form-urlencoded", description = "`token`, and optionally `lang` and `next`"), responses((status = 303, description = "Logged in: the `mizan_token` cookie (HttpOnly, SameSite=Strict, Path=/) is set; to `next`, or the login page listing the caller's forms"), (status = 401, description = "The login page again: the token is not valid (HTML)"), (status = 403, description = "`cross_site`: not posted from a page of this server"), (status = 415, description = "`unsupported_media_type`")))]
async fn login(State(app): St, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    form_content(&headers)?;
    if !same_origin(&headers) {
        return Err(cross_site());
    }
    let fields = pairs(&body);
    let lang = lang_of(first(&fields, "lang"));
    let next = local_path(first(&fields, "next")).map(str::to_string);
    let token = first(&fields, "token").unwrap_or("").trim().to_string();
    let mut probe = HeaderMap::new();
    let bearer = HeaderValue::from_str(&format!("Bearer {token}")).ok();
    if let Some(v) = bearer.filter(|_| !token.is_empty()) {
        probe.insert(header::AUTHORIZATION, v);
    }
    let who = match caller(&app.store, &probe).await {
        Ok(c) => c,
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            let msg = lang.t(
                "This token is not valid. Check it and try again.",
                "هذا الرمز غير صالح. تحقّق منه وحاول مجدداً.",
            );
            let page = login_html(&app, lang, next.as_deref(), None, Some(msg)).await?;
            return Ok(html(StatusCode::UNAUTHORIZED, page));
        }
        Err(e) => return Err(e),
    };
    let to = match next {
        Some(n) => n,
        None => match forms_of(&app, &who).await?.as_slice() {
            [(cycle, entity)] => format!(
                "/cycles/{}/entities/{}/form?lang={}",
                enc(cycle),
                enc(entity),
                lang.tag()
            ),
            _ => format!("/login?lang={}", lang.tag()),
        },
    };
    let mut res = see_other(&to);
    let secure = if forwarded_https(&headers) { "; Secure" } else { "" };
    let cookie = format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/{secure}");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// Whether a proxy says the request came over HTTPS (the cookie is then
/// `Secure`).
fn forwarded_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

#[utoipa::path(post, path = "/logout", request_body(content_type = "application/x-www-form-urlencoded", description = "optionally `lang`"), responses((status = 303, description = "The cookie is cleared; to the login page"), (status = 403, description = "`cross_site`: not posted from a page of this server")))]
async fn logout(headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    if !same_origin(&headers) {
        return Err(cross_site());
    }
    let fields = pairs(&body);
    let lang = lang_of(first(&fields, "lang"));
    let mut res = see_other(&format!("/login?lang={}", lang.tag()));
    let cookie = format!("{COOKIE}=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

fn form_path(cycle: &str, entity: &str) -> String {
    format!("/cycles/{}/entities/{}/form", enc(cycle), enc(entity))
}

/// The caller of a form request; a browser without a login goes to the
/// login page first.
async fn form_caller(app: &App, headers: &HeaderMap, back: &str, lang: Lang) -> Result<Caller, Response> {
    match caller(&app.store, headers).await {
        Ok(c) => Ok(c),
        Err(e) if e.status == StatusCode::UNAUTHORIZED && !has_bearer(headers) => Err(see_other(&format!(
            "/login?lang={}&next={}",
            lang.tag(),
            enc(back)
        ))),
        Err(e) => Err(e.into_response()),
    }
}

/// The form page, with the account bar.
fn form_html(
    l: &crate::rules::Loaded,
    lang: Lang,
    cycle: &str,
    entity: &str,
    shown: FormState,
) -> Result<String, ApiError> {
    let path = form_path(cycle, entity);
    let state = FormState {
        entity: entity.to_string(),
        action: format!("{path}?lang={}", lang.tag()),
        // The script posts the form's own fields here with action=check.
        evaluate_url: Some(format!("{path}?lang={}", lang.tag())),
        ..shown
    };
    let page = page(&l.rubric, lang, &state)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "render_failed", e.to_string()))?;
    let other = lang.other();
    let nav = format!(
        "<nav class=\"account\" aria-label=\"{}\"><span><bdi dir=\"ltr\">{}</bdi> · <bdi dir=\"ltr\">{}</bdi></span><a href=\"{}\" lang=\"{}\" id=\"other-lang\">{}</a><form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"lang\" value=\"{}\"><button type=\"submit\" id=\"logout\">{}</button></form></nav>\n",
        lang.t("Account", "الحساب"),
        esc(cycle),
        esc(entity),
        esc(&format!("{path}?lang={}", other.tag())),
        other.tag(),
        other.t("English", "العربية"),
        lang.tag(),
        lang.t("Log out", "تسجيل الخروج"),
    );
    let page = page.replacen("</head>", &format!("{NAV_STYLE}</head>"), 1);
    Ok(page.replacen("<body>\n", &format!("<body>\n{nav}"), 1))
}

fn parse_body(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

#[utoipa::path(get, path = "/cycles/{cycle}/entities/{entity}/form", security(("bearer" = []), ("cookie" = [])), params(("cycle" = String, Path), ("entity" = String, Path), ("lang" = Option<String>, Query, description = "en (default) or ar"), ("notice" = Option<String>, Query, description = "saved or submitted: what the last post did")), responses((status = 200, description = "The entity's questionnaire for the cycle (HTML), pre-filled from its draft, or else its latest submission"), (status = 303, description = "No login: to the login page"), (status = 404, description = "`not_found`: no such cycle, or not the caller's entity")))]
async fn form_page(
    State(app): St,
    headers: HeaderMap,
    Path((cycle, entity)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let lang = lang_of(q.lang.as_deref());
    let back = format!("{}?lang={}", form_path(&cycle, &entity), lang.tag());
    let c = match form_caller(&app, &headers, &back, lang).await {
        Ok(c) => c,
        Err(res) => return Ok(res),
    };
    if !c.writes_entity(&cycle, &entity) {
        return Err(ApiError::not_found());
    }
    let l = crate::api::cycle_rubric(&app, &cycle).await?;
    let draft = app
        .store
        .draft(&cycle, &entity)
        .await
        .map_err(|e| ApiError::store(&e))?;
    let text = match draft {
        Some(d) => Some(d.body),
        None => {
            app.store
                .history(&cycle, &entity)
                .await
                .map_err(|e| ApiError::store(&e))?
                .1
        }
    };
    let notice = match q.notice.as_deref() {
        Some("saved") => Some(Notice::Saved),
        Some("submitted") => Some(Notice::Submitted),
        _ => None,
    };
    // The score: after a submission, always; after a save, when the
    // cycle's file says `live_score = true`.
    let show = match notice {
        Some(Notice::Submitted) => true,
        Some(Notice::Saved) => app.rules().live_score.contains(&cycle),
        _ => false,
    };
    let result = match (&text, show) {
        (Some(t), true) => l.rubric.evaluate_json(&format!("{entity}.json"), t).ok(),
        _ => None,
    };
    let answers = text.as_deref().and_then(parse_body);
    let page = form_html(
        &l,
        lang,
        &cycle,
        &entity,
        FormState {
            answers,
            result,
            notice,
            ..FormState::default()
        },
    )?;
    Ok(html(StatusCode::OK, page))
}

#[utoipa::path(post, path = "/cycles/{cycle}/entities/{entity}/form", security(("bearer" = []), ("cookie" = [])), params(("cycle" = String, Path), ("entity" = String, Path), ("lang" = Option<String>, Query)), request_body(content_type = "application/x-www-form-urlencoded", description = "The form's fields (docs/form.md) and `action`: `save` (or `draft`) stores a draft, `submit` validates and stores a submission, `check` (the page's script) stores nothing and answers as POST /rubrics/{id}/{version}/evaluate; `add=LIST` without `action` (an Add button) stores the draft with one more empty instance at the end of that list"), responses((status = 200, description = "`action=check`: exactly `mizan eval --format json` for the answer set the fields make"), (status = 303, description = "Saved or submitted: to the form page, with its notice (and score); after an Add button, at the new instance (`#i-PATH`)"), (status = 422, description = "Not submitted: the form again (HTML), each problem beside its question in the reader's language; `action=check`: `rejected` (JSON) with every problem"), (status = 400, description = "`bad_request`: no or unknown `action`"), (status = 403, description = "`cross_site`: a cookie-authenticated post not from a page of this server"), (status = 404, description = "`not_found`"), (status = 415, description = "`unsupported_media_type`")))]
async fn form_post(
    State(app): St,
    headers: HeaderMap,
    Path((cycle, entity)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let lang = lang_of(q.lang.as_deref());
    let back = format!("{}?lang={}", form_path(&cycle, &entity), lang.tag());
    let c = match form_caller(&app, &headers, &back, lang).await {
        Ok(c) => c,
        Err(res) => return Ok(res),
    };
    if !has_bearer(&headers) && !same_origin(&headers) {
        return Err(cross_site());
    }
    if !c.writes_entity(&cycle, &entity) {
        return Err(ApiError::not_found());
    }
    form_content(&headers)?;
    // As PUT …/submission: no rules reload between scoring and storing.
    let _storing = app.storing.read().await;
    let l = crate::api::cycle_rubric(&app, &cycle).await?;
    let fields = pairs(&body);
    let answers = answers_from_form(&l.rubric, &entity, &fields);
    let text = answers.to_string();
    let add = first(&fields, "add");
    match (first(&fields, "action"), add) {
        (Some("check"), _) => {
            // The inline script's live check: what POST /rubrics/…/evaluate
            // answers for the answer set the fields map to; nothing stored.
            let origin = mizan::answers::Origin {
                file: format!("{entity}.json"),
                line: None,
            };
            let batch = crate::api::score_text(&app, &l, origin, text, lang)?;
            let body = mizan::render::json::to_string_in(l.rubric.model(), &batch, lang);
            Ok((StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body).into_response())
        }
        // The Add buttons (`add=LIST`, no action): save, and show the new
        // instance.
        (Some("save" | "draft"), _) | (None, Some(_)) => {
            app.store
                .save_draft(&cycle, &entity, &c.id, &text)
                .await
                .map_err(|e| ApiError::store(&e))?;
            let to = add
                .and_then(|list| added_anchor(&answers, list))
                .map(|a| format!("#{a}"))
                .unwrap_or_default();
            Ok(see_other(&format!("{back}&notice=saved{to}")))
        }
        (Some("submit"), _) => {
            let m = l.rubric.model();
            let origin = mizan::answers::Origin {
                file: format!("{entity}.json"),
                line: None,
            };
            let batch = l.rubric.evaluate_batch(vec![(origin, text.clone())]);
            app.metrics.evaluated(batch.rejected > 0);
            if batch.rejected > 0 || batch.results.is_empty() {
                let page = form_html(
                    &l,
                    lang,
                    &cycle,
                    &entity,
                    FormState {
                        answers: Some(answers),
                        problems: batch.errors,
                        notice: Some(Notice::Rejected),
                        ..FormState::default()
                    },
                )?;
                return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page));
            }
            let sha = crate::auth::sha256_hex(text.as_bytes());
            // A second press of Submit (or a resent post) with the answers
            // of the latest revision stores nothing new.
            let latest = app
                .store
                .latest_revision(&cycle, &entity)
                .await
                .map_err(|e| ApiError::store(&e))?;
            let unchanged = latest.is_some_and(|r| r.sha256 == sha && r.rubric_sha256 == m.sha256);
            if !unchanged {
                app.store
                    .submit(&NewSubmission {
                        cycle: &cycle,
                        entity: &entity,
                        author: &c.id,
                        sha256: &sha,
                        rubric: (&m.id, &m.version, &m.sha256),
                        idempotency_key: None,
                        body: &text,
                    })
                    .await
                    .map_err(|e| ApiError::store(&e))?;
            }
            app.store
                .drop_draft(&cycle, &entity, &c.id)
                .await
                .map_err(|e| ApiError::store(&e))?;
            Ok(see_other(&format!("{back}&notice=submitted")))
        }
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "give action=save, action=submit or add=LIST",
        )),
    }
}
