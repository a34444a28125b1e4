//! The store: one storage layer (sqlx's `Any` driver) over an embedded
//! SQLite file or PostgreSQL, the same SQL and migrations for both
//! (placeholders `$N`, types TEXT and BIGINT). SQLite runs in WAL mode with
//! `synchronous=FULL`: a write is answered only once its commit is on disk.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

/// The store.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
}

/// A stored revision (without its body).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Revision {
    /// 1, 2, …
    pub revision: i64,
    /// When it was stored (RFC 3339, UTC).
    pub time: String,
    /// Who stored it (the token id).
    pub author: String,
    /// sha256 of the body.
    pub sha256: String,
    /// The rubric version that scored it.
    pub rubric: String,
    /// Its version.
    pub version: String,
    /// The rule file's sha256.
    pub rubric_sha256: String,
}

/// A stored token.
#[derive(Debug, Clone)]
pub struct TokenRow {
    /// sha256 of the token.
    pub hash: String,
    /// `submitter`, `reviewer` or `admin`.
    pub role: String,
    /// The submitter's entity.
    pub entity: Option<String>,
    /// The cycle a reviewer (or submitter) is limited to.
    pub cycle: Option<String>,
}

/// What a new submission is.
pub struct NewSubmission<'a> {
    /// Cycle id.
    pub cycle: &'a str,
    /// Entity id.
    pub entity: &'a str,
    /// Token id of the author.
    pub author: &'a str,
    /// sha256 of the body.
    pub sha256: &'a str,
    /// Rubric id, version and sha256 that scored it.
    pub rubric: (&'a str, &'a str, &'a str),
    /// The `Idempotency-Key` header.
    pub idempotency_key: Option<&'a str>,
    /// The answer set.
    pub body: &'a str,
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// RFC 3339 (UTC, milliseconds) of Unix milliseconds.
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{milli:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn revision(row: &AnyRow) -> Result<Revision, sqlx::Error> {
    Ok(Revision {
        revision: row.try_get("revision")?,
        time: rfc3339(row.try_get("created_at")?),
        author: row.try_get("author")?,
        sha256: row.try_get("sha256")?,
        rubric: row.try_get("rubric")?,
        version: row.try_get("version")?,
        rubric_sha256: row.try_get("rubric_sha256")?,
    })
}

const REVISION_COLUMNS: &str = "revision, created_at, author, sha256, rubric, version, rubric_sha256";

impl Store {
    /// Connects to `url` (`sqlite:PATH` or `postgres://…`), creating a
    /// SQLite file if needed, and runs the migrations.
    pub async fn connect(url: &str) -> Result<Store, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let url = if sqlite && !url.contains('?') && !url.contains(":memory:") {
            format!("{url}?mode=rwc")
        } else {
            url.to_string()
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 16 })
            .acquire_timeout(std::time::Duration::from_secs(5))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if sqlite {
                        use sqlx::Executor;
                        conn.execute("PRAGMA journal_mode=WAL").await?;
                        conn.execute("PRAGMA synchronous=FULL").await?;
                        conn.execute("PRAGMA busy_timeout=10000").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool })
    }

    /// Whether the store answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Closes the pool (every connection).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The cycle `id`: its rubric id and version.
    pub async fn cycle(&self, id: &str) -> Result<Option<(String, String)>, sqlx::Error> {
        let row = sqlx::query("SELECT rubric, version FROM cycles WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get("rubric")?, r.try_get("version")?)))
            .transpose()
    }

    /// Every cycle, in id order.
    pub async fn cycles(&self) -> Result<Vec<(String, String, String)>, sqlx::Error> {
        let rows = sqlx::query("SELECT id, rubric, version FROM cycles ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("rubric")?, r.try_get("version")?)))
            .collect()
    }

    /// Creates the cycle; `false` when it exists already.
    pub async fn create_cycle(
        &self,
        id: &str,
        rubric: &str,
        version: &str,
        by: &str,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let exists = sqlx::query("SELECT 1 FROM cycles WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if exists {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO cycles (id, rubric, version, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(rubric)
        .bind(version)
        .bind(now_ms())
        .bind(by)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            by,
            "cycle.create",
            Some(id),
            None,
            &format!("{rubric} {version}"),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Stores a revision; with an idempotency key already used for this
    /// entity, the revision stored then (and `true`).
    pub async fn submit(&self, s: &NewSubmission<'_>) -> Result<(Revision, bool), sqlx::Error> {
        let mut last = None;
        for _ in 0..20 {
            if let Some(key) = s.idempotency_key {
                if let Some(r) = self.by_key(s.cycle, s.entity, key).await? {
                    return Ok((r, true));
                }
            }
            match self.try_submit(s).await {
                Ok(r) => return Ok((r, false)),
                // A concurrent revision took the number (or the key): again.
                Err(e) if unique_violation(&e) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(sqlx::Error::PoolTimedOut))
    }

    async fn try_submit(&self, s: &NewSubmission<'_>) -> Result<Revision, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let now = now_ms();
        let row = sqlx::query(&format!(
            "INSERT INTO submissions (cycle, entity, revision, created_at, author, sha256, rubric, version, rubric_sha256, idempotency_key, body) \
             SELECT $1, $2, COALESCE(MAX(revision), 0) + 1, $3, $4, $5, $6, $7, $8, $9, $10 FROM submissions WHERE cycle = $1 AND entity = $2 \
             RETURNING {REVISION_COLUMNS}"
        ))
        .bind(s.cycle)
        .bind(s.entity)
        .bind(now)
        .bind(s.author)
        .bind(s.sha256)
        .bind(s.rubric.0)
        .bind(s.rubric.1)
        .bind(s.rubric.2)
        .bind(s.idempotency_key)
        .bind(s.body)
        .fetch_one(&mut *tx)
        .await?;
        let rev = revision(&row)?;
        audit(
            &mut tx,
            s.author,
            "submission.put",
            Some(s.cycle),
            Some(s.entity),
            &format!("revision {} sha256 {}", rev.revision, s.sha256),
        )
        .await?;
        tx.commit().await?;
        Ok(rev)
    }

    async fn by_key(&self, cycle: &str, entity: &str, key: &str) -> Result<Option<Revision>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {REVISION_COLUMNS} FROM submissions WHERE cycle = $1 AND entity = $2 AND idempotency_key = $3"
        ))
        .bind(cycle)
        .bind(entity)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(revision).transpose()
    }

    /// The latest submission of every entity of `cycle`, in entity order:
    /// `(entity, body)`.
    pub async fn latest(&self, cycle: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT s.entity, s.body FROM submissions s WHERE s.cycle = $1 AND s.revision = \
             (SELECT MAX(t.revision) FROM submissions t WHERE t.cycle = s.cycle AND t.entity = s.entity) ORDER BY s.entity",
        )
        .bind(cycle)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("entity")?, r.try_get("body")?)))
            .collect()
    }

    /// Every revision of an entity (oldest first) and the latest body.
    pub async fn history(
        &self,
        cycle: &str,
        entity: &str,
    ) -> Result<(Vec<Revision>, Option<String>), sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {REVISION_COLUMNS}, body FROM submissions WHERE cycle = $1 AND entity = $2 ORDER BY revision"
        ))
        .bind(cycle)
        .bind(entity)
        .fetch_all(&self.pool)
        .await?;
        let body = match rows.last() {
            Some(r) => Some(r.try_get::<String, _>("body")?),
            None => None,
        };
        let revs = rows.iter().map(revision).collect::<Result<Vec<_>, _>>()?;
        Ok((revs, body))
    }

    /// Every rubric version that scored a stored submission, with the
    /// sha256 of its rules: `(rubric, version, rubric_sha256)`, distinct.
    pub async fn scored_versions(&self) -> Result<Vec<(String, String, String)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT DISTINCT rubric, version, rubric_sha256 FROM submissions ORDER BY rubric, version, rubric_sha256",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("rubric")?,
                    r.try_get("version")?,
                    r.try_get("rubric_sha256")?,
                ))
            })
            .collect()
    }

    /// Every stored revision `(cycle, entity, revision, sha256)` (tests).
    pub async fn all_revisions(&self) -> Result<Vec<(String, String, i64, String)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT cycle, entity, revision, sha256 FROM submissions ORDER BY cycle, entity, revision",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("cycle")?,
                    r.try_get("entity")?,
                    r.try_get("revision")?,
                    r.try_get("sha256")?,
                ))
            })
            .collect()
    }

    /// Stores a token (by its hash).
    pub async fn add_token(&self, t: &TokenRow, by: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO tokens (hash, role, entity, cycle, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&t.hash)
            .bind(&t.role)
            .bind(t.entity.as_deref())
            .bind(t.cycle.as_deref())
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        let id = t.hash.get(..12).unwrap_or_default();
        audit(
            &mut tx,
            by,
            "token.create",
            t.cycle.as_deref(),
            t.entity.as_deref(),
            &format!("{} {id}", t.role),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether any token exists.
    pub async fn has_tokens(&self) -> Result<bool, sqlx::Error> {
        Ok(sqlx::query("SELECT 1 FROM tokens LIMIT 1")
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    /// The token whose sha256 is `hash`.
    pub async fn token(&self, hash: &str) -> Result<Option<TokenRow>, sqlx::Error> {
        let row = sqlx::query("SELECT hash, role, entity, cycle FROM tokens WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(TokenRow {
                hash: r.try_get("hash")?,
                role: r.try_get("role")?,
                entity: r.try_get("entity")?,
                cycle: r.try_get("cycle")?,
            })
        })
        .transpose()
    }

    /// The audit log `(action, actor, cycle, entity)`, oldest first (tests).
    pub async fn audit_log(
        &self,
    ) -> Result<Vec<(String, String, Option<String>, Option<String>)>, sqlx::Error> {
        let rows = sqlx::query("SELECT action, actor, cycle, entity FROM audit ORDER BY at")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("action")?,
                    r.try_get("actor")?,
                    r.try_get("cycle")?,
                    r.try_get("entity")?,
                ))
            })
            .collect()
    }
}

pub(crate) async fn audit(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &str,
    action: &str,
    cycle: Option<&str>,
    entity: Option<&str>,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit (at, actor, action, cycle, entity, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now_ms())
    .bind(actor)
    .bind(action)
    .bind(cycle)
    .bind(entity)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_unique_violation()
                || d.message().contains("database is locked")
                || d.message().contains("UNIQUE")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(super::rfc3339(1_796_617_723_456), "2026-12-07T04:28:43.456Z");
    }
}
