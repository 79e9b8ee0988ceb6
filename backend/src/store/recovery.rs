//! Recovering lost receipts by an SMS code (issue 14): the codes, the counted requests behind
//! the limits, and the recovery sessions. Every identifier a browser holds is stored as its
//! SHA-256 (see `services::recovery`).

use super::Tx;
use crate::Result;
use sqlx::AnyPool;

/// A live code as stored (never the code itself).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeRow {
    pub phone_key: String,
    pub phone: Option<String>,
    pub code_hash: String,
    pub expires_at: i64,
    pub attempts: i64,
}

/// A code to store; it replaces the number's previous one.
pub struct NewCode<'a> {
    pub phone_key: &'a str,
    pub phone: Option<&'a str>,
    pub request_hash: &'a str,
    pub code_hash: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Serialises the transactions that count in `bucket` until this one ends. On PostgreSQL two
/// requests each counting in its own transaction would not see the other's uncommitted row (so
/// ten parallel requests would all count "one"); a transaction-scoped advisory lock on the
/// bucket makes them count one after the other. SQLite needs nothing: the first write of a
/// transaction takes the database's write lock, and [`count_event`] writes before it reads.
pub async fn lock_bucket(tx: &mut Tx<'_>, engine: crate::db::Engine, bucket: &str) -> Result<()> {
    if engine == crate::db::Engine::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(bucket).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Counts one event in `bucket` and answers how many events it holds since `since`
/// (this one included). Old events are forgotten by [`sweep_events`] (the hourly job), not
/// here: a DELETE on every request made concurrent requests contend on PostgreSQL.
pub async fn count_event(tx: &mut Tx<'_>, bucket: &str, now: i64, since: i64) -> Result<i64> {
    sqlx::query("INSERT INTO recovery_requests (bucket, at) VALUES ($1, $2)")
        .bind(bucket)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    events_since(tx, bucket, since).await
}

/// Forgets every counted event older than `before`; returns how many went.
pub async fn sweep_events(pool: &AnyPool, before: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM recovery_requests WHERE at < $1").bind(before).execute(pool).await?.rows_affected())
}

/// How many events `bucket` holds since `since`.
pub async fn events_since(tx: &mut Tx<'_>, bucket: &str, since: i64) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM recovery_requests WHERE bucket = $1 AND at > $2")
        .bind(bucket)
        .bind(since)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

/// Forgets expired codes. Called first in a request's transaction: a write, so SQLite takes its
/// write lock before anything is read (writers then queue instead of failing).
pub async fn sweep_codes(tx: &mut Tx<'_>, now: i64) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE expires_at < $1").bind(now).execute(&mut **tx).await?;
    Ok(())
}

/// Stores a code, replacing any earlier code of the same number (one live code per number). On
/// PostgreSQL the upsert holds the number's row until the transaction ends.
pub async fn put_code(tx: &mut Tx<'_>, c: &NewCode<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO recovery_codes (phone_key, phone, request_hash, code_hash, created_at, expires_at, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, 0)
         ON CONFLICT (phone_key) DO UPDATE SET phone = excluded.phone, request_hash = excluded.request_hash,
           code_hash = excluded.code_hash, created_at = excluded.created_at, expires_at = excluded.expires_at,
           attempts = 0",
    )
    .bind(c.phone_key)
    .bind(c.phone)
    .bind(c.request_hash)
    .bind(c.code_hash)
    .bind(c.created_at)
    .bind(c.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The code a browser's pending request names. Taken with a write first, so that on either
/// engine two answers to the same code queue instead of both reading the same attempt count.
pub async fn lock_code(tx: &mut Tx<'_>, request_hash: &str) -> Result<Option<CodeRow>> {
    sqlx::query("UPDATE recovery_codes SET attempts = attempts WHERE request_hash = $1")
        .bind(request_hash)
        .execute(&mut **tx)
        .await?;
    Ok(sqlx::query_as(
        "SELECT phone_key, phone, code_hash, expires_at, attempts FROM recovery_codes WHERE request_hash = $1",
    )
    .bind(request_hash)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Counts a wrong answer; returns the attempts now counted.
pub async fn count_attempt(tx: &mut Tx<'_>, phone_key: &str) -> Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("UPDATE recovery_codes SET attempts = attempts + 1 WHERE phone_key = $1 RETURNING attempts")
            .bind(phone_key)
            .fetch_one(&mut **tx)
            .await?;
    Ok(n)
}

/// Deletes a number's code (consumed, or dead).
pub async fn delete_code(tx: &mut Tx<'_>, phone_key: &str) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE phone_key = $1").bind(phone_key).execute(&mut **tx).await?;
    Ok(())
}

/// Opens a recovery session for `phone`; also forgets expired sessions.
pub async fn open_session(tx: &mut Tx<'_>, id_hash: &str, phone: &str, now: i64, expires_at: i64) -> Result<()> {
    sqlx::query("DELETE FROM recovery_sessions WHERE expires_at < $1").bind(now).execute(&mut **tx).await?;
    sqlx::query("INSERT INTO recovery_sessions (id_hash, phone, expires_at) VALUES ($1, $2, $3)")
        .bind(id_hash)
        .bind(phone)
        .bind(expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The number of a session that has not expired.
pub async fn session_phone(pool: &AnyPool, id_hash: &str, now: i64) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT phone FROM recovery_sessions WHERE id_hash = $1 AND expires_at >= $2")
            .bind(id_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|r| r.0))
}

/// Ends a session.
pub async fn close_session(pool: &AnyPool, id_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM recovery_sessions WHERE id_hash = $1").bind(id_hash).execute(pool).await?;
    Ok(())
}

/// Whether `phone` has a named appeal (the partial index `appeals_contact_phone` serves it).
pub async fn has_named(tx: &mut Tx<'_>, phone: &str) -> Result<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM appeals WHERE contact_phone = $1 AND anonymous = 0 LIMIT 1")
            .bind(phone)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.is_some())
}

/// One of a number's named appeals, as the recovery list shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NamedRow {
    pub ticket: String,
    pub category: String,
    #[sqlx(try_from = "String")]
    pub status: domain::workflow::Status,
    pub submitted_at: i64,
    pub unit: String,
}

/// A number's named appeals, newest first, at most `limit`. Anonymous appeals never (even one
/// that carries a number for the staff's call-back is not the resident's named appeal).
pub async fn named_appeals(pool: &AnyPool, phone: &str, limit: i64) -> Result<Vec<NamedRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT ticket, category, status, submitted_at, unit FROM appeals
         WHERE contact_phone = $1 AND anonymous = 0
         ORDER BY submitted_at DESC, ticket DESC LIMIT {}",
        limit.clamp(1, 500)
    ))
    .bind(phone)
    .fetch_all(pool)
    .await?)
}

/// Whether `ticket` is one of `phone`'s named appeals.
pub async fn is_named_of(pool: &AnyPool, ticket: &str, phone: &str) -> Result<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM appeals WHERE ticket = $1 AND contact_phone = $2 AND anonymous = 0")
            .bind(ticket)
            .bind(phone)
            .fetch_optional(pool)
            .await?;
    Ok(row.is_some())
}
