//! Summonses with duties (吹哨报到, issue 13).
//!
//! - **Who may be summoned**: the departments of the appeal's district whose kind is listed for
//!   its category (`summon_rules`); a category with nothing listed allows any department. Admins
//!   keep the list ([`rules`], [`save_rules`]; audited with before and after). The summon form
//!   offers only [`targets`], and `work::act` refuses anything else whatever the form sent.
//! - **Report-back deadline**: `domain::summons::due_at`, working days on the holiday calendar.
//!   [`run`] (called by the supervision job) warns the department at 75 % of the time and sends
//!   it 督办 past the deadline, recorded on the staff timeline. Each stage's row in
//!   `summons_notices` (appeal, department, summons time, stage) is inserted under the appeal's
//!   row lock, so it fires once whichever run or node gets there first — the same argument as the
//!   appeals' own supervision.
//! - **Rating**: a dispatcher of the unit that summoned rates a report once ([`rate`], a step of
//!   `work::act`); the department is told.

use crate::audit::{self, Entry, Who};
use crate::auth::Staff;
use crate::catalog::Catalog;
use crate::notify::{self, Kind};
use crate::state::AppState;
use crate::store::appeals::{self, FullAppeal, StaffEvent};
use crate::store::summons as store;
use crate::store::Tx;
use crate::{BackendError, Result};
use domain::callback::Satisfaction;
use domain::events::{EventDetail, EventKind};
use domain::region::Unit;
use domain::summons::{
    department_kind, may_summon, History, HistoryFilter, HistoryItem, HISTORY_PAGE, RATING_NOTE_MAX,
};
use domain::workflow::Role;
use domain::{FieldError, FieldName, Msg};
use serde_json::json;
use std::collections::BTreeMap;

/// The department kinds of the catalog, each with one department's name as an example.
#[must_use]
pub fn department_kinds(cat: &Catalog) -> Vec<(String, String)> {
    let mut m: BTreeMap<String, String> = BTreeMap::new();
    for u in cat.units_sorted() {
        if let Some(k) = department_kind(&u.kind) {
            m.entry(k.to_owned()).or_insert_with(|| u.name.clone());
        }
    }
    m.into_iter().collect()
}

/// Whom a summons of an appeal of `category` handled by `unit` may call: the listed kinds'
/// departments of its district, and whether nothing is listed (then: every department).
///
/// # Errors
/// Database errors.
pub async fn targets<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    ex: E,
    cat: &'c Catalog,
    unit: &str,
    category: &str,
) -> Result<(Vec<&'c Unit>, bool)> {
    let listed = store::kinds_for(ex, category).await?;
    let units = cat.district_departments(unit).into_iter().filter(|u| may_summon(&listed, &u.kind)).collect();
    Ok((units, listed.is_empty()))
}

/// The whole list for the admin page: category code → listed kinds.
///
/// # Errors
/// [`BackendError::Forbidden`] for anyone but an admin; database errors.
pub async fn rules(state: &AppState, by: &Who) -> Result<BTreeMap<String, Vec<String>>> {
    by.require_admin()?;
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (c, k) in store::rules(&state.db.pool).await? {
        m.entry(c).or_default().push(k);
    }
    Ok(m)
}

/// Replaces one category's list (admins; audited with the kinds before and after). An empty
/// list means any department.
///
/// # Errors
/// [`BackendError::Forbidden`] for non-admins; [`BackendError::Invalid`] for an unknown
/// category or department kind.
pub async fn save_rules(state: &AppState, by: &Who, category: &str, kinds: &[String]) -> Result<()> {
    by.require_admin()?;
    let cat = state.catalog.get();
    let category = category.trim();
    if cat.category(category).is_none() {
        return Err(BackendError::invalid(FieldError::new(FieldName::Category, Msg::ErrCategoryUnknown)));
    }
    let known = department_kinds(&cat);
    let mut chosen: Vec<String> = kinds.iter().map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).collect();
    chosen.sort_unstable();
    chosen.dedup();
    if chosen.iter().any(|k| !known.iter().any(|(c, _)| c == k)) {
        return Err(BackendError::invalid(FieldError::new(FieldName::Units, Msg::ErrSummonKindUnknown)));
    }
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    let before = store::kinds_for(&mut *tx, category).await?;
    store::replace_rules(&mut tx, category, &chosen, now).await?;
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: by,
            action: "summon_rules_set",
            ticket: None,
            detail: json!({ "category": category, "kinds": [before, chosen] }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The rating step of `work::act` (the appeal row is locked): the summons of `unit` must have
/// been made by the actor's unit, be reported back and not yet rated. Returns the audit reason
/// (the note) and detail.
///
/// # Errors
/// [`BackendError::Invalid`] for a missing rating or a long note; [`BackendError::Forbidden`]
/// for a summons another unit made; [`BackendError::Conflict`] when there is nothing to rate,
/// or with [`Msg::ErrRateSummonerUnknown`] for a summons without a recorded summoner.
pub(crate) async fn rate(
    tx: &mut Tx<'_>,
    staff: &Staff,
    a: &FullAppeal,
    (unit, rating, note): (&str, &str, &str),
    actor_name: &str,
    now: i64,
) -> Result<(Option<String>, serde_json::Map<String, serde_json::Value>)> {
    let unit = unit.trim();
    let co = appeals::cohandlers(&mut **tx, &a.ticket).await?;
    let Some(row) = co.iter().find(|c| c.unit == unit) else {
        return Err(BackendError::Conflict(Msg::ErrRateNotNow));
    };
    // Only the unit that summoned rates. A summons whose summoner is not on record (made before
    // migration 0015, its `summoned` event missing: see `adopt_unwatched`) is not rated at all:
    // the unit handling the appeal now may not be the one that summoned (after a transfer it
    // never was), so it cannot stand in.
    if staff.role != Role::Dispatcher {
        return Err(BackendError::Forbidden);
    }
    let Some(summoner) = row.summoned_by.as_deref() else {
        return Err(BackendError::Conflict(Msg::ErrRateSummonerUnknown));
    };
    if summoner != staff.unit {
        return Err(BackendError::Forbidden);
    }
    let mut errs = Vec::new();
    let rating = Satisfaction::parse(rating);
    if rating.is_none() {
        errs.push(FieldError::new(FieldName::Rating, Msg::ErrRatingMissing));
    }
    let note = note.trim();
    if note.chars().count() > RATING_NOTE_MAX {
        errs.push(FieldError::new(FieldName::Body, Msg::ErrRatingNoteLong));
    }
    let Some(rating) = rating.filter(|_| errs.is_empty()) else { return Err(BackendError::Invalid(errs)) };
    if !store::rate(tx, &a.ticket, unit, (rating.as_str(), note), &staff.id, now).await? {
        return Err(BackendError::Conflict(Msg::ErrRateNotNow));
    }
    let d = EventDetail {
        units: Some(vec![unit.to_owned()]),
        rating: Some(rating.as_str().to_owned()),
        note: (!note.is_empty()).then(|| note.to_owned()),
        ..EventDetail::default()
    };
    appeals::insert_staff_event(
        tx,
        &StaffEvent {
            ticket: &a.ticket,
            at: now,
            kind: EventKind::ReportRated,
            actor: &staff.id,
            actor_name: Some(actor_name),
            unit: Some(&staff.unit),
            body: None,
            detail: Some(&d),
        },
    )
    .await?;
    notify::unit(tx, unit, &a.ticket, Kind::ReportRated, now).await?;
    let mut detail = serde_json::Map::new();
    detail.insert("summons".into(), json!(unit));
    detail.insert("rating".into(), json!(rating.as_str()));
    Ok(((!note.is_empty()).then(|| note.to_owned()), detail))
}

/// What one run over the summonses did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    pub warnings: usize,
    pub supervisions: usize,
    /// Summonses from before migration 0015 given a report-back deadline ([`adopt_unwatched`]).
    pub adopted: usize,
}

/// Fires the due report-back stages of at most `max` summonses.
///
/// # Errors
/// Database errors; summonses handled before the error stay handled.
pub async fn run(state: &AppState, max: usize) -> Result<RunReport> {
    let now = state.clock.ts();
    let mut out = RunReport { adopted: adopt_unwatched(state, now, max).await?, ..RunReport::default() };
    for (ticket, unit, summoned_at) in store::due(&state.db.pool, now, i64::try_from(max).unwrap_or(i64::MAX)).await? {
        let r = one(state, &ticket, &unit, summoned_at, now).await?;
        out.warnings += r.warnings;
        out.supervisions += r.supervisions;
    }
    Ok(out)
}

/// Summonses made before migration 0015 had no report-back deadline, so nothing watched them.
/// Their due date cannot be reconstructed (nobody chose one), so none is invented for the past:
/// each one still owing its report gets the default deadline ([`domain::summons::DEFAULT_DAYS`]
/// working days) counted from the moment the system starts watching it, and says so — a staff
/// event on the timeline, a message to the department and an audit entry. Its summoner is taken
/// from the `summoned` event it wrote (who made it is on record even where the column is not),
/// so the summoning unit can rate the report. Returns how many were given a deadline; at most
/// `max` a run, each under its appeal's lock, once whichever run or node gets there first.
///
/// # Errors
/// Database errors; summonses handled before the error stay handled.
pub async fn adopt_unwatched(state: &AppState, now: i64, max: usize) -> Result<usize> {
    let rows = store::unwatched(&state.db.pool, i64::try_from(max).unwrap_or(i64::MAX)).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let cal = crate::services::deadlines::calendar_cached(state).await?;
    let due = domain::summons::due_at(&cal, state.clock.now(), domain::summons::DEFAULT_DAYS).unix_timestamp();
    let mut adopted = 0;
    for (ticket, unit, summoned_at) in rows {
        let mut tx = state.db.pool.begin().await?;
        if !appeals::lock(&mut tx, &ticket).await? {
            continue;
        }
        if closed(&mut tx, &ticket).await? {
            continue;
        }
        let summoner = store::summoner_from_events(&mut tx, &ticket, &unit, summoned_at).await?;
        if !store::adopt(&mut tx, &ticket, &unit, summoned_at, due, summoner.as_deref()).await? {
            continue;
        }
        let d = EventDetail { units: Some(vec![unit.clone()]), due: Some(due), ..EventDetail::default() };
        appeals::insert_staff_event(
            &mut tx,
            &StaffEvent {
                ticket: &ticket,
                at: now,
                kind: EventKind::SummonsDueSet,
                actor: "system",
                actor_name: None,
                unit: Some(&unit),
                body: None,
                detail: Some(&d),
            },
        )
        .await?;
        notify::unit(&mut tx, &unit, &ticket, Kind::SummonsDueSet, now).await?;
        audit::append_system(
            &mut tx,
            now,
            "summons_due_set",
            &ticket,
            json!({ "unit": unit, "summoned_at": summoned_at, "due": due, "summoned_by": summoner }),
        )
        .await?;
        tx.commit().await?;
        adopted += 1;
    }
    Ok(adopted)
}

/// Whether the appeal is closed (read under its lock): nothing is chased for a closed appeal.
async fn closed(tx: &mut Tx<'_>, ticket: &str) -> Result<bool> {
    Ok(appeals::full(&mut **tx, ticket).await?.is_none_or(|a| a.status == domain::workflow::Status::Closed))
}

async fn one(state: &AppState, ticket: &str, unit: &str, summoned_at: i64, now: i64) -> Result<RunReport> {
    let mut out = RunReport::default();
    let mut tx = state.db.pool.begin().await?;
    if !appeals::lock(&mut tx, ticket).await? {
        return Ok(out);
    }
    // Read again under the lock: the department may have reported back, or been summoned anew,
    // since the candidates were listed.
    let co = appeals::cohandlers(&mut *tx, ticket).await?;
    let Some(c) = co.into_iter().find(|c| c.unit == unit && c.summoned_at == summoned_at) else {
        return Ok(out);
    };
    if closed(&mut tx, ticket).await? {
        return Ok(out);
    }
    let (Some(due), None) = (c.due_at, c.reported_at) else { return Ok(out) };
    let ts = crate::services::deadlines::ts;
    for stage in domain::sla::stages_due(ts(now), ts(summoned_at), ts(due), time::Duration::ZERO) {
        let stage_name = match stage {
            domain::sla::Stage::Warning => "warning",
            domain::sla::Stage::Supervision => "supervision",
            // A summons has no escalation: the summoning unit still handles the appeal.
            domain::sla::Stage::Escalation => continue,
        };
        if !store::fire(&mut tx, ticket, unit, summoned_at, stage_name, now).await? {
            continue;
        }
        if stage == domain::sla::Stage::Warning {
            notify::unit(&mut tx, unit, ticket, Kind::SummonsWarning, now).await?;
            out.warnings += 1;
            continue;
        }
        let d = EventDetail { units: Some(vec![unit.to_owned()]), due: Some(due), ..EventDetail::default() };
        appeals::insert_staff_event(
            &mut tx,
            &StaffEvent {
                ticket,
                at: now,
                kind: EventKind::SummonsOverdue,
                actor: "system",
                actor_name: None,
                unit: Some(unit),
                body: None,
                detail: Some(&d),
            },
        )
        .await?;
        notify::unit(&mut tx, unit, ticket, Kind::SummonsSupervision, now).await?;
        notify::owner_about(&mut tx, ticket, Kind::SummonsSupervision, Some(unit), now).await?;
        audit::append_system(&mut tx, now, "summons_supervise", ticket, json!({ "unit": unit, "due": due })).await?;
        out.supervisions += 1;
    }
    tx.commit().await?;
    Ok(out)
}

/// The summonses `staff` may see (`/staff/summons`), newest first, one page of
/// [`domain::summons::HISTORY_PAGE`]: those made by a unit of their scope — for a dispatcher
/// any unit in their region's subtree, for others their own unit and the units one level below
/// (as the inbox) — and those addressed to their own department. Admins see all. The scope is a
/// condition of the query, never a filter after it.
///
/// # Errors
/// Database errors. A bad date comes back in [`History::problems`] with nothing listed.
pub async fn history(state: &AppState, staff: &Staff, f: &HistoryFilter) -> Result<History> {
    let mut out = History { filter: f.clone(), page: 1, pages: 1, ..History::default() };
    let period = match f.period() {
        Ok(p) => p,
        Err(problems) => {
            out.problems = problems;
            return Ok(out);
        }
    };
    let cat = state.catalog.get();
    let scope = match staff.role {
        Role::Admin => store::HistoryScope { all: true, ..store::HistoryScope::default() },
        Role::Dispatcher => {
            let mine = cat.unit_path(&staff.unit);
            let summoners = store::summoners(&state.db.pool)
                .await?
                .into_iter()
                .filter(|u| cat.units.contains_key(u) && cat.unit_path(u).starts_with(&mine))
                .collect();
            store::HistoryScope { all: false, summoners, department: staff.unit.clone() }
        }
        _ => {
            let mut summoners = vec![staff.unit.clone()];
            summoners.extend(cat.child_units(&staff.unit).into_iter().map(|u| u.code.clone()));
            store::HistoryScope { all: false, summoners, department: staff.unit.clone() }
        }
    };
    let now = state.clock.ts();
    let size = HISTORY_PAGE;
    let page_of = |p: i64| (size, (p.max(1) - 1).saturating_mul(size));
    let (mut rows, total) =
        store::history(&state.db.pool, &scope, f.show.as_str(), period, now, page_of(f.page)).await?;
    out.total = total;
    out.pages = ((total + size - 1) / size).max(1);
    out.page = f.page.clamp(1, out.pages);
    if out.page != f.page {
        // Past the last page (the list shrank, or a typed number): show the last one.
        rows = store::history(&state.db.pool, &scope, f.show.as_str(), period, now, page_of(out.page)).await?.0;
    }
    out.items = rows
        .into_iter()
        .map(|(ticket, category, unit, summoned_at, due_at, reported_at, rating)| {
            let c = cat.category(&category);
            HistoryItem {
                category_name: c.map_or_else(|| category.clone(), |c| c.name.clone()),
                category_name_en: c.map_or_else(|| category.clone(), |c| c.name_en.clone()),
                unit_name: cat.units.get(&unit).map_or_else(|| unit.clone(), |u| u.name.clone()),
                late: reported_at.map_or(now > due_at, |r| r > due_at),
                ticket,
                category,
                unit,
                summoned_at,
                due_at,
                reported_at,
                rating,
            }
        })
        .collect();
    Ok(out)
}
