//! The audit log's rows and its head (the one row whose lock orders the chain).

use super::Tx;
use crate::Result;
use sqlx::AnyPool;

pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub actor_name: String,
    pub role: String,
    pub action: String,
    pub ticket: Option<String>,
    pub detail: String,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

type Raw = (i64, i64, String, String, String, String, Option<String>, String, Option<String>, String, String);

fn from_raw(r: Raw) -> AuditRow {
    let (seq, at, actor, actor_name, role, action, ticket, detail, reason, prev_hash, hash) = r;
    AuditRow { seq, at, actor, actor_name, role, action, ticket, detail, reason, prev_hash, hash }
}

const COLS: &str = "seq, at, actor, actor_name, role, action, ticket, detail, reason, prev_hash, hash";

/// Takes the head's row lock (the UPDATE comes first so SQLite takes its write lock at once and
/// PostgreSQL serialises appenders on this row) and returns the next sequence number and the
/// previous entry's hash.
pub async fn claim_next(tx: &mut Tx<'_>) -> Result<(i64, String)> {
    sqlx::query("UPDATE audit_head SET last_seq = last_seq + 1 WHERE id = 1").execute(&mut **tx).await?;
    let (seq, prev): (i64, String) =
        sqlx::query_as("SELECT last_seq, last_hash FROM audit_head WHERE id = 1").fetch_one(&mut **tx).await?;
    Ok((seq, prev))
}

pub async fn insert(tx: &mut Tx<'_>, r: &AuditRow) -> Result<()> {
    sqlx::query(&format!("INSERT INTO audit_log ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"))
        .bind(r.seq)
        .bind(r.at)
        .bind(&r.actor)
        .bind(&r.actor_name)
        .bind(&r.role)
        .bind(&r.action)
        .bind(&r.ticket)
        .bind(&r.detail)
        .bind(&r.reason)
        .bind(&r.prev_hash)
        .bind(&r.hash)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1").bind(&r.hash).execute(&mut **tx).await?;
    Ok(())
}

/// Rows with `seq > after`, in order, at most `limit` (for verifying in pages).
pub async fn after(pool: &AnyPool, after: i64, limit: i64) -> Result<Vec<AuditRow>> {
    let rows: Vec<Raw> = sqlx::query_as(&format!("SELECT {COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"))
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(from_raw).collect())
}

/// Newest first, optionally only one appeal's entries or one action.
pub async fn recent(
    pool: &AnyPool,
    ticket: Option<&str>,
    action: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    let rows: Vec<Raw> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM audit_log
         WHERE ($1 = '' OR ticket = $1) AND ($2 = '' OR action = $2) AND seq < $3
         ORDER BY seq DESC LIMIT $4"
    ))
    .bind(ticket.unwrap_or(""))
    .bind(action.unwrap_or(""))
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(from_raw).collect())
}

pub async fn head(pool: &AnyPool) -> Result<(i64, String)> {
    Ok(sqlx::query_as("SELECT last_seq, last_hash FROM audit_head WHERE id = 1").fetch_one(pool).await?)
}
