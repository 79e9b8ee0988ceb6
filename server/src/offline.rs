//! Offline tolerance (issue 14): the web app manifest, the service worker and its page script.
//!
//! - `/manifest.webmanifest` (`application/manifest+json`), linked from every page's head: name,
//!   icon, start page, standalone display, the portal's colour. A link costs no script.
//! - `/sw.js`, the service worker, served from the root so its scope is the whole site, with
//!   `Cache-Control: no-cache` so browsers check it on every visit. Its source is
//!   `offline/sw.js`; the pages it keeps and the client bundle's file names (content-named after
//!   `pingan precompress`) are filled in at start-up, so a new bundle is a new worker.
//! - `/offline.js`, plain JavaScript (no WASM: the bundle's budget is spent), loaded only by the
//!   pages that already load script (pages with islands; `server::pages` strips it from the
//!   others with the loader) and by the offline page (`app::pages::offline`). It registers the
//!   worker and sends the wizard steps kept without a connection when it returns.
//!
//! What the worker keeps and what never is: see `offline/sw.js` and docs/architecture.md.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use domain::{Lang, Msg};
use leptos::prelude::LeptosOptions;

const SW_SOURCE: &str = include_str!("offline/sw.js");
const PAGE_SCRIPT: &str = include_str!("offline/offline.js");

/// Pages the worker keeps from its installation on: the same bytes for every reader with the same
/// language cookie and no private data (the home page and the legal centre's indexes are also
/// `pages::cacheable_path`; `/appeal/new` without a query is the wizard's empty first step).
/// Legal topics and articles are kept when read.
pub const KEPT_PAGES: [&str; 5] = ["/", "/legal", "/legal/services", "/appeal/new", "/offline"];

/// The worker's script, ready to serve.
#[derive(Clone)]
pub struct Worker {
    script: String,
}

impl Worker {
    /// Fills in the worker's source: the kept pages, the files it keeps (the client bundle as the
    /// pages load it, the stylesheet, the page script, the icon, the manifest) and a version that
    /// changes with them.
    #[must_use]
    pub fn new(options: &LeptosOptions, style_href: &str) -> Self {
        let pkg = format!("/{}", options.site_pkg_dir);
        let name = &options.output_name;
        let hashes = options
            .hash_files
            .then(|| std::fs::read_to_string(options.hash_file.as_ref()).ok())
            .flatten()
            .unwrap_or_default();
        let file = |ext: &str| match crate::compress::hash_of(&hashes, ext) {
            Some(h) => format!("{pkg}/{name}.{h}.{ext}"),
            None => format!("{pkg}/{name}.{ext}"),
        };
        let assets = vec![
            file("js"),
            file("wasm"),
            style_href.to_owned(),
            "/offline.js".to_owned(),
            "/favicon.svg".to_owned(),
            "/manifest.webmanifest".to_owned(),
        ];
        let json = |v: &[String]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        let pages: Vec<String> = KEPT_PAGES.iter().map(|p| (*p).to_owned()).collect();
        let fallback =
            format!("{} / {}", Msg::OfflineTitle.text(Lang::ZhCn), Msg::OfflineTitle.text(Lang::En)).replace('"', "");
        let filled = |version: &str| {
            SW_SOURCE
                .replace("__VERSION__", version)
                .replace("__PAGES__", &json(&pages))
                .replace("__ASSETS__", &json(&assets))
                .replace("__FALLBACK__", &fallback)
        };
        // The version names the asset cache: the digest of everything filled in (and of the
        // page script, which the worker keeps too).
        let version = backend::crypto::sha256_hex(format!("{}{PAGE_SCRIPT}", filled("")))[..16].to_owned();
        Self { script: filled(&version) }
    }

    /// The filled-in script.
    #[must_use]
    pub fn script(&self) -> &str {
        &self.script
    }
}

/// A script of ours: JavaScript, checked on every visit.
pub(crate) fn javascript(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            // Checked on every visit: a changed worker or page script applies at once.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// `GET /sw.js`.
pub async fn service_worker(axum::Extension(worker): axum::Extension<Worker>) -> Response {
    javascript(worker.script)
}

/// `GET /offline.js`.
pub async fn page_script() -> Response {
    javascript(PAGE_SCRIPT.to_owned())
}

/// The manifest's JSON in `lang` (browsers fetch it without cookies, so mostly zh-CN).
#[must_use]
pub fn manifest(lang: Lang) -> String {
    serde_json::json!({
        "name": Msg::SiteName.text(lang),
        "short_name": Msg::SiteName.text(lang),
        "description": Msg::SiteTagline.text(lang),
        "lang": lang.tag(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": app::THEME_COLOR,
        "icons": [{ "src": "/favicon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any" }],
    })
    .to_string()
}

/// `GET /manifest.webmanifest`.
pub async fn manifest_file(headers: HeaderMap) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/manifest+json")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::VARY, HeaderValue::from_static("Cookie")),
        ],
        manifest(crate::forms::lang_of(&headers)),
    )
        .into_response()
}
