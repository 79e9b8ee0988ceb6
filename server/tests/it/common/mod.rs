//! Shared helpers of the router tests: the real router on a fresh SQLite database with the demo
//! city, and requests as a browser with JavaScript off would send them.

#![allow(dead_code)]

pub mod browser;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use backend::config::Limits;
use http_body_util::BodyExt;
use pingan_server::config::Config;
use pingan_server::startup::{build_router, build_state, leptos_options};
use tower::ServiceExt;

/// A fresh database's config (demo city, fast password hashing).
pub fn config(limits: Limits) -> Config {
    let dir = std::env::temp_dir().join("pingan-router-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let n: u64 = rand_u64();
    let mut config = Config::defaults(&format!("sqlite://{}?mode=rwc", dir.join(format!("{n:x}.db")).display()));
    config.limits = limits;
    config.auth.cost = backend::config::PasswordCost::TEST;
    config
}

pub async fn app(limits: Limits) -> Router {
    let config = config(limits);
    let state = build_state(&config).await.unwrap();
    build_router(state, leptos_options(&config), false)
}

pub fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
    h.finish()
}

pub struct Res {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent (`body` is its lossy text).
    pub bytes: axum::body::Bytes,
}

pub async fn send(app: &Router, req: Request<Body>) -> Res {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let location = headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Res { status, location, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
}

pub async fn get(app: &Router, uri: &str) -> Res {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn post_form(app: &Router, uri: &str, body: &str) -> Res {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
        .body(Body::from(body.to_owned()))
        .unwrap();
    send(app, req).await
}

pub fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The text between the first `start` and the next `end` (attribute values out of HTML).
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = html.find(start)? + start.len();
    let j = html[i..].find(end)? + i;
    Some(&html[i..j])
}

/// The ticket (`id = "ticket"`) or key (`"key"`) on a receipt page, as its text: the code is
/// rendered in groups (`<span class="nowrap">`, issue 14), so the tags between them are dropped.
pub fn receipt_code(html: &str, id: &str) -> Option<String> {
    let inner = between(html, &format!("id=\"{id}\" class=\"code\">"), "</dd>")?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(text)
}

/// A GET with a cookie header (the staff session).
pub async fn get_with(app: &Router, uri: &str, cookie: &str) -> Res {
    send(app, Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
}

/// A same-origin form POST with a cookie header.
pub async fn post_with(app: &Router, uri: &str, body: &str, cookie: &str) -> Res {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_owned()))
        .unwrap();
    send(app, req).await
}

/// The staff session cookie a response sets (`name=value`), and its whole header.
pub fn session_cookie(r: &Res) -> Option<(String, String)> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("pingan_staff="))
        .map(|c| (c.split(';').next().unwrap_or_default().to_owned(), c.to_owned()))
}

/// The CSRF token of the first staff form on a page.
pub fn csrf(html: &str) -> String {
    between(html, "name=\"csrf\" value=\"", "\"").expect("a csrf field").to_owned()
}

/// The pre-session cookie (`name=value`) the sign-in page sets for its CSRF token.
pub fn pre_cookie(r: &Res) -> Option<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("pingan_staff_pre="))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
}

/// Signs in through the pages as a browser with JavaScript off would. When the server asks for a
/// second factor, answers with `secret`'s current code; when it asks for enrolment (admins and
/// dispatchers), enrols with the key shown on the page. Returns the session cookie and the TOTP
/// secret (if any). A code is accepted once per 30 s step: tests signing in the same enrolled
/// member again move their clock on.
pub async fn staff_sign_in(
    app: &Router,
    state: &backend::AppState,
    user: &str,
    password: &str,
    secret: Option<&str>,
) -> (String, Option<String>) {
    let page = get(app, "/staff/login").await;
    let pre = pre_cookie(&page).expect("the sign-in form's cookie");
    let r = post_with(
        app,
        "/staff/login",
        &format!("csrf={}&username={user}&password={}", csrf(&page.body), enc(password)),
        &pre,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{user}: {}", r.body);
    let (cookie, _) = session_cookie(&r).expect("a session after the password");
    match r.location.as_deref() {
        Some("/staff") => (cookie, secret.map(str::to_owned)),
        Some("/staff/login/code") => {
            let secret = secret.expect("an enrolled member needs the secret");
            let page = get_with(app, "/staff/login/code", &cookie).await;
            let code = backend::auth::signin::code_at(secret, state.clock.ts()).unwrap();
            let r =
                post_with(app, "/staff/login/code", &format!("csrf={}&code={code}", csrf(&page.body)), &cookie).await;
            assert_eq!(r.location.as_deref(), Some("/staff"), "{user}: the code was taken");
            (session_cookie(&r).map_or(cookie, |c| c.0), Some(secret.to_owned()))
        }
        Some("/staff/account/totp") => {
            let page = get_with(app, "/staff/account/totp", &cookie).await;
            let secret = between(&page.body, "data-secret=\"", "\"").expect("the key for manual entry").to_owned();
            let code = backend::auth::signin::code_at(&secret, state.clock.ts()).unwrap();
            let r = post_with(
                app,
                "/staff/account/totp/confirm",
                &format!("csrf={}&code={code}", csrf(&page.body)),
                &cookie,
            )
            .await;
            assert_eq!(r.location.as_deref(), Some("/staff/account/totp#recovery"), "{user}: enrolled");
            (session_cookie(&r).map_or(cookie, |c| c.0), Some(secret))
        }
        other => panic!("{user}: unexpected redirect {other:?}"),
    }
}
