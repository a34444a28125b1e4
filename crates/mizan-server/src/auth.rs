//! Bearer tokens: `mzn_` and 64 hex digits, stored as their sha256 only,
//! compared in constant time. Roles: `submitter` (one entity, optionally
//! one cycle), `reviewer` (one cycle, or every cycle), `admin`.

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::store::{Store, TokenRow};

/// A role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Reads and writes its own entity's submissions.
    Submitter,
    /// Reads a cycle.
    Reviewer,
    /// Everything.
    Admin,
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "submitter" => Ok(Role::Submitter),
            "reviewer" => Ok(Role::Reviewer),
            "admin" => Ok(Role::Admin),
            _ => Err(format!("unknown role `{s}` (submitter, reviewer, admin)")),
        }
    }
}

impl Role {
    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Submitter => "submitter",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }
}

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's id: the first 12 hex digits of its sha256.
    pub id: String,
    /// Role.
    pub role: Role,
    /// A submitter's entity.
    pub entity: Option<String>,
    /// The cycle the token is limited to.
    pub cycle: Option<String>,
}

/// sha256 (hex) of a token.
pub fn hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// A token's id, from its sha256 (`hash`): the first 12 hex digits, as
/// revisions, the audit log and `token list` name it.
pub fn token_id(hash: &str) -> &str {
    hash.get(..12).unwrap_or_default()
}

/// sha256 of `bytes`, in lower-case hex: of a token, of a stored body.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random token.
pub fn generate() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
    Ok(format!(
        "mzn_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// The name of the web form's login cookie (it holds the bearer token).
pub const COOKIE: &str = "mizan_token";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|v| !v.is_empty())
}

/// The `host[:port]` of an `Origin` or `Referer` URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest.get(..end)
}

/// Whether the request names this server as where it comes from: its
/// `Origin` header (else its `Referer`) has the request's own `Host`. A
/// request with neither is not same-origin. Cookie-authenticated writes of
/// the web form require it (CSRF; docs/form.md).
pub fn same_origin(headers: &HeaderMap) -> bool {
    let get = |h: axum::http::header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok());
    let Some(host) = get(axum::http::header::HOST) else {
        return false;
    };
    let from = get(axum::http::header::ORIGIN)
        .filter(|o| *o != "null")
        .or_else(|| get(axum::http::header::REFERER));
    from.and_then(authority)
        .is_some_and(|a| a.eq_ignore_ascii_case(host))
}

/// Whether a cookie-authenticated request comes from another site: the
/// browser says so (`Sec-Fetch-Site: cross-site` or `same-site`), or its
/// `Origin` is another host. (The cookie is `SameSite=Strict` as well.)
fn cross_site(headers: &HeaderMap) -> bool {
    let site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if site == "cross-site" || site == "same-site" {
        return true;
    }
    headers.contains_key(axum::http::header::ORIGIN) && !same_origin(headers)
}

/// The caller of a request (401 without a valid token): the bearer token
/// of the `Authorization` header, or else of the web form's login cookie
/// (refused when the request comes from another site).
pub async fn caller(store: &Store, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let unauthorized = || {
        ApiError::new(
            axum::http::StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required (Authorization: Bearer …)",
        )
    };
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let token = match bearer {
        Some(t) => t.to_string(),
        // The web form's login cookie: only from a page of this server.
        None => match cookie(headers, COOKIE) {
            Some(t) if !cross_site(headers) => t,
            _ => return Err(unauthorized()),
        },
    };
    let token = token.as_str();
    let h = hash(token);
    let row: TokenRow = store
        .token(&h)
        .await
        .map_err(|e| ApiError::store(&e))?
        .ok_or_else(unauthorized)?;
    if !bool::from(row.hash.as_bytes().ct_eq(h.as_bytes())) {
        return Err(unauthorized());
    }
    let role = row.role.parse().map_err(|_| unauthorized())?;
    Ok(Caller {
        id: token_id(&h).to_string(),
        role,
        entity: row.entity,
        cycle: row.cycle,
    })
}

impl Caller {
    fn in_cycle(&self, cycle: &str) -> bool {
        self.cycle.as_deref().is_none_or(|c| c == cycle)
    }

    /// May read the whole cycle (results, export, what-if).
    pub fn reads_cycle(&self, cycle: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Reviewer => self.in_cycle(cycle),
            Role::Submitter => false,
        }
    }

    /// May read the entity's submissions in the cycle.
    pub fn reads_entity(&self, cycle: &str, entity: &str) -> bool {
        match self.role {
            Role::Submitter => self.entity.as_deref() == Some(entity) && self.in_cycle(cycle),
            _ => self.reads_cycle(cycle),
        }
    }

    /// May store the entity's submission in the cycle.
    pub fn writes_entity(&self, cycle: &str, entity: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Submitter => self.entity.as_deref() == Some(entity) && self.in_cycle(cycle),
            Role::Reviewer => false,
        }
    }
}
