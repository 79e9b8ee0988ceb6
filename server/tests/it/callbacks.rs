//! Follow-up calls and reply templates over HTTP (issue 13), JavaScript off: the queue page of a
//! dispatcher above the handling unit and its per-appeal form (CSRF, errors at the field, not
//! reached counted, reached gone, the total shown), the handling unit and admins kept out of the
//! queue, and the templates admin page (admins only, hostile text escaped) feeding the staff
//! appeal page's reply form.

use crate::common;

use axum::http::StatusCode;
use backend::clock::ManualClock;
use backend::config::Limits;
use backend::services::work::{self, Act};
use common::{config, csrf, enc, get_with, post_with};
use pingan_server::startup::{build_router, build_state, leptos_options};
use std::sync::Arc;

const PASSWORD: &str = "correct horse battery";

/// A sanitation appeal in HD0101 (to the community committee), submitted through the wizard.
async fn appeal(state: &backend::AppState) -> String {
    let first = [("category".to_owned(), "sanitation".to_owned())].into_iter().collect();
    let new = backend::services::appeal::start(state, "c", &first).await.unwrap();
    for (step, pairs) in [
        (domain::draft::Step::What, vec![("description", "小区东门垃圾三天没有清运，气味很大")]),
        (domain::draft::Step::Where, vec![("district", "HD"), ("street", "HD01"), ("community", "HD0101")]),
        (domain::draft::Step::Who, vec![("identity", "named"), ("name", "刘女士"), ("phone", "13900001111")]),
    ] {
        let f = pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        backend::services::appeal::save_step(state, &new.token, &new.secret, step, &f).await.unwrap();
    }
    match backend::services::appeal::submit(state, &new.token, &new.secret, state.clock.now()).await.unwrap() {
        backend::services::appeal::SubmitOutcome::Accepted { ticket } => ticket,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_callback_queue_and_reply_templates_work_without_javascript() {
    let cfg = config(Limits::default());
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let state = build_state(&cfg).await.unwrap().with_clock(Arc::new(clock.clone()));
    let mut wang = None;
    for (u, unit, role) in
        [("wang", "U-HD0101", "unit_handler"), ("lijun", "U-HD01", "dispatcher"), ("boss", "U-SF", "admin")]
    {
        let n = backend::auth::NewStaff {
            username: u.into(),
            display_name: format!("{u} 同志"),
            unit: unit.into(),
            role: role.into(),
            password: PASSWORD.into(),
        };
        let s = backend::auth::create_staff(&state, &backend::audit::Who::system(), &n).await.unwrap();
        if u == "wang" {
            wang = Some(s);
        }
    }
    let wang_staff = wang.unwrap();
    let app = build_router(state.clone(), leptos_options(&cfg), false);
    let ticket = appeal(&state).await;
    work::act(&state, &wang_staff, &ticket, &Act::Sign).await.unwrap();
    work::act(&state, &wang_staff, &ticket, &Act::Close { resolution: "已清运".into() }).await.unwrap();
    clock.advance(time::Duration::days(8));

    // The community handled it: it has no queue and may not record a call on its own work.
    let (wang_cookie, _) = common::staff_sign_in(&app, &state, "wang", PASSWORD, None).await;
    let inbox = get_with(&app, "/staff", &wang_cookie).await;
    assert!(!inbox.body.contains("href=\"/staff/callbacks\""), "no queue link for the handling unit");
    assert_eq!(get_with(&app, "/staff/callbacks", &wang_cookie).await.status, StatusCode::NOT_FOUND);
    let wang_token = csrf(&inbox.body);
    let uri = format!("/staff/callbacks/{ticket}");
    let r =
        post_with(&app, &uri, &format!("csrf={wang_token}&outcome=reached&satisfaction=satisfied"), &wang_cookie).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(backend::store::callbacks::for_ticket(&state.db.pool, &ticket).await.unwrap().is_empty());

    // The street centre above it calls back.
    let (cookie, _) = common::staff_sign_in(&app, &state, "lijun", PASSWORD, None).await;
    let inbox = get_with(&app, "/staff", &cookie).await;
    assert!(inbox.body.contains("href=\"/staff/callbacks\""), "linked from the staff nav");
    let page = get_with(&app, "/staff/callbacks", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("action=\"/staff/callbacks/{ticket}\"")), "{}", page.body);
    assert!(page.body.contains("评价期已过，未评价") && page.body.contains("共 1 件待回访"));
    // A page number past the end (or not a number) shows the last (only) page.
    for q in ["?page=9", "?page=x"] {
        let p = get_with(&app, &format!("/staff/callbacks{q}"), &cookie).await;
        assert!(p.body.contains(&format!("action=\"/staff/callbacks/{ticket}\"")), "{q}");
    }
    let token = csrf(&page.body);
    // No token, or a wrong one: refused, nothing recorded.
    for body in ["outcome=not_reached".to_owned(), "csrf=0123456789abcdef0123456789abcdef&outcome=not_reached".into()] {
        assert_eq!(post_with(&app, &uri, &body, &cookie).await.status, StatusCode::FORBIDDEN);
    }
    // No outcome chosen: back to the item, the message at the field.
    let r = post_with(&app, &uri, &format!("csrf={token}&note={}", enc("打过去了")), &cookie).await;
    assert_eq!(r.location.as_deref(), Some(format!("/staff/callbacks#c-{ticket}").as_str()));
    let page = get_with(&app, "/staff/callbacks", &cookie).await;
    assert!(page.body.contains("请选择是否联系上了群众") && page.body.contains("打过去了"), "error and note kept");
    // Not reached: still listed, counted.
    let r = post_with(&app, &uri, &format!("csrf={token}&outcome=not_reached"), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/callbacks"));
    let page = get_with(&app, "/staff/callbacks", &cookie).await;
    assert!(page.body.contains("已打 1 次未接通"), "{}", page.body);
    // The dashboard's follow-up figures (issue 13), each with how it is counted: one waiting,
    // none done (a call that did not get through is neither).
    let figure = |body: &str, key: &str| {
        let row = common::between(body, &format!("data-figure=\"{key}\""), "</tr>").unwrap_or_else(|| panic!("{key}"));
        common::between(row, "<td class=\"num\">", "</td>").unwrap().to_owned()
    };
    let dash = get_with(&app, "/staff/dashboard", &cookie).await;
    assert!(
        dash.body.contains("id=\"dash-callbacks-table\"")
            && dash.body.contains("本辖区已办结、现在在回访队列里的诉求件数")
    );
    assert_eq!(figure(&dash.body, "waiting"), "1");
    for key in ["done", "satisfied", "basically", "unsatisfied", "unreachable"] {
        assert_eq!(figure(&dash.body, key), "0", "{key}");
    }
    // Reached: gone.
    let r = post_with(&app, &uri, &format!("csrf={token}&outcome=reached&satisfaction=satisfied"), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/callbacks"));
    let page = get_with(&app, "/staff/callbacks", &cookie).await;
    assert!(
        page.body.contains("id=\"callbacks-empty\"")
            && !page.body.contains(&uri)
            && page.body.contains("共 0 件待回访")
    );
    let dash = get_with(&app, "/staff/dashboard", &cookie).await;
    for (key, n) in [("waiting", "0"), ("done", "1"), ("satisfied", "1"), ("basically", "0"), ("unreachable", "0")] {
        assert_eq!(figure(&dash.body, key), n, "{key}");
    }
    // The staff timeline shows the calls.
    let appeal_page = get_with(&app, &format!("/staff/appeal/{ticket}"), &cookie).await;
    assert!(appeal_page.body.contains("电话回访：满意") && appeal_page.body.contains("电话回访：未接通"));

    // A non-admin cannot keep templates.
    assert_eq!(get_with(&app, "/staff/admin/templates", &cookie).await.status, StatusCode::NOT_FOUND);
    let r = post_with(
        &app,
        "/staff/admin/templates/save",
        &format!("csrf={token}&category=sanitation&title=x&body=y"),
        &cookie,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The admin adds one (a refused save first: the errors at the fields), and has no queue.
    let (admin, _) = common::staff_sign_in(&app, &state, "boss", PASSWORD, None).await;
    assert_eq!(get_with(&app, "/staff/callbacks", &admin).await.status, StatusCode::NOT_FOUND);
    let page = get_with(&app, "/staff/admin/templates", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    let atoken = csrf(&page.body);
    let r =
        post_with(&app, "/staff/admin/templates/save", &format!("csrf={atoken}&category=&title=&body="), &admin).await;
    assert_eq!(r.location.as_deref(), Some("/staff/admin/templates#templates-save"));
    let page = get_with(&app, "/staff/admin/templates", &admin).await;
    assert!(page.body.contains("请填写标题") && page.body.contains("href=\"#title\""), "{}", page.body);
    let body = format!(
        "csrf={atoken}&category=sanitation&title={}&body={}",
        enc("已清运"),
        enc("您好，已安排清运车每日清运。")
    );
    let r = post_with(&app, "/staff/admin/templates/save", &body, &admin).await;
    assert_eq!(r.location.as_deref(), Some("/staff/admin/templates"));
    assert!(get_with(&app, "/staff/admin/templates", &admin).await.body.contains("您好，已安排清运车每日清运。"));
    // A hostile body: text everywhere, never markup (the admin page's textarea, the staff page).
    let hostile = "先看<b>这里</b></textarea><script>alert(1)</script>";
    let body = format!("csrf={atoken}&category=sanitation&title={}&body={}", enc("注意"), enc(hostile));
    let r = post_with(&app, "/staff/admin/templates/save", &body, &admin).await;
    assert_eq!(r.location.as_deref(), Some("/staff/admin/templates"));
    let page = get_with(&app, "/staff/admin/templates", &admin).await;
    assert!(
        page.body.contains("&lt;/textarea&gt;&lt;script&gt;") && !page.body.contains("<script>alert"),
        "{}",
        page.body
    );
    // Deleting is the admin's too: a non-admin's post is refused and the template stays.
    let all = backend::store::callbacks::templates(&state.db.pool).await.unwrap();
    let hostile_id = all.iter().find(|x| x.title == "注意").unwrap().id.clone();
    let r = post_with(&app, "/staff/admin/templates/delete", &format!("csrf={token}&id={hostile_id}"), &cookie).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(backend::store::callbacks::templates(&state.db.pool).await.unwrap().len(), 2);
    // Under the reply form of a sanitation appeal in progress (the handling unit, who may reply),
    // as text to copy.
    let second = appeal(&state).await;
    work::act(&state, &wang_staff, &second, &Act::Sign).await.unwrap();
    let page = get_with(&app, &format!("/staff/appeal/{second}"), &wang_cookie).await;
    let templates = common::between(&page.body, "id=\"reply-templates\"", "</section>").expect("the templates section");
    assert!(
        templates.contains("<details")
            && templates.contains("已清运")
            && templates.contains("您好，已安排清运车每日清运。")
    );
    assert!(
        templates.contains("&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;")
            && !page.body.contains("<script>alert"),
        "{templates}"
    );
}
