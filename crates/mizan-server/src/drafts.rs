//! Drafts of the web form (docs/form.md): one per cycle and entity,
//! overwritten by each save, dropped once the entity submits. A draft is
//! not a submission: no result, export or history reads it. Every save and
//! every drop is in the audit log.

use sqlx::Row;

use crate::store::{audit, now_ms, Store};

/// A stored draft.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The answer set as saved (JSON text).
    pub body: String,
    /// When it was saved (Unix milliseconds).
    pub updated_at: i64,
    /// Who saved it (the token id).
    pub author: String,
}

impl Store {
    /// Saves (or overwrites) the entity's draft for the cycle.
    pub async fn save_draft(
        &self,
        cycle: &str,
        entity: &str,
        author: &str,
        body: &str,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO drafts (cycle, entity, updated_at, author, body) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (cycle, entity) DO UPDATE SET updated_at = excluded.updated_at, \
             author = excluded.author, body = excluded.body",
        )
        .bind(cycle)
        .bind(entity)
        .bind(now_ms())
        .bind(author)
        .bind(body)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            author,
            "draft.save",
            Some(cycle),
            Some(entity),
            &format!("{} bytes", body.len()),
        )
        .await?;
        tx.commit().await
    }

    /// The entity's draft for the cycle.
    pub async fn draft(&self, cycle: &str, entity: &str) -> Result<Option<Draft>, sqlx::Error> {
        let row = sqlx::query("SELECT body, updated_at, author FROM drafts WHERE cycle = $1 AND entity = $2")
            .bind(cycle)
            .bind(entity)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Draft {
                body: r.try_get("body")?,
                updated_at: r.try_get("updated_at")?,
                author: r.try_get("author")?,
            })
        })
        .transpose()
    }

    /// Drops the entity's draft (after a submission); `true` when there
    /// was one.
    pub async fn drop_draft(&self, cycle: &str, entity: &str, author: &str) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query("DELETE FROM drafts WHERE cycle = $1 AND entity = $2")
            .bind(cycle)
            .bind(entity)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n > 0 {
            audit(
                &mut tx,
                author,
                "draft.drop",
                Some(cycle),
                Some(entity),
                "submitted",
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }
}
