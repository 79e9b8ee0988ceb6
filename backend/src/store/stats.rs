//! The counts behind the grid's public figures (issue 12). What each count means is defined in
//! `domain::stats`; this only counts.
//!
//! Each function reads a period once, grouped by region path (`appeals.scope_path`: the path of
//! the region of the unit that holds the appeal now), whatever the number of regions a page
//! shows; the page then adds up the paths under each region it shows ([`sum_under`]).
//!
//! - [`counts_by_path`]: every figure of the period (the one SQL definition in `store::counts`);
//! - [`monthly_by_path`]: the same figures per month, each month counted as of its own end, in one
//!   query over the `appeals_stats` index (migration 0009);
//! - [`received_by_category`]: how many appeals of each category and channel.

use super::counts::{grouped, Filter};
use crate::Result;
use domain::stats::Counts;
use sqlx::AnyPool;
use std::collections::HashMap;
use std::fmt::Write as _;

/// Counts of the appeals submitted in `[start, end)`, optionally of one category, per region
/// path. `now` is when "overdue now" is judged (the end of the period if it is already over).
///
/// # Errors
/// Database errors.
pub async fn counts_by_path(
    pool: &AnyPool,
    category: Option<&str>,
    start: i64,
    end: i64,
    now: i64,
) -> Result<HashMap<String, Counts>> {
    let mut filter = Filter::all();
    if let Some(c) = category {
        let p = filter.bind(c);
        filter.and(&format!("a.category = {p}"));
    }
    let by_key = grouped(pool, &["a.scope_path"], &filter, start, end, now).await?;
    Ok(by_key.into_iter().filter_map(|(mut k, c)| Some((k.pop()?, c))).collect())
}

/// Per region path, the counts of the appeals submitted in each month `[bounds[i], bounds[i + 1])`
/// (so `bounds.len() - 1` months; `bounds` ascending, computed by `Period::trend_bounds`), each
/// month judged at its own end: *closed* means closed before `bounds[i + 1]`. Only what is kept
/// on the appeal is counted (received, signed for on time, closed, closed on time, the ratings);
/// `overdue_now`, `supervised`, `escalated` and `reopened` stay 0.
///
/// One query: the month is a `CASE` over the boundaries, which are our own integers and are
/// written into the SQL (no user input reaches it).
///
/// # Errors
/// Database errors.
pub async fn monthly_by_path(
    pool: &AnyPool,
    bounds: &[i64],
    category: Option<&str>,
) -> Result<HashMap<String, Vec<Counts>>> {
    use sqlx::Row as _;
    let months = bounds.len().saturating_sub(1);
    let (Some(&start), Some(&end)) = (bounds.first(), bounds.last()) else { return Ok(HashMap::new()) };
    if months == 0 {
        return Ok(HashMap::new());
    }
    // `CASE WHEN submitted_at < b1 THEN <0 | b1> … ELSE <last | end> END`.
    let case = |value: &dyn Fn(usize) -> String| {
        if months == 1 {
            return value(0);
        }
        let mut s = String::from("CASE");
        for (i, b) in bounds.iter().enumerate().take(months).skip(1) {
            let _ = write!(s, " WHEN a.submitted_at < {b} THEN {}", value(i - 1));
        }
        let _ = write!(s, " ELSE {} END", value(months - 1));
        s
    };
    let bucket = case(&|i| i.to_string());
    let month_end = case(&|i| bounds[i + 1].to_string());
    let category_filter = if category.is_some() { "AND a.category = $3" } else { "" };
    let sql = format!(
        "SELECT a.scope_path, CAST({bucket} AS BIGINT) AS bucket,
           COUNT(*),
           COALESCE(SUM(CASE WHEN a.signed_at IS NOT NULL AND a.signed_at <= a.sign_by_at THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.status = 'closed' AND a.closed_at < {month_end} THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.status = 'closed' AND a.closed_at < {month_end} AND a.closed_at <= a.deadline_at
                             THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.rating IS NOT NULL THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.rating = 'satisfied' THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.rating = 'basically' THEN 1 ELSE 0 END), 0)
         FROM appeals a WHERE a.submitted_at >= $1 AND a.submitted_at < $2 {category_filter}
         GROUP BY a.scope_path, bucket"
    );
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let mut out: HashMap<String, Vec<Counts>> = HashMap::new();
    for r in bound(&sql, start, end, category).fetch_all(pool).await? {
        let Some(i) = usize::try_from(r.try_get::<i64, _>(1)?).ok().filter(|i| *i < months) else { continue };
        let c = &mut out.entry(r.try_get::<String, _>(0)?).or_insert_with(|| vec![Counts::default(); months])[i];
        c.received += n(r.try_get(2)?);
        c.signed_on_time += n(r.try_get(3)?);
        c.closed += n(r.try_get(4)?);
        c.closed_on_time += n(r.try_get(5)?);
        c.rated += n(r.try_get(6)?);
        c.satisfied += n(r.try_get(7)?);
        c.basically_satisfied += n(r.try_get(8)?);
    }
    Ok(out)
}

/// How many appeals of each category were submitted in `[start, end)`, per region path:
/// `(path, category, channel) → count` (the channel as stored: `web`, `open311:<key>`, `phone`, …).
/// One pass, for the most frequent categories and the channels alike (both need the table row:
/// neither column is in the `appeals_stats` index).
///
/// # Errors
/// Database errors.
pub async fn received_by_category(
    pool: &AnyPool,
    start: i64,
    end: i64,
) -> Result<HashMap<(String, String, String), u64>> {
    use sqlx::Row as _;
    let sql = "SELECT a.scope_path, a.category, a.channel, COUNT(*) FROM appeals a
               WHERE a.submitted_at >= $1 AND a.submitted_at < $2 GROUP BY a.scope_path, a.category, a.channel";
    let mut out = HashMap::new();
    for r in bound(sql, start, end, None).fetch_all(pool).await? {
        let n = u64::try_from(r.try_get::<i64, _>(3)?).unwrap_or(0);
        let key = (r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?, r.try_get::<String, _>(2)?);
        *out.entry(key).or_insert(0) += n;
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
