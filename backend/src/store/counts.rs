//! The one SQL definition of the grid's counts (issue 12; what each count means is
//! `domain::stats`'s): the appeals submitted in `[start, end)` that match a condition, grouped by
//! any of the appeal's columns. The public page groups by region path
//! ([`super::stats::counts_by_path`]); the staff dashboard by unit and category
//! ([`super::dashboard`]).
//!
//! Three queries whatever the grouping: one pass over the appeals for everything kept on the
//! appeal (its latest rating included), and the rare rows (escalations and reopenings; supervision
//! notices) through their partial indexes by time, joined to their appeal. `CROSS JOIN` keeps
//! SQLite starting from those few rows; the repeated `IN` list is the partial index's own
//! condition, which SQLite needs to see to use it.

use crate::Result;
use domain::stats::Counts;
use sqlx::AnyPool;
use std::collections::HashMap;

/// Which appeals to count besides the period: an SQL condition on `a` (the appeals table) whose
/// placeholders start at `$3` (`$1` and `$2` are the period), and their values.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub sql: String,
    pub binds: Vec<String>,
}

impl Filter {
    /// Every appeal.
    #[must_use]
    pub fn all() -> Self {
        Self { sql: "1 = 1".into(), binds: Vec::new() }
    }

    /// The next placeholder (`$3`, `$4`, …) for `value`.
    pub fn bind(&mut self, value: impl Into<String>) -> String {
        self.binds.push(value.into());
        format!("${}", self.binds.len() + 2)
    }

    /// Adds a condition (joined with AND).
    pub fn and(&mut self, cond: &str) {
        if self.sql.is_empty() || self.sql == "1 = 1" {
            self.sql = cond.to_owned();
        } else {
            self.sql = format!("{} AND {cond}", self.sql);
        }
    }
}

/// Counts per group: `group` is a list of the appeal's text columns (`a.scope_path`,
/// `a.unit, a.category`); the key is their values in that order. `now` is when "overdue now" is
/// judged (the end of the period if it is already over).
///
/// # Errors
/// Database errors.
pub async fn grouped(
    pool: &AnyPool,
    group: &[&str],
    filter: &Filter,
    start: i64,
    end: i64,
    now: i64,
) -> Result<HashMap<Vec<String>, Counts>> {
    use sqlx::Row as _;
    let at = now.min(end);
    let cols = group.join(", ");
    let k = group.len();
    let period = format!("a.submitted_at >= $1 AND a.submitted_at < $2 AND {}", filter.sql);
    let base = format!(
        "SELECT {cols},
           COUNT(*),
           COALESCE(SUM(CASE WHEN a.signed_at IS NOT NULL AND a.signed_at <= a.sign_by_at THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.status = 'closed' AND a.closed_at < $2 THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.status = 'closed' AND a.closed_at < $2 AND a.closed_at <= a.deadline_at
                             THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.status <> 'closed' AND a.deadline_at < {at} THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.rating IS NOT NULL THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.rating = 'satisfied' THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN a.rating = 'basically' THEN 1 ELSE 0 END), 0)
         FROM appeals a WHERE {period} GROUP BY {cols}"
    );
    let flagged = format!(
        "SELECT {cols},
           COUNT(DISTINCT CASE WHEN e.kind IN ('escalated', 'auto_escalated') THEN e.ticket END),
           COUNT(DISTINCT CASE WHEN e.kind = 'reopened_unsatisfied' THEN e.ticket END)
         FROM appeal_events e CROSS JOIN appeals a
         WHERE e.kind IN ('escalated', 'auto_escalated', 'reopened_unsatisfied') AND e.at >= $1 AND e.at < $2
           AND a.ticket = e.ticket AND {period}
         GROUP BY {cols}"
    );
    let supervised = format!(
        "SELECT {cols}, COUNT(DISTINCT n.ticket) FROM appeal_notices n CROSS JOIN appeals a
         WHERE n.stage = 'supervision' AND n.fired_at >= $1 AND n.fired_at < $2 AND a.ticket = n.ticket AND {period}
         GROUP BY {cols}"
    );
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let key =
        |r: &sqlx::any::AnyRow| -> Result<Vec<String>> { (0..k).map(|i| Ok(r.try_get::<String, _>(i)?)).collect() };
    let mut out: HashMap<Vec<String>, Counts> = HashMap::new();
    for r in bound(&base, start, end, filter).fetch_all(pool).await? {
        let c = out.entry(key(&r)?).or_default();
        c.received += n(r.try_get(k)?);
        c.signed_on_time += n(r.try_get(k + 1)?);
        c.closed += n(r.try_get(k + 2)?);
        c.closed_on_time += n(r.try_get(k + 3)?);
        c.overdue_now += n(r.try_get(k + 4)?);
        c.rated += n(r.try_get(k + 5)?);
        c.satisfied += n(r.try_get(k + 6)?);
        c.basically_satisfied += n(r.try_get(k + 7)?);
    }
    for r in bound(&flagged, start, end, filter).fetch_all(pool).await? {
        let c = out.entry(key(&r)?).or_default();
        c.escalated += n(r.try_get(k)?);
        c.reopened += n(r.try_get(k + 1)?);
    }
    for r in bound(&supervised, start, end, filter).fetch_all(pool).await? {
        let c = out.entry(key(&r)?).or_default();
        c.supervised += n(r.try_get(k)?);
    }
    Ok(out)
}

fn bound<'q>(sql: &'q str, start: i64, end: i64, filter: &'q Filter) -> super::AnyQuery<'q> {
    let mut q = sqlx::query(sql).bind(start).bind(end);
    for b in &filter.binds {
        q = q.bind(b.as_str());
    }
    q
}
