//! The HTTP face of the Leptos server functions (`/api/<name><hash>`).
//!
//! Pages call their server functions in-process while rendering, and no island calls one over
//! HTTP, but `leptos_routes_with_context` registers every `#[server]` fn as an unauthenticated
//! POST endpoint anyway. This layer makes that endpoint behave like the forms it mirrors:
//!
//! - **bounded body**: at most [`BODY_LIMIT`] bytes are read (server_fn reads the raw body
//!   itself, so the router's `DefaultBodyLimit` does not reach it);
//! - **rate limited** per client address ([`ClientIp`]): every call spends from the same
//!   budget as the track lookup (`track_limiter`), because the resident functions look things up
//!   by a secret (draft token, receipt token, ticket + key) and the legal ones have no form to
//!   mirror that would justify a larger budget; no function is exempt;
//! - **POST only** (every one of ours is a `PostUrl` function);
//! - **staff functions are not served**: they need the staff session, whose cookie is scoped to
//!   `/staff`, so over `/api` they could only ever say "signed out" (or fail); 404 up front;
//!   nor is `public_stats`, whose answer holds the counts the page suppresses;
//! - **bad arguments are 400**: server_fn answers every error with 500. A body that does not
//!   decode (missing field, invalid UTF-8, a number that is not one, a body over the limit) is
//!   the caller's mistake, so it becomes 400 with a short message in the caller's language,
//!   still in server_fn's `Variant|text` error encoding so a server_fn client can decode it.
//!   Only `ServerError` (our own "internal error") stays 500.

use crate::error::message_page;
use crate::forms::lang_of;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backend::state::ClientIp;
use backend::AppState;
use domain::{Lang, Msg};

/// Functions only the server's own rendering may call: `public_stats` answers with the exact
/// counts, which only the page suppresses ("<5") before anyone sees them.
const SSR_ONLY: [&str; 1] = ["public_stats"];

/// Largest server-function body read (the arguments are a few short strings).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Largest error body of server_fn looked at when mapping its status (ours are one line).
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The function's name from its path: `/api/get_draft1234567890` → `get_draft`.
#[must_use]
pub fn fn_name(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/api/")?;
    Some(rest.trim_end_matches(|c: char| c.is_ascii_digit()))
}

fn plain(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    res
}

/// A refusal in server_fn's error encoding (`Variant|text`), in the caller's language.
fn refuse(status: StatusCode, variant: &str, lang: Lang, msg: Msg) -> Response {
    plain(status, format!("{variant}|{}", msg.text(lang)))
}

pub async fn guard(req: Request, next: Next) -> Response {
    let Some(name) = fn_name(req.uri().path()).map(str::to_owned) else {
        return next.run(req).await;
    };
    let lang = lang_of(req.headers());
    if name.starts_with("staff_") || SSR_ONLY.contains(&name.as_str()) {
        return message_page(lang, StatusCode::NOT_FOUND, Msg::NotFound);
    }
    if req.method() != Method::POST {
        let mut res = refuse(StatusCode::METHOD_NOT_ALLOWED, "Request", lang, Msg::ApiBadArguments);
        res.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return res;
    }
    let client = req.extensions().get::<ClientIp>().map_or_else(|| "unknown".to_owned(), |c| c.0.clone());
    let allowed = match req.extensions().get::<AppState>() {
        Some(s) => s.track_limiter.check(&client).await,
        None => true,
    };
    if !allowed {
        return refuse(StatusCode::TOO_MANY_REQUESTS, "ServerError", lang, Msg::TrackRateLimited);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return refuse(StatusCode::BAD_REQUEST, "Args", lang, Msg::ApiBadArguments);
    };
    let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_LIMIT).await else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, format!("ServerError|{}", Msg::GenericError.text(lang)));
    };
    let variant =
        bytes.split(|b| *b == b'|').next().map(|v| String::from_utf8_lossy(v).into_owned()).unwrap_or_default();
    match variant.as_str() {
        // Our own failures (the database, a missing context): stay 500, as they were.
        "ServerError" | "WrappedServerFn" | "Response" | "Serialization" | "Registration" => {
            Response::from_parts(parts, Body::from(bytes))
        }
        // The caller's arguments did not decode: missing, malformed, not UTF-8, too long.
        "Args" | "MissingArg" | "Deserialization" | "Request" | "MiddlewareError" => {
            tracing::info!(function = %name, "server function refused its arguments");
            refuse(
                StatusCode::BAD_REQUEST,
                if variant == "MissingArg" { "MissingArg" } else { "Args" },
                lang,
                Msg::ApiBadArguments,
            )
        }
        _ => Response::from_parts(parts, Body::from(bytes)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_come_without_the_hash() {
        assert_eq!(super::fn_name("/api/track_appeal17467023815226419"), Some("track_appeal"));
        assert_eq!(super::fn_name("/api/legal_search"), Some("legal_search"));
        assert_eq!(super::fn_name("/appeal/new"), None);
    }
}
