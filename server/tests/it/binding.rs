//! Issue 9 §1–2 attacked through the real router: drafts and receipts belong to the browser that
//! started them, and the track key never sits in a URL, a cache or a log.
//!
//! Each `Browser` is one person's browser with its own cookie jar (see `common/browser.rs`).

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use backend::config::Limits;
use backend::AppState;
use common::browser::Browser;
use common::{between, enc, send, Res};
use leptos::server_fn::ServerFn;
use pingan_server::startup::{build_router, build_state, leptos_options};

const EXPIRED: &str = "这份草稿已过期或不存在";
const DESCRIPTION: &str = "我家楼下的配电箱一直冒烟，物业说不归他们管";
const NAME: &str = "欧阳秀兰";
const PHONE: &str = "13912345678";

async fn setup_with(secure: bool) -> (Router, AppState) {
    let mut config = common::config(Limits::default());
    config.auth.secure_cookies = secure;
    let state = build_state(&config).await.unwrap();
    (build_router(state.clone(), leptos_options(&config), false), state)
}

async fn setup() -> (Router, AppState) {
    setup_with(false).await
}

async fn count(state: &AppState, table: &str) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&state.db.pool).await.unwrap();
    n
}

/// Nothing of browser A's draft in a response.
fn reveals_nothing(r: &Res, what: &str) {
    for secret in [DESCRIPTION, NAME, PHONE, "139****5678", "安全隐患"] {
        assert!(!r.body.contains(secret), "{what} shows {secret}");
    }
}

fn expired(r: &Res, what: &str) {
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{what}: {}", r.body);
    assert!(r.body.contains(EXPIRED), "{what} is not the expired page: {}", r.body);
    reveals_nothing(r, what);
}

/// A tiny valid PNG (1×1, red).
fn png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xDE, 0x00, 0x00, 0x00,
        0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18,
        0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

fn multipart(data: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----pinganBindingBoundary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n").into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Browser A writes a full draft (with a photo) and stops at the check page; returns the token
/// and the photo's URL.
async fn draft_of_a(app: &Router, a: &mut Browser) -> (String, String) {
    let t = a.start_draft(app, "category=safety_hazard").await;
    for (step, body) in [
        ("what", format!("description={}", enc(DESCRIPTION))),
        ("where", "district=HD&street=HD01&community=HD0101&lat=&lng=&address_note=".to_owned()),
        ("who", format!("identity=named&name={}&phone={PHONE}", enc(NAME))),
    ] {
        let r = a.post(app, &format!("/form/appeal/{t}/{step}"), &body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
    }
    let (ct, body) = multipart(&png());
    let r = a.post_multipart(app, &format!("/form/appeal/{t}/photos/add"), &ct, body).await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/photos").as_str()));
    let page = a.get(app, &format!("/appeal/{t}/photos")).await;
    let photo = between(&page.body, "<img src=\"", "\"").expect("a thumbnail").to_owned();
    let check = a.get(app, &format!("/appeal/{t}/check")).await;
    assert!(check.body.contains(DESCRIPTION) && check.body.contains(NAME), "A sees A's draft");
    (t, photo)
}

const STEPS: [&str; 6] = ["category", "what", "where", "photos", "who", "check"];

#[tokio::test]
async fn step_one_stores_nothing_and_the_first_post_binds_the_browser() {
    let (app, state) = setup().await;
    let mut a = Browser::new();
    let page = a.get(&app, "/appeal/new?category=sanitation").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("action=\"/form/appeal/new\"") && page.body.contains("value=\"sanitation\" checked"));
    assert!(page.headers.get(header::SET_COOKIE).is_none());
    assert_eq!(count(&state, "drafts").await, 0, "no row on GET");
    // The token-issuing server function is gone.
    assert!(!page.body.contains("new_draft_token"));
    let r = a.post(&app, "/form/appeal/new", "category=sanitation").await;
    let t = r.location.as_deref().unwrap().strip_prefix("/appeal/").unwrap().strip_suffix("/what").unwrap().to_owned();
    assert_eq!(count(&state, "drafts").await, 1);
    let cookies: Vec<&str> = r.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
    let mut paths: Vec<&str> = cookies.iter().filter_map(|c| between(c, "Path=", ";")).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [format!("/appeal/{t}"), format!("/draft-photo/{t}"), format!("/form/appeal/{t}"), format!("/receipt/{t}")]
    );
    let secret = between(cookies[0], "pingan_draft=", ";").unwrap();
    assert_eq!(secret.len(), 32);
    assert_ne!(secret, t);
    for c in &cookies {
        assert!(
            c.starts_with("pingan_draft=")
                && c.contains("; HttpOnly")
                && c.contains("SameSite=Lax")
                && c.contains("Max-Age=604800"),
            "{c}"
        );
        assert!(!c.contains("Secure"), "plain HTTP in this test: {c}");
        assert!(c.contains(secret), "one secret for every path");
    }
    // The database has only its hash.
    let (hash,): (Option<String>,) = sqlx::query_as("SELECT browser_hash FROM drafts WHERE token = $1")
        .bind(&t)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(hash.as_deref(), Some(backend::services::appeal::hash_secret(secret).as_str()));
    // On HTTPS the cookie is Secure.
    let (app, _) = setup_with(true).await;
    let r = Browser::new().post(&app, "/form/appeal/new", "category=sanitation").await;
    assert!(r.headers.get_all(header::SET_COOKIE).iter().all(|c| c.to_str().unwrap().ends_with("; Secure")));
}

#[tokio::test]
async fn an_invented_token_is_expired_everywhere_and_writes_nothing() {
    let (app, state) = setup().await;
    let mut x = Browser::new();
    // The attacker even holds a draft of their own (so a cookie of the right name).
    let own = x.start_draft(&app, "category=other").await;
    let own_secret = x.cookies()[0].1.clone();
    let before = (count(&state, "drafts").await, count(&state, "draft_photos").await, count(&state, "appeals").await);
    let t = "0123456789abcdef0123456789abcdef";
    assert_ne!(own, t);
    let forged = format!("pingan_draft={own_secret}");
    for cookie in ["", forged.as_str()] {
        let get = |uri: String| Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
        let post = |uri: String, body: &str| {
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::HOST, "localhost")
                .header(header::COOKIE, cookie)
                .body(Body::from(body.to_owned()))
                .unwrap()
        };
        for step in STEPS {
            expired(&send(&app, get(format!("/appeal/{t}/{step}"))).await, &format!("GET {step}"));
            expired(
                &send(&app, post(format!("/form/appeal/{t}/{step}"), "category=other&description=xxxxxxxxxxxx")).await,
                &format!("POST {step}"),
            );
        }
        expired(&send(&app, post(format!("/form/appeal/{t}/submit"), "")).await, "submit");
        expired(&send(&app, post(format!("/form/appeal/{t}/photos/remove"), "id=x")).await, "photo remove");
        let (ct, body) = multipart(&png());
        let req = Request::post(format!("/form/appeal/{t}/photos/add"))
            .header(header::CONTENT_TYPE, ct)
            .header(header::HOST, "localhost")
            .header(header::COOKIE, cookie)
            .body(Body::from(body))
            .unwrap();
        expired(&send(&app, req).await, "photo add");
        expired(&send(&app, get(format!("/draft-photo/{t}/0123456789abcdef0123456789abcdef"))).await, "draft photo");
        expired(&send(&app, get(format!("/receipt/{t}"))).await, "receipt");
    }
    let after = (count(&state, "drafts").await, count(&state, "draft_photos").await, count(&state, "appeals").await);
    assert_eq!(before, after, "nothing written for an invented token");
}

#[tokio::test]
async fn another_browser_sees_nothing_of_a_draft_or_its_receipt() {
    let (app, state) = setup().await;
    let mut a = Browser::new();
    let (t, photo) = draft_of_a(&app, &mut a).await;
    // B has no cookie; C has a draft of its own and sends its secret on A's paths.
    let mut b = Browser::new();
    let mut c = Browser::new();
    c.start_draft(&app, "category=other").await;
    let c_cookie = format!("pingan_draft={}", c.cookies()[0].1);
    let drafts_before = count(&state, "drafts").await;
    for step in STEPS {
        expired(&b.get(&app, &format!("/appeal/{t}/{step}")).await, &format!("B GET {step}"));
        let r = send(
            &app,
            Request::get(format!("/appeal/{t}/{step}")).header(header::COOKIE, &c_cookie).body(Body::empty()).unwrap(),
        )
        .await;
        expired(&r, &format!("C GET {step}"));
    }
    expired(&b.get(&app, &photo).await, "B draft photo");
    let r = send(&app, Request::get(&photo).header(header::COOKIE, &c_cookie).body(Body::empty()).unwrap()).await;
    expired(&r, "C draft photo");
    // B cannot write, remove A's photo, or submit A's draft.
    expired(&b.post(&app, &format!("/form/appeal/{t}/what"), "description=xxxxxxxxxxxxxxxxxxxx").await, "B POST what");
    let id = photo.rsplit('/').next().unwrap().split('?').next().unwrap();
    expired(&b.post(&app, &format!("/form/appeal/{t}/photos/remove"), &format!("id={id}")).await, "B remove");
    expired(&b.post(&app, &format!("/form/appeal/{t}/submit"), "").await, "B submit");
    assert_eq!(count(&state, "appeals").await, 0);
    assert_eq!(count(&state, "drafts").await, drafts_before);
    let check = a.get(&app, &format!("/appeal/{t}/check")).await;
    assert!(check.body.contains(DESCRIPTION) && check.body.contains("1 张"), "A's draft unchanged: {}", check.body);
    // A submits; the receipt is A's alone.
    let r = a.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    assert_eq!(r.location.as_deref(), Some(format!("/receipt/{t}").as_str()));
    let receipt = a.get(&app, &format!("/receipt/{t}")).await;
    assert_eq!(receipt.status, StatusCode::OK);
    let key = crate::common::receipt_code(&receipt.body, "key").unwrap();
    let ticket = crate::common::receipt_code(&receipt.body, "ticket").unwrap();
    for (who, r) in [
        ("B", b.get(&app, &format!("/receipt/{t}")).await),
        (
            "C",
            send(
                &app,
                Request::get(format!("/receipt/{t}")).header(header::COOKIE, &c_cookie).body(Body::empty()).unwrap(),
            )
            .await,
        ),
    ] {
        expired(&r, &format!("{who} receipt"));
        assert!(!r.body.contains(&key) && !r.body.contains(&ticket), "{who} sees the codes");
    }
    // A later visitor of a step URL (the QR poster's victims) does not land on A's receipt.
    let r = b.get(&app, &format!("/appeal/{t}/category")).await;
    assert!(r.location.is_none());
    expired(&r, "B after submission");
}

/// "Noted: stop showing it on this phone": the receipt no longer opens on this phone, from its
/// history or with the cookies it had; the ticket and key still track the appeal.
#[tokio::test]
async fn a_receipt_forgotten_on_this_phone_opens_nowhere_and_the_codes_still_track() {
    let (app, state) = setup().await;
    let mut a = Browser::new();
    let (t, _) = draft_of_a(&app, &mut a).await;
    a.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    let receipt = a.get(&app, &format!("/receipt/{t}")).await;
    let ticket = crate::common::receipt_code(&receipt.body, "ticket").unwrap();
    let key = crate::common::receipt_code(&receipt.body, "key").unwrap();
    let form = between(&receipt.body, "class=\"forget-receipt\"", "</form>").expect("the forget form");
    assert!(receipt.body.contains(&format!("action=\"/form/appeal/{t}/forget\"")), "{form}");
    // Another browser cannot make A's receipt forget anything.
    expired(&Browser::new().post(&app, &format!("/form/appeal/{t}/forget"), "").await, "B forget");
    assert!(a.get(&app, &format!("/receipt/{t}")).await.body.contains(&key), "still A's");
    let kept = a.clone();
    let r = a.post(&app, &format!("/form/appeal/{t}/forget"), "").await;
    assert_eq!((r.status, r.location.as_deref()), (StatusCode::SEE_OTHER, Some("/track?done=1")));
    assert!(a.cookies().iter().all(|(n, _, _)| n != "pingan_draft"), "{:?}", a.cookies());
    for (who, mut browser) in [("this phone", a), ("its old cookies", kept)] {
        let r = browser.get(&app, &format!("/receipt/{t}")).await;
        expired(&r, who);
        assert!(!r.body.contains(&key) && !r.body.contains(&ticket), "{who}");
    }
    let (stored,): (Option<String>,) = sqlx::query_as("SELECT access_key FROM drafts WHERE token = $1")
        .bind(&t)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, None, "the plaintext key is gone");
    let mut b = Browser::new();
    let r = b.post(&app, "/form/track", &format!("ticket={}&key={}", enc(&ticket), enc(&key))).await;
    assert_eq!(r.location.as_deref(), Some("/track"));
    assert!(b.get(&app, "/track").await.body.contains("id=\"track-result\""));
}

#[tokio::test]
async fn server_functions_over_http_reveal_nothing() {
    let (app, _) = setup().await;
    let mut a = Browser::new();
    let (t, _) = draft_of_a(&app, &mut a).await;
    a.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    let mut other = Browser::new();
    other.start_draft(&app, "category=other").await;
    let other_cookie = format!("pingan_draft={}", other.cookies()[0].1);
    for (path, body) in [
        (app::api::GetDraft::PATH, format!("token={t}")),
        (app::api::GetReceipt::PATH, format!("token={t}")),
        (app::api::TrackCurrent::PATH, String::new()),
    ] {
        for cookie in ["", other_cookie.as_str()] {
            let req = Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, cookie)
                .body(Body::from(body.clone()))
                .unwrap();
            let r = send(&app, req).await;
            assert!(!r.status.is_server_error(), "{path}: {}", r.status);
            reveals_nothing(&r, path);
            assert!(!r.body.contains("PA-"), "{path} shows a ticket: {}", r.body);
        }
    }
    // What a real browser sends to /api: A's cookies are scoped to A's draft paths.
    assert_eq!(a.cookie_for(app::api::GetDraft::PATH), "");
    // The control: with A's secret (which only A's browser has) the same call does answer, so
    // the calls above reached the server function.
    let own = format!("pingan_draft={}", a.cookies()[0].1);
    let req = Request::post(app::api::GetDraft::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, own)
        .body(Body::from(format!("token={t}")))
        .unwrap();
    let own = send(&app, req).await;
    assert!(own.body.contains(DESCRIPTION));
    // What it answers is the draft: no cache may keep it.
    assert_eq!(own.headers.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()), Some("no-store"));
}

#[tokio::test]
async fn tracking_posts_the_key_once_and_keeps_it_out_of_urls() {
    let (app, state) = setup().await;
    let mut a = Browser::new();
    let (t, _) = draft_of_a(&app, &mut a).await;
    a.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    let receipt = a.get(&app, &format!("/receipt/{t}")).await;
    let ticket = crate::common::receipt_code(&receipt.body, "ticket").unwrap();
    let key = crate::common::receipt_code(&receipt.body, "key").unwrap();
    let bare_key = key.replace('-', "");
    // The receipt's link has the codes in the fragment only, and nothing else links with the key.
    let link = between(&receipt.body, "id=\"track-link\" href=\"", "\"").unwrap().replace("&amp;", "&");
    assert_eq!(link, format!("/track#t={ticket}&k={key}"));
    assert!(!receipt.body.contains("key="), "no key= query anywhere");
    for href in receipt.body.split("href=\"").skip(1).map(|s| s.split('"').next().unwrap()) {
        if href.contains(&key) || href.contains(&bare_key) {
            assert!(href.starts_with("/track#"), "{href}");
        }
    }
    // The lookup is a POST; the answer and everything after carry no code in any URL.
    let r = a.post(&app, "/form/track", &format!("ticket={}&key={}", enc(&ticket), enc(&key))).await;
    assert_eq!((r.status, r.location.as_deref()), (StatusCode::SEE_OTHER, Some("/track")));
    let mut locations = vec![r.location.clone().unwrap_or_default()];
    let set: Vec<&str> = r.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
    for path in ["/track", "/form/track"] {
        let c =
            set.iter().find(|c| c.starts_with("pingan_track=") && c.contains(&format!("Path={path};"))).expect(path);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict"), "{c}");
        assert!(!c.contains(&key) && !c.contains(&bare_key), "the cookie is a session id, not the key");
    }
    let page = a.get(&app, "/track").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"track-result\"") && page.body.contains(&ticket));
    assert!(!page.body.contains(&key) && !page.body.contains(&bare_key), "the track page never shows the key");
    let info = between(&page.body, "action=\"/form/track/info\"", "</form>").expect("the info form");
    assert!(!info.contains("name=\"key\"") && !info.contains("name=\"ticket\""), "the resident's forms carry no codes");
    assert!(page.body.contains("action=\"/form/track/forget\""));
    // Another browser with no session sees the empty lookup form.
    let other = Browser::new().get(&app, "/track").await;
    assert!(!other.body.contains("id=\"track-result\"") && other.body.contains("action=\"/form/track\""));
    // Adding information: no key posted, none in the redirect; the thanks show once.
    let r =
        a.post(&app, "/form/track/info", &format!("body={}", enc("补充：配电箱在二单元门口，晚上冒烟更厉害"))).await;
    assert_eq!(r.location.as_deref(), Some("/track#info"));
    locations.push(r.location.clone().unwrap_or_default());
    let page = a.get(&app, "/track").await;
    assert!(page.body.contains("办理单位会看到您补充的内容"), "{}", page.body);
    assert!(!a.get(&app, "/track").await.body.contains("办理单位会看到您补充的内容"), "a flash shows once");
    // No Location header of the whole flow names the key.
    for loc in &locations {
        assert!(!loc.contains(&key) && !loc.contains(&bare_key) && !loc.contains("key="), "{loc}");
    }
    // "Done, forget on this phone" ends the session for real.
    let old = a.cookie_for("/track");
    let r = a.post(&app, "/form/track/forget", "").await;
    assert_eq!(r.location.as_deref(), Some("/track?done=1"));
    assert!(r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("pingan_track=;") && c.to_str().unwrap().contains("Max-Age=0")));
    let page = a.get(&app, "/track?done=1").await;
    assert!(!page.body.contains("id=\"track-result\"") && page.body.contains("这部手机不再打开这件诉求"));
    let replayed = send(&app, Request::get("/track").header(header::COOKIE, old).body(Body::empty()).unwrap()).await;
    assert!(!replayed.body.contains("id=\"track-result\""), "a copied cookie is dead after forgetting");
    // The sessions table holds hashes, never the key or the id.
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM track_sessions WHERE ticket = $1")
        .bind(ticket.replace('-', ""))
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn posts_without_proof_store_nothing_and_flashes_stay_with_their_browser() {
    let (app, state) = setup().await;
    let mut a = Browser::new();
    let (t, _) = draft_of_a(&app, &mut a).await;
    a.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    let receipt = a.get(&app, &format!("/receipt/{t}")).await;
    let ticket = crate::common::receipt_code(&receipt.body, "ticket").unwrap();
    let key = crate::common::receipt_code(&receipt.body, "key").unwrap();
    let events = || count(&state, "appeal_events");
    let (flashes, before) = (count(&state, "resident_flash").await, events().await);
    // The old style (ticket and a wrong key in the form), and no session at all.
    let mut x = Browser::new();
    for (path, body) in [
        (
            "/form/track/info",
            format!("ticket={}&key={}&body={}", enc(&ticket), "A".repeat(26), enc("攻击者写的内容，足够长的一段话")),
        ),
        ("/form/track/rate", format!("ticket={}&key={}&rating=unsatisfied&comment=x", enc(&ticket), "A".repeat(26))),
        ("/form/track/info", format!("ticket={}&key={}&body=x", enc(&ticket), enc(&key))),
    ] {
        let r = x.post(&app, path, &body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.headers.get(header::SET_COOKIE).is_none());
    }
    assert_eq!(count(&state, "resident_flash").await, flashes, "no row for a post that proved nothing");
    assert_eq!(events().await, before);
    // A's post with its session: a flash in A's cookie, not in the URL.
    a.post(&app, "/form/track", &format!("ticket={}&key={}", enc(&ticket), enc(&key))).await;
    let r = a.post(&app, "/form/track/info", "body=x").await;
    assert_eq!(r.location.as_deref(), Some("/track#info"));
    let flash = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("pingan_flash="))
        .unwrap();
    assert!(flash.contains("HttpOnly") && flash.contains("Path=/track;"), "{flash}");
    let id = between(&flash, "pingan_flash=", ";").unwrap().to_owned();
    // Another browser replaying the flash id (with or without a session of its own) reads nothing.
    let mut b = Browser::new();
    b.post(&app, "/form/track", &format!("ticket={}&key={}", enc(&ticket), enc(&key))).await;
    for cookie in [format!("pingan_flash={id}"), format!("{}; pingan_flash={id}", b.cookie_for("/track"))] {
        let r = send(&app, Request::get("/track").header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await;
        assert!(!r.body.contains("error-summary"), "another browser read the flash");
    }
    // A still gets its own (the error of a too short text) once.
    let page = a.get(&app, "/track").await;
    assert!(page.body.contains("class=\"error-summary\""), "{}", page.body);
}

#[tokio::test]
async fn private_responses_are_never_stored() {
    let (app, _) = setup().await;
    let mut a = Browser::new();
    let no_store = |r: &Res, what: &str| {
        assert_eq!(r.headers.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()), Some("no-store"), "{what}");
    };
    no_store(&a.get(&app, "/appeal/new").await, "/appeal/new");
    let r = a.post(&app, "/form/appeal/new", "category=sanitation").await;
    no_store(&r, "POST /form/appeal/new");
    let t = r.location.unwrap().split('/').nth(2).unwrap().to_owned();
    no_store(
        &a.post(&app, &format!("/form/appeal/{t}/what"), &format!("description={}", enc(DESCRIPTION))).await,
        "step post",
    );
    no_store(&a.get(&app, &format!("/appeal/{t}/what")).await, "step page");
    let (ct, body) = multipart(&png());
    no_store(&a.post_multipart(&app, &format!("/form/appeal/{t}/photos/add"), &ct, body).await, "photo post");
    let page = a.get(&app, &format!("/appeal/{t}/photos")).await;
    let photo = between(&page.body, "<img src=\"", "\"").unwrap().to_owned();
    let img = a.get(&app, &photo).await;
    assert_eq!(img.status, StatusCode::OK);
    no_store(&img, "draft photo");
    for (step, body) in [("where", "district=HD&street=HD01&community=HD0101"), ("who", "identity=anonymous")] {
        a.post(&app, &format!("/form/appeal/{t}/{step}"), body).await;
    }
    no_store(&a.post(&app, &format!("/form/appeal/{t}/submit"), "").await, "submit");
    let receipt = a.get(&app, &format!("/receipt/{t}")).await;
    assert_eq!(receipt.status, StatusCode::OK);
    no_store(&receipt, "receipt");
    no_store(&Browser::new().get(&app, &format!("/receipt/{t}")).await, "expired receipt");
    let ticket = crate::common::receipt_code(&receipt.body, "ticket").unwrap();
    let key = crate::common::receipt_code(&receipt.body, "key").unwrap();
    no_store(
        &a.post(&app, "/form/track", &format!("ticket={}&key={}", enc(&ticket), enc(&key))).await,
        "POST /form/track",
    );
    no_store(&a.get(&app, "/track").await, "/track");
    no_store(&a.post(&app, "/form/track/info", "body=x").await, "POST info");
    no_store(&a.post(&app, "/form/track/forget", "").await, "POST forget");
    // Public pages keep their normal caching.
    let home = a.get(&app, "/").await;
    assert_ne!(home.headers.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()), Some("no-store"));
}

/// Issue 13: photos added on the track page go through the resident's session only, under the
/// wizard's rules; the session's browser sees them (never cached), nobody else does.
#[tokio::test]
async fn photos_added_after_submitting_belong_to_the_track_session() {
    let (app, state) = setup().await;
    let mut a = Browser::new();
    let (t, _) = draft_of_a(&app, &mut a).await;
    a.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    let receipt = a.get(&app, &format!("/receipt/{t}")).await;
    let ticket = crate::common::receipt_code(&receipt.body, "ticket").unwrap();
    let key = crate::common::receipt_code(&receipt.body, "key").unwrap();
    let photos = || count(&state, "appeal_photos");
    assert_eq!(photos().await, 1, "the photo sent with the draft");
    // Without a session: nothing stored, the session-ended page.
    let (ct, body) = multipart(&png());
    let r = Browser::new().post_multipart(&app, "/form/track/photo", &ct, body).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(photos().await, 1);
    // With A's session: stored, a thanks, the photo on A's track page.
    a.post(&app, "/form/track", &format!("ticket={}&key={}", enc(&ticket), enc(&key))).await;
    let page = a.get(&app, "/track").await;
    assert!(
        page.body.contains("action=\"/form/track/photo\"") && page.body.contains("enctype=\"multipart/form-data\"")
    );
    let (ct, body) = multipart(&png());
    let r = a.post_multipart(&app, "/form/track/photo", &ct, body).await;
    assert_eq!(r.location.as_deref(), Some("/track#photo"));
    assert_eq!(photos().await, 2);
    let page = a.get(&app, "/track").await;
    assert!(page.body.contains("照片已收到"), "{}", page.body);
    assert!(page.body.contains("您补充了一张照片"), "the timeline says so");
    let srcs: Vec<&str> =
        page.body.split("<img src=\"/track/photo/").skip(1).map(|s| s.split('"').next().unwrap()).collect();
    assert_eq!(srcs.len(), 2, "both photos listed");
    let img = a.get(&app, &format!("/track/photo/{}", srcs[1])).await;
    assert_eq!(img.status, StatusCode::OK);
    assert_eq!(img.headers.get(header::CONTENT_TYPE).unwrap(), "image/jpeg");
    assert_eq!(img.headers.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()), Some("no-store"));
    // Another browser with the photo's address: nothing.
    let stranger = Browser::new().get(&app, &format!("/track/photo/{}", srcs[1])).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    // Not a photo: the reason on the step, nothing stored. No file: asked to choose one.
    let (ct, body) = multipart(b"GIF89a definitely not allowed");
    a.post_multipart(&app, "/form/track/photo", &ct, body).await;
    assert!(a.get(&app, "/track").await.body.contains("只能上传 JPG、PNG 或 WebP 格式的照片"));
    let (ct, body) = multipart(b"");
    a.post_multipart(&app, "/form/track/photo", &ct, body).await;
    assert!(a.get(&app, "/track").await.body.contains("请先选择一张照片"));
    assert_eq!(photos().await, 2);
}

/// A submit with no body and no form content type (a client that posts nothing, as the
/// double-submit end-to-end test's racing request does) still submits: the only field, the
/// related appeal to join, is optional.
#[tokio::test]
async fn a_submit_without_a_form_body_still_submits() {
    let (app, _state) = setup().await;
    let mut a = Browser::new();
    let (t, _) = draft_of_a(&app, &mut a).await;
    let uri = format!("/form/appeal/{t}/submit");
    let req = Request::post(&uri)
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
        .header(header::COOKIE, a.cookie_for(&uri))
        .body(Body::empty())
        .unwrap();
    let r = a.send(&app, req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some(format!("/receipt/{t}").as_str()));
}

/// Photo uploads to drafts spend a per-client budget (four per submission the client may make):
/// past it the upload is refused with its own message before anything is decoded, and what the
/// draft holds is kept. Removing a photo frees room in the draft but not the budget, so
/// uploading and removing cannot go on for ever.
#[tokio::test]
async fn draft_photo_uploads_have_a_budget_per_client() {
    let config = common::config(Limits { submit_per_hour: 1, ..Limits::default() });
    let state = build_state(&config).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&config), false);
    let mut a = Browser::new();
    let t = a.start_draft(&app, "category=sanitation").await;
    let add = format!("/form/appeal/{t}/photos/add");
    for i in 0..backend::state::DRAFT_PHOTOS_PER_SUBMIT {
        let (ct, body) = multipart(&png());
        let r = a.post_multipart(&app, &add, &ct, body).await;
        assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/photos").as_str()), "upload {i}: {}", r.body);
        assert_eq!(count(&state, "draft_photos").await, 1);
        let page = a.get(&app, &format!("/appeal/{t}/photos")).await;
        let id = between(&page.body, "name=\"id\" value=\"", "\"").expect("a photo to remove").to_owned();
        let r = a.post(&app, &format!("/form/appeal/{t}/photos/remove"), &format!("id={id}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(count(&state, "draft_photos").await, 0);
    }
    // The draft has room for three, but this client's budget is spent.
    let (ct, body) = multipart(&png());
    let r = a.post_multipart(&app, &add, &ct, body).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body.contains("上传照片太频繁"), "{}", r.body);
    assert_eq!(count(&state, "draft_photos").await, 0, "nothing stored");
}
