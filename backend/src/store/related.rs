//! Related and repeated appeals (issue 13): merges (`appeals.merged_into`), links
//! (`appeal_links`), and the wizard's offer of open appeals on the same matter.

use super::Tx;
use crate::Result;
use domain::workflow::Status;
use sqlx::AnyPool;

/// An open main appeal the wizard may offer: only public columns (the text only as moderated).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfferRow {
    pub ticket: String,
    pub category: String,
    pub cell: String,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub submitted_at: i64,
    pub publish_requested: i64,
    pub publish_state: Option<String>,
    pub public_text: Option<String>,
    /// How many appeals follow it.
    pub joined: i64,
}

/// The open appeals of `category` routed in grid cell `cell` that follow no other appeal, newest
/// first, at most `limit` (the wizard's offer).
///
/// `by_cell`: `place` is a grid cell (the draft has a point). Otherwise `place` is a community
/// chosen from the cascade (no point, e.g. without JavaScript): appeals placed the same way,
/// without a point, in that same community.
pub async fn offers(pool: &AnyPool, category: &str, place: &str, by_cell: bool, limit: i64) -> Result<Vec<OfferRow>> {
    let at = if by_cell { "a.cell = $1" } else { "a.cell IS NULL AND a.region = $1" };
    Ok(sqlx::query_as(&format!(
        "SELECT a.ticket, a.category, COALESCE(a.cell, a.region, '') AS cell, a.status, a.submitted_at,
                a.publish_requested, a.publish_state, a.public_text,
                (SELECT COUNT(*) FROM appeals f WHERE f.merged_into = a.ticket) AS joined
         FROM appeals a
         WHERE {at} AND a.category = $2 AND a.status <> 'closed' AND a.merged_into IS NULL
         ORDER BY a.submitted_at DESC, a.ticket DESC LIMIT {}",
        limit.clamp(1, 50)
    ))
    .bind(place)
    .bind(category)
    .fetch_all(pool)
    .await?)
}

/// Joins the just stored appeal `ticket` to `main`, in the submission's transaction, if `main`
/// is still an open main appeal of the same category in the same place (checked in the same
/// statement, so a main closed or merged meanwhile is not joined). `true` if joined.
pub async fn join(tx: &mut Tx<'_>, ticket: &str, main: &str, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE appeals SET merged_into = $1, merged_at = $2, merged_by = 'resident'
         WHERE ticket = $3 AND merged_into IS NULL AND EXISTS (
             SELECT 1 FROM appeals m WHERE m.ticket = $1 AND m.ticket <> $3 AND m.status <> 'closed'
               AND m.merged_into IS NULL AND m.category = appeals.category
               AND (m.cell = appeals.cell
                    OR (m.cell IS NULL AND appeals.cell IS NULL AND m.region = appeals.region)))",
    )
    .bind(main)
    .bind(now)
    .bind(ticket)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Sets (or with `None`, clears) what `ticket` follows; `by` is `staff` or `resident`.
pub async fn set_merged(tx: &mut Tx<'_>, ticket: &str, into: Option<(&str, &str)>, now: i64) -> Result<()> {
    sqlx::query("UPDATE appeals SET merged_into = $1, merged_at = $2, merged_by = $3 WHERE ticket = $4")
        .bind(into.map(|i| i.0))
        .bind(into.map(|_| now))
        .bind(into.map(|i| i.1))
        .bind(ticket)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// An appeal tied to another (a follower, a main appeal, a link).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TiedRow {
    pub ticket: String,
    pub category: String,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub submitted_at: i64,
    pub unit: String,
    pub merged_by: Option<String>,
}

const TIED_COLS: &str = "a.ticket, a.category, a.status, a.submitted_at, a.unit, a.merged_by";

/// The appeals following `main`, oldest first.
pub async fn followers<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(ex: E, main: &str) -> Result<Vec<TiedRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {TIED_COLS} FROM appeals a WHERE a.merged_into = $1 ORDER BY a.submitted_at, a.ticket"
    ))
    .bind(main)
    .fetch_all(ex)
    .await?)
}

/// One appeal as a tied row.
pub async fn tied<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(ex: E, ticket: &str) -> Result<Option<TiedRow>> {
    Ok(sqlx::query_as(&format!("SELECT {TIED_COLS} FROM appeals a WHERE a.ticket = $1"))
        .bind(ticket)
        .fetch_optional(ex)
        .await?)
}

/// Moves every follower of `from` to `to` (when `from` is merged away): no chains.
pub async fn move_followers(tx: &mut Tx<'_>, from: &str, to: &str) -> Result<()> {
    sqlx::query("UPDATE appeals SET merged_into = $1 WHERE merged_into = $2")
        .bind(to)
        .bind(from)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether `a` and `b` are linked (either order).
pub async fn linked(tx: &mut Tx<'_>, a: &str, b: &str) -> Result<bool> {
    let (a, b) = domain::related::link_pair(a, b);
    let row: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM appeal_links WHERE a = $1 AND b = $2")
        .bind(a)
        .bind(b)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some())
}

/// Links `a` and `b`.
pub async fn link(tx: &mut Tx<'_>, a: &str, b: &str, now: i64, by: &str) -> Result<()> {
    let (a, b) = domain::related::link_pair(a, b);
    sqlx::query("INSERT INTO appeal_links (a, b, linked_at, linked_by) VALUES ($1, $2, $3, $4)")
        .bind(a)
        .bind(b)
        .bind(now)
        .bind(by)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The appeals linked with `ticket`, either way, in the order they were linked.
pub async fn links(pool: &AnyPool, ticket: &str) -> Result<Vec<TiedRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {TIED_COLS} FROM appeal_links l JOIN appeals a ON a.ticket = CASE WHEN l.a = $1 THEN l.b ELSE l.a END
         WHERE l.a = $1 OR l.b = $1 ORDER BY l.linked_at, a.ticket"
    ))
    .bind(ticket)
    .fetch_all(pool)
    .await?)
}
