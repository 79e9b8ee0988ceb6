//! Follow-up calls (回访) and reply templates (issue 13, migration 0013).

use super::Tx;
use crate::Result;
use sqlx::AnyPool;

/// One closed appeal that waits for a call, with the facts `domain::callback::queue_reason`
/// needs to say why.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueueRow {
    pub ticket: String,
    pub category: String,
    pub unit: String,
    pub closed_at: i64,
    pub cycle: i64,
    /// The current round's rating.
    pub rating: Option<String>,
    /// 1 when the round before ended in 不满意.
    pub after_unsatisfied: i64,
    pub attempts: i64,
    pub last_attempt_at: Option<i64>,
}

/// "The round before this one ended in 不满意": the resident's rating, or a reached call's.
const AFTER_UNSATISFIED: &str = "(EXISTS (SELECT 1 FROM ratings p WHERE p.ticket = a.ticket AND p.cycle = a.cycle - 1
      AND p.rating = 'unsatisfied')
   OR EXISTS (SELECT 1 FROM callbacks pc WHERE pc.ticket = a.ticket AND pc.cycle = a.cycle - 1
      AND pc.satisfaction = 'unsatisfied'))";

/// Who is asking for the queue: a dispatcher's unit and the region path of their centre. Only
/// appeals of units strictly below the centre (not the centre's own, nor ones it co-handles) are
/// theirs to call back (`domain::callback::may_record`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerScope {
    pub unit: String,
    pub path_prefix: String,
}

/// Whether a closed appeal's current round waits for a call (the rule of
/// `domain::callback::queue_reason` in SQL), whoever is to make it: `a` is the appeal, `r` its
/// round's rating (LEFT JOINed). `window_start` is now minus the rating window: an unrated round
/// closed before it has let its window pass. Ours, not user input: inlined.
fn round_waits(window_start: i64) -> String {
    let max = domain::callback::MAX_ATTEMPTS;
    format!(
        "a.status = 'closed' AND a.closed_at IS NOT NULL
           AND a.anonymous = 0 AND a.contact_phone IS NOT NULL AND a.contact_phone <> ''
           AND NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.ticket = a.ticket AND c.cycle = a.cycle AND c.reached = 1)
           AND (SELECT COUNT(*) FROM callbacks c WHERE c.ticket = a.ticket AND c.cycle = a.cycle AND c.reached = 0) < {max}
           AND (r.rating IN ('basically', 'unsatisfied')
                OR (r.rating IS NULL AND (a.closed_at < {window_start} OR {AFTER_UNSATISFIED})))"
    )
}

/// The WHERE clause of a caller's queue (binds `$1` = the caller's unit, `$2` = its path): the
/// rounds that wait ([`round_waits`]) of the units strictly below the caller's centre.
fn queue_where(window_start: i64) -> String {
    format!(
        "a.unit <> $1 AND substr(a.scope_path, 1, length($2)) = $2
           AND a.ticket NOT IN (SELECT h.ticket FROM appeal_cohandlers h WHERE h.unit = $1)
           AND {}",
        round_waits(window_start)
    )
}

/// One page of the closed appeals `who` may call back, longest waiting first.
pub async fn queue(
    pool: &AnyPool,
    who: &CallerScope,
    window_start: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<QueueRow>> {
    // The limit and offset are ours, not user input: inlined as integers.
    let sql = format!(
        "SELECT a.ticket, a.category, a.unit, a.closed_at, a.cycle, r.rating,
                CASE WHEN {AFTER_UNSATISFIED} THEN 1 ELSE 0 END AS after_unsatisfied,
                (SELECT COUNT(*) FROM callbacks c WHERE c.ticket = a.ticket AND c.cycle = a.cycle AND c.reached = 0) AS attempts,
                (SELECT MAX(c.at) FROM callbacks c WHERE c.ticket = a.ticket AND c.cycle = a.cycle AND c.reached = 0) AS last_attempt_at
         FROM appeals a LEFT JOIN ratings r ON r.ticket = a.ticket AND r.cycle = a.cycle
         WHERE {}
         ORDER BY a.closed_at, a.ticket LIMIT {} OFFSET {}",
        queue_where(window_start),
        limit.clamp(1, 1000),
        offset.max(0)
    );
    Ok(sqlx::query_as::<_, QueueRow>(&sql).bind(&who.unit).bind(&who.path_prefix).fetch_all(pool).await?)
}

/// How many appeals wait for `who`'s call in all (the page shows it, not just one page's).
pub async fn queue_count(pool: &AnyPool, who: &CallerScope, window_start: i64) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM appeals a LEFT JOIN ratings r ON r.ticket = a.ticket AND r.cycle = a.cycle WHERE {}",
        queue_where(window_start)
    );
    let (n,): (i64,) = sqlx::query_as(&sql).bind(&who.unit).bind(&who.path_prefix).fetch_one(pool).await?;
    Ok(n)
}

/// The follow-up figures of the appeals matching `scope` (an SQL condition on `a`, the
/// dashboard's scope, its binds numbered from `$3`): the rounds waiting for a call now (any
/// caller), and of the calls made in `[from, to)`, the reached ones by the resident's answer and
/// the [`domain::callback::MAX_ATTEMPTS`]-th failed ones of a round (the resident became
/// unreachable then). Calls of one round are ordered by time, then id.
///
/// # Errors
/// Database errors.
pub async fn figures(
    pool: &AnyPool,
    scope: &str,
    binds: &[String],
    from: i64,
    to: i64,
    window_start: i64,
) -> Result<domain::callback::CallbackFigures> {
    let max = domain::callback::MAX_ATTEMPTS;
    // `$1 <= $2` keeps the scope's numbering (it starts at `$3`) in a read with no period.
    let waiting = format!(
        "SELECT COUNT(*) FROM appeals a LEFT JOIN ratings r ON r.ticket = a.ticket AND r.cycle = a.cycle
         WHERE $1 <= $2 AND ({scope}) AND {}",
        round_waits(window_start)
    );
    let done = format!(
        "SELECT COALESCE(SUM(CASE WHEN c.reached = 1 AND c.satisfaction = 'satisfied' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN c.reached = 1 AND c.satisfaction = 'basically' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN c.reached = 1 AND c.satisfaction = 'unsatisfied' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN c.reached = 0 AND (SELECT COUNT(*) FROM callbacks p
                     WHERE p.ticket = c.ticket AND p.cycle = c.cycle AND p.reached = 0
                       AND (p.at < c.at OR (p.at = c.at AND p.id <= c.id))) = {max} THEN 1 ELSE 0 END), 0)
         FROM callbacks c JOIN appeals a ON a.ticket = c.ticket
         WHERE c.at >= $1 AND c.at < $2 AND ({scope})"
    );
    let mut q = sqlx::query_as::<_, (i64,)>(&waiting).bind(0_i64).bind(0_i64);
    for b in binds {
        q = q.bind(b.clone());
    }
    let (waiting,) = q.fetch_one(pool).await?;
    let mut q = sqlx::query_as::<_, (i64, i64, i64, i64)>(&done).bind(from).bind(to);
    for b in binds {
        q = q.bind(b.clone());
    }
    let (satisfied, basically, unsatisfied, unreachable) = q.fetch_one(pool).await?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(domain::callback::CallbackFigures {
        waiting: n(waiting),
        satisfied: n(satisfied),
        basically: n(basically),
        unsatisfied: n(unsatisfied),
        unreachable: n(unreachable),
    })
}

/// The current round's facts for one appeal, read inside the recording transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub rating: Option<String>,
    pub after_unsatisfied: bool,
    pub reached: bool,
    /// Calls of the round that did not get through.
    pub attempts: i64,
}

pub async fn round(tx: &mut Tx<'_>, ticket: &str, cycle: i64) -> Result<Round> {
    let sql = format!(
        "SELECT (SELECT r.rating FROM ratings r WHERE r.ticket = a.ticket AND r.cycle = a.cycle),
                CASE WHEN {AFTER_UNSATISFIED} THEN 1 ELSE 0 END,
                CASE WHEN EXISTS (SELECT 1 FROM callbacks c WHERE c.ticket = a.ticket AND c.cycle = a.cycle
                     AND c.reached = 1) THEN 1 ELSE 0 END,
                (SELECT COUNT(*) FROM callbacks c WHERE c.ticket = a.ticket AND c.cycle = a.cycle AND c.reached = 0)
         FROM appeals a WHERE a.ticket = $1 AND a.cycle = $2"
    );
    let row: Option<(Option<String>, i64, i64, i64)> =
        sqlx::query_as(&sql).bind(ticket).bind(cycle).fetch_optional(&mut **tx).await?;
    Ok(row.map_or_else(Round::default, |(rating, after, reached, attempts)| Round {
        rating,
        after_unsatisfied: after != 0,
        reached: reached != 0,
        attempts,
    }))
}

/// A call as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCallback<'a> {
    pub id: &'a str,
    pub ticket: &'a str,
    pub cycle: i64,
    pub reached: bool,
    pub satisfaction: Option<&'a str>,
    pub note: Option<&'a str>,
    pub at: i64,
    pub by_staff: &'a str,
    pub unit: &'a str,
}

pub async fn insert(tx: &mut Tx<'_>, c: &NewCallback<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO callbacks (id, ticket, cycle, reached, satisfaction, note, at, by_staff, unit)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(c.id)
    .bind(c.ticket)
    .bind(c.cycle)
    .bind(i32::from(c.reached))
    .bind(c.satisfaction)
    .bind(c.note)
    .bind(c.at)
    .bind(c.by_staff)
    .bind(c.unit)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A recorded call, for tests and the appeal's history: (cycle, reached, satisfaction).
pub async fn for_ticket(pool: &AnyPool, ticket: &str) -> Result<Vec<(i64, bool, Option<String>)>> {
    let rows: Vec<(i64, i64, Option<String>)> =
        sqlx::query_as("SELECT cycle, reached, satisfaction FROM callbacks WHERE ticket = $1 ORDER BY at, id")
            .bind(ticket)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|(c, r, s)| (c, r != 0, s)).collect())
}

/// A reply template row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TemplateRow {
    pub id: String,
    pub category: String,
    pub title: String,
    pub body: String,
}

/// Every template (the admin page), by category and title.
pub async fn templates(pool: &AnyPool) -> Result<Vec<TemplateRow>> {
    Ok(sqlx::query_as("SELECT id, category, title, body FROM reply_templates ORDER BY category, title, id")
        .fetch_all(pool)
        .await?)
}

/// The templates of one category (the staff appeal page).
pub async fn templates_of(pool: &AnyPool, category: &str) -> Result<Vec<TemplateRow>> {
    Ok(sqlx::query_as("SELECT id, category, title, body FROM reply_templates WHERE category = $1 ORDER BY title, id")
        .bind(category)
        .fetch_all(pool)
        .await?)
}

/// One template, read inside an edit's transaction (its previous text goes into the audit).
pub async fn template(tx: &mut Tx<'_>, id: &str) -> Result<Option<TemplateRow>> {
    Ok(sqlx::query_as("SELECT id, category, title, body FROM reply_templates WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?)
}

/// Adds a template, or changes the one with this id; `false` when an id to change is unknown.
pub async fn save_template(
    tx: &mut Tx<'_>,
    id: &str,
    new: bool,
    (category, title, body): (&str, &str, &str),
    now: i64,
    by: &str,
) -> Result<bool> {
    let r = if new {
        sqlx::query(
            "INSERT INTO reply_templates (id, category, title, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
    } else {
        sqlx::query(
            "UPDATE reply_templates SET category = $2, title = $3, body = $4, updated_at = $5, updated_by = $6 WHERE id = $1",
        )
    }
    .bind(id)
    .bind(category)
    .bind(title)
    .bind(body)
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Deletes a template; `false` when there was none with this id.
pub async fn delete_template(tx: &mut Tx<'_>, id: &str) -> Result<bool> {
    let r = sqlx::query("DELETE FROM reply_templates WHERE id = $1").bind(id).execute(&mut **tx).await?;
    Ok(r.rows_affected() == 1)
}
