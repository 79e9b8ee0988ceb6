//! What every rendered page goes through on its way out (issue 11):
//!
//! - **No WASM where nothing hydrates.** Leptos's `HydrationScripts` sits in every page's head,
//!   before the body is known. A page whose HTML has no island (`<leptos-island`) has nothing to
//!   hydrate, so its loader script and the preloads of the JS and WASM bundle are taken out: the
//!   browser downloads 0 bytes of script for it. With no inline script left, the page's
//!   Content-Security-Policy loses its nonce (no script may run at all beyond `'self'` files).
//! - **Validators and caching for public pages** ([`cacheable_path`]): a page with no per-response
//!   nonce is the same bytes for everyone who has the same language cookie, so it gets a strong
//!   `ETag` (SHA-256 of the bytes), `Last-Modified` (when this node rendered it),
//!   `Cache-Control: public, max-age=…` and `Vary: Cookie`; a request whose `If-None-Match`
//!   names it gets `304 Not Modified` without the body (`If-Modified-Since` alone does not:
//!   see [`public_page`]). Private
//!   pages (drafts, receipts, tracking, staff) never pass [`cacheable_path`], and `no_store`
//!   overrides whatever is set here for them anyway.
//! - **Rendered once.** Those public pages are kept in memory ([`PageCache`]) by path, query and
//!   language cookie, for the catalog version they were rendered at. A region import, a legal
//!   import and an article edit all bump that version in the database; every node polls it every
//!   10 s (the catalog-reload job) and the node that made the change reloads at once, so a cached
//!   page is never older than the content by more than that.
//! - **Answered before routing.** A cached page is answered by [`front`], the outermost layer
//!   but the access log, with the headers the inner layers would have added (security headers,
//!   HSTS) and compressed once when cached (brotli and gzip kept beside the plain bytes, each
//!   with its own ETag), so a repeat reader costs a map lookup, not the middleware stack, the
//!   router and a compression per request.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use backend::catalog::CatalogHandle;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Most pages kept; past it new pages are served uncached until the next version clears it
/// (the reading pages of a city are a few hundred: articles × languages).
const MAX_CACHED: usize = 2048;

/// One encoding of a cached page.
#[derive(Clone)]
struct Variant {
    body: Bytes,
    etag: HeaderValue,
    /// `Content-Encoding`; `None` for the plain bytes.
    encoding: Option<&'static str>,
}

/// One rendered public page, ready to send again: the plain bytes and, for pages worth it, the
/// same compressed with brotli and with gzip.
#[derive(Clone)]
struct Cached {
    plain: Variant,
    br: Option<Variant>,
    gzip: Option<Variant>,
    content_type: HeaderValue,
    /// When this copy was rendered (`Last-Modified`).
    last_modified: HeaderValue,
}

/// Pages smaller than this are sent as they are (compression would not pay for its headers).
const MIN_COMPRESS: usize = 1024;

impl Cached {
    fn new(html: String, content_type: HeaderValue) -> Option<Self> {
        let etag =
            |tag: &str| HeaderValue::from_str(&format!("\"{}{tag}\"", &backend::crypto::sha256_hex(&html)[..32])).ok();
        let plain = Variant { etag: etag("")?, encoding: None, body: Bytes::from(html.clone()) };
        let (br, gzip) = if html.len() >= MIN_COMPRESS {
            let br = compress_br(html.as_bytes())
                .and_then(|b| Some(Variant { body: b.into(), etag: etag("-br")?, encoding: Some("br") }));
            let gz = compress_gzip(html.as_bytes())
                .and_then(|b| Some(Variant { body: b.into(), etag: etag("-gz")?, encoding: Some("gzip") }));
            (br, gz)
        } else {
            (None, None)
        };
        let last_modified = HeaderValue::from_str(&httpdate::fmt_http_date(std::time::SystemTime::now())).ok()?;
        Some(Self { plain, br, gzip, content_type, last_modified })
    }

    /// The variant for a request's `Accept-Encoding`: brotli, then gzip, then the plain bytes.
    fn variant(&self, accept: Option<&HeaderValue>) -> &Variant {
        let accepted = accept_encodings(accept);
        if accepted.br {
            if let Some(v) = &self.br {
                return v;
            }
        }
        if accepted.gzip {
            if let Some(v) = &self.gzip {
                return v;
            }
        }
        &self.plain
    }
}

fn compress_br(bytes: &[u8]) -> Option<Vec<u8>> {
    // Quality 9 of 11: nearly the smallest output at a fraction of the time, once per page and
    // content version.
    crate::compress::brotli(bytes, 9)
}

fn compress_gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    crate::compress::gzip(bytes)
}

/// Which of the encodings we keep a request accepts (`q=0` refuses one).
#[derive(Debug, Default, PartialEq, Eq)]
struct Accepted {
    br: bool,
    gzip: bool,
}

fn accept_encodings(accept: Option<&HeaderValue>) -> Accepted {
    let mut out = Accepted::default();
    let Some(v) = accept.and_then(|v| v.to_str().ok()) else { return out };
    for item in v.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let refused = parts.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
        });
        if refused {
            continue;
        }
        if name.eq_ignore_ascii_case("br") {
            out.br = true;
        } else if name.eq_ignore_ascii_case("gzip") || name == "*" {
            out.gzip = true;
        }
    }
    out
}

/// Rendered public pages of one catalog version (see the module documentation).
#[derive(Clone)]
pub struct PageCache {
    catalog: CatalogHandle,
    pages: Arc<RwLock<(i64, HashMap<String, Cached>)>>,
}

impl PageCache {
    #[must_use]
    pub fn new(catalog: CatalogHandle) -> Self {
        Self { catalog, pages: Arc::new(RwLock::new((i64::MIN, HashMap::new()))) }
    }

    fn get(&self, key: &str) -> Option<Cached> {
        let version = self.catalog.version();
        let pages = self.pages.read().ok()?;
        (pages.0 == version).then(|| pages.1.get(key).cloned()).flatten()
    }

    fn put(&self, key: String, page: Cached) {
        let version = self.catalog.version();
        let Ok(mut pages) = self.pages.write() else { return };
        if pages.0 != version {
            *pages = (version, HashMap::new());
        }
        if pages.1.len() < MAX_CACHED {
            pages.1.insert(key, page);
        }
    }
}

/// The cache key of a request: the path, the language cookie and the elder-mode cookie (the only
/// things a cacheable page depends on; see [`cache_lookup`] for the query string).
fn cache_key(req: &Request) -> String {
    let cookies = || req.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok());
    let lang = app::cookies::lang(cookies());
    let elder = if app::cookies::elder(cookies()) { "elder" } else { "" };
    format!("{}|{elder}|{}", lang.tag(), req.uri().path())
}

fn etag_matches(if_none_match: Option<&HeaderValue>, etag: &HeaderValue) -> bool {
    let Some(etag) = etag.to_str().ok() else { return false };
    if_none_match
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*"))
}

/// The answer for a public page: 304 when the client has these bytes, else the page in the best
/// encoding the client accepts, with the validators and caching headers.
fn public_page(page: &Cached, if_none_match: Option<&HeaderValue>, accept: Option<&HeaderValue>) -> Response {
    let v = page.variant(accept);
    let mut res = if etag_matches(if_none_match, &v.etag) {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(v.body.clone()));
        r.headers_mut().insert(header::CONTENT_TYPE, page.content_type.clone());
        if let Some(enc) = v.encoding {
            r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
        }
        r
    };
    let h = res.headers_mut();
    h.insert(header::ETAG, v.etag.clone());
    // For caches and tools that look for it. A 304 is decided by the ETag only, never by
    // `If-Modified-Since`: each node renders its own copy at its own time, and in the seconds
    // before a node has seen a new catalog version its copy of the old page can carry a later
    // date than another node's copy of the new one; a date match would then keep the old page.
    h.insert(header::LAST_MODIFIED, page.last_modified.clone());
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(PUBLIC_CACHE_CONTROL));
    h.insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Encoding"));
    if let Ok(v) = HeaderValue::from_str(&app::content_security_policy(None)) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}

/// Answers a cached public page before anything else runs (see the module documentation); every
/// other request goes on to the router.
pub async fn front(cache: PageCache, https: bool, req: Request, next: Next) -> Response {
    if let Some(page) = cache_lookup(&req).and_then(|k| cache.get(&k)) {
        let mut res =
            public_page(&page, req.headers().get(header::IF_NONE_MATCH), req.headers().get(header::ACCEPT_ENCODING));
        crate::middleware::add_security_headers(res.headers_mut());
        crate::middleware::add_strict_transport(res.headers_mut(), https);
        return res;
    }
    next.run(req).await
}

/// The cache key of a request that may be answered from the cache. The reading pages ignore
/// their query string, so it is not in the key: otherwise `/?x=1`, `/?x=2`, … would each take a
/// place until the cache is full and the real pages are rendered every time. The service-point
/// directory depends on its query (kind, district, a location): only its unfiltered page is kept.
fn cache_lookup(req: &Request) -> Option<String> {
    let is_get = req.method() == Method::GET || req.method() == Method::HEAD;
    let path = req.uri().path();
    let filtered = path == "/legal/services" && req.uri().query().is_some_and(|q| !q.is_empty());
    (is_get && cacheable_path(path) && !filtered).then(|| cache_key(req))
}

/// How long browsers and shared caches may reuse a public page without asking again. Short: a
/// legal article edited by an admin should show within a minute; after that the ETag makes the
/// check cheap (304, no body).
pub const PUBLIC_MAX_AGE_SECS: u32 = 60;
const PUBLIC_CACHE_CONTROL: &str = "public, max-age=60";
const _: () = assert!(PUBLIC_MAX_AGE_SECS == 60, "PUBLIC_CACHE_CONTROL says 60");

/// Largest page buffered for rewriting; bigger ones (none today) pass through untouched.
const MAX_PAGE: usize = 4 * 1024 * 1024;

/// Public pages whose content is the same for every visitor (given the language cookie): the home
/// page and the legal centre's reading pages. Not the search or eligibility pages: their query
/// string is what a resident typed.
#[must_use]
pub fn cacheable_path(path: &str) -> bool {
    matches!(path, "/" | "/legal" | "/legal/services")
        || path.starts_with("/legal/topic/")
        || path.starts_with("/legal/articles/")
}

/// Cuts every element starting with one of `markers` out of `head` (a link up to its `>`, a
/// script up to its `</script>`). `None` when nothing matched or an element is not closed.
fn cut_from_head(head: &str, markers: &[&str]) -> Option<String> {
    let mut out = String::with_capacity(head.len());
    let mut cur = head;
    let mut removed = false;
    loop {
        let next = markers.iter().filter_map(|m| cur.find(m).map(|i| (i, *m))).min_by_key(|(i, _)| *i);
        let Some((i, marker)) = next else { break };
        out.push_str(&cur[..i]);
        let after = &cur[i..];
        let end = if marker.starts_with("<script") {
            after.find("</script>").map(|e| e + "</script>".len())
        } else {
            after.find('>').map(|e| e + 1)
        }?;
        cur = &after[end..];
        removed = true;
    }
    out.push_str(cur);
    removed.then_some(out)
}

/// The preloads of the island bundle (JS and WASM) that Leptos puts in the head.
const PRELOADS: [&str; 2] = [r#"<link rel="modulepreload""#, r#"<link rel="preload" href="/pkg/"#];

/// Removes the island loader (and its preload links) from a page without islands. Returns `None`
/// when the page has an island (keep everything) or the loader is not where expected.
#[must_use]
pub fn strip_hydration(html: &str) -> Option<String> {
    if html.contains("<leptos-island") {
        return None;
    }
    let head_end = html.find("</head>")?;
    let (head, rest) = html.split_at(head_end);
    let mut out = cut_from_head(head, &[PRELOADS[0], PRELOADS[1], r#"<script type="module""#])?;
    // Leptos's own data scripts at the end of the body (`__RESOLVED_RESOURCES=[];…`,
    // `__INCOMPLETE_CHUNKS=[];`) only feed hydration: with nothing to hydrate they go too.
    let mut cur = rest;
    while let Some(i) = cur.find("<script nonce=\"") {
        let after = &cur[i..];
        let (Some(open_end), Some(close)) = (after.find('>'), after.find("</script>")) else { break };
        let content = &after[open_end + 1..close.max(open_end + 1)];
        out.push_str(&cur[..i]);
        if !content.starts_with("__") {
            out.push_str(&after[..close + "</script>".len()]);
        }
        cur = &after[close + "</script>".len()..];
    }
    out.push_str(cur);
    Some(out)
}

/// Where Leptos's island loader defines the wrapper it starts the bundle's download with.
const LOADER_IDLE: &str = "function idle(c) {";

/// Put before the loader's own `idle`: the bundle is fetched only once the page has loaded and a
/// frame was painted (a function declaration, so hoisted within the loader).
const AFTER_PAINT: &str = "function idle(c) { \
const go = () => requestAnimationFrame(() => setTimeout(() => idle_now(c), 0)); \
if (document.readyState === \"complete\") { go(); } else { addEventListener(\"load\", go, { once: true }); } } \
function idle_now(c) {";

/// On a page with islands, the bundle (~100 KB of WASM and JS) is what hydrates a page the server
/// already rendered whole: the text is there and every form works without it. So it must not
/// compete with the page's own first paint on a slow link (issue 14: LCP on `/track` and
/// `/legal/services` was 1.7 s with the bundle preloaded at high priority). This drops the two
/// preload links and makes the loader start the download after the `load` event and a painted
/// frame. `None` when the page has no island or nothing was changed.
#[must_use]
pub fn defer_hydration(html: &str) -> Option<String> {
    if !html.contains("<leptos-island") {
        return None;
    }
    let head_end = html.find("</head>")?;
    let (head, rest) = html.split_at(head_end);
    let cut = cut_from_head(head, &PRELOADS);
    let patched = cut.as_deref().unwrap_or(head).contains(LOADER_IDLE);
    if cut.is_none() && !patched {
        return None;
    }
    let head = cut.as_deref().unwrap_or(head).replacen(LOADER_IDLE, AFTER_PAINT, 1);
    Some(head + rest)
}

/// See the module documentation.
pub async fn finish(cache: PageCache, req: Request, next: Next) -> Response {
    let is_get = req.method() == Method::GET || req.method() == Method::HEAD;
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let accept = req.headers().get(header::ACCEPT_ENCODING).cloned();
    let key = cache_lookup(&req);
    let res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_get || res.status() != StatusCode::OK || !is_html {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE).await else {
        tracing::error!("page body could not be read for finishing");
        return Response::builder().status(StatusCode::INTERNAL_SERVER_ERROR).body(Body::empty()).unwrap_or_default();
    };
    let Ok(html) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let Some(html) = strip_hydration(html) else {
        if let Some(html) = defer_hydration(html) {
            parts.headers.remove(header::CONTENT_LENGTH);
            return Response::from_parts(parts, Body::from(html));
        }
        return Response::from_parts(parts, Body::from(bytes));
    };
    // No inline script is left, so no nonce is needed (and none may be allowed).
    let no_script_left = !html.contains("<script");
    if no_script_left {
        if let Ok(v) = HeaderValue::from_str(&app::content_security_policy(None)) {
            parts.headers.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    if let (Some(key), true) = (key, no_script_left) {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .cloned()
            .unwrap_or(HeaderValue::from_static("text/html; charset=utf-8"));
        if let Some(page) = Cached::new(html.clone(), content_type) {
            cache.put(key, page.clone());
            // Already encoded for the client: the compression layer leaves it as it is.
            let mut res = public_page(&page, if_none_match.as_ref(), accept.as_ref());
            // Whatever else the page set (cookies never; language, security) stays.
            for (name, value) in &parts.headers {
                if !res.headers().contains_key(name) && name != header::CONTENT_TYPE {
                    res.headers_mut().insert(name.clone(), value.clone());
                }
            }
            return res;
        }
    }
    Response::from_parts(parts, Body::from(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<!DOCTYPE html><html><head><link rel="stylesheet" href="/pkg/pingan.css"/><link rel="modulepreload" href="/pkg/pingan.js" crossorigin="abc"><link rel="preload" href="/pkg/pingan.wasm" as="fetch" type="application/wasm" crossorigin="abc"><script type="module" nonce="abc">((root) => {})("", "pkg")</script><title>t</title></head>"#;

    #[test]
    fn loader_goes_when_no_island_is_on_the_page() {
        let tail = r#"<script nonce="abc">__RESOLVED_RESOURCES=[];__SERIALIZED_ERRORS=[];</script><script nonce="abc">__INCOMPLETE_CHUNKS=[];</script>"#;
        let page = format!("{HEAD}<body><p>文章</p>{tail}</body></html>");
        let out = strip_hydration(&page).expect("stripped");
        assert!(!out.contains("pingan.js") && !out.contains("pingan.wasm") && !out.contains("<script"), "{out}");
        assert!(out.contains(r#"<link rel="stylesheet" href="/pkg/pingan.css"/>"#) && out.contains("<title>t</title>"));
        assert!(out.ends_with("<body><p>文章</p></body></html>"), "{out}");
    }

    #[test]
    fn loader_stays_with_an_island() {
        let page = format!(r#"{HEAD}<body><leptos-island data-component="x"></leptos-island></body></html>"#);
        assert_eq!(strip_hydration(&page), None);
    }

    #[test]
    fn island_bundle_waits_for_the_first_paint() {
        let head = HEAD.replace("((root) => {})", "((root) => { function idle(c) { c(); } idle(() => {}); })");
        let page = format!(r#"{head}<body><leptos-island data-component="x"></leptos-island></body></html>"#);
        let out = defer_hydration(&page).expect("changed");
        assert!(!out.contains("modulepreload") && !out.contains(r#"rel="preload""#), "{out}");
        assert!(out.contains(r#"<script type="module" nonce="abc">"#) && out.contains("<leptos-island"), "{out}");
        assert!(
            out.contains("addEventListener(\"load\", go") && out.contains("function idle_now(c) { c(); }"),
            "{out}"
        );
        assert_eq!(out.matches("function idle(").count(), 1, "{out}");
        // A page without islands is not this function's business.
        assert_eq!(defer_hydration(HEAD), None);
    }

    #[test]
    fn only_public_reading_pages_are_cacheable() {
        for p in ["/", "/legal", "/legal/articles/wages", "/legal/topic/labour", "/legal/services"] {
            assert!(cacheable_path(p), "{p}");
        }
        for p in ["/track", "/receipt/x", "/appeal/new", "/staff", "/legal/search", "/legal/eligibility", "/form/x"] {
            assert!(!cacheable_path(p), "{p}");
        }
    }

    fn lookup(uri: &str) -> Option<String> {
        cache_lookup(&Request::builder().uri(uri).body(Body::empty()).unwrap())
    }

    #[test]
    fn a_query_string_takes_no_place_of_its_own_in_the_cache() {
        for (with, without) in
            [("/?x=1", "/"), ("/legal/articles/wages?y=2&z", "/legal/articles/wages"), ("/legal?", "/legal")]
        {
            assert_eq!(lookup(with), lookup(without), "{with}");
            assert!(lookup(with).is_some(), "{with}");
        }
        // The directory's filters and location change the page: rendered every time.
        assert!(lookup("/legal/services").is_some());
        assert_eq!(lookup("/legal/services?district=HD"), None);
        assert_eq!(lookup("/legal/services?lat=35.1&lng=118.3"), None);
        let post = Request::builder().method(Method::POST).uri("/").body(Body::empty()).unwrap();
        assert_eq!(cache_lookup(&post), None);
    }
}
