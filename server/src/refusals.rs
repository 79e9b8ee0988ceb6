//! Every refusal is a page (or, for the APIs, an error body of their own kind).
//!
//! Axum's extractors and a few layers refuse with short English plain text or an empty body:
//! a form body that is not UTF-8 or not form-encoded (400/415/422), a body over the limit (413),
//! a wrong method (405), a path segment that does not decode (400), the cross-origin check
//! (403). A resident who meets one of those should see the site's message page in their
//! language, and an Open311 client the GeoReport error list. This layer rewrites such answers
//! on the way out; answers that are already a page (`text/html`) or already in the API's format
//! are left alone, and so is everything under `/api/` (see [`crate::api_guard`]).

use crate::error::message_page;
use crate::forms::lang_of;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Msg;

/// The message a bare refusal of `status` gets.
#[must_use]
pub fn message_for(status: StatusCode) -> Msg {
    match status {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => Msg::NotFound,
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => Msg::ErrForbidden,
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::URI_TOO_LONG => Msg::ErrTooLarge,
        StatusCode::TOO_MANY_REQUESTS => Msg::TrackRateLimited,
        _ => Msg::ErrBadRequest,
    }
}

fn content_type(res: &Response) -> &str {
    res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The GeoReport v2 error list for a refusal that did not come from the Open311 handlers.
/// `said` is what the refusal said (axum's rejection text, the same-origin check's words); the
/// message of [`message_for`] where it said nothing usable.
fn open311_error(xml: bool, status: StatusCode, said: &str) -> Response {
    let code = status.as_u16();
    let usable = !said.is_empty() && said.len() <= 300 && said.chars().all(|c| !c.is_control());
    let description = if usable { said.to_owned() } else { message_for(status).text(domain::Lang::En).to_owned() };
    let (body, ct) = if xml {
        let escaped = description.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        (
            format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error><code>{code}</code><description>{escaped}</description></error></errors>"),
            "text/xml; charset=utf-8",
        )
    } else {
        (
            serde_json::json!([{ "code": code, "description": description }]).to_string(),
            "application/json; charset=utf-8",
        )
    };
    let mut res = (status, body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    res
}

/// A path with a `.` or `..` segment (also percent-encoded). None of ours has one; the static
/// file handler refuses them, but the page router then resolves `/pkg/..` to `/` and the
/// visitor got the home page with status 404.
fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|s| {
        let s = s.to_ascii_lowercase().replace("%2e", ".");
        s == "." || s == ".."
    })
}

pub async fn pages(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let lang = lang_of(req.headers());
    if has_dot_segment(&path) && !path.starts_with("/api/") && !path.starts_with("/open311/") {
        return message_page(lang, StatusCode::NOT_FOUND, Msg::NotFound);
    }
    let res = next.run(req).await;
    let status = res.status();
    if !status.is_client_error() || path.starts_with("/api/") {
        return res;
    }
    let ct = content_type(&res);
    if let Some(rest) = path.strip_prefix("/open311/") {
        if ct.contains("json") || ct.contains("xml") {
            return res;
        }
        let xml = rest.ends_with(".xml");
        let said = axum::body::to_bytes(res.into_body(), 1024)
            .await
            .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
            .unwrap_or_default();
        return open311_error(xml, status, &said);
    }
    if ct.starts_with("text/html") {
        return res;
    }
    let mut page = message_page(lang, status, message_for(status));
    // Keep what the refusal said about itself for clients (`Allow`, `Retry-After`).
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = res.headers().get(&name) {
            page.headers_mut().insert(name, v.clone());
        }
    }
    page
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use domain::Msg;

    #[test]
    fn dot_segments_are_found() {
        for p in ["/pkg/..", "/pkg/../x", "/a/./b", "/pkg/%2e%2E/x", "/.."] {
            assert!(super::has_dot_segment(p), "{p}");
        }
        for p in ["/", "/pkg/pingan.css", "/a/..b", "/legal/articles/x.y"] {
            assert!(!super::has_dot_segment(p), "{p}");
        }
    }

    #[test]
    fn each_refusal_has_a_message() {
        assert_eq!(super::message_for(StatusCode::PAYLOAD_TOO_LARGE), Msg::ErrTooLarge);
        assert_eq!(super::message_for(StatusCode::UNSUPPORTED_MEDIA_TYPE), Msg::ErrBadRequest);
        assert_eq!(super::message_for(StatusCode::METHOD_NOT_ALLOWED), Msg::NotFound);
    }
}
