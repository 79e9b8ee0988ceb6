//! The staff workspace over HTTP: sign-in with session rotation and cookie flags, CSRF on every
//! state-changing staff request, time-outs, scope on pages, and the JS-off forms.

use crate::common;

use axum::http::StatusCode;
use backend::clock::ManualClock;
use backend::config::Limits;
use common::{between, config, csrf, enc, get, get_with, post_form, post_with, session_cookie};
use pingan_server::startup::{build_router, build_state, leptos_options};
use std::sync::Arc;

const PASSWORD: &str = "correct horse battery";

struct Setup {
    app: axum::Router,
    state: backend::AppState,
    clock: ManualClock,
}

async fn setup(secure: bool) -> Setup {
    let mut cfg = config(Limits::default());
    cfg.auth.secure_cookies = secure;
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let state = build_state(&cfg).await.unwrap().with_clock(Arc::new(clock.clone()));
    for (u, unit, role) in [
        ("wang", "U-HD0101", "unit_handler"),
        ("street", "U-HD01", "dispatcher"),
        ("boss", "U-SF", "admin"),
        ("far", "U-HX01", "dispatcher"),
    ] {
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
    Setup { app, state, clock }
}

/// Signs in through the login page (enrolling a second factor for admins and dispatchers);
/// returns the session cookie.
async fn sign_in(s: &Setup, user: &str) -> String {
    common::staff_sign_in(&s.app, &s.state, user, PASSWORD, None).await.0
}

#[tokio::test]
async fn sign_in_rotates_the_session_and_sets_strict_cookies() {
    let s = setup(false).await;
    // Not signed in: pages send you to the sign-in page.
    let r = get(&s.app, "/staff").await;
    assert_eq!((r.status, r.location.as_deref()), (StatusCode::SEE_OTHER, Some("/staff/login")));
    let page = get(&s.app, "/staff/login").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("工作人员登录"));
    // No session before signing in: the form's token rides in a cookie of its own.
    assert!(session_cookie(&page).is_none(), "no session for a visitor");
    let header = page
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("pingan_staff_pre="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/staff"] {
        assert!(header.contains(flag), "{header} lacks {flag}");
    }
    assert!(!header.contains("Secure"), "plain HTTP on loopback: no Secure flag in development");
    assert_eq!(page.headers.get("cache-control").unwrap(), "no-store");
    let pre_only = common::pre_cookie(&page).unwrap();
    // A wrong password comes back to the form with a generic message and the user name kept.
    let r =
        post_with(&s.app, "/staff/login", &format!("csrf={}&username=wang&password=nope", csrf(&page.body)), &pre_only)
            .await;
    assert_eq!(r.location.as_deref(), Some("/staff/login"));
    assert!(session_cookie(&r).is_none(), "a refused sign-in writes no session");
    let header = flash_cookie(&r).expect("the message travels in a cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/staff/login"] {
        assert!(header.contains(flag), "{header} lacks {flag}");
    }
    let flash = header.split(';').next().unwrap().to_owned();
    let again = get_with(&s.app, "/staff/login", &format!("{pre_only}; {flash}")).await;
    assert!(again.body.contains("用户名或密码不对"), "{}", again.body);
    assert!(again.body.contains("value=\"wang\""));
    // A session id the browser was given by someone else is never adopted (no fixation).
    let page = get(&s.app, "/staff/login").await;
    let forged = "pingan_staff=AAAAAAAAAAAAAAAAAAAAAA";
    let r = post_with(
        &s.app,
        "/staff/login",
        &format!("csrf={}&username=wang&password={}", csrf(&page.body), common::enc(PASSWORD)),
        &format!("{}; {forged}", common::pre_cookie(&page).unwrap()),
    )
    .await;
    let (cookie, _) = session_cookie(&r).expect("signed in");
    assert_ne!(cookie, forged, "the session id is the server's own");
    assert_eq!(get_with(&s.app, "/staff", forged).await.location.as_deref(), Some("/staff/login"));
    let inbox = get_with(&s.app, "/staff", &cookie).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains("wang 同志") && inbox.body.contains("东关街道和平社区居委会"));
    // Sign-in and its failure are in the audit log.
    let actions: Vec<String> = backend::store::audit::recent(&s.state.db.pool, None, None, None, 20)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert!(actions.contains(&"sign_in".into()) && actions.contains(&"sign_in_failed".into()));
    // Sign out ends the session.
    let inbox = get_with(&s.app, "/staff", &cookie).await;
    let r = post_with(&s.app, "/staff/logout", &format!("csrf={}", csrf(&inbox.body)), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/login"));
    assert_eq!(get_with(&s.app, "/staff", &cookie).await.location.as_deref(), Some("/staff/login"));
}

#[tokio::test]
async fn secure_cookies_outside_development() {
    let s = setup(true).await;
    let page = get(&s.app, "/staff/login").await;
    let header = page
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("pingan_staff_pre="))
        .unwrap();
    assert!(header.contains("Secure"), "{header}");
    let r = post_with(
        &s.app,
        "/staff/login",
        &format!("csrf={}&username=wang&password=nope", csrf(&page.body)),
        &common::pre_cookie(&page).unwrap(),
    )
    .await;
    let header = flash_cookie(&r).unwrap();
    assert!(header.contains("Secure"), "{header}");
}

/// The `Set-Cookie` of the sign-in page's one-time message.
fn flash_cookie(r: &common::Res) -> Option<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("pingan_staff_flash="))
        .map(str::to_owned)
}

#[tokio::test]
async fn every_staff_post_needs_the_sessions_csrf_token() {
    let s = setup(false).await;
    let cookie = sign_in(&s, "boss").await;
    let page = get_with(&s.app, "/staff", &cookie).await;
    let token = csrf(&page.body);
    let posts = [
        "/staff/logout",
        "/staff/appeal/PA00000000/act",
        "/staff/appeal/PA00000000/reveal",
        "/staff/admin/staff/create",
        "/staff/admin/staff/active",
        "/staff/admin/staff/password",
        "/staff/admin/holidays/set",
        "/staff/admin/holidays/delete",
        "/staff/admin/audit/verify",
        "/staff/admin/templates/save",
        "/staff/admin/templates/delete",
        "/staff/admin/summons/save",
        "/staff/callbacks/PA00000000",
        "/staff/login",
        "/staff/login/code",
        "/staff/account/password",
        "/staff/account/totp/start",
        "/staff/account/totp/recovery",
    ];
    for uri in posts {
        for body in ["action=sign".to_owned(), "csrf=0123456789abcdef0123456789abcdef&action=sign".to_owned()] {
            let r = post_with(&s.app, uri, &body, &cookie).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri} with {body}");
            assert!(r.body.contains("页面已过期"), "{uri}");
        }
    }
    // The multipart import form too.
    let boundary = "XyZ";
    let body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nwrong\r\n--{boundary}--\r\n");
    let req = axum::http::Request::post("/staff/admin/import")
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .header("host", "localhost")
        .header("origin", "http://localhost")
        .header("cookie", &cookie)
        .body(axum::body::Body::from(body))
        .unwrap();
    assert_eq!(common::send(&s.app, req).await.status, StatusCode::FORBIDDEN);
    // With the token the same request works (the admin verifies the audit chain).
    let r = post_with(&s.app, "/staff/admin/audit/verify", &format!("csrf={token}"), &cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let audit = get_with(&s.app, "/staff/admin/audit", &cookie).await;
    assert!(audit.body.contains("审计日志完整"), "{}", audit.body);
    // Without a session at all, posts are refused too; a cross-site post never gets that far.
    assert_eq!(
        post_form(&s.app, "/staff/admin/audit/verify", &format!("csrf={token}")).await.status,
        StatusCode::FORBIDDEN
    );
    let req = axum::http::Request::post("/staff/admin/audit/verify")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "localhost")
        .header("origin", "http://evil.example")
        .header("cookie", &cookie)
        .body(axum::body::Body::from(format!("csrf={token}")))
        .unwrap();
    assert_eq!(common::send(&s.app, req).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn admin_pages_are_for_admins_only() {
    let s = setup(false).await;
    let cookie = sign_in(&s, "wang").await;
    let token = csrf(&get_with(&s.app, "/staff", &cookie).await.body);
    for page in
        ["/staff/admin", "/staff/admin/staff", "/staff/admin/audit", "/staff/admin/holidays", "/staff/admin/import"]
    {
        assert_eq!(get_with(&s.app, page, &cookie).await.status, StatusCode::NOT_FOUND, "{page}");
    }
    let r = post_with(
        &s.app,
        "/staff/admin/staff/create",
        &format!("csrf={token}&username=mole&name=x&unit=U-SF&role=admin&password={}", enc(PASSWORD)),
        &cookie,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(backend::auth::list_staff(&s.state, &backend::audit::Who::system())
        .await
        .unwrap()
        .iter()
        .all(|x| x.username != "mole"));
    // An admin creates an account through the form; a weak password comes back per field.
    let admin = sign_in(&s, "boss").await;
    let token = csrf(&get_with(&s.app, "/staff/admin/staff", &admin).await.body);
    let r = post_with(
        &s.app,
        "/staff/admin/staff/create",
        &format!("csrf={token}&username=newbie&name=%E6%96%B0&unit=U-HD010101&role=grid_worker&password=short"),
        &admin,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = get_with(&s.app, "/staff/admin/staff", &admin).await;
    assert!(page.body.contains("密码至少 12 个字符"), "{}", page.body);
    assert!(page.body.contains("value=\"newbie\""), "typed values are kept (never the password)");
    let r = post_with(
        &s.app,
        "/staff/admin/staff/create",
        &format!(
            "csrf={token}&username=newbie&name=%E6%96%B0&unit=U-HD010101&role=grid_worker&password={}",
            enc(PASSWORD)
        ),
        &admin,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(get_with(&s.app, "/staff/admin/staff", &admin).await.body.contains("data-username=\"newbie\""));
}

#[tokio::test]
async fn a_password_reset_or_switch_off_ends_open_sessions() {
    let s = setup(false).await;
    let cookie = sign_in(&s, "wang").await;
    assert_eq!(get_with(&s.app, "/staff", &cookie).await.status, StatusCode::OK);
    s.clock.advance(time::Duration::seconds(5));
    let wang = backend::auth::list_staff(&s.state, &backend::audit::Who::system())
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.username == "wang")
        .unwrap();
    backend::auth::reset_password(&s.state, &backend::audit::Who::system(), &wang.id, "a brand new long secret")
        .await
        .unwrap();
    assert_eq!(get_with(&s.app, "/staff", &cookie).await.location.as_deref(), Some("/staff/login"));
}

#[tokio::test]
async fn the_absolute_time_out_ends_a_busy_session() {
    let s = setup(false).await;
    let cookie = sign_in(&s, "wang").await;
    s.clock.advance(time::Duration::hours(9));
    assert_eq!(get_with(&s.app, "/staff", &cookie).await.status, StatusCode::OK);
    s.clock.advance(time::Duration::hours(2));
    assert_eq!(get_with(&s.app, "/staff", &cookie).await.location.as_deref(), Some("/staff/login"));
}

#[tokio::test]
async fn appeal_pages_act_within_scope_with_js_off_forms() {
    let s = setup(false).await;
    // A sanitation appeal in HD0101 goes to the community committee (wang).
    let (ticket, _) = {
        let first = [("category".to_owned(), "sanitation".to_owned())].into_iter().collect();
        let new = backend::services::appeal::start(&s.state, "c", &first).await.unwrap();
        let (t, secret) = (new.token, new.secret);
        for (step, pairs) in [
            (domain::draft::Step::What, vec![("description", "小区东门垃圾三天没有清运，气味很大")]),
            (domain::draft::Step::Where, vec![("district", "HD"), ("street", "HD01"), ("community", "HD0101")]),
            (domain::draft::Step::Who, vec![("identity", "named"), ("name", "刘女士"), ("phone", "13900001111")]),
        ] {
            let f = pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
            backend::services::appeal::save_step(&s.state, &t, &secret, step, &f).await.unwrap();
        }
        match backend::services::appeal::submit(&s.state, &t, &secret, s.state.clock.now()).await.unwrap() {
            backend::services::appeal::SubmitOutcome::Accepted { ticket } => (ticket, t),
            other => panic!("{other:?}"),
        }
    };
    let cookie = sign_in(&s, "wang").await;
    let page = get_with(&s.app, &format!("/staff/appeal/{ticket}"), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("139****1111") && !page.body.contains("13900001111"), "contact masked");
    assert!(page.body.contains(&format!("action=\"/staff/appeal/{ticket}/act\"")));
    let token = csrf(&page.body);
    // Sign, then reply with an empty body (error at the field), then a real reply.
    let r =
        post_with(&s.app, &format!("/staff/appeal/{ticket}/act"), &format!("csrf={token}&action=sign"), &cookie).await;
    assert_eq!(r.location.as_deref(), Some(format!("/staff/appeal/{ticket}").as_str()));
    let r =
        post_with(&s.app, &format!("/staff/appeal/{ticket}/act"), &format!("csrf={token}&action=reply&body="), &cookie)
            .await;
    assert_eq!(r.location.as_deref(), Some(format!("/staff/appeal/{ticket}#reply").as_str()));
    let page = get_with(&s.app, &format!("/staff/appeal/{ticket}"), &cookie).await;
    assert!(page.body.contains("请填写内容"), "the reply form's error");
    let r = post_with(
        &s.app,
        &format!("/staff/appeal/{ticket}/act"),
        &format!("csrf={token}&action=reply&body={}", enc("已安排环卫今天清运。")),
        &cookie,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Reveal: with a reason, shown once, audited.
    let r = post_with(
        &s.app,
        &format!("/staff/appeal/{ticket}/reveal"),
        &format!("csrf={token}&reason={}", enc("电话确认位置")),
        &cookie,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = get_with(&s.app, &format!("/staff/appeal/{ticket}"), &cookie).await;
    assert!(page.body.contains("13900001111"), "revealed once");
    let page = get_with(&s.app, &format!("/staff/appeal/{ticket}"), &cookie).await;
    assert!(!page.body.contains("13900001111"), "masked again on the next visit");
    assert!(page.body.contains("已安排环卫今天清运。"));
    // Someone in another district: no such appeal, neither page nor photo nor action.
    let far = sign_in(&s, "far").await;
    assert_eq!(get_with(&s.app, &format!("/staff/appeal/{ticket}"), &far).await.status, StatusCode::NOT_FOUND);
    let far_token = csrf(&get_with(&s.app, "/staff", &far).await.body);
    let r = post_with(
        &s.app,
        &format!("/staff/appeal/{ticket}/act"),
        &format!("csrf={far_token}&action=note&body=x"),
        &far,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The street centre above sees it in its inbox with JS-off filters.
    let street = sign_in(&s, "street").await;
    let inbox = get_with(&s.app, "/staff?status=in_progress&category=sanitation", &street).await;
    assert!(
        inbox.body.contains(&format!("data-ticket=\"{ticket}\"")),
        "{}",
        between(&inbox.body, "<main", "</main>").unwrap_or("")
    );
    assert!(inbox.body.contains("<form method=\"post\" action=\"/staff/search\""));
    // The filter form posts and is sent on to the inbox's address (no JavaScript needed).
    let token = csrf(&inbox.body);
    let r =
        post_with(&s.app, "/staff/search", &format!("csrf={token}&status=in_progress&category=sanitation"), &street)
            .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/staff?status=in_progress&category=sanitation"));
}
