//! Staff session rows (`sessions`), keyed by the SHA-256 of the session id.

use sqlx::AnyPool;

/// Deletes the rows that expired before `now`; returns how many.
pub async fn sweep(pool: &AnyPool, now: i64) -> sqlx::Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(pool).await?;
    Ok(r.rows_affected())
}

/// Inserts a new row; `false` if the key exists already.
pub async fn insert(pool: &AnyPool, key: &str, data: &str, expires_at: i64) -> sqlx::Result<bool> {
    let r = sqlx::query("INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
        .bind(key)
        .bind(data)
        .bind(expires_at)
        .execute(pool)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Updates an existing row only (a missing row stays missing).
pub async fn update(pool: &AnyPool, key: &str, data: &str, expires_at: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET data = $2, expires_at = $3 WHERE id = $1")
        .bind(key)
        .bind(data)
        .bind(expires_at)
        .execute(pool)
        .await?;
    Ok(())
}

/// The data and expiry of a row.
pub async fn load(pool: &AnyPool, key: &str) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id = $1").bind(key).fetch_optional(pool).await
}

/// Deletes a row.
pub async fn delete(pool: &AnyPool, key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(key).execute(pool).await?;
    Ok(())
}
