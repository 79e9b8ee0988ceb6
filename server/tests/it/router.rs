//! Router tests: the real router (`build_router`) driven with `oneshot`, as a browser with
//! JavaScript off would drive it.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use backend::config::Limits;
use common::browser::Browser;
use common::{app, between, enc, get, get_with, post_form, send};

/// Step 1 as a browser sees it: the page stores nothing and posts to `/form/appeal/new`, which
/// issues the token (and the cookie); returns the token.
async fn new_token(app: &Router, b: &mut Browser) -> String {
    let page = b.get(app, "/appeal/new").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("action=\"/form/appeal/new\""), "step 1 posts to the token-less route");
    let r = b.post(app, "/form/appeal/new", "category=").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let t = r
        .location
        .as_deref()
        .and_then(|l| l.strip_prefix("/appeal/"))
        .and_then(|l| l.strip_suffix("/category"))
        .expect("back to step 1 with a token")
        .to_owned();
    t
}

/// Walks the wizard with plain posts; returns the token.
async fn complete_appeal(app: &Router, b: &mut Browser) -> String {
    let t = b.start_draft(app, "category=wage_arrears").await;
    let steps = [
        // With the wage category's required answers (issue 13).
        (
            "what",
            format!(
                "description={}&q_employer={}&q_amount=3000&q_months=3",
                enc("老板拖欠三个月工资，一直推说下个月给"),
                enc("某某建筑劳务公司")
            ),
            "where",
        ),
        ("where", "district=HD&street=HD01&community=&lat=&lng=&address_note=".to_owned(), "photos"),
        ("who", format!("identity=named&name={}&phone=13800138000", enc("王师傅")), "check"),
    ];
    for (step, body, next) in steps {
        let r = b.post(app, &format!("/form/appeal/{t}/{step}"), &body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
        assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/{next}").as_str()));
    }
    t
}

#[tokio::test]
async fn health_home_and_language() {
    let app = app(Limits::default()).await;
    let h = get(&app, "/healthz").await;
    assert_eq!((h.status, h.body.as_str()), (StatusCode::OK, "ok"));
    let home = get(&app, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("<html lang=\"zh-CN\""));
    for text in ["我要反映", "查进度", "法律帮助", "110", "119", "120", "href=\"/appeal/new\""] {
        assert!(home.body.contains(text), "home lacks {text}");
    }
    assert_eq!(home.headers.get("x-frame-options").unwrap(), "DENY");
    assert!(home.headers.get("content-security-policy").is_some());
    let switch = get(&app, "/lang/en?back=/track").await;
    assert_eq!(switch.location.as_deref(), Some("/track"));
    assert!(switch.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().starts_with("lang=en;"));
    let offsite = get(&app, "/lang/en?back=//evil.example/").await;
    assert_eq!(offsite.location.as_deref(), Some("/"));
    let en = send(&app, Request::get("/").header(header::COOKIE, "lang=en").body(Body::empty()).unwrap()).await;
    assert!(en.body.contains("<html lang=\"en\"") && en.body.contains("Report a problem"));
    let missing = get(&app, "/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn elder_mode_is_one_tap_from_every_page_and_remembered() {
    let app = app(Limits::default()).await;
    // Off by default: the switch offers it, nothing hydrates on the home page.
    let home = get(&app, "/").await;
    assert!(home.body.contains("<html lang=\"zh-CN\"") && !home.body.contains("class=\"elder\""), "no elder class");
    assert!(home.body.contains("href=\"/elder/on?back=/\" class=\"elder-switch\""), "{}", home.body);
    assert!(home.body.contains("大字模式") && !home.body.contains("<leptos-island"));
    // One tap: a cookie for a year, back where the reader was (never off-site).
    let on = get(&app, "/elder/on?back=/legal").await;
    assert_eq!(on.location.as_deref(), Some("/legal"));
    let cookie = on.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(
        cookie.starts_with("elder=1;") && cookie.contains("Max-Age=31536000") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert_eq!(get(&app, "/elder/on?back=//evil.example/").await.location.as_deref(), Some("/"));
    // Remembered: every page (the cached home page too) in elder mode, with the way back and the
    // read-aloud island; in English as well.
    for path in ["/", "/legal", "/track", "/appeal/new", "/stats", "/staff/login"] {
        let r = get_with(&app, path, "elder=1").await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.body.contains("<html lang=\"zh-CN\" class=\"elder\">"), "{path}");
        assert!(r.body.contains("标准模式") && r.body.contains("href=\"/elder/off?back="), "{path}");
        assert!(r.body.contains("<leptos-island") && r.body.contains("朗读本页"), "{path}: read-aloud");
    }
    let en = get_with(&app, "/", "elder=1; lang=en").await;
    assert!(
        en.body.contains("class=\"elder\"")
            && en.body.contains("Standard view")
            && en.body.contains("Read this page aloud")
    );
    // The cached ordinary home page is not what an elder-mode reader gets, nor the other way.
    assert!(!get(&app, "/").await.body.contains("class=\"elder\""));
    // Off again: the cookie is deleted.
    let off = get(&app, "/elder/off?back=/track").await;
    assert_eq!(off.location.as_deref(), Some("/track"));
    assert!(off.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().contains("Max-Age=0"));
}

#[tokio::test]
async fn js_off_submit_then_track() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let t = complete_appeal(&app, &mut b).await;
    let check = b.get(&app, &format!("/appeal/{t}/check")).await;
    assert!(check.body.contains("劳资欠薪") && check.body.contains("138****8000"), "{}", check.body);
    let submit = b.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    assert_eq!(submit.status, StatusCode::SEE_OTHER);
    assert_eq!(submit.location.as_deref(), Some(format!("/receipt/{t}").as_str()));
    let receipt = b.get(&app, &format!("/receipt/{t}")).await;
    assert_eq!(receipt.status, StatusCode::OK);
    let ticket = crate::common::receipt_code(&receipt.body, "ticket").expect("ticket");
    let key = crate::common::receipt_code(&receipt.body, "key").expect("key");
    assert!(ticket.starts_with("PA-") && ticket.len() == 12, "{ticket}");
    assert_eq!(key.replace('-', "").len(), 26);
    assert!(receipt.body.contains("河东区人力资源和社会保障局"));
    assert!(receipt.body.contains("<svg"), "QR code");
    // Pressing submit again (double tap, back button) lands on the same receipt.
    let again = b.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    assert_eq!(again.location.as_deref(), Some(format!("/receipt/{t}").as_str()));
    assert!(b.get(&app, &format!("/receipt/{t}")).await.body.contains(&ticket));
    // A step page of a submitted draft redirects to its receipt.
    let step = b.get(&app, &format!("/appeal/{t}/what")).await;
    assert_eq!(step.location.as_deref(), Some(format!("/receipt/{t}").as_str()));
    // Track with the receipt's codes: a POST, then the page from the session cookie.
    let found = b.post(&app, "/form/track", &format!("ticket={}&key={}", enc(&ticket), enc(&key))).await;
    assert_eq!((found.status, found.location.as_deref()), (StatusCode::SEE_OTHER, Some("/track")));
    let found = b.get(&app, "/track").await;
    assert_eq!(found.status, StatusCode::OK);
    for text in ["待签收", "河东区人力资源和社会保障局", "您提交了诉求", "系统按属地和事项分派给"]
    {
        assert!(found.body.contains(text), "track lacks {text}");
    }
    // Wrong key and unknown ticket give one and the same message, in another browser.
    let msg = "受理编号或查询码不对，请核对回执后再试。";
    for body in
        [format!("ticket={}&key={}", enc(&ticket), "A".repeat(26)), format!("ticket=PA-0000-0000&key={}", enc(&key))]
    {
        let mut other = Browser::new();
        let r = other.post(&app, "/form/track", &body).await;
        assert_eq!(r.location.as_deref(), Some("/track"));
        let page = other.get(&app, "/track").await;
        assert!(page.body.contains(msg) && !page.body.contains("待签收"), "{}", page.body);
        assert!(!page.body.contains(&key), "the typed key is not sent back");
    }
}

#[tokio::test]
async fn errors_come_back_on_the_step_with_the_typed_value() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let t = new_token(&app, &mut b).await;
    let page = b.get(&app, &format!("/appeal/{t}/category")).await;
    assert!(page.body.contains("class=\"error-summary\"") && page.body.contains("href=\"#category\""));
    assert!(page.body.contains("请选择诉求类别"));
    b.post(&app, &format!("/form/appeal/{t}/what"), &format!("description={}", enc("太短"))).await;
    let page = b.get(&app, &format!("/appeal/{t}/what")).await;
    assert!(page.body.contains("href=\"#description\""));
    assert!(page.body.contains("id=\"description-error\""));
    assert!(page.body.contains("aria-invalid=\"true\""));
    assert!(page.body.contains(">\n太短</textarea>"), "typed value kept");
    assert!(page.body.contains("<title>请先改正以下问题"), "title announces the error");
    b.post(&app, &format!("/form/appeal/{t}/who"), "identity=named&name=&phone=123").await;
    let page = b.get(&app, &format!("/appeal/{t}/who")).await;
    assert!(page.body.contains("href=\"#name\"") && page.body.contains("href=\"#phone\""));
    // Submitting now sends the resident to the first unfinished step.
    let r = b.post(&app, &format!("/form/appeal/{t}/submit"), "").await;
    assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/category").as_str()));
}

#[tokio::test]
async fn cross_origin_posts_are_refused_and_bad_tokens_found_nowhere() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let t = new_token(&app, &mut b).await;
    let req = Request::post(format!("/form/appeal/{t}/category"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, b.cookie_for(&format!("/form/appeal/{t}/category")))
        .body(Body::from("category=other"))
        .unwrap();
    assert_eq!(send(&app, req).await.status, StatusCode::FORBIDDEN);
    let r = post_form(&app, "/form/appeal/not-a-token/category", "category=other").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let page = get(&app, "/appeal/not-a-token/what").await;
    assert!(page.body.contains("这份草稿已过期或不存在"));
    assert_eq!(get(&app, "/receipt/0123456789abcdef0123456789abcdef").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tracking_is_rate_limited_per_client() {
    let app = app(Limits { track_per_10min: 3, ..Limits::default() }).await;
    let mut b = Browser::new();
    for _ in 0..3 {
        let r = b.post(&app, "/form/track", "ticket=PA-0000-0000&key=AAAAAAAAAAAAAAAAAAAAAAAAAA").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(b.get(&app, "/track").await.status, StatusCode::OK);
    }
    let r = b.post(&app, "/form/track", "ticket=PA-0000-0000&key=AAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("查询太频繁"));
    // The empty form is not a lookup and stays available.
    assert_eq!(get(&app, "/track").await.status, StatusCode::OK);
}

fn multipart(name: &str, filename: &str, mime: &str, data: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----pinganTestBoundary7MA4YWxk";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {mime}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn photo_upload_is_reencoded_and_bad_files_explained() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let t = complete_appeal(&app, &mut b).await;
    // A tiny valid PNG (1×1, red).
    let png: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xDE, 0x00, 0x00, 0x00,
        0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18,
        0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];
    for (file, mime, data, expect_error) in [
        ("red.png", "image/png", png, None),
        ("notes.txt", "image/png", b"plain text pretending".as_slice(), Some("只能上传 JPG、PNG 或 WebP 格式的照片")),
    ] {
        let (ct, body) = multipart("photo", file, mime, data);
        let r = b.post_multipart(&app, &format!("/form/appeal/{t}/photos/add"), &ct, body).await;
        assert_eq!(r.location.as_deref(), Some(format!("/appeal/{t}/photos").as_str()));
        let page = b.get(&app, &format!("/appeal/{t}/photos")).await;
        match expect_error {
            None => assert!(!page.body.contains("class=\"error-summary\"")),
            Some(msg) => assert!(page.body.contains(msg) && page.body.contains("href=\"#photo\"")),
        }
    }
    let page = b.get(&app, &format!("/appeal/{t}/photos")).await;
    let src = between(&page.body, "<img src=\"", "\"").expect("thumbnail").to_owned();
    let img = b.get(&app, &src).await;
    assert_eq!(img.status, StatusCode::OK);
    assert_eq!(img.headers.get(header::CONTENT_TYPE).unwrap(), "image/jpeg");
}

/// The inner HTML of the first island named `name` (`<leptos-island data-component="name…">`).
fn island_inner<'a>(body: &'a str, name: &str) -> &'a str {
    let start = body.find(&format!("data-component=\"{name}")).unwrap_or_else(|| panic!("no {name} island"));
    let rest = &body[start..];
    let open = rest.find('>').expect("island tag closes") + 1;
    let end = rest.find("</leptos-island>").expect("island ends");
    &rest[open..end]
}

/// Issue 14: receipts kept on a device are the browser's business. Without JavaScript `/track`
/// renders the list's island empty (absent, not broken), and the receipt page's "kept on this
/// device" notice stays hidden, because nothing is kept.
#[tokio::test]
async fn kept_receipts_are_absent_without_javascript() {
    let app = app(Limits::default()).await;
    let mut b = Browser::new();
    let t = complete_appeal(&app, &mut b).await;
    assert_eq!(b.post(&app, &format!("/form/appeal/{t}/submit"), "").await.status, StatusCode::SEE_OTHER);
    let receipt = b.get(&app, &format!("/receipt/{t}")).await;
    let keep = island_inner(&receipt.body, "KeepReceipt");
    assert!(keep.contains("id=\"kept-receipt\" hidden"), "hidden until hydrated: {keep}");
    for lang in ["", "lang=en"] {
        let page =
            if lang.is_empty() { b.get(&app, "/track").await } else { common::get_with(&app, "/track", lang).await };
        assert_eq!(page.status, StatusCode::OK);
        let list = island_inner(&page.body, "KeptReceipts");
        // Only hydration markers (`<!>`): no element, no word.
        assert!(list.replace("<!>", "").trim().is_empty(), "{lang}: {list}");
        for absent in ["id=\"kept-receipts\"", "kept-receipt\"", "id=\"kept-clear\""] {
            assert!(!page.body.contains(absent), "{lang}: {absent}");
        }
        // The lookup form is whole: the list's buttons fill these two fields.
        assert!(
            page.body.contains("id=\"track-form\"")
                && page.body.contains("id=\"ticket\"")
                && page.body.contains("id=\"key\"")
        );
    }
}
