//! What a resident's browser holds on the track page: track sessions (a proven ticket+key, by
//! the hash of a random id kept in a cookie) and one-shot flashes of the page after a post.

use crate::Result;
use sqlx::AnyPool;

/// Opens a session for `ticket`; also forgets expired sessions.
pub async fn open_session(pool: &AnyPool, id_hash: &str, ticket: &str, now: i64, expires_at: i64) -> Result<()> {
    sqlx::query("DELETE FROM track_sessions WHERE expires_at < $1").bind(now).execute(pool).await?;
    sqlx::query("INSERT INTO track_sessions (id_hash, ticket, expires_at) VALUES ($1, $2, $3)")
        .bind(id_hash)
        .bind(ticket)
        .bind(expires_at)
        .execute(pool)
        .await?;
    Ok(())
}

/// The ticket of a session that has not expired.
pub async fn session_ticket(pool: &AnyPool, id_hash: &str, now: i64) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT ticket FROM track_sessions WHERE id_hash = $1 AND expires_at >= $2")
            .bind(id_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|r| r.0))
}

/// Ends a session (and drops the flashes made for it).
pub async fn close_session(pool: &AnyPool, id_hash: &str) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM track_sessions WHERE id_hash = $1").bind(id_hash).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM resident_flash WHERE owner = $1").bind(id_hash).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Keeps a flash for `owner` (a session's id hash, or '' for the lookup form); also forgets
/// expired flashes.
pub async fn put_flash(pool: &AnyPool, id: &str, owner: &str, data: &str, now: i64, expires_at: i64) -> Result<()> {
    sqlx::query("DELETE FROM resident_flash WHERE expires_at < $1").bind(now).execute(pool).await?;
    sqlx::query("INSERT INTO resident_flash (id, data, owner, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(data)
        .bind(owner)
        .bind(expires_at)
        .execute(pool)
        .await?;
    Ok(())
}

/// Reads and forgets a flash of `owner` that has not expired. A flash asked for with another
/// owner is neither shown nor deleted.
pub async fn take_flash(pool: &AnyPool, id: &str, owner: &str, now: i64) -> Result<Option<String>> {
    let mut tx = pool.begin().await?;
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT data, expires_at FROM resident_flash WHERE id = $1 AND owner = $2")
            .bind(id)
            .bind(owner)
            .fetch_optional(&mut *tx)
            .await?;
    if row.is_some() {
        sqlx::query("DELETE FROM resident_flash WHERE id = $1").bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(row.filter(|(_, exp)| *exp >= now).map(|(d, _)| d))
}

/// Rows in `resident_flash` (tests count them around a refused post).
pub async fn flash_count(pool: &AnyPool) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM resident_flash").fetch_one(pool).await?;
    Ok(n)
}
