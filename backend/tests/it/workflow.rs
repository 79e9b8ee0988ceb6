//! The staff workflow through the real services, on SQLite and PostgreSQL: every action and
//! transition, the authorization matrix, the audit chain, concurrency on one appeal, sign-in.

use crate::common;

use backend::auth::Staff;
use backend::clock::Clock as _;
use backend::services::work::{self, Act};
use backend::services::{resident, track};
use backend::store::{appeals, outbox};
use backend::{AppState, BackendError};
use common::Engine;
use domain::workflow::Action;
use domain::Msg;
use std::collections::BTreeSet;

async fn act(state: &AppState, s: &Staff, ticket: &str, a: Act) -> Result<(), BackendError> {
    work::act(state, s, ticket, &a).await
}

async fn status_unit(state: &AppState, ticket: &str) -> (String, String) {
    let a = appeals::full(&state.db.pool, ticket).await.unwrap().unwrap();
    (a.status.as_str().to_owned(), a.unit)
}

async fn kinds(state: &AppState, ticket: &str) -> Vec<String> {
    appeals::all_events(&state.db.pool, ticket).await.unwrap().into_iter().map(|e| e.kind.as_str().to_owned()).collect()
}

fn reply(body: &str) -> Act {
    Act::Reply { body: body.into() }
}

async fn every_action_from_submission_to_reopening(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let hrss = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    let housing = common::staff(&state, "housing", "D-HD-housing", "unit_handler").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let (ticket, token) = common::appeal_at(
        &state,
        "suggestion",
        &[("district", "HD"), ("street", "HD01")],
        &[("identity", "named"), ("name", "李阿姨"), ("phone", "13800138000")],
    )
    .await;
    assert_eq!(status_unit(&state, &ticket).await, ("assigned".into(), "U-HD01".into()));

    // Replying before signing is not possible; signing twice is not either.
    assert!(matches!(
        act(&state, &street, &ticket, reply("您好")).await,
        Err(BackendError::Conflict(Msg::ErrActionNotNow))
    ));
    act(&state, &street, &ticket, Act::Sign).await.unwrap();
    assert!(matches!(act(&state, &street, &ticket, Act::Sign).await, Err(BackendError::Conflict(_))));
    assert_eq!(status_unit(&state, &ticket).await.0, "in_progress");

    // Empty reply and over-long reason are field errors.
    match act(&state, &street, &ticket, reply("  ")).await {
        Err(BackendError::Invalid(e)) => assert_eq!(e[0].msg, Msg::ErrBodyEmpty),
        other => panic!("{other:?}"),
    }
    act(&state, &street, &ticket, reply("已收到，正在安排人员查看。")).await.unwrap();
    act(&state, &street, &ticket, Act::Note { body: "需要住建局配合".into() }).await.unwrap();

    // Ask the resident; the resident answers on the track page and it comes back.
    act(&state, &street, &ticket, Act::RequestInfo { body: "请告诉我们具体楼号。".into() }).await.unwrap();
    assert_eq!(status_unit(&state, &ticket).await.0, "awaiting_info");
    let (t_display, key) = common::receipt(&state, &token).await;
    resident::add_information(&state, "ip", &t_display, &key, "是 3 号楼 2 单元门口的路灯。").await.unwrap();
    assert_eq!(status_unit(&state, &ticket).await.0, "in_progress");

    // 吹哨报到: two departments summoned; closing waits for both reports.
    act(
        &state,
        &street,
        &ticket,
        Act::Summon {
            units: vec!["D-HD-hrss".into(), "D-HD-housing".into()],
            note: "请协助".into(),
            days: String::new(),
        },
    )
    .await
    .unwrap();
    match act(
        &state,
        &street,
        &ticket,
        Act::Summon { units: vec!["D-HX-hrss".into()], note: String::new(), days: String::new() },
    )
    .await
    {
        Err(BackendError::Invalid(e)) => assert_eq!(e[0].msg, Msg::ErrSummonUnits, "another district's department"),
        other => panic!("{other:?}"),
    }
    act(&state, &hrss, &ticket, Act::ReportBack { body: "已核实，不涉及欠薪。".into() }).await.unwrap();
    assert!(matches!(
        act(&state, &hrss, &ticket, Act::ReportBack { body: "again".into() }).await,
        Err(BackendError::Forbidden)
    ));
    assert!(matches!(
        act(&state, &street, &ticket, Act::Close { resolution: "已修好".into() }).await,
        Err(BackendError::Conflict(Msg::ErrCoHandlersPending))
    ));
    act(&state, &housing, &ticket, Act::ReportBack { body: "路灯已更换。".into() }).await.unwrap();
    match act(&state, &street, &ticket, Act::Close { resolution: String::new() }).await {
        Err(BackendError::Invalid(e)) => assert_eq!(e[0].msg, Msg::ErrResolutionEmpty),
        other => panic!("{other:?}"),
    }
    act(&state, &street, &ticket, Act::Close { resolution: "住建局已更换路灯，群众确认。".into() }).await.unwrap();
    let a = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    assert_eq!(a.status.as_str(), "closed");
    assert_eq!(a.resolution.as_deref(), Some("住建局已更换路灯，群众确认。"));
    assert!(a.closed_at.is_some());

    // Reopen needs a reason; then transfer (the clock keeps running) and escalate.
    assert!(matches!(
        act(&state, &street, &ticket, Act::Reopen { reason: String::new() }).await,
        Err(BackendError::Invalid(_))
    ));
    act(&state, &street, &ticket, Act::Reopen { reason: "群众反映又坏了".into() }).await.unwrap();
    assert_eq!(status_unit(&state, &ticket).await.0, "in_progress");
    // Reopening starts a new round with its own deadline.
    let reopened = appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap();
    assert_eq!(reopened.cycle, 2);
    let deadline = reopened.deadline_at;
    act(&state, &street, &ticket, Act::Transfer { to_unit: "U-HD0101".into(), reason: "属社区管理".into() })
        .await
        .unwrap();
    assert_eq!(status_unit(&state, &ticket).await, ("assigned".into(), "U-HD0101".into()));
    assert_eq!(
        appeals::full(&state.db.pool, &ticket).await.unwrap().unwrap().deadline_at,
        deadline,
        "transfer keeps the deadline"
    );
    assert!(
        matches!(
            act(&state, &community, &ticket, Act::Transfer { to_unit: "U-HX0101".into(), reason: "x".into() }).await,
            Err(BackendError::Invalid(_))
        ),
        "a community cannot hand it to another district"
    );
    act(&state, &community, &ticket, Act::Escalate { reason: "需要街道协调".into() }).await.unwrap();
    assert_eq!(status_unit(&state, &ticket).await, ("assigned".into(), "U-HD01".into()));

    assert_eq!(
        kinds(&state, &ticket).await,
        [
            "submitted",
            "routed",
            "signed",
            "reply",
            "note",
            "info_requested",
            "resident_answer",
            "summoned",
            "reported_back",
            "reported_back",
            "closed",
            "reopened",
            "transferred",
            "escalated"
        ]
    );
    // The resident sees every public event and none of the internal note.
    let view = track::track(&state, "ip", &t_display, &key).await.unwrap();
    let public: Vec<&str> = view.events.iter().map(|e| e.kind.as_str()).collect();
    assert!(!public.contains(&"note"));
    assert!(public.contains(&"reply") && public.contains(&"closed") && public.contains(&"summoned"));
    let closed = view.events.iter().find(|e| e.kind.as_str() == "closed").unwrap();
    assert_eq!(closed.body.as_deref(), Some("住建局已更换路灯，群众确认。"));
    let summoned = view.events.iter().find(|e| e.kind.as_str() == "summoned").unwrap();
    // Listed by unit code (D-HD-housing < D-HD-hrss).
    assert_eq!(summoned.extra.as_deref(), Some("河东区住房和城乡建设局、河东区人力资源和社会保障局"));

    // Every action is audited, in one intact chain; the resident was told of the reply,
    // the request for information and the closing.
    let v = backend::audit::verify(&state.db.pool).await.unwrap();
    assert_eq!(v.first_broken, None);
    let actions: Vec<String> = backend::store::audit::recent(&state.db.pool, Some(&ticket), None, None, 100)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|r| r.action)
        .collect();
    assert_eq!(
        actions,
        [
            "sign",
            "reply",
            "note",
            "request_info",
            "resident_answer",
            "summon",
            "report_back",
            "report_back",
            "close",
            "reopen",
            "transfer",
            "escalate"
        ]
    );
    let resident_msgs: Vec<String> = outbox::for_ticket(&state.db.pool, &ticket)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.audience == "resident")
        .map(|m| m.kind)
        .collect();
    assert_eq!(resident_msgs, ["answered", "info_requested", "closed"]);
    // Every event written on the way (the resident's, the router's, each staff action's) carries
    // its appeal's submission time, through which the timeline finds it (migration 0024).
    let (events, astray): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN e.born = a.submitted_at THEN 0 ELSE 1 END), 0)
         FROM appeal_events e JOIN appeals a ON a.ticket = e.ticket",
    )
    .fetch_one(&state.db.pool)
    .await
    .unwrap();
    assert!(events >= 10, "{events} events");
    assert_eq!(astray, 0, "events whose born is not their appeal's submitted_at");
    let timeline = backend::store::appeals::all_events(&state.db.pool, &ticket).await.unwrap();
    let own: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM appeal_events WHERE ticket = $1")
        .bind(&ticket)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(i64::try_from(timeline.len()).unwrap(), own.0, "the timeline shows every event of the appeal");
}
both_engines!(every_action_from_submission_to_reopening);

/// Where an appeal sits relative to the actor's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pos {
    Own,
    /// One level below (the actor's unit is its parent unit).
    Child,
    /// Two levels below (inside a centre's region, not its direct child).
    Grandchild,
    Parent,
    Sibling,
    OtherDistrict,
}

/// What each action needs the appeal to be in, so only authorization can refuse it.
fn status_for(a: Action) -> &'static str {
    match a {
        Action::Sign | Action::Escalate | Action::RequestExtension | Action::DecideExtension => "assigned",
        Action::Reopen => "closed",
        _ => "in_progress",
    }
}

fn act_for(a: Action, ext_id: &str) -> Act {
    match a {
        Action::Sign => Act::Sign,
        Action::Reply => reply("答复"),
        Action::Note => Act::Note { body: "备注".into() },
        Action::RequestInfo => Act::RequestInfo { body: "请补充".into() },
        Action::Transfer => Act::Transfer { to_unit: "U-SF".into(), reason: "交市中心".into() },
        Action::Escalate => Act::Escalate { reason: "上报".into() },
        Action::Summon => Act::Summon { units: vec!["D-HD-market".into()], note: String::new(), days: String::new() },
        Action::ReportBack => Act::ReportBack { body: "反馈".into() },
        Action::Close => Act::Close { resolution: "办结".into() },
        Action::Reopen => Act::Reopen { reason: "重办".into() },
        Action::RequestExtension => Act::RequestExtension { days: "3".into(), reason: "需要时间".into() },
        Action::DecideExtension => Act::DecideExtension { id: ext_id.into(), approve: true, note: String::new() },
        // Not in the matrix: notices and leaders in charge have their own tests (notices.rs),
        // merges and links theirs (related.rs).
        Action::View
        | Action::RevealContact
        | Action::IssueNotice
        | Action::AnswerNotice
        | Action::NameOwner
        | Action::UnnameOwner
        | Action::RateReport
        | Action::Merge
        | Action::Unmerge
        | Action::Link => {
            unreachable!("not in this matrix")
        }
    }
}

/// The expected matrix, written out by hand from the rules in domain::workflow's docs (not
/// computed from them): for each actor and position, the actions that must succeed.
fn expected(actor: &str, pos: Pos) -> BTreeSet<Action> {
    use Action::*;
    let handles =
        [View, Note, Sign, Reply, RequestInfo, Transfer, Escalate, Close, Reopen, RevealContact, RequestExtension];
    let set = |a: &[Action]| a.iter().copied().collect::<BTreeSet<_>>();
    match (actor, pos) {
        ("admin", _) => set(&[View]),
        ("street", Pos::Own) => {
            let mut s = set(&handles);
            s.insert(Summon);
            s
        }
        (_, Pos::Own) => set(&handles),
        // A community committee over its grid stations: reads, notes, decides extensions.
        ("community", Pos::Child) => set(&[View, Note, DecideExtension]),
        // A street centre over everything in its street (and, one level down, as parent too).
        ("street", Pos::Child | Pos::Grandchild) => {
            set(&[View, Note, Transfer, Reopen, RevealContact, DecideExtension])
        }
        _ => BTreeSet::new(),
    }
}

#[expect(clippy::type_complexity, reason = "a table of actors reads best inline")]
async fn authorization_matrix(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    // Actor → (unit, role, units at each position).
    let actors: Vec<(&str, &str, &str, Vec<(Pos, &str)>)> = vec![
        (
            "grid",
            "U-HD010101",
            "grid_worker",
            vec![
                (Pos::Own, "U-HD010101"),
                (Pos::Parent, "U-HD0101"),
                (Pos::Sibling, "U-HD010102"),
                (Pos::OtherDistrict, "U-HX010101"),
            ],
        ),
        (
            "community",
            "U-HD0101",
            "unit_handler",
            vec![
                (Pos::Own, "U-HD0101"),
                (Pos::Child, "U-HD010101"),
                (Pos::Parent, "U-HD01"),
                (Pos::Sibling, "U-HD0102"),
                (Pos::OtherDistrict, "U-HX0101"),
            ],
        ),
        (
            "dept",
            "D-HD-hrss",
            "unit_handler",
            vec![
                (Pos::Own, "D-HD-hrss"),
                (Pos::Parent, "U-HD"),
                (Pos::Sibling, "D-HD-market"),
                (Pos::OtherDistrict, "D-HX-hrss"),
            ],
        ),
        (
            "street",
            "U-HD01",
            "dispatcher",
            vec![
                (Pos::Own, "U-HD01"),
                (Pos::Child, "U-HD0101"),
                (Pos::Grandchild, "U-HD010101"),
                (Pos::Parent, "U-HD"),
                (Pos::Sibling, "U-HD02"),
                (Pos::OtherDistrict, "U-HX01"),
            ],
        ),
        ("admin", "U-SF", "admin", vec![(Pos::Own, "U-SF"), (Pos::Child, "U-HD"), (Pos::OtherDistrict, "U-HX01")]),
    ];
    let requester = common::staff(&state, "requester", "U-SF", "dispatcher").await;
    let actions = [
        Action::View,
        Action::Sign,
        Action::Reply,
        Action::Note,
        Action::RequestInfo,
        Action::Transfer,
        Action::Escalate,
        Action::Summon,
        Action::Close,
        Action::Reopen,
        Action::RevealContact,
        Action::RequestExtension,
        Action::DecideExtension,
    ];
    let mut cells = 0;
    let mut mismatches = Vec::new();
    for (name, unit, role, positions) in &actors {
        let actor = common::staff(&state, name, unit, role).await;
        for (pos, target) in positions {
            for action in actions {
                let (ticket, _) = common::appeal_at(
                    &state,
                    "sanitation",
                    &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
                    &[("identity", "named"), ("name", "张先生"), ("phone", "13900139000")],
                )
                .await;
                common::force(&state, &ticket, target, status_for(action)).await;
                let mut ext_id = String::new();
                if action == Action::DecideExtension {
                    // A pending request from the appeal's own unit, made as set-up by its staff.
                    let unit_staff = common::staff(&state, &format!("unit{cells}"), target, role_for(target)).await;
                    act(
                        &state,
                        &unit_staff,
                        &ticket,
                        Act::RequestExtension { days: "2".into(), reason: "设置".into() },
                    )
                    .await
                    .unwrap();
                    ext_id =
                        backend::store::supervision::extensions(&state.db.pool, &ticket).await.unwrap()[0].id.clone();
                }
                let _ = &requester;
                let result = match action {
                    Action::View => work::appeal_page(&state, &actor, &ticket).await.map(|_| ()),
                    Action::RevealContact => {
                        work::reveal_contact(&state, &actor, &ticket, "核实情况").await.map(|_| ())
                    }
                    a => act(&state, &actor, &ticket, act_for(a, &ext_id)).await,
                };
                let allowed = match &result {
                    Ok(()) => true,
                    Err(BackendError::Forbidden | BackendError::NotFound) => false,
                    Err(e) => panic!("{name} {pos:?} {action:?}: unexpected {e:?}"),
                };
                let want = expected(name, *pos).contains(&action);
                if allowed != want {
                    mismatches.push(format!("{name} {pos:?} {action:?}: allowed={allowed}, expected {want}"));
                }
                // Out of scope must look like "no such appeal", not "forbidden".
                if !expected(name, *pos).contains(&Action::View) {
                    assert!(matches!(result, Err(BackendError::NotFound)), "{name} {pos:?} {action:?}: {result:?}");
                }
                cells += 1;
            }
        }
    }
    assert!(mismatches.is_empty(), "{} of {cells} cells differ:\n{}", mismatches.len(), mismatches.join("\n"));
    assert_eq!(cells, 22 * actions.len());
}
both_engines!(authorization_matrix);

fn role_for(unit: &str) -> &'static str {
    match unit {
        u if u.starts_with("D-") => "unit_handler",
        "U-SF" | "U-HD" | "U-HX" | "U-GX" => "dispatcher",
        u if u.len() == 6 => "dispatcher",
        u if u.len() == 8 => "unit_handler",
        _ => "grid_worker",
    }
}

async fn only_summoned_departments_report_back(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let hrss = common::staff(&state, "hrss", "D-HD-hrss", "unit_handler").await;
    let market = common::staff(&state, "market", "D-HD-market", "unit_handler").await;
    let ticket = common::simple_appeal(&state).await;
    common::force(&state, &ticket, "U-HD01", "in_progress").await;
    act(
        &state,
        &street,
        &ticket,
        Act::Summon { units: vec!["D-HD-hrss".into()], note: String::new(), days: String::new() },
    )
    .await
    .unwrap();
    // The summoned department sees it in its inbox and on its page; the other does not.
    let inbox = work::inbox(&state, &hrss, &domain::staff::InboxFilter::default()).await.unwrap();
    assert!(inbox.items.iter().any(|i| i.ticket == ticket));
    assert!(matches!(work::appeal_page(&state, &market, &ticket).await, Err(BackendError::NotFound)));
    assert!(matches!(
        act(&state, &market, &ticket, Act::ReportBack { body: "x".into() }).await,
        Err(BackendError::NotFound)
    ));
    let page = work::appeal_page(&state, &hrss, &ticket).await.unwrap();
    // Linking related appeals (issue 13) is open to anyone who may see both.
    assert_eq!(page.actions, vec![Action::Note, Action::ReportBack, Action::RevealContact, Action::Link]);
    act(&state, &hrss, &ticket, Act::ReportBack { body: "已处理".into() }).await.unwrap();
    // Reported: it may still read and note; no more report, and no more resident's contact.
    let page = work::appeal_page(&state, &hrss, &ticket).await.unwrap();
    assert_eq!(page.actions, vec![Action::Note, Action::Link]);
}
both_engines!(only_summoned_departments_report_back);

async fn reveal_is_audited_and_masked_until_then(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    let (ticket, _) = common::appeal_at(
        &state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "named"), ("name", "王秀英"), ("phone", "13812341234")],
    )
    .await;
    let page = work::appeal_page(&state, &community, &ticket).await.unwrap();
    assert_eq!(page.contact_masked, Some(("王**".into(), "138****1234".into())));
    assert!(matches!(work::reveal_contact(&state, &community, &ticket, " ").await, Err(BackendError::Invalid(_))));
    let (name, phone) = work::reveal_contact(&state, &community, &ticket, "电话核实现场位置").await.unwrap();
    assert_eq!((name.as_str(), phone.as_str()), ("王秀英", "13812341234"));
    // Admins read (audited) but may not reveal.
    assert!(matches!(work::reveal_contact(&state, &admin, &ticket, "看看").await, Err(BackendError::Forbidden)));
    work::appeal_page(&state, &admin, &ticket).await.unwrap();
    let log = backend::store::audit::recent(&state.db.pool, Some(&ticket), None, None, 10).await.unwrap();
    let reveal = log.iter().find(|r| r.action == "reveal_contact").unwrap();
    assert_eq!(reveal.reason.as_deref(), Some("电话核实现场位置"));
    assert!(!reveal.detail.contains("13812341234") && !reveal.detail.contains("王秀英"), "no PII in the audit log");
    assert!(log.iter().any(|r| r.action == "view" && r.role == "admin"));
}
both_engines!(reveal_is_audited_and_masked_until_then);

async fn two_people_sign_at_once_one_wins(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let a = common::staff(&state, "alpha", "U-HD0101", "unit_handler").await;
    let b = common::staff(&state, "bravo", "U-HD0101", "unit_handler").await;
    let ticket = common::simple_appeal(&state).await;
    let (ra, rb) = tokio::join!(act(&state, &a, &ticket, Act::Sign), act(&state, &b, &ticket, Act::Sign));
    assert_eq!([ra.is_ok(), rb.is_ok()].iter().filter(|x| **x).count(), 1, "{ra:?} {rb:?}");
    let loser = if ra.is_ok() { rb } else { ra };
    assert!(matches!(loser, Err(BackendError::Conflict(_))), "{loser:?}");
    assert_eq!(kinds(&state, &ticket).await.iter().filter(|k| *k == "signed").count(), 1);
}
both_engines!(two_people_sign_at_once_one_wins);

async fn inbox_scope_filters_and_counts(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    let other = common::staff(&state, "other", "U-HX01", "dispatcher").await;
    let mine = common::appeal_at(
        &state,
        "neighbor_dispute",
        &[("lat", "35.485"), ("lng", "106.605")],
        &[("identity", "anonymous")],
    )
    .await
    .0;
    let urgent = common::appeal_at(
        &state,
        "safety_hazard",
        &[("lat", "35.485"), ("lng", "106.605")],
        &[("identity", "anonymous")],
    )
    .await
    .0;
    let elsewhere = common::appeal_at(
        &state,
        "suggestion",
        &[("district", "HX"), ("street", "HX01")],
        &[("identity", "anonymous")],
    )
    .await
    .0;
    let f = domain::staff::InboxFilter::default();
    let tickets = |i: &domain::staff::Inbox| i.items.iter().map(|x| x.ticket.clone()).collect::<BTreeSet<_>>();
    let g = work::inbox(&state, &grid, &f).await.unwrap();
    assert_eq!(tickets(&g), [mine.clone(), urgent.clone()].into_iter().collect());
    let s = work::inbox(&state, &street, &f).await.unwrap();
    assert!(tickets(&s).contains(&mine) && !tickets(&s).contains(&elsewhere));
    assert_eq!(tickets(&work::inbox(&state, &other, &f).await.unwrap()), [elsewhere.clone()].into_iter().collect());
    // Filters: urgent only; status; sorted by deadline (the urgent one is due first).
    let u = work::inbox(&state, &grid, &domain::staff::InboxFilter { urgent: true, ..f.clone() }).await.unwrap();
    assert_eq!(tickets(&u), [urgent.clone()].into_iter().collect());
    assert_eq!(g.items[0].ticket, urgent);
    assert_eq!(g.counts, vec![("assigned".to_owned(), 2)]);
    // Two hours later the urgent one is past its sign-for deadline: overdue.
    clock.advance(time::Duration::hours(3));
    let o =
        work::inbox(&state, &grid, &domain::staff::InboxFilter { due: "overdue".into(), ..f.clone() }).await.unwrap();
    assert_eq!(tickets(&o), [urgent.clone()].into_iter().collect());
    assert_eq!(o.items[0].urgency.as_str(), "overdue");
    // Paging: page 2 of a short list is empty but says how many pages there are.
    let p2 = work::inbox(&state, &grid, &domain::staff::InboxFilter { page: 2, ..f }).await.unwrap();
    assert!(p2.items.is_empty());
    assert_eq!((p2.total, p2.pages), (2, 1));
}
both_engines!(inbox_scope_filters_and_counts);

async fn the_audit_chain_shows_tampering(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let s = common::staff(&state, "signer", "U-HD0101", "unit_handler").await;
    let ticket = common::simple_appeal(&state).await;
    act(&state, &s, &ticket, Act::Sign).await.unwrap();
    act(&state, &s, &ticket, reply("好的")).await.unwrap();
    act(&state, &s, &ticket, Act::Close { resolution: "已清运".into() }).await.unwrap();
    let v = backend::audit::verify(&state.db.pool).await.unwrap();
    assert_eq!(v.first_broken, None);
    let n = v.checked;
    assert!(n >= 4, "staff creation, import and three actions: {n}");
    let seq: i64 =
        backend::store::audit::recent(&state.db.pool, Some(&ticket), Some("reply"), None, 1).await.unwrap()[0].seq;
    // Editing an entry breaks the chain exactly there.
    sqlx::query("UPDATE audit_log SET reason = 'changed' WHERE seq = $1")
        .bind(seq)
        .execute(&state.db.pool)
        .await
        .unwrap();
    let v = backend::audit::verify(&state.db.pool).await.unwrap();
    assert_eq!(v.first_broken.as_ref().map(|b| b.0), Some(seq));
    sqlx::query("UPDATE audit_log SET reason = NULL WHERE seq = $1").bind(seq).execute(&state.db.pool).await.unwrap();
    assert_eq!(backend::audit::verify(&state.db.pool).await.unwrap().first_broken, None);
    // Deleting one in the middle, or the last one, is found too.
    sqlx::query("DELETE FROM audit_log WHERE seq = $1").bind(seq).execute(&state.db.pool).await.unwrap();
    assert_eq!(backend::audit::verify(&state.db.pool).await.unwrap().first_broken.map(|b| b.0), Some(seq));
}
both_engines!(the_audit_chain_shows_tampering);

async fn sign_in_rules(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let s = common::staff(&state, "wang", "U-HD0101", "unit_handler").await;
    let ok = backend::auth::login(&state, "ip1", "Wang", "correct horse battery").await.unwrap();
    assert_eq!(ok.staff.id, s.id);
    use backend::auth::signin::SigninError;
    assert!(matches!(backend::auth::login(&state, "ip1", "wang", "wrong password!!").await, Err(SigninError::Failed)));
    // Unknown user: the same answer.
    assert!(matches!(
        backend::auth::login(&state, "ip1", "nobody", "correct horse battery").await,
        Err(SigninError::Failed)
    ));
    // Failures from one client slow that client down on that account; they never lock the
    // account for its owner elsewhere (issue 9 §4, see tests/signin.rs).
    for _ in 0..6 {
        let _ = backend::auth::login(&state, "ip2", "wang", "nope nope nope").await;
    }
    assert!(matches!(
        backend::auth::login(&state, "ip2", "wang", "correct horse battery").await,
        Err(SigninError::Throttled { .. })
    ));
    assert!(backend::auth::login(&state, "ip3", "wang", "correct horse battery").await.is_ok());
    // A switched-off account cannot sign in (same generic message).
    let t = common::staff(&state, "lili", "U-HD0101", "unit_handler").await;
    backend::auth::set_active(&state, &backend::audit::Who::system(), &t.id, false).await.unwrap();
    assert!(matches!(
        backend::auth::login(&state, "ip4", "lili", "correct horse battery").await,
        Err(SigninError::Failed)
    ));
    let actions: Vec<String> = backend::store::audit::recent(&state.db.pool, None, None, None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert!(actions.iter().filter(|a| *a == "sign_in").count() == 2);
    assert!(actions.iter().filter(|a| *a == "sign_in_failed").count() >= 4);
    // Account rules: weak password, taken user name, role that does not fit the unit.
    let bad = backend::auth::NewStaff {
        username: "wang".into(),
        display_name: "x".into(),
        unit: "U-HD0101".into(),
        role: "grid_worker".into(),
        password: "123456789012".into(),
    };
    match backend::auth::create_staff(&state, &backend::audit::Who::system(), &bad).await {
        Err(BackendError::Invalid(e)) => {
            let msgs: Vec<Msg> = e.iter().map(|x| x.msg).collect();
            assert_eq!(msgs, [Msg::ErrRoleUnitMismatch, Msg::ErrPasswordCommon]);
        }
        other => panic!("{other:?}"),
    }
}
both_engines!(sign_in_rules);

async fn nobody_decides_their_own_extension(engine: Engine) {
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let ticket = common::simple_appeal(&state).await;
    common::force(&state, &ticket, "U-HD01", "in_progress").await;
    act(&state, &street, &ticket, Act::RequestExtension { days: "30".into(), reason: "需要协调多个部门".into() })
        .await
        .unwrap();
    let id = backend::store::supervision::extensions(&state.db.pool, &ticket).await.unwrap()[0].id.clone();
    // Handing it down to a unit the street oversees would make the street the "parent" of its
    // own request; the hand-over withdraws the request instead.
    act(&state, &street, &ticket, Act::Transfer { to_unit: "U-HD0101".into(), reason: "属社区".into() }).await.unwrap();
    let decided =
        act(&state, &street, &ticket, Act::DecideExtension { id: id.clone(), approve: true, note: String::new() })
            .await;
    assert!(matches!(decided, Err(BackendError::Conflict(_))), "{decided:?}");
    let ext = &backend::store::supervision::extensions(&state.db.pool, &ticket).await.unwrap()[0];
    assert_eq!(ext.decision.as_deref(), Some("cancelled"));
    // The new unit may ask afresh (nothing pending any more).
    act(&state, &community, &ticket, Act::Sign).await.unwrap();
    act(&state, &community, &ticket, Act::RequestExtension { days: "2".into(), reason: "等待物业".into() })
        .await
        .unwrap();
}
both_engines!(nobody_decides_their_own_extension);

async fn drafts_and_receipt_keys_do_not_stay_forever(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let (_, submitted) = common::appeal_at(
        &state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "named"), ("name", "周"), ("phone", "13500135000")],
    )
    .await;
    let stale = common::start(&state, "sanitation").await;
    let f = [("description".to_owned(), "只写了一半的草稿内容，还没提交".to_owned())].into_iter().collect();
    backend::services::appeal::save_step(&state, &stale.token, &stale.secret, domain::draft::Step::What, &f)
        .await
        .unwrap();
    // Within a day the receipt can be shown again.
    assert!(backend::services::appeal::receipt(&state, &submitted.token, &submitted.secret).await.is_ok());
    clock.advance(time::Duration::days(8));
    let (deleted, cleared) = backend::services::appeal::sweep_drafts(&state, clock.ts()).await.unwrap();
    assert_eq!((deleted, cleared), (1, 1));
    assert!(backend::store::drafts::get(&state.db.pool, &stale.token).await.unwrap().is_none());
    let row = backend::store::drafts::get(&state.db.pool, &submitted.token).await.unwrap().unwrap();
    assert!(row.access_key.is_none(), "the plaintext key is gone");
    assert!(!row.data.contains("13500135000"), "and so is the typed phone number");
    assert!(matches!(
        backend::services::appeal::receipt(&state, &submitted.token, &submitted.secret).await,
        Err(BackendError::NotFound)
    ));
}
both_engines!(drafts_and_receipt_keys_do_not_stay_forever);

async fn inbox_search_by_words_ticket_phone_unit_and_dates_stays_in_scope(engine: Engine) {
    use domain::fields::FieldName;
    use domain::staff::InboxFilter;
    let Some((state, _)) = common::clocked_state(engine).await else { return };
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    let grid = common::staff(&state, "grid", "U-HD010101", "grid_worker").await;
    let other = common::staff(&state, "other", "U-HX01", "dispatcher").await;
    let admin = common::staff(&state, "admin", "U-SF", "admin").await;
    let cell = [("lat", "35.485"), ("lng", "106.605")];
    let named = [("identity", "named"), ("name", "王秀英"), ("phone", "13812341234")];
    let (a1, _) = common::appeal_at(&state, "neighbor_dispute", &cell, &named).await;
    let (a2, _) = common::appeal_at(&state, "neighbor_dispute", &cell, &[("identity", "anonymous")]).await;
    let (e, _) = common::appeal_at(&state, "suggestion", &[("district", "HX"), ("street", "HX01")], &named).await;
    sqlx::query("UPDATE appeals SET description = $1 WHERE ticket = $2")
        .bind("老板拖欠工资三个月，差不多 100% 没发")
        .bind(&a2)
        .execute(&state.db.pool)
        .await
        .unwrap();
    let all = InboxFilter { status: String::new(), ..InboxFilter::default() };
    let found = |s: &Staff, f: InboxFilter| {
        let state = state.clone();
        let s = s.clone();
        async move {
            let i = work::inbox(&state, &s, &f).await.unwrap();
            (i.items.iter().map(|x| x.ticket.clone()).collect::<BTreeSet<_>>(), i.problems)
        }
    };
    let set = |v: &[&String]| v.iter().map(|s| (*s).clone()).collect::<BTreeSet<_>>();
    // Words: all must appear; LIKE's wildcards are taken literally.
    assert_eq!(found(&grid, InboxFilter { words: "工资".into(), ..all.clone() }).await.0, set(&[&a2]));
    assert_eq!(found(&grid, InboxFilter { words: "工资 楼道".into(), ..all.clone() }).await.0, set(&[]));
    assert_eq!(found(&grid, InboxFilter { words: "100%".into(), ..all.clone() }).await.0, set(&[&a2]));
    assert_eq!(found(&grid, InboxFilter { words: "%".into(), ..all.clone() }).await.0, set(&[&a2]));
    assert_eq!(found(&grid, InboxFilter { words: "_".into(), ..all.clone() }).await.0, set(&[]));
    // Out of scope is never found, whatever the words.
    assert_eq!(found(&other, InboxFilter { words: "工资".into(), ..all.clone() }).await.0, set(&[]));
    // A ticket as the resident reads it out (lower case, dashes).
    let spoken = domain::receipt::Ticket::parse(&a1).unwrap().display().to_lowercase();
    assert_eq!(found(&grid, InboxFilter { ticket: spoken.clone(), ..all.clone() }).await.0, set(&[&a1]));
    assert_eq!(found(&other, InboxFilter { ticket: spoken, ..all.clone() }).await.0, set(&[]));
    // Phone: only appeals whose contact the member may reveal; the same number elsewhere stays
    // hidden; spelled with +86 and spaces it is the same number.
    let phone = |p: &str| InboxFilter { phone: p.into(), ..all.clone() };
    assert_eq!(found(&grid, phone("+86 138 1234 1234")).await.0, set(&[&a1]));
    assert_eq!(found(&street, phone("13812341234")).await.0, set(&[&a1]));
    assert_eq!(found(&other, phone("13812341234")).await.0, set(&[&e]));
    let (none, problems) = found(&admin, phone("13812341234")).await;
    assert!(none.is_empty());
    assert_eq!(problems, vec![domain::FieldError::new(FieldName::Phone, Msg::ErrSearchPhoneAdmin)]);
    let log = backend::store::audit::recent(&state.db.pool, None, None, None, 100).await.unwrap();
    let searches: Vec<_> = log.iter().filter(|r| r.action == "search_phone").collect();
    assert_eq!(searches.len(), 3, "each phone search is recorded");
    assert!(searches.iter().all(|r| r.detail.contains("138****1234") && !r.detail.contains("13812341234")));
    // Unit and dates.
    assert_eq!(found(&street, InboxFilter { unit: "U-HD010101".into(), ..all.clone() }).await.0, set(&[&a1, &a2]));
    let today =
        time::OffsetDateTime::from_unix_timestamp(state.clock.ts()).unwrap().to_offset(domain::sla::CHINA).date();
    let day = |d: time::Date| d.to_string();
    let dated = |f: String, t: String| InboxFilter { from: f, to: t, ..all.clone() };
    assert_eq!(found(&grid, dated(day(today), day(today))).await.0, set(&[&a1, &a2]));
    assert_eq!(found(&grid, dated(day(today.next_day().unwrap()), String::new())).await.0, set(&[]));
    assert_eq!(found(&grid, dated(String::new(), day(today.previous_day().unwrap()))).await.0, set(&[]));
    // Bad fields: each its own message, nothing listed.
    let (none, problems) = found(&grid, dated("2026-13-01".into(), "yesterday".into())).await;
    assert!(none.is_empty());
    assert_eq!(
        problems,
        vec![
            domain::FieldError::new(FieldName::From, Msg::ErrSearchDate),
            domain::FieldError::new(FieldName::To, Msg::ErrSearchDate)
        ]
    );
    let (_, problems) = found(&grid, dated(day(today), day(today.previous_day().unwrap()))).await;
    assert_eq!(problems, vec![domain::FieldError::new(FieldName::To, Msg::ErrSearchDateOrder)]);
    let (_, problems) = found(&grid, InboxFilter { words: "a b c d e f".into(), ticket: "x".into(), ..all }).await;
    assert_eq!(
        problems,
        vec![
            domain::FieldError::new(FieldName::Words, Msg::ErrSearchWords),
            domain::FieldError::new(FieldName::Ticket, Msg::ErrTicketFormat)
        ]
    );
}
both_engines!(inbox_search_by_words_ticket_phone_unit_and_dates_stays_in_scope);

/// Two actions locking the same two appeals in opposite orders (two staff merging A into B and B
/// into A at once): on PostgreSQL one is chosen as the deadlock's victim, and that error is
/// recognised as a lost race (shown as "someone acted at the same moment", not a server error);
/// on SQLite, with one writer at a time, the second simply waits for the first.
async fn opposite_locks_are_a_lost_race_not_a_failure(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let (a, b) = (common::simple_appeal(&state).await, common::simple_appeal(&state).await);
    let pool = state.db.pool.clone();
    let mut t1 = pool.begin().await.unwrap();
    assert!(backend::store::appeals::lock(&mut t1, &a).await.unwrap());
    let (pool2, a2, b2) = (pool.clone(), a.clone(), b.clone());
    let second = tokio::spawn(async move {
        let mut t2 = pool2.begin().await.unwrap();
        backend::store::appeals::lock(&mut t2, &b2).await?;
        backend::store::appeals::lock(&mut t2, &a2).await?;
        t2.commit().await?;
        Ok::<_, backend::BackendError>(())
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let first = backend::store::appeals::lock(&mut t1, &b).await;
    let first = match first {
        Ok(_) => t1.commit().await.map_err(backend::BackendError::from),
        Err(e) => Err(e),
    };
    let second = second.await.unwrap();
    match engine {
        common::Engine::Postgres => {
            let lost: Vec<&backend::BackendError> =
                [&first, &second].into_iter().filter_map(|r| r.as_ref().err()).collect();
            assert_eq!(lost.len(), 1, "one of the two is the deadlock's victim: {first:?} {second:?}");
            assert!(lost[0].is_write_race(), "{:?}", lost[0]);
        }
        common::Engine::Sqlite => {
            assert!(first.is_ok() && second.is_ok(), "one writer at a time: {first:?} {second:?}");
        }
    }
    // Any other database error is no race.
    let other =
        backend::BackendError::from(sqlx::query("SELECT * FROM no_such_table").execute(&pool).await.unwrap_err());
    assert!(!other.is_write_race());
}
both_engines!(opposite_locks_are_a_lost_race_not_a_failure);
