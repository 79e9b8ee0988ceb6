//! Receipt recovery by phone number (issue 14) through the real router, as browsers with
//! JavaScript off: the same page for any number, the cookies' flags, the code and the number
//! never in a URL, a session that opens only its own number's appeals.

use crate::common;

use axum::http::{header, StatusCode};
use axum::Router;
use backend::config::Limits;
use backend::AppState;
use common::browser::Browser;
use common::{enc, Res};
use domain::{Lang, Msg};
use pingan_server::startup::{build_router, build_state, leptos_options};
use std::collections::HashMap;

const KNOWN: &str = "13812341234";
const OTHER: &str = "13800138000";
const UNKNOWN: &str = "13900001111";
const PAGE: &str = "/track/recover";

async fn setup_with(secure: bool) -> (Router, AppState) {
    let mut config = common::config(Limits::default());
    config.auth.secure_cookies = secure;
    let state = build_state(&config).await.unwrap();
    (build_router(state.clone(), leptos_options(&config), false), state)
}

/// A named appeal from `phone` (through the wizard's services); its stored ticket.
async fn named(state: &AppState, phone: &str) -> String {
    use backend::services::appeal::{self, SubmitOutcome};
    use domain::draft::Step;
    let form = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    };
    let d = appeal::start(state, "seed", &form(&[("category", "neighbor_dispute")])).await.unwrap();
    for (step, f) in [
        (Step::What, form(&[("description", "楼上每天半夜装修，吵得没法睡觉，已经一个月了")])),
        (Step::Where, form(&[("lat", "35.485"), ("lng", "106.605")])),
        (Step::Who, form(&[("identity", "named"), ("name", "王秀英"), ("phone", phone)])),
    ] {
        appeal::save_step(state, &d.token, &d.secret, step, &f).await.unwrap();
    }
    match appeal::submit(state, &d.token, &d.secret, state.clock.now()).await.unwrap() {
        SubmitOutcome::Accepted { ticket } => ticket,
        other => panic!("not accepted: {other:?}"),
    }
}

/// The code of the newest recovery SMS.
async fn last_code(state: &AppState) -> String {
    let (payload,): (String,) =
        sqlx::query_as("SELECT payload FROM outbox WHERE kind = 'recovery_code' ORDER BY id DESC LIMIT 1")
            .fetch_one(&state.db.pool)
            .await
            .unwrap();
    serde_json::from_str::<serde_json::Value>(&payload).unwrap()["code"].as_str().unwrap().to_owned()
}

/// A page without what differs on every response (the CSP nonce).
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("nonce=\"") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 7..];
        rest = after.find('"').map_or("", |j| &after[j + 1..]);
    }
    out.push_str(rest);
    out
}

fn set_cookies(r: &Res) -> Vec<String> {
    r.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

fn zh(m: Msg) -> &'static str {
    m.text(Lang::ZhCn)
}

/// Posts and checks the answer is a bare redirect to the page (no number, no code in it).
async fn post_back(b: &mut Browser, app: &Router, path: &str, body: &str) -> Res {
    let r = b.post(app, path, body).await;
    assert_eq!((r.status, r.location.as_deref()), (StatusCode::SEE_OTHER, Some(PAGE)), "{path}: {}", r.body);
    r
}

#[tokio::test]
async fn any_number_gets_the_same_page_and_only_the_cookie_of_a_pending_request() {
    let (app, state) = setup_with(false).await;
    named(&state, KNOWN).await;
    let track = Browser::new().get(&app, "/track").await;
    assert!(track.body.contains("href=\"/track/recover\"") && track.body.contains(zh(Msg::RecoverLink)));

    let mut pages = Vec::new();
    for phone in [KNOWN, UNKNOWN] {
        let mut b = Browser::new();
        let first = b.get(&app, PAGE).await;
        assert_eq!(first.status, StatusCode::OK);
        assert!(first.body.contains("action=\"/form/track/recover\"") && first.body.contains("method=\"post\""));
        let r = post_back(&mut b, &app, "/form/track/recover", &format!("phone={phone}")).await;
        let set = set_cookies(&r);
        for path in ["/track/recover", "/form/track/recover"] {
            let c = set
                .iter()
                .find(|c| c.starts_with("pingan_recover_req=") && c.contains(&format!("Path={path};")))
                .unwrap_or_else(|| panic!("{path}: {set:?}"));
            assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Max-Age=600"), "{c}");
            assert!(!c.contains("Secure"), "plain HTTP development: {c}");
            assert!(!c.contains(phone), "{c}");
        }
        let page = b.get(&app, PAGE).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(zh(Msg::RecoverCodeSent)), "{}", page.body);
        assert!(page.body.contains("action=\"/form/track/recover/code\""));
        assert!(!page.body.contains(phone) && !page.body.contains("138****"), "the number is not shown");
        pages.push(text_of(&page.body));
    }
    assert_eq!(pages[0], pages[1], "a known and an unknown number get byte-identical pages");

    // Another site cannot post the form (the same-origin check every resident form has).
    let req = axum::http::Request::post("/form/track/recover")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://evil.example")
        .body(axum::body::Body::from(format!("phone={KNOWN}")))
        .unwrap();
    let r = common::send(&app, req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(set_cookies(&r).is_empty());
}

#[tokio::test]
async fn cookies_are_secure_on_https() {
    let (app, state) = setup_with(true).await;
    named(&state, KNOWN).await;
    let mut b = Browser::new();
    let r = post_back(&mut b, &app, "/form/track/recover", &format!("phone={KNOWN}")).await;
    assert!(set_cookies(&r).iter().all(|c| c.contains("; Secure")), "{:?}", set_cookies(&r));
    let r = post_back(&mut b, &app, "/form/track/recover/code", &format!("code={}", last_code(&state).await)).await;
    let session: Vec<String> = set_cookies(&r).into_iter().filter(|c| c.starts_with("pingan_recover=")).collect();
    assert_eq!(session.len(), app::cookies::RECOVER_PATHS.len(), "{session:?}");
    assert!(session.iter().all(|c| c.contains("HttpOnly; SameSite=Strict; Secure")), "{session:?}");
}

#[tokio::test]
async fn the_right_code_lists_the_numbers_named_appeals_and_opens_only_those() {
    let (app, state) = setup_with(false).await;
    let mine = named(&state, KNOWN).await;
    let theirs = named(&state, OTHER).await;
    let shown = |t: &str| format!("{}-{}-{}", &t[..2], &t[2..6], &t[6..]);
    let mut b = Browser::new();
    post_back(&mut b, &app, "/form/track/recover", &format!("phone={}", enc("138 1234 1234"))).await;
    let code = last_code(&state).await;

    // A wrong code: the field's message, the code not kept.
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    post_back(&mut b, &app, "/form/track/recover/code", &format!("code={wrong}")).await;
    let page = b.get(&app, PAGE).await;
    assert!(page.body.contains(zh(Msg::RecoverCodeWrong)) && page.body.contains("aria-invalid=\"true\""));
    assert!(!page.body.contains(&wrong));

    // The right one: the session cookie (the pending one goes), the list.
    let r = post_back(&mut b, &app, "/form/track/recover/code", &format!("code={code}")).await;
    let set = set_cookies(&r);
    for path in ["/track/recover", "/form/track/recover"] {
        let c = set
            .iter()
            .find(|c| c.starts_with("pingan_recover=") && c.contains(&format!("Path={path};")))
            .unwrap_or_else(|| panic!("{path}: {set:?}"));
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Max-Age=1800"), "{c}");
        assert!(!c.contains(&code));
    }
    assert!(set.iter().any(|c| c.starts_with("pingan_recover_req=;") && c.contains("Max-Age=0")), "{set:?}");
    let list = b.get(&app, PAGE).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(zh(Msg::RecoverListTitle)) && list.body.contains(&shown(&mine)), "{}", list.body);
    assert!(!list.body.contains(&shown(&theirs)) && !list.body.contains(&theirs));
    assert!(!list.body.contains(KNOWN), "never the number");
    assert!(list.body.contains(zh(Msg::RecoverNoKeys)));
    // The same code again (no pending request any more): back to step 1 with "expired".
    post_back(&mut b, &app, "/form/track/recover/code", &format!("code={code}")).await;

    // Another number's ticket, and a browser without the session: the same 404, nothing shown.
    let stranger_page = b.post(&app, "/form/track/recover/open", &format!("ticket={}", shown(&theirs))).await;
    assert_eq!(stranger_page.status, StatusCode::NOT_FOUND);
    assert!(stranger_page.body.contains(zh(Msg::RecoverSessionEnded)));
    let no_session = Browser::new().post(&app, "/form/track/recover/open", &format!("ticket={}", shown(&mine))).await;
    assert_eq!(no_session.status, StatusCode::NOT_FOUND);
    assert_eq!(text_of(&stranger_page.body), text_of(&no_session.body), "nothing tells the two apart");
    assert!(set_cookies(&stranger_page).iter().all(|c| !c.starts_with("pingan_track=")));

    // Its own ticket opens the track page through an ordinary track session.
    let r = b.post(&app, "/form/track/recover/open", &format!("ticket={}", shown(&mine))).await;
    assert_eq!((r.status, r.location.as_deref()), (StatusCode::SEE_OTHER, Some("/track")));
    let track = b.get(&app, "/track").await;
    assert!(track.body.contains("id=\"track-result\"") && track.body.contains(&shown(&mine)), "{}", track.body);

    // "Forget on this phone" ends the session: the page is step 1 again.
    post_back(&mut b, &app, "/form/track/recover/forget", "").await;
    let page = b.get(&app, PAGE).await;
    assert!(page.body.contains("action=\"/form/track/recover\"") && !page.body.contains(&shown(&mine)));
}

/// "Forget on this phone", on the track page or on the recovery page, ends both the appeal opened
/// from the recovery list and the list itself: the next person on a shared phone finds neither,
/// and the old cookies, were they kept, open nothing.
#[tokio::test]
async fn forgetting_on_either_page_ends_the_track_and_the_recovery_sessions() {
    let shown = |t: &str| format!("{}-{}-{}", &t[..2], &t[2..6], &t[6..]);
    for forget_at in ["/form/track/forget", "/form/track/recover/forget"] {
        let (app, state) = setup_with(false).await;
        let mine = named(&state, KNOWN).await;
        let mut b = Browser::new();
        post_back(&mut b, &app, "/form/track/recover", &format!("phone={KNOWN}")).await;
        let code = last_code(&state).await;
        post_back(&mut b, &app, "/form/track/recover/code", &format!("code={code}")).await;
        let r = b.post(&app, "/form/track/recover/open", &format!("ticket={}", shown(&mine))).await;
        assert_eq!(r.location.as_deref(), Some("/track"), "{forget_at}");
        assert!(b.get(&app, "/track").await.body.contains(&shown(&mine)));
        assert!(b.get(&app, PAGE).await.body.contains(&shown(&mine)));
        let kept = b.clone();

        let r = b.post(&app, forget_at, "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{forget_at}: {}", r.body);
        for name in ["pingan_track", "pingan_recover", "pingan_recover_req"] {
            assert!(b.cookies().iter().all(|(n, _, _)| n != name), "{forget_at}: {name} left: {:?}", b.cookies());
        }
        // Neither page shows the appeal, in this browser or with the cookies it had before.
        for mut browser in [b, kept] {
            let track = browser.get(&app, "/track").await;
            assert!(track.body.contains("id=\"track-form\"") && !track.body.contains(&shown(&mine)), "{forget_at}");
            let page = browser.get(&app, PAGE).await;
            assert!(page.body.contains("action=\"/form/track/recover\"") && !page.body.contains(&shown(&mine)));
            let open = browser.post(&app, "/form/track/recover/open", &format!("ticket={}", shown(&mine))).await;
            assert_eq!(open.status, StatusCode::NOT_FOUND, "{forget_at}");
        }
    }
}

#[tokio::test]
async fn a_bad_number_is_a_field_error_and_a_busy_client_is_refused_alike() {
    let (app, state) = setup_with(false).await;
    named(&state, KNOWN).await;
    let mut b = Browser::new();
    post_back(&mut b, &app, "/form/track/recover", "phone=12345").await;
    let page = b.get(&app, PAGE).await;
    assert!(page.body.contains(zh(Msg::ErrPhoneInvalid)) && page.body.contains("aria-invalid=\"true\""));
    assert!(page.body.contains("value=\"12345\""), "what was typed comes back");
    // Step 2 with no pending request: back to step 1, "expired".
    post_back(&mut b, &app, "/form/track/recover/code", "code=123456").await;
    let page = b.get(&app, PAGE).await;
    assert!(page.body.contains(zh(Msg::RecoverCodeExpired)), "{}", page.body);
    // Four more requests make five for this client in the hour; then any number is refused the
    // same way (all router requests come from one client here).
    for p in ["13700000001", "13700000002", "13700000003", "13700000004"] {
        post_back(&mut b, &app, "/form/track/recover", &format!("phone={p}")).await;
    }
    let mut refusals = Vec::new();
    for phone in [KNOWN, UNKNOWN] {
        let r = Browser::new().post(&app, "/form/track/recover", &format!("phone={phone}")).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{phone}");
        assert!(r.body.contains(zh(Msg::RecoverLimited)));
        assert!(r.location.is_none() && set_cookies(&r).is_empty());
        refusals.push(text_of(&r.body));
    }
    assert_eq!(refusals[0], refusals[1]);
}
