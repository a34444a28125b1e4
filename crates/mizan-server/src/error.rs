//! API errors: a JSON body `{"error": {"code", "message", "problems"}}`
//! with a stable code (docs/server.md lists them), never a 500 for bad
//! input.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mizan::render::json::ProblemOut;

/// An error answer.
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: &'static str,
    /// What went wrong, in English.
    pub message: String,
    /// Located problems (a rejected answer set).
    pub problems: Vec<ProblemOut>,
}

impl ApiError {
    /// An error without problems.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    /// 404 `not_found`: unknown, or not the caller's (no enumeration).
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    /// 503 `store_unavailable`.
    pub fn store(e: &sqlx::Error) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            format!("the store cannot be reached: {e}"),
        )
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "problems": self.problems,
            }
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = self.status == StatusCode::SERVICE_UNAVAILABLE;
        let mut r = (self.status, axum::Json(self.body())).into_response();
        if retry {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        r
    }
}

/// The code and message of an error answer the framework gave (a body
/// over the limit, a timeout, no such route…).
pub fn for_status(status: StatusCode) -> ApiError {
    let (code, message) = match status.as_u16() {
        400 => ("bad_request", "the request cannot be read"),
        401 => ("unauthorized", "a valid bearer token is required"),
        404 => ("not_found", "no such resource"),
        405 => ("method_not_allowed", "this route does not take this method"),
        408 => ("timeout", "the request took longer than the server's timeout"),
        413 => ("payload_too_large", "the body is over the server's size limit"),
        415 => ("unsupported_media_type", "the body must be application/json"),
        422 => ("unprocessable", "the request cannot be processed"),
        503 => ("unavailable", "the server cannot answer now"),
        _ => ("error", "the request failed"),
    };
    ApiError::new(status, code, message)
}
