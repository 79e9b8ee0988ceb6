//! The counts behind the grid's figures (issue 12). What each count means is defined in
//! `domain::stats`; this only counts.
//!
//! One call reads a period once, grouped by region path ([`counts_by_path`]): three queries, each
//! on an index of migrations 0009/0010, whatever the number of regions a page shows. The page then
//! adds up the paths under each region it shows ([`sum_under`]).

use crate::Result;
use domain::stats::Counts;
use sqlx::AnyPool;
use std::collections::HashMap;

/// Counts of the appeals submitted in `[start, end)`, optionally of one category, per region path
/// (`appeals.scope_path`: the path of the region of the unit that holds the appeal now). `now` is
/// when "overdue now" is judged (the end of the period if it is already over).
///
/// - One pass over the covering `appeals_stats` index for everything kept on the appeal (its
///   latest rating included).
/// - The rare rows (escalations and reopenings; supervision notices) through their partial indexes
///   by time: the events of appeals submitted in the period happen in `[start, end)` as far as the
///   figures look, so only those are read, then joined to their appeal. `CROSS JOIN` keeps SQLite
///   starting from those few rows; the repeated `IN` list is the partial index's own condition,
///   which SQLite needs to see to use it.
pub async fn counts_by_path(
    pool: &AnyPool,
    category: Option<&str>,
    start: i64,
    end: i64,
    now: i64,
) -> Result<HashMap<String, Counts>> {
    use sqlx::Row as _;
    let at = now.min(end);
    let category_filter = if category.is_some() { "AND a.category = $3" } else { "" };
    let period = format!("a.submitted_at >= $1 AND a.submitted_at < $2 {category_filter}");
    let base = format!(
        "SELECT a.scope_path,
           COUNT(*),
           COALESCE(SUM(CASE WHEN a.signed_at IS NOT NULL AND a.signed_at <= a.sign_by_at THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.status = 'closed' AND a.closed_at < $2 THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.status = 'closed' AND a.closed_at < $2 AND a.closed_at <= a.deadline_at
                             THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.status <> 'closed' AND a.deadline_at < {at} THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.rating IS NOT NULL THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.rating = 'satisfied' THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.rating = 'basically' THEN 1 ELSE 0 END), 0)
         FROM appeals a WHERE {period} GROUP BY a.scope_path"
    );
    let flagged = format!(
        "SELECT a.scope_path,
           COUNT(DISTINCT CASE WHEN e.kind IN ('escalated', 'auto_escalated') THEN e.ticket END),
           COUNT(DISTINCT CASE WHEN e.kind = 'reopened_unsatisfied' THEN e.ticket END)
         FROM appeal_events e CROSS JOIN appeals a
         WHERE e.kind IN ('escalated', 'auto_escalated', 'reopened_unsatisfied') AND e.at >= $1 AND e.at < $2
           AND a.ticket = e.ticket AND {period}
         GROUP BY a.scope_path"
    );
    let supervised = format!(
        "SELECT a.scope_path, COUNT(DISTINCT n.ticket) FROM appeal_notices n CROSS JOIN appeals a
         WHERE n.stage = 'supervision' AND n.fired_at >= $1 AND n.fired_at < $2 AND a.ticket = n.ticket AND {period}
         GROUP BY a.scope_path"
    );
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let mut out: HashMap<String, Counts> = HashMap::new();
    for r in bound(&base, start, end, category).fetch_all(pool).await? {
        let c = out.entry(r.try_get::<String, _>(0)?).or_default();
        c.received += n(r.try_get(1)?);
        c.signed_on_time += n(r.try_get(2)?);
        c.closed += n(r.try_get(3)?);
        c.closed_on_time += n(r.try_get(4)?);
        c.overdue_now += n(r.try_get(5)?);
        c.rated += n(r.try_get(6)?);
        c.satisfied += n(r.try_get(7)?);
        c.basically_satisfied += n(r.try_get(8)?);
    }
    for r in bound(&flagged, start, end, category).fetch_all(pool).await? {
        let c = out.entry(r.try_get::<String, _>(0)?).or_default();
        c.escalated += n(r.try_get(1)?);
        c.reopened += n(r.try_get(2)?);
    }
    for r in bound(&supervised, start, end, category).fetch_all(pool).await? {
        let c = out.entry(r.try_get::<String, _>(0)?).or_default();
        c.supervised += n(r.try_get(1)?);
    }
    Ok(out)
}

/// The sum of the counts of every path under `scope` (a region path ending in `/`).
#[must_use]
pub fn sum_under(by_path: &HashMap<String, Counts>, scope: &str) -> Counts {
    let mut t = Counts::default();
    for c in by_path.iter().filter(|(p, _)| p.starts_with(scope)).map(|(_, c)| c) {
        t += *c;
    }
    t
}

/// Counts for one scope (see [`counts_by_path`] and [`sum_under`]).
///
/// # Errors
/// Database errors.
pub async fn counts(
    pool: &AnyPool,
    scope: &str,
    category: Option<&str>,
    start: i64,
    end: i64,
    now: i64,
) -> Result<Counts> {
    Ok(sum_under(&counts_by_path(pool, category, start, end, now).await?, scope))
}

fn bound<'q>(sql: &'q str, start: i64, end: i64, category: Option<&'q str>) -> super::AnyQuery<'q> {
    let q = sqlx::query(sql).bind(start).bind(end);
    match category {
        Some(c) => q.bind(c),
        None => q,
    }
}
