//! Open311: API keys, and the public columns of appeals for the GeoReport list.
//!
//! The list query selects only what the public view may show (and what it needs to decide what
//! to withhold); contact names, phone numbers, address notes, points and the resident's own
//! description are not even read.

use super::Tx;
use crate::Result;
use sqlx::AnyPool;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// Stores a new key's digest; returns its id.
pub async fn insert_key(tx: &mut Tx<'_>, name: &str, key_hash: &str, now: i64) -> Result<i64> {
    let (id,): (i64,) =
        sqlx::query_as("INSERT INTO api_keys (name, key_hash, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(name)
            .bind(key_hash)
            .bind(now)
            .fetch_one(&mut **tx)
            .await?;
    Ok(id)
}

/// The key with this digest, revoked or not.
pub async fn key_by_hash(pool: &AnyPool, key_hash: &str) -> Result<Option<(ApiKeyRow, String)>> {
    let row: Option<(i64, String, i64, Option<i64>, String)> =
        sqlx::query_as("SELECT id, name, created_at, revoked_at, key_hash FROM api_keys WHERE key_hash = $1")
            .bind(key_hash)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id, name, created_at, revoked_at, hash)| (ApiKeyRow { id, name, created_at, revoked_at }, hash)))
}

pub async fn all_keys(pool: &AnyPool) -> Result<Vec<ApiKeyRow>> {
    Ok(sqlx::query_as("SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY id").fetch_all(pool).await?)
}

/// Marks a key revoked; `false` if there is no such key or it was revoked already.
pub async fn revoke_key(tx: &mut Tx<'_>, id: i64, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// What the public view of one appeal is made from (issue 9 §3). The resident's own description,
/// the point, the cell and the media link are not even read: the public record is the category,
/// the status, the region, the days, and the moderated text when there is one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicRow {
    pub ticket: String,
    pub category: String,
    pub region: Option<String>,
    pub status: String,
    pub submitted_at: i64,
    pub updated_at: i64,
    pub deadline_at: i64,
    pub publish_requested: i64,
    pub publish_state: Option<String>,
    /// The staff-approved text, if any (shown only under `domain::publication::public_text`).
    pub public_text: Option<String>,
}

const PUBLIC_COLS: &str = "ticket, category, region, status, submitted_at, updated_at, deadline_at,
    publish_requested, publish_state, public_text";

/// The filters of `GET requests`, already parsed. Empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Tickets in stored form. When given, the other filters are not applied (GeoReport v2).
    pub tickets: Vec<String>,
    pub categories: Vec<String>,
    /// `Some(true)`: open statuses only; `Some(false)`: closed only.
    pub open: Option<bool>,
    /// Inclusive bounds on the submission time.
    pub from: i64,
    pub to: i64,
    pub limit: i64,
}

/// Matching appeals, newest first.
pub async fn list(pool: &AnyPool, q: &ListQuery) -> Result<Vec<PublicRow>> {
    let mut binds: Vec<Bind> = Vec::new();
    let mut wheres = Vec::new();
    if q.tickets.is_empty() {
        let from = ph(Bind::I64(q.from), &mut binds);
        let to = ph(Bind::I64(q.to), &mut binds);
        wheres.push(format!("submitted_at >= {from} AND submitted_at <= {to}"));
        if !q.categories.is_empty() {
            let list: Vec<String> = q.categories.iter().map(|c| ph(Bind::Str(c.clone()), &mut binds)).collect();
            wheres.push(format!("category IN ({})", list.join(", ")));
        }
        match q.open {
            Some(true) => wheres.push("status <> 'closed'".into()),
            Some(false) => wheres.push("status = 'closed'".into()),
            None => {}
        }
    } else {
        let list: Vec<String> = q.tickets.iter().map(|t| ph(Bind::Str(t.clone()), &mut binds)).collect();
        wheres.push(format!("ticket IN ({})", list.join(", ")));
    }
    // The limit is ours (clamped), not the client's text, so it is written into the SQL.
    let sql = format!(
        "SELECT {PUBLIC_COLS} FROM appeals WHERE {} ORDER BY submitted_at DESC, ticket DESC LIMIT {}",
        wheres.join(" AND "),
        q.limit.clamp(1, 10_000)
    );
    let mut query = sqlx::query_as::<_, PublicRow>(&sql);
    for b in binds {
        query = match b {
            Bind::I64(v) => query.bind(v),
            Bind::Str(v) => query.bind(v),
        };
    }
    Ok(query.fetch_all(pool).await?)
}

enum Bind {
    I64(i64),
    Str(String),
}

/// Adds a bind and returns its placeholder.
fn ph(b: Bind, binds: &mut Vec<Bind>) -> String {
    binds.push(b);
    format!("${}", binds.len())
}

pub async fn public_one(pool: &AnyPool, ticket: &str) -> Result<Option<PublicRow>> {
    Ok(sqlx::query_as(&format!("SELECT {PUBLIC_COLS} FROM appeals WHERE ticket = $1"))
        .bind(ticket)
        .fetch_optional(pool)
        .await?)
}

/// The channel an appeal came in by (`web`, `open311:<key id>`).
pub async fn channel(pool: &AnyPool, ticket: &str) -> Result<Option<(String, Option<String>)>> {
    Ok(sqlx::query_as("SELECT channel, media_url FROM appeals WHERE ticket = $1")
        .bind(ticket)
        .fetch_optional(pool)
        .await?)
}

/// Sets the old `public_location` flag. Since issue 9 §3 the public view never shows a point,
/// whatever this says; kept so older data and tests can prove it is ignored.
pub async fn set_public_location(tx: &mut Tx<'_>, ticket: &str, public: bool) -> Result<bool> {
    let r = sqlx::query("UPDATE appeals SET public_location = $1 WHERE ticket = $2")
        .bind(i32::from(public))
        .bind(ticket)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}
