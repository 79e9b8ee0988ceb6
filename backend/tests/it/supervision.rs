//! Deadlines and supervision with a moved clock, on SQLite and PostgreSQL: on time, warned,
//! supervised, auto-escalated, extensions, unsatisfied → reopened up a level, concurrent and
//! interrupted job runs, the outbox's retries, holidays and the rating window.

use crate::common;

use backend::clock::Clock as _;
use backend::notify::{self, Sink};
use backend::services::supervision::{self, RunReport};
use backend::services::work::{self, Act};
use backend::services::{resident, track};
use backend::store::{appeals, outbox, supervision as sup};
use backend::{AppState, BackendError};
use common::Engine;
use domain::Msg;
use time::{Duration, OffsetDateTime};

fn at(ts: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(ts).unwrap()
}

async fn notices(state: &AppState, ticket: &str) -> Vec<(i64, String, String)> {
    sup::notices(&state.db.pool, ticket).await.unwrap().into_iter().map(|n| (n.cycle, n.deadline, n.stage)).collect()
}

async fn outbox_kinds(state: &AppState, ticket: &str) -> Vec<(String, String)> {
    outbox::for_ticket(&state.db.pool, ticket).await.unwrap().into_iter().map(|m| (m.kind, m.recipient)).collect()
}

/// A wage appeal (10 working days, to D-HD-hrss), signed at once so only the resolve deadline runs.
async fn signed_wage_appeal(state: &AppState) -> (String, common::DraftRef) {
    let (ticket, token) = common::appeal_at(
        state,
        "wage_arrears",
        &[("district", "HD")],
        &[("identity", "named"), ("name", "王师傅"), ("phone", "13800138000")],
    )
    .await;
    let hrss = common::staff(state, &format!("h{}", &ticket[2..8].to_lowercase()), "D-HD-hrss", "unit_handler").await;
    work::act(state, &hrss, &ticket, &Act::Sign).await.unwrap();
    (ticket, token)
}

async fn on_time_means_no_notice(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let (ticket, _) = signed_wage_appeal(&state).await;
    let hrss = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    clock.advance(Duration::days(3));
    work::act(&state, &hrss, &ticket, &Act::Close { resolution: "已追回工资".into() }).await.unwrap();
    clock.advance(Duration::days(30));
    let r = supervision::run(&state, 100).await.unwrap();
    assert_eq!(r, RunReport::default());
    assert!(notices(&state, &ticket).await.is_empty());
}
both_engines!(on_time_means_no_notice);

async fn warned_then_supervised_then_escalated_once_each(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let (ticket, _) = signed_wage_appeal(&state).await;
    let a = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    let (start, due) = (a.clock_start_at, a.deadline_at);
    let warn = start + (due - start) * 3 / 4;
    // Just before the 75 % point: nothing.
    clock.set(at(warn - 60));
    assert_eq!(supervision::run(&state, 100).await.unwrap().warnings, 0);
    // At it: one warning to the unit, once, however often the job runs.
    clock.set(at(warn));
    assert_eq!(supervision::run(&state, 100).await.unwrap().warnings, 1);
    assert_eq!(supervision::run(&state, 100).await.unwrap(), RunReport::default());
    assert_eq!(notices(&state, &ticket).await, vec![(1, "resolve".into(), "warning".into())]);
    assert!(outbox_kinds(&state, &ticket).await.contains(&("warning".into(), "D-HD-hrss".into())));
    let inbox = work::inbox(
        &state,
        &common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await,
        &domain::staff::InboxFilter { due: "soon".into(), ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!(inbox.items.iter().map(|i| i.ticket.as_str()).collect::<Vec<_>>(), [ticket.as_str()]);
    // Past the deadline: 督办, marked on the appeal, the unit and its parent told, the resident sees it.
    clock.set(at(due + 1));
    assert_eq!(supervision::run(&state, 100).await.unwrap().supervisions, 1);
    let a = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    assert_eq!(a.supervised, 1);
    let msgs = outbox_kinds(&state, &ticket).await;
    assert!(msgs.contains(&("supervision".into(), "D-HD-hrss".into())));
    assert!(msgs.contains(&("supervision".into(), "U-HD".into())), "the department's parent: the district centre");
    // After the grace (24 h): up one level, once.
    clock.set(at(due + 24 * 3600 - 60));
    assert_eq!(supervision::run(&state, 100).await.unwrap().escalations, 0);
    clock.set(at(due + 24 * 3600 + 1));
    assert_eq!(supervision::run(&state, 100).await.unwrap().escalations, 1);
    assert_eq!(supervision::run(&state, 100).await.unwrap(), RunReport::default());
    let a = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    assert_eq!((a.unit.as_str(), a.status.as_str()), ("U-HD", "assigned"));
    assert_eq!(
        notices(&state, &ticket).await,
        vec![
            (1, "resolve".into(), "warning".into()),
            (1, "resolve".into(), "supervision".into()),
            (1, "resolve".into(), "escalation".into())
        ]
    );
    let kinds: Vec<String> = appeals::all_events(&state.db.pool, &ticket)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind.as_str().to_owned())
        .collect();
    assert_eq!(kinds.iter().filter(|k| ["warning", "supervised", "auto_escalated"].contains(&k.as_str())).count(), 3);
    let audit: Vec<String> = backend::store::audit::recent(&state.db.pool, Some(&ticket), None, None, 20)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert!(audit.contains(&"supervise".into()) && audit.contains(&"auto_escalate".into()));
    assert_eq!(backend::audit::verify(&state.db.pool).await.unwrap().first_broken, None);
}
both_engines!(warned_then_supervised_then_escalated_once_each);

async fn an_unsigned_urgent_appeal_is_supervised_in_hours(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let (ticket, _) = common::appeal_at(
        &state,
        "safety_hazard",
        &[("lat", "35.485"), ("lng", "106.605")],
        &[("identity", "anonymous")],
    )
    .await;
    let a = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    assert_eq!(a.sign_by_at - a.submitted_at, 2 * 3600, "urgent: sign within 2 hours");
    clock.advance(Duration::hours(2) + Duration::seconds(1));
    let r = supervision::run(&state, 100).await.unwrap();
    assert_eq!((r.warnings, r.supervisions), (1, 1), "the sign-for deadline's warning and supervision");
    // Both fired in the same run; listed by time, then deadline and stage name.
    assert_eq!(
        notices(&state, &ticket).await,
        vec![(1, "sign".into(), "supervision".into()), (1, "sign".into(), "warning".into())]
    );
}
both_engines!(an_unsigned_urgent_appeal_is_supervised_in_hours);

async fn concurrent_runs_fire_each_notice_once(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let mut tickets = Vec::new();
    for _ in 0..4 {
        tickets.push(signed_wage_appeal(&state).await.0);
    }
    let due = appeals::full(&state.db.pool, &tickets[0]).await.unwrap().unwrap().deadline_at;
    clock.set(at(due + 1));
    // Two runs at once (two nodes on one database): between them, each appeal warned and
    // supervised exactly once.
    let (r1, r2) = tokio::join!(supervision::run(&state, 100), supervision::run(&state, 100));
    let (r1, r2) = (r1.unwrap(), r2.unwrap());
    assert_eq!(r1.warnings + r2.warnings, 4);
    assert_eq!(r1.supervisions + r2.supervisions, 4);
    for t in &tickets {
        assert_eq!(notices(&state, t).await.len(), 2);
        let warnings = outbox_kinds(&state, t).await.into_iter().filter(|(k, _)| k == "warning").count();
        assert_eq!(warnings, 1);
    }
}
both_engines!(concurrent_runs_fire_each_notice_once);

/// Makes every transaction that queues a message for `ticket` fail (a node dying half-way
/// through that appeal), or stops doing so.
async fn fail_messages_for(state: &AppState, ticket: Option<&str>) {
    use backend::db::Engine as E;
    let statements: Vec<String> = match (state.db.engine, ticket) {
        (E::Sqlite, Some(t)) => vec![format!(
            "CREATE TRIGGER pingan_test_fail BEFORE INSERT ON outbox WHEN NEW.ticket = '{t}' \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )],
        (E::Sqlite, None) => vec!["DROP TRIGGER pingan_test_fail".into()],
        (E::Postgres, Some(t)) => vec![
            format!(
                "CREATE FUNCTION pingan_test_fail() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN \
                 IF NEW.ticket = '{t}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $f$"
            ),
            "CREATE TRIGGER pingan_test_fail BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION pingan_test_fail()"
                .into(),
        ],
        (E::Postgres, None) => {
            vec!["DROP TRIGGER pingan_test_fail ON outbox".into(), "DROP FUNCTION pingan_test_fail()".into()]
        }
    };
    for sql in statements {
        sqlx::query(&sql).execute(&state.db.pool).await.unwrap();
    }
}

async fn an_interrupted_run_resumes_without_double_notices(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let mut tickets = Vec::new();
    for _ in 0..3 {
        tickets.push(signed_wage_appeal(&state).await.0);
    }
    // The job takes them by deadline, then ticket: all three are due at the same time.
    tickets.sort();
    let due = appeals::full(&state.db.pool, &tickets[0]).await.unwrap().unwrap().deadline_at;
    clock.set(at(due + 1));
    let stage_events = |t: String| {
        let pool = state.db.pool.clone();
        async move {
            appeals::all_events(&pool, &t)
                .await
                .unwrap()
                .into_iter()
                .filter(|e| matches!(e.kind.as_str(), "warning" | "supervised"))
                .count()
        }
    };
    // The run dies in the middle of the second appeal's transaction (its first message fails).
    fail_messages_for(&state, Some(&tickets[1])).await;
    assert!(supervision::run(&state, 100).await.is_err(), "the injected failure stops the run");
    fail_messages_for(&state, None).await;
    // The first appeal was handled and stays handled; nothing of the second one's transaction
    // is left (no notice row, no event, no message); the third was not reached.
    assert_eq!(notices(&state, &tickets[0]).await.len(), 2);
    assert_eq!(stage_events(tickets[0].clone()).await, 2);
    for t in &tickets[1..] {
        assert!(notices(&state, t).await.is_empty(), "{t}");
        assert_eq!(stage_events(t.clone()).await, 0, "{t}");
        assert!(!outbox_kinds(&state, t).await.iter().any(|(k, _)| k == "warning" || k == "supervision"), "{t}");
    }
    // The next run finishes the other two; each notice fires once, and a third run has nothing.
    let rest = supervision::run(&state, 100).await.unwrap();
    assert_eq!((rest.appeals, rest.warnings, rest.supervisions), (2, 2, 2));
    assert_eq!(supervision::run(&state, 100).await.unwrap(), RunReport::default());
    for t in &tickets {
        assert_eq!(notices(&state, t).await.len(), 2, "{t}");
        assert_eq!(stage_events(t.clone()).await, 2, "{t}");
    }
}
both_engines!(an_interrupted_run_resumes_without_double_notices);

async fn extensions_approved_and_refused(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let (ticket, token) = signed_wage_appeal(&state).await;
    let hrss = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    let district = common::staff(&state, "district", "U-HD", "dispatcher").await;
    let before = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap().deadline_at;
    match work::act(&state, &hrss, &ticket, &Act::RequestExtension { days: "40".into(), reason: "x".into() }).await {
        Err(BackendError::Invalid(e)) => assert_eq!(e[0].msg, Msg::ErrDaysInvalid),
        other => panic!("{other:?}"),
    }
    work::act(&state, &hrss, &ticket, &Act::RequestExtension { days: "3".into(), reason: "需要等待仲裁结果".into() })
        .await
        .unwrap();
    assert!(matches!(
        work::act(&state, &hrss, &ticket, &Act::RequestExtension { days: "3".into(), reason: "again".into() }).await,
        Err(BackendError::Conflict(Msg::ErrExtensionPending))
    ));
    let id = sup::extensions(&state.db.pool, &ticket).await.unwrap()[0].id.clone();
    // The unit cannot approve its own request; its parent (the district centre) can.
    assert!(matches!(
        work::act(&state, &hrss, &ticket, &Act::DecideExtension { id: id.clone(), approve: true, note: String::new() })
            .await,
        Err(BackendError::Forbidden)
    ));
    work::act(&state, &district, &ticket, &Act::DecideExtension { id: id.clone(), approve: true, note: "同意".into() })
        .await
        .unwrap();
    let after = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap().deadline_at;
    let cal = backend::services::deadlines::calendar(&state.db.pool).await.unwrap();
    assert_eq!(after, domain::sla::extend(&cal, at(before), 3, domain::sla::CHINA).unix_timestamp());
    assert!(after - before >= 3 * 86_400);
    // The resident sees the new deadline and the reason.
    let (t, key) = common::receipt(&state, &token).await;
    let v = track::track(&state, "ip", &t, &key).await.unwrap();
    let e = v.events.iter().find(|e| e.kind.as_str() == "extension_approved").unwrap();
    assert_eq!(e.body.as_deref(), Some("需要等待仲裁结果"));
    assert!(e.extra.as_deref().unwrap().starts_with(&domain::sla::local_text(after)[..10]));
    // A second request, refused: the deadline stays, the refusal needs a reason, and the
    // resident does not see internal back-and-forth.
    work::act(&state, &hrss, &ticket, &Act::RequestExtension { days: "5".into(), reason: "还需要".into() })
        .await
        .unwrap();
    let id2 =
        sup::extensions(&state.db.pool, &ticket).await.unwrap().into_iter().find(|e| e.decision.is_none()).unwrap().id;
    assert!(matches!(
        work::act(
            &state,
            &district,
            &ticket,
            &Act::DecideExtension { id: id2.clone(), approve: false, note: String::new() }
        )
        .await,
        Err(BackendError::Invalid(_))
    ));
    work::act(&state, &district, &ticket, &Act::DecideExtension { id: id2, approve: false, note: "请尽快办结".into() })
        .await
        .unwrap();
    assert_eq!(appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap().deadline_at, after);
    let v = track::track(&state, "ip", &t, &key).await.unwrap();
    assert!(!v
        .events
        .iter()
        .any(|e| e.kind.as_str() == "extension_refused" || e.kind.as_str() == "extension_requested"));
}
both_engines!(extensions_approved_and_refused);

async fn unsatisfied_reopens_one_level_up(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let (ticket, token) = common::appeal_at(
        &state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "named"), ("name", "赵"), ("phone", "13700137000")],
    )
    .await;
    let (t, key) = common::receipt(&state, &token).await;
    // Rating before closing is refused.
    assert!(matches!(
        resident::rate(&state, "ip", &t, &key, "satisfied", "").await,
        Err(BackendError::Conflict(Msg::ErrNotClosed))
    ));
    work::act(&state, &community, &ticket, &Act::Sign).await.unwrap();
    work::act(&state, &community, &ticket, &Act::Close { resolution: "已清理".into() }).await.unwrap();
    assert!(track::track(&state, "ip", &t, &key).await.unwrap().can_rate);
    assert!(matches!(resident::rate(&state, "ip", &t, &key, "", "").await, Err(BackendError::Invalid(_))));
    clock.advance(Duration::days(2));
    resident::rate(&state, "ip", &t, &key, "unsatisfied", "垃圾又堆起来了").await.unwrap();
    let a = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    assert_eq!((a.status.as_str(), a.unit.as_str(), a.cycle), ("assigned", "U-HD01", 2));
    assert_eq!(a.clock_start_at, clock.ts());
    assert!(a.deadline_at > clock.ts() + 5 * 86_400 - 86_400, "a fresh deadline for the new round");
    assert_eq!(a.supervised, 0);
    let v = track::track(&state, "ip", &t, &key).await.unwrap();
    assert!(!v.can_rate);
    let kinds: Vec<&str> = v.events.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.ends_with(&["rated", "reopened_unsatisfied"]));
    assert_eq!(v.events.iter().find(|e| e.kind.as_str() == "rated").unwrap().extra.as_deref(), Some("unsatisfied"));
    assert!(outbox_kinds(&state, &ticket).await.contains(&("new_assignment".into(), "U-HD01".into())));
    assert!(outbox_kinds(&state, &ticket).await.contains(&("reopened".into(), "13700137000".into())));
    // Once per round.
    assert!(matches!(
        resident::rate(&state, "ip", &t, &key, "satisfied", "").await,
        Err(BackendError::Conflict(Msg::ErrNotClosed))
    ));
    // The new round has its own notices.
    let a = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    clock.set(at(a.deadline_at + 1));
    supervision::run(&state, 100).await.unwrap();
    assert!(notices(&state, &ticket).await.iter().all(|n| n.0 == 2));
    // The street closes round two; the resident is satisfied this time.
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let a = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    if a.status.as_str() == "assigned" && a.unit == "U-HD01" {
        work::act(&state, &street, &ticket, &Act::Sign).await.unwrap();
    }
    let a = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    let closer =
        if a.unit == "U-HD01" { street } else { common::staff(&state, "district", &a.unit, "dispatcher").await };
    if a.status.as_str() == "assigned" {
        work::act(&state, &closer, &ticket, &Act::Sign).await.unwrap();
    }
    work::act(&state, &closer, &ticket, &Act::Close { resolution: "街道协调环卫每日清运".into() }).await.unwrap();
    resident::rate(&state, "ip", &t, &key, "satisfied", "").await.unwrap();
    let ratings: Vec<(i64, String)> =
        sup::ratings(&state.db.pool, &ticket).await.unwrap().into_iter().map(|r| (r.cycle, r.rating)).collect();
    assert_eq!(ratings, vec![(1, "unsatisfied".into()), (2, "satisfied".into())]);
}
both_engines!(unsatisfied_reopens_one_level_up);

async fn no_rating_after_the_window(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let (ticket, token) = common::appeal_at(
        &state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "anonymous")],
    )
    .await;
    work::act(&state, &community, &ticket, &Act::Sign).await.unwrap();
    work::act(&state, &community, &ticket, &Act::Close { resolution: "已清理".into() }).await.unwrap();
    clock.advance(Duration::days(8));
    let (t, key) = common::receipt(&state, &token).await;
    assert!(!track::track(&state, "ip", &t, &key).await.unwrap().can_rate);
    assert!(matches!(
        resident::rate(&state, "ip", &t, &key, "satisfied", "").await,
        Err(BackendError::Conflict(Msg::ErrRatingWindowOver))
    ));
    let window_start = clock.ts() - state.supervision.rating_window.whole_seconds();
    assert_eq!(sup::unrated_count(&state.db.pool, window_start).await.unwrap(), 1);
    assert_eq!(appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap().status.as_str(), "closed");
}
both_engines!(no_rating_after_the_window);

async fn residents_add_information_while_open(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let (ticket, token) = common::appeal_at(
        &state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "anonymous")],
    )
    .await;
    let (t, key) = common::receipt(&state, &token).await;
    match resident::add_information(&state, "ip", &t, &key, "太短").await {
        Err(BackendError::Invalid(e)) => assert_eq!(e[0].msg, Msg::ErrDescriptionShort),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        resident::add_information(&state, "ip", &t, "AAAAAAAAAAAAAAAAAAAAAAAAAA", "这是补充的内容，垃圾桶在东门。")
            .await,
        Err(BackendError::NotFound)
    ));
    resident::add_information(&state, "ip", &t, &key, "这是补充的内容，垃圾桶在东门。").await.unwrap();
    let kinds: Vec<String> = appeals::all_events(&state.db.pool, &ticket)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind.as_str().to_owned())
        .collect();
    assert_eq!(kinds.last().map(String::as_str), Some("supplement"));
    assert!(outbox_kinds(&state, &ticket).await.contains(&("answered".into(), "U-HD0101".into())));
}
both_engines!(residents_add_information_while_open);

async fn holidays_move_deadlines(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let admin = backend::audit::Who::system();
    // Clock: Monday 2026-11-23 09:00. Make Tuesday–Thursday holidays and Saturday a working day.
    for d in ["2026-11-24", "2026-11-25", "2026-11-26"] {
        supervision::set_holiday(&state, &admin, d, "holiday", "测试假期").await.unwrap();
    }
    supervision::set_holiday(&state, &admin, "2026-11-28", "workday", "调休").await.unwrap();
    match supervision::set_holiday(&state, &admin, "2026-13-01", "holiday", "x").await {
        Err(BackendError::Invalid(e)) => assert_eq!(e[0].msg, Msg::ErrDayInvalid),
        other => panic!("{other:?}"),
    }
    // suggestion: 15 working days; sanitation: 5. With 3 holidays and 1 make-up day: Fri 27,
    // Sat 28, Mon 30, Tue 1, Wed 2 → Wednesday 2 December.
    let (ticket, _) = common::appeal_at(
        &state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "anonymous")],
    )
    .await;
    let a = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    assert_eq!(domain::sla::local_text(a.deadline_at), "2026-12-02 23:59");
    // Signing: the next working day is Friday 27.
    assert_eq!(domain::sla::local_text(a.sign_by_at), "2026-11-27 23:59");
}
both_engines!(holidays_move_deadlines);

async fn the_outbox_retries_and_never_loses_a_message(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let (ticket, _) = signed_wage_appeal(&state).await;
    let pending = |s: &AppState| {
        let pool = s.db.pool.clone();
        async move { outbox::counts(&pool).await.unwrap() }
    };
    let (undelivered, _) = pending(&state).await;
    assert!(undelivered >= 1);
    // A gateway that answers 503 (a real HTTP POST to a listener here): every message stays,
    // with an attempt counted and a later retry time.
    let n = usize::try_from(undelivered).unwrap();
    let (url, down) = webhook_gateway(503, n);
    let failing = Sink::Webhook { url, secret: "s3cret".into() };
    let r = notify::deliver_due(&state.db.pool, &failing, "w1", clock.ts()).await.unwrap();
    assert_eq!((r.sent, r.failed), (0, n));
    assert_eq!(down.join().unwrap().len(), n, "each message was posted once");
    assert_eq!(pending(&state).await.0, undelivered);
    // Not due again yet.
    let r = notify::deliver_due(&state.db.pool, &Sink::Log, "w1", clock.ts() + 10).await.unwrap();
    assert_eq!(r.sent, 0);
    // After the back-off (30 s for a first failure) the log sink delivers all of them.
    clock.advance(Duration::seconds(31));
    let r = notify::deliver_due(&state.db.pool, &Sink::Log, "w1", clock.ts()).await.unwrap();
    assert_eq!(r.sent, usize::try_from(undelivered).unwrap());
    assert_eq!(pending(&state).await, (0, undelivered));
    let rows = outbox::for_ticket(&state.db.pool, &ticket).await.unwrap();
    assert!(rows.iter().all(|m| m.delivered_at.is_some() && m.attempts == 2 && m.last_error.is_none()));
    // Two workers at once never deliver one message twice.
    let hrss = common::staff(&state, "hrss2", "D-HD-hrss", "unit_handler").await;
    work::act(&state, &hrss, &ticket, &Act::Reply { body: "正在处理".into() }).await.unwrap();
    let (a, b) = tokio::join!(
        notify::deliver_due(&state.db.pool, &Sink::Log, "w1", clock.ts()),
        notify::deliver_due(&state.db.pool, &Sink::Log, "w2", clock.ts())
    );
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 1);
    // A file sink masks the phone number.
    let path = std::env::temp_dir().join(format!("pingan-outbox-{}.jsonl", backend::crypto::random_hex()));
    work::act(&state, &hrss, &ticket, &Act::Reply { body: "已联系用人单位".into() }).await.unwrap();
    notify::deliver_due(&state.db.pool, &Sink::File(path.clone()), "w1", clock.ts()).await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("138****8000") && !text.contains("13800138000"), "{text}");
    let _ = std::fs::remove_file(path);
    // The webhook (the SMS relay) gets the real number, signed with HMAC-SHA256 of the send
    // time and the body (the time in its own header, so a replayed request can be refused).
    work::act(&state, &hrss, &ticket, &Act::Reply { body: "已督促用人单位支付".into() }).await.unwrap();
    let (url, gateway) = webhook_gateway(200, 1);
    let sink = Sink::Webhook { url, secret: "s3cret".into() };
    let r = notify::deliver_due(&state.db.pool, &sink, "w1", clock.ts()).await.unwrap();
    assert_eq!((r.sent, r.failed), (1, 0));
    let posts = gateway.join().unwrap();
    let (head, body) = posts[0].split_once("\r\n\r\n").unwrap();
    let head = head.to_ascii_lowercase();
    assert!(head.starts_with("post /sms/send http/1.1"), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    let sig = format!("x-pingan-signature: sha256={}", notify::signature("s3cret", &format!("{}.{body}", clock.ts())));
    assert!(head.contains(&sig), "{head}");
    assert!(head.contains(&format!("x-pingan-timestamp: {}\r\n", clock.ts())), "{head}");
    assert!(!head.contains(&format!("x-pingan-signature: sha256={}", notify::signature("s3cret", body))));
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!((json["recipient"].as_str(), json["ticket"].as_str()), (Some("13800138000"), Some(ticket.as_str())));
}

/// A webhook gateway on 127.0.0.1 that takes `n` POSTs (one per connection), answers each with
/// `status`, and hands back what it received (head and body as sent).
fn webhook_gateway(status: u16, n: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/sms/send", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut got = Vec::new();
        for _ in 0..n {
            let (mut conn, _) = listener.accept().unwrap();
            conn.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head, then as many body bytes as Content-Length says.
            loop {
                let k = conn.read(&mut chunk).unwrap();
                assert!(k > 0, "connection closed before the request was complete");
                buf.extend_from_slice(&chunk[..k]);
                let text = String::from_utf8_lossy(&buf).into_owned();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    if body.len() >= len {
                        break;
                    }
                }
            }
            let reason = if status == 200 { "OK" } else { "Service Unavailable" };
            write!(conn, "HTTP/1.1 {status} {reason}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").unwrap();
            got.push(String::from_utf8(buf).unwrap());
        }
        got
    });
    (url, handle)
}
both_engines!(the_outbox_retries_and_never_loses_a_message);

/// A burst of messages (more than one claim) is delivered in one run of the worker, not one
/// batch per tick.
async fn a_burst_is_delivered_in_one_run(engine: Engine) {
    let Some(db) = common::fresh_db(engine).await else { return };
    let mut tx = db.pool.begin().await.unwrap();
    let payloads: Vec<String> = (0..130).map(|i| format!("{{\"n\":{i}}}")).collect();
    let msgs: Vec<outbox::NewMessage<'_>> = payloads
        .iter()
        .map(|p| outbox::NewMessage {
            kind: "new_assignment",
            audience: "unit",
            recipient: "U-HD0101",
            ticket: None,
            payload: p,
        })
        .collect();
    let rows: Vec<_> = msgs.iter().map(|m| (m, 1_000)).collect();
    outbox::insert_many(&mut tx, &rows).await.unwrap();
    tx.commit().await.unwrap();
    // Two messages claimed by another worker first: a batch's marks touch only its own claims.
    let held = outbox::claim(&db.pool, "w0", 1_500, 10_000, 2).await.unwrap();
    let held: Vec<i64> = held.iter().map(|m| m.id).collect();
    assert_eq!(held.len(), 2);
    outbox::delivered(&db.pool, &held, "w1", 1_600).await.unwrap();
    assert_eq!(outbox::counts(&db.pool).await.unwrap(), (130, 0), "w1 marked what w0 holds");
    // The file sink writes one line per send: each message exactly once, and each row marked
    // delivered once (one attempt), although the marks are written a batch at a time.
    let path = std::env::temp_dir().join(format!("pingan-burst-{}.jsonl", backend::crypto::random_hex()));
    let r = notify::deliver_due(&db.pool, &Sink::File(path.clone()), "w1", 2_000).await.unwrap();
    assert_eq!((r.sent, r.failed), (128, 0), "w0's claims hold until 10,000");
    let r = notify::deliver_due(&db.pool, &Sink::File(path.clone()), "w1", 2_000).await.unwrap();
    assert_eq!((r.sent, r.failed), (0, 0));
    outbox::delivered(&db.pool, &held, "w0", 2_000).await.unwrap();
    assert_eq!(outbox::counts(&db.pool).await.unwrap(), (0, 130));
    let text = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let mut ids: Vec<i64> =
        text.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 128);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 128, "a message was sent twice");
    assert!(held.iter().all(|h| !ids.contains(h)), "w0's claims were sent by w1");
    let attempts: Vec<(i64,)> =
        sqlx::query_as("SELECT attempts FROM outbox WHERE delivered_at IS NOT NULL").fetch_all(&db.pool).await.unwrap();
    assert_eq!(attempts.len(), 130);
    assert!(attempts.iter().all(|a| a.0 == 1), "{attempts:?}");
}

#[tokio::test]
async fn a_burst_is_delivered_in_one_run_sqlite() {
    a_burst_is_delivered_in_one_run(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_burst_is_delivered_in_one_run_postgres() {
    a_burst_is_delivered_in_one_run(Engine::Postgres).await;
}
