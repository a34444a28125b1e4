//! The store: one storage layer (sqlx's `Any` driver) over an embedded
//! SQLite file or PostgreSQL, the same SQL and migrations for both
//! (placeholders `$N`, types TEXT and BIGINT). SQLite runs in WAL mode with
//! `synchronous=FULL`: a write is answered only once its commit is on disk.
//!
//! Submissions are written by one writer task in grouped commits: it takes
//! every submission waiting (up to [`GROUP`]), stores them in ONE
//! transaction, and answers each only once that commit returned (on disk).
//! Revision numbers and `Idempotency-Key` replays are decided inside that
//! transaction, one submission after another, exactly as one transaction
//! each would. Tokens and cycles, which are never changed once stored, are
//! kept in small caches after their first lookup.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use tokio::sync::{mpsc, oneshot};

/// Most connections to PostgreSQL one server opens (`--db-pool`).
pub const DEFAULT_POOL: u32 = 16;
/// Most submissions written in one transaction.
pub const GROUP: usize = 256;
/// How long a found token is trusted without asking the store again
/// (`--token-ttl`): also the longest a revoked token still works on an
/// instance that saw it.
pub const TOKEN_TTL: Duration = Duration::from_secs(5);
/// Most tokens cached (the cache is emptied when full).
const TOKEN_CACHE: usize = 10_000;

/// The store.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    writer: mpsc::Sender<Job>,
    tokens: Arc<Mutex<HashMap<String, (TokenRow, Instant)>>>,
    token_ttl: Duration,
    cycles: Arc<Mutex<HashMap<String, (String, String)>>>,
}

/// A token as `token list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Its id: the first 12 hex digits of its sha256.
    pub id: String,
    /// `submitter`, `reviewer` or `admin`.
    pub role: String,
    /// The submitter's entity.
    pub entity: Option<String>,
    /// The cycle it is limited to.
    pub cycle: Option<String>,
    /// When it was created (ms since the epoch).
    pub created_at: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

/// Why `token revoke` did nothing.
#[derive(Debug)]
pub enum RevokeError {
    /// No token has this id.
    Unknown,
    /// The id is the start of several tokens' (give more digits).
    Ambiguous(usize),
    /// The token was revoked already (when).
    Already(i64),
    /// The store failed.
    Store(sqlx::Error),
}

impl From<sqlx::Error> for RevokeError {
    fn from(e: sqlx::Error) -> Self {
        RevokeError::Store(e)
    }
}

/// A submission waiting for the writer, and where its answer goes.
struct Job {
    sub: OwnedSubmission,
    reply: oneshot::Sender<Result<(Revision, bool), sqlx::Error>>,
}

/// [`NewSubmission`], owned (it crosses to the writer task).
struct OwnedSubmission {
    cycle: String,
    entity: String,
    author: String,
    sha256: String,
    rubric: (String, String, String),
    idempotency_key: Option<String>,
    body: String,
}

impl OwnedSubmission {
    fn of(s: &NewSubmission<'_>) -> Self {
        OwnedSubmission {
            cycle: s.cycle.to_string(),
            entity: s.entity.to_string(),
            author: s.author.to_string(),
            sha256: s.sha256.to_string(),
            rubric: (
                s.rubric.0.to_string(),
                s.rubric.1.to_string(),
                s.rubric.2.to_string(),
            ),
            idempotency_key: s.idempotency_key.map(str::to_string),
            body: s.body.to_string(),
        }
    }

    fn borrow(&self) -> NewSubmission<'_> {
        NewSubmission {
            cycle: &self.cycle,
            entity: &self.entity,
            author: &self.author,
            sha256: &self.sha256,
            rubric: (&self.rubric.0, &self.rubric.1, &self.rubric.2),
            idempotency_key: self.idempotency_key.as_deref(),
            body: &self.body,
        }
    }
}

/// Takes what waits, writes it in one transaction, answers; until every
/// sender (every clone of the store) is gone.
async fn writer(pool: AnyPool, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(GROUP);
    while rx.recv_many(&mut jobs, GROUP).await > 0 {
        // A request given up (its client left, it timed out) before its
        // group began is not stored, as it was not with a transaction of
        // its own.
        let group: Vec<Job> = std::mem::take(&mut jobs)
            .into_iter()
            .filter(|j| !j.reply.is_closed())
            .collect();
        if !group.is_empty() {
            write_group(&pool, group).await;
        }
    }
}

/// Where a grouped write failed.
enum GroupError {
    /// Before the commit: nothing of the group is stored.
    Before(sqlx::Error),
    /// At the commit: whether it is stored is not known.
    Commit(sqlx::Error),
}

async fn write_group(pool: &AnyPool, group: Vec<Job>) {
    match try_group(pool, &group).await {
        Ok(results) => {
            for (job, r) in group.into_iter().zip(results) {
                let _ = job.reply.send(Ok(r));
            }
        }
        // Nothing stored, and the store answered: a concurrent writer
        // (another server on the same PostgreSQL, `token create` on the
        // SQLite file) took a revision number or the lock, or one
        // submission of the group was refused: each again in a transaction
        // of its own (retried on a taken number), so that one does not
        // fail the others.
        Err(GroupError::Before(sqlx::Error::Database(_))) => {
            for job in group {
                if job.reply.is_closed() {
                    continue;
                }
                let r = submit_alone(pool, &job.sub.borrow()).await;
                let _ = job.reply.send(r);
            }
        }
        // Nothing stored (the store does not answer…): said to each.
        Err(GroupError::Before(e)) => {
            let msg = e.to_string();
            for job in group {
                let _ = job
                    .reply
                    .send(Err(sqlx::Error::Io(std::io::Error::other(msg.clone()))));
            }
        }
        // Unknown: no success is claimed; a retry with the same
        // Idempotency-Key finds the revision if it was stored.
        Err(GroupError::Commit(e)) => {
            let msg = e.to_string();
            for job in group {
                let _ = job
                    .reply
                    .send(Err(sqlx::Error::Io(std::io::Error::other(msg.clone()))));
            }
        }
    }
}

async fn try_group(pool: &AnyPool, group: &[Job]) -> Result<Vec<(Revision, bool)>, GroupError> {
    let mut tx = pool.begin().await.map_err(GroupError::Before)?;
    let mut out = Vec::with_capacity(group.len());
    for job in group {
        let s = job.sub.borrow();
        if let Some(key) = s.idempotency_key {
            // Sees the group's own earlier rows: a key twice in one group
            // is stored once and replayed once.
            if let Some(r) = by_key(&mut *tx, s.cycle, s.entity, key)
                .await
                .map_err(GroupError::Before)?
            {
                out.push((r, true));
                continue;
            }
        }
        let rev = insert(&mut tx, &s).await.map_err(GroupError::Before)?;
        out.push((rev, false));
    }
    tx.commit().await.map_err(GroupError::Commit)?;
    Ok(out)
}

/// One submission in a transaction of its own (retried when a concurrent
/// writer took its revision number).
async fn submit_alone(pool: &AnyPool, s: &NewSubmission<'_>) -> Result<(Revision, bool), sqlx::Error> {
    let mut last = None;
    for _ in 0..20 {
        if let Some(key) = s.idempotency_key {
            if let Some(r) = by_key(pool, s.cycle, s.entity, key).await? {
                return Ok((r, true));
            }
        }
        let attempt = async {
            let mut tx = pool.begin().await?;
            let rev = insert(&mut tx, s).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(rev)
        };
        match attempt.await {
            Ok(r) => return Ok((r, false)),
            // A concurrent revision took the number (or the key): again.
            Err(e) if unique_violation(&e) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or(sqlx::Error::PoolTimedOut))
}

/// Inserts the next revision of the entity and its audit row.
async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    s: &NewSubmission<'_>,
) -> Result<Revision, sqlx::Error> {
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
    .fetch_one(&mut **tx)
    .await?;
    let rev = revision(&row)?;
    audit(
        tx,
        s.author,
        "submission.put",
        Some(s.cycle),
        Some(s.entity),
        &format!("revision {} sha256 {}", rev.revision, s.sha256),
    )
    .await?;
    Ok(rev)
}

async fn by_key<'e, E>(ex: E, cycle: &str, entity: &str, key: &str) -> Result<Option<Revision>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query(&format!(
        "SELECT {REVISION_COLUMNS} FROM submissions WHERE cycle = $1 AND entity = $2 AND idempotency_key = $3"
    ))
    .bind(cycle)
    .bind(entity)
    .bind(key)
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(revision).transpose()
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

/// A stored submission, whole (tests).
#[derive(Debug, Clone)]
pub struct StoredRow {
    /// Cycle id.
    pub cycle: String,
    /// Entity id.
    pub entity: String,
    /// The revision's columns.
    pub revision: Revision,
    /// The `Idempotency-Key` it was stored under.
    pub idempotency_key: Option<String>,
    /// The answer set.
    pub body: String,
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

/// The columns [`token_info`] reads.
const TOKEN_COLUMNS: &str = "hash, role, entity, cycle, created_at, revoked_at";

/// A row of [`TOKEN_COLUMNS`] as `token list` shows it.
fn token_info(r: &AnyRow) -> Result<TokenInfo, sqlx::Error> {
    let hash: String = r.try_get("hash")?;
    Ok(TokenInfo {
        id: crate::auth::token_id(&hash).to_string(),
        role: r.try_get("role")?,
        entity: r.try_get("entity")?,
        cycle: r.try_get("cycle")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

const REVISION_COLUMNS: &str = "revision, created_at, author, sha256, rubric, version, rubric_sha256";

impl Store {
    /// Connects to `url` (`sqlite:PATH` or `postgres://…`), creating a
    /// SQLite file if needed, and runs the migrations; the pool's size is
    /// [`DEFAULT_POOL`]'s.
    pub async fn connect(url: &str) -> Result<Store, sqlx::Error> {
        Store::connect_with(url, None).await
    }

    /// [`Store::connect`] with at most `pool` connections (`None`: 4 for
    /// SQLite, [`DEFAULT_POOL`] for PostgreSQL).
    pub async fn connect_with(url: &str, pool: Option<u32>) -> Result<Store, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let url = if sqlite && !url.contains('?') && !url.contains(":memory:") {
            format!("{url}?mode=rwc")
        } else {
            url.to_string()
        };
        let pool = AnyPoolOptions::new()
            .max_connections(pool.unwrap_or(if sqlite { 4 } else { DEFAULT_POOL }))
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
        let (tx, rx) = mpsc::channel(4 * GROUP);
        tokio::spawn(writer(pool.clone(), rx));
        Ok(Store {
            pool,
            writer: tx,
            tokens: Arc::default(),
            token_ttl: TOKEN_TTL,
            cycles: Arc::default(),
        })
    }

    /// The same store, trusting a found token for `ttl` (zero: asking the
    /// store on every request).
    #[must_use]
    pub fn with_token_ttl(mut self, ttl: Duration) -> Store {
        self.token_ttl = ttl;
        self
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
    /// (A cycle's rubric version never changes: found once, it is kept.)
    pub async fn cycle(&self, id: &str) -> Result<Option<(String, String)>, sqlx::Error> {
        if let Some(c) = lock(&self.cycles).get(id) {
            return Ok(Some(c.clone()));
        }
        let row = sqlx::query("SELECT rubric, version FROM cycles WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let found: Option<(String, String)> = row
            .map(|r| Ok::<_, sqlx::Error>((r.try_get("rubric")?, r.try_get("version")?)))
            .transpose()?;
        if let Some(c) = &found {
            let mut cache = lock(&self.cycles);
            if cache.len() >= TOKEN_CACHE {
                cache.clear();
            }
            cache.insert(id.to_string(), c.clone());
        }
        Ok(found)
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
    /// entity, the revision stored then (and `true`). Answered once the
    /// writer's commit that holds it is on disk.
    pub async fn submit(&self, s: &NewSubmission<'_>) -> Result<(Revision, bool), sqlx::Error> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            sub: OwnedSubmission::of(s),
            reply,
        };
        if self.writer.send(job).await.is_err() {
            return Err(sqlx::Error::PoolClosed);
        }
        answer.await.unwrap_or(Err(sqlx::Error::PoolClosed))
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

    /// An entity's latest revision (without its body), if any.
    pub async fn latest_revision(&self, cycle: &str, entity: &str) -> Result<Option<Revision>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {REVISION_COLUMNS} FROM submissions WHERE cycle = $1 AND entity = $2 ORDER BY revision DESC LIMIT 1"
        ))
        .bind(cycle)
        .bind(entity)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(revision).transpose()
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

    /// Every stored submission, every column, in (cycle, entity, revision)
    /// order (tests).
    pub async fn dump(&self) -> Result<Vec<StoredRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT cycle, entity, {REVISION_COLUMNS}, idempotency_key, body FROM submissions ORDER BY cycle, entity, revision"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredRow {
                    cycle: r.try_get("cycle")?,
                    entity: r.try_get("entity")?,
                    revision: revision(r)?,
                    idempotency_key: r.try_get("idempotency_key")?,
                    body: r.try_get("body")?,
                })
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
        let id = crate::auth::token_id(&t.hash);
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

    /// The entities of `cycle` with a submission or a draft, by id (the
    /// forms an admin's login page lists).
    pub async fn entities_with_forms(&self, cycle: &str) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT entity FROM submissions WHERE cycle = $1 UNION SELECT entity FROM drafts WHERE cycle = $1 ORDER BY entity",
        )
        .bind(cycle)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| r.try_get("entity")).collect()
    }

    /// Every token, oldest first (`token list`): never the token itself.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created_at, hash"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_info).collect()
    }

    /// Revokes the token whose id (the start of its sha256, at least 8 hex
    /// digits: `token list` shows 12) is `id`, in the audit log as `by`.
    /// Every instance refuses it once its cache of the token has expired
    /// (`--token-ttl`).
    pub async fn revoke_token(&self, id: &str, by: &str) -> Result<TokenInfo, RevokeError> {
        let id = id.trim().to_ascii_lowercase();
        if id.len() < 8 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(RevokeError::Unknown);
        }
        let mut tx = self.pool.begin().await?;
        // `id` is hex digits only: nothing in it is special to LIKE.
        let rows = sqlx::query(&format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE hash LIKE $1"))
            .bind(format!("{id}%"))
            .fetch_all(&mut *tx)
            .await?;
        let [row] = rows.as_slice() else {
            return Err(if rows.is_empty() {
                RevokeError::Unknown
            } else {
                RevokeError::Ambiguous(rows.len())
            });
        };
        let hash: String = row.try_get("hash")?;
        let mut info = token_info(row)?;
        if let Some(at) = info.revoked_at {
            return Err(RevokeError::Already(at));
        }
        let at = now_ms();
        sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE hash = $2")
            .bind(at)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        info.revoked_at = Some(at);
        audit(
            &mut tx,
            by,
            "token.revoke",
            info.cycle.as_deref(),
            info.entity.as_deref(),
            &format!("{} {}", info.role, info.id),
        )
        .await?;
        tx.commit().await?;
        lock(&self.tokens).remove(&hash);
        Ok(info)
    }

    /// The token whose sha256 is `hash`, unless it was revoked.
    /// A token found is kept for the store's token TTL ([`TOKEN_TTL`] by
    /// default): a token revoked by another process (`token revoke`, another
    /// instance) works that much longer here. One not found is asked for
    /// again each time (`token create` may add it).
    pub async fn token(&self, hash: &str) -> Result<Option<TokenRow>, sqlx::Error> {
        if let Some((t, at)) = lock(&self.tokens).get(hash) {
            if at.elapsed() < self.token_ttl {
                return Ok(Some(t.clone()));
            }
        }
        let row = sqlx::query(
            "SELECT hash, role, entity, cycle FROM tokens WHERE hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        let found = row
            .map(|r| {
                Ok::<_, sqlx::Error>(TokenRow {
                    hash: r.try_get("hash")?,
                    role: r.try_get("role")?,
                    entity: r.try_get("entity")?,
                    cycle: r.try_get("cycle")?,
                })
            })
            .transpose()?;
        let mut cache = lock(&self.tokens);
        match &found {
            Some(t) => {
                if cache.len() >= TOKEN_CACHE {
                    cache.clear();
                }
                cache.insert(hash.to_string(), (t.clone(), Instant::now()));
            }
            None => {
                cache.remove(hash);
            }
        }
        Ok(found)
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
