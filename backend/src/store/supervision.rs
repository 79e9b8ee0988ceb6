//! Holidays, supervision notices, extension requests and ratings.

use super::Tx;
use crate::Result;
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;

pub async fn holidays(pool: &AnyPool) -> Result<Vec<(String, String, String)>> {
    Ok(sqlx::query_as("SELECT day, kind, name FROM holidays ORDER BY day").fetch_all(pool).await?)
}

pub async fn upsert_holiday(tx: &mut Tx<'_>, day: &str, kind: &str, name: &str, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO holidays (day, kind, name, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, updated_at = excluded.updated_at",
    )
    .bind(day)
    .bind(kind)
    .bind(name)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete_holiday(tx: &mut Tx<'_>, day: &str) -> Result<bool> {
    let r = sqlx::query("DELETE FROM holidays WHERE day = $1").bind(day).execute(&mut **tx).await?;
    Ok(r.rows_affected() == 1)
}

/// Records a notice; `false` if this (appeal, cycle, deadline, stage) already fired. The primary
/// key decides: concurrent runs, on one node or several, insert at most one row.
pub async fn fire(
    tx: &mut Tx<'_>,
    ticket: &str,
    cycle: i64,
    deadline: &str,
    due_at: i64,
    stage: &str,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO appeal_notices (ticket, cycle, deadline, due_at, stage, fired_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (ticket, cycle, deadline, due_at, stage) DO NOTHING",
    )
    .bind(ticket)
    .bind(i32::try_from(cycle).unwrap_or(i32::MAX))
    .bind(deadline)
    .bind(due_at)
    .bind(stage)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Notice {
    pub cycle: i64,
    pub deadline: String,
    pub stage: String,
    pub fired_at: i64,
}

pub async fn notices(pool: &AnyPool, ticket: &str) -> Result<Vec<Notice>> {
    Ok(sqlx::query_as("SELECT cycle, deadline, stage, fired_at FROM appeal_notices WHERE ticket = $1 ORDER BY fired_at, cycle, deadline, stage")
        .bind(ticket)
        .fetch_all(pool)
        .await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Extension {
    pub id: String,
    pub ticket: String,
    pub unit: String,
    pub requested_by: String,
    pub days: i64,
    pub reason: String,
    pub requested_at: i64,
    pub decision: Option<String>,
    pub decided_at: Option<i64>,
    pub note: Option<String>,
}

const EXT_COLS: &str = "id, ticket, unit, requested_by, days, reason, requested_at, decision, decided_at, note";

pub async fn extensions(pool: &AnyPool, ticket: &str) -> Result<Vec<Extension>> {
    Ok(sqlx::query_as(&format!("SELECT {EXT_COLS} FROM extensions WHERE ticket = $1 ORDER BY requested_at, id"))
        .bind(ticket)
        .fetch_all(pool)
        .await?)
}

pub async fn extension(tx: &mut Tx<'_>, id: &str) -> Result<Option<Extension>> {
    Ok(sqlx::query_as(&format!("SELECT {EXT_COLS} FROM extensions WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?)
}

/// Withdraws undecided extension requests (the appeal changed hands, closed or reopened: the
/// reason given no longer applies, and a request must never be decided by its own maker).
pub async fn cancel_pending_extensions(tx: &mut Tx<'_>, ticket: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE extensions SET decision = 'cancelled', decided_at = $2 WHERE ticket = $1 AND decision IS NULL")
        .bind(ticket)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn pending_extension(tx: &mut Tx<'_>, ticket: &str) -> Result<bool> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM extensions WHERE ticket = $1 AND decision IS NULL")
        .bind(ticket)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_extension(
    tx: &mut Tx<'_>,
    id: &str,
    ticket: &str,
    unit: &str,
    days: i64,
    reason: &str,
    now: i64,
    by: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO extensions (id, ticket, unit, days, reason, requested_at, requested_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(ticket)
    .bind(unit)
    .bind(i32::try_from(days).unwrap_or(1))
    .bind(reason)
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn decide_extension(tx: &mut Tx<'_>, id: &str, decision: &str, now: i64, by: &str, note: &str) -> Result<()> {
    sqlx::query("UPDATE extensions SET decision = $1, decided_at = $2, decided_by = $3, note = $4 WHERE id = $5 AND decision IS NULL")
        .bind(decision)
        .bind(now)
        .bind(by)
        .bind(note)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records the resident's rating of a cycle; `false` if that cycle was rated already.
pub async fn rate(
    tx: &mut Tx<'_>,
    ticket: &str,
    cycle: i64,
    rating: &str,
    comment: Option<&str>,
    now: i64,
) -> Result<bool> {
    rate_via(tx, ticket, cycle, rating, comment, now, "resident").await
}

/// Records the rating of a cycle given through `channel` (`resident`, or `callback` for what a
/// resident said on a follow-up call, migration 0013); `false` if that cycle was rated already,
/// so a resident's own rating is never overwritten.
pub async fn rate_via(
    tx: &mut Tx<'_>,
    ticket: &str,
    cycle: i64,
    rating: &str,
    comment: Option<&str>,
    now: i64,
    channel: &str,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO ratings (ticket, cycle, rating, comment, at, channel) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (ticket, cycle) DO NOTHING",
    )
    .bind(ticket)
    .bind(i32::try_from(cycle).unwrap_or(i32::MAX))
    .bind(rating)
    .bind(comment)
    .bind(now)
    .bind(channel)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    // The appeal keeps its latest rating for the figures (migration 0009).
    sqlx::query("UPDATE appeals SET rating = $1 WHERE ticket = $2")
        .bind(rating)
        .bind(ticket)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Rating {
    pub cycle: i64,
    pub rating: String,
    pub comment: Option<String>,
    pub at: i64,
}

pub async fn ratings(pool: &AnyPool, ticket: &str) -> Result<Vec<Rating>> {
    Ok(sqlx::query_as("SELECT cycle, rating, comment, at FROM ratings WHERE ticket = $1 ORDER BY cycle")
        .bind(ticket)
        .fetch_all(pool)
        .await?)
}

/// Closed appeals whose rating window (closed before `window_start`) passed without a rating.
pub async fn unrated_count(pool: &AnyPool, window_start: i64) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM appeals a WHERE a.status = 'closed' AND a.closed_at < $1
         AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.ticket = a.ticket AND r.cycle = a.cycle)",
    )
    .bind(window_start)
    .fetch_one(pool)
    .await?;
    Ok(n)
}

/// Open appeals with a stage due (`domain::sla::stages_due` in SQL) and not yet recorded in their current cycle.
pub async fn candidates(pool: &AnyPool, now: i64, grace: i64, limit: i64) -> Result<Vec<String>> {
    let missing = |deadline: &str, col: &str, stage: &str| {
        format!(
            "NOT EXISTS (SELECT 1 FROM appeal_notices n WHERE n.ticket = a.ticket AND n.cycle = a.cycle
             AND n.deadline = '{deadline}' AND n.due_at = a.{col} AND n.stage = '{stage}')"
        )
    };
    let due = |start: &str, col: &str, deadline: &str| {
        format!(
            "(({warn} <= $1 AND {w})
              OR (a.{col} < $1 AND {s})
              OR (a.{col} + $2 < $1 AND {e}))",
            warn = super::warning_point_sql(&format!("a.{start}"), &format!("a.{col}")),
            w = missing(deadline, col, "warning"),
            s = missing(deadline, col, "supervision"),
            e = missing(deadline, col, "escalation"),
        )
    };
    let sql = format!(
        "SELECT a.ticket FROM appeals a
         WHERE a.status <> 'closed' AND a.merged_into IS NULL AND ({resolve} OR (a.status = 'assigned' AND {sign}))
         ORDER BY a.deadline_at, a.ticket LIMIT {}",
        limit.clamp(1, 100_000),
        resolve = due("clock_start_at", "deadline_at", "resolve"),
        sign = due("sign_start_at", "sign_by_at", "sign"),
    );
    let rows: Vec<(String,)> = sqlx::query_as(&sql).bind(now).bind(grace).fetch_all(pool).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
