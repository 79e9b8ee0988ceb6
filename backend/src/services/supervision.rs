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
use crate::services::deadlines::{new_sign_deadline, ts};
use crate::state::AppState;
use crate::store::appeals::{self, Change, StaffEvent};
use crate::store::supervision as store;
use crate::{BackendError, Result};
use domain::events::{EventDetail, EventKind};
use domain::sla::{self, Calendar, DayKind, Stage};
use domain::workflow::Status;
use domain::{FieldError, FieldName, Msg};
use serde_json::json;

use time::Date;

/// One calendar entry as the admin page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HolidayItem {
    pub day: String,
    pub kind: String,
    pub name: String,
}

/// # Errors
/// Database errors.
pub async fn list_holidays(state: &AppState, by: &crate::audit::Who) -> Result<Vec<HolidayItem>> {
    by.require_admin()?;
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
    by.require_admin()?;
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
        errs.push(FieldError::new(FieldName::Name, Msg::ErrDayNameEmpty));
    }
    let (Some(date), Some(kind)) = (date, kind) else { return Err(BackendError::Invalid(errs)) };
    if !errs.is_empty() {
        return Err(BackendError::Invalid(errs));
    }
    let day = date.format(&fmt).map_err(|e| BackendError::Internal(e.to_string()))?;
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    store::upsert_holiday(&mut tx, &day, kind.as_str(), name, now).await?;
    // Deadlines read the calendar once per content version: a new version makes every node
    // read it again.
    crate::store::regions::bump_catalog_version(&mut tx).await?;
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
    crate::services::import::reload_if_changed(state).await?;
    Ok(())
}

/// # Errors
/// [`BackendError::NotFound`] when the day is not listed.
pub async fn delete_holiday(state: &AppState, by: &crate::audit::Who, day: &str) -> Result<()> {
    by.require_admin()?;
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    if !store::delete_holiday(&mut tx, day.trim()).await? {
        return Err(BackendError::NotFound);
    }
    crate::store::regions::bump_catalog_version(&mut tx).await?;
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
    crate::services::import::reload_if_changed(state).await?;
    Ok(())
}

/// What one run of the job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    pub appeals: usize,
    pub warnings: usize,
    pub supervisions: usize,
    pub escalations: usize,
    /// Report-back stages of summonses (issue 13, `services::summons::run`).
    pub summons_warnings: usize,
    pub summons_supervisions: usize,
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
    let cal = crate::services::deadlines::calendar_cached(state).await?;
    for ticket in store::candidates(&state.db.pool, now, grace, i64::try_from(max).unwrap_or(i64::MAX)).await? {
        let r = one(state, &ticket, now, &cal).await?;
        report.appeals += 1;
        report.warnings += r.warnings;
        report.supervisions += r.supervisions;
        report.escalations += r.escalations;
    }
    let s = crate::services::summons::run(state, max).await?;
    report.summons_warnings = s.warnings;
    report.summons_supervisions = s.supervisions;
    Ok(report)
}

/// 督办 once its notice row is in: marks the appeal supervised, writes the (public) event, tells
/// the unit and the one above it, and audits it as the system's. The job's overdue stage and a
/// follow-up call's 不满意 (`services::callbacks`) both go through here.
pub(crate) async fn supervise(
    tx: &mut crate::store::Tx<'_>,
    cat: &crate::catalog::Catalog,
    ticket: &str,
    unit: &str,
    d: &EventDetail,
    audit_detail: serde_json::Value,
    now: i64,
) -> Result<()> {
    appeals::apply(tx, ticket, &Change { supervised: Some(true), ..Change::default() }, now).await?;
    appeals::insert_staff_event(
        tx,
        &StaffEvent {
            ticket,
            at: now,
            kind: EventKind::Supervised,
            actor: "system",
            actor_name: None,
            unit: Some(unit),
            body: None,
            detail: Some(d),
        },
    )
    .await?;
    notify::unit(tx, unit, ticket, Kind::Supervision, now).await?;
    if let Some(p) = cat.parent_unit(unit) {
        notify::unit(tx, &p.code, ticket, Kind::Supervision, now).await?;
    }
    notify::owner(tx, ticket, Kind::Supervision, now).await?;
    crate::audit::append_system(tx, now, "supervise", ticket, audit_detail).await
}

async fn one(state: &AppState, ticket: &str, now: i64, cal: &Calendar) -> Result<RunReport> {
    let cat = state.catalog.get();
    let mut tx = state.db.pool.begin().await?;
    let mut out = RunReport::default();
    if !appeals::lock(&mut tx, ticket).await? {
        return Ok(out);
    }
    let Some(a) = appeals::full(&mut *tx, ticket).await? else { return Ok(out) };
    // A merged appeal follows its main one (issue 13): not warned or escalated on its own.
    if a.status == Status::Closed || a.merged_into.is_some() {
        tx.commit().await?;
        return Ok(out);
    }
    let mut deadlines = vec![("resolve", a.clock_start_at, a.deadline_at)];
    if a.status == Status::Assigned {
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
            let d = EventDetail {
                deadline: Some(name.to_owned()),
                due: Some(due),
                cycle: Some(a.cycle),
                ..EventDetail::default()
            };
            let ev = |kind: EventKind| StaffEvent {
                ticket,
                at: now,
                kind,
                actor: "system",
                actor_name: None,
                unit: None,
                body: None,
                detail: None,
            };
            match stage {
                Stage::Warning => {
                    appeals::insert_staff_event(
                        &mut tx,
                        &StaffEvent { unit: Some(&unit), detail: Some(&d), ..ev(EventKind::Warning) },
                    )
                    .await?;
                    notify::unit(&mut tx, &unit, ticket, Kind::Warning, now).await?;
                    notify::owner(&mut tx, ticket, Kind::Warning, now).await?;
                    out.warnings += 1;
                }
                Stage::Supervision => {
                    supervise(&mut tx, &cat, ticket, &unit, &d, detail, now).await?;
                    out.supervisions += 1;
                }
                Stage::Escalation => {
                    // At the top there is nowhere to go: the city centre keeps it, supervised.
                    if let Some(p) = cat.parent_unit(&unit).map(|p| p.code.clone()) {
                        let path = cat.unit_path(&p);
                        let urgent = a.urgent != 0;
                        let sign_by = new_sign_deadline(cal, now, urgent);
                        store::cancel_pending_extensions(&mut tx, ticket, now).await?;
                        let lapsed_owner = crate::services::notices::on_hand_over(
                            &mut tx,
                            &cat,
                            ticket,
                            (&unit, &p),
                            ("system", None),
                            now,
                        )
                        .await?;
                        appeals::apply(
                            &mut tx,
                            ticket,
                            &Change {
                                status: Some(Status::Assigned),
                                unit: Some((&p, &path)),
                                signed_at: Some(None),
                                sign_by: Some((now, sign_by)),
                                ..Change::default()
                            },
                            now,
                        )
                        .await?;
                        escalated = true;
                        let d = EventDetail {
                            deadline: Some(name.to_owned()),
                            from: Some(unit.clone()),
                            due: Some(due),
                            ..EventDetail::default()
                        };
                        appeals::insert_staff_event(
                            &mut tx,
                            &StaffEvent { unit: Some(&p), detail: Some(&d), ..ev(EventKind::AutoEscalated) },
                        )
                        .await?;
                        notify::unit(&mut tx, &p, ticket, Kind::Escalated, now).await?;
                        // A leader who stays in charge (named above the new unit) hears of it;
                        // one who lapsed has had OwnerRemoved instead.
                        notify::owner(&mut tx, ticket, Kind::Escalated, now).await?;
                        crate::audit::append_system(
                            &mut tx,
                            now,
                            "auto_escalate",
                            ticket,
                            json!({ "deadline": name, "unit": [unit, p], "owner_lapsed": lapsed_owner }),
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
