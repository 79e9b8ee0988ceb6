//! Notices by hand (提示/预警/督办/交办/警示) and the leader in charge (领导包案), issue 13, on
//! SQLite and PostgreSQL: who may issue and answer, the field checks, what the resident sees, the
//! inbox flag, overdue answers, the dashboard count, who may be named, "my cases", and that only
//! the leader closes.

use crate::common;

use backend::services::work::{self, Act};
use backend::services::{dashboard, notices, track};
use backend::store::{appeals, outbox};
use backend::{AppState, BackendError};
use common::Engine;
use domain::notices::NoticeKind;
use domain::staff::InboxFilter;
use domain::workflow::Action;
use domain::{FieldError, FieldName, Msg};
use serde_json::json;

fn notice(kind: &str, reason: &str, due: &str, public: bool) -> Act {
    Act::IssueNotice { kind: kind.into(), reason: reason.into(), due: due.into(), public }
}

/// A named appeal of community HD0101 (unit U-HD0101), signed for; its ticket and the resident's
/// receipt (display ticket, key).
async fn appeal(state: &AppState) -> (String, (String, String)) {
    let (ticket, draft) = common::appeal_at(
        state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "named"), ("name", "赵女士"), ("phone", "13700137000")],
    )
    .await;
    common::force(state, &ticket, "U-HD0101", "in_progress").await;
    let receipt = common::receipt(state, &draft).await;
    (ticket, receipt)
}

async fn who_may_issue_and_answer(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let city = common::staff(&state, "city", "U-SF", "dispatcher").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let neighbour = common::staff(&state, "neighbour", "U-HD0102", "unit_handler").await;
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    let other_district = common::staff(&state, "hxcentre", "U-HX", "dispatcher").await;
    let (ticket, (t_display, key)) = appeal(&state).await;
    let (quiet, _) = appeal(&state).await;
    // Today is 2026-11-23 (China).
    let ok = || notice("supervision", "群众多次来电，请说明进展", "2026-11-25", false);

    // Refused: the handling unit itself, admins, another district's centre (outside its scope).
    assert!(matches!(work::act(&state, &community, &ticket, &ok()).await, Err(BackendError::Forbidden)));
    assert!(matches!(work::act(&state, &admin, &ticket, &ok()).await, Err(BackendError::Forbidden)));
    assert!(matches!(work::act(&state, &other_district, &ticket, &ok()).await, Err(BackendError::NotFound)));
    // A grid worker handling an appeal of its own station is refused as well.
    let (grid_ticket, _) = appeal(&state).await;
    common::force(&state, &grid_ticket, "U-HD010101", "in_progress").await;
    assert!(matches!(work::act(&state, &grid, &grid_ticket, &ok()).await, Err(BackendError::Forbidden)));
    // A street centre handling an appeal itself does not send itself notices.
    let (own_ticket, _) = appeal(&state).await;
    common::force(&state, &own_ticket, "U-HD01", "in_progress").await;
    assert!(matches!(work::act(&state, &street, &own_ticket, &ok()).await, Err(BackendError::Forbidden)));
    // Nothing was written by any refusal.
    assert!(backend::store::notices::for_ticket(&state.db.pool, &ticket).await.unwrap().is_empty());

    // Field checks, every bad field named.
    match work::act(&state, &street, &ticket, &notice("scold", " ", "2026-12-24", false)).await {
        Err(BackendError::Invalid(e)) => assert_eq!(
            e,
            vec![
                FieldError::new(FieldName::NoticeKind, Msg::ErrNoticeKind),
                FieldError::new(FieldName::Reason, Msg::ErrReasonEmpty),
                FieldError::new(FieldName::Due, Msg::ErrNoticeDueRange),
            ]
        ),
        other => panic!("{other:?}"),
    }
    match work::act(&state, &street, &ticket, &notice("warning", &"字".repeat(501), "", false)).await {
        Err(BackendError::Invalid(e)) => assert_eq!(
            e,
            vec![
                FieldError::new(FieldName::Reason, Msg::ErrReasonLong),
                FieldError::new(FieldName::Due, Msg::ErrNoticeDueEmpty),
            ]
        ),
        other => panic!("{other:?}"),
    }

    // The street centre (one level up) and the city centre may; the second one is public.
    work::act(&state, &street, &ticket, &ok()).await.unwrap();
    work::act(&state, &city, &ticket, &notice("assignment", "请三日内办结", "2026-11-26", true)).await.unwrap();
    let rows = backend::store::notices::for_ticket(&state.db.pool, &ticket).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|n| n.to_unit == "U-HD0101" && n.answered_at.is_none()));
    let sup = rows.iter().find(|n| n.kind == "supervision").unwrap();
    assert_eq!((sup.issued_unit.as_str(), sup.public), ("U-HD01", 0));
    // Due at the end of the chosen day in China.
    assert_eq!(sup.due_at, time::macros::datetime!(2026-11-25 23:59:59 +8).unix_timestamp());

    // The unit was told, twice; the audit chain holds both issues.
    let unit_msgs: Vec<String> = outbox::for_ticket(&state.db.pool, &ticket)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.audience == "unit" && m.recipient == "U-HD0101")
        .map(|m| m.kind)
        .collect();
    assert_eq!(unit_msgs.iter().filter(|k| *k == "notice_issued").count(), 2);

    // The resident sees the public one only, by kind and unit, never a reason.
    let view = track::track(&state, "ip", &t_display, &key).await.unwrap();
    let issued: Vec<_> = view.events.iter().filter(|e| e.kind.as_str() == "notice_issued").collect();
    assert_eq!(issued.len(), 1, "only the notice the issuer made public");
    assert_eq!(issued[0].extra.as_deref(), Some("assignment"));
    assert_eq!(issued[0].body, None);
    // Nowhere in what the resident's page receives: the reasons stay internal.
    let sent = serde_json::to_string(&view).unwrap();
    assert!(!sent.contains("请三日内办结") && !sent.contains("群众多次来电"), "{sent}");
    let all = appeals::all_events(&state.db.pool, &ticket).await.unwrap();
    assert_eq!(all.iter().filter(|e| e.kind.as_str() == "notice_issued").count(), 2);

    // The inbox marks it, and the filter finds it, for the receiving unit.
    let noticed = InboxFilter { due: "noticed".into(), status: "open".into(), ..InboxFilter::default() };
    let inbox = work::inbox(&state, &community, &noticed).await.unwrap();
    assert_eq!(inbox.items.iter().map(|i| i.ticket.as_str()).collect::<Vec<_>>(), [ticket.as_str()]);
    assert!(inbox.items[0].noticed);
    // The unit's other appeals, with no notice to it, are listed unflagged.
    let mut plain: Vec<(String, bool)> = work::inbox(&state, &community, &InboxFilter::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|i| (i.ticket, i.noticed))
        .collect();
    plain.sort();
    // (The grid station's appeal is below the community, so in its inbox too.)
    let mut want = vec![(ticket.clone(), true), (quiet.clone(), false), (grid_ticket.clone(), false)];
    want.sort();
    assert_eq!(plain, want);

    // The page shows both, open; past the day, the unanswered ones are overdue.
    let page = work::appeal_page(&state, &community, &ticket).await.unwrap();
    assert_eq!(page.hand_notices.len(), 2);
    assert!(page.hand_notices.iter().all(|n| !n.overdue && n.answer.is_none()));
    assert!(page.actions.contains(&Action::AnswerNotice));

    // Only the receiving unit answers, once.
    let id = sup.id.clone();
    let answer = |body: &str| Act::AnswerNotice { id: id.clone(), body: body.into() };
    assert!(matches!(work::act(&state, &street, &ticket, &answer("我来答")).await, Err(BackendError::Forbidden)));
    assert!(matches!(work::act(&state, &neighbour, &ticket, &answer("我来答")).await, Err(BackendError::NotFound)));
    match work::act(&state, &community, &ticket, &answer("  ")).await {
        Err(BackendError::Invalid(e)) => assert_eq!(e, vec![FieldError::new(FieldName::Body, Msg::ErrBodyEmpty)]),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        work::act(&state, &community, &ticket, &Act::AnswerNotice { id: "nope".into(), body: "x".into() }).await,
        Err(BackendError::Conflict(Msg::ErrNoticeUnknown))
    ));
    // A real notice of another of the unit's appeals is not this appeal's to answer.
    work::act(&state, &street, &quiet, &notice("reminder", "另一件", "2026-11-25", false)).await.unwrap();
    let other_id = backend::store::notices::for_ticket(&state.db.pool, &quiet).await.unwrap()[0].id.clone();
    assert!(matches!(
        work::act(&state, &community, &ticket, &Act::AnswerNotice { id: other_id.clone(), body: "x".into() }).await,
        Err(BackendError::Conflict(Msg::ErrNoticeUnknown))
    ));
    let other = backend::store::notices::for_ticket(&state.db.pool, &quiet).await.unwrap();
    assert_eq!((other[0].id.as_str(), other[0].answered_at), (other_id.as_str(), None));
    work::act(&state, &community, &ticket, &answer("已安排今天下午清运")).await.unwrap();
    assert!(matches!(
        work::act(&state, &community, &ticket, &answer("again")).await,
        Err(BackendError::Conflict(Msg::ErrNoticeUnknown))
    ));
    let street_told = outbox::for_ticket(&state.db.pool, &ticket)
        .await
        .unwrap()
        .into_iter()
        .any(|m| m.recipient == "U-HD01" && m.kind == "notice_answered");
    assert!(street_told, "the issuing centre hears of the answer");

    // Three days on: the answered one is not overdue, the city's is (due 11-26 end of day).
    clock.advance(time::Duration::days(4));
    let page = work::appeal_page(&state, &community, &ticket).await.unwrap();
    let by_kind = |k: NoticeKind| page.hand_notices.iter().find(|n| n.kind == k).unwrap();
    assert!(!by_kind(NoticeKind::Supervision).overdue);
    assert_eq!(by_kind(NoticeKind::Supervision).answer.as_deref(), Some("已安排今天下午清运"));
    assert!(by_kind(NoticeKind::Assignment).overdue);
    // Still flagged while the city's notice waits.
    assert!(work::inbox(&state, &community, &noticed).await.unwrap().items.iter().any(|i| i.ticket == ticket));

    // Audited in one intact chain.
    let v = backend::audit::verify(&state.db.pool).await.unwrap();
    assert_eq!(v.first_broken, None);
    let actions: Vec<String> = backend::store::audit::recent(&state.db.pool, Some(&ticket), None, None, 100)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|r| r.action)
        .collect();
    assert_eq!(actions, ["issue_notice", "issue_notice", "answer_notice"]);
}
both_engines!(who_may_issue_and_answer);

async fn the_dashboard_counts_notices_by_kind(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let other_street = common::staff(&state, "hd02", "U-HD02", "dispatcher").await;
    let city = common::staff(&state, "city", "U-SF", "dispatcher").await;
    let (a, _) = appeal(&state).await;
    let (b, _) = appeal(&state).await;
    work::act(&state, &street, &a, &notice("reminder", "提醒", "2026-11-24", false)).await.unwrap();
    work::act(&state, &street, &b, &notice("reminder", "提醒", "2026-11-24", false)).await.unwrap();
    work::act(&state, &city, &b, &notice("admonition", "警示", "2026-11-30", false)).await.unwrap();
    let month = domain::stats::Period::Month { year: 2026, month: 11 };
    let d = dashboard::dashboard(&state, &street, month).await.unwrap();
    let count =
        |d: &domain::staff::DashboardView, k: NoticeKind| d.hand_notices.iter().find(|(x, _)| *x == k).unwrap().1;
    assert_eq!(d.hand_notices.len(), 5, "every kind listed");
    assert_eq!(count(&d, NoticeKind::Reminder), 2);
    assert_eq!(count(&d, NoticeKind::Admonition), 1);
    assert_eq!(count(&d, NoticeKind::Supervision), 0);
    assert_eq!(d.own.supervised, 0, "a reminder or an admonition is not a 督办");
    // A 督办 issued by hand counts in the figures' "supervised", each appeal once.
    work::act(&state, &street, &a, &notice("supervision", "请限期办结", "2026-11-26", false)).await.unwrap();
    work::act(&state, &city, &a, &notice("supervision", "再次督办", "2026-11-27", false)).await.unwrap();
    let d = dashboard::dashboard(&state, &street, month).await.unwrap();
    assert_eq!(count(&d, NoticeKind::Supervision), 2);
    assert_eq!(d.own.supervised, 1);
    // ... and everywhere staff see "supervised": the dashboard's list, the inbox's filter and
    // badge. Not on the resident's page (these notices were not made public).
    assert_eq!(d.supervised.items.iter().map(|i| i.ticket.as_str()).collect::<Vec<_>>(), [a.as_str()]);
    let supervised = InboxFilter { due: "supervised".into(), ..InboxFilter::default() };
    let listed = work::inbox(&state, &street, &supervised).await.unwrap().items;
    assert_eq!(listed.iter().map(|i| (i.ticket.as_str(), i.supervised)).collect::<Vec<_>>(), [(a.as_str(), true)]);
    assert_eq!(appeals::full(&state.db.pool, &a).await.unwrap().unwrap().supervised, 0, "the resident's flag");
    assert!(work::appeal_page(&state, &street, &a).await.unwrap().supervised, "the staff appeal page's badge");
    assert!(!work::appeal_page(&state, &street, &b).await.unwrap().supervised);
    // Another street's centre counts none of them; last month has none.
    let d = dashboard::dashboard(&state, &other_street, month).await.unwrap();
    assert!(d.hand_notices.iter().all(|(_, n)| *n == 0));
    assert_eq!(d.own.supervised, 0);
    let d =
        dashboard::dashboard(&state, &street, domain::stats::Period::Month { year: 2026, month: 10 }).await.unwrap();
    assert!(d.hand_notices.iter().all(|(_, n)| *n == 0));
}
both_engines!(the_dashboard_counts_notices_by_kind);

fn name(id: &str) -> Act {
    Act::NameOwner { staff_id: id.into() }
}

fn close(text: &str) -> Act {
    Act::Close { resolution: text.into() }
}

/// The outbox kinds sent to staff member `id` about `ticket`, oldest first.
async fn to_member(state: &AppState, ticket: &str, id: &str) -> Vec<String> {
    outbox::for_ticket(&state.db.pool, ticket)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.audience == "staff" && m.recipient == id)
        .map(|m| m.kind)
        .collect()
}

/// The audit entries of `ticket`: (action, detail), oldest first.
async fn audited(state: &AppState, ticket: &str) -> Vec<(String, serde_json::Value)> {
    backend::store::audit::recent(&state.db.pool, Some(ticket), None, None, 100)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|r| (r.action, serde_json::from_str(&r.detail).unwrap_or_default()))
        .collect()
}

async fn a_leader_in_charge_is_named_sees_the_case_and_alone_closes_it(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let deputy = common::staff(&state, "deputy", "U-HD01", "dispatcher").await;
    let chief = common::staff(&state, "chief", "U-HD", "dispatcher").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let neighbour = common::staff(&state, "neighbour", "U-HD0102", "unit_handler").await;
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    let far = common::staff(&state, "far", "U-HX", "dispatcher").await;
    let (ticket, (t_display, key)) = appeal(&state).await;

    // Only an overseer above the unit names one.
    assert!(matches!(work::act(&state, &community, &ticket, &name(&deputy.id)).await, Err(BackendError::Forbidden)));
    assert!(matches!(work::act(&state, &admin, &ticket, &name(&deputy.id)).await, Err(BackendError::Forbidden)));
    // Whom: a member of the overseer's unit or below it, above the handling unit; not their
    // superior (chief), a neighbour, the handling unit, an admin, another district, or nobody.
    for (bad, msg) in [
        (chief.id.as_str(), Msg::ErrOwnerInvalid),
        (neighbour.id.as_str(), Msg::ErrOwnerInvalid),
        (community.id.as_str(), Msg::ErrOwnerInvalid),
        (admin.id.as_str(), Msg::ErrOwnerInvalid),
        (far.id.as_str(), Msg::ErrOwnerInvalid),
        ("", Msg::ErrOwnerEmpty),
    ] {
        match work::act(&state, &street, &ticket, &name(bad)).await {
            Err(BackendError::Invalid(e)) => assert_eq!(e, vec![FieldError::new(FieldName::Owner, msg)], "{bad}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
    let page = work::appeal_page(&state, &street, &ticket).await.unwrap();
    let mut candidates: Vec<&str> = page.owner_candidates.iter().map(|c| c.code.as_str()).collect();
    candidates.sort_unstable();
    let mut want = [street.id.as_str(), deputy.id.as_str()];
    want.sort_unstable();
    assert_eq!(candidates, want, "the street centre's own members only");
    // The district centre may name its own members and the street's.
    let page = work::appeal_page(&state, &chief, &ticket).await.unwrap();
    let candidates: Vec<&str> = page.owner_candidates.iter().map(|c| c.code.as_str()).collect();
    assert!(candidates.contains(&chief.id.as_str()) && candidates.contains(&deputy.id.as_str()));
    assert!(!candidates.contains(&community.id.as_str()));

    work::act(&state, &street, &ticket, &name(&deputy.id)).await.unwrap();
    let page = work::appeal_page(&state, &community, &ticket).await.unwrap();
    assert_eq!(page.owner, Some((deputy.id.clone(), "deputy".to_owned())));
    // The handler may no longer close; the leader may.
    assert!(!page.actions.contains(&Action::Close));
    assert!(matches!(work::act(&state, &community, &ticket, &close("已清运")).await, Err(BackendError::Forbidden)));
    assert!(work::appeal_page(&state, &deputy, &ticket).await.unwrap().actions.contains(&Action::Close));

    // "My cases" lists it for the leader only.
    let mine: Vec<String> = notices::cases(&state, &deputy).await.unwrap().into_iter().map(|i| i.ticket).collect();
    assert_eq!(mine.as_slice(), std::slice::from_ref(&ticket));
    assert!(notices::cases(&state, &street).await.unwrap().is_empty());

    // The leader is told of the naming and of later notices.
    work::act(&state, &street, &ticket, &notice("warning", "请加快", "2026-11-24", false)).await.unwrap();
    assert_eq!(to_member(&state, &ticket, &deputy.id).await, ["owner_named", "notice_issued"]);

    // The district centre replaces the street's choice; the old leader loses the close and is told.
    work::act(&state, &chief, &ticket, &name(&chief.id)).await.unwrap();
    assert!(matches!(work::act(&state, &deputy, &ticket, &close("x")).await, Err(BackendError::Forbidden)));
    assert_eq!(to_member(&state, &ticket, &deputy.id).await, ["owner_named", "notice_issued", "owner_removed"]);
    let (action, detail) = audited(&state, &ticket).await.pop().unwrap();
    assert_eq!(
        (action.as_str(), &detail["owner"], &detail["previous"]),
        ("name_owner", &json!(chief.id), &json!(deputy.id))
    );
    let named = appeals::all_events(&state.db.pool, &ticket).await.unwrap();
    let last = named.iter().rev().find(|e| e.kind.as_str() == "owner_named").unwrap();
    let d = domain::events::EventDetail::parse(last.detail.as_deref()).unwrap();
    assert_eq!((d.owner.as_deref(), d.previous.as_deref()), (Some("chief"), Some("deputy")));
    // Named from above, the street centre may neither replace nor remove that leader.
    for a in [name(&street.id), Act::UnnameOwner] {
        assert!(matches!(
            work::act(&state, &street, &ticket, &a).await,
            Err(BackendError::Conflict(Msg::ErrOwnerNamedAbove))
        ));
    }
    assert_eq!(
        backend::store::notices::owner(&state.db.pool, &ticket).await.unwrap().map(|o| o.0),
        Some(chief.id.clone())
    );

    // The leader signs the close; the handling unit (not the closer's) is told.
    work::act(&state, &chief, &ticket, &close("已清运，群众确认")).await.unwrap();
    assert_eq!(appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap().status.as_str(), "closed");
    assert!(outbox::for_ticket(&state.db.pool, &ticket)
        .await
        .unwrap()
        .iter()
        .any(|m| m.audience == "unit" && m.recipient == "U-HD0101" && m.kind == "closed"));
    // Closed: no more notices or namings.
    for a in [notice("reminder", "r", "2026-11-24", false), name(&chief.id), Act::UnnameOwner] {
        assert!(matches!(
            work::act(&state, &chief, &ticket, &a).await,
            Err(BackendError::Conflict(Msg::ErrActionNotNow))
        ));
    }

    // Naming is on the staff timeline only.
    let view = track::track(&state, "ip", &t_display, &key).await.unwrap();
    assert!(view.events.iter().all(|e| !e.kind.as_str().starts_with("owner_")));
    let actions: Vec<String> = audited(&state, &ticket).await.into_iter().map(|(a, _)| a).collect();
    assert_eq!(actions, ["name_owner", "issue_notice", "name_owner", "close"]);
}
both_engines!(a_leader_in_charge_is_named_sees_the_case_and_alone_closes_it);

async fn a_leader_is_unnamed_or_ignored_once_deactivated(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let deputy = common::staff(&state, "deputy", "U-HD01", "dispatcher").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    let (ticket, _) = appeal(&state).await;

    // Nobody to un-name yet; the handler may not un-name.
    assert!(matches!(
        work::act(&state, &street, &ticket, &Act::UnnameOwner).await,
        Err(BackendError::Conflict(Msg::ErrNoOwner))
    ));
    work::act(&state, &street, &ticket, &name(&deputy.id)).await.unwrap();
    assert!(matches!(work::act(&state, &community, &ticket, &Act::UnnameOwner).await, Err(BackendError::Forbidden)));
    assert!(work::appeal_page(&state, &street, &ticket).await.unwrap().actions.contains(&Action::UnnameOwner));

    // Un-named: the unit closes again; the leader is told; an event and an audit entry.
    work::act(&state, &street, &ticket, &Act::UnnameOwner).await.unwrap();
    let page = work::appeal_page(&state, &community, &ticket).await.unwrap();
    assert_eq!(page.owner, None);
    assert!(page.actions.contains(&Action::Close));
    assert_eq!(to_member(&state, &ticket, &deputy.id).await, ["owner_named", "owner_removed"]);
    let (action, detail) = audited(&state, &ticket).await.pop().unwrap();
    assert_eq!((action.as_str(), &detail["previous"]), ("unname_owner", &json!(deputy.id)));
    let ev = appeals::all_events(&state.db.pool, &ticket).await.unwrap();
    let removed = ev.iter().find(|e| e.kind.as_str() == "owner_removed").unwrap();
    let d = domain::events::EventDetail::parse(removed.detail.as_deref()).unwrap();
    assert_eq!(d.previous.as_deref(), Some("deputy"));
    assert!(notices::cases(&state, &deputy).await.unwrap().is_empty());

    // Named again, then deactivated: the naming is ignored and the unit may close.
    work::act(&state, &street, &ticket, &name(&deputy.id)).await.unwrap();
    assert!(matches!(work::act(&state, &community, &ticket, &close("办结")).await, Err(BackendError::Forbidden)));
    backend::auth::set_active(&state, &admin.who(), &deputy.id, false).await.unwrap();
    let page = work::appeal_page(&state, &community, &ticket).await.unwrap();
    assert_eq!(page.owner, None);
    assert!(page.actions.contains(&Action::Close));
    work::act(&state, &community, &ticket, &close("已清运")).await.unwrap();
    assert_eq!(appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap().status.as_str(), "closed");
}
both_engines!(a_leader_is_unnamed_or_ignored_once_deactivated);

async fn a_hand_over_lapses_notices_and_a_leader_outside_the_subtree(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let deputy = common::staff(&state, "deputy", "U-HD01", "dispatcher").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let neighbour = common::staff(&state, "neighbour", "U-HD0102", "unit_handler").await;
    let (ticket, _) = appeal(&state).await;
    work::act(&state, &street, &ticket, &name(&deputy.id)).await.unwrap();
    work::act(&state, &street, &ticket, &notice("supervision", "请说明", "2026-11-24", false)).await.unwrap();
    let id = backend::store::notices::for_ticket(&state.db.pool, &ticket).await.unwrap()[0].id.clone();

    // A transfer inside the street's subtree: the leader stays, the old unit's notice lapses.
    let to_neighbour = Act::Transfer { to_unit: "U-HD0102".into(), reason: "属邻社区".into() };
    work::act(&state, &community, &ticket, &to_neighbour).await.unwrap();
    let answer = Act::AnswerNotice { id: id.clone(), body: "已处理".into() };
    // The old unit can no longer even see it; the new one did not receive the notice.
    assert!(matches!(work::act(&state, &community, &ticket, &answer).await, Err(BackendError::NotFound)));
    assert!(matches!(
        work::act(&state, &neighbour, &ticket, &answer).await,
        Err(BackendError::Conflict(Msg::ErrNoticeUnknown))
    ));
    // Past its day it is shown lapsed, not overdue, and flags nobody's inbox.
    clock.advance(time::Duration::days(3));
    let page = work::appeal_page(&state, &neighbour, &ticket).await.unwrap();
    assert_eq!(page.hand_notices.len(), 1);
    let n = &page.hand_notices[0];
    assert!(n.lapsed && !n.overdue && n.answer.is_none(), "{n:?}");
    let noticed = InboxFilter { due: "noticed".into(), ..InboxFilter::default() };
    assert!(work::inbox(&state, &neighbour, &noticed).await.unwrap().items.is_empty());
    assert!(work::inbox(&state, &neighbour, &InboxFilter::default()).await.unwrap().items.iter().all(|i| !i.noticed));

    // The leader still signs the close, not the new unit.
    assert_eq!(page.owner.as_ref().map(|o| o.0.as_str()), Some(deputy.id.as_str()));
    work::act(&state, &neighbour, &ticket, &Act::Sign).await.unwrap();
    assert!(matches!(work::act(&state, &neighbour, &ticket, &close("办结")).await, Err(BackendError::Forbidden)));
    work::act(&state, &deputy, &ticket, &close("已协调邻社区办结")).await.unwrap();

    // Out of the street's subtree (to another street): the naming lapses, the leader is told.
    let (other, _) = appeal(&state).await;
    work::act(&state, &street, &other, &name(&deputy.id)).await.unwrap();
    let away = Act::Transfer { to_unit: "U-HD02".into(), reason: "属另一街道".into() };
    work::act(&state, &community, &other, &away).await.unwrap();
    assert_eq!(backend::store::notices::owner(&state.db.pool, &other).await.unwrap(), None);
    assert_eq!(to_member(&state, &other, &deputy.id).await, ["owner_named", "owner_removed"]);
    let (action, detail) = audited(&state, &other).await.pop().unwrap();
    assert_eq!((action.as_str(), &detail["owner_lapsed"]), ("transfer", &json!(deputy.id)));
    let ev = appeals::all_events(&state.db.pool, &other).await.unwrap();
    let removed = ev.iter().find(|e| e.kind.as_str() == "owner_removed").unwrap();
    let d = domain::events::EventDetail::parse(removed.detail.as_deref()).unwrap();
    assert_eq!((d.previous.as_deref(), d.from.as_deref()), (Some("deputy"), Some("U-HD0101")));
}
both_engines!(a_hand_over_lapses_notices_and_a_leader_outside_the_subtree);

async fn a_co_handler_does_not_answer_the_units_notice(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let district = common::staff(&state, "district", "U-HD", "dispatcher").await;
    let market = common::staff(&state, "market", "D-HD-market", "unit_handler").await;
    let (ticket, _) = appeal(&state).await;
    common::force(&state, &ticket, "U-HD01", "in_progress").await;
    work::act(
        &state,
        &street,
        &ticket,
        &Act::Summon { units: vec!["D-HD-market".into()], note: String::new(), days: String::new() },
    )
    .await
    .unwrap();
    work::act(&state, &district, &ticket, &notice("assignment", "请办理", "2026-11-25", false)).await.unwrap();
    let id = backend::store::notices::for_ticket(&state.db.pool, &ticket).await.unwrap()[0].id.clone();
    let answer = Act::AnswerNotice { id, body: "我们来答".into() };
    assert!(matches!(work::act(&state, &market, &ticket, &answer).await, Err(BackendError::Forbidden)));
    assert!(!work::appeal_page(&state, &market, &ticket).await.unwrap().actions.contains(&Action::AnswerNotice));
    work::act(&state, &street, &ticket, &answer).await.unwrap();
}
both_engines!(a_co_handler_does_not_answer_the_units_notice);

/// The leader in charge gets the appeal's automatic notices too (the supervision job's 预警, 督办
/// and escalation), not only the ones issued by hand; a leader named above the unit the appeal
/// escalates to stays in charge and hears of it.
async fn the_leader_hears_the_automatic_notices(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let chief = common::staff(&state, "chief", "U-HD", "dispatcher").await;
    let (ticket, _) = appeal(&state).await;
    work::act(&state, &chief, &ticket, &name(&chief.id)).await.unwrap();
    let mut escalated = false;
    for _ in 0..120 {
        clock.advance(time::Duration::hours(12));
        let r = backend::services::supervision::run(&state, 100).await.unwrap();
        if r.escalations > 0 {
            escalated = true;
            break;
        }
    }
    assert!(escalated, "the job escalates an unanswered appeal within 60 days");
    // Named at the district, the chief stays in charge of the street's appeal.
    assert_eq!(
        backend::store::notices::owner(&state.db.pool, &ticket).await.unwrap().map(|o| o.0),
        Some(chief.id.clone())
    );
    assert_eq!(to_member(&state, &ticket, &chief.id).await, ["owner_named", "warning", "supervision", "escalated"]);
    // The units are told as before: the leader's message is in addition.
    let units: Vec<String> = outbox::for_ticket(&state.db.pool, &ticket)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.audience == "unit")
        .map(|m| m.kind)
        .collect();
    for kind in ["warning", "supervision", "escalated"] {
        assert!(units.iter().any(|k| k == kind), "{kind} to a unit: {units:?}");
    }
}
both_engines!(the_leader_hears_the_automatic_notices);
