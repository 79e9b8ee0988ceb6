//! Issue 9 §4 against the real router: a stranger's wrong passwords do not lock the owner out,
//! throttled attempts get 429 + Retry-After without argon2, the TOTP second factor (enrolment,
//! code page, replay, recovery codes), enrolment before anything else for admins and
//! dispatchers, the password change, wrong codes counted per account across clients, and no
//! session rows for visitors without a cookie.

use crate::common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use backend::auth::signin;
use backend::clock::ManualClock;
use backend::config::Limits;
use common::{
    between, config, csrf, enc, get, get_with, post_with, pre_cookie, send, session_cookie, staff_sign_in, Res,
};
use domain::{Lang, Msg};
use pingan_server::startup::{build_router, build_state, leptos_options};
use std::net::SocketAddr;
use std::sync::Arc;

const PASSWORD: &str = "correct horse battery";
const CLIENT_A: &str = "192.0.2.10:50000";
const CLIENT_B: &str = "198.51.100.20:50000";

struct Setup {
    app: axum::Router,
    state: backend::AppState,
    clock: ManualClock,
}

async fn setup() -> Setup {
    let mut cfg = config(Limits::default());
    cfg.auth.secure_cookies = false;
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let state = build_state(&cfg).await.unwrap().with_clock(Arc::new(clock.clone()));
    for (u, unit, role) in
        [("liu", "U-HD0101", "unit_handler"), ("street", "U-HD01", "dispatcher"), ("boss", "U-SF", "admin")]
    {
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

/// A request from a given client address (the socket peer, as the server sees it).
async fn from(app: &axum::Router, client: &str, mut req: Request<Body>) -> Res {
    req.extensions_mut().insert(ConnectInfo(client.parse::<SocketAddr>().unwrap()));
    send(app, req).await
}

/// One sign-in attempt from `client` with a fresh sign-in page (its cookie and token).
async fn attempt(app: &axum::Router, client: &str, user: &str, password: &str) -> Res {
    let page = from(app, client, Request::get("/staff/login").body(Body::empty()).unwrap()).await;
    let req = Request::post("/staff/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
        .header(header::COOKIE, pre_cookie(&page).unwrap())
        .body(Body::from(format!("csrf={}&username={user}&password={}", csrf(&page.body), enc(password))))
        .unwrap();
    from(app, client, req).await
}

fn retry_after(r: &Res) -> i64 {
    r.headers.get(header::RETRY_AFTER).expect("Retry-After").to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_stranger_cannot_lock_the_owner_out() {
    let s = setup().await;
    // Client A guesses: three free failures, then growing waits.
    for _ in 0..3 {
        let r = attempt(&s.app, CLIENT_A, "liu", "guess-guess-guess").await;
        assert_eq!((r.status, r.location.as_deref()), (StatusCode::SEE_OTHER, Some("/staff/login")));
    }
    let mut waits = Vec::new();
    for _ in 0..4 {
        let before = backend::auth::password::verifications_on_this_thread();
        // Even the right password is not checked while the pair waits.
        let r = attempt(&s.app, CLIENT_A, "liu", PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert_eq!(backend::auth::password::verifications_on_this_thread(), before, "argon2 did not run");
        assert!(
            r.body.contains("role=\"alert\"") && r.body.contains(&format!("{} 秒后再试", retry_after(&r))),
            "{}",
            r.body
        );
        assert!(session_cookie(&r).is_none(), "a refused attempt writes no session");
        waits.push(retry_after(&r));
        s.clock.advance(time::Duration::seconds(retry_after(&r)));
        let r = attempt(&s.app, CLIENT_A, "liu", "guess-guess-guess").await;
        assert_eq!(r.location.as_deref(), Some("/staff/login"));
    }
    assert_eq!(waits, vec![1, 2, 4, 8], "the wait grows");
    // Seven failures from A: the owner, from B, signs in at once.
    let r = attempt(&s.app, CLIENT_B, "liu", PASSWORD).await;
    assert_eq!((r.status, r.location.as_deref()), (StatusCode::SEE_OTHER, Some("/staff")), "{}", r.body);
    let (cookie, _) = session_cookie(&r).unwrap();
    assert_eq!(get_with(&s.app, "/staff", &cookie).await.status, StatusCode::OK);
    // A still waits (16 s now), and then may sign in too; the failures are in the audit log,
    // the guessed password is not.
    assert_eq!(retry_after(&attempt(&s.app, CLIENT_A, "liu", PASSWORD).await), 16);
    s.clock.advance(time::Duration::seconds(16));
    assert_eq!(attempt(&s.app, CLIENT_A, "liu", PASSWORD).await.location.as_deref(), Some("/staff"));
    let log = backend::store::audit::recent(&s.state.db.pool, None, None, None, 50).await.unwrap();
    assert!(log.iter().filter(|r| r.action == "sign_in_failed").count() >= 7);
    assert!(!format!("{:?}", log.iter().map(|r| r.detail.clone()).collect::<Vec<_>>()).contains("guess-guess"));
}

#[tokio::test]
async fn admins_and_dispatchers_enrol_before_anything_else() {
    let s = setup().await;
    for user in ["street", "boss"] {
        let page = get(&s.app, "/staff/login").await;
        let pre = pre_cookie(&page).unwrap();
        let r = post_with(
            &s.app,
            "/staff/login",
            &format!("csrf={}&username={user}&password={}", csrf(&page.body), enc(PASSWORD)),
            &pre,
        )
        .await;
        assert_eq!(r.location.as_deref(), Some("/staff/account/totp"), "{user}");
        let (cookie, _) = session_cookie(&r).unwrap();
        for page in [
            "/staff",
            "/staff/admin",
            "/staff/admin/staff",
            "/staff/admin/audit",
            "/staff/account",
            "/staff/appeal/PA00000000",
        ] {
            let r = get_with(&s.app, page, &cookie).await;
            assert_eq!(
                (r.status, r.location.as_deref()),
                (StatusCode::SEE_OTHER, Some("/staff/account/totp")),
                "{user} {page}"
            );
        }
        let totp = get_with(&s.app, "/staff/account/totp", &cookie).await;
        assert_eq!(totp.status, StatusCode::OK);
        let token = csrf(&totp.body);
        for post in [
            "/staff/admin/staff/create",
            "/staff/admin/audit/verify",
            "/staff/appeal/PA00000000/act",
            "/staff/account/password",
        ] {
            let r = post_with(&s.app, post, &format!("csrf={token}&action=note&body=x"), &cookie).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user} {post}");
        }
        // The page: a QR code (SVG, no script) and the key for manual entry.
        assert!(totp.body.contains("<svg"), "{}", totp.body);
        let secret = between(&totp.body, "data-secret=\"", "\"").unwrap().to_owned();
        assert_eq!(secret.len(), 32, "160 bits in base 32");
        // A wrong code does not enrol.
        let right = signin::code_at(&secret, s.state.clock.ts()).unwrap();
        let wrong = if right == "123456" { "654321" } else { "123456" };
        let r = post_with(&s.app, "/staff/account/totp/confirm", &format!("csrf={token}&code={wrong}"), &cookie).await;
        assert_eq!(r.location.as_deref(), Some("/staff/account/totp#totp"));
        let again = get_with(&s.app, "/staff/account/totp", &cookie).await;
        assert!(again.body.contains("验证码不对"), "{}", again.body);
        assert_eq!(get_with(&s.app, "/staff", &cookie).await.location.as_deref(), Some("/staff/account/totp"));
        // The right one does; the recovery codes are shown once.
        let r = post_with(&s.app, "/staff/account/totp/confirm", &format!("csrf={token}&code={right}"), &cookie).await;
        assert_eq!(r.location.as_deref(), Some("/staff/account/totp#recovery"));
        let shown = get_with(&s.app, "/staff/account/totp", &cookie).await;
        let list = between(&shown.body, "id=\"recovery-codes\"", "</ol>").unwrap();
        assert_eq!(list.matches("<code>").count(), 10);
        assert!(
            !get_with(&s.app, "/staff/account/totp", &cookie).await.body.contains("id=\"recovery-codes\""),
            "only once"
        );
        assert_eq!(get_with(&s.app, "/staff", &cookie).await.status, StatusCode::OK, "{user} may work now");
    }
    let log = backend::store::audit::recent(&s.state.db.pool, None, None, None, 50).await.unwrap();
    assert_eq!(log.iter().filter(|r| r.action == "totp_enrol").count(), 2);
}

#[tokio::test]
async fn sign_in_with_a_code_replay_refused_recovery_code_once() {
    let s = setup().await;
    let (_, secret) = staff_sign_in(&s.app, &s.state, "street", PASSWORD, None).await;
    let secret = secret.unwrap();
    // A recovery code, from a regeneration on the account page.
    let (cookie, _) = {
        s.clock.advance(time::Duration::seconds(30));
        staff_sign_in(&s.app, &s.state, "street", PASSWORD, Some(&secret)).await
    };
    let page = get_with(&s.app, "/staff/account/totp", &cookie).await;
    // Without a current code: refused at the field, on the page.
    let r = post_with(&s.app, "/staff/account/totp/recovery", &format!("csrf={}", csrf(&page.body)), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/account/totp#totp-recovery"));
    let refused = get_with(&s.app, "/staff/account/totp", &cookie).await;
    assert!(refused.body.contains("href=\"#regen-code\""), "the summary leads to the field");
    assert!(!refused.body.contains("id=\"recovery-codes\""), "no codes");
    s.clock.advance(time::Duration::seconds(30));
    let code = backend::auth::signin::code_at(&secret, s.state.clock.ts()).unwrap();
    let r = post_with(
        &s.app,
        "/staff/account/totp/recovery",
        &format!("csrf={}&code={code}", csrf(&refused.body)),
        &cookie,
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/staff/account/totp#recovery"));
    let shown = get_with(&s.app, "/staff/account/totp", &cookie).await;
    let recovery = between(&shown.body, "id=\"recovery-codes\"", "</ol>")
        .and_then(|l| between(l, "<code>", "</code>"))
        .unwrap()
        .to_owned();

    // Password first: the session waits for the code, and is not signed in yet.
    let password_step = |app: axum::Router| async move {
        let page = get(&app, "/staff/login").await;
        let pre = pre_cookie(&page).unwrap();
        let r = post_with(
            &app,
            "/staff/login",
            &format!("csrf={}&username=street&password={}", csrf(&page.body), enc(PASSWORD)),
            &pre,
        )
        .await;
        assert_eq!(r.location.as_deref(), Some("/staff/login/code"));
        let (cookie, _) = session_cookie(&r).unwrap();
        let page = get_with(&app, "/staff/login/code", &cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("autocomplete=\"one-time-code\""));
        (cookie, csrf(&page.body))
    };
    let (cookie, token) = password_step(s.app.clone()).await;
    assert_eq!(get_with(&s.app, "/staff", &cookie).await.location.as_deref(), Some("/staff/login"));
    // The code used a moment ago is spent (same step): refused, back to the code page.
    let used = signin::code_at(&secret, s.state.clock.ts()).unwrap();
    let r = post_with(&s.app, "/staff/login/code", &format!("csrf={token}&code={used}"), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/login/code"));
    assert!(get_with(&s.app, "/staff/login/code", &cookie).await.body.contains("验证码不对"));
    // The next step's code works, once.
    s.clock.advance(time::Duration::seconds(30));
    let code = signin::code_at(&secret, s.state.clock.ts()).unwrap();
    let r = post_with(&s.app, "/staff/login/code", &format!("csrf={token}&code={code}"), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff"));
    let (signed, _) = session_cookie(&r).unwrap();
    assert_ne!(signed, cookie, "a new session id once signed in");
    assert_eq!(get_with(&s.app, "/staff", &signed).await.status, StatusCode::OK);
    let (cookie, token) = password_step(s.app.clone()).await;
    let r = post_with(&s.app, "/staff/login/code", &format!("csrf={token}&code={code}"), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/login/code"), "a replayed code is refused");
    // A recovery code instead of a code: once.
    let r = post_with(&s.app, "/staff/login/code", &format!("csrf={token}&code={}", enc(&recovery)), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff"));
    let (cookie, token) = password_step(s.app.clone()).await;
    let r = post_with(&s.app, "/staff/login/code", &format!("csrf={token}&code={}", enc(&recovery)), &cookie).await;
    assert_eq!(r.location.as_deref(), Some("/staff/login/code"), "spent");
    // Too many wrong codes end the pending sign-in: back to the password.
    for _ in 0..4 {
        post_with(&s.app, "/staff/login/code", &format!("csrf={token}&code=000000"), &cookie).await;
    }
    let r = post_with(&s.app, "/staff/login/code", &format!("csrf={token}&code=000000"), &cookie).await;
    assert!(
        matches!(r.location.as_deref(), Some("/staff/login") | Some("/staff/login/code"))
            || r.status == StatusCode::TOO_MANY_REQUESTS
    );
    let log = backend::store::audit::recent(&s.state.db.pool, None, None, None, 80).await.unwrap();
    assert!(log.iter().any(|r| r.action == "recovery_code_used"));
    assert!(log.iter().any(|r| r.action == "recovery_codes_regenerate"));
}

#[tokio::test]
async fn a_password_change_refuses_common_passwords_and_ends_other_sessions() {
    let s = setup().await;
    let (here, _) = staff_sign_in(&s.app, &s.state, "liu", PASSWORD, None).await;
    let (elsewhere, _) = staff_sign_in(&s.app, &s.state, "liu", PASSWORD, None).await;
    s.clock.advance(time::Duration::seconds(5));
    let page = get_with(&s.app, "/staff/account", &here).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"new_password\"") && page.body.contains("autocomplete=\"new-password\""));
    let token = csrf(&page.body);
    let change = |cur: &str, new: &str, again: &str| {
        format!("csrf={token}&password={}&new_password={}&new_password2={}", enc(cur), enc(new), enc(again))
    };
    let r = post_with(
        &s.app,
        "/staff/account/password",
        &change(PASSWORD, "qwerty123qwerty123", "qwerty123qwerty123"),
        &here,
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/staff/account#password"));
    let page = get_with(&s.app, "/staff/account", &here).await;
    assert!(page.body.contains("这个密码太常见"), "{}", page.body);
    let r = post_with(
        &s.app,
        "/staff/account/password",
        &change("not it at all", "a fine new passphrase", "a fine new passphrase"),
        &here,
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/staff/account#password"));
    assert!(get_with(&s.app, "/staff/account", &here).await.body.contains("当前密码不对"));
    assert_eq!(get_with(&s.app, "/staff", &elsewhere).await.status, StatusCode::OK, "nothing changed yet");
    let r = post_with(
        &s.app,
        "/staff/account/password",
        &change(PASSWORD, "a fine new passphrase", "a fine new passphrase"),
        &here,
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/staff/account"));
    let here = session_cookie(&r).map_or(here, |c| c.0);
    assert!(get_with(&s.app, "/staff/account", &here).await.body.contains("密码已修改"));
    assert_eq!(get_with(&s.app, "/staff", &here).await.status, StatusCode::OK, "this session goes on");
    assert_eq!(
        get_with(&s.app, "/staff", &elsewhere).await.location.as_deref(),
        Some("/staff/login"),
        "the other one ended"
    );
    assert_eq!(attempt(&s.app, CLIENT_B, "liu", PASSWORD).await.location.as_deref(), Some("/staff/login"));
    assert_eq!(attempt(&s.app, CLIENT_B, "liu", "a fine new passphrase").await.location.as_deref(), Some("/staff"));
}

/// A member who turns on the second factor (perhaps because the password leaked) ends every
/// other session, signed in with the password alone; the one that enrolled goes on.
#[tokio::test]
async fn turning_on_the_second_factor_ends_other_sessions() {
    let s = setup().await;
    let (here, _) = staff_sign_in(&s.app, &s.state, "liu", PASSWORD, None).await;
    let (elsewhere, _) = staff_sign_in(&s.app, &s.state, "liu", PASSWORD, None).await;
    s.clock.advance(time::Duration::seconds(5));
    let page = get_with(&s.app, "/staff/account/totp", &here).await;
    let r = post_with(&s.app, "/staff/account/totp/start", &format!("csrf={}", csrf(&page.body)), &here).await;
    assert_eq!(r.location.as_deref(), Some("/staff/account/totp"));
    let page = get_with(&s.app, "/staff/account/totp", &here).await;
    let secret = between(&page.body, "data-secret=\"", "\"").expect("the key to enter").to_owned();
    assert_eq!(get_with(&s.app, "/staff", &elsewhere).await.status, StatusCode::OK, "nothing changed yet");
    let code = signin::code_at(&secret, s.state.clock.ts()).unwrap();
    let r = post_with(&s.app, "/staff/account/totp/confirm", &format!("csrf={}&code={code}", csrf(&page.body)), &here)
        .await;
    assert_eq!(r.location.as_deref(), Some("/staff/account/totp#recovery"));
    assert_eq!(get_with(&s.app, "/staff", &here).await.status, StatusCode::OK, "this session goes on");
    assert_eq!(
        get_with(&s.app, "/staff", &elsewhere).await.location.as_deref(),
        Some("/staff/login"),
        "the password-only one ended"
    );
}

#[tokio::test]
async fn visitors_without_a_cookie_write_no_session_rows() {
    let s = setup().await;
    let count = || async { backend::store::signin::session_count(&s.state.db.pool).await.unwrap() };
    assert_eq!(count().await, 0);
    for page in [
        "/staff/login",
        "/staff",
        "/staff/login/code",
        "/staff/account",
        "/staff/account/totp",
        "/staff/admin",
        "/staff/appeal/PA00000000",
    ] {
        for _ in 0..3 {
            let r = get(&s.app, page).await;
            assert!(session_cookie(&r).is_none(), "{page}");
        }
    }
    // Posts without a session are refused without one too.
    let r = common::post_form(&s.app, "/staff/account/password", "csrf=x").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(count().await, 0, "no row for cookieless requests");
    // A sign-in post with a forged token is refused before anything is written.
    let page = get(&s.app, "/staff/login").await;
    let r = post_with(
        &s.app,
        "/staff/login",
        &format!("csrf={}&username=liu&password={}", "0".repeat(32), enc(PASSWORD)),
        &pre_cookie(&page).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(count().await, 0);
    // A wrong password and a code with no sign-in waiting are refused without one as well: the
    // message reaches the sign-in page in a cookie read once.
    let pre = pre_cookie(&page).unwrap();
    let token = common::csrf(&page.body);
    // (An account nobody has: liu's own throttle must not be started before liu signs in below.)
    for _ in 0..3 {
        let body = format!("csrf={token}&username=zhao&password={}", enc("not the password at all"));
        let r = post_with(&s.app, "/staff/login", &body, &pre).await;
        assert_eq!(r.location.as_deref(), Some("/staff/login"));
        assert_eq!(count().await, 0, "a wrong password writes no session row");
        let flash = r
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("pingan_staff_flash="))
            .map(|c| c.split(';').next().unwrap().to_owned())
            .expect("the message travels in a cookie");
        let back = common::get_with(&s.app, "/staff/login", &format!("{pre}; {flash}")).await;
        assert!(back.body.contains(Msg::ErrLoginFailed.text(Lang::ZhCn)), "the refusal is shown");
        assert!(back.body.contains("value=\"zhao\""), "the user name comes back");
        let cleared = back.headers.get_all(header::SET_COOKIE).iter().any(|v| {
            let v = v.to_str().unwrap();
            v.starts_with("pingan_staff_flash=;") && v.contains("Max-Age=0")
        });
        assert!(cleared, "read once");
        assert_eq!(count().await, 0);
    }
    let r = post_with(&s.app, "/staff/login/code", &format!("csrf={token}&code=123456"), &pre).await;
    assert_eq!(r.location.as_deref(), Some("/staff/login"));
    assert_eq!(count().await, 0, "a code with nothing waiting writes no session row");
    // A forged flash cookie is ignored, not an error.
    let forged = common::get_with(&s.app, "/staff/login", &format!("{pre}; pingan_staff_flash=zz7b")).await;
    assert_eq!(forged.status, StatusCode::OK);
    // Signing in makes exactly one.
    staff_sign_in(&s.app, &s.state, "liu", PASSWORD, None).await;
    assert_eq!(count().await, 1);
}

/// The password and then `code` from `client` (a fresh sign-in each time, as a guesser with the
/// password would do); returns the code page shown after the answer, or the answer itself.
async fn code_from(app: &axum::Router, client: &str, code: &str) -> (Res, Option<Res>) {
    let r = attempt(app, client, "street", PASSWORD).await;
    assert_eq!(r.location.as_deref(), Some("/staff/login/code"), "{client}: password step");
    let (cookie, _) = session_cookie(&r).unwrap();
    let with_cookie = |req: axum::http::request::Builder| {
        req.header(header::HOST, "localhost").header(header::ORIGIN, "http://localhost").header(header::COOKIE, &cookie)
    };
    let page = from(app, client, with_cookie(Request::get("/staff/login/code")).body(Body::empty()).unwrap()).await;
    let req = with_cookie(Request::post("/staff/login/code"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={}&code={}", csrf(&page.body), enc(code))))
        .unwrap();
    let r = from(app, client, req).await;
    if r.location.as_deref() != Some("/staff/login/code") {
        return (r, None);
    }
    let again = from(app, client, with_cookie(Request::get("/staff/login/code")).body(Body::empty()).unwrap()).await;
    (r, Some(again))
}

/// Someone with the password guesses codes from many addresses, a few from each (the pair
/// throttle never starts): after the account's limit even the right authenticator code is
/// refused, with a message saying a recovery code still works; it does, and ends the lock.
#[tokio::test]
async fn wrong_codes_are_counted_per_account_whatever_the_address() {
    let s = setup().await;
    let (cookie, secret) = staff_sign_in(&s.app, &s.state, "street", PASSWORD, None).await;
    let secret = secret.unwrap();
    // Recovery codes, minted with a current code on the account page.
    s.clock.advance(time::Duration::seconds(30));
    let page = get_with(&s.app, "/staff/account/totp", &cookie).await;
    let code = signin::code_at(&secret, s.state.clock.ts()).unwrap();
    let body = format!("csrf={}&code={code}", csrf(&page.body));
    post_with(&s.app, "/staff/account/totp/recovery", &body, &cookie).await;
    let shown = get_with(&s.app, "/staff/account/totp", &cookie).await;
    let recovery = between(&shown.body, "id=\"recovery-codes\"", "</ol>")
        .and_then(|l| between(l, "<code>", "</code>"))
        .unwrap()
        .to_owned();

    let wrong = |i: i64| format!("{:06}", (i * 7919 + 13) % 1_000_000);
    let right_now = |s: &Setup| signin::code_at(&secret, s.state.clock.ts()).unwrap();
    for i in 0..signin::WRONG_CODES_PER_ACCOUNT {
        s.clock.advance(time::Duration::seconds(30));
        let mut w = wrong(i);
        if w == right_now(&s) {
            w = wrong(i + 500);
        }
        let client = format!("203.0.113.{}:40000", i + 1);
        let (r, again) = code_from(&s.app, &client, &w).await;
        assert_eq!(r.location.as_deref(), Some("/staff/login/code"), "try {i}");
        let again = again.unwrap();
        if i + 1 < signin::WRONG_CODES_PER_ACCOUNT {
            assert!(again.body.contains("验证码不对"), "try {i}: the plain answer");
        } else {
            assert!(again.body.contains("请用恢复码登录"), "the try that reaches the limit says so");
        }
    }
    // From an address never seen, the right code of the current step is refused now.
    s.clock.advance(time::Duration::seconds(30));
    let (r, again) = code_from(&s.app, "192.0.2.200:40000", &right_now(&s)).await;
    assert_eq!(r.location.as_deref(), Some("/staff/login/code"), "not signed in");
    assert!(again.unwrap().body.contains("请用恢复码登录"));
    // So is an account change proven with one, for a signed-in session.
    s.clock.advance(time::Duration::seconds(30));
    let page = get_with(&s.app, "/staff/account/totp", &cookie).await;
    let body = format!("csrf={}&code={}", csrf(&page.body), right_now(&s));
    post_with(&s.app, "/staff/account/totp/recovery", &body, &cookie).await;
    let refused = get_with(&s.app, "/staff/account/totp", &cookie).await;
    assert!(refused.body.contains("请用恢复码登录"), "the account page says why and what to do");
    assert!(!refused.body.contains("id=\"recovery-codes\""), "no new codes");
    // A recovery code still signs in, and ends the lock.
    let (r, _) = code_from(&s.app, "192.0.2.201:40000", &recovery).await;
    assert_eq!(r.location.as_deref(), Some("/staff"), "a recovery code works");
    s.clock.advance(time::Duration::seconds(30));
    let (r, _) = code_from(&s.app, "192.0.2.202:40000", &right_now(&s)).await;
    assert_eq!(r.location.as_deref(), Some("/staff"), "authenticator codes work again");

    let log = backend::store::audit::recent(&s.state.db.pool, None, None, None, 80).await.unwrap();
    assert_eq!(log.iter().filter(|r| r.action == "second_factor_locked").count(), 1, "audited once");
}

/// The lock lasts a day after the last wrong code, not for ever, and tries while locked (not
/// checked) do not make it longer.
#[tokio::test]
async fn the_per_account_code_lock_ends_a_day_after_the_last_wrong_code() {
    let s = setup().await;
    let (_, secret) = staff_sign_in(&s.app, &s.state, "street", PASSWORD, None).await;
    let secret = secret.unwrap();
    for i in 0..signin::WRONG_CODES_PER_ACCOUNT {
        s.clock.advance(time::Duration::seconds(30));
        let right = signin::code_at(&secret, s.state.clock.ts()).unwrap();
        let w = if right == "000001" { "000002" } else { "000001" };
        code_from(&s.app, &format!("203.0.113.{}:40000", i + 1), w).await;
    }
    s.clock.advance(time::Duration::seconds(signin::FORGET_AFTER - 60));
    let right = signin::code_at(&secret, s.state.clock.ts()).unwrap();
    let (r, _) = code_from(&s.app, "192.0.2.210:40000", &right).await;
    assert_eq!(r.location.as_deref(), Some("/staff/login/code"), "still locked within the day");
    // A day and a half minute after the last wrong code: open, the refused try above not counted.
    s.clock.advance(time::Duration::seconds(90));
    let right = signin::code_at(&secret, s.state.clock.ts()).unwrap();
    let (r, _) = code_from(&s.app, "192.0.2.211:40000", &right).await;
    assert_eq!(r.location.as_deref(), Some("/staff"), "open again");
}
