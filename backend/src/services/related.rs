//! Related and repeated appeals (issue 13): the wizard's offer of open appeals on the same
//! matter and the resident's join, staff merges, unmerges and links, the merged appeals
//! following their main one (closed with it, its answers on their track page), and what the
//! staff appeal page lists. The rules are `domain::related`'s; the staff actions run as steps of
//! `services::work::act` (which holds the appeal's lock and writes the audit entry).

use crate::auth::Staff;
use crate::catalog::Catalog;
use crate::notify;
use crate::services::appeal::local_time;
use crate::state::AppState;
use crate::store::appeals::{self, Change, FullAppeal, StaffEvent};
use crate::store::related as store;
use crate::store::Tx;
use crate::{BackendError, Result};
use domain::events::{EventDetail, EventKind};
use domain::related::{Facts, FollowedView, RelatedItem, RelatedOffer, OFFERS_SHOWN};
use domain::views::EventView;
use domain::workflow::{self, Action, Status};
use domain::{FieldError, FieldName, Msg};
use serde_json::json;

fn category_name(cat: &Catalog, code: &str) -> (String, String) {
    cat.category(code).map_or_else(|| (code.to_owned(), code.to_owned()), |c| (c.name.clone(), c.name_en.clone()))
}

/// The names (zh, en) from the community down to `cell`.
fn cell_names(cat: &Catalog, cell: &str) -> Vec<(String, String)> {
    let mut names = Vec::new();
    let mut code = Some(cell.to_owned());
    while let Some(r) = code.as_deref().and_then(|c| cat.region(c)) {
        names.push((r.name.clone(), r.name_en.clone()));
        if r.level <= domain::region::Level::Community {
            break;
        }
        code.clone_from(&r.parent);
    }
    names.reverse();
    names
}

/// Where a draft is, for the offer: the grid cell its point falls in, or without a point the
/// community chosen from the cascade (the finest level it offers; the no-JavaScript path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferPlace {
    Cell(String),
    Community(String),
}

/// What the wizard offers a draft of `category` placed at `place`: the open
/// main appeals placed the same way there, public details only (see [`RelatedOffer`]). The caller has checked the
/// draft belongs to the asking browser; nothing here is reachable without one.
///
/// Nothing for a [sensitive category](domain::publication::is_sensitive): the public views name
/// only the district of such an appeal, and an offer would name its cell and day to anyone who
/// starts a draft (one draft, re-placed cell by cell, would map them). Joining one is refused
/// for the same reason (the join checks against this list).
///
/// # Errors
/// Database errors.
pub async fn offers(state: &AppState, cat: &Catalog, category: &str, place: &OfferPlace) -> Result<Vec<RelatedOffer>> {
    let (code, by_cell) = match place {
        OfferPlace::Cell(c) => (c.as_str(), true),
        OfferPlace::Community(c) => (c.as_str(), false),
    };
    if domain::publication::is_sensitive(category) || cat.category(category).is_none() || cat.region(code).is_none() {
        return Ok(Vec::new());
    }
    let rows = store::offers(&state.db.pool, category, code, by_cell, OFFERS_SHOWN).await?;
    Ok(rows
        .into_iter()
        .map(|r| RelatedOffer {
            public_text: domain::publication::public_text(
                &r.category,
                r.publish_requested != 0,
                r.publish_state.as_deref().and_then(domain::publication::Moderation::parse),
                r.public_text.as_deref(),
            )
            .map(str::to_owned),
            category_name: category_name(cat, &r.category),
            place: cell_names(cat, &r.cell),
            received_on: local_time(r.submitted_at).chars().take(10).collect(),
            ticket: r.ticket,
            status: r.status,
            joined: r.joined,
        })
        .collect())
}

/// The wizard's join, in the submission's transaction: the new appeal `ticket` follows `main`
/// when that is still an open main appeal of the same category and cell (else it stays on its
/// own: the resident was offered it a moment ago, and their appeal must not be lost for it).
/// The events: the resident's choice on theirs (public), an internal note on the main one.
/// Returns whether it joined.
pub(crate) async fn join_on_submit(tx: &mut Tx<'_>, ticket: &str, main: &str, now: i64) -> Result<bool> {
    if !store::join(tx, ticket, main, now).await? {
        return Ok(false);
    }
    let mine = EventDetail { other: Some(main.to_owned()), ..EventDetail::default() };
    let theirs = EventDetail { other: Some(ticket.to_owned()), ..EventDetail::default() };
    for (t, kind, d) in [(ticket, EventKind::Joined, &mine), (main, EventKind::MergedIn, &theirs)] {
        appeals::insert_staff_event(
            tx,
            &StaffEvent {
                ticket: t,
                at: now,
                kind,
                actor: "resident",
                actor_name: None,
                unit: None,
                body: None,
                detail: Some(d),
            },
        )
        .await?;
    }
    Ok(true)
}

/// The ticket typed into a merge or link form, in stored form.
fn typed_ticket(s: &str) -> Result<String> {
    domain::receipt::Ticket::parse(s).map(|t| t.as_str().to_owned()).map_err(BackendError::invalid)
}

fn unknown() -> BackendError {
    BackendError::invalid(FieldError::new(FieldName::Ticket, Msg::ErrMergeTargetUnknown))
}

/// Loads `ticket` if `staff` may do `action` on it: a link needs the other appeal in scope
/// ([`Action::View`]); a merge needs the landing appeal handled or overseen ([`Action::Merge`]),
/// since its answers go to the merged appeal's resident. Anything else is "unknown".
async fn scoped_other(
    tx: &mut Tx<'_>,
    cat: &Catalog,
    staff: &Staff,
    ticket: &str,
    action: Action,
) -> Result<FullAppeal> {
    let Some(o) = appeals::full(&mut **tx, ticket).await? else { return Err(unknown()) };
    let co = appeals::cohandlers(&mut **tx, ticket).await?;
    let rel = crate::services::work::relation(cat, staff, &o.unit, &co);
    let (rel, _) = crate::services::notices::with_owner(&mut **tx, ticket, staff, rel).await?;
    if workflow::may(staff.role, action, rel) {
        Ok(o)
    } else {
        Err(unknown())
    }
}

fn facts(a: &FullAppeal) -> Facts<'_> {
    Facts { ticket: &a.ticket, status: a.status, merged_into: a.merged_into.as_deref() }
}

type Step = (Option<String>, serde_json::Map<String, serde_json::Value>);

fn staff_event<'a>(
    ticket: &'a str,
    kind: EventKind,
    staff: &'a Staff,
    name: &'a str,
    d: &'a EventDetail,
    now: i64,
) -> StaffEvent<'a> {
    StaffEvent {
        ticket,
        at: now,
        kind,
        actor: &staff.id,
        actor_name: Some(name),
        unit: Some(&staff.unit),
        body: None,
        detail: Some(d),
    }
}

/// Merges `a` (locked by the caller) into the appeal typed as `into`, or that one's main appeal.
/// Both must be in `staff`'s scope; `a`'s own followers move along. Returns the audit reason and
/// detail.
///
/// # Errors
/// The target unknown or out of scope, `a` itself, closed; `a` already merged; no reason.
pub(crate) async fn merge(
    tx: &mut Tx<'_>,
    cat: &Catalog,
    staff: &Staff,
    a: &FullAppeal,
    (into, reason): (&str, &str),
    actor_name: &str,
    now: i64,
) -> Result<Step> {
    let reason = crate::services::work::reason_text(reason)?;
    let target = scoped_other(tx, cat, staff, &typed_ticket(into)?, Action::Merge).await?;
    let main = match &target.merged_into {
        Some(m) => Some(scoped_other(tx, cat, staff, m, Action::Merge).await?),
        None => None,
    };
    let landing = domain::related::merge_target(facts(a), facts(&target), main.as_ref().map(facts))
        .map_err(|m| match m {
            Msg::ErrAlreadyMerged | Msg::ErrActionNotNow => BackendError::Conflict(m),
            m => BackendError::invalid(FieldError::new(FieldName::Ticket, m)),
        })?
        .ticket
        .to_owned();
    // A merged appeal's resident reads the main appeal's answers: never those of a family
    // dispute, a legal-aid request or a public-order report, nor theirs in another's (linking,
    // which only informs staff, stays possible).
    let landing_category = if landing == target.ticket {
        &target.category
    } else {
        main.as_ref().map_or(&target.category, |m| &m.category)
    };
    if domain::publication::is_sensitive(&a.category) || domain::publication::is_sensitive(landing_category) {
        return Err(BackendError::invalid(FieldError::new(FieldName::Ticket, Msg::ErrMergeSensitive)));
    }
    // The main appeal's row too, so a close of it cannot run between our check and our write.
    if !appeals::lock(tx, &landing).await? {
        return Err(unknown());
    }
    let moved: Vec<String> = store::followers(&mut **tx, &a.ticket).await?.into_iter().map(|f| f.ticket).collect();
    store::move_followers(tx, &a.ticket, &landing).await?;
    store::set_merged(tx, &a.ticket, Some((&landing, "staff")), now).await?;
    let mine = EventDetail { other: Some(landing.clone()), reason: Some(reason.clone()), ..EventDetail::default() };
    appeals::insert_staff_event(tx, &staff_event(&a.ticket, EventKind::Merged, staff, actor_name, &mine, now)).await?;
    for t in std::iter::once(&a.ticket).chain(&moved) {
        let d = EventDetail { other: Some(t.clone()), ..EventDetail::default() };
        appeals::insert_staff_event(tx, &staff_event(&landing, EventKind::MergedIn, staff, actor_name, &d, now))
            .await?;
    }
    for t in &moved {
        let d = EventDetail { other: Some(landing.clone()), ..EventDetail::default() };
        appeals::insert_staff_event(tx, &staff_event(t, EventKind::Merged, staff, actor_name, &d, now)).await?;
    }
    notify::resident(tx, a, notify::Kind::Merged, now).await?;
    let mut detail = serde_json::Map::new();
    detail.insert("into".into(), json!(landing));
    if !moved.is_empty() {
        detail.insert("moved".into(), json!(moved));
    }
    Ok((Some(reason), detail))
}

/// Undoes `a`'s merge (by staff, or by its resident's 不满意 with `rating`): it is handled on its
/// own again. The event is public on `a`, internal on the former main appeal.
pub(crate) async fn unmerge_rows(
    tx: &mut Tx<'_>,
    a: &FullAppeal,
    (actor, actor_name, unit): (&str, Option<&str>, Option<&str>),
    rating: Option<&str>,
    now: i64,
) -> Result<Option<String>> {
    let Some(main) = a.merged_into.clone() else { return Ok(None) };
    store::set_merged(tx, &a.ticket, None, now).await?;
    for (t, other, public) in [(a.ticket.as_str(), &main, true), (main.as_str(), &a.ticket, false)] {
        let d = EventDetail { other: Some(other.clone()), rating: rating.map(str::to_owned), ..EventDetail::default() };
        let e = StaffEvent {
            ticket: t,
            at: now,
            kind: EventKind::Unmerged,
            actor,
            actor_name,
            unit,
            body: None,
            detail: Some(&d),
        };
        appeals::insert_staff_event_shown(tx, &e, public).await?;
    }
    Ok(Some(main))
}

/// Staff undo `a`'s merge. Its deadlines are supervised again from here.
///
/// # Errors
/// [`BackendError::Conflict`] when `a` is not merged.
pub(crate) async fn unmerge(
    tx: &mut Tx<'_>,
    staff: &Staff,
    a: &FullAppeal,
    actor_name: &str,
    now: i64,
) -> Result<Step> {
    let main = unmerge_rows(tx, a, (&staff.id, Some(actor_name), Some(&staff.unit)), None, now)
        .await?
        .ok_or(BackendError::Conflict(Msg::ErrNotMerged))?;
    let mut detail = serde_json::Map::new();
    detail.insert("from".into(), json!(main));
    Ok((None, detail))
}

/// Links `a` with the appeal typed as `other` (both in `staff`'s scope): an internal event on
/// both.
///
/// # Errors
/// The other unknown or out of scope, `a` itself, or already linked.
pub(crate) async fn link(
    tx: &mut Tx<'_>,
    cat: &Catalog,
    staff: &Staff,
    a: &FullAppeal,
    other: &str,
    actor_name: &str,
    now: i64,
) -> Result<Step> {
    let o = scoped_other(tx, cat, staff, &typed_ticket(other)?, Action::View).await?;
    let already = store::linked(tx, &a.ticket, &o.ticket).await?;
    domain::related::link_check(&a.ticket, &o.ticket, already)
        .map_err(|m| BackendError::invalid(FieldError::new(FieldName::Ticket, m)))?;
    store::link(tx, &a.ticket, &o.ticket, now, &staff.id).await?;
    for (t, x) in [(&a.ticket, &o.ticket), (&o.ticket, &a.ticket)] {
        let d = EventDetail { other: Some(x.clone()), ..EventDetail::default() };
        appeals::insert_staff_event(tx, &staff_event(t, EventKind::Linked, staff, actor_name, &d, now)).await?;
    }
    let mut detail = serde_json::Map::new();
    detail.insert("with".into(), json!(o.ticket));
    Ok((None, detail))
}

/// The main appeal `main` was just closed with `resolution`: each open follower is closed with
/// it (an event each, public; its resident is told as for any close, and rates their own
/// appeal). A follower merged by staff gets the resolution as its own; one whose resident joined
/// by themselves gets neither the text nor the column (see [`followed`]): a 不满意 rating then
/// takes it out of the main appeal to be answered on its own. Returns the tickets closed.
pub(crate) async fn close_followers(tx: &mut Tx<'_>, main: &str, resolution: &str, now: i64) -> Result<Vec<String>> {
    let mut closed = Vec::new();
    for f in store::followers(&mut **tx, main).await? {
        if !f.status.is_open() || !appeals::lock(tx, &f.ticket).await? {
            continue;
        }
        let Some(full) = appeals::full(&mut **tx, &f.ticket).await? else { continue };
        crate::store::supervision::cancel_pending_extensions(tx, &f.ticket, now).await?;
        let shared = (f.merged_by.as_deref() != Some("resident")).then_some(resolution);
        let change = Change {
            status: Some(Status::Closed),
            closed_at: Some(Some(now)),
            resolution: Some(shared),
            ..Change::default()
        };
        appeals::apply(tx, &f.ticket, &change, now).await?;
        let d = EventDetail { other: Some(main.to_owned()), ..EventDetail::default() };
        let e = StaffEvent {
            ticket: &f.ticket,
            at: now,
            kind: EventKind::ClosedWithMain,
            actor: "system",
            actor_name: None,
            unit: Some(&full.unit),
            body: shared,
            detail: Some(&d),
        };
        appeals::insert_staff_event(tx, &e).await?;
        notify::resident(tx, &full, notify::Kind::Closed, now).await?;
        closed.push(f.ticket);
    }
    Ok(closed)
}

/// The track page's view of the main appeal `main` that the resident's appeal follows: its
/// status and public events, as its own resident sees them.
///
/// # Errors
/// Database errors.
pub async fn followed(
    state: &AppState,
    cat: &Catalog,
    a: &FullAppeal,
    event: impl Fn(&Catalog, appeals::EventRow) -> EventView,
) -> Result<Option<FollowedView>> {
    let Some(main) = &a.merged_into else { return Ok(None) };
    let Some(m) = appeals::full(&state.db.pool, main).await? else { return Ok(None) };
    let joined = store::tied(&state.db.pool, &a.ticket).await?.and_then(|t| t.merged_by).as_deref() == Some("resident");
    let events = appeals::public_events(&state.db.pool, main)
        .await?
        .into_iter()
        // What staff did with the main appeal, and nothing of its own resident: an allow-list, so
        // a kind added later stays out until someone decides it belongs here. Left out: how it was
        // submitted, the resident's words, photos and rating, a 不满意 reopening (it would tell
        // the other resident's rating), and a request for information (addressed to them).
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Routed
                    | EventKind::RoutedOutside
                    | EventKind::Signed
                    | EventKind::Reply
                    | EventKind::Transferred
                    | EventKind::Escalated
                    | EventKind::Summoned
                    | EventKind::ReportedBack
                    | EventKind::Closed
                    | EventKind::Reopened
                    | EventKind::Supervised
                    | EventKind::AutoEscalated
                    | EventKind::ExtensionApproved
                    | EventKind::NoticeIssued
            )
        })
        .map(|e| event(cat, e))
        // A resident who joined by themselves sees what was done and when, not what staff wrote
        // to the resident who reported first: anyone may join an open appeal, and a reply or a
        // resolution may name that resident or what was agreed with them. Staff merging an
        // appeal decide it shares the answers (the merge form says so).
        .map(|mut v| {
            if joined {
                v.body = None;
            }
            v
        })
        .collect();
    Ok(Some(FollowedView { status: m.status, joined, events }))
}

async fn item(state: &AppState, cat: &Catalog, staff: &Staff, r: store::TiedRow) -> Result<RelatedItem> {
    Ok(RelatedItem {
        in_scope: crate::services::work::can_view(state, staff, &r.ticket).await?,
        category_name: category_name(cat, &r.category),
        by_resident: r.merged_by.as_deref() == Some("resident"),
        ticket: r.ticket,
        status: r.status,
        submitted_at: r.submitted_at,
    })
}

/// The staff page's lists: the main appeal `a` follows, its followers, its links.
///
/// # Errors
/// Database errors.
pub(crate) async fn page_items(
    state: &AppState,
    cat: &Catalog,
    staff: &Staff,
    a: &FullAppeal,
) -> Result<(Option<RelatedItem>, Vec<RelatedItem>, Vec<RelatedItem>)> {
    let main = match &a.merged_into {
        Some(m) => match store::tied(&state.db.pool, m).await? {
            Some(r) => Some(item(state, cat, staff, r).await?),
            None => None,
        },
        None => None,
    };
    let mut followers = Vec::new();
    for r in store::followers(&state.db.pool, &a.ticket).await? {
        followers.push(item(state, cat, staff, r).await?);
    }
    let mut links = Vec::new();
    for r in store::links(&state.db.pool, &a.ticket).await? {
        links.push(item(state, cat, staff, r).await?);
    }
    Ok((main, followers, links))
}
