//! Notices issued by hand and leaders in charge (issue 13). The three actions are steps of
//! `work::act` (one transaction, the appeal locked, authorization by `domain::workflow::may`
//! before any of this runs); this module holds what each step writes, the page's data and the
//! "my cases" list.
//!
//! - **Notice** (`Act::IssueNotice`): an overseeing dispatcher (above the handling unit) sends one
//!   of five kinds with a reason and an answer date; the unit that holds the appeal receives it
//!   (outbox), and so does the leader in charge if there is one. The resident sees that it was
//!   sent only when the issuer says so, and never the reason.
//! - **Answer** (`Act::AnswerNotice`): only the unit the notice went to, once, and only while
//!   it holds the appeal: a hand-over (transfer, escalation, automatic escalation) marks the old
//!   unit's open notices lapsed ([`on_hand_over`]); they are shown as such, never overdue.
//! - **Leader in charge** (`Act::NameOwner`): a member of the overseer's own unit or of a unit
//!   below it that is above the handling unit; from then on only that person may close the
//!   appeal (`workflow::may`, `Relation::owned`). A leader named from a unit above the
//!   overseer's may not be replaced or un-named (`Act::UnnameOwner`) by them. A deactivated
//!   leader is ignored (`store::owner`), so the unit can close again. The leader stays through
//!   hand-overs inside the subtree of their unit; when the appeal leaves it, the naming lapses.

use crate::auth::Staff;
use crate::catalog::Catalog;
use crate::notify;
use crate::state::AppState;
use crate::store::appeals::{self, FullAppeal, StaffEvent};
use crate::store::notices as store;
use crate::store::Tx;
use crate::{BackendError, Result};
use domain::events::{EventDetail, EventKind};
use domain::notices::NoticeKind;
use domain::staff::{HandNoticeItem, InboxItem, UnitOption};
use domain::workflow::{Relation, Role};
use domain::{FieldError, FieldName, Msg};
use serde_json::json;

/// What a step adds to the action's audit entry: its reason and detail fields.
pub(crate) type AuditParts = (Option<String>, serde_json::Map<String, serde_json::Value>);

/// Sets the leader-in-charge part of `rel` for `staff` on `ticket`; returns the leader too.
pub(crate) async fn with_owner<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    ex: E,
    ticket: &str,
    staff: &Staff,
    mut rel: Relation,
) -> Result<(Relation, Option<(String, String)>)> {
    let owner = store::owner(ex, ticket).await?;
    rel.owned = owner.is_some();
    rel.owner = owner.as_ref().is_some_and(|(id, _)| *id == staff.id);
    Ok((rel, owner))
}

fn unit_name(cat: &Catalog, code: &str) -> String {
    cat.units.get(code).map_or_else(|| code.to_owned(), |u| u.name.clone())
}

/// The units whose members may be named leader in charge by `staff` on an appeal held by
/// `unit`: those on the chain above `unit` up to and including the overseer's own unit — never
/// above it (no one names their superiors) and never the handling unit itself.
fn owner_units(cat: &Catalog, staff: &Staff, unit: &str) -> Vec<String> {
    let mut units = Vec::new();
    let mut cur = cat.parent_unit(unit);
    // The hierarchy is a handful of levels; the bound only guards against a cycle in bad data.
    for _ in 0..8 {
        let Some(u) = cur else { break };
        if u.code == staff.unit {
            units.push(u.code.clone());
            return units;
        }
        if !cat.unit_below(&u.code, &staff.unit) {
            break;
        }
        units.push(u.code.clone());
        cur = cat.parent_unit(&u.code);
    }
    // The overseer's unit is not above the appeal's: nobody (`workflow::may` refuses first).
    Vec::new()
}

/// Whether the current naming came from a unit above `staff`'s, which they may then neither
/// replace nor remove. A deactivated leader's naming is ignored, whoever made it.
fn named_above(cat: &Catalog, staff: &Staff, naming: &store::Naming) -> bool {
    naming.active != 0 && cat.unit_below(&staff.unit, &naming.named_unit)
}

/// Whom `staff` may name leader in charge of an appeal held by `unit` (value: staff id).
pub(crate) async fn owner_candidates(
    state: &AppState,
    cat: &Catalog,
    staff: &Staff,
    unit: &str,
) -> Result<Vec<UnitOption>> {
    let members = store::active_members(&state.db.pool, &owner_units(cat, staff, unit)).await?;
    Ok(members
        .into_iter()
        .map(|(id, name, u)| UnitOption { code: id, name: format!("{name} · {}", unit_name(cat, &u)) })
        .collect())
}

/// The appeal's notices for its staff page.
pub(crate) async fn page_items(state: &AppState, cat: &Catalog, ticket: &str, now: i64) -> Result<Vec<HandNoticeItem>> {
    Ok(store::for_ticket(&state.db.pool, ticket)
        .await?
        .into_iter()
        .filter_map(|n| {
            let lapsed = n.lapsed_at.is_some();
            Some(HandNoticeItem {
                kind: NoticeKind::parse(&n.kind)?,
                // A lapsed notice is owed by nobody, so it cannot be late.
                overdue: !lapsed && domain::notices::is_overdue(n.due_at, n.answered_at, now),
                lapsed,
                to_unit_name: unit_name(cat, &n.to_unit),
                issued_unit_name: unit_name(cat, &n.issued_unit),
                id: n.id,
                to_unit: n.to_unit,
                reason: n.reason,
                due_at: n.due_at,
                issued_at: n.issued_at,
                answer: n.answer,
                answered_at: n.answered_at,
                public: n.public != 0,
            })
        })
        .collect())
}

/// Issues a notice to the unit holding `a` (see the module docs).
///
/// # Errors
/// [`BackendError::Invalid`] with every bad field; database errors.
#[expect(clippy::too_many_arguments, reason = "the pieces of the action's transaction, passed as they are")]
pub(crate) async fn issue(
    tx: &mut Tx<'_>,
    state: &AppState,
    staff: &Staff,
    a: &FullAppeal,
    (kind, reason, due, public): (&str, &str, &str, bool),
    owner: Option<&(String, String)>,
    actor_name: &str,
    now: i64,
) -> Result<AuditParts> {
    let n = domain::notices::check(kind, reason, due, state.clock.now(), domain::sla::CHINA)
        .map_err(BackendError::Invalid)?;
    let id = crate::crypto::random_hex();
    store::insert(
        tx,
        &store::NewNotice {
            id: &id,
            ticket: &a.ticket,
            kind: n.kind.as_str(),
            to_unit: &a.unit,
            reason: &n.reason,
            due_at: n.due_at,
            issued_by: &staff.id,
            issued_unit: &staff.unit,
            issued_at: now,
            public,
        },
    )
    .await?;
    let d = EventDetail {
        notice: Some(n.kind.as_str().to_owned()),
        reason: Some(n.reason.clone()),
        due: Some(n.due_at),
        id: Some(id.clone()),
        ..EventDetail::default()
    };
    appeals::insert_staff_event_shown(
        tx,
        &StaffEvent {
            ticket: &a.ticket,
            at: now,
            kind: EventKind::NoticeIssued,
            actor: &staff.id,
            actor_name: Some(actor_name),
            // The unit it went to: the resident's line names it.
            unit: Some(&a.unit),
            body: None,
            detail: Some(&d),
        },
        public,
    )
    .await?;
    notify::unit(tx, &a.unit, &a.ticket, notify::Kind::NoticeIssued, now).await?;
    if let Some((owner_id, _)) = owner {
        notify::staff_member(tx, owner_id, &a.ticket, notify::Kind::NoticeIssued, now).await?;
    }
    let mut detail = serde_json::Map::new();
    detail.insert("notice".into(), json!(id));
    detail.insert("kind".into(), json!(n.kind.as_str()));
    detail.insert("to".into(), json!(a.unit));
    detail.insert("due".into(), json!(n.due_at));
    detail.insert("public".into(), json!(public));
    Ok((Some(n.reason), detail))
}

/// The unit holding `a` answers notice `id` sent to it.
///
/// # Errors
/// [`BackendError::Invalid`] for an empty or long answer, [`BackendError::Conflict`] for a
/// notice that is not this unit's or was answered already; database errors.
pub(crate) async fn answer(
    tx: &mut Tx<'_>,
    staff: &Staff,
    a: &FullAppeal,
    (id, text): (&str, &str),
    actor_name: &str,
    now: i64,
) -> Result<AuditParts> {
    let text = text.trim();
    if text.is_empty() {
        return Err(BackendError::invalid(FieldError::new(FieldName::Body, Msg::ErrBodyEmpty)));
    }
    if text.chars().count() > domain::fields::TEXT_MAX {
        return Err(BackendError::invalid(FieldError::new(FieldName::Body, Msg::ErrBodyLong)));
    }
    let id = id.trim();
    let notice = store::by_id(tx, id).await?.filter(|n| n.ticket == a.ticket);
    let Some(notice) = notice else { return Err(BackendError::Conflict(Msg::ErrNoticeUnknown)) };
    if !store::answer(tx, id, &a.ticket, &staff.unit, text, &staff.id, now).await? {
        return Err(BackendError::Conflict(Msg::ErrNoticeUnknown));
    }
    let d = EventDetail {
        notice: Some(notice.kind.clone()),
        id: Some(id.to_owned()),
        report: Some(text.to_owned()),
        ..EventDetail::default()
    };
    appeals::insert_staff_event(
        tx,
        &StaffEvent {
            ticket: &a.ticket,
            at: now,
            kind: EventKind::NoticeAnswered,
            actor: &staff.id,
            actor_name: Some(actor_name),
            unit: Some(&staff.unit),
            body: None,
            detail: Some(&d),
        },
    )
    .await?;
    // The issuing centre learns of the answer.
    notify::unit(tx, &notice.issued_unit, &a.ticket, notify::Kind::NoticeAnswered, now).await?;
    let mut detail = serde_json::Map::new();
    detail.insert("notice".into(), json!(id));
    Ok((None, detail))
}

/// Names `staff_id` leader in charge of `a`, replacing the current one (who is told) unless that
/// one was named from above `staff`'s unit.
///
/// # Errors
/// [`BackendError::Invalid`] (field `owner`) for nobody chosen or someone who may not be named;
/// [`BackendError::Conflict`] when the current leader was named from above; database errors.
pub(crate) async fn name_owner(
    tx: &mut Tx<'_>,
    cat: &Catalog,
    staff: &Staff,
    a: &FullAppeal,
    staff_id: &str,
    actor_name: &str,
    now: i64,
) -> Result<AuditParts> {
    let staff_id = staff_id.trim();
    if staff_id.is_empty() {
        return Err(BackendError::invalid(FieldError::new(FieldName::Owner, Msg::ErrOwnerEmpty)));
    }
    let member = store::member(tx, staff_id).await?;
    let allowed = owner_units(cat, staff, &a.unit);
    let Some(member) = member.filter(|m| {
        m.active != 0 && Role::parse(&m.role).is_some_and(|r| r != Role::Admin) && allowed.contains(&m.unit)
    }) else {
        return Err(BackendError::invalid(FieldError::new(FieldName::Owner, Msg::ErrOwnerInvalid)));
    };
    let current = store::naming(tx, &a.ticket).await?;
    if current.as_ref().is_some_and(|n| named_above(cat, staff, n)) {
        return Err(BackendError::Conflict(Msg::ErrOwnerNamedAbove));
    }
    // Re-naming the same person is not a replacement.
    let previous = current.filter(|n| n.staff_id != member.id);
    store::set_owner(tx, &a.ticket, &member.id, &staff.id, &staff.unit, now).await?;
    let d = EventDetail {
        owner: Some(member.display_name.clone()),
        previous: previous.as_ref().map(|p| p.display_name.clone()),
        ..EventDetail::default()
    };
    appeals::insert_staff_event(
        tx,
        &StaffEvent {
            ticket: &a.ticket,
            at: now,
            kind: EventKind::OwnerNamed,
            actor: &staff.id,
            actor_name: Some(actor_name),
            unit: Some(&a.unit),
            body: None,
            detail: Some(&d),
        },
    )
    .await?;
    notify::staff_member(tx, &member.id, &a.ticket, notify::Kind::OwnerNamed, now).await?;
    let mut detail = serde_json::Map::new();
    detail.insert("owner".into(), json!(member.id));
    if let Some(p) = previous {
        // The replaced leader loses the close: they must hear of it.
        notify::staff_member(tx, &p.staff_id, &a.ticket, notify::Kind::OwnerRemoved, now).await?;
        detail.insert("previous".into(), json!(p.staff_id));
    }
    Ok((None, detail))
}

/// Removes the leader in charge of `a` (the handling unit closes again); the same who-may rule
/// as naming. The removed leader is told.
///
/// # Errors
/// [`BackendError::Conflict`] when there is no leader or they were named from above; database
/// errors.
pub(crate) async fn unname_owner(
    tx: &mut Tx<'_>,
    cat: &Catalog,
    staff: &Staff,
    a: &FullAppeal,
    actor_name: &str,
    now: i64,
) -> Result<AuditParts> {
    let Some(naming) = store::naming(tx, &a.ticket).await? else {
        return Err(BackendError::Conflict(Msg::ErrNoOwner));
    };
    if named_above(cat, staff, &naming) {
        return Err(BackendError::Conflict(Msg::ErrOwnerNamedAbove));
    }
    store::clear_owner(tx, &a.ticket).await?;
    let d = EventDetail { previous: Some(naming.display_name.clone()), ..EventDetail::default() };
    appeals::insert_staff_event(
        tx,
        &StaffEvent {
            ticket: &a.ticket,
            at: now,
            kind: EventKind::OwnerRemoved,
            actor: &staff.id,
            actor_name: Some(actor_name),
            unit: Some(&a.unit),
            body: None,
            detail: Some(&d),
        },
    )
    .await?;
    notify::staff_member(tx, &naming.staff_id, &a.ticket, notify::Kind::OwnerRemoved, now).await?;
    let mut detail = serde_json::Map::new();
    detail.insert("previous".into(), json!(naming.staff_id));
    Ok((None, detail))
}

/// What a hand-over of `ticket` from unit `from` to unit `to` does to this feature, inside the
/// hand-over's transaction: `from`'s unanswered notices lapse (it no longer holds the appeal and
/// could never answer them), and a leader in charge whose unit's subtree `to` is not in loses
/// the naming (an event, and a message to them). `actor` is the staff id (or `system`) and name
/// for that event. Returns the lapsed leader's staff id, for the caller's audit entry.
///
/// # Errors
/// Database errors.
pub(crate) async fn on_hand_over(
    tx: &mut Tx<'_>,
    cat: &Catalog,
    ticket: &str,
    (from, to): (&str, &str),
    (actor, actor_name): (&str, Option<&str>),
    now: i64,
) -> Result<Option<String>> {
    store::lapse_open(tx, ticket, from, now).await?;
    let Some(naming) = store::naming(tx, ticket).await? else { return Ok(None) };
    // Named above the old unit, the leader keeps the appeal while it stays under their unit.
    if to == naming.unit || cat.unit_below(to, &naming.unit) {
        return Ok(None);
    }
    store::clear_owner(tx, ticket).await?;
    let d = EventDetail {
        previous: Some(naming.display_name.clone()),
        from: Some(from.to_owned()),
        ..EventDetail::default()
    };
    appeals::insert_staff_event(
        tx,
        &StaffEvent {
            ticket,
            at: now,
            kind: EventKind::OwnerRemoved,
            actor,
            actor_name,
            unit: Some(to),
            body: None,
            detail: Some(&d),
        },
    )
    .await?;
    notify::staff_member(tx, &naming.staff_id, ticket, notify::Kind::OwnerRemoved, now).await?;
    Ok(Some(naming.staff_id))
}

/// "My cases" (`/staff/cases`): the appeals `staff` is leader in charge of, open ones first.
///
/// # Errors
/// Database errors.
pub async fn cases(state: &AppState, staff: &Staff) -> Result<Vec<InboxItem>> {
    let cat = state.catalog.get();
    let now = state.clock.ts();
    Ok(store::cases(&state.db.pool, &staff.id)
        .await?
        .into_iter()
        .map(|r| crate::services::work::inbox_item(&cat, now, r))
        .collect())
}
