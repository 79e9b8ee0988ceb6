//! Notices by hand and the leader in charge over HTTP (issue 13): the JS-off forms on the appeal
//! page post to `/staff/appeal/{ticket}/act` and need the session's CSRF token like every other
//! staff form; the receiving unit sees and answers the notice; "my cases" lists the leader's.

use crate::common;

use axum::http::StatusCode;
use backend::clock::ManualClock;
use backend::config::Limits;
use common::{config, csrf, enc, get_with, post_with};
use pingan_server::startup::{build_router, build_state, leptos_options};
use std::sync::Arc;

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn notice_forms_need_the_csrf_token_and_reach_the_unit() {
    let cfg = config(Limits::default());
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let state = build_state(&cfg).await.unwrap().with_clock(Arc::new(clock.clone()));
    for (u, unit, role) in [("wang", "U-HD0101", "unit_handler"), ("street", "U-HD01", "dispatcher")] {
        let n = backend::auth::NewStaff {
            username: u.into(),
            display_name: format!("{u} 同志"),
            unit: unit.into(),
            role: role.into(),
            password: PASSWORD.into(),
        };
        backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    }
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    // A sanitation appeal in HD0101: the community committee (wang) handles it.
    let ticket = hd0101_appeal(&state, "小区东门垃圾三天没有清运，气味很大").await;
    let act = format!("/staff/appeal/{ticket}/act");
    let due = (state.clock.now().to_offset(domain::sla::CHINA).date() + time::Duration::days(2)).to_string();

    let street = common::staff_sign_in(&app, &state, "street", PASSWORD, None).await.0;
    let page = get_with(&app, &format!("/staff/appeal/{ticket}"), &street).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("value=\"issue_notice\"") && page.body.contains("name=\"notice_kind\""), "the form");
    let token = csrf(&page.body);
    let fields = format!("action=issue_notice&notice_kind=supervision&reason={}&due={due}", enc("请说明进展"));

    // Without the token, or with a wrong one: refused, nothing stored.
    for body in [fields.clone(), format!("csrf=0123456789abcdef0123456789abcdef&{fields}")] {
        let r = post_with(&app, &act, &body, &street).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{body}");
        assert!(r.body.contains("页面已过期"));
    }
    assert!(backend::store::notices::for_ticket(&state.db.pool, &ticket).await.unwrap().is_empty());

    // A bad date comes back to the form with its message.
    let r = post_with(
        &app,
        &act,
        &format!("csrf={token}&action=issue_notice&notice_kind=supervision&reason=x&due=2000-01-01"),
        &street,
    )
    .await;
    assert_eq!(r.location.as_deref(), Some(format!("/staff/appeal/{ticket}#issue_notice").as_str()));
    let page = get_with(&app, &format!("/staff/appeal/{ticket}"), &street).await;
    assert!(page.body.contains("答复期限须在今天到 30 天以内"), "the date's message");

    // With the token it is stored, and the unit sees it at the top of its page with a form.
    let r = post_with(&app, &act, &format!("csrf={token}&{fields}"), &street).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let rows = backend::store::notices::for_ticket(&state.db.pool, &ticket).await.unwrap();
    assert_eq!(rows.len(), 1);
    let wang = common::staff_sign_in(&app, &state, "wang", PASSWORD, None).await.0;
    let page = get_with(&app, &format!("/staff/appeal/{ticket}"), &wang).await;
    assert!(page.body.contains("id=\"hand-notices\"") && page.body.contains("请说明进展"));
    assert!(page.body.contains("value=\"answer_notice\""));
    let inbox = get_with(&app, "/staff?due=noticed", &wang).await;
    assert!(inbox.body.contains(&format!("data-ticket=\"{ticket}\"")) && inbox.body.contains("待答复通知"));
    let token = csrf(&page.body);
    let answer = format!("action=answer_notice&id={}&body={}", rows[0].id, enc("今天下午清运"));
    assert_eq!(post_with(&app, &act, &answer, &wang).await.status, StatusCode::FORBIDDEN);
    let r = post_with(&app, &act, &format!("csrf={token}&{answer}"), &wang).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let rows = backend::store::notices::for_ticket(&state.db.pool, &ticket).await.unwrap();
    assert_eq!(rows[0].answer.as_deref(), Some("今天下午清运"));

    // "My cases" is a page of its own, linked from the staff bar; empty until one is named.
    let cases = get_with(&app, "/staff/cases", &street).await;
    assert_eq!(cases.status, StatusCode::OK);
    assert!(cases.body.contains("href=\"/staff/cases\"") && cases.body.contains("您目前没有包案的诉求"));
    let page = get_with(&app, &format!("/staff/appeal/{ticket}"), &street).await;
    assert!(page.body.contains("value=\"name_owner\""));
    let token = csrf(&page.body);
    let me = backend::store::staff::by_username(&state.db.pool, "street").await.unwrap().unwrap().id;
    let name = format!("action=name_owner&owner={me}");
    assert_eq!(post_with(&app, &act, &name, &street).await.status, StatusCode::FORBIDDEN);
    assert_eq!(post_with(&app, &act, &format!("csrf={token}&{name}"), &street).await.status, StatusCode::SEE_OTHER);
    let cases = get_with(&app, "/staff/cases", &street).await;
    assert!(cases.body.contains(&format!("data-ticket=\"{ticket}\"")), "listed in my cases");
    // The handling unit is told who closes.
    let page = get_with(&app, &format!("/staff/appeal/{ticket}"), &wang).await;
    assert!(page.body.contains("id=\"owner-closes\"") && !page.body.contains("value=\"close\""));
}

/// A sanitation appeal of community HD0101 (handled by its committee), through the wizard's
/// services; its ticket.
async fn hd0101_appeal(state: &backend::AppState, description: &str) -> String {
    let first = [("category".to_owned(), "sanitation".to_owned())].into_iter().collect();
    let new = backend::services::appeal::start(state, "c", &first).await.unwrap();
    for (step, pairs) in [
        (domain::draft::Step::What, vec![("description", description)]),
        (domain::draft::Step::Where, vec![("district", "HD"), ("street", "HD01"), ("community", "HD0101")]),
        (domain::draft::Step::Who, vec![("identity", "anonymous")]),
    ] {
        let f = pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        backend::services::appeal::save_step(state, &new.token, &new.secret, step, &f).await.unwrap();
    }
    match backend::services::appeal::submit(state, &new.token, &new.secret, state.clock.now()).await.unwrap() {
        backend::services::appeal::SubmitOutcome::Accepted { ticket } => ticket,
        other => panic!("{other:?}"),
    }
}

/// The merge and link forms of the appeal page (issue 13, related appeals) over HTTP: the CSRF
/// token is required, a bad target comes back with its message, a merge makes the duplicate
/// follow the main appeal, a link joins two appeals both ways.
#[tokio::test]
async fn merge_and_link_forms_need_the_csrf_token_and_act() {
    let cfg = config(Limits::default());
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let state = build_state(&cfg).await.unwrap().with_clock(Arc::new(clock.clone()));
    let n = backend::auth::NewStaff {
        username: "wang".into(),
        display_name: "wang 同志".into(),
        unit: "U-HD0101".into(),
        role: "unit_handler".into(),
        password: PASSWORD.into(),
    };
    backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    let main = hd0101_appeal(&state, "小区东门垃圾三天没有清运，气味很大").await;
    let dup = hd0101_appeal(&state, "东门垃圾堆了好几天没人收，味道很重").await;
    let other = hd0101_appeal(&state, "东门旁边的垃圾桶坏了，盖子合不上").await;
    let wang = common::staff_sign_in(&app, &state, "wang", PASSWORD, None).await.0;
    let page = get_with(&app, &format!("/staff/appeal/{dup}"), &wang).await;
    assert!(page.body.contains("value=\"merge\"") && page.body.contains("value=\"link\""), "both forms");
    let token = csrf(&page.body);
    let act = format!("/staff/appeal/{dup}/act");
    let merge = format!("action=merge&into={main}&reason={}", enc("同一处垃圾"));
    let merged_into = |t: String| {
        let pool = state.db.pool.clone();
        async move { backend::store::appeals::full(&pool, &t).await.unwrap().unwrap().merged_into }
    };

    // No token: refused, nothing merged.
    let r = post_with(&app, &act, &merge, &wang).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(merged_into(dup.clone()).await, None);
    // Into itself: back to the form with the message.
    let r = post_with(&app, &act, &format!("csrf={token}&action=merge&into={dup}&reason=x"), &wang).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let back = get_with(&app, &format!("/staff/appeal/{dup}"), &wang).await;
    assert!(back.body.contains("aria-invalid=\"true\""), "{}", back.body);
    assert_eq!(merged_into(dup.clone()).await, None);
    // With the token: merged, and the duplicate's page says which appeal it follows.
    let r = post_with(&app, &act, &format!("csrf={token}&{merge}"), &wang).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(merged_into(dup.clone()).await.as_deref(), Some(main.as_str()));
    let shown = domain::receipt::Ticket::parse(&main).unwrap().display();
    assert!(get_with(&app, &format!("/staff/appeal/{dup}"), &wang).await.body.contains(&shown));

    // A link: no token refused; with it, stored once, seen from both appeals.
    let link_act = format!("/staff/appeal/{other}/act");
    let r = post_with(&app, &link_act, &format!("action=link&other={main}"), &wang).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post_with(&app, &link_act, &format!("csrf={token}&action=link&other={main}"), &wang).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (links,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM appeal_links WHERE (a = $1 AND b = $2) OR (a = $2 AND b = $1)")
            .bind(&main)
            .bind(&other)
            .fetch_one(&state.db.pool)
            .await
            .unwrap();
    assert_eq!(links, 1);
    let from_main = get_with(&app, &format!("/staff/appeal/{main}"), &wang).await;
    assert!(from_main.body.contains(&domain::receipt::Ticket::parse(&other).unwrap().display()), "linked both ways");
}
