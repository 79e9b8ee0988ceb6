//! Sign-in throttle rows, TOTP secrets and recovery codes (issue 9 §4). The throttle lives in the
//! database so that every node of a deployment counts the same failures.

use super::Tx;
use crate::Result;
use sqlx::AnyPool;

/// `(failures, last_at, blocked_until)` of one (user name, client) pair.
pub async fn failures(pool: &AnyPool, username: &str, client: &str) -> Result<Option<(i64, i64, i64)>> {
    let r: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT failures, last_at, blocked_until FROM signin_failures WHERE username = $1 AND client = $2",
    )
    .bind(username)
    .bind(client)
    .fetch_optional(pool)
    .await?;
    Ok(r)
}

/// Counts one more failure (atomically, so parallel attempts are all counted); failures last
/// seen before `forget_before` start again from one. Returns the new count.
pub async fn add_failure(pool: &AnyPool, username: &str, client: &str, now: i64, forget_before: i64) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "INSERT INTO signin_failures (username, client, failures, last_at, blocked_until) VALUES ($1, $2, 1, $3, 0)
         ON CONFLICT (username, client) DO UPDATE SET
             failures = CASE WHEN signin_failures.last_at < $4 THEN 1 ELSE signin_failures.failures + 1 END,
             last_at = $3
         RETURNING failures",
    )
    .bind(username)
    .bind(client)
    .bind(now)
    .bind(forget_before)
    .fetch_one(pool)
    .await?;
    Ok(n)
}

pub async fn set_blocked_until(pool: &AnyPool, username: &str, client: &str, until: i64) -> Result<()> {
    sqlx::query("UPDATE signin_failures SET blocked_until = $3 WHERE username = $1 AND client = $2")
        .bind(username)
        .bind(client)
        .bind(until)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn clear_failures(pool: &AnyPool, username: &str, client: &str) -> Result<()> {
    sqlx::query("DELETE FROM signin_failures WHERE username = $1 AND client = $2")
        .bind(username)
        .bind(client)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes rows nobody has failed on since `before` and that block nothing any more.
pub async fn sweep_failures(pool: &AnyPool, before: i64, now: i64) -> Result<u64> {
    let r = sqlx::query("DELETE FROM signin_failures WHERE last_at < $1 AND blocked_until < $2")
        .bind(before)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(r.rows_affected())
}

/// `(secret, last_step)` of a confirmed second factor.
pub async fn totp(pool: &AnyPool, staff_id: &str) -> Result<Option<(String, i64)>> {
    let r: Option<(String, i64)> = sqlx::query_as("SELECT secret, last_step FROM staff_totp WHERE staff_id = $1")
        .bind(staff_id)
        .fetch_optional(pool)
        .await?;
    Ok(r)
}

/// Records a confirmed secret; false if this member already has one.
pub async fn insert_totp(tx: &mut Tx<'_>, staff_id: &str, secret: &str, last_step: i64, now: i64) -> Result<bool> {
    let r = sqlx::query("INSERT INTO staff_totp (staff_id, secret, last_step, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (staff_id) DO NOTHING")
        .bind(staff_id)
        .bind(secret)
        .bind(last_step)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Moves the newest accepted step forward; false if `step` is not newer (a replayed code).
pub async fn advance_totp(pool: &AnyPool, staff_id: &str, step: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE staff_totp SET last_step = $2 WHERE staff_id = $1 AND last_step < $2")
        .bind(staff_id)
        .bind(step)
        .execute(pool)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn delete_totp(tx: &mut Tx<'_>, staff_id: &str) -> Result<bool> {
    sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1").bind(staff_id).execute(&mut **tx).await?;
    let r = sqlx::query("DELETE FROM staff_totp WHERE staff_id = $1").bind(staff_id).execute(&mut **tx).await?;
    Ok(r.rows_affected() == 1)
}

/// Replaces every recovery code of a member (the old ones stop working).
pub async fn replace_recovery_codes(tx: &mut Tx<'_>, staff_id: &str, hashes: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1").bind(staff_id).execute(&mut **tx).await?;
    for h in hashes {
        sqlx::query("INSERT INTO staff_recovery_codes (staff_id, code_hash, used_at) VALUES ($1, $2, NULL)")
            .bind(staff_id)
            .bind(h)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Spends one unused code; false if there is no such unused code.
pub async fn use_recovery_code(tx: &mut Tx<'_>, staff_id: &str, hash: &str, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE staff_recovery_codes SET used_at = $3 WHERE staff_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(staff_id)
    .bind(hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn recovery_codes_left(pool: &AnyPool, staff_id: &str) -> Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = $1 AND used_at IS NULL")
            .bind(staff_id)
            .fetch_one(pool)
            .await?;
    Ok(n)
}

/// How many session rows exist (tests and the admin's overview).
pub async fn session_count(pool: &AnyPool) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions").fetch_one(pool).await?;
    Ok(n)
}
