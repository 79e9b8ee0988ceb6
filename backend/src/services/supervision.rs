//! Deadlines watched: the supervision job (预警 → 督办 → 升级) and the holiday calendar.
//!
//! The job looks for open appeals with a stage due (see `domain::sla`) and handles each appeal
//! in a transaction of its own: lock the appeal, insert the notice row, write the event, the
//! notifications and the audit entry. The notice's primary key (appeal, deadline cycle, deadline,
//! stage) is what makes each notice fire exactly once: a second run, a run on another node
//! sharing PostgreSQL, or a run resumed after a crash finds the row and does nothing. This is the
//! argued equivalent of `SELECT … FOR UPDATE SKIP LOCKED`: the appeal's row lock serialises two
//! runs on one appeal, and the unique key settles who fired.

use crate::notify::{self, Kind};
use crate::services::work::audit_system;
use crate::state::AppState;
use crate::store::appeals::{self, Change, StaffEvent};
use crate::store::supervision as store;
use crate::{BackendError, Result};
use domain::sla::{self, Calendar, DayKind, Stage};
use domain::{FieldError, FieldName, Msg};
use serde_json::json;
use sqlx::AnyPool;
use time::{Date, Duration, OffsetDateTime};

/// Knobs of the supervision rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupervisionConfig {
    /// How long after a missed deadline the appeal goes up a level by itself.
    pub grace: Duration,
    /// How long after closing a resident may rate the answer.
    pub rating_window: Duration,
}

impl Default for SupervisionConfig {
    fn default() -> Self {
        Self { grace: Duration::hours(24), rating_window: Duration::days(7) }
    }
}

fn ts(t: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The working-day calendar as the admin left it.
///
/// # Errors
/// Database errors.
pub async fn calendar(pool: &AnyPool) -> Result<Calendar> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let entries = store::holidays(pool)
        .await?
        .into_iter()
        .filter_map(|(day, kind, _)| Some((Date::parse(&day, &fmt).ok()?, DayKind::parse(&kind)?)));
    Ok(Calendar::new(entries))
}

/// One calendar entry as the admin page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HolidayItem {
    pub day: String,
    pub kind: String,
    pub name: String,
}

/// # Errors
/// Database errors.
pub async fn list_holidays(state: &AppState) -> Result<Vec<HolidayItem>> {
    Ok(store::holidays(&state.db.pool)
        .await?
        .into_iter()
        .map(|(day, kind, name)| HolidayItem { day, kind, name })
        .collect())
}

/// Adds or changes a calendar day (admins; audited).
///
/// # Errors
/// [`BackendError::Invalid`] for a bad date, kind or name.
pub async fn set_holiday(state: &AppState, by: &crate::audit::Who, day: &str, kind: &str, name: &str) -> Result<()> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let mut errs = Vec::new();
    let date = Date::parse(day.trim(), &fmt).ok();
    if date.is_none() {
        errs.push(FieldError::new(FieldName::Day, Msg::ErrDayInvalid));
    }
    let kind = DayKind::parse(kind.trim());
    if kind.is_none() {
        errs.push(FieldError::new(FieldName::DayKind, Msg::ErrDayKindInvalid));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        errs.push(FieldError::new(FieldName::Name, Msg::ErrNameEmpty));
    }
    let (Some(date), Some(kind)) = (date, kind) else { return Err(BackendError::Invalid(errs)) };
    if !errs.is_empty() {
        return Err(BackendError::Invalid(errs));
    }
    let day = date.format(&fmt).map_err(|e| BackendError::Internal(e.to_string()))?;
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    store::upsert_holiday(&mut tx, &day, kind.as_str(), name, now).await?;
    crate::audit::append(
        &mut tx,
        &crate::audit::Entry {
            at: now,
            who: by,
            action: "holiday_set",
            ticket: None,
            detail: json!({ "day": day, "kind": kind.as_str(), "name": name }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// # Errors
/// [`BackendError::NotFound`] when the day is not listed.
pub async fn delete_holiday(state: &AppState, by: &crate::audit::Who, day: &str) -> Result<()> {
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    if !store::delete_holiday(&mut tx, day.trim()).await? {
        return Err(BackendError::NotFound);
    }
    crate::audit::append(
        &mut tx,
        &crate::audit::Entry {
            at: now,
            who: by,
            action: "holiday_delete",
            ticket: None,
            detail: json!({ "day": day.trim() }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The sign-for deadline of a unit that receives an appeal at `now` (a hand-over): the end of
/// the next working day, or the urgent hours.
#[must_use]
pub fn new_sign_deadline(cal: &Calendar, now: i64, urgent: bool) -> i64 {
    sla::deadlines(cal, ts(now), 1, urgent, sla::CHINA).sign_by.unix_timestamp()
}

/// What one run of the job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    pub appeals: usize,
    pub warnings: usize,
    pub supervisions: usize,
    pub escalations: usize,
}

/// Runs the job once over at most `max` appeals (a bound per run; the next run continues).
///
/// # Errors
/// Database errors; appeals handled before the error stay handled.
pub async fn run(state: &AppState, max: usize) -> Result<RunReport> {
    let now = state.clock.ts();
    let grace = state.supervision.grace.whole_seconds();
    let mut report = RunReport::default();
    // Read before any appeal's transaction holds a connection.
    let cal = calendar(&state.db.pool).await?;
    for ticket in candidates(&state.db.pool, now, grace, i64::try_from(max).unwrap_or(i64::MAX)).await? {
        let r = one(state, &ticket, now, &cal).await?;
        report.appeals += 1;
        report.warnings += r.warnings;
        report.supervisions += r.supervisions;
        report.escalations += r.escalations;
    }
    Ok(report)
}

/// Open appeals with a stage due and not yet recorded in their current cycle.
async fn candidates(pool: &AnyPool, now: i64, grace: i64, limit: i64) -> Result<Vec<String>> {
    let missing = |deadline: &str, col: &str, stage: &str| {
        format!(
            "NOT EXISTS (SELECT 1 FROM appeal_notices n WHERE n.ticket = a.ticket AND n.cycle = a.cycle
             AND n.deadline = '{deadline}' AND n.due_at = a.{col} AND n.stage = '{stage}')"
        )
    };
    let due = |start: &str, col: &str, deadline: &str| {
        format!(
            "((a.{start} + (a.{col} - a.{start}) * 3 / 4 <= $1 AND {w})
              OR (a.{col} < $1 AND {s})
              OR (a.{col} + $2 < $1 AND {e}))",
            w = missing(deadline, col, "warning"),
            s = missing(deadline, col, "supervision"),
            e = missing(deadline, col, "escalation"),
        )
    };
    let sql = format!(
        "SELECT a.ticket FROM appeals a
         WHERE a.status <> 'closed' AND ({resolve} OR (a.status = 'assigned' AND {sign}))
         ORDER BY a.deadline_at, a.ticket LIMIT {}",
        limit.clamp(1, 100_000),
        resolve = due("clock_start_at", "deadline_at", "resolve"),
        sign = due("sign_start_at", "sign_by_at", "sign"),
    );
    let rows: Vec<(String,)> = sqlx::query_as(&sql).bind(now).bind(grace).fetch_all(pool).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

async fn one(state: &AppState, ticket: &str, now: i64, cal: &Calendar) -> Result<RunReport> {
    let cat = state.catalog.get();
    let mut tx = state.db.pool.begin().await?;
    let mut out = RunReport::default();
    if !appeals::lock(&mut tx, ticket).await? {
        return Ok(out);
    }
    let Some(a) = appeals::full(&mut *tx, ticket).await? else { return Ok(out) };
    if a.status == "closed" {
        tx.commit().await?;
        return Ok(out);
    }
    let mut deadlines = vec![("resolve", a.clock_start_at, a.deadline_at)];
    if a.status == "assigned" {
        deadlines.insert(0, ("sign", a.sign_start_at, a.sign_by_at));
    }
    let mut unit = a.unit.clone();
    let mut escalated = false;
    for (name, start, due) in deadlines {
        for stage in sla::stages_due(ts(now), ts(start), ts(due), state.supervision.grace) {
            // One escalation per run: the next level gets its own sign-for deadline first.
            if escalated || !store::fire(&mut tx, ticket, a.cycle, name, due, stage.as_str(), now).await? {
                continue;
            }
            let detail = json!({ "deadline": name, "due": due, "cycle": a.cycle });
            let d = detail.to_string();
            let ev = |kind: &'static str, public: bool| StaffEvent {
                ticket,
                at: now,
                kind,
                actor: "system",
                actor_name: None,
                unit: None,
                public,
                body: None,
                detail: None,
            };
            match stage {
                Stage::Warning => {
                    appeals::insert_staff_event(
                        &mut tx,
                        &StaffEvent { unit: Some(&unit), detail: Some(&d), ..ev("warning", false) },
                    )
                    .await?;
                    notify::unit(&mut tx, &unit, ticket, Kind::Warning, now).await?;
                    out.warnings += 1;
                }
                Stage::Supervision => {
                    appeals::apply(&mut tx, ticket, &Change { supervised: Some(true), ..Change::default() }, now)
                        .await?;
                    appeals::insert_staff_event(
                        &mut tx,
                        &StaffEvent { unit: Some(&unit), detail: Some(&d), ..ev("supervised", true) },
                    )
                    .await?;
                    notify::unit(&mut tx, &unit, ticket, Kind::Supervision, now).await?;
                    if let Some(p) = cat.parent_unit(&unit) {
                        notify::unit(&mut tx, &p.code, ticket, Kind::Supervision, now).await?;
                    }
                    audit_system(&mut tx, now, "supervise", ticket, detail).await?;
                    out.supervisions += 1;
                }
                Stage::Escalation => {
                    // At the top there is nowhere to go: the city centre keeps it, supervised.
                    if let Some(p) = cat.parent_unit(&unit).map(|p| p.code.clone()) {
                        let path = cat.unit_path(&p);
                        let urgent = a.urgent != 0;
                        let sign_by = new_sign_deadline(cal, now, urgent);
                        store::cancel_pending_extensions(&mut tx, ticket, now).await?;
                        appeals::apply(
                            &mut tx,
                            ticket,
                            &Change {
                                status: Some("assigned"),
                                unit: Some((&p, &path)),
                                signed_at: Some(None),
                                sign_by: Some((now, sign_by)),
                                ..Change::default()
                            },
                            now,
                        )
                        .await?;
                        escalated = true;
                        let d = json!({ "deadline": name, "from": unit, "due": due }).to_string();
                        appeals::insert_staff_event(
                            &mut tx,
                            &StaffEvent { unit: Some(&p), detail: Some(&d), ..ev("auto_escalated", true) },
                        )
                        .await?;
                        notify::unit(&mut tx, &p, ticket, Kind::Escalated, now).await?;
                        audit_system(
                            &mut tx,
                            now,
                            "auto_escalate",
                            ticket,
                            json!({ "deadline": name, "unit": [unit, p] }),
                        )
                        .await?;
                        unit = p;
                        out.escalations += 1;
                    }
                }
            }
        }
    }
    tx.commit().await?;
    Ok(out)
}
