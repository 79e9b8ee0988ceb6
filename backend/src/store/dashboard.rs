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
    let period = format!("a.submitted_at >= $1 AND a.submitted_at < $2 AND a.merged_into IS NULL AND {}", filter.sql);
    let signed = format!(
        "SELECT a.signed_at - a.submitted_at FROM appeals a
         WHERE {period} AND a.signed_at IS NOT NULL AND a.signed_at < $2"
    );
    let closed = format!(
        "SELECT a.closed_at - a.submitted_at FROM appeals a
         WHERE {period} AND a.status = 'closed' AND a.closed_at < $2"
    );
    // The first staff reply or the close, kept on the appeal (migration 0020).
    let replied = format!(
        "SELECT a.first_reply_at - a.submitted_at FROM appeals a
         WHERE {period} AND a.first_reply_at IS NOT NULL AND a.first_reply_at < $2"
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

/// Open appeals past their deadline at `now` (either deadline: sign-for or resolution), per region
/// path, of those matching `filter` (whatever their submission time: the map marks what is late
/// today). `filter`'s placeholders start at `$3` as for the counts; `$1` and `$2` are unused
/// bounds kept so the same filter fits.
///
/// # Errors
/// Database errors.
pub async fn overdue_by_path(pool: &AnyPool, filter: &Filter, now: i64) -> Result<Vec<(String, i64)>> {
    let sql = format!(
        "SELECT a.scope_path, COUNT(*) FROM appeals a
         WHERE $1 <= $2 AND a.status <> 'closed' AND a.merged_into IS NULL AND (a.deadline_at < {now} OR (a.status = 'assigned' AND a.sign_by_at < {now}))
           AND {}
         GROUP BY a.scope_path",
        filter.sql
    );
    let mut q = sqlx::query_as::<_, (String, i64)>(&sql).bind(0_i64).bind(0_i64);
    for b in &filter.binds {
        q = q.bind(b.as_str());
    }
    Ok(q.fetch_all(pool).await?)
}
