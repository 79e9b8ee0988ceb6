//! The staff workspace's use cases: the inbox, an appeal's page, and every action on it.
//!
//! Authorization lives here, not in the pages: each call works out how the staff member's unit
//! stands to the appeal ([`Relation`]) and asks `domain::workflow` whether the role may take the
//! action and whether the status allows it. An appeal outside someone's scope is reported as not
//! found, so its existence is not revealed either.
//!
//! Every action is one transaction that starts by locking the appeal row, then writes the change,
//! the timeline event(s), the notifications (outbox) and the audit entry together.

use crate::audit::{self, Entry};
use crate::auth::Staff;
use crate::catalog::Catalog;
use crate::notify;
use crate::services::notices;
use crate::state::AppState;
use crate::store::appeals::{self, Change, FullAppeal, StaffEvent};
use crate::store::supervision as sup_store;
use crate::{BackendError, Result};
use domain::events::{EventDetail, EventKind};
use domain::fields::mask_phone;
use domain::sla::{running_deadline, Urgency};
use domain::staff::{
    AppealPage, CoHandlerItem, EventItem, ExtensionItem, Inbox, InboxFilter, InboxItem, NoticeItem, UnitOption,
};
use domain::workflow::{self, Action, Relation, Role, Status};
use domain::{FieldError, FieldName, Msg};
use serde_json::json;

use domain::fields::REASON_MAX;
/// Appeals per inbox page.
pub const PAGE_SIZE: i64 = 20;

/// What an action says (the fields the forms post). Issue 13's notices by hand carry the kind
/// code, the reason, the answer date (`YYYY-MM-DD`) and whether the resident may know one was
/// sent; naming a leader in charge carries a staff id, un-naming nothing. A summons carries the
/// working days until the report back is due (`days`, empty for the default 3); a rating of a
/// report (`RateReport`) names the summoned department (`unit`), the rating code and a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    Sign,
    Reply {
        body: String,
    },
    Note {
        body: String,
    },
    RequestInfo {
        body: String,
    },
    Transfer {
        to_unit: String,
        reason: String,
    },
    Escalate {
        reason: String,
    },
    Summon {
        units: Vec<String>,
        note: String,
        days: String,
    },
    ReportBack {
        body: String,
    },
    Close {
        resolution: String,
    },
    Reopen {
        reason: String,
    },
    RequestExtension {
        days: String,
        reason: String,
    },
    DecideExtension {
        id: String,
        approve: bool,
        note: String,
    },
    IssueNotice {
        kind: String,
        reason: String,
        due: String,
        public: bool,
    },
    AnswerNotice {
        id: String,
        body: String,
    },
    NameOwner {
        staff_id: String,
    },
    UnnameOwner,
    RateReport {
        unit: String,
        rating: String,
        note: String,
    },
    /// Merge into the appeal with this ticket (or its main appeal), with a reason (issue 13).
    Merge {
        into: String,
        reason: String,
    },
    Unmerge,
    /// Link with the appeal with this ticket.
    Link {
        other: String,
    },
}

impl Act {
    #[must_use]
    pub fn action(&self) -> Action {
        match self {
            Self::Sign => Action::Sign,
            Self::Reply { .. } => Action::Reply,
            Self::Note { .. } => Action::Note,
            Self::RequestInfo { .. } => Action::RequestInfo,
            Self::Transfer { .. } => Action::Transfer,
            Self::Escalate { .. } => Action::Escalate,
            Self::Summon { .. } => Action::Summon,
            Self::ReportBack { .. } => Action::ReportBack,
            Self::Close { .. } => Action::Close,
            Self::Reopen { .. } => Action::Reopen,
            Self::RequestExtension { .. } => Action::RequestExtension,
            Self::DecideExtension { .. } => Action::DecideExtension,
            Self::IssueNotice { .. } => Action::IssueNotice,
            Self::AnswerNotice { .. } => Action::AnswerNotice,
            Self::NameOwner { .. } => Action::NameOwner,
            Self::UnnameOwner => Action::UnnameOwner,
            Self::RateReport { .. } => Action::RateReport,
            Self::Merge { .. } => Action::Merge,
            Self::Unmerge => Action::Unmerge,
            Self::Link { .. } => Action::Link,
        }
    }
}

fn text(s: &str, field: FieldName, max: usize, empty: Msg, long: Msg) -> std::result::Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        Err(FieldError::new(field, empty))
    } else if t.chars().count() > max {
        Err(FieldError::new(field, long))
    } else {
        Ok(t.to_owned())
    }
}

fn body(s: &str) -> Result<String> {
    text(s, FieldName::Body, domain::fields::TEXT_MAX, Msg::ErrBodyEmpty, Msg::ErrBodyLong)
        .map_err(BackendError::invalid)
}

fn reason(s: &str) -> Result<String> {
    text(s, FieldName::Reason, REASON_MAX, Msg::ErrReasonEmpty, Msg::ErrReasonLong).map_err(BackendError::invalid)
}

/// A staff action's reason, checked as every action checks it.
pub(crate) fn reason_text(s: &str) -> Result<String> {
    reason(s)
}

/// How `staff`'s unit stands to an appeal assigned to `unit`, given its co-handlers.
#[must_use]
pub fn relation(cat: &Catalog, staff: &Staff, unit: &str, cohandlers: &[appeals::CoHandler]) -> Relation {
    let mine = cohandlers.iter().find(|c| c.unit == staff.unit);
    Relation {
        handles: staff.unit == unit,
        oversees: staff.role == Role::Dispatcher && cat.unit_below(unit, &staff.unit),
        co_handles: mine.is_some(),
        report_due: mine.is_some_and(|c| c.reported_at.is_none()),
        parent: cat.parent_unit(unit).is_some_and(|p| p.code == staff.unit),
        // The leader in charge is a person, set by `services::notices::with_owner`.
        ..Relation::default()
    }
}

pub(crate) fn inbox_query(cat: &Catalog, staff: &Staff) -> appeals::InboxQuery {
    appeals::InboxQuery {
        all: staff.role == Role::Admin,
        unit: staff.unit.clone(),
        child_units: cat.child_units(&staff.unit).into_iter().map(|u| u.code.clone()).collect(),
        path_prefix: (staff.role == Role::Dispatcher).then(|| cat.unit_path(&staff.unit)),
        ..Default::default()
    }
}

/// The units `staff` may filter the inbox by: every unit for admins, the units under a
/// dispatcher's region, else their own unit and the units one level below it.
#[must_use]
pub fn filter_units(cat: &Catalog, staff: &Staff) -> Vec<domain::staff::UnitOption> {
    let mine = |u: &&domain::region::Unit| match staff.role {
        Role::Admin => true,
        Role::Dispatcher => u.code == staff.unit || cat.unit_below(&u.code, &staff.unit),
        _ => u.code == staff.unit || cat.parent_unit(&u.code).is_some_and(|p| p.code == staff.unit),
    };
    cat.units_sorted().into_iter().filter(mine).map(|u| unit_option(cat, &u.code)).collect()
}

/// `staff`'s inbox scope with the filter `f` applied (the inbox page and the ledger export).
///
/// # Errors
/// The search's fields that are not valid (each with its message), or a phone search by an
/// admin (admins never see contact details, so they may not look them up either).
pub(crate) fn filtered_query(
    cat: &Catalog,
    staff: &Staff,
    f: &InboxFilter,
    now: i64,
) -> std::result::Result<appeals::InboxQuery, Vec<FieldError>> {
    let mut q = inbox_query(cat, staff);
    q.status = Some(f.status.clone()).filter(|s| !s.is_empty());
    q.category = Some(f.category.clone()).filter(|s| !s.is_empty());
    q.urgent = f.urgent;
    q.due = Some(f.due.clone()).filter(|s| {
        matches!(
            s.as_str(),
            "soon" | "overdue" | "supervised" | "escalated" | "noticed" | "owes" | "merged" | "unmerged"
        )
    });
    q.now = now;
    q.search = f.search()?;
    if q.search.phone.is_some() && staff.role == Role::Admin {
        return Err(vec![FieldError::new(FieldName::Phone, Msg::ErrSearchPhoneAdmin)]);
    }
    Ok(q)
}

/// Records a search by phone number (the number masked): looking someone up is itself a use of
/// their contact details.
pub(crate) async fn audit_phone_search(
    state: &AppState,
    staff: &Staff,
    q: &appeals::InboxQuery,
    what: &str,
) -> Result<()> {
    let Some(phone) = &q.search.phone else { return Ok(()) };
    audit::record(
        &state.db.pool,
        &Entry {
            at: state.clock.ts(),
            who: &staff.who(),
            action: "search_phone",
            ticket: None,
            detail: json!({ "phone": domain::fields::mask_phone(phone), "in": what }),
            reason: None,
        },
    )
    .await
    .map(|_| ())
}

/// The appeals in `staff`'s scope, filtered, sorted by deadline, one page.
///
/// # Errors
/// Database errors.
pub async fn inbox(state: &AppState, staff: &Staff, f: &InboxFilter) -> Result<Inbox> {
    let cat = state.catalog.get();
    let now = state.clock.ts();
    let page = f.page.max(1);
    let mut q = match filtered_query(&cat, staff, f, now) {
        Ok(q) => q,
        Err(problems) => {
            return Ok(Inbox { items: Vec::new(), total: 0, page: 1, pages: 1, counts: Vec::new(), problems });
        }
    };
    audit_phone_search(state, staff, &q, "inbox").await?;
    q.limit = PAGE_SIZE;
    q.offset = (page - 1) * PAGE_SIZE;
    let (rows, total) = appeals::inbox(&state.db.pool, &q).await?;
    let counts = appeals::status_counts(&state.db.pool, &q).await?;
    let items = rows.into_iter().map(|r| inbox_item(&cat, now, r)).collect();
    Ok(Inbox { items, total, page, pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1), counts, problems: Vec::new() })
}

/// One inbox line (the inbox, and the "my cases" list).
pub(crate) fn inbox_item(cat: &Catalog, now: i64, r: appeals::InboxRow) -> InboxItem {
    let (_, due) = running_deadline(r.status, r.clock_start_at, r.sign_by_at, r.deadline_at);
    let urgency = Urgency::of_appeal(r.status, now, r.clock_start_at, r.sign_by_at, r.deadline_at);
    InboxItem {
        unit_name: cat.units.get(&r.unit).map_or_else(|| r.unit.clone(), |u| u.name.clone()),
        summary: r.description.chars().take(60).collect(),
        ticket: r.ticket,
        category: r.category,
        status: r.status,
        unit: r.unit,
        urgent: r.urgent != 0,
        submitted_at: r.submitted_at,
        due_at: due,
        urgency,
        supervised: r.supervised != 0,
        noticed: r.noticed != 0,
        owes_report: r.owes_report != 0,
        follows: r.merged_into,
    }
}

fn mask_name(n: &str) -> String {
    let mut c = n.chars();
    c.next().map_or_else(String::new, |f| format!("{f}{}", "*".repeat(c.count().max(1))))
}

fn unit_option(cat: &Catalog, code: &str) -> UnitOption {
    UnitOption { code: code.to_owned(), name: cat.units.get(code).map_or_else(|| code.to_owned(), |u| u.name.clone()) }
}

/// Loads an appeal with `staff`'s relation to it; not found when out of scope.
async fn load_scoped(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
) -> Result<(FullAppeal, Vec<appeals::CoHandler>, Relation)> {
    let a = appeals::full(&state.db.pool, ticket).await?.ok_or(BackendError::NotFound)?;
    let co = appeals::cohandlers(&state.db.pool, ticket).await?;
    let rel = relation(&state.catalog.get(), staff, &a.unit, &co);
    let (rel, _) = crate::services::notices::with_owner(&state.db.pool, ticket, staff, rel).await?;
    if !workflow::may(staff.role, Action::View, rel) {
        return Err(BackendError::NotFound);
    }
    Ok((a, co, rel))
}

/// Transfer targets: a dispatcher's subtree, or for a handler the units of the appeal's district
/// (and the city centre for manual dispatch), never the unit that has it.
fn transfer_targets(cat: &Catalog, staff: &Staff, a: &FullAppeal) -> Vec<UnitOption> {
    let base = if staff.role == Role::Dispatcher && staff.unit != a.unit {
        cat.unit_path(&staff.unit)
    } else {
        let p = cat.unit_path(&a.unit);
        let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).take(2).collect();
        format!("/{}/", parts.join("/"))
    };
    cat.units_sorted()
        .into_iter()
        .filter(|u| u.code != a.unit && (cat.unit_path(&u.code).starts_with(&base) || u.kind == "city_center"))
        .map(|u| UnitOption { code: u.code.clone(), name: u.name.clone() })
        .collect()
}

/// The appeal's page for `staff` (an admin's reading is audited).
///
/// # Errors
/// [`BackendError::NotFound`] outside the staff member's scope; database errors.
pub async fn appeal_page(state: &AppState, staff: &Staff, ticket: &str) -> Result<AppealPage> {
    let (a, co, rel) = load_scoped(state, staff, ticket).await?;
    let cat = state.catalog.get();
    if staff.role == Role::Admin {
        audit::record(
            &state.db.pool,
            &Entry {
                at: state.clock.ts(),
                who: &staff.who(),
                action: "view",
                ticket: Some(ticket),
                detail: json!({}),
                reason: None,
            },
        )
        .await?;
    }
    let status = a.status;
    let actions = Action::ALL
        .into_iter()
        .filter(|act| {
            *act != Action::View && workflow::may(staff.role, *act, rel) && workflow::allowed_in(*act, status)
        })
        // A merged appeal may be unmerged, another one merged (issue 13); a private one never
        // (`related::merge`).
        .filter(|act| match act {
            Action::Merge => a.merged_into.is_none() && !domain::publication::is_sensitive(&a.category),
            Action::Unmerge => a.merged_into.is_some(),
            _ => true,
        })
        .collect::<Vec<_>>();
    let events = appeals::all_events(&state.db.pool, ticket)
        .await?
        .into_iter()
        .map(|e| EventItem {
            unit_name: e.unit.as_deref().map(|u| unit_option(&cat, u).name),
            id: e.id,
            at: e.at,
            kind: e.kind,
            actor_name: e.actor_name,
            unit: e.unit,
            public: e.public != 0,
            body: e.body,
            detail: EventDetail::parse(e.detail.as_deref()),
        })
        .collect();
    let place = a
        .region
        .as_deref()
        .map(|r| {
            let path = cat.region_path(r);
            path.split('/')
                .filter(|s| !s.is_empty())
                .skip(1)
                .filter_map(|c| cat.region(c))
                .map(|r| r.name.clone())
                .collect()
        })
        .unwrap_or_default();
    let now = state.clock.ts();
    // Templates are offered under the reply form only, so only to those who may reply.
    let reply_templates = if actions.contains(&Action::Reply) {
        crate::services::templates::of_category(state, &a.category).await?
    } else {
        Vec::new()
    };
    let hand_notices = notices::page_items(state, &cat, ticket, now).await?;
    // Under 督办 in this cycle: the job's flag or a notice issued by hand since the cycle's clock
    // started, as the inbox and ledger say (`store::appeals::SUPERVISED_SQL`).
    let supervised = a.supervised != 0
        || hand_notices
            .iter()
            .any(|n| matches!(n.kind, domain::notices::NoticeKind::Supervision) && n.issued_at >= a.clock_start_at);
    let owner = crate::store::notices::owner(&state.db.pool, ticket).await?;
    let owner_candidates = if actions.contains(&Action::NameOwner) {
        notices::owner_candidates(state, &cat, staff, &a.unit).await?
    } else {
        Vec::new()
    };
    let (repeats, repeats_elsewhere) = repeats(state, &cat, staff, &a, rel).await?;
    let (merged_into, followers, links) = crate::services::related::page_items(state, &cat, staff, &a).await?;
    let (summon_targets, summon_any) =
        crate::services::summons::targets(&state.db.pool, &cat, &a.unit, &a.category).await?;
    Ok(AppealPage {
        // The resident's answers to the category's questions (issue 13): private like the
        // description, so only here, behind `load_scoped`.
        answers: crate::store::questions::answers(&state.db.pool, ticket).await?,
        repeats,
        repeats_elsewhere,
        merged_into,
        followers,
        links,
        hand_notices,
        owner,
        owner_candidates,
        reply_templates,
        category_name: cat
            .category(&a.category)
            .map_or_else(|| (a.category.clone(), a.category.clone()), |c| (c.name.clone(), c.name_en.clone())),
        unit_name: unit_option(&cat, &a.unit).name,
        urgency: Urgency::of_appeal(a.status, now, a.clock_start_at, a.sign_by_at, a.deadline_at),
        transfer_targets: transfer_targets(&cat, staff, &a),
        summon_targets: summon_targets
            .iter()
            .map(|u| UnitOption { code: u.code.clone(), name: u.name.clone() })
            .collect(),
        summon_any,
        parent_unit: cat.parent_unit(&a.unit).map(|u| UnitOption { code: u.code.clone(), name: u.name.clone() }),
        photo_ids: appeals::photo_ids(&state.db.pool, ticket).await?,
        cohandlers: co
            .into_iter()
            .map(|c| CoHandlerItem {
                unit_name: unit_option(&cat, &c.unit).name,
                overdue: domain::summons::is_overdue(c.due_at, c.reported_at, now),
                // The rating form: the summoning unit's dispatcher, once the report is in (never
                // for a summons without a recorded summoner: see `summons::rate`).
                may_rate: actions.contains(&Action::RateReport)
                    && c.reported_at.is_some()
                    && c.rating.is_none()
                    && c.summoned_by.as_deref() == Some(staff.unit.as_str()),
                unit: c.unit,
                summoned_at: c.summoned_at,
                reported_at: c.reported_at,
                report: c.report,
                due_at: c.due_at,
                rating: c.rating,
                rating_note: c.rating_note,
            })
            .collect(),
        extensions: sup_store::extensions(&state.db.pool, ticket)
            .await?
            .into_iter()
            .map(|e| ExtensionItem {
                id: e.id,
                days: e.days,
                reason: e.reason,
                requested_at: e.requested_at,
                decision: e.decision,
                decided_at: e.decided_at,
                note: e.note,
            })
            .collect(),
        notices: sup_store::notices(&state.db.pool, ticket)
            .await?
            .into_iter()
            .map(|n| NoticeItem { cycle: n.cycle, deadline: n.deadline, stage: n.stage, fired_at: n.fired_at })
            .collect(),
        contact_masked: match (&a.contact_name, &a.contact_phone) {
            (Some(n), Some(p)) => Some((mask_name(n), mask_phone(p))),
            _ => None,
        },
        anonymous: a.anonymous != 0,
        ticket: a.ticket,
        category: a.category,
        description: a.description,
        status: a.status,
        unit: a.unit,
        route_reason: a.route_reason,
        submitted_at: a.submitted_at,
        sign_by_at: a.sign_by_at,
        deadline_at: a.deadline_at,
        clock_start_at: a.clock_start_at,
        urgent: a.urgent != 0,
        supervised,
        cycle: a.cycle,
        place,
        lat: a.lat,
        lng: a.lng,
        address_note: a.address_note,
        resolution: a.resolution,
        events,
        actions,
    })
}

/// The other appeals from `a`'s phone number that `staff` may see listed (issue 13, repeat
/// cases). Only someone who may reveal this appeal's contact learns that the same resident wrote
/// before, and only of appeals in their own scope whose contact they may reveal as well (the
/// inbox's phone search, `store::appeals::same_phone`), so the list tells no one more than a
/// phone search would. Beside it, how many more there are outside that scope (issue 13): the
/// number only, never which, where or what. It is not audited as a search is: the number is
/// neither typed nor shown.
async fn repeats(
    state: &AppState,
    cat: &Catalog,
    staff: &Staff,
    a: &FullAppeal,
    rel: Relation,
) -> Result<(Vec<domain::staff::RepeatItem>, i64)> {
    let phone = a.contact_phone.as_ref().filter(|_| a.anonymous == 0);
    let Some(phone) = phone.filter(|_| workflow::may(staff.role, Action::RevealContact, rel)) else {
        return Ok((Vec::new(), 0));
    };
    let mut q = inbox_query(cat, staff);
    q.search.phone = Some(phone.clone());
    let rows = appeals::same_phone(&state.db.pool, &q, &a.ticket, domain::staff::REPEATS_SHOWN).await?;
    let elsewhere = appeals::same_phone_elsewhere(&state.db.pool, &q, &a.ticket).await?;
    let items = rows
        .into_iter()
        .map(|r| domain::staff::RepeatItem {
            category_name: cat
                .category(&r.category)
                .map_or_else(|| (r.category.clone(), r.category.clone()), |c| (c.name.clone(), c.name_en.clone())),
            ticket: r.ticket,
            status: r.status,
            submitted_at: r.submitted_at,
        })
        .collect();
    Ok((items, elsewhere))
}

/// Whether the appeal is (still) in `staff`'s scope, e.g. after handing it over.
///
/// # Errors
/// Database errors.
pub async fn can_view(state: &AppState, staff: &Staff, ticket: &str) -> Result<bool> {
    match load_scoped(state, staff, ticket).await {
        Ok(_) => Ok(true),
        Err(BackendError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// A photo of an appeal in `staff`'s scope, or its thumbnail.
///
/// # Errors
/// [`BackendError::NotFound`] outside the scope or for an unknown photo.
pub async fn photo(
    state: &AppState,
    staff: &Staff,
    ticket: &str,
    id: &str,
    size: crate::photos::Size,
) -> Result<Vec<u8>> {
    load_scoped(state, staff, ticket).await?;
    appeals::photo(&state.db.pool, ticket, id, size).await?.ok_or(BackendError::NotFound)
}

/// The resident's unmasked name and phone, for someone handling, overseeing or co-handling the
/// appeal, with a reason that goes into the audit log.
///
/// # Errors
/// [`BackendError::NotFound`] outside the scope, [`BackendError::Forbidden`] for a role that may
/// not see contacts, [`BackendError::Invalid`] without a reason, [`BackendError::Conflict`] when
/// the resident left no contact.
pub async fn reveal_contact(state: &AppState, staff: &Staff, ticket: &str, why: &str) -> Result<(String, String)> {
    let (a, _, rel) = load_scoped(state, staff, ticket).await?;
    if !workflow::may(staff.role, Action::RevealContact, rel) {
        return Err(BackendError::Forbidden);
    }
    let why = reason(why)?;
    let (Some(name), Some(phone)) = (a.contact_name, a.contact_phone) else {
        return Err(BackendError::Conflict(Msg::ErrNoContact));
    };
    audit::record(
        &state.db.pool,
        &Entry {
            at: state.clock.ts(),
            who: &staff.who(),
            action: "reveal_contact",
            ticket: Some(ticket),
            detail: json!({ "fields": ["name", "phone"] }),
            reason: Some(&why),
        },
    )
    .await?;
    Ok((name, phone))
}

/// What an action changed, for the audit detail.
fn change_detail(before: &FullAppeal, status: Option<Status>, unit: Option<&str>) -> serde_json::Value {
    let mut d = serde_json::Map::new();
    if let Some(s) = status.filter(|s| *s != before.status) {
        d.insert("status".into(), json!([before.status.as_str(), s.as_str()]));
    }
    if let Some(u) = unit.filter(|u| *u != before.unit) {
        d.insert("unit".into(), json!([before.unit, u]));
    }
    serde_json::Value::Object(d)
}

/// Takes one action on an appeal.
///
/// # Errors
/// [`BackendError::NotFound`] (no such appeal in scope), [`BackendError::Forbidden`] (role or
/// relation does not allow it), [`BackendError::Conflict`] (not possible in this status, or
/// co-handlers still owe a report, or another action on the same appeals at the same moment won:
/// two merges of two appeals into each other, say, [`Msg::ErrSameMoment`]),
/// [`BackendError::Invalid`] (missing or bad input).
pub async fn act(state: &AppState, staff: &Staff, ticket: &str, act: &Act) -> Result<()> {
    act_once(state, staff, ticket, act).await.map_err(|e| {
        if e.is_write_race() {
            tracing::info!(action = act.action().as_str(), "an action lost a race with another on the same appeals");
            BackendError::Conflict(Msg::ErrSameMoment)
        } else {
            e
        }
    })
}

async fn act_once(state: &AppState, staff: &Staff, ticket: &str, act: &Act) -> Result<()> {
    let cat = state.catalog.get();
    let now = state.clock.ts();
    let action = act.action();
    // Read before the transaction holds a connection (a second one from inside it could wait
    // for a full pool).
    let cal = crate::services::deadlines::calendar_cached(state).await?;
    let mut tx = state.db.pool.begin().await?;
    if !appeals::lock(&mut tx, ticket).await? {
        return Err(BackendError::NotFound);
    }
    let a = appeals::full(&mut *tx, ticket).await?.ok_or(BackendError::NotFound)?;
    let co = appeals::cohandlers(&mut *tx, ticket).await?;
    let rel = relation(&cat, staff, &a.unit, &co);
    let (rel, owner) = crate::services::notices::with_owner(&mut *tx, ticket, staff, rel).await?;
    if !workflow::may(staff.role, Action::View, rel) {
        return Err(BackendError::NotFound);
    }
    if !workflow::may(staff.role, action, rel) {
        return Err(BackendError::Forbidden);
    }
    let status = a.status;
    if !workflow::allowed_in(action, status) {
        return Err(BackendError::Conflict(Msg::ErrActionNotNow));
    }
    let next = workflow::next_status(action, status);
    let who = staff.who();
    let ev = |kind: EventKind| StaffEvent {
        ticket,
        at: now,
        kind,
        actor: &staff.id,
        actor_name: None,
        unit: Some(&staff.unit),
        body: None,
        detail: None,
    };
    let actor_name = who.name.clone();
    let mut audit_reason: Option<String> = None;
    let mut detail = serde_json::Map::new();
    match act {
        Act::Sign => {
            appeals::apply(
                &mut tx,
                ticket,
                &Change { status: Some(next), signed_at: Some(Some(now)), ..Change::default() },
                now,
            )
            .await?;
            appeals::insert_staff_event(
                &mut tx,
                &StaffEvent { actor_name: Some(&actor_name), ..ev(EventKind::Signed) },
            )
            .await?;
        }
        Act::Reply { body: b } | Act::Note { body: b } | Act::RequestInfo { body: b } => {
            let b = body(b)?;
            let kind = match act {
                Act::Reply { .. } => EventKind::Reply,
                Act::Note { .. } => EventKind::Note,
                _ => EventKind::InfoRequested,
            };
            if next != status {
                appeals::apply(&mut tx, ticket, &Change { status: Some(next), ..Change::default() }, now).await?;
            }
            appeals::insert_staff_event(
                &mut tx,
                &StaffEvent { actor_name: Some(&actor_name), body: Some(&b), ..ev(kind) },
            )
            .await?;
            if kind.is_public() {
                notify::resident(
                    &mut tx,
                    &a,
                    if kind == EventKind::Reply { notify::Kind::Answered } else { notify::Kind::InfoRequested },
                    now,
                )
                .await?;
            }
        }
        Act::Transfer { reason: r, .. } | Act::Escalate { reason: r } => {
            // A hand-over: to a unit the person may send it to, or one level up. Either way the
            // new unit gets a fresh sign-for deadline and pending extensions lapse.
            let r = reason(r)?;
            let (to, kind) = if let Act::Transfer { to_unit, .. } = act {
                let to = to_unit.trim();
                if !transfer_targets(&cat, staff, &a).iter().any(|u| u.code == to) {
                    return Err(BackendError::invalid(FieldError::new(FieldName::Unit, Msg::ErrUnitUnknown)));
                }
                detail.insert("to".into(), json!(to));
                (to.to_owned(), EventKind::Transferred)
            } else {
                let parent = cat.parent_unit(&a.unit).ok_or(BackendError::Conflict(Msg::ErrNoParentUnit))?;
                (parent.code.clone(), EventKind::Escalated)
            };
            let path = cat.unit_path(&to);
            let sign_by = crate::services::deadlines::new_sign_deadline(&cal, now, a.urgent != 0);
            sup_store::cancel_pending_extensions(&mut tx, ticket, now).await?;
            // The old unit's notices lapse; a leader whose subtree the appeal leaves is un-named.
            let lapsed_owner = notices::on_hand_over(
                &mut tx,
                &cat,
                ticket,
                (&a.unit, &to),
                (&staff.id, Some(actor_name.as_str())),
                now,
            )
            .await?;
            if let Some(o) = lapsed_owner {
                detail.insert("owner_lapsed".into(), json!(o));
            }
            let change = Change {
                status: Some(next),
                unit: Some((&to, &path)),
                signed_at: Some(None),
                sign_by: Some((now, sign_by)),
                ..Change::default()
            };
            appeals::apply(&mut tx, ticket, &change, now).await?;
            let d = EventDetail { from: Some(a.unit.clone()), reason: Some(r.clone()), ..EventDetail::default() };
            appeals::insert_staff_event(
                &mut tx,
                &StaffEvent { actor_name: Some(&actor_name), unit: Some(&to), detail: Some(&d), ..ev(kind) },
            )
            .await?;
            notify::unit(&mut tx, &to, ticket, notify::Kind::NewAssignment, now).await?;
            audit_reason = Some(r);
        }
        Act::Summon { units, note, days } => {
            // The district's departments, narrowed to the kinds listed for the category
            // (issue 13): never trust the form's list.
            let district = cat.district_departments(&a.unit);
            let (allowed, _) = crate::services::summons::targets(&mut *tx, &cat, &a.unit, &a.category).await?;
            let mut chosen: Vec<&str> = units.iter().map(|u| u.trim()).filter(|u| !u.is_empty()).collect();
            chosen.sort_unstable();
            chosen.dedup();
            let mut errs = Vec::new();
            if chosen.is_empty() || chosen.iter().any(|u| !district.iter().any(|d| d.code == *u)) {
                errs.push(FieldError::new(FieldName::Units, Msg::ErrSummonUnits));
            } else if chosen.iter().any(|u| !allowed.iter().any(|d| d.code == *u)) {
                errs.push(FieldError::new(FieldName::Units, Msg::ErrSummonNotListed));
            }
            let days = domain::summons::parse_days(days).map_err(|e| errs.push(e)).ok();
            let Some(days) = days.filter(|_| errs.is_empty()) else { return Err(BackendError::Invalid(errs)) };
            let due = domain::summons::due_at(&cal, state.clock.now(), days).unix_timestamp();
            for u in &chosen {
                appeals::summon(&mut tx, ticket, u, &staff.unit, due, now).await?;
                notify::unit(&mut tx, u, ticket, notify::Kind::Summoned, now).await?;
            }
            detail.insert("days".into(), json!(days));
            detail.insert("due".into(), json!(due));
            let note = note.trim();
            let d = EventDetail {
                units: Some(chosen.iter().map(|u| (*u).to_owned()).collect()),
                note: Some(note.to_owned()),
                due: Some(due),
                ..EventDetail::default()
            };
            appeals::insert_staff_event(
                &mut tx,
                &StaffEvent { actor_name: Some(&actor_name), detail: Some(&d), ..ev(EventKind::Summoned) },
            )
            .await?;
            detail.insert("units".into(), json!(chosen));
        }
        Act::ReportBack { body: b } => {
            let b = body(b)?;
            if !appeals::report_back(&mut tx, ticket, &staff.unit, &b, now).await? {
                return Err(BackendError::Conflict(Msg::ErrActionNotNow));
            }
            let d = EventDetail { report: Some(b.clone()), ..EventDetail::default() };
            appeals::insert_staff_event(
                &mut tx,
                &StaffEvent { actor_name: Some(&actor_name), detail: Some(&d), ..ev(EventKind::ReportedBack) },
            )
            .await?;
            notify::unit(&mut tx, &a.unit, ticket, notify::Kind::ReportedBack, now).await?;
        }
        Act::Close { resolution } => {
            let res = text(
                resolution,
                FieldName::Resolution,
                domain::fields::TEXT_MAX,
                Msg::ErrResolutionEmpty,
                Msg::ErrBodyLong,
            )
            .map_err(BackendError::invalid)?;
            if co.iter().any(|c| c.reported_at.is_none()) {
                return Err(BackendError::Conflict(Msg::ErrCoHandlersPending));
            }
            sup_store::cancel_pending_extensions(&mut tx, ticket, now).await?;
            appeals::apply(
                &mut tx,
                ticket,
                &Change {
                    status: Some(next),
                    closed_at: Some(Some(now)),
                    resolution: Some(Some(&res)),
                    ..Change::default()
                },
                now,
            )
            .await?;
            appeals::insert_staff_event(
                &mut tx,
                &StaffEvent { actor_name: Some(&actor_name), body: Some(&res), ..ev(EventKind::Closed) },
            )
            .await?;
            notify::resident(&mut tx, &a, notify::Kind::Closed, now).await?;
            // The appeals following this one close with it (issue 13).
            let followers = crate::services::related::close_followers(&mut tx, ticket, &res, now).await?;
            if !followers.is_empty() {
                detail.insert("followers".into(), json!(followers));
            }
            // A leader in charge from another unit signed the close: the handling unit must know.
            if staff.unit != a.unit {
                notify::unit(&mut tx, &a.unit, ticket, notify::Kind::Closed, now).await?;
            }
        }
        Act::Reopen { reason: r } => {
            let r = reason(r)?;
            // A new round with its own deadlines (and its own rating); the old ones were met.
            let (days, urgent) = cat.category(&a.category).map_or((10, false), |c| (c.deadline_days, c.urgent));
            let dl = domain::sla::deadlines(&cal, state.clock.now(), days, urgent, domain::sla::CHINA);
            let change = Change {
                status: Some(next),
                closed_at: Some(None),
                deadline_at: Some(dl.resolve_by.unix_timestamp()),
                cycle: Some((a.cycle + 1, now, dl.sign_by.unix_timestamp())),
                supervised: Some(false),
                ..Change::default()
            };
            appeals::apply(&mut tx, ticket, &change, now).await?;
            sup_store::cancel_pending_extensions(&mut tx, ticket, now).await?;
            appeals::insert_staff_event(
                &mut tx,
                &StaffEvent {
                    actor_name: Some(&actor_name),
                    body: Some(&r),
                    unit: Some(&a.unit),
                    ..ev(EventKind::Reopened)
                },
            )
            .await?;
            audit_reason = Some(r);
        }
        Act::RequestExtension { days, reason: r } => {
            let r = reason(r)?;
            let days: i64 = days
                .trim()
                .parse()
                .ok()
                .filter(|d| (1..=domain::sla::EXTENSION_DAYS_MAX).contains(d))
                .ok_or_else(|| BackendError::invalid(FieldError::new(FieldName::Days, Msg::ErrDaysInvalid)))?;
            if sup_store::pending_extension(&mut tx, ticket).await? {
                return Err(BackendError::Conflict(Msg::ErrExtensionPending));
            }
            let id = crate::crypto::random_hex();
            sup_store::insert_extension(&mut tx, &id, ticket, &a.unit, days, &r, now, &staff.id).await?;
            let d = EventDetail {
                days: Some(days),
                reason: Some(r.clone()),
                id: Some(id.clone()),
                ..EventDetail::default()
            };
            appeals::insert_staff_event(
                &mut tx,
                &StaffEvent { actor_name: Some(&actor_name), detail: Some(&d), ..ev(EventKind::ExtensionRequested) },
            )
            .await?;
            if let Some(p) = cat.parent_unit(&a.unit) {
                notify::unit(&mut tx, &p.code, ticket, notify::Kind::ExtensionRequested, now).await?;
            }
            detail.insert("days".into(), json!(days));
            audit_reason = Some(r);
        }
        Act::DecideExtension { id, approve, note } => {
            // Only a pending request of the unit that has the appeal now, never one's own.
            let ext = sup_store::extension(&mut tx, id.trim()).await?.filter(|e| {
                e.ticket == ticket
                    && e.decision.is_none()
                    && e.unit == a.unit
                    && e.unit != staff.unit
                    && e.requested_by != staff.id
            });
            let Some(ext) = ext else { return Err(BackendError::Conflict(Msg::ErrActionNotNow)) };
            let note = note.trim();
            if !approve && note.is_empty() {
                return Err(BackendError::invalid(FieldError::new(FieldName::Reason, Msg::ErrReasonEmpty)));
            }
            let decision = if *approve { "approved" } else { "refused" };
            sup_store::decide_extension(&mut tx, &ext.id, decision, now, &staff.id, note).await?;
            if *approve {
                let old = time::OffsetDateTime::from_unix_timestamp(a.deadline_at)
                    .map_err(|e| BackendError::Internal(e.to_string()))?;
                let new = domain::sla::extend(&cal, old, u32::try_from(ext.days).unwrap_or(1), domain::sla::CHINA)
                    .unix_timestamp();
                appeals::apply(&mut tx, ticket, &Change { deadline_at: Some(new), ..Change::default() }, now).await?;
                let d = EventDetail {
                    old: Some(a.deadline_at),
                    new: Some(new),
                    days: Some(ext.days),
                    note: Some(note.to_owned()),
                    ..EventDetail::default()
                };
                appeals::insert_staff_event(
                    &mut tx,
                    &StaffEvent {
                        actor_name: Some(&actor_name),
                        body: Some(&ext.reason),
                        detail: Some(&d),
                        unit: Some(&a.unit),
                        ..ev(EventKind::ExtensionApproved)
                    },
                )
                .await?;
                detail.insert("deadline".into(), json!([a.deadline_at, new]));
            } else {
                let d = EventDetail { note: Some(note.to_owned()), days: Some(ext.days), ..EventDetail::default() };
                appeals::insert_staff_event(
                    &mut tx,
                    &StaffEvent {
                        actor_name: Some(&actor_name),
                        detail: Some(&d),
                        unit: Some(&a.unit),
                        ..ev(EventKind::ExtensionRefused)
                    },
                )
                .await?;
            }
            notify::unit(&mut tx, &a.unit, ticket, notify::Kind::ExtensionDecided, now).await?;
            detail.insert("extension".into(), json!(ext.id));
            detail.insert("decision".into(), json!(decision));
            audit_reason = (!note.is_empty()).then(|| note.to_owned());
        }
        Act::IssueNotice { kind, reason: r, due, public } => {
            let input = (kind.as_str(), r.as_str(), due.as_str(), *public);
            (audit_reason, detail) =
                notices::issue(&mut tx, state, staff, &a, input, owner.as_ref(), &actor_name, now).await?;
        }
        Act::AnswerNotice { id, body: b } => {
            (audit_reason, detail) = notices::answer(&mut tx, staff, &a, (id, b), &actor_name, now).await?;
        }
        Act::NameOwner { staff_id } => {
            (audit_reason, detail) = notices::name_owner(&mut tx, &cat, staff, &a, staff_id, &actor_name, now).await?;
        }
        Act::UnnameOwner => {
            (audit_reason, detail) = notices::unname_owner(&mut tx, &cat, staff, &a, &actor_name, now).await?;
        }
        Act::RateReport { unit, rating, note } => {
            (audit_reason, detail) = crate::services::summons::rate(
                &mut tx,
                staff,
                &a,
                (unit.as_str(), rating.as_str(), note.as_str()),
                &actor_name,
                now,
            )
            .await?;
        }
        Act::Merge { into, reason: r } => {
            (audit_reason, detail) = crate::services::related::merge(
                &mut tx,
                &cat,
                staff,
                &a,
                (into.as_str(), r.as_str()),
                &actor_name,
                now,
            )
            .await?;
        }
        Act::Unmerge => {
            // When it was merged (read before the unmerge clears it).
            let (merged_at,): (Option<i64>,) = sqlx::query_as("SELECT merged_at FROM appeals WHERE ticket = $1")
                .bind(ticket)
                .fetch_one(&mut *tx)
                .await?;
            (audit_reason, detail) = crate::services::related::unmerge(&mut tx, staff, &a, &actor_name, now).await?;
            // While it followed its main appeal nobody watched its own clock (issue 13): a
            // deadline that ran out *meanwhile* starts again from now, so it is not overdue (and
            // supervised) the moment it is on its own again. One already past when it was merged
            // stays as it was: merging and unmerging is no way to reset a late appeal's clock.
            let ran_out_while_merged = |due: i64| merged_at.is_some_and(|m| due >= m) && due < now;
            if a.status.is_open() {
                let (days, urgent) = cat.category(&a.category).map_or((10, false), |c| (c.deadline_days, c.urgent));
                let dl = domain::sla::deadlines(&cal, state.clock.now(), days, urgent, domain::sla::CHINA);
                let resolve_late = ran_out_while_merged(a.deadline_at);
                let sign_late = a.signed_at.is_none() && ran_out_while_merged(a.sign_by_at);
                if resolve_late || sign_late {
                    // A fresh resolution deadline restarts its clock too (the 预警 at 75 % of it).
                    let change = Change {
                        deadline_at: resolve_late.then(|| dl.resolve_by.unix_timestamp()),
                        cycle: resolve_late.then(|| (a.cycle, now, dl.sign_by.unix_timestamp())),
                        sign_by: (sign_late && !resolve_late).then(|| (now, dl.sign_by.unix_timestamp())),
                        supervised: Some(false),
                        ..Change::default()
                    };
                    appeals::apply(&mut tx, ticket, &change, now).await?;
                    if resolve_late {
                        detail.insert("deadline".into(), json!([a.deadline_at, dl.resolve_by.unix_timestamp()]));
                    }
                }
            }
        }
        Act::Link { other } => {
            (audit_reason, detail) =
                crate::services::related::link(&mut tx, &cat, staff, &a, other, &actor_name, now).await?;
        }
    }
    let after = appeals::full(&mut *tx, ticket).await?.ok_or(BackendError::NotFound)?;
    let mut d = change_detail(&a, Some(after.status), Some(&after.unit));
    if let serde_json::Value::Object(m) = &mut d {
        m.extend(detail);
    }
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: &who,
            action: action.as_str(),
            ticket: Some(ticket),
            detail: d,
            reason: audit_reason.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
