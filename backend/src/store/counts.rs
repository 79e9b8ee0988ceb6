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
    holders: Holders<'_>,
) -> Result<HashMap<Vec<String>, Counts>> {
    let mut out = grouped_raw(pool, group, filter, start, end, now).await?;
    let mut moves = moves(pool, filter, start, end, holders.at(end)).await?;
    if let Holders::AtEnd(cat) = holders {
        known_units_only(&mut moves, cat);
    }
    if moves.is_empty() {
        return Ok(out);
    }
    // The moved appeals' own counts, per appeal, by the same definition: taken from the key they
    // are under now and, unless dropped, added under the key of the unit that held them then.
    let cols: Vec<&str> = std::iter::once("a.ticket").chain(group.iter().copied()).collect();
    let tickets: Vec<&String> = moves.keys().collect();
    for chunk in tickets.chunks(TICKETS_PER_QUERY) {
        let f = with_tickets(filter, chunk);
        for (mut key, c) in grouped_raw(pool, &cols, &f, start, end, now).await? {
            let ticket = key.remove(0);
            take(&mut out, &key, c);
            if let (Some(Move::To(unit)), Holders::AtEnd(cat)) = (moves.get(&ticket), holders) {
                let at_end: Vec<String> = group
                    .iter()
                    .zip(key)
                    .map(|(col, v)| match *col {
                        "a.unit" => unit.clone(),
                        "a.scope_path" => cat.unit_path(unit),
                        _ => v,
                    })
                    .collect();
                *out.entry(at_end).or_default() += c;
            }
        }
    }
    Ok(out)
}

/// At most this many tickets in one `IN` list (well under either engine's limit on parameters).
pub(crate) const TICKETS_PER_QUERY: usize = 400;

/// Whose figures a handed-over appeal is in.
#[derive(Clone, Copy)]
pub enum Holders<'c> {
    /// The unit that holds it now (the staff dashboard: the working view of one's scope).
    Now,
    /// The unit that held it at the end of the period (the public figures, issue 12); the
    /// catalogue gives that unit's region path.
    AtEnd(&'c crate::catalog::Catalog),
}

impl Holders<'_> {
    /// Hand-overs at or after this time move an appeal back to the unit it left.
    fn at(self, end: i64) -> Option<i64> {
        match self {
            Self::Now => None,
            Self::AtEnd(_) => Some(end),
        }
    }
}

/// How an appeal's counts move: out of the figures (a duplicate merged into another appeal is
/// counted once, as its main appeal), or to the unit that held it at the end of the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Move {
    Drop,
    To(String),
}

/// The kinds of event that hand an appeal to another unit: the event's `unit` is the new holder
/// and its detail's `from` the one it left.
pub const HANDOVER_KINDS: &str = "'transferred', 'escalated', 'auto_escalated', 'reopened_unsatisfied'";

/// The appeals of the period (matching `filter`) whose counts move: those merged into another
/// (now), and, with `after`, those handed over at or after `after` (to the unit they left in the
/// first such hand-over, which held them at `after`). Both are read through partial indexes, so
/// this costs what the few moved appeals cost, not the period.
pub(crate) async fn moves(
    pool: &AnyPool,
    filter: &Filter,
    start: i64,
    end: i64,
    after: Option<i64>,
) -> Result<HashMap<String, Move>> {
    use sqlx::Row as _;
    let mut out = HashMap::new();
    if let Some(after) = after {
        for (ticket, (_, from)) in handovers_after(pool, filter, start, end, &[after]).await? {
            if let Some(Some(unit)) = from.into_iter().next() {
                out.insert(ticket, Move::To(unit));
            }
        }
    }
    // Every merged appeal, whatever its period (few), narrowed to the period here.
    let merged = sqlx::query("SELECT a.ticket, a.submitted_at FROM appeals a WHERE a.merged_into IS NOT NULL")
        .fetch_all(pool)
        .await?;
    for r in merged {
        let at: i64 = r.try_get(1)?;
        if at >= start && at < end {
            out.insert(r.try_get(0)?, Move::Drop);
        }
    }
    Ok(out)
}

/// For the appeals submitted in `[start, end)` (matching `filter`) handed over at or after
/// `bounds[0]`: ticket → (submitted at, for each of `bounds` the unit the appeal left in its first
/// hand-over at or after that bound — `None` when there is none, or when an old event does not
/// say which unit it left).
///
/// # Errors
/// Database errors.
pub(crate) async fn handovers_after(
    pool: &AnyPool,
    filter: &Filter,
    start: i64,
    end: i64,
    bounds: &[i64],
) -> Result<HashMap<String, (i64, Vec<Option<String>>)>> {
    use sqlx::Row as _;
    let Some(&first) = bounds.iter().min() else { return Ok(HashMap::new()) };
    // `first` is our own integer, written into the SQL like the trend's month bounds.
    let sql = format!(
        "SELECT e.ticket, a.submitted_at, e.at, e.detail FROM appeal_events e CROSS JOIN appeals a
         WHERE e.kind IN ({HANDOVER_KINDS}) AND e.at >= {first}
           AND a.ticket = e.ticket AND a.submitted_at >= $1 AND a.submitted_at < $2 AND {}
         ORDER BY e.ticket, e.at, e.id",
        filter.sql
    );
    let mut out: HashMap<String, (i64, Vec<Option<String>>)> = HashMap::new();
    for r in bound(&sql, start, end, filter).fetch_all(pool).await? {
        let (ticket, submitted, at): (String, i64, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let detail: Option<String> = r.try_get(3)?;
        let from = domain::events::EventDetail::parse(detail.as_deref()).and_then(|d| d.from);
        let entry = out.entry(ticket).or_insert_with(|| (submitted, vec![None; bounds.len()]));
        for (i, b) in bounds.iter().enumerate() {
            // Events come in time order: the first at or after each bound is the one that counts.
            if at >= *b && entry.1[i].is_none() {
                entry.1[i] = Some(from.clone().unwrap_or_default());
            }
        }
    }
    // An event that did not say whence it came moves nothing.
    for (_, froms) in out.values_mut() {
        for f in froms.iter_mut() {
            if f.as_deref() == Some("") {
                *f = None;
            }
        }
    }
    Ok(out)
}

/// Keeps only moves to units the catalogue knows: an appeal whose earlier unit has since been
/// removed stays where it is rather than vanish from every region's figures.
pub(crate) fn known_units_only(moves: &mut HashMap<String, Move>, cat: &crate::catalog::Catalog) {
    moves.retain(|_, m| match m {
        Move::To(unit) => cat.units.contains_key(unit),
        Move::Drop => true,
    });
}

/// `filter`, narrowed to some tickets.
pub(crate) fn with_tickets(filter: &Filter, tickets: &[&String]) -> Filter {
    let mut f = filter.clone();
    let list: Vec<String> = tickets.iter().map(|t| f.bind(t.as_str())).collect();
    f.and(&format!("a.ticket IN ({})", list.join(", ")));
    f
}

/// Takes `c` from the counts under `key` (an appeal leaving them), dropping a key left empty.
fn take(out: &mut HashMap<Vec<String>, Counts>, key: &[String], c: Counts) {
    if let Some(have) = out.get_mut(key) {
        *have -= c;
        if *have == Counts::default() {
            out.remove(key);
        }
    }
}

async fn grouped_raw(
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
           COALESCE(SUM(CASE WHEN (a.status <> 'closed' OR a.closed_at >= {at}) AND a.deadline_at < {at}
                             THEN 1 ELSE 0 END), 0),
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
    // 督办 by the job or by hand (issue 13: a notice issued by hand is in the figures too).
    let supervised = format!(
        "SELECT {cols}, COUNT(DISTINCT n.ticket)
         FROM (SELECT ticket FROM appeal_notices
               WHERE stage = 'supervision' AND fired_at >= $1 AND fired_at < $2
               UNION
               SELECT ticket FROM hand_notices
               WHERE kind = 'supervision' AND issued_at >= $1 AND issued_at < $2) n
         CROSS JOIN appeals a
         WHERE a.ticket = n.ticket AND {period}
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

pub(crate) fn bound<'q>(sql: &'q str, start: i64, end: i64, filter: &'q Filter) -> super::AnyQuery<'q> {
    let mut q = sqlx::query(sql).bind(start).bind(end);
    for b in &filter.binds {
        q = q.bind(b.as_str());
    }
    q
}
