//! Cross-cutting request handling: the client address for rate limits, a same-origin check on
//! every state-changing request, security headers, and an access log that never contains query
//! strings or secrets from paths.

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backend::state::ClientIp;
use std::net::SocketAddr;
use std::time::Instant;

/// Puts [`ClientIp`] into the request: the rate-limit key of the client (see
/// [`backend::ratelimit::client_key`]: the socket peer, or with `trust_proxy` the rightmost
/// address of all `X-Forwarded-For` lines; IPv6 clients by their /64), and with `trust_proxy`
/// the [`BehindProxy`] mark.
pub async fn client_ip(trust_proxy: bool, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let forwarded = req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
    let key = backend::ratelimit::client_key(peer, trust_proxy, forwarded);
    req.extensions_mut().insert(ClientIp(key));
    if trust_proxy {
        req.extensions_mut().insert(BehindProxy);
    }
    next.run(req).await
}

/// On every request when the app runs behind its reverse proxy (`PINGAN_TRUST_PROXY=1`), which
/// has read the whole request body before passing it on (docs/nginx-pingan.conf buffers them):
/// reading the rest of a refused body then costs a copy over the local network, not a
/// resident's bandwidth, and not reading it makes the proxy answer 502 (see
/// [`read_away_uploads`]).
#[derive(Clone, Copy, Debug)]
pub struct BehindProxy;

/// Whether `path` is one of the photo upload routes (a draft's `photos/add`, `/form/track/photo`),
/// the only ones whose bodies (up to 10 MB) are bigger than what the sockets between a proxy and
/// the app hold. Matched as nginx matches its locations ([`as_proxy_sees`]): a variant of a photo
/// route's path that nginx lets through with 10 MB (`%30…`, `/./`, `//`) is read away too.
fn is_photo_upload(path: &str) -> bool {
    let seen = as_proxy_sees(path);
    let path = seen.as_deref().unwrap_or(path);
    // The draft's location is a regular expression ending in `$`, which also matches before a
    // last newline (`…/photos/add%0A`).
    path == "/form/track/photo"
        || path
            .strip_prefix("/form/appeal/")
            .map(|rest| rest.strip_suffix('\n').unwrap_or(rest))
            .and_then(|rest| rest.strip_suffix("/photos/add"))
            .is_some_and(backend::services::appeal::valid_token)
}

/// `path` as nginx matches it against its locations: percent-escapes decoded, repeated slashes
/// merged, `.` and `..` segments resolved (a trailing slash kept, and left by a last `.` or
/// `..`). `None` when there is nothing to change (the usual case) or the decoded path is not
/// UTF-8 (no route of ours then).
fn as_proxy_sees(path: &str) -> Option<String> {
    if !path.contains('%') && !path.contains("//") && !path.contains("/.") {
        return None;
    }
    let raw = path.as_bytes();
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (raw[i], raw.get(i + 1).copied().and_then(hex), raw.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                bytes.push(u8::try_from(hi * 16 + lo).unwrap_or(b'%'));
                i += 3;
            }
            (b, _, _) => {
                bytes.push(b);
                i += 1;
            }
        }
    }
    let decoded = String::from_utf8(bytes).ok()?;
    let mut segments: Vec<&str> = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    let last = decoded.rsplit('/').next().unwrap_or_default();
    if matches!(last, "" | "." | "..") && out.len() > 1 {
        out.push('/');
    }
    Some(out)
}

/// The body reader of [`read_away_uploads`], stopped however the request ends (also when the
/// client goes away and the request's future is dropped).
struct Reader(tokio::task::JoinHandle<()>);

impl Drop for Reader {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Behind the proxy ([`BehindProxy`]), a photo upload's body is passed to the rest of the app
/// through a small channel, and whatever the answer left unread — refused by the same-origin
/// check, by an extractor (not multipart, 405), at a malformed part, or by the photo code — is
/// read to its end and thrown away before the answer goes out (at most `limit` bytes and
/// [`crate::uploads::DRAIN_TIMEOUT`]). Answering with the body unread resets the connection,
/// and nginx, still sending it, answers 502 and counts the node as failed. Served directly
/// nothing changes: a refusal reads no more than it needs (issue 9 §5).
pub async fn read_away_uploads(limit: usize, req: Request, next: Next) -> Response {
    use futures::StreamExt as _;
    if req.extensions().get::<BehindProxy>().is_none() || !is_photo_upload(req.uri().path()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<axum::body::Bytes, axum::Error>>(2);
    let mut reader = Reader(tokio::spawn(async move {
        let mut chunks = body.into_data_stream();
        let mut read = 0usize;
        let mut passing = true;
        while let Some(chunk) = chunks.next().await {
            let failed = chunk.is_err();
            if let Ok(bytes) = &chunk {
                read = read.saturating_add(bytes.len());
            }
            // Once the app has let go of the body, the rest is only read.
            if passing && tx.send(chunk).await.is_err() {
                passing = false;
            }
            if failed || read > limit {
                break;
            }
        }
    }));
    let passed = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|chunk| (chunk, rx)) });
    let res = next.run(Request::from_parts(parts, axum::body::Body::from_stream(passed))).await;
    if tokio::time::timeout(crate::uploads::DRAIN_TIMEOUT, &mut reader.0).await.is_err() {
        tracing::warn!("refused upload still sending after the drain time; closing");
    }
    drop(reader);
    res
}

/// Refuses cross-site POSTs: a browser always sends `Origin` on a form POST, and it must name
/// this host. (Residents have no session to ride on, but this stops other sites from filling
/// drafts or uploading through a visitor's browser; staff forms will add CSRF tokens on top.)
pub async fn same_origin(req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        if let Some(origin) = req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
            let origin_host = origin.split("://").nth(1).unwrap_or("");
            // Our pages' referrer policy is no-referrer, and for that policy browsers send
            // `Origin: null` with every form post, our own included. Sec-Fetch-Site, which pages
            // cannot set, still tells a post from this site apart.
            let ours_without_origin = origin == "null"
                && req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("same-origin");
            if !ours_without_origin && (origin == "null" || origin_host != host) {
                tracing::warn!(origin, host, "cross-origin POST refused");
                return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
            }
        }
    }
    next.run(req).await
}

pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    add_security_headers(res.headers_mut());
    res
}

/// The headers every response carries (see [`security_headers`]); a header the handler set
/// already is kept.
pub fn add_security_headers(h: &mut HeaderMap) {
    let set = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
        h.entry(k).or_insert(HeaderValue::from_static(v));
    };
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "no-referrer");
    set(h, "permissions-policy", "geolocation=(self), camera=(), microphone=()");
    // Pages set their own policy with the nonce of their inline scripts (`app::shell`); every
    // other response gets the same policy without one.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(v) = HeaderValue::from_str(&app::content_security_policy(None)) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
}

/// `Strict-Transport-Security` when the portal is served over HTTPS (`https`: the staff cookie is
/// Secure, i.e. `PINGAN_PUBLIC_URL` is https, the app runs behind a TLS proxy
/// (`PINGAN_TRUST_PROXY=1`) or listens beyond loopback, unless `PINGAN_SECURE_COOKIES=0`).
/// Browsers ignore the header over plain HTTP, so it cannot lock out a plain-HTTP development
/// server; a year, subdomains included.
pub async fn strict_transport(https: bool, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    add_strict_transport(res.headers_mut(), https);
    res
}

/// See [`strict_transport`].
pub fn add_strict_transport(h: &mut HeaderMap, https: bool) {
    if https {
        h.entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
}

/// Whether a response to `path` shows or accepts a resident's private data: a draft (wizard pages,
/// its photos), a receipt, the track page, any form post's answer, or a server function's answer
/// (`/api/`: drafts and receipts read by their secret).
#[must_use]
pub fn private_path(path: &str) -> bool {
    const PREFIXES: [&str; 6] = ["/appeal/", "/receipt/", "/draft-photo/", "/form/", "/track/", "/api/"];
    path == "/track" || PREFIXES.iter().any(|p| path.starts_with(p))
}

/// `Cache-Control: no-store` on every private response ([`private_path`]), whatever the handler
/// set: no browser, proxy or back-forward cache keeps a draft, a key or an appeal.
pub async fn no_store(req: Request, next: Next) -> Response {
    let private = private_path(req.uri().path());
    let mut res = next.run(req).await;
    if private {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// `Cache-Control` of the client bundle (`/pkg/`): a year and `immutable` for the content-named
/// copies (a new build is a new name), revalidation for the plain names (the same name gets new
/// bytes with each build).
pub async fn asset_cache(req: Request, next: Next) -> Response {
    let file = req.uri().path().strip_prefix("/pkg/").map(crate::compress::is_fingerprinted);
    let mut res = next.run(req).await;
    if let (Some(immutable), true) = (file, res.status().is_success()) {
        let v = if immutable { "public, max-age=31536000, immutable" } else { "public, no-cache" };
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(v));
    }
    res
}

/// Replaces path segments that look like secrets (tokens, keys: 20+ characters) with `*`.
#[must_use]
pub fn redact_path(path: &str) -> String {
    path.split('/').map(|s| if s.len() >= 20 { "*" } else { s }).collect::<Vec<_>>().join("/")
}

pub async fn access_log(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = redact_path(req.uri().path());
    let res = next.run(req).await;
    tracing::info!(%method, path, status = res.status().as_u16(), ms = start.elapsed().as_millis() as u64, "request");
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn photo_uploads_are_the_two_photo_routes_only() {
        assert!(super::is_photo_upload("/form/track/photo"));
        assert!(super::is_photo_upload("/form/appeal/0123456789abcdef0123456789abcdef/photos/add"));
        for path in [
            "/form/appeal/photos/add",
            "/form/appeal/x/y/photos/add",
            "/form/appeal/0123456789ABCDEF0123456789abcdef/photos/add",
            "/form/appeal/0123456789abcdef0123456789abcdef0/photos/add",
            "/form/track/photo/",
            "/form/track/photo/.",
            "/staff/admin/import",
            "/form/appeal/%300123456789abcdef0123456789abcdef/photos/add",
            "/form/appeal/0123456789abcdef0123456789abcdef/photos/add%2Fx",
            "/form/appeal/0123456789abcdef0123456789abcdef/photos/add%0A%0A",
            "/form/track/photo%0A",
        ] {
            assert!(!super::is_photo_upload(path), "{path}");
        }
        // The variants nginx sends to the same locations (it matches the decoded, normalised
        // path and passes the path on as it came).
        for path in [
            "//form/track/photo",
            "/form/./track/photo",
            "/form/x/../track/photo",
            "/form/track/%70hoto",
            "/form/appeal/%30123456789abcdef0123456789abcdef/photos/add",
            "/form/appeal/0123456789abcdef0123456789abcdef/./photos//add",
            "/form%2Fappeal/0123456789abcdef0123456789abcdef/photos/add",
            "/form/appeal/0123456789abcdef0123456789abcdef/photos/add%0A",
        ] {
            assert!(super::is_photo_upload(path), "{path}");
        }
    }

    #[test]
    fn secrets_in_paths_are_redacted() {
        assert_eq!(super::redact_path("/receipt/0123456789abcdef0123456789abcdef"), "/receipt/*");
        assert_eq!(super::redact_path("/appeal/new"), "/appeal/new");
    }

    #[test]
    fn private_paths_are_the_resident_ones() {
        for p in [
            "/appeal/new",
            "/appeal/0123/what",
            "/receipt/x",
            "/draft-photo/a/b",
            "/form/track",
            "/form/appeal/new",
            "/track",
            "/api/get_draft123",
        ] {
            assert!(super::private_path(p), "{p}");
        }
        for p in ["/", "/legal", "/pkg/pingan.css", "/tracker", "/healthz"] {
            assert!(!super::private_path(p), "{p}");
        }
    }
}
