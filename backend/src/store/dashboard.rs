//! What the staff dashboard reads besides the counts (`super::counts`): how long appeals took,
//! for medians.

use super::counts::Filter;
use crate::Result;
use sqlx::AnyPool;

/// Seconds from submission to the first sign-for, to the first answer (a reply or the closing
/// answer), and to closing, of the appeals submitted in `[start, end)` that match `filter`; each
/// list holds only the appeals that got that far before `end`.
///
/// # Errors
/// Database errors.
pub async fn durations(
    pool: &AnyPool,
    filter: &Filter,
    start: i64,
    end: i64,
) -> Result<(Vec<i64>, Vec<i64>, Vec<i64>)> {
    let period = format!("a.submitted_at >= $1 AND a.submitted_at < $2 AND {}", filter.sql);
    let signed = format!(
        "SELECT a.signed_at - a.submitted_at FROM appeals a
         WHERE {period} AND a.signed_at IS NOT NULL AND a.signed_at < $2"
    );
    let closed = format!(
        "SELECT a.closed_at - a.submitted_at FROM appeals a
         WHERE {period} AND a.status = 'closed' AND a.closed_at < $2"
    );
    let replied = format!(
        "SELECT MIN(e.at) - a.submitted_at FROM appeals a JOIN appeal_events e ON e.ticket = a.ticket
         WHERE {period} AND e.kind IN ('reply', 'closed') AND e.at < $2
         GROUP BY a.ticket, a.submitted_at"
    );
    let read = |sql: String| async move {
        let mut q = sqlx::query_as::<_, (i64,)>(&sql).bind(start).bind(end);
        for b in &filter.binds {
            q = q.bind(b.as_str());
        }
        Ok::<_, crate::BackendError>(q.fetch_all(pool).await?.into_iter().map(|(v,)| v).collect::<Vec<i64>>())
    };
    Ok((read(signed).await?, read(replied).await?, read(closed).await?))
}
