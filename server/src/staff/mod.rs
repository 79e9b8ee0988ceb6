//! The staff workspace over HTTP: the middleware that resolves the session for every `/staff`
//! request, and the plain form posts (sign in and out, appeal actions, admin pages). Every post
//! checks the session's CSRF token; each answers 303 (post/redirect/get) and carries errors to
//! the next page in the session's flash, so everything works with JavaScript off.

use crate::error::{flash_of, message_page, PageError};
use crate::forms::lang_of;
use axum::extract::{Multipart, Path, Request};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use backend::auth::signin::{self, SigninError};
use backend::auth::{
    self, StaffCtx, SESSION_CSRF, SESSION_ENROL_SECRET, SESSION_LOGIN_AT, SESSION_MFA, SESSION_PENDING,
    SESSION_PENDING_AT, SESSION_PENDING_TRIES, SESSION_SEARCH_PHONE, SESSION_SEARCH_WORDS, SESSION_STAFF,
};
use backend::services::import;
use backend::services::moderation;
use backend::services::supervision;
use backend::services::work::{self, Act};
use backend::state::ClientIp;
use backend::{AppState, BackendError};
use domain::staff::Flash;
use domain::{Lang, Msg};
use tower_sessions::Session;

mod admin;
mod appeal;
mod callbacks;
mod intake;
mod ledger;
mod sign_in;

pub use admin::*;
pub use appeal::*;
pub use callbacks::*;
pub use intake::*;
pub use ledger::*;
pub use sign_in::*;

const FLASH: &str = "flash";
/// Before there is a session, the sign-in form's CSRF token lives in this cookie (double
/// submit): a visitor without a session cookie must not make us write a session row.
pub const PRE_COOKIE: &str = "pingan_staff_pre";
/// A refused sign-in by a browser that has no session carries its message (and the typed user
/// name) to the sign-in page in this cookie, read once: a wrong password must not make us write
/// a session row either (issue 9 §4).
pub const FLASH_COOKIE: &str = "pingan_staff_flash";
/// Largest flash kept in the cookie (hex of its JSON); a bigger one loses its typed values.
const FLASH_COOKIE_MAX: usize = 3000;

/// Resolves who is signed in for `/staff` paths, hands the flash of the previous post to this
/// page, sends visitors who are not signed in to the sign-in page (pages) or refuses them
/// (posts), and keeps members who must enrol a second factor on the enrolment page.
///
/// Nothing here writes a session: a request without a session cookie gets its CSRF token from
/// the `pingan_staff_pre` cookie (set here when missing), so crawlers and attackers cannot fill
/// the sessions table with GETs. Sessions are created only by a sign-in post.
pub async fn context(
    Extension(state): Extension<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    if !path.starts_with("/staff") {
        return next.run(req).await;
    }
    let lang = lang_of(req.headers());
    let pre =
        cookie_value(req.headers(), PRE_COOKIE).filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()));
    let flash_cookie = cookie_value(req.headers(), FLASH_COOKIE);
    match resolve(&state, &session, pre, req.method() == Method::GET).await {
        Ok((mut ctx, new_pre)) => {
            let clear_flash = flash_cookie.is_some() && req.method() == Method::GET;
            if clear_flash && ctx.flash.is_none() {
                ctx.flash = flash_cookie.as_deref().and_then(decode_flash);
            }
            let signed_in = ctx.staff.is_some();
            let must_enrol = ctx.must_enrol;
            req.extensions_mut().insert(ctx);
            let sign_in_pages = path == "/staff/login" || path == "/staff/login/code";
            let mut res = if !signed_in && !sign_in_pages {
                if req.method() == Method::GET {
                    Redirect::to("/staff/login").into_response()
                } else {
                    message_page(lang, StatusCode::FORBIDDEN, Msg::ErrCsrf)
                }
            } else if must_enrol
                && !(path == "/staff/account/totp"
                    || path.starts_with("/staff/account/totp/")
                    || path == "/staff/logout")
            {
                // Admins and dispatchers do nothing else before their second factor is on.
                if req.method() == Method::GET {
                    Redirect::to("/staff/account/totp").into_response()
                } else {
                    message_page(lang, StatusCode::FORBIDDEN, Msg::ErrForbidden)
                }
            } else {
                next.run(req).await
            };
            // Staff pages are personal and change with every action: never cache them.
            res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            let secure = if state.auth.secure_cookies { "; Secure" } else { "" };
            if clear_flash {
                let c = format!("{FLASH_COOKIE}=; Path=/staff/login; HttpOnly; SameSite=Strict; Max-Age=0{secure}");
                if let Ok(v) = header::HeaderValue::from_str(&c) {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            if let Some(token) = new_pre {
                let c = format!("{PRE_COOKIE}={token}; Path=/staff; HttpOnly; SameSite=Strict; Max-Age=7200{secure}");
                if let Ok(v) = header::HeaderValue::from_str(&c) {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "staff session failed");
            message_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Msg::GenericError)
        }
    }
}

/// One cookie's value from the request's `Cookie` headers.
fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The request's context, and a new pre-session token to set as a cookie (if one was made).
async fn resolve(
    state: &AppState,
    session: &Session,
    pre: Option<String>,
    take_flash: bool,
) -> Result<(StaffCtx, Option<String>), BackendError> {
    let se = |e: tower_sessions::session::Error| BackendError::Internal(format!("session: {e}"));
    let (csrf, new_pre) = match (session.get::<String>(SESSION_CSRF).await.map_err(se)?, pre) {
        (Some(t), _) | (None, Some(t)) => (t, None),
        (None, None) => {
            let t = backend::crypto::random_hex();
            (t.clone(), Some(t))
        }
    };
    let mut staff = None;
    let mut must_enrol = false;
    if let Some(id) = session.get::<String>(SESSION_STAFF).await.map_err(se)? {
        let login_at = session.get::<i64>(SESSION_LOGIN_AT).await.map_err(se)?.unwrap_or(0);
        if auth::expired(state, login_at) {
            session.flush().await.map_err(se)?;
        } else {
            // Switched off, or the password changed, since signing in: end the session now.
            staff = auth::active_staff(state, &id).await?.filter(|s| s.updated_at <= login_at);
            if let Some(s) = &staff {
                let mfa = session.get::<bool>(SESSION_MFA).await.map_err(se)?.unwrap_or(false);
                if signin::totp_required(s.role) && !mfa {
                    if signin::enrolled(state, &s.id).await? {
                        // Signed in without the code it now has (an older session): sign in again.
                        staff = None;
                    } else {
                        must_enrol = true;
                    }
                }
            }
            if staff.is_none() {
                session.flush().await.map_err(se)?;
            }
        }
    }
    let pending_code = staff.is_none()
        && session.get::<String>(SESSION_PENDING).await.map_err(se)?.is_some()
        && session
            .get::<i64>(SESSION_PENDING_AT)
            .await
            .map_err(se)?
            .is_some_and(|at| state.clock.ts() - at <= signin::PENDING_SECONDS);
    let enrol_secret =
        if staff.is_some() { session.get::<String>(SESSION_ENROL_SECRET).await.map_err(se)? } else { None };
    let search_phone =
        if staff.is_some() { session.get::<String>(SESSION_SEARCH_PHONE).await.map_err(se)? } else { None };
    let search_words =
        if staff.is_some() { session.get::<String>(SESSION_SEARCH_WORDS).await.map_err(se)? } else { None };
    let flash = if take_flash { session.remove::<Flash>(FLASH).await.map_err(se)? } else { None };
    Ok((StaffCtx { staff, csrf, flash, pending_code, must_enrol, enrol_secret, search_phone, search_words }, new_pre))
}

fn pairs_get(form: &[(String, String)], key: &str) -> String {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
}

/// The form's token matches the session's (constant time).
fn csrf_ok(ctx: &StaffCtx, form: &[(String, String)]) -> bool {
    backend::crypto::same_token(&pairs_get(form, "csrf"), &ctx.csrf)
}

fn csrf_refused(lang: Lang) -> Response {
    tracing::warn!("staff post without a valid CSRF token refused");
    message_page(lang, StatusCode::FORBIDDEN, Msg::ErrCsrf)
}

async fn flash(session: &Session, f: Flash) {
    if let Err(e) = session.insert(FLASH, f).await {
        tracing::error!(error = %e, "could not keep the flash message");
    }
}

/// Sends the browser to `to` (a sign-in page) with `f` to show there: in the session when the
/// browser has one, else in the [`FLASH_COOKIE`], so that a refused sign-in writes no session row.
async fn flash_redirect(state: &AppState, session: &Session, f: Flash, to: &str) -> Response {
    if session.id().is_some() {
        flash(session, f).await;
        return Redirect::to(to).into_response();
    }
    let mut res = Redirect::to(to).into_response();
    let secure = if state.auth.secure_cookies { "; Secure" } else { "" };
    let c = format!(
        "{FLASH_COOKIE}={}; Path=/staff/login; HttpOnly; SameSite=Strict; Max-Age=300{secure}",
        encode_flash(f)
    );
    if let Ok(v) = header::HeaderValue::from_str(&c) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

fn encode_flash(mut f: Flash) -> String {
    let enc = |f: &Flash| serde_json::to_vec(f).map(|j| backend::crypto::hex(&j)).unwrap_or_default();
    let mut out = enc(&f);
    if out.len() > FLASH_COOKIE_MAX {
        f.values.clear();
        out = enc(&f);
    }
    out
}

/// The flash of a [`FLASH_COOKIE`]; anything else than what [`encode_flash`] wrote is ignored
/// (the cookie is the visitor's own: it can only change what that visitor sees).
fn decode_flash(v: &str) -> Option<Flash> {
    if v.len() > FLASH_COOKIE_MAX || !v.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..v.len()).step_by(2).map(|i| v.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
    serde_json::from_slice(&bytes?).ok()
}

/// Keeps what was typed (never passwords) so the form comes back filled in.
fn kept_values(form: &[(String, String)]) -> Vec<(String, String)> {
    form.iter().filter(|(k, _)| k != "csrf" && !k.contains("password")).cloned().collect()
}

/// Sends validation errors and conflicts back to `back` in the flash; other errors become pages.
async fn answer(
    session: &Session,
    lang: Lang,
    form_name: &str,
    form: &[(String, String)],
    back: &str,
    r: Result<Option<Msg>, BackendError>,
) -> Response {
    let ok = r.is_ok();
    match flash_of(form_name, r, |notice| notice, || kept_values(form)) {
        Ok(f) => {
            flash(session, f).await;
            if ok {
                Redirect::to(back).into_response()
            } else {
                Redirect::to(&format!("{back}#{form_name}")).into_response()
            }
        }
        Err(e) => PageError::staff(lang, &e).into_response(),
    }
}

/// 429 with `Retry-After`: the wait is told, and nothing else about the account.
fn throttled(lang: Lang, retry_after: i64) -> Response {
    let secs = retry_after.max(1);
    let mut res = message_page(lang, StatusCode::TOO_MANY_REQUESTS, Msg::ErrSigninWait);
    // The message names the wait: put the number into it.
    let text = Msg::ErrSigninWait.text(lang);
    let body = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{}</title><link rel=\"stylesheet\" \
         href=\"/pkg/pingan.css\"></head><body><main id=\"main\"><h1>{}</h1><p role=\"alert\" id=\"signin-wait\">{}</p>\
         <p><a href=\"/staff/login\">{}</a></p></main></body></html>",
        lang.tag(),
        Msg::SiteName.text(lang),
        Msg::StaffLoginTitle.text(lang),
        text.replace("{seconds}", &secs.to_string()),
        Msg::StaffLoginTitle.text(lang)
    );
    *res.body_mut() = axum::body::Body::from(body);
    if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}
