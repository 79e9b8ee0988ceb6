//! The counts behind the grid's public figures (issue 12). What each count means is defined in
//! `domain::stats`; this only counts.
//!
//! Each function reads a period once, grouped by region path (`appeals.scope_path`: the path of
//! the region of the unit that holds the appeal now), whatever the number of regions a page
//! shows; the page then adds up the paths under each region it shows ([`sum_under`]). Then the
//! few appeals that moved are put right (`counts::Move`): one handed over at or after the end of
//! the period (or, in the trend, of its month) is counted for the unit that held it then, and a
//! duplicate merged into another appeal is not counted (its main appeal is).
//!
//! - [`counts_by_path`]: every figure of the period (the one SQL definition in `store::counts`);
//! - [`monthly_by_path`]: the same figures per month, each month counted as of its own end, in one
//!   query over the `appeals_stats` index (migrations 0009, 0020: it covers every column read here);
//! - [`received_by_category`]: how many appeals of each category and channel.

use super::counts::{
    bound, grouped, handovers_after, known_units_only, moves, with_tickets, Filter, Holders, Move, TICKETS_PER_QUERY,
};
use crate::catalog::Catalog;
use crate::Result;
use domain::stats::Counts;
use sqlx::{AnyPool, Row as _};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Counts of the appeals submitted in `[start, end)`, optionally of one category, per region
/// path. `now` is when "overdue now" is judged (the end of the period if it is already over).
///
/// # Errors
/// Database errors.
pub async fn counts_by_path(
    pool: &AnyPool,
    cat: &Catalog,
    category: Option<&str>,
    start: i64,
    end: i64,
    now: i64,
) -> Result<HashMap<String, Counts>> {
    let filter = of_category(category);
    let by_key = grouped(pool, &["a.scope_path"], &filter, start, end, now, Holders::AtEnd(cat)).await?;
    Ok(by_key.into_iter().filter_map(|(mut k, c)| Some((k.pop()?, c))).collect())
}

/// Per region path, the counts of the appeals submitted in each month `[bounds[i], bounds[i + 1])`
/// (so `bounds.len() - 1` months; `bounds` ascending, computed by `Period::trend_bounds`), each
/// month judged at its own end: *closed* means closed before `bounds[i + 1]`. Only what is kept
/// on the appeal is counted (received, signed for on time, closed, closed on time, the ratings);
/// `overdue_now`, `supervised`, `escalated` and `reopened` stay 0. An appeal handed over after
/// its month's end is in the figures of the unit that held it then; a merged one in none.
///
/// # Errors
/// Database errors.
pub async fn monthly_by_path(
    pool: &AnyPool,
    cat: &Catalog,
    bounds: &[i64],
    category: Option<&str>,
) -> Result<HashMap<String, Vec<Counts>>> {
    let months = bounds.len().saturating_sub(1);
    let (Some(&start), Some(&end)) = (bounds.first(), bounds.last()) else { return Ok(HashMap::new()) };
    if months == 0 {
        return Ok(HashMap::new());
    }
    let filter = of_category(category);
    let mut out: HashMap<Vec<String>, Vec<Counts>> = monthly_raw(pool, bounds, &["a.scope_path"], &filter).await?;
    // Each appeal is in the month it was submitted in, judged at that month's end: moved back to
    // the unit it left in its first hand-over since (bounds[i + 1] for month i).
    let mut moved: HashMap<String, Move> = HashMap::new();
    for (ticket, (submitted, froms)) in handovers_after(pool, &filter, start, end, &bounds[1..]).await? {
        let month = bounds[1..].iter().position(|b| submitted < *b);
        if let Some(Some(unit)) = month.and_then(|i| froms.get(i).cloned()) {
            moved.insert(ticket, Move::To(unit));
        }
    }
    moved.extend(moves(pool, &filter, start, end, None).await?);
    known_units_only(&mut moved, cat);
    let tickets: Vec<&String> = moved.keys().collect();
    for chunk in tickets.chunks(TICKETS_PER_QUERY) {
        let f = with_tickets(&filter, chunk);
        for (mut key, per_month) in monthly_raw(pool, bounds, &["a.ticket", "a.scope_path"], &f).await? {
            let ticket = key.remove(0);
            let to = match moved.get(&ticket) {
                Some(Move::To(unit)) => Some(vec![cat.unit_path(unit)]),
                _ => None,
            };
            for (i, c) in per_month.into_iter().enumerate() {
                if let Some(have) = out.get_mut(&key).and_then(|v| v.get_mut(i)) {
                    *have -= c;
                }
                if let Some(to) = &to {
                    out.entry(to.clone()).or_insert_with(|| vec![Counts::default(); months])[i] += c;
                }
            }
        }
    }
    Ok(out.into_iter().filter_map(|(mut k, v)| Some((k.pop()?, v))).collect())
}

/// The trend's counts per `group` (columns of the appeal) and month; see [`monthly_by_path`].
///
/// One query: the month is a `CASE` over the boundaries, which are our own integers and are
/// written into the SQL (no user input reaches it).
async fn monthly_raw(
    pool: &AnyPool,
    bounds: &[i64],
    group: &[&str],
    filter: &Filter,
) -> Result<HashMap<Vec<String>, Vec<Counts>>> {
    let months = bounds.len().saturating_sub(1);
    let (Some(&start), Some(&end)) = (bounds.first(), bounds.last()) else { return Ok(HashMap::new()) };
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
    let cols = group.join(", ");
    let k = group.len();
    let sql = format!(
        "SELECT {cols}, CAST({bucket} AS BIGINT) AS bucket,
           COUNT(*),
           COALESCE(SUM(CASE WHEN a.signed_at IS NOT NULL AND a.signed_at <= a.sign_by_at THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.status = 'closed' AND a.closed_at < {month_end} THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.status = 'closed' AND a.closed_at < {month_end} AND a.closed_at <= a.deadline_at
                             THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.rating IS NOT NULL THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.rating = 'satisfied' THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.rating = 'basically' THEN 1 ELSE 0 END), 0)
         FROM appeals a WHERE a.submitted_at >= $1 AND a.submitted_at < $2 AND {}
         GROUP BY {cols}, bucket",
        filter.sql
    );
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let mut out: HashMap<Vec<String>, Vec<Counts>> = HashMap::new();
    for r in bound(&sql, start, end, filter).fetch_all(pool).await? {
        let Some(i) = usize::try_from(r.try_get::<i64, _>(k)?).ok().filter(|i| *i < months) else { continue };
        let key = (0..k).map(|j| r.try_get::<String, _>(j)).collect::<std::result::Result<Vec<_>, _>>()?;
        let c = &mut out.entry(key).or_insert_with(|| vec![Counts::default(); months])[i];
        c.received += n(r.try_get(k + 1)?);
        c.signed_on_time += n(r.try_get(k + 2)?);
        c.closed += n(r.try_get(k + 3)?);
        c.closed_on_time += n(r.try_get(k + 4)?);
        c.rated += n(r.try_get(k + 5)?);
        c.satisfied += n(r.try_get(k + 6)?);
        c.basically_satisfied += n(r.try_get(k + 7)?);
    }
    Ok(out)
}

/// How many appeals of each category were submitted in `[start, end)`, per region path:
/// `(path, category, channel) → count` (the channel as stored: `web`, `open311:<key>`, `phone`, …).
/// One pass over the `appeals_stats` index (which holds both columns since migration 0020), for
/// the most frequent categories and the channels alike.
///
/// # Errors
/// Database errors.
pub async fn received_by_category(
    pool: &AnyPool,
    cat: &Catalog,
    start: i64,
    end: i64,
) -> Result<HashMap<(String, String, String), u64>> {
    let filter = Filter::all();
    let mut out = received_raw(pool, &["a.scope_path", "a.category", "a.channel"], &filter, start, end).await?;
    let mut moved = moves(pool, &filter, start, end, Some(end)).await?;
    known_units_only(&mut moved, cat);
    let tickets: Vec<&String> = moved.keys().collect();
    for chunk in tickets.chunks(TICKETS_PER_QUERY) {
        let f = with_tickets(&filter, chunk);
        for (mut key, n) in
            received_raw(pool, &["a.ticket", "a.scope_path", "a.category", "a.channel"], &f, start, end).await?
        {
            let ticket = key.remove(0);
            if let Some(have) = out.get_mut(&key) {
                *have = have.saturating_sub(n);
            }
            if let Some(Move::To(unit)) = moved.get(&ticket) {
                key[0] = cat.unit_path(unit);
                *out.entry(key).or_insert(0) += n;
            }
        }
    }
    Ok(out
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .filter_map(|(k, n)| match <[String; 3]>::try_from(k) {
            Ok([p, c, ch]) => Some(((p, c, ch), n)),
            Err(_) => None,
        })
        .collect())
}

async fn received_raw(
    pool: &AnyPool,
    group: &[&str],
    filter: &Filter,
    start: i64,
    end: i64,
) -> Result<HashMap<Vec<String>, u64>> {
    let cols = group.join(", ");
    let k = group.len();
    let sql = format!(
        "SELECT {cols}, COUNT(*) FROM appeals a
         WHERE a.submitted_at >= $1 AND a.submitted_at < $2 AND {} GROUP BY {cols}",
        filter.sql
    );
    let mut out = HashMap::new();
    for r in bound(&sql, start, end, filter).fetch_all(pool).await? {
        let n = u64::try_from(r.try_get::<i64, _>(k)?).unwrap_or(0);
        let key = (0..k).map(|j| r.try_get::<String, _>(j)).collect::<std::result::Result<Vec<_>, _>>()?;
        *out.entry(key).or_insert(0) += n;
    }
    Ok(out)
}

/// Appeals of one category (or all).
fn of_category(category: Option<&str>) -> Filter {
    let mut filter = Filter::all();
    if let Some(c) = category {
        let p = filter.bind(c);
        filter.and(&format!("a.category = {p}"));
    }
    filter
}

/// The bucket of a duration (the SQL expression `d`, in seconds) for a public median, written
/// from `domain::stats::BUCKET_STEPS` (`domain::stats::duration_bucket` in SQL; a test checks
/// they agree on both engines).
#[must_use]
pub fn bucket_sql(d: &str) -> String {
    let mut s = String::from("CASE");
    let (mut base_secs, mut base_bucket) = (0_i64, 0_i64);
    for (below, width) in domain::stats::BUCKET_STEPS {
        let from = if base_secs == 0 {
            format!("(CASE WHEN {d} < 0 THEN 0 ELSE {d} END)")
        } else {
            format!("({d} - {base_secs})")
        };
        let _ = write!(s, " WHEN {d} < {below} THEN {base_bucket} + {from} / {width}");
        base_bucket += (below - base_secs) / width;
        base_secs = below;
    }
    let _ = write!(s, " ELSE {base_bucket} END");
    s
}

/// The durations behind the public medians (to sign-for, to first reply, to close) of the appeals
/// submitted in `[start, end)`, per region path, as histograms (`domain::stats::Histogram`): each
/// counted when it happened before `end`, and moved like the counts (the holder at the end of
/// the period; a merged duplicate not at all).
///
/// # Errors
/// Database errors.
pub async fn durations_by_path(
    pool: &AnyPool,
    cat: &Catalog,
    start: i64,
    end: i64,
) -> Result<HashMap<String, [domain::stats::Histogram; 3]>> {
    let filter = Filter::all();
    let mut out = durations_raw(pool, &["a.scope_path"], &filter, start, end).await?;
    let mut moved = moves(pool, &filter, start, end, Some(end)).await?;
    known_units_only(&mut moved, cat);
    let tickets: Vec<&String> = moved.keys().collect();
    for chunk in tickets.chunks(TICKETS_PER_QUERY) {
        let f = with_tickets(&filter, chunk);
        for ((mut key, which, b), n) in durations_raw(pool, &["a.ticket", "a.scope_path"], &f, start, end).await? {
            let ticket = key.remove(0);
            let k = (key, which, b);
            if let Some(have) = out.get_mut(&k) {
                *have = have.saturating_sub(n);
            }
            if let Some(Move::To(unit)) = moved.get(&ticket) {
                *out.entry((vec![cat.unit_path(unit)], which, b)).or_insert(0) += n;
            }
        }
    }
    let mut by_path: HashMap<String, [domain::stats::Histogram; 3]> = HashMap::new();
    for ((mut key, which, b), n) in out {
        let (Some(path), Some(i)) = (key.pop(), usize::try_from(which).ok().filter(|i| *i < 3)) else { continue };
        if n > 0 {
            *by_path.entry(path).or_default()[i].entry(b).or_insert(0) += n;
        }
    }
    Ok(by_path)
}

/// `(group values, 0 sign-for | 1 first reply | 2 close, bucket) → appeals`.
async fn durations_raw(
    pool: &AnyPool,
    group: &[&str],
    filter: &Filter,
    start: i64,
    end: i64,
) -> Result<HashMap<(Vec<String>, i64, i64), u64>> {
    let cols = group.join(", ");
    let k = group.len();
    let period = format!("a.submitted_at >= $1 AND a.submitted_at < $2 AND {}", filter.sql);
    let one = |which: i64, at: &str, cond: &str| {
        let b = bucket_sql(&format!("({at} - a.submitted_at)"));
        format!(
            "SELECT {cols}, CAST({which} AS BIGINT), CAST({b} AS BIGINT) AS b, COUNT(*) FROM appeals a
             WHERE {period} AND {cond} GROUP BY {cols}, b"
        )
    };
    let queries = [
        one(0, "a.signed_at", "a.signed_at IS NOT NULL AND a.signed_at < $2"),
        one(1, "a.first_reply_at", "a.first_reply_at IS NOT NULL AND a.first_reply_at < $2"),
        one(2, "a.closed_at", "a.status = 'closed' AND a.closed_at < $2"),
    ];
    let mut out = HashMap::new();
    for sql in &queries {
        for r in bound(sql, start, end, filter).fetch_all(pool).await? {
            let key = (0..k).map(|j| r.try_get::<String, _>(j)).collect::<std::result::Result<Vec<_>, _>>()?;
            let n = u64::try_from(r.try_get::<i64, _>(k + 2)?).unwrap_or(0);
            *out.entry((key, r.try_get::<i64, _>(k)?, r.try_get::<i64, _>(k + 1)?)).or_insert(0) += n;
        }
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
    cat: &Catalog,
    scope: &str,
    category: Option<&str>,
    start: i64,
    end: i64,
    now: i64,
) -> Result<Counts> {
    Ok(sum_under(&counts_by_path(pool, cat, category, start, end, now).await?, scope))
}

/// A period's kept public figures (migration 0023): a fingerprint of the region hierarchy they
/// were counted under, when, and the figures as JSON.
pub struct Snapshot {
    pub regions: i64,
    pub counted_at: i64,
    pub figures: String,
}

/// The kept figures of `[start, end)`, if any.
///
/// # Errors
/// Database errors.
pub async fn snapshot(pool: &AnyPool, start: i64, end: i64) -> Result<Option<Snapshot>> {
    let row = sqlx::query(
        "SELECT regions_key, counted_at, figures FROM stats_snapshots WHERE period_start = $1 AND period_end = $2",
    )
    .bind(start)
    .bind(end)
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        Some(r) => Some(Snapshot { regions: r.try_get(0)?, counted_at: r.try_get(1)?, figures: r.try_get(2)? }),
        None => None,
    })
}

/// When the kept figures of `[start, end)` were counted and under which region hierarchy, if
/// any are kept: `(regions_key, counted_at)`.
///
/// # Errors
/// Database errors.
pub async fn snapshot_time(pool: &AnyPool, start: i64, end: i64) -> Result<Option<(i64, i64)>> {
    let row =
        sqlx::query("SELECT regions_key, counted_at FROM stats_snapshots WHERE period_start = $1 AND period_end = $2")
            .bind(start)
            .bind(end)
            .fetch_optional(pool)
            .await?;
    Ok(match row {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
        None => None,
    })
}

/// When each kept period was counted and under which region hierarchy: `(start, end) →
/// (regions_key, counted_at)`.
///
/// # Errors
/// Database errors.
pub async fn snapshot_times(pool: &AnyPool) -> Result<HashMap<(i64, i64), (i64, i64)>> {
    let rows = sqlx::query("SELECT period_start, period_end, regions_key, counted_at FROM stats_snapshots")
        .fetch_all(pool)
        .await?;
    rows.iter().map(|r| Ok(((r.try_get(0)?, r.try_get(1)?), (r.try_get(2)?, r.try_get(3)?)))).collect()
}

/// Keeps `snapshot` as the figures of `[start, end)` (the last count wins, also over one kept
/// "later" by a clock that was ahead).
///
/// # Errors
/// Database errors.
pub async fn put_snapshot(pool: &AnyPool, start: i64, end: i64, snapshot: &Snapshot) -> Result<()> {
    sqlx::query(
        "INSERT INTO stats_snapshots (period_start, period_end, regions_key, counted_at, figures)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (period_start, period_end) DO UPDATE
            SET regions_key = excluded.regions_key, counted_at = excluded.counted_at, figures = excluded.figures",
    )
    .bind(start)
    .bind(end)
    .bind(snapshot.regions)
    .bind(snapshot.counted_at)
    .bind(&snapshot.figures)
    .execute(pool)
    .await?;
    Ok(())
}

/// When the first appeal was submitted (`None`: no appeal yet); from the `appeals_stats` index.
///
/// # Errors
/// Database errors.
pub async fn first_submitted(pool: &AnyPool) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar::<_, Option<i64>>("SELECT MIN(submitted_at) FROM appeals").fetch_one(pool).await?)
}
