//! Follow-up calls (回访) and reply templates (issue 13), on SQLite and PostgreSQL: who is in the
//! callback queue and why (dispatchers above the handling unit only; anonymous appeals never),
//! recording outcomes (not reached stays, three make the resident unreachable, reached leaves),
//! who is refused (the handling unit, co-handlers, grid workers, admins), a call within the rating
//! window leaving the rating to the resident, a 不满意 on a call after it reopening one level up
//! under supervision; templates' admin-only CRUD with audited previous texts, validation, and the
//! appeal page offering only its category's templates.

use crate::common;

use backend::auth::Staff;
use backend::clock::Clock as _;
use backend::services::callbacks;
use backend::services::templates;
use backend::services::work::{self, Act};
use backend::services::{resident, supervision, track};
use backend::store::{appeals, outbox, supervision as sup};
use backend::{AppState, BackendError};
use common::Engine;
use domain::callback::QueueReason;
use domain::{FieldName, Msg};
use time::Duration;

/// A named sanitation appeal in community HD0101, signed and closed by the community; returns
/// the ticket and the resident's (ticket, key).
async fn closed_appeal(state: &AppState, community: &Staff, phone: &str) -> (String, (String, String)) {
    let (ticket, draft) = common::appeal_at(
        state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "named"), ("name", "赵"), ("phone", phone)],
    )
    .await;
    work::act(state, community, &ticket, &Act::Sign).await.unwrap();
    work::act(state, community, &ticket, &Act::Close { resolution: "已清理".into() }).await.unwrap();
    let creds = common::receipt(state, &draft).await;
    (ticket, creds)
}

/// The queue as `staff` sees it: (ticket, reason, attempts), sorted by ticket; also checks that
/// the total shown is the queue's size (one page here).
async fn queue(state: &AppState, staff: &Staff) -> Vec<(String, QueueReason, i64)> {
    let page = callbacks::queue(state, staff, 1).await.unwrap();
    assert_eq!((page.total, page.page, page.pages), (i64::try_from(page.items.len()).unwrap(), 1, 1));
    let mut q: Vec<_> = page.items.into_iter().map(|i| (i.ticket, i.reason, i.attempts)).collect();
    q.sort();
    q
}

/// The staff timeline's (kind, actor_name, detail) of an appeal.
async fn events(state: &AppState, ticket: &str) -> Vec<(String, Option<String>, Option<String>)> {
    appeals::all_events(&state.db.pool, ticket)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind.as_str().to_owned(), e.actor_name, e.detail))
        .collect()
}

fn sorted(mut v: Vec<(String, QueueReason, i64)>) -> Vec<(String, QueueReason, i64)> {
    v.sort();
    v
}

async fn rating_row(state: &AppState, ticket: &str, cycle: i64) -> Option<(String, String)> {
    sqlx::query_as("SELECT rating, channel FROM ratings WHERE ticket = $1 AND cycle = $2")
        .bind(ticket)
        .bind(cycle)
        .fetch_optional(&state.db.pool)
        .await
        .unwrap()
}

async fn kinds(state: &AppState, ticket: &str) -> Vec<(String, bool)> {
    appeals::all_events(&state.db.pool, ticket)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind.as_str().to_owned(), e.public != 0))
        .collect()
}

/// The street closes a round that came up to it after a 不满意.
async fn street_closes(state: &AppState, street: &Staff, ticket: &str) {
    let a = appeals::full(&state.db.pool, ticket).await.unwrap().unwrap();
    assert_eq!(a.unit, "U-HD01");
    if a.status.as_str() == "assigned" {
        work::act(state, street, ticket, &Act::Sign).await.unwrap();
    }
    work::act(state, street, ticket, &Act::Close { resolution: "街道协调每日清运".into() }).await.unwrap();
}

async fn queue_membership_follows_ratings_and_the_window(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let district = common::staff(&state, "district", "U-HD", "dispatcher").await;
    let (unrated, _) = closed_appeal(&state, &community, "13700000001").await;
    // Anonymous: nobody to call, never in a queue (and recording refuses it, below).
    let anonymous = common::simple_appeal(&state).await;
    work::act(&state, &community, &anonymous, &Act::Sign).await.unwrap();
    work::act(&state, &community, &anonymous, &Act::Close { resolution: "已清理".into() }).await.unwrap();
    let (satisfied, (st, sk)) = closed_appeal(&state, &community, "13700000002").await;
    let (basically, (bt, bk)) = closed_appeal(&state, &community, "13700000003").await;
    let (unsatisfied, (ut, uk)) = closed_appeal(&state, &community, "13700000004").await;
    clock.advance(Duration::days(1));
    resident::rate(&state, "ip", &st, &sk, "satisfied", "").await.unwrap();
    resident::rate(&state, "ip", &bt, &bk, "basically", "").await.unwrap();
    resident::rate(&state, "ip", &ut, &uk, "unsatisfied", "").await.unwrap();
    // Regression: the resident's own 不满意 reopens, but is no 督办 — no notice row, no
    // `supervised` event (only a 不满意 told on a call puts the new round under supervision).
    assert!(sup::notices(&state.db.pool, &unsatisfied).await.unwrap().is_empty());
    assert!(!kinds(&state, &unsatisfied).await.iter().any(|(k, _)| k == "supervised"));
    // Reopened one level up: open again, so not in the queue until it is closed again.
    assert!(!queue(&state, &district).await.iter().any(|(t, ..)| *t == unsatisfied));
    street_closes(&state, &street, &unsatisfied).await;
    // Within the window: only the rated ones (basically, and the round after a 不满意). The
    // street handles the reopened one now, so only the district above it may call it back.
    assert_eq!(queue(&state, &street).await, vec![(basically.clone(), QueueReason::Basically, 0)]);
    assert_eq!(
        queue(&state, &district).await,
        sorted(vec![
            (basically.clone(), QueueReason::Basically, 0),
            (unsatisfied.clone(), QueueReason::Unsatisfied, 0)
        ])
    );
    // The window (7 days from closing) has passed: the unrated one joins; satisfied never does,
    // nor the anonymous one.
    clock.advance(Duration::days(6) + Duration::seconds(1));
    assert_eq!(
        queue(&state, &street).await,
        sorted(vec![(unrated.clone(), QueueReason::Unrated, 0), (basically.clone(), QueueReason::Basically, 0)])
    );
    assert_eq!(
        queue(&state, &district).await,
        sorted(vec![
            (unrated.clone(), QueueReason::Unrated, 0),
            (basically.clone(), QueueReason::Basically, 0),
            (unsatisfied.clone(), QueueReason::Unsatisfied, 0),
        ])
    );
    assert!(!queue(&state, &district).await.iter().any(|(t, ..)| *t == satisfied || *t == anonymous));
    assert!(matches!(
        callbacks::record(&state, &street, &anonymous, "not_reached", "", "").await,
        Err(BackendError::Conflict(Msg::ErrCallbackNoPhone))
    ));
    assert!(backend::store::callbacks::for_ticket(&state.db.pool, &anonymous).await.unwrap().is_empty());
    // Scope: another street sees none; the community, a grid station and admins have no queue
    // (they never call: the call supervises the handling unit from above).
    let other = common::staff(&state, "other", "U-HD02", "dispatcher").await;
    assert!(queue(&state, &other).await.is_empty());
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    for s in [&community, &grid, &admin] {
        assert!(matches!(callbacks::queue(&state, s, 1).await, Err(BackendError::Forbidden)), "{}", s.unit);
    }
}
both_engines!(queue_membership_follows_ratings_and_the_window);

async fn outcomes_not_reached_stays_reached_leaves(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let (unrated, (t, key)) = closed_appeal(&state, &community, "13700000001").await;
    let (basically, (bt, bk)) = closed_appeal(&state, &community, "13700000003").await;
    resident::rate(&state, "ip", &bt, &bk, "basically", "").await.unwrap();
    // Not in the queue yet (within the window): nothing to record.
    assert!(matches!(
        callbacks::record(&state, &street, &unrated, "not_reached", "", "").await,
        Err(BackendError::Conflict(Msg::ErrCallbackNotDue))
    ));
    clock.advance(Duration::days(8));
    // Bad forms: each field's message, nothing stored.
    match callbacks::record(&state, &street, &unrated, "", "", "").await {
        Err(BackendError::Invalid(e)) => {
            assert_eq!(e.iter().map(|e| e.field).collect::<Vec<_>>(), [FieldName::Outcome]);
        }
        other => panic!("{other:?}"),
    }
    match callbacks::record(&state, &street, &unrated, "reached", "great", "").await {
        Err(BackendError::Invalid(e)) => {
            assert_eq!(e[0].field, FieldName::Rating);
        }
        other => panic!("{other:?}"),
    }
    // Outside the caller's scope: not found; admins: refused.
    let other = common::staff(&state, "other", "U-HD02", "dispatcher").await;
    assert!(matches!(
        callbacks::record(&state, &other, &unrated, "not_reached", "", "").await,
        Err(BackendError::NotFound)
    ));
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    assert!(matches!(
        callbacks::record(&state, &admin, &unrated, "not_reached", "", "").await,
        Err(BackendError::Forbidden)
    ));
    // The handling unit may see it but never calls back (rates) its own work; a grid station
    // below it does not even see it.
    assert!(matches!(
        callbacks::record(&state, &community, &unrated, "reached", "satisfied", "").await,
        Err(BackendError::Forbidden)
    ));
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    assert!(matches!(
        callbacks::record(&state, &grid, &unrated, "reached", "satisfied", "").await,
        Err(BackendError::NotFound)
    ));
    assert!(backend::store::callbacks::for_ticket(&state.db.pool, &unrated).await.unwrap().is_empty());

    // Two calls that did not get through: still waiting, counted.
    callbacks::record(&state, &street, &unrated, "not_reached", "", "无人接听").await.unwrap();
    clock.advance(Duration::hours(3));
    callbacks::record(&state, &street, &unrated, "not_reached", "", "").await.unwrap();
    let items = callbacks::queue(&state, &street, 1).await.unwrap().items;
    let item = items.iter().find(|i| i.ticket == unrated).unwrap();
    assert_eq!((item.attempts, item.last_attempt_at), (2, Some(clock.ts())));
    // Reached and satisfied (after the window): it leaves; the call's answer counts as the
    // round's rating.
    callbacks::record(&state, &street, &unrated, "reached", "satisfied", "已清理干净").await.unwrap();
    assert!(!queue(&state, &street).await.iter().any(|(t, ..)| *t == unrated));
    assert_eq!(rating_row(&state, &unrated, 1).await, Some(("satisfied".into(), "callback".into())));
    assert!(matches!(
        callbacks::record(&state, &street, &unrated, "not_reached", "", "").await,
        Err(BackendError::Conflict(Msg::ErrCallbackNotDue))
    ));
    // Reached about a 基本满意: it leaves, and the resident's own rating stands.
    callbacks::record(&state, &street, &basically, "reached", "satisfied", "").await.unwrap();
    assert_eq!(queue(&state, &street).await, vec![]);
    assert_eq!(rating_row(&state, &basically, 1).await, Some(("basically".into(), "resident".into())));
    // Staff-only timeline events, one per call; the resident's track page shows none.
    let ev = kinds(&state, &unrated).await;
    assert_eq!(ev.iter().filter(|(k, _)| k == "callback").count(), 3);
    assert!(ev.iter().filter(|(k, _)| k == "callback").all(|(_, public)| !public));
    let view = track::track(&state, "ip", &t, &key).await.unwrap();
    assert!(view.events.iter().all(|e| e.kind.as_str() != "callback"));
    // Audited, in an intact chain.
    let log = backend::store::audit::recent(&state.db.pool, Some(&unrated), Some("callback"), None, 10).await.unwrap();
    assert_eq!(log.len(), 3);
    assert!(log[0].detail.contains("\"reached\":true"));
    assert_eq!(backend::audit::verify(&state.db.pool).await.unwrap().first_broken, None);
}
both_engines!(outcomes_not_reached_stays_reached_leaves);

async fn unsatisfied_on_a_call_reopens_one_level_up_and_supervises(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let (ticket, _) = closed_appeal(&state, &community, "13700137000").await;
    clock.advance(Duration::days(8));
    // The street (overseeing the community) makes the call.
    callbacks::record(&state, &street, &ticket, "reached", "unsatisfied", "垃圾又堆起来了").await.unwrap();
    let a = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    assert_eq!((a.status.as_str(), a.unit.as_str(), a.cycle, a.supervised), ("assigned", "U-HD01", 2, 1));
    assert_eq!(a.clock_start_at, clock.ts());
    assert_eq!(rating_row(&state, &ticket, 1).await, Some(("unsatisfied".into(), "callback".into())));
    let ev = kinds(&state, &ticket).await;
    let tail: Vec<&str> = ev.iter().rev().take(3).rev().map(|(k, _)| k.as_str()).collect();
    assert_eq!(tail, ["callback", "reopened_unsatisfied", "supervised"]);
    // The reopening names the staff member who recorded the call (the staff timeline).
    let reopen = events(&state, &ticket).await.into_iter().find(|(k, ..)| k == "reopened_unsatisfied").unwrap();
    assert_eq!(reopen.1.as_deref(), Some("street (street)"));
    // A supervision notice of its own for the new round, counted like the job's.
    let notices: Vec<(i64, String, String)> = sup::notices(&state.db.pool, &ticket)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.cycle, n.deadline, n.stage))
        .collect();
    assert_eq!(notices, vec![(2, "callback".into(), "supervision".into())]);
    let out: Vec<(String, String)> =
        outbox::for_ticket(&state.db.pool, &ticket).await.unwrap().into_iter().map(|m| (m.kind, m.recipient)).collect();
    for expected in
        [("new_assignment", "U-HD01"), ("supervision", "U-HD01"), ("supervision", "U-HD"), ("reopened", "13700137000")]
    {
        assert!(out.contains(&(expected.0.into(), expected.1.into())), "{expected:?} in {out:?}");
    }
    let log = backend::store::audit::recent(&state.db.pool, Some(&ticket), None, None, 10).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"callback") && actions.contains(&"supervise"), "{actions:?}");
    // The job's own notices of the new round still fire when it is overdue.
    clock.set(time::OffsetDateTime::from_unix_timestamp(a.deadline_at + 1).unwrap());
    // (Twice: an overdue sign-for escalates first, and a run escalates and stops there.)
    supervision::run(&state, 100).await.unwrap();
    supervision::run(&state, 100).await.unwrap();
    assert!(sup::notices(&state.db.pool, &ticket)
        .await
        .unwrap()
        .iter()
        .any(|n| n.cycle == 2 && n.deadline == "resolve" && n.stage == "supervision"));
    // Closed again, it is called back at once (the round after a 不满意).
    let a = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    let closer = if a.unit == "U-HD01" {
        street.clone()
    } else {
        common::staff(&state, "district", &a.unit, "dispatcher").await
    };
    if a.status.as_str() == "assigned" {
        work::act(&state, &closer, &ticket, &Act::Sign).await.unwrap();
    }
    work::act(&state, &closer, &ticket, &Act::Close { resolution: "已协调每日清运".into() }).await.unwrap();
    // Not in the queue of the unit that closed it; in the one of the centre above it.
    assert!(queue(&state, &closer).await.is_empty());
    let above = if a.unit == "U-HD01" { "U-HD" } else { "U-SF" };
    let above = common::staff(&state, "above", above, "dispatcher").await;
    assert_eq!(queue(&state, &above).await, vec![(ticket.clone(), QueueReason::Unsatisfied, 0)]);
}
both_engines!(unsatisfied_on_a_call_reopens_one_level_up_and_supervises);

async fn co_handlers_and_the_handling_centre_are_refused(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let district = common::staff(&state, "district", "U-HD", "dispatcher").await;
    let hrss = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    // An appeal the street handles itself, with the district's labour bureau summoned.
    let (ticket, _) = closed_appeal(&state, &community, "13700000009").await;
    common::force(&state, &ticket, "U-HD01", "in_progress").await;
    work::act(
        &state,
        &street,
        &ticket,
        &Act::Summon { units: vec!["D-HD-hrss".into()], note: "请协助".into(), days: String::new() },
    )
    .await
    .unwrap();
    work::act(&state, &hrss, &ticket, &Act::ReportBack { body: "已协调".into() }).await.unwrap();
    work::act(&state, &street, &ticket, &Act::Close { resolution: "已清理".into() }).await.unwrap();
    clock.advance(Duration::days(8));
    for (who, what) in [(&street, "the handling centre"), (&hrss, "a co-handler")] {
        assert!(
            matches!(
                callbacks::record(&state, who, &ticket, "reached", "satisfied", "").await,
                Err(BackendError::Forbidden)
            ),
            "{what}"
        );
    }
    assert!(!queue(&state, &street).await.iter().any(|(t, ..)| *t == ticket));
    assert!(matches!(callbacks::queue(&state, &hrss, 1).await, Err(BackendError::Forbidden)));
    assert!(backend::store::callbacks::for_ticket(&state.db.pool, &ticket).await.unwrap().is_empty());
    // The district above the street may.
    assert_eq!(queue(&state, &district).await.iter().filter(|(t, ..)| *t == ticket).count(), 1);
    callbacks::record(&state, &district, &ticket, "reached", "satisfied", "").await.unwrap();
    assert_eq!(rating_row(&state, &ticket, 1).await, Some(("satisfied".into(), "callback".into())));
}
both_engines!(co_handlers_and_the_handling_centre_are_refused);

async fn three_calls_not_reached_make_the_resident_unreachable(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let (ticket, _) = closed_appeal(&state, &community, "13700000001").await;
    let (other, _) = closed_appeal(&state, &community, "13700000002").await;
    clock.advance(Duration::days(8));
    for n in 1..=2 {
        callbacks::record(&state, &street, &ticket, "not_reached", "", "").await.unwrap();
        assert_eq!(
            queue(&state, &street).await,
            sorted(vec![(ticket.clone(), QueueReason::Unrated, n), (other.clone(), QueueReason::Unrated, 0)])
        );
        clock.advance(Duration::hours(2));
    }
    // The third: it leaves the queue (the rest stays, and the total says so), as unreachable.
    callbacks::record(&state, &street, &ticket, "not_reached", "", "空号").await.unwrap();
    assert_eq!(queue(&state, &street).await, vec![(other.clone(), QueueReason::Unrated, 0)]);
    assert!(matches!(
        callbacks::record(&state, &street, &ticket, "not_reached", "", "").await,
        Err(BackendError::Conflict(Msg::ErrCallbackNotDue))
    ));
    let calls: Vec<Option<String>> = events(&state, &ticket)
        .await
        .into_iter()
        .filter(|(k, ..)| k == "callback")
        .map(|(_, _, d)| domain::events::EventDetail::parse(d.as_deref()).and_then(|d| d.reason))
        .collect();
    assert_eq!(calls, [None, None, Some("unreachable".to_owned())]);
    let log = backend::store::audit::recent(&state.db.pool, Some(&ticket), Some("callback"), None, 10).await.unwrap();
    assert_eq!(log.iter().filter(|r| r.detail.contains("\"unreachable\":true")).count(), 1);
    assert_eq!(rating_row(&state, &ticket, 1).await, None);
}
both_engines!(three_calls_not_reached_make_the_resident_unreachable);

async fn a_call_within_the_window_leaves_the_rating_to_the_resident(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let district = common::staff(&state, "district", "U-HD", "dispatcher").await;
    let (ticket, (t, key)) = closed_appeal(&state, &community, "13700000001").await;
    resident::rate(&state, "ip", &t, &key, "unsatisfied", "").await.unwrap();
    street_closes(&state, &street, &ticket).await;
    // The round after a 不满意 waits for a call at once, inside the resident's window.
    clock.advance(Duration::days(1));
    assert!(track::track(&state, "ip", &t, &key).await.unwrap().can_rate);
    callbacks::record(&state, &district, &ticket, "reached", "unsatisfied", "还是没人管").await.unwrap();
    // Recorded (with what was said), out of the queue, but no rating and no reopening: the
    // resident still rates round 2 themselves.
    assert_eq!(
        backend::store::callbacks::for_ticket(&state.db.pool, &ticket).await.unwrap(),
        vec![(2, true, Some("unsatisfied".to_owned()))]
    );
    assert_eq!(rating_row(&state, &ticket, 2).await, None);
    let a = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    assert_eq!((a.status.as_str(), a.cycle), ("closed", 2));
    assert!(track::track(&state, "ip", &t, &key).await.unwrap().can_rate);
    assert!(queue(&state, &district).await.is_empty());
    let log = backend::store::audit::recent(&state.db.pool, Some(&ticket), Some("callback"), None, 10).await.unwrap();
    assert!(
        log[0].detail.contains("\"in_rating_window\":true") && log[0].detail.contains("\"counted_as_rating\":false")
    );
    resident::rate(&state, "ip", &t, &key, "satisfied", "").await.unwrap();
    assert_eq!(rating_row(&state, &ticket, 2).await, Some(("satisfied".into(), "resident".into())));
}
both_engines!(a_call_within_the_window_leaves_the_rating_to_the_resident);

async fn reply_templates_are_admins_and_shown_by_category(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let admin = common::staff(&state, "admin", "U-SF", "admin").await.who();
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    // Non-admins may neither list nor change them.
    assert!(matches!(templates::list(&state, &street.who()).await, Err(BackendError::Forbidden)));
    assert!(matches!(
        templates::save(&state, &street.who(), "", "sanitation", "已清理", "您好，已清理。").await,
        Err(BackendError::Forbidden)
    ));
    // Validation: every field's problem at once.
    match templates::save(&state, &admin, "", "no_such", " ", "").await {
        Err(BackendError::Invalid(e)) => {
            assert_eq!(
                e.iter().map(|e| e.field).collect::<Vec<_>>(),
                [FieldName::Category, FieldName::Title, FieldName::Body]
            );
        }
        other => panic!("{other:?}"),
    }
    let clean = templates::save(&state, &admin, "", "sanitation", "已清理", "您好，已安排清运。").await.unwrap();
    let wages = templates::save(&state, &admin, "", "wage_arrears", "已追回", "您好，工资已追回。").await.unwrap();
    assert!(matches!(templates::delete(&state, &street.who(), &clean).await, Err(BackendError::Forbidden)));
    templates::save(&state, &admin, &clean, "sanitation", "已清理完毕", "您好，已安排每日清运。").await.unwrap();
    assert!(matches!(
        templates::save(&state, &admin, "nope", "sanitation", "x", "y").await,
        Err(BackendError::NotFound)
    ));
    let all = templates::list(&state, &admin).await.unwrap();
    assert_eq!(
        all.iter().map(|x| (x.category.as_str(), x.title.as_str())).collect::<Vec<_>>(),
        [("sanitation", "已清理完毕"), ("wage_arrears", "已追回")]
    );
    // The appeal page offers its category's templates under the reply form, to who may reply.
    let ticket = common::simple_appeal(&state).await;
    assert!(
        work::appeal_page(&state, &community, &ticket).await.unwrap().reply_templates.is_empty(),
        "no reply before signing"
    );
    work::act(&state, &community, &ticket, &Act::Sign).await.unwrap();
    let page = work::appeal_page(&state, &community, &ticket).await.unwrap();
    assert_eq!(page.reply_templates.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(), [clean.as_str()]);
    assert_eq!(page.reply_templates[0].body, "您好，已安排每日清运。");
    assert!(
        work::appeal_page(&state, &street, &ticket).await.unwrap().reply_templates.is_empty(),
        "the street may not reply"
    );
    templates::delete(&state, &admin, &clean).await.unwrap();
    assert!(matches!(templates::delete(&state, &admin, &clean).await, Err(BackendError::NotFound)));
    assert!(work::appeal_page(&state, &community, &ticket).await.unwrap().reply_templates.is_empty());
    let log = backend::store::audit::recent(&state.db.pool, None, None, None, 50).await.unwrap();
    let actions: Vec<&str> =
        log.iter().rev().map(|r| r.action.as_str()).filter(|a| a.starts_with("template_")).collect();
    assert_eq!(actions, ["template_add", "template_add", "template_edit", "template_delete"]);
    // The edit keeps the previous title and text; the delete keeps what was deleted.
    let detail = |action: &str| log.iter().find(|r| r.action == action).unwrap().detail.clone();
    let edit = detail("template_edit");
    assert!(edit.contains("[\"已清理\",\"已清理完毕\"]") && edit.contains("您好，已安排清运。"), "{edit}");
    let gone = detail("template_delete");
    assert!(gone.contains("已清理完毕") && gone.contains("您好，已安排每日清运。"), "{gone}");
    let _ = wages;
}
both_engines!(reply_templates_are_admins_and_shown_by_category);
