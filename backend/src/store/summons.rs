//! Summonses with duties (issue 13, migration 0015): the per-category list of department kinds,
//! the report-back supervision notices, ratings of reports, and the dashboard's summons figures.

use super::Tx;
use crate::Result;
use sqlx::AnyPool;

/// Every listed (category, department kind), sorted.
pub async fn rules(pool: &AnyPool) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as("SELECT category, dept_kind FROM summon_rules ORDER BY category, dept_kind")
        .fetch_all(pool)
        .await?)
}

/// The department kinds listed for one category (empty: any department).
pub async fn kinds_for<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(ex: E, category: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT dept_kind FROM summon_rules WHERE category = $1 ORDER BY dept_kind")
            .bind(category)
            .fetch_all(ex)
            .await?;
    Ok(rows.into_iter().map(|(k,)| k).collect())
}

/// Replaces a category's list.
pub async fn replace_rules(tx: &mut Tx<'_>, category: &str, kinds: &[String], now: i64) -> Result<()> {
    sqlx::query("DELETE FROM summon_rules WHERE category = $1").bind(category).execute(&mut **tx).await?;
    for k in kinds {
        sqlx::query("INSERT INTO summon_rules (category, dept_kind, updated_at) VALUES ($1, $2, $3)")
            .bind(category)
            .bind(k)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Summonses with a stage to fire at `now`, as (ticket, unit, summoned at): still owing the
/// report, past the warning point, and without the row of the stage now due (warning before the
/// deadline, supervision after it). A stage already fired is not selected again, nor a summons
/// of a closed appeal (nothing is chased for it; watched again if the appeal reopens).
pub async fn due(pool: &AnyPool, now: i64, limit: i64) -> Result<Vec<(String, String, i64)>> {
    let warn = super::warning_point_sql("c.summoned_at", "c.due_at");
    Ok(sqlx::query_as(&format!(
        "SELECT c.ticket, c.unit, c.summoned_at FROM appeal_cohandlers c JOIN appeals a ON a.ticket = c.ticket
         WHERE c.reported_at IS NULL AND c.due_at IS NOT NULL AND {warn} <= $1 AND a.status <> 'closed'
           AND NOT EXISTS (SELECT 1 FROM summons_notices n
                           WHERE n.ticket = c.ticket AND n.unit = c.unit AND n.summoned_at = c.summoned_at
                             AND n.stage = (CASE WHEN c.due_at < $1 THEN 'supervision' ELSE 'warning' END))
         ORDER BY c.due_at, c.ticket, c.unit LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Summonses still owing their report that have no report-back deadline: those made before
/// migration 0015, when a summons had none; not those of a closed appeal (nothing is chased for
/// it). `(ticket, unit, summoned at)`, oldest first.
pub async fn unwatched(pool: &AnyPool, limit: i64) -> Result<Vec<(String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT c.ticket, c.unit, c.summoned_at FROM appeal_cohandlers c JOIN appeals a ON a.ticket = c.ticket
         WHERE c.due_at IS NULL AND c.reported_at IS NULL AND a.status <> 'closed'
         ORDER BY c.summoned_at, c.ticket, c.unit LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// The unit whose staff made a summons, from the `summoned` event it wrote: same appeal, same
/// second, and the department among the event's units. `None` when no such event is stored.
pub async fn summoner_from_events(
    tx: &mut Tx<'_>,
    ticket: &str,
    unit: &str,
    summoned_at: i64,
) -> Result<Option<String>> {
    let sql = format!(
        "SELECT unit, detail FROM appeal_events WHERE {} AND kind = 'summoned' AND at = $2 ORDER BY id",
        super::appeals::events_of(1)
    );
    let rows: Vec<(Option<String>, Option<String>)> =
        sqlx::query_as(&sql).bind(ticket).bind(summoned_at).fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().find_map(|(by, detail)| {
        let d: domain::events::EventDetail = serde_json::from_str(detail.as_deref()?).ok()?;
        d.units?.iter().any(|u| u == unit).then_some(by).flatten()
    }))
}

/// Gives a summons without a deadline its report-back deadline `due`, and its summoner when
/// known and not recorded yet. `false` when it has one already (another run or node got there
/// first) or the report came in meanwhile.
pub async fn adopt(
    tx: &mut Tx<'_>,
    ticket: &str,
    unit: &str,
    summoned_at: i64,
    due: i64,
    summoned_by: Option<&str>,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE appeal_cohandlers SET due_at = $1, summoned_by = COALESCE(summoned_by, $2)
         WHERE ticket = $3 AND unit = $4 AND summoned_at = $5 AND due_at IS NULL AND reported_at IS NULL",
    )
    .bind(due)
    .bind(summoned_by)
    .bind(ticket)
    .bind(unit)
    .bind(summoned_at)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records a summons stage; `false` if it already fired. The primary key decides: concurrent
/// runs, on one node or several, insert at most one row.
pub async fn fire(tx: &mut Tx<'_>, ticket: &str, unit: &str, summoned_at: i64, stage: &str, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO summons_notices (ticket, unit, summoned_at, stage, fired_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (ticket, unit, summoned_at, stage) DO NOTHING",
    )
    .bind(ticket)
    .bind(unit)
    .bind(summoned_at)
    .bind(stage)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The stages fired for one appeal's summonses, as (unit, summoned at, stage), oldest first.
pub async fn fired(pool: &AnyPool, ticket: &str) -> Result<Vec<(String, i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT unit, summoned_at, stage FROM summons_notices WHERE ticket = $1 ORDER BY fired_at, unit, stage",
    )
    .bind(ticket)
    .fetch_all(pool)
    .await?)
}

/// Rates a reported, unrated summons; `false` when there is none (not reported, already rated).
pub async fn rate(
    tx: &mut Tx<'_>,
    ticket: &str,
    unit: &str,
    (rating, note): (&str, &str),
    by: &str,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE appeal_cohandlers SET rating = $1, rating_note = $2, rated_at = $3, rated_by = $4
         WHERE ticket = $5 AND unit = $6 AND reported_at IS NOT NULL AND rating IS NULL",
    )
    .bind(rating)
    .bind(note)
    .bind(now)
    .bind(by)
    .bind(ticket)
    .bind(unit)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Summons figures of the appeals matching `scope` (an SQL condition on `a`, the dashboard's
/// scope, with its binds already numbered from `$3`), for summonses made in `[from, to)`:
/// (summonses, reported after their deadline, rated satisfied, rated).
pub async fn figures(
    pool: &AnyPool,
    scope: &str,
    binds: &[String],
    from: i64,
    to: i64,
) -> Result<(i64, i64, i64, i64)> {
    let sql = format!(
        "SELECT COUNT(*),
                COALESCE(SUM(CASE WHEN c.reported_at > c.due_at THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN c.rating = 'satisfied' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN c.rating IS NOT NULL THEN 1 ELSE 0 END), 0)
         FROM appeal_cohandlers c JOIN appeals a ON a.ticket = c.ticket
         WHERE c.summoned_at >= $1 AND c.summoned_at < $2 AND ({scope})"
    );
    let mut q = sqlx::query_as::<_, (i64, i64, i64, i64)>(&sql).bind(from).bind(to);
    for b in binds {
        q = q.bind(b.clone());
    }
    Ok(q.fetch_one(pool).await?)
}

/// Whose summonses a history query lists: every one (`all`), or those made by one of
/// `summoners` or addressed to `department`.
#[derive(Debug, Clone, Default)]
pub struct HistoryScope {
    pub all: bool,
    pub summoners: Vec<String>,
    pub department: String,
}

/// One summons of the history (`/staff/summons`).
pub type HistoryRow = (String, String, String, i64, i64, Option<i64>, Option<String>);

/// The summoning units there are (for the history's scope: it binds only those, whatever the
/// size of the catalogue).
pub async fn summoners(pool: &AnyPool) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT summoned_by FROM appeal_cohandlers WHERE summoned_by IS NOT NULL ORDER BY summoned_by",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

/// The watched summonses (those with a report-back deadline) of `scope`, newest first, as
/// (ticket, category, department, summoned at, due at, reported at, rating), and how many there
/// are in all. `show` is `waiting` (no report, deadline not passed at `now`), `late` (no report,
/// deadline passed), `reported`, or anything else for all; `period` bounds the summons time,
/// `[from, to)`.
pub async fn history(
    pool: &AnyPool,
    scope: &HistoryScope,
    show: &str,
    period: (Option<i64>, Option<i64>),
    now: i64,
    (limit, offset): (i64, i64),
) -> Result<(Vec<HistoryRow>, i64)> {
    let mut binds: Vec<String> = Vec::new();
    let mut w = vec!["c.due_at IS NOT NULL".to_owned()];
    if !scope.all {
        binds.push(scope.department.clone());
        let mut parts = vec!["c.unit = $1".to_owned()];
        if !scope.summoners.is_empty() {
            let ph: Vec<String> = scope
                .summoners
                .iter()
                .map(|u| {
                    binds.push(u.clone());
                    format!("${}", binds.len())
                })
                .collect();
            parts.push(format!("c.summoned_by IN ({})", ph.join(", ")));
        }
        w.push(format!("({})", parts.join(" OR ")));
    }
    // The numbers are ours (the clock, parsed dates, the page): inlined as integers.
    match show {
        "waiting" => w.push(format!("c.reported_at IS NULL AND c.due_at >= {now}")),
        "late" => w.push(format!("c.reported_at IS NULL AND c.due_at < {now}")),
        "reported" => w.push("c.reported_at IS NOT NULL".to_owned()),
        _ => {}
    }
    if let Some(from) = period.0 {
        w.push(format!("c.summoned_at >= {from}"));
    }
    if let Some(to) = period.1 {
        w.push(format!("c.summoned_at < {to}"));
    }
    let from_where =
        format!("FROM appeal_cohandlers c JOIN appeals a ON a.ticket = c.ticket WHERE {}", w.join(" AND "));
    let count_sql = format!("SELECT COUNT(*) {from_where}");
    let mut count = sqlx::query_as::<_, (i64,)>(&count_sql);
    for b in &binds {
        count = count.bind(b.clone());
    }
    let (total,) = count.fetch_one(pool).await?;
    let sql = format!(
        "SELECT c.ticket, a.category, c.unit, c.summoned_at, c.due_at, c.reported_at, c.rating {from_where}
         ORDER BY c.summoned_at DESC, c.ticket, c.unit LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query_as::<_, HistoryRow>(&sql);
    for b in &binds {
        q = q.bind(b.clone());
    }
    Ok((q.fetch_all(pool).await?, total))
}
