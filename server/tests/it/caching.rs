//! Pages that cost what they should (issue 11): no WASM loader where nothing hydrates, validators
//! and public caching on the public reading pages, never on private ones.

use crate::common::{app, get, send};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use backend::config::Limits;

fn loads_bundle(body: &str) -> bool {
    body.contains("/pkg/pingan.js") || body.contains("/pkg/pingan.wasm") || body.contains("<script")
}

#[tokio::test]
async fn pages_without_islands_load_no_script_and_are_cacheable() {
    let app = app(Limits::default()).await;
    let legal = get(&app, "/legal").await;
    assert_eq!(legal.status, StatusCode::OK);
    let article = legal.body.split("href=\"/legal/articles/").nth(1).and_then(|s| s.split('"').next()).unwrap();
    let article = format!("/legal/articles/{article}");
    for path in ["/", "/legal", article.as_str()] {
        let page = get(&app, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains("<leptos-island"), "{path} has no island");
        let at = page.body.find("<script").unwrap_or(0);
        assert!(!loads_bundle(&page.body), "{path} loads no script: {}", &page.body[at..]);
        let csp = page.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
        assert!(!csp.contains("nonce-") && !csp.contains("unsafe-inline'; object"), "{path}: {csp}");
        let cc = page.headers.get(header::CACHE_CONTROL).unwrap().to_str().unwrap();
        assert!(cc.starts_with("public, max-age="), "{path}: {cc}");
        let etag = page.headers.get(header::ETAG).unwrap().to_str().unwrap().to_owned();
        let modified = page.headers.get(header::LAST_MODIFIED).unwrap().to_str().unwrap();
        let modified = httpdate::parse_http_date(modified).unwrap();
        assert!(modified <= std::time::SystemTime::now(), "{path}: rendered before it was sent");
        // Same bytes, same validator; a revalidation gets 304 and no body.
        assert_eq!(get(&app, path).await.headers.get(header::ETAG).unwrap().to_str().unwrap(), etag, "{path}");
        let req = Request::get(path).header(header::IF_NONE_MATCH, &etag).body(Body::empty()).unwrap();
        let again = send(&app, req).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(again.body.is_empty());
        // The language cookie changes the page, so caches must key on it.
        assert_eq!(page.headers.get(header::VARY).unwrap(), "Cookie, Accept-Encoding");
        let en = crate::common::get_with(&app, path, "lang=en").await;
        assert_ne!(en.headers.get(header::ETAG).unwrap().to_str().unwrap(), etag, "{path}: English is other bytes");
    }
}

#[tokio::test]
async fn pages_with_islands_keep_the_loader_and_private_pages_are_never_cached() {
    let app = app(Limits::default()).await;
    for path in ["/track", "/legal/services"] {
        let page = get(&app, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("<leptos-island"), "{path} has an island");
        // The loader is there, names the bundle, and starts it only after the first paint: no
        // high-priority preload of ~100 KB competes with the page itself on a slow link.
        assert!(page.body.contains(r#""pkg", "pingan""#), "{path} loads the bundle");
        assert!(page.body.contains("function idle_now(c)"), "{path}: the loader waits for the page");
        assert!(!page.body.contains("modulepreload") && !page.body.contains(r#"rel="preload""#), "{path}");
        assert!(page.headers.get(header::ETAG).is_none(), "{path}");
        assert!(page.headers.get(header::LAST_MODIFIED).is_none(), "{path}");
    }
    for path in ["/appeal/new", "/track", "/staff/login", "/legal/search?q=wages", "/legal/eligibility"] {
        let page = get(&app, path).await;
        let cc = page.headers.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert!(!cc.contains("public"), "{path}: {cc}");
    }
}

/// A cached article changes as soon as an admin edits it (the edit bumps the content version).
#[tokio::test]
async fn an_edited_article_is_not_served_from_the_cache() {
    let config = crate::common::config(Limits::default());
    let state = pingan_server::startup::build_state(&config).await.unwrap();
    let app =
        pingan_server::startup::build_router(state.clone(), pingan_server::startup::leptos_options(&config), false);
    let legal = get(&app, "/legal").await;
    let slug = legal.body.split("href=\"/legal/articles/").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    let path = format!("/legal/articles/{slug}");
    let before = get(&app, &path).await;
    assert_eq!(get(&app, &path).await.headers.get(header::ETAG), before.headers.get(header::ETAG), "served again");
    let admin = backend::auth::Staff {
        id: "x".into(),
        username: "boss".into(),
        display_name: "管理员".into(),
        unit: "U-SF".into(),
        role: domain::workflow::Role::Admin,
        active: true,
        updated_at: 0,
    };
    let marker = "这是一段新加的说明文字，用来检查缓存。";
    backend::services::legal::update_article(&state, &admin, &slug, &format!("{marker}\n\n正文。"), domain::Lang::ZhCn)
        .await
        .unwrap();
    let after = get(&app, &path).await;
    assert!(after.body.contains(marker), "the edit shows at once");
    assert_ne!(after.headers.get(header::ETAG), before.headers.get(header::ETAG));
}

async fn raw(app: &axum::Router, path: &str, accept: &str) -> (axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = Request::get(path).header(header::ACCEPT_ENCODING, accept).body(Body::empty()).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path} ({accept})");
    let headers = res.headers().clone();
    (headers, res.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// A cached page is compressed once and answered in the encoding the client takes, with its own
/// validator per encoding, and with the same security headers as a page rendered for the request
/// (the first request renders, the later ones are answered before routing).
#[tokio::test]
async fn public_pages_come_precompressed_with_the_full_headers() {
    use std::io::Read;
    let app = app(Limits::default()).await;
    // The first request renders the page and answers it in brotli.
    let (first_headers, first) = raw(&app, "/legal", "br").await;
    assert_eq!(first_headers.get(header::CONTENT_ENCODING).unwrap(), "br");
    let plain = get(&app, "/legal").await;
    assert_eq!(plain.status, StatusCode::OK);
    let mut out = String::new();
    brotli::Decompressor::new(first.as_slice(), 4096).read_to_string(&mut out).unwrap();
    assert_eq!(out, plain.body, "the rendering request got the same page");
    let plain_etag = plain.headers.get(header::ETAG).unwrap().clone();
    for round in ["cached", "cached again"] {
        let (h, br) = raw(&app, "/legal", "gzip, deflate, br").await;
        assert_eq!(h.get(header::CONTENT_ENCODING).unwrap(), "br", "{round}");
        let mut out = String::new();
        brotli::Decompressor::new(br.as_slice(), 4096).read_to_string(&mut out).unwrap();
        assert_eq!(out, plain.body, "{round}: brotli of the same page");
        assert!(br.len() * 2 < plain.body.len(), "{round}: {} of {} bytes", br.len(), plain.body.len());
        let br_etag = h.get(header::ETAG).unwrap().clone();
        assert_ne!(br_etag, plain_etag, "{round}: an encoding is other bytes, so another validator");
        for name in ["x-content-type-options", "x-frame-options", "referrer-policy", "content-security-policy"] {
            assert!(h.contains_key(name), "{round}: {name}");
        }
        assert_eq!(h.get(header::VARY).unwrap(), "Cookie, Accept-Encoding", "{round}");

        let (h, gz) = raw(&app, "/legal", "gzip;q=1, br;q=0").await;
        assert_eq!(h.get(header::CONTENT_ENCODING).unwrap(), "gzip", "{round}: br refused with q=0");
        let mut out = String::new();
        flate2::read::GzDecoder::new(gz.as_slice()).read_to_string(&mut out).unwrap();
        assert_eq!(out, plain.body, "{round}: gzip of the same page");

        let (h, body) = raw(&app, "/legal", "identity").await;
        assert!(h.get(header::CONTENT_ENCODING).is_none(), "{round}");
        assert_eq!(String::from_utf8(body).unwrap(), plain.body, "{round}");

        // The brotli validator revalidates the brotli variant.
        let req = Request::get("/legal")
            .header(header::ACCEPT_ENCODING, "br")
            .header(header::IF_NONE_MATCH, br_etag)
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, req).await.status, StatusCode::NOT_MODIFIED, "{round}");
    }
}

/// After `pingan precompress`, pages load the bundle by content-named copies, served as immutable;
/// the plain names are revalidated.
#[tokio::test]
async fn the_bundle_is_loaded_by_content_named_copies_kept_for_a_year() {
    let mut config = crate::common::config(Limits::default());
    let root = std::env::temp_dir().join(format!("pingan-site-{:x}", crate::common::rand_u64()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    for (file, text) in [("pingan.js", "export default 1;"), ("pingan.wasm", "\0asm"), ("pingan.css", "body{}")] {
        std::fs::write(pkg.join(file), text).unwrap();
    }
    pingan_server::compress::fingerprint_dir(&pkg, "pingan").unwrap();
    let manifest = std::fs::read_to_string(pkg.join("hash.txt")).unwrap();
    let hash = |ext| pingan_server::compress::hash_of(&manifest, ext).unwrap().to_owned();
    config.site_root = root.to_string_lossy().into_owned();
    let state = pingan_server::startup::build_state(&config).await.unwrap();
    let app = pingan_server::startup::build_router(state, pingan_server::startup::leptos_options(&config), false);

    let page = get(&app, "/track").await;
    assert_eq!(page.status, StatusCode::OK);
    // The loader is given the names without their extension (`"pkg", "pingan.<hash>"`).
    for (ext, what) in [("js", "loader"), ("wasm", "module")] {
        let name = format!(r#""pingan.{}""#, hash(ext));
        assert!(page.body.contains(&name), "the page names the {what} {name}");
    }
    let css = format!("/pkg/pingan.{}.css", hash("css"));
    assert!(page.body.contains(&css), "the page names the stylesheet {css}");
    assert!(!page.body.contains("/pkg/pingan.css\""), "not the plain stylesheet name");
    let copy = get(&app, &format!("/pkg/pingan.{}.css", hash("css"))).await;
    assert_eq!(copy.status, StatusCode::OK);
    assert_eq!(copy.body, "body{}");
    assert_eq!(copy.headers.get(header::CACHE_CONTROL).unwrap(), "public, max-age=31536000, immutable");
    let plain = get(&app, "/pkg/pingan.css").await;
    assert_eq!(plain.headers.get(header::CACHE_CONTROL).unwrap(), "public, no-cache");
    std::fs::remove_dir_all(&root).unwrap();
}
