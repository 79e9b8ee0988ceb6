//! Follow-up calls (回访, issue 13): the queue of closed appeals to call back, and recording a
//! call's outcome. The rules are `domain::callback`'s; here they meet the database.
//!
//! Recording is one transaction that locks the appeal first (like every staff action), checks
//! that the caller may see it and may record a call on it (a dispatcher above the handling unit
//! who may see the contact: the call supervises the unit's work, so the unit never rates
//! itself), that the resident left a phone number, and that the appeal still waits for a call,
//! then writes the call, the staff-only timeline event and the audit entry. The third call that
//! does not get through marks the resident unreachable (event and audit say so) and the appeal
//! leaves the queue. A reached call acts only once the resident's own say is over (rated, or the
//! rating window passed): then its satisfaction becomes the round's rating (channel `callback`)
//! unless the resident rated it themselves, and 不满意 reopens the appeal one level up through
//! the resident's own code path (`resident::reopen_unsatisfied`) and puts the new round under
//! supervision through the job's (`supervision::supervise`), with a notice row of its own
//! (deadline `callback`), so the figures count it as supervised. Before that, the call is only
//! recorded.

use crate::audit::{self, Entry};
use crate::auth::Staff;
use crate::state::AppState;
use crate::store::appeals::{self, StaffEvent};
use crate::store::callbacks as store;
use crate::store::supervision as sup_store;
use crate::{BackendError, Result};
use domain::callback::{self, CallbackItem, CallbackQueue, Outcome, RoundFacts, Satisfaction};
use domain::events::{EventDetail, EventKind};
use domain::workflow::{self, Action, Status};
use domain::Msg;
use serde_json::json;

/// `EventDetail::reason` of the failed call after which the resident counts as unreachable.
pub const UNREACHABLE: &str = "unreachable";

/// Most appeals the queue page lists at once.
pub const QUEUE_MAX: i64 = 200;

/// Page `page` (from 1; out of range is clamped) of the closed appeals `staff` may call back —
/// those of units below their centre (`callback::may_record`) — longest waiting first, with the
/// whole queue's size.
///
/// # Errors
/// [`BackendError::Forbidden`] for anyone but a dispatcher (no one else makes calls); database
/// errors.
pub async fn queue(state: &AppState, staff: &Staff, page: i64) -> Result<CallbackQueue> {
    if !callback::has_queue(staff.role) {
        return Err(BackendError::Forbidden);
    }
    let cat = state.catalog.get();
    let who = store::CallerScope { unit: staff.unit.clone(), path_prefix: cat.unit_path(&staff.unit) };
    let now = state.clock.ts();
    let window = state.supervision.rating_window.whole_seconds();
    let total = store::queue_count(&state.db.pool, &who, now - window).await?;
    let pages = ((total + QUEUE_MAX - 1) / QUEUE_MAX).max(1);
    let page = page.clamp(1, pages);
    let rows = store::queue(&state.db.pool, &who, now - window, QUEUE_MAX, (page - 1) * QUEUE_MAX).await?;
    let items = rows
        .into_iter()
        .filter_map(|r| {
            // The SQL selects by the same rule; the reason shown comes from the domain's one copy.
            let reason = callback::queue_reason(
                RoundFacts {
                    closed_at: r.closed_at,
                    rating: r.rating.as_deref(),
                    after_unsatisfied: r.after_unsatisfied != 0,
                    reached: false,
                    attempts: r.attempts,
                },
                now,
                window,
            )?;
            Some(CallbackItem {
                category_name: cat
                    .category(&r.category)
                    .map_or_else(|| (r.category.clone(), r.category.clone()), |c| (c.name.clone(), c.name_en.clone())),
                unit_name: cat.units.get(&r.unit).map_or_else(|| r.unit.clone(), |u| u.name.clone()),
                ticket: r.ticket,
                closed_at: r.closed_at,
                reason,
                attempts: r.attempts,
                last_attempt_at: r.last_attempt_at,
            })
        })
        .collect();
    Ok(CallbackQueue { items, total, page, pages })
}

/// Records one call about `ticket`'s current round: `outcome` = `reached` / `not_reached`,
/// `satisfaction` (when reached), an optional `note`.
///
/// # Errors
/// [`BackendError::NotFound`] outside the caller's scope; [`BackendError::Forbidden`] for anyone
/// in scope who may not record the call (the handling unit, co-handlers, grid workers, admins);
/// [`BackendError::Invalid`] for the form's problems (each field's message);
/// [`BackendError::Conflict`] for an anonymous or phone-less appeal, or one that does not wait
/// for a call now.
pub async fn record(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
    outcome: &str,
    satisfaction: &str,
    note: &str,
) -> Result<()> {
    let cat = state.catalog.get();
    let now = state.clock.ts();
    let window = state.supervision.rating_window.whole_seconds();
    // Read before the transaction holds a connection (as `work::act` does).
    let cal = crate::services::deadlines::calendar_cached(state).await?;
    let mut tx = state.db.pool.begin().await?;
    if !appeals::lock(&mut tx, ticket).await? {
        return Err(BackendError::NotFound);
    }
    let a = appeals::full(&mut *tx, ticket).await?.ok_or(BackendError::NotFound)?;
    let co = appeals::cohandlers(&mut *tx, ticket).await?;
    let rel = crate::services::work::relation(&cat, staff, &a.unit, &co);
    if !workflow::may(staff.role, Action::View, rel) {
        return Err(BackendError::NotFound);
    }
    if !callback::may_record(staff.role, rel) {
        return Err(BackendError::Forbidden);
    }
    let outcome = Outcome::parse(outcome, satisfaction, note).map_err(BackendError::Invalid)?;
    if !callback::callable(a.anonymous != 0, a.contact_phone.as_deref()) {
        return Err(BackendError::Conflict(Msg::ErrCallbackNoPhone));
    }
    let round = store::round(&mut tx, ticket, a.cycle).await?;
    let closed_at = a.closed_at.filter(|_| a.status == Status::Closed);
    let due = closed_at.is_some_and(|closed_at| {
        callback::queue_reason(
            RoundFacts {
                closed_at,
                rating: round.rating.as_deref(),
                after_unsatisfied: round.after_unsatisfied,
                reached: round.reached,
                attempts: round.attempts,
            },
            now,
            window,
        )
        .is_some()
    });
    let Some(closed_at) = closed_at.filter(|_| due) else {
        return Err(BackendError::Conflict(Msg::ErrCallbackNotDue));
    };
    let (satisfaction, note) = match &outcome {
        Outcome::NotReached { note } => (None, note.as_deref()),
        Outcome::Reached { satisfaction, note } => (Some(*satisfaction), note.as_deref()),
    };
    let id = crate::crypto::random_hex();
    store::insert(
        &mut tx,
        &store::NewCallback {
            id: &id,
            ticket,
            cycle: a.cycle,
            reached: satisfaction.is_some(),
            satisfaction: satisfaction.map(Satisfaction::as_str),
            note,
            at: now,
            by_staff: &staff.id,
            unit: &staff.unit,
        },
    )
    .await?;
    // This failed call is the last one allowed: the appeal leaves the queue, and the timeline
    // says why (the resident is unreachable), so nobody wonders where it went.
    let unreachable = satisfaction.is_none() && round.attempts + 1 >= callback::MAX_ATTEMPTS;
    let who = staff.who();
    let d = EventDetail {
        rating: satisfaction.map(|s| s.as_str().to_owned()),
        reason: unreachable.then(|| UNREACHABLE.to_owned()),
        cycle: Some(a.cycle),
        note: note.map(str::to_owned),
        ..EventDetail::default()
    };
    appeals::insert_staff_event(
        &mut tx,
        &StaffEvent {
            ticket,
            at: now,
            kind: EventKind::Callback,
            actor: &staff.id,
            actor_name: Some(&who.name),
            unit: Some(&staff.unit),
            body: None,
            detail: Some(&d),
        },
    )
    .await?;
    let mut detail = json!({
        "callback": id,
        "cycle": a.cycle,
        "reached": satisfaction.is_some(),
        "satisfaction": satisfaction.map(Satisfaction::as_str),
    });
    if unreachable {
        detail["unreachable"] = json!(true);
    }
    // While the resident may still rate, the call is only recorded (its satisfaction is in the
    // call row): it must not take their say away by rating or reopening for them.
    let acts = callback::call_counts(closed_at, now, window, round.rating.is_some());
    if satisfaction.is_some() {
        detail["counted_as_rating"] = json!(false);
        detail["in_rating_window"] = json!(!acts);
    }
    if let Some(s) = satisfaction.filter(|_| acts) {
        // The resident's own rating of the round stands; the call's counts only without one.
        let counted = sup_store::rate_via(&mut tx, ticket, a.cycle, s.as_str(), None, now, "callback").await?;
        detail["counted_as_rating"] = json!(counted);
        if s == Satisfaction::Unsatisfied {
            let (up, cycle) = crate::services::resident::reopen_unsatisfied(
                &mut tx,
                state,
                &cat,
                &cal,
                &a,
                (&staff.id, Some(&who.name)),
                now,
            )
            .await?;
            // Supervised in the new round: a notice row of its own (not a deadline's, so the
            // job's notices of the new round still fire), then the job's 督办 path.
            sup_store::fire(&mut tx, ticket, cycle, "callback", now, "supervision", now).await?;
            let sd = EventDetail {
                deadline: Some("callback".to_owned()),
                due: Some(now),
                cycle: Some(cycle),
                ..EventDetail::default()
            };
            let sup_detail = json!({ "deadline": "callback", "due": now, "cycle": cycle });
            crate::services::supervision::supervise(&mut tx, &cat, ticket, &up, &sd, sup_detail, now).await?;
            detail["cycle"] = json!([a.cycle, cycle]);
            detail["unit"] = json!([a.unit, up]);
            detail["status"] = json!([Status::Closed.as_str(), Status::Assigned.as_str()]);
        }
    }
    audit::append(
        &mut tx,
        &Entry { at: now, who: &who, action: "callback", ticket: Some(ticket), detail, reason: None },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
