//! Notices issued by hand (`hand_notices`) and leaders in charge (`appeal_owners`), issue 13.

use super::Tx;
use crate::Result;
use sqlx::AnyPool;

/// The SQL condition "appeal `a` has a notice to its current unit still waiting for an answer":
/// the inbox's badge and its `due=noticed` filter. A notice to a unit that has since handed the
/// appeal on no longer marks it (the new unit owes nothing), nor does a lapsed one. An `EXISTS`
/// per inbox row that the `(ticket, …)` index answers, not a scan of every notice.
pub(crate) const OPEN_NOTICE_SQL: &str = "EXISTS (SELECT 1 FROM hand_notices n WHERE n.ticket = a.ticket \
     AND n.to_unit = a.unit AND n.answered_at IS NULL AND n.lapsed_at IS NULL)";

/// A notice being issued.
pub struct NewNotice<'a> {
    pub id: &'a str,
    pub ticket: &'a str,
    pub kind: &'a str,
    pub to_unit: &'a str,
    pub reason: &'a str,
    pub due_at: i64,
    pub issued_by: &'a str,
    pub issued_unit: &'a str,
    pub issued_at: i64,
    pub public: bool,
}

pub async fn insert(tx: &mut Tx<'_>, n: &NewNotice<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO hand_notices (id, ticket, kind, to_unit, reason, due_at, issued_by, issued_unit, issued_at, public)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(n.id)
    .bind(n.ticket)
    .bind(n.kind)
    .bind(n.to_unit)
    .bind(n.reason)
    .bind(n.due_at)
    .bind(n.issued_by)
    .bind(n.issued_unit)
    .bind(n.issued_at)
    .bind(i32::from(n.public))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoticeRow {
    pub id: String,
    pub ticket: String,
    pub kind: String,
    pub to_unit: String,
    pub reason: String,
    pub due_at: i64,
    pub issued_by: String,
    pub issued_unit: String,
    pub issued_at: i64,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
    pub answered_by: Option<String>,
    pub public: i64,
    /// When a hand-over made it unanswerable (see [`lapse_open`]).
    pub lapsed_at: Option<i64>,
}

const COLS: &str =
    "id, ticket, kind, to_unit, reason, due_at, issued_by, issued_unit, issued_at, answer, answered_at, \
     answered_by, public, lapsed_at";

/// An appeal's notices, newest first.
pub async fn for_ticket(pool: &AnyPool, ticket: &str) -> Result<Vec<NoticeRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLS} FROM hand_notices WHERE ticket = $1 ORDER BY issued_at DESC, id"))
        .bind(ticket)
        .fetch_all(pool)
        .await?)
}

pub async fn by_id(tx: &mut Tx<'_>, id: &str) -> Result<Option<NoticeRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLS} FROM hand_notices WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?)
}

/// Records the answer of `unit` to notice `id` of `ticket`; `false` when there is no such
/// notice to that unit still waiting for one (answered, or lapsed on a hand-over).
pub async fn answer(
    tx: &mut Tx<'_>,
    id: &str,
    ticket: &str,
    unit: &str,
    text: &str,
    by: &str,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE hand_notices SET answer = $1, answered_at = $2, answered_by = $3
         WHERE id = $4 AND ticket = $5 AND to_unit = $6 AND answered_at IS NULL AND lapsed_at IS NULL",
    )
    .bind(text)
    .bind(now)
    .bind(by)
    .bind(id)
    .bind(ticket)
    .bind(unit)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks lapsed the notices to `unit` on `ticket` still waiting for an answer: the appeal was
/// handed over, so that unit can no longer answer them (like `supervision::cancel_pending_extensions`
/// for extension requests). Returns how many lapsed.
pub async fn lapse_open(tx: &mut Tx<'_>, ticket: &str, unit: &str, now: i64) -> Result<u64> {
    let r = sqlx::query(
        "UPDATE hand_notices SET lapsed_at = $3
         WHERE ticket = $1 AND to_unit = $2 AND answered_at IS NULL AND lapsed_at IS NULL",
    )
    .bind(ticket)
    .bind(unit)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected())
}

/// Notices issued in `[start, end)` on appeals matching `filter` (the dashboard's scope; `$1`
/// and `$2` are the period, as in `counts::grouped`), per kind.
pub async fn issued_by_kind(
    pool: &AnyPool,
    filter: &super::counts::Filter,
    start: i64,
    end: i64,
) -> Result<Vec<(String, i64)>> {
    let sql = format!(
        "SELECT n.kind, COUNT(*) FROM hand_notices n JOIN appeals a ON a.ticket = n.ticket
         WHERE n.issued_at >= $1 AND n.issued_at < $2 AND {}
         GROUP BY n.kind",
        filter.sql
    );
    let mut q = sqlx::query_as::<_, (String, i64)>(&sql).bind(start).bind(end);
    for b in &filter.binds {
        q = q.bind(b.as_str());
    }
    Ok(q.fetch_all(pool).await?)
}

/// The leader in charge of an appeal: (staff id, display name). A deactivated leader counts as
/// none (the naming is ignored, so the handling unit may close again and another may be named).
pub async fn owner<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    ex: E,
    ticket: &str,
) -> Result<Option<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT o.staff_id, s.display_name FROM appeal_owners o
         JOIN staff s ON s.id = o.staff_id AND s.active = 1 WHERE o.ticket = $1",
    )
    .bind(ticket)
    .fetch_optional(ex)
    .await?)
}

/// An appeal's naming as stored, the leader active or not.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Naming {
    pub staff_id: String,
    pub display_name: String,
    /// The leader's unit (whose subtree the appeal must stay in).
    pub unit: String,
    pub active: i64,
    /// The unit of the overseer who named them (precedence when replacing).
    pub named_unit: String,
}

/// Reads the naming inside an action's transaction.
pub async fn naming(tx: &mut Tx<'_>, ticket: &str) -> Result<Option<Naming>> {
    Ok(sqlx::query_as(
        "SELECT o.staff_id, s.display_name, s.unit, s.active, o.named_unit FROM appeal_owners o
         JOIN staff s ON s.id = o.staff_id WHERE o.ticket = $1",
    )
    .bind(ticket)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Removes the leader in charge (un-named, or the naming lapsed); `false` when there was none.
pub async fn clear_owner(tx: &mut Tx<'_>, ticket: &str) -> Result<bool> {
    let r = sqlx::query("DELETE FROM appeal_owners WHERE ticket = $1").bind(ticket).execute(&mut **tx).await?;
    Ok(r.rows_affected() == 1)
}

/// Names (or replaces) the leader in charge.
pub async fn set_owner(tx: &mut Tx<'_>, ticket: &str, staff_id: &str, by: &str, by_unit: &str, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO appeal_owners (ticket, staff_id, named_by, named_unit, named_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (ticket) DO UPDATE SET staff_id = excluded.staff_id, named_by = excluded.named_by,
           named_unit = excluded.named_unit, named_at = excluded.named_at",
    )
    .bind(ticket)
    .bind(staff_id)
    .bind(by)
    .bind(by_unit)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Active members (not admins) of `units`: (id, display name, unit), by unit and name.
pub async fn active_members(pool: &AnyPool, units: &[String]) -> Result<Vec<(String, String, String)>> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let ph: Vec<String> = (1..=units.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, display_name, unit FROM staff WHERE active = 1 AND role <> 'admin' AND unit IN ({})
         ORDER BY unit, display_name, id",
        ph.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String, String, String)>(&sql);
    for u in units {
        q = q.bind(u.as_str());
    }
    Ok(q.fetch_all(pool).await?)
}

/// The appeals `staff_id` is leader in charge of, open ones first, by deadline. (A deactivated
/// member cannot sign in, so their ignored namings need no filter here.)
pub async fn cases(pool: &AnyPool, staff_id: &str) -> Result<Vec<super::appeals::InboxRow>> {
    let sup = super::appeals::SUPERVISED_SQL;
    Ok(sqlx::query_as(&format!(
        "SELECT a.ticket, a.category, a.status, a.unit, a.urgent, a.submitted_at, a.deadline_at,
                a.clock_start_at, a.sign_by_at,
                CASE WHEN {sup} THEN 1 ELSE 0 END AS supervised, a.description,
                CASE WHEN {OPEN_NOTICE_SQL} THEN 1 ELSE 0 END AS noticed, 0 AS owes_report, a.merged_into
         FROM appeal_owners o JOIN appeals a ON a.ticket = o.ticket
         WHERE o.staff_id = $1
         ORDER BY CASE WHEN a.status = 'closed' THEN 1 ELSE 0 END, a.deadline_at, a.ticket
         LIMIT 500"
    ))
    .bind(staff_id)
    .fetch_all(pool)
    .await?)
}

/// A staff member who might be named leader in charge.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    pub id: String,
    pub display_name: String,
    pub unit: String,
    pub role: String,
    pub active: i64,
}

/// Reads a member inside the naming transaction.
pub async fn member(tx: &mut Tx<'_>, id: &str) -> Result<Option<Member>> {
    Ok(sqlx::query_as("SELECT id, display_name, unit, role, active FROM staff WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?)
}
