//! Appeals, their photos and timeline events.

use super::Tx;
use crate::Result;
use sqlx::AnyPool;

pub struct NewAppeal<'a> {
    pub ticket: &'a str,
    pub submit_token: &'a str,
    pub key_hash: &'a str,
    pub category: &'a str,
    pub description: &'a str,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub region: Option<&'a str>,
    pub cell: Option<&'a str>,
    pub address_note: Option<&'a str>,
    pub contact: Option<(&'a str, &'a str)>,
    pub status: &'a str,
    pub unit: &'a str,
    pub route_reason: &'a str,
    pub submitted_at: i64,
    pub deadline_at: i64,
}

pub async fn insert(tx: &mut Tx<'_>, a: &NewAppeal<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO appeals (ticket, submit_token, key_hash, category, description, lat, lng,
           region, cell, address_note, anonymous, contact_name, contact_phone, status, unit,
           route_reason, submitted_at, deadline_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(a.ticket)
    .bind(a.submit_token)
    .bind(a.key_hash)
    .bind(a.category)
    .bind(a.description)
    .bind(a.lat)
    .bind(a.lng)
    .bind(a.region)
    .bind(a.cell)
    .bind(a.address_note)
    .bind(i32::from(a.contact.is_none()))
    .bind(a.contact.map(|c| c.0))
    .bind(a.contact.map(|c| c.1))
    .bind(a.status)
    .bind(a.unit)
    .bind(a.route_reason)
    .bind(a.submitted_at)
    .bind(a.deadline_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub struct NewEvent<'a> {
    pub ticket: &'a str,
    pub at: i64,
    pub kind: &'a str,
    pub actor: &'a str,
    pub unit: Option<&'a str>,
    pub public: bool,
    pub body: Option<&'a str>,
}

pub async fn insert_event(tx: &mut Tx<'_>, e: &NewEvent<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO appeal_events (ticket, at, kind, actor, unit, public, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(e.ticket)
    .bind(e.at)
    .bind(e.kind)
    .bind(e.actor)
    .bind(e.unit)
    .bind(i32::from(e.public))
    .bind(e.body)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves a draft's photos to the appeal, in upload order.
pub async fn take_draft_photos(tx: &mut Tx<'_>, token: &str, ticket: &str) -> Result<u64> {
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM draft_photos WHERE token = $1 ORDER BY created_at, id")
            .bind(token)
            .fetch_all(&mut **tx)
            .await?;
    for (pos, (id,)) in ids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO appeal_photos (id, ticket, position, content_type, bytes)
             SELECT id, $1, $2, content_type, bytes FROM draft_photos WHERE id = $3",
        )
        .bind(ticket)
        .bind(i32::try_from(pos).unwrap_or(i32::MAX))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    let res = sqlx::query("DELETE FROM draft_photos WHERE token = $1")
        .bind(token)
        .execute(&mut **tx)
        .await?;
    Ok(res.rows_affected())
}

pub struct AppealRow {
    pub ticket: String,
    pub key_hash: String,
    pub category: String,
    pub status: String,
    pub unit: String,
    pub submitted_at: i64,
    pub deadline_at: i64,
}

pub async fn by_ticket(pool: &AnyPool, ticket: &str) -> Result<Option<AppealRow>> {
    let row: Option<(String, String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT ticket, key_hash, category, status, unit, submitted_at, deadline_at
         FROM appeals WHERE ticket = $1",
    )
    .bind(ticket)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(ticket, key_hash, category, status, unit, submitted_at, deadline_at)| AppealRow {
        ticket,
        key_hash,
        category,
        status,
        unit,
        submitted_at,
        deadline_at,
    }))
}

pub struct EventRow {
    pub at: i64,
    pub kind: String,
    pub unit: Option<String>,
    pub body: Option<String>,
}

pub async fn public_events(pool: &AnyPool, ticket: &str) -> Result<Vec<EventRow>> {
    let rows: Vec<(i64, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT at, kind, unit, body FROM appeal_events WHERE ticket = $1 AND public = 1 ORDER BY id",
    )
    .bind(ticket)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(at, kind, unit, body)| EventRow { at, kind, unit, body }).collect())
}

pub async fn count_by_token(pool: &AnyPool, token: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM appeals WHERE submit_token = $1")
        .bind(token)
        .fetch_one(pool)
        .await?;
    Ok(n)
}

pub async fn photo_count(pool: &AnyPool, ticket: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM appeal_photos WHERE ticket = $1")
        .bind(ticket)
        .fetch_one(pool)
        .await?;
    Ok(n)
}
