//! Drafts of appeals and their photos.

use super::Tx;
use crate::photos::Size;
use crate::Result;
use sqlx::AnyPool;

pub struct DraftRow {
    pub data: String,
    pub ticket: Option<String>,
    pub access_key: Option<String>,
    /// SHA-256 (hex) of the secret in the cookie of the browser that started the draft; `None`
    /// for drafts from before browser binding (treated as expired).
    pub browser_hash: Option<String>,
}

type Row = (String, Option<String>, Option<String>, Option<String>);

pub async fn get(pool: &AnyPool, token: &str) -> Result<Option<DraftRow>> {
    let row: Option<Row> = sqlx::query_as("SELECT data, ticket, access_key, browser_hash FROM drafts WHERE token = $1")
        .bind(token)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(data, ticket, access_key, browser_hash)| DraftRow { data, ticket, access_key, browser_hash }))
}

/// Stores a new draft bound to a browser (by the hash of its cookie secret). Tokens are drawn
/// at random by the server, so the insert never meets an existing row.
pub async fn create(pool: &AnyPool, token: &str, browser_hash: &str, data: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO drafts (token, data, browser_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
        .bind(token)
        .bind(data)
        .bind(browser_hash)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}

/// Updates an existing draft's data, unless it was already submitted (then nothing changes and
/// `false` is returned). Never creates a draft: only [`create`] does, for a server-issued token.
pub async fn save(pool: &AnyPool, token: &str, data: &str, now: i64) -> Result<bool> {
    let res = sqlx::query("UPDATE drafts SET data = $2, updated_at = $3 WHERE token = $1 AND ticket IS NULL")
        .bind(token)
        .bind(data)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(res.rows_affected() > 0)
}

pub async fn mark_submitted(tx: &mut Tx<'_>, token: &str, ticket: &str, key: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE drafts SET ticket = $1, access_key = $2, updated_at = $3 WHERE token = $4")
        .bind(ticket)
        .bind(key)
        .bind(now)
        .bind(token)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn photo_ids(pool: &AnyPool, token: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM draft_photos WHERE token = $1 ORDER BY created_at, id")
        .bind(token)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The draft's photos: how many, and their stored bytes together.
pub async fn photo_usage(pool: &AnyPool, token: &str) -> Result<(i64, i64)> {
    let row: (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(LENGTH(bytes)), 0) AS BIGINT) FROM draft_photos WHERE token = $1",
    )
    .bind(token)
    .fetch_one(pool)
    .await?;
    Ok(row)
}

/// Adds a photo (and its thumbnail, when there is one) if the draft has fewer than `max` photos
/// and would keep at most `max_bytes` of photos stored (thumbnails are not counted); returns
/// whether it was added. Runs in a transaction so two parallel uploads cannot both take the last
/// place.
pub async fn add_photo(
    pool: &AnyPool,
    token: &str,
    id: &str,
    (jpeg, thumb): (&[u8], Option<&[u8]>),
    max: usize,
    max_bytes: usize,
    now: i64,
) -> Result<bool> {
    let mut tx = pool.begin().await?;
    // Lock the draft's row first, so two parallel uploads count one after the other.
    sqlx::query("UPDATE drafts SET updated_at = $2 WHERE token = $1").bind(token).bind(now).execute(&mut *tx).await?;
    let (n, stored): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(LENGTH(bytes)), 0) AS BIGINT) FROM draft_photos WHERE token = $1",
    )
    .bind(token)
    .fetch_one(&mut *tx)
    .await?;
    let stored = usize::try_from(stored).unwrap_or(usize::MAX);
    if usize::try_from(n).unwrap_or(usize::MAX) >= max || stored.saturating_add(jpeg.len()) > max_bytes {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO draft_photos (id, token, content_type, bytes, created_at, thumb)
         VALUES ($1, $2, 'image/jpeg', $3, $4, $5)",
    )
    .bind(id)
    .bind(token)
    .bind(jpeg.to_vec())
    .bind(now)
    .bind(thumb.map(<[u8]>::to_vec))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn remove_photo(pool: &AnyPool, token: &str, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM draft_photos WHERE token = $1 AND id = $2").bind(token).bind(id).execute(pool).await?;
    Ok(())
}

/// A draft photo's bytes, or its thumbnail's (the photo itself when it has none).
pub async fn photo(pool: &AnyPool, token: &str, id: &str, size: Size) -> Result<Option<Vec<u8>>> {
    let sql = format!("SELECT {} FROM draft_photos WHERE token = $1 AND id = $2", size.column());
    let row: Option<(Vec<u8>,)> = sqlx::query_as(&sql).bind(token).bind(id).fetch_optional(pool).await?;
    Ok(row.map(|r| r.0))
}

/// Forgets a submitted draft's plaintext key and typed data now (what [`sweep`] does a day after
/// submission).
///
/// # Errors
/// Database errors.
pub async fn forget_receipt(pool: &AnyPool, token: &str, empty_draft: &str) -> Result<()> {
    sqlx::query("UPDATE drafts SET access_key = NULL, data = $2 WHERE token = $1 AND ticket IS NOT NULL")
        .bind(token)
        .bind(empty_draft)
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets what is no longer needed: unsubmitted drafts (and their photos) last touched before
/// `stale_before`, and of submitted drafts older than `submitted_before` the plaintext key and
/// everything the resident typed (the appeal has its own copy; the key only its hash).
pub async fn sweep(pool: &AnyPool, stale_before: i64, submitted_before: i64, empty_draft: &str) -> Result<(u64, u64)> {
    let gone = sqlx::query("DELETE FROM drafts WHERE ticket IS NULL AND updated_at < $1")
        .bind(stale_before)
        .execute(pool)
        .await?;
    let cleared = sqlx::query(
        "UPDATE drafts SET access_key = NULL, data = $2 WHERE ticket IS NOT NULL AND access_key IS NOT NULL AND updated_at < $1",
    )
    .bind(submitted_before)
    .bind(empty_draft)
    .execute(pool)
    .await?;
    Ok((gone.rows_affected(), cleared.rows_affected()))
}
