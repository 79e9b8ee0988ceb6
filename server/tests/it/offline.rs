//! Offline tolerance (issue 14) through the real router: the manifest, the service worker and
//! its page script with the headers browsers need; the script only where script already loads;
//! the offline page in both languages; and the server's half of "sent again, never twice": a
//! wizard post the worker kept and the page sent again, after the first one had in fact
//! arrived, changes nothing.

use crate::common::browser::Browser;
use crate::common::{app, between, enc, get, get_with};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use backend::config::Limits;
use domain::{Lang, Msg};
use pingan_server::startup::{build_router, build_state, leptos_options};

fn header_of(r: &crate::common::Res, name: header::HeaderName) -> &str {
    r.headers.get(&name).map_or("", |v| v.to_str().unwrap())
}

/// A JSON array written into the worker's script as `const NAME = [...]`.
fn list_in(script: &str, name: &str) -> Vec<String> {
    let json = between(script, &format!("const {name} = "), ";").unwrap_or_else(|| panic!("{name} in the worker"));
    serde_json::from_str(json).unwrap()
}

#[tokio::test]
async fn the_manifest_names_the_portal_and_every_page_links_it() {
    let app = app(Limits::default()).await;
    let r = get(&app, "/manifest.webmanifest").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(header_of(&r, header::CONTENT_TYPE), "application/manifest+json");
    let m: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(m["name"], "平安键");
    assert_eq!(m["start_url"], "/");
    assert_eq!(m["scope"], "/");
    assert_eq!(m["display"], "standalone");
    assert_eq!(m["icons"][0]["src"], "/favicon.svg");
    assert!(include_str!("../../../public/favicon.svg").starts_with("<svg"), "the icon is there");
    // The stylesheet's accent colour, the one the header's rule is drawn in.
    let theme = m["theme_color"].as_str().unwrap();
    assert!(include_str!("../../../style/main.css").contains(&format!("--ac:{theme};")), "{theme}");
    let en: serde_json::Value =
        serde_json::from_str(&get_with(&app, "/manifest.webmanifest", "lang=en").await.body).unwrap();
    assert_eq!(en["name"], Msg::SiteName.text(Lang::En));
    for path in ["/", "/legal", "/track", "/appeal/new", "/staff/login", "/offline"] {
        let page = get(&app, path).await;
        assert!(page.body.contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#), "{path}");
        assert!(page.body.contains(&format!(r#"<meta name="theme-color" content="{theme}">"#)), "{path}");
    }
}

#[tokio::test]
async fn the_service_worker_covers_the_site_is_always_checked_and_keeps_no_private_page() {
    let app = app(Limits::default()).await;
    let r = get(&app, "/sw.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(header_of(&r, header::CONTENT_TYPE).starts_with("text/javascript"), "{:?}", r.headers);
    assert_eq!(header_of(&r, header::CACHE_CONTROL), "no-cache");
    assert!(!r.body.contains("__VERSION__") && !r.body.contains("__PAGES__") && !r.body.contains("__ASSETS__"));
    let pages = list_in(&r.body, "PAGES");
    assert!(pages.contains(&"/offline".to_owned()) && pages.contains(&"/legal".to_owned()), "{pages:?}");
    for p in &pages {
        // Nothing a resident wrote, no receipt, no tracking, no staff page, no query string.
        let public = pingan_server::pages::cacheable_path(p) || p == "/offline" || p == "/appeal/new";
        assert!(public && !p.contains('?'), "{p} is not the same for every reader");
        assert_eq!(get(&app, p).await.status, StatusCode::OK, "{p}");
    }
    let assets = list_in(&r.body, "ASSETS");
    for a in ["/offline.js", "/manifest.webmanifest", app::style_href()] {
        assert!(assets.iter().any(|x| x == a), "{a} in {assets:?}");
    }
    assert!(assets.iter().all(|a| !pingan_server::middleware::private_path(a)), "{assets:?}");
    // The version names the worker's cache and is filled in from the script's contents.
    let version = between(&r.body, "const VERSION = \"", "\"").unwrap();
    assert_eq!(version.len(), 16);
    assert!(version.bytes().all(|b| b.is_ascii_hexdigit()), "{version}");
    // Only wizard steps without names, phone numbers or photos are kept to be sent again.
    let kept = between(&r.body, "function keptPost(url) {", "\n}").unwrap();
    assert!(kept.contains("(category|what|where|check|submit)"), "{kept}");
    assert!(!kept.contains("who") && !kept.contains("photos"), "{kept}");
}

#[tokio::test]
async fn the_page_script_loads_only_where_script_already_loads() {
    let app = app(Limits::default()).await;
    let r = get(&app, "/offline.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(header_of(&r, header::CONTENT_TYPE).starts_with("text/javascript"));
    assert_eq!(header_of(&r, header::CACHE_CONTROL), "no-cache");
    assert!(r.body.contains(r#"navigator.serviceWorker.register("/sw.js", { scope: "/" })"#));
    const TAG: &str = r#"<script type="module" src="/offline.js"></script>"#;
    for path in ["/track", "/legal/services"] {
        let page = get(&app, path).await;
        assert!(page.body.contains("<leptos-island"), "{path} has an island");
        assert!(page.body.contains(TAG), "{path} registers the worker");
    }
    let legal = get(&app, "/legal").await;
    let article = legal.body.split("href=\"/legal/articles/").nth(1).and_then(|s| s.split('"').next()).unwrap();
    for path in ["/", "/legal", &format!("/legal/articles/{article}")] {
        let page = get(&app, path).await;
        assert!(!page.body.contains("offline.js") && !page.body.contains("<script"), "{path} loads no script");
    }
}

#[tokio::test]
async fn the_offline_page_speaks_both_languages_and_names_every_step() {
    let app = app(Limits::default()).await;
    for (cookie, lang) in [("", Lang::ZhCn), ("lang=en", Lang::En)] {
        let r = get_with(&app, "/offline", cookie).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(header_of(&r, header::CONTENT_LANGUAGE), lang.tag(), "the script compares it");
        for m in [Msg::OfflineTitle, Msg::OfflineIntro, Msg::OfflineKept, Msg::OfflineNotKept, Msg::OfflineWaiting] {
            assert!(r.body.contains(m.text(lang)), "{m:?} in {lang:?}");
        }
        for step in domain::draft::Step::ALL {
            assert!(r.body.contains(&format!(r#"data-step="{}""#, step.slug())), "{step:?}");
            assert!(r.body.contains(step.title().text(lang)), "{step:?} in {lang:?}");
        }
        // No island, yet its own script stays (the worker only shows it with script on).
        assert!(!r.body.contains("<leptos-island") && !r.body.contains("/pkg/pingan.js"));
        assert!(r.body.contains(r#"<script type="module" src="/offline.js"></script>"#));
        assert!(!header_of(&r, header::CACHE_CONTROL).contains("public"), "not in shared caches");
    }
}

/// The page script's re-send: a fetch from the page, so `Origin: null` (the no-referrer policy)
/// with `Sec-Fetch-Site: same-origin`, the draft's cookie, the kept body.
async fn resend(app: &axum::Router, b: &mut Browser, uri: &str, body: &str) -> crate::common::Res {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "null")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, b.cookie_for(uri))
        .body(Body::from(body.to_owned()))
        .unwrap();
    b.send(app, req).await
}

#[tokio::test]
async fn a_kept_post_sent_again_changes_nothing() {
    let config = crate::common::config(Limits::default());
    let state = build_state(&config).await.unwrap();
    let app = build_router(state.clone(), leptos_options(&config), false);
    let appeals = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM appeals").fetch_one(&state.db.pool).await.unwrap();
        n
    };
    let before = appeals().await;
    let mut a = Browser::new();
    let t = a.start_draft(&app, "category=safety_hazard").await;
    let what = format!("/form/appeal/{t}/what");
    let body = format!("description={}", enc("楼道的灯坏了三个月，晚上老人上下楼看不见"));
    // The first post arrived but its answer was lost; the page sends the kept copy again.
    let first = a.post(&app, &what, &body).await;
    // The step as the server keeps it (the page's nonces differ per response).
    let main = |html: String| between(&html, "<main", "</main>").unwrap().to_owned();
    let once = main(a.get(&app, &format!("/appeal/{t}/what")).await.body);
    let again = resend(&app, &mut a, &what, &body).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!((again.status, &again.location), (first.status, &first.location), "{}", again.body);
    assert_eq!(again.location.as_deref(), Some(format!("/appeal/{t}/where").as_str()));
    let twice = main(a.get(&app, &format!("/appeal/{t}/what")).await.body);
    assert!(once.contains("楼道的灯坏了三个月"));
    assert_eq!(twice, once, "the step's page is the same after the second save");
    for (step, body) in
        [("where", "district=HD&street=HD01&community=HD0101&lat=&lng=&address_note="), ("who", "identity=anonymous")]
    {
        let r = a.post(&app, &format!("/form/appeal/{t}/{step}"), body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
    }
    // The submission kept and sent again: one appeal, the same receipt.
    let submit = format!("/form/appeal/{t}/submit");
    let first = a.post(&app, &submit, "").await;
    let again = resend(&app, &mut a, &submit, "").await;
    assert_eq!(first.location.as_deref(), Some(format!("/receipt/{t}").as_str()), "{}", first.body);
    assert_eq!(again.location, first.location);
    assert_eq!(appeals().await, before + 1, "one appeal for one draft token");
    // A step kept before the submission and sent after it changes nothing either.
    let late = resend(&app, &mut a, &what, &format!("description={}", enc("另一段文字，不应写进已提交的诉求"))).await;
    assert_eq!(late.location.as_deref(), Some(format!("/receipt/{t}").as_str()));
    let receipt = a.get(&app, &format!("/receipt/{t}")).await;
    assert!(!receipt.body.contains("另一段文字"), "the submitted appeal is not changed");
    assert_eq!(appeals().await, before + 1);
    // Another browser's re-send (no draft cookie) writes nothing.
    let mut b = Browser::new();
    let stranger = resend(&app, &mut b, &what, &body).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
}
