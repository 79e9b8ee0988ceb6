//! Bad input to the two machine interfaces (issue 9 §6): the server functions over `/api/`
//! answer 400 (not 500) to arguments that do not decode and are rate limited per client, and
//! Open311's list filters are bounded (32,000 `service_code` values are refused at once instead
//! of costing seconds of CPU).

use crate::common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use backend::config::Limits;
use common::{send, Res};
use domain::{Lang, Msg};
use pingan_server::startup::{build_router, build_state, leptos_options};
use std::time::{Duration, Instant};

/// The router, trusting `X-Forwarded-For` so tests can play several clients.
async fn app(limits: Limits) -> Router {
    let config = common::config(limits);
    let state = build_state(&config).await.unwrap();
    build_router(state, leptos_options(&config), true)
}

/// The `/api/…` path of a server function (its name plus server_fn's hash), if there is one.
fn find_fn(name: &str) -> Option<&'static str> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p)
        .find(|p| pingan_server::api_guard::fn_name(p) == Some(name))
}

fn fn_path(name: &str) -> &'static str {
    find_fn(name).unwrap_or_else(|| panic!("no server function {name}"))
}

async fn call(app: &Router, name: &str, body: impl Into<Body>, client: &str, cookie: &str) -> Res {
    let mut req = Request::post(fn_path(name))
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-for", client);
    if !cookie.is_empty() {
        req = req.header(header::COOKIE, cookie);
    }
    send(app, req.body(body.into()).unwrap()).await
}

fn assert_refused(r: &Res, status: StatusCode, lang: Lang, msg: Msg) {
    assert_eq!(r.status, status, "{}", r.body);
    let (variant, text) = r.body.split_once('|').unwrap_or_else(|| panic!("not a server_fn error: {}", r.body));
    assert!(["Args", "MissingArg", "Request", "ServerError"].contains(&variant), "{}", r.body);
    assert_eq!(text, msg.text(lang));
}

#[tokio::test]
async fn server_functions_answer_400_to_arguments_that_do_not_decode() {
    let app = app(Limits { track_per_10min: 1000, ..Limits::default() }).await;
    // A good call works (and shows what the bad ones are measured against).
    let ok = call(&app, "legal_search", "q=%E5%B7%A5%E8%B5%84", "10.0.0.1", "").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let bad = StatusCode::BAD_REQUEST;
    // Missing field.
    assert_refused(&call(&app, "legal_search", "", "10.0.0.1", "").await, bad, Lang::ZhCn, Msg::ApiBadArguments);
    assert_refused(
        &call(&app, "legal_triage", "category=wage_arrears", "10.0.0.1", "").await,
        bad,
        Lang::ZhCn,
        Msg::ApiBadArguments,
    );
    // Invalid UTF-8: a raw body that is not UTF-8 is refused (in English with the language
    // cookie); percent-encoded bytes are decoded lossily by server_fn, so they are only text
    // with replacement characters, never an error.
    assert_refused(
        &call(&app, "legal_search", b"q=\xff\xfe".to_vec(), "10.0.0.1", "lang=en").await,
        bad,
        Lang::En,
        Msg::ApiBadArguments,
    );
    assert_eq!(call(&app, "legal_search", "q=%FF%FE%C0%AF", "10.0.0.1", "").await.status, StatusCode::OK);
    // Too long: over the body limit, never read to the end.
    let huge = format!("q={}", "x".repeat(pingan_server::api_guard::BODY_LIMIT + 1));
    assert_refused(&call(&app, "legal_search", huge, "10.0.0.1", "").await, bad, Lang::ZhCn, Msg::ApiBadArguments);
    // Wrong type: a list where a string goes; a number that is not one (`lat` is text to the
    // function, so the service judges it: an answer, not an error).
    assert_refused(
        &call(&app, "legal_search", "q[0]=1&q[1]=2", "10.0.0.1", "").await,
        bad,
        Lang::ZhCn,
        Msg::ApiBadArguments,
    );
    let r = call(&app, "legal_directory", "kind=&district=&street=&lat=1e999&lng=NaN", "10.0.0.1", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Staff functions need the staff session (its cookie never reaches /api): not served, so a
    // bad number (`before`) is a 404 page, not the 500 it used to be.
    let r = call(&app, "staff_admin_audit", "ticket=&action=&before=abc", "10.0.0.1", "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("<html") && r.body.contains(Msg::NotFound.text(Lang::ZhCn)));
    assert_eq!(call(&app, "staff_login_view", "", "10.0.0.1", "").await.status, StatusCode::NOT_FOUND);
    // The public figures' function answers with exact counts (the page shows "<5"): never served.
    let stats = "region=HD010101&period=custom&year=&month=&quarter=&from=2026-11-23&to=2026-11-23";
    assert_eq!(call(&app, "public_stats", stats, "10.0.0.1", "").await.status, StatusCode::NOT_FOUND);
    // Only POST.
    let get =
        send(&app, Request::get(fn_path("legal_home")).header(header::HOST, "localhost").body(Body::empty()).unwrap())
            .await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(get.headers.get(header::ALLOW).unwrap(), "POST");
    // Every registered function, with nothing and with garbage: never a 5xx.
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        for body in [&b""[..], b"\xff", b"token=%00&ticket=%27%20OR%201%3D1%20--&q=%3Cscript%3E&before=NaN"] {
            let req = Request::builder()
                .method(Method::POST)
                .uri(path)
                .header(header::HOST, "localhost")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("x-forwarded-for", "10.0.0.2")
                .body(Body::from(body.to_vec()))
                .unwrap();
            let r = send(&app, req).await;
            assert!(!r.status.is_server_error(), "{path} {body:?}: {} {}", r.status, r.body);
        }
    }
}

#[tokio::test]
async fn server_functions_are_rate_limited_per_client_like_the_track_lookup() {
    let app = app(Limits { track_per_10min: 3, ..Limits::default() }).await;
    for _ in 0..3 {
        assert_eq!(call(&app, "legal_search", "q=x", "10.0.0.3", "").await.status, StatusCode::OK);
    }
    let r = call(&app, "legal_search", "q=x", "10.0.0.3", "").await;
    assert_refused(&r, StatusCode::TOO_MANY_REQUESTS, Lang::ZhCn, Msg::TrackRateLimited);
    // The budget is the track lookup's: this client's track lookups are refused too (the form;
    // with §1-2 merged it moves from `GET /track?…` to `POST /form/track`, both are tried).
    let get = send(
        &app,
        Request::get("/track?ticket=PA-0000-0000&key=AAAAAAAAAAAAAAAAAAAAAAAAAA")
            .header(header::HOST, "localhost")
            .header("x-forwarded-for", "10.0.0.3")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let post = send(
        &app,
        Request::post("/form/track")
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-for", "10.0.0.3")
            .body(Body::from("ticket=PA-0000-0000&key=AAAAAAAAAAAAAAAAAAAAAAAAAA"))
            .unwrap(),
    )
    .await;
    assert!(
        [get.status, post.status].contains(&StatusCode::TOO_MANY_REQUESTS),
        "track lookup after the budget went on server functions: GET {} POST {}",
        get.status,
        post.status
    );
    // Another client has its own budget.
    assert_eq!(call(&app, "legal_search", "q=x", "10.0.0.4", "").await.status, StatusCode::OK);
    // `track_appeal` (while it exists: §1-2 replaces it with a cookie-bound function) is counted
    // once, by its service, exactly like the track form: three lookups, then "rate limited".
    if find_fn("track_appeal").is_some() {
        for _ in 0..3 {
            let r =
                call(&app, "track_appeal", "ticket=PA-0000-0000&key=AAAAAAAAAAAAAAAAAAAAAAAAAA&flash=", "10.0.0.5", "")
                    .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert!(r.body.contains("NotFound"), "{}", r.body);
        }
        let r = call(&app, "track_appeal", "ticket=PA-0000-0000&key=AAAAAAAAAAAAAAAAAAAAAAAAAA&flash=", "10.0.0.5", "")
            .await;
        assert!(r.body.contains("RateLimited"), "{}", r.body);
    }
}

#[tokio::test]
async fn open311_list_filters_are_bounded_and_linear() {
    let app = app(Limits::default()).await;
    let get = |uri: String| {
        let app = app.clone();
        async move { send(&app, Request::get(uri).header(header::HOST, "localhost").body(Body::empty()).unwrap()).await }
    };
    for ext in ["json", "xml"] {
        // 32,000 service codes (the report's 3.5 s of CPU): refused at once. One letter each, so
        // the URI stays under http's 64 KiB limit, as it had to in the report.
        let codes: Vec<String> =
            (0..32_000u32).map(|i| char::from(b'a' + u8::try_from(i % 26).unwrap()).to_string()).collect();
        let t = Instant::now();
        let r = get(format!("/open311/v2/requests.{ext}?service_code={}", codes.join(","))).await;
        let took = t.elapsed();
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body.contains("service_code: at most 100 values at once"), "{}", r.body);
        assert!(r.body.len() < 1_000, "one short error, not one per code: {} bytes", r.body.len());
        assert!(took < Duration::from_secs(2), "32,000 codes took {took:?}");
        // 100 values, duplicates among them, are fine (and looked up once each).
        let r =
            get(format!("/open311/v2/requests.{ext}?service_code={}", vec!["wage_arrears,sanitation"; 50].join(",")))
                .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // 32,000 ids, and 32,000 statuses.
        let r = get(format!("/open311/v2/requests.{ext}?service_request_id={}", vec!["x"; 32_000].join(","))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body.contains("service_request_id: at most 1000 values at once"), "{}", r.body);
        let r = get(format!("/open311/v2/requests.{ext}?status={}", vec!["o"; 32_000].join(","))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body.contains("status: at most 100 values at once"), "{}", r.body);
        // A huge bad value is not repeated back whole.
        let r = get(format!("/open311/v2/requests.{ext}?service_code={}", "X".repeat(60_000))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.len() < 1_000, "{} bytes", r.body.len());
    }
}
