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
    let d = Sha256::digest(token.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
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

/// The caller of a request (401 without a valid token).
pub async fn caller(store: &Store, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let unauthorized = || {
        ApiError::new(
            axum::http::StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required (Authorization: Bearer …)",
        )
    };
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(unauthorized)?;
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
        id: h.get(..12).unwrap_or_default().to_string(),
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
