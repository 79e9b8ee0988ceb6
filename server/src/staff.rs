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
    SESSION_PENDING_AT, SESSION_PENDING_TRIES, SESSION_STAFF,
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

const FLASH: &str = "flash";
/// Before there is a session, the sign-in form's CSRF token lives in this cookie (double
/// submit): a visitor without a session cookie must not make us write a session row.
pub const PRE_COOKIE: &str = "pingan_staff_pre";

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
    match resolve(&state, &session, pre, req.method() == Method::GET).await {
        Ok((ctx, new_pre)) => {
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
            if let Some(token) = new_pre {
                let secure = if state.auth.secure_cookies { "; Secure" } else { "" };
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
    let flash = if take_flash { session.remove::<Flash>(FLASH).await.map_err(se)? } else { None };
    Ok((StaffCtx { staff, csrf, flash, pending_code, must_enrol, enrol_secret }, new_pre))
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

async fn forget_pending(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.remove::<String>(SESSION_PENDING).await?;
    session.remove::<i64>(SESSION_PENDING_AT).await?;
    session.remove::<i64>(SESSION_PENDING_TRIES).await?;
    Ok(())
}

/// Makes this session a signed-in one: a new id (no session fixation), a new CSRF token, the
/// sign-in time, whether a second factor was given; members who must enrol get their secret.
async fn start_session(
    state: &AppState,
    session: &Session,
    staff: &auth::Staff,
    mfa: bool,
) -> Result<&'static str, tower_sessions::session::Error> {
    session.cycle_id().await?;
    forget_pending(session).await?;
    session.insert(SESSION_STAFF, &staff.id).await?;
    session.insert(SESSION_LOGIN_AT, state.clock.ts()).await?;
    session.insert(SESSION_CSRF, backend::crypto::random_hex()).await?;
    session.insert(SESSION_MFA, mfa).await?;
    if signin::totp_required(staff.role) && !mfa {
        session.insert(SESSION_ENROL_SECRET, signin::new_secret()).await?;
        return Ok("/staff/account/totp");
    }
    Ok("/staff")
}

pub async fn login(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    if !csrf_ok(&ctx, &form) {
        return csrf_refused(lang);
    }
    let username = pairs_get(&form, "username");
    match auth::login(&state, &ip, &username, &pairs_get(&form, "password")).await {
        Ok(ok) => {
            let result = if ok.needs_code {
                // The password was right; the code comes next, on this session only.
                async {
                    session.cycle_id().await?;
                    session.insert(SESSION_CSRF, backend::crypto::random_hex()).await?;
                    session.insert(SESSION_PENDING, &ok.staff.id).await?;
                    session.insert(SESSION_PENDING_AT, state.clock.ts()).await?;
                    session.insert(SESSION_PENDING_TRIES, 0_i64).await?;
                    Ok::<_, tower_sessions::session::Error>("/staff/login/code")
                }
                .await
            } else {
                start_session(&state, &session, &ok.staff, false).await
            };
            match result {
                Ok(to) => Redirect::to(to).into_response(),
                Err(e) => {
                    tracing::error!(error = %e, "could not start the staff session");
                    message_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Msg::GenericError)
                }
            }
        }
        Err(SigninError::Throttled { retry_after }) => throttled(lang, retry_after),
        Err(SigninError::Failed) => {
            let errors = vec![domain::FieldError::new(domain::FieldName::Password, Msg::ErrLoginFailed)];
            flash(
                &session,
                Flash { form: "login".into(), errors, values: vec![("username".into(), username)], ..Flash::default() },
            )
            .await;
            Redirect::to("/staff/login").into_response()
        }
        Err(SigninError::Backend(e)) => PageError::staff(lang, &e).into_response(),
    }
}

/// The second step: the code (or a recovery code) for the sign-in waiting in this session.
pub async fn login_code(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    if !csrf_ok(&ctx, &form) {
        return csrf_refused(lang);
    }
    let pending = async {
        let id = session.get::<String>(SESSION_PENDING).await?;
        let at = session.get::<i64>(SESSION_PENDING_AT).await?.unwrap_or(0);
        let tries = session.get::<i64>(SESSION_PENDING_TRIES).await?.unwrap_or(0);
        Ok::<_, tower_sessions::session::Error>((id, at, tries))
    }
    .await;
    let (id, tries) = match pending {
        Ok((Some(id), at, tries))
            if state.clock.ts() - at <= signin::PENDING_SECONDS && tries < signin::PENDING_TRIES =>
        {
            (id, tries)
        }
        Ok(_) => {
            // None waiting, too old, or too many wrong codes: start again with the password.
            if let Err(e) = forget_pending(&session).await {
                tracing::error!(error = %e, "could not end the pending sign-in");
            }
            flash(&session, Flash { form: "login".into(), problem: Some(Msg::ErrSigninExpired), ..Flash::default() })
                .await;
            return Redirect::to("/staff/login").into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "staff session failed");
            return message_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Msg::GenericError);
        }
    };
    match signin::verify_second_factor(&state, &ip, &id, &pairs_get(&form, "code")).await {
        Ok(staff) => match start_session(&state, &session, &staff, true).await {
            Ok(to) => Redirect::to(to).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "could not start the staff session");
                message_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Msg::GenericError)
            }
        },
        Err(SigninError::Throttled { retry_after }) => throttled(lang, retry_after),
        Err(SigninError::Failed) => {
            if let Err(e) = session.insert(SESSION_PENDING_TRIES, tries + 1).await {
                tracing::error!(error = %e, "could not count the wrong code");
            }
            let errors = vec![domain::FieldError::new(domain::FieldName::Code, Msg::ErrCodeWrong)];
            flash(&session, Flash { form: "code".into(), errors, ..Flash::default() }).await;
            Redirect::to("/staff/login/code").into_response()
        }
        Err(SigninError::Backend(e)) => PageError::staff(lang, &e).into_response(),
    }
}

/// The member's own account: password change and second factor (`what` after `/staff/account/`).
pub async fn account_post(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    session: Session,
    headers: HeaderMap,
    Path(what): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    let staff = match checked(&ctx, &form, lang) {
        Ok(s) => s.clone(),
        Err(refused) => return refused,
    };
    let g = |k: &str| pairs_get(&form, k);
    let se = |e: tower_sessions::session::Error| BackendError::Internal(format!("session: {e}"));
    let recovery_flash = |codes: Vec<String>| Flash {
        form: "recovery".into(),
        values: codes.into_iter().map(|c| ("recovery_code".to_owned(), c)).collect(),
        ..Flash::default()
    };
    match what.as_str() {
        "password" => {
            let r = match signin::change_password(
                &state,
                &ip,
                &staff,
                &g("password"),
                &g("new_password"),
                &g("new_password2"),
            )
            .await
            {
                // This session goes on (a new id, signed in as of now); every other one ends.
                Ok(at) => async {
                    session.cycle_id().await?;
                    session.insert(SESSION_LOGIN_AT, at).await
                }
                .await
                .map_err(se)
                .map(|()| Some(Msg::PasswordChanged)),
                Err(e) => Err(e),
            };
            answer(&session, lang, "password", &form, "/staff/account", r).await
        }
        "totp/start" => {
            match signin::enrolled(&state, &staff.id).await {
                Ok(false) => {
                    if let Err(e) = session.insert(SESSION_ENROL_SECRET, signin::new_secret()).await {
                        return PageError::staff(lang, &se(e)).into_response();
                    }
                }
                Ok(true) => {}
                Err(e) => return PageError::staff(lang, &e).into_response(),
            }
            Redirect::to("/staff/account/totp").into_response()
        }
        "totp/confirm" => {
            let Some(secret) = ctx.enrol_secret.clone() else {
                return Redirect::to("/staff/account/totp").into_response();
            };
            match signin::confirm_enrolment(&state, &staff, &secret, &g("code")).await {
                Ok(codes) => {
                    let r = async {
                        session.remove::<String>(SESSION_ENROL_SECRET).await?;
                        session.insert(SESSION_MFA, true).await
                    }
                    .await;
                    if let Err(e) = r {
                        return PageError::staff(lang, &se(e)).into_response();
                    }
                    flash(&session, recovery_flash(codes)).await;
                    Redirect::to("/staff/account/totp#recovery").into_response()
                }
                Err(e) => answer(&session, lang, "totp", &form, "/staff/account/totp", Err(e)).await,
            }
        }
        "totp/recovery" => match signin::regenerate_recovery_codes(&state, &staff).await {
            Ok(codes) => {
                flash(&session, recovery_flash(codes)).await;
                Redirect::to("/staff/account/totp#recovery").into_response()
            }
            Err(e) => PageError::staff(lang, &e).into_response(),
        },
        "totp/disable" => {
            let r = signin::disable(&state, &staff, &g("code")).await.map(|()| Some(Msg::Saved));
            answer(&session, lang, "totp-disable", &form, "/staff/account/totp", r).await
        }
        _ => message_page(lang, StatusCode::NOT_FOUND, Msg::NotFound),
    }
}

pub async fn logout(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    if !csrf_ok(&ctx, &form) {
        return csrf_refused(lang);
    }
    if let Some(staff) = &ctx.staff {
        if let Err(e) = auth::logout(&state, staff).await {
            return PageError::staff(lang, &e).into_response();
        }
    }
    if let Err(e) = session.flush().await {
        tracing::error!(error = %e, "could not end the session");
    }
    Redirect::to("/staff/login").into_response()
}

/// The CSRF token and a signed-in staff member, which every appeal post needs; the refusal page
/// otherwise.
#[expect(clippy::result_large_err, reason = "the refusal is the response itself, built once")]
fn checked<'a>(ctx: &'a StaffCtx, form: &[(String, String)], lang: Lang) -> Result<&'a auth::Staff, Response> {
    if !csrf_ok(ctx, form) {
        return Err(csrf_refused(lang));
    }
    ctx.staff.as_ref().ok_or_else(|| PageError::staff(lang, &BackendError::Forbidden).into_response())
}

/// Builds the action from the posted fields.
fn act_from(form: &[(String, String)]) -> Option<Act> {
    let g = |k: &str| pairs_get(form, k);
    Some(match g("action").as_str() {
        "sign" => Act::Sign,
        "reply" => Act::Reply { body: g("body") },
        "note" => Act::Note { body: g("body") },
        "request_info" => Act::RequestInfo { body: g("body") },
        "transfer" => Act::Transfer { to_unit: g("unit"), reason: g("reason") },
        "escalate" => Act::Escalate { reason: g("reason") },
        "summon" => Act::Summon {
            units: form.iter().filter(|(k, _)| k == "units").map(|(_, v)| v.clone()).collect(),
            note: g("note"),
        },
        "report_back" => Act::ReportBack { body: g("body") },
        "close" => Act::Close { resolution: g("resolution") },
        "reopen" => Act::Reopen { reason: g("reason") },
        "request_extension" => Act::RequestExtension { days: g("days"), reason: g("reason") },
        "approve_extension" => Act::DecideExtension { id: g("id"), approve: true, note: g("note") },
        "refuse_extension" => Act::DecideExtension { id: g("id"), approve: false, note: g("note") },
        _ => return None,
    })
}

pub async fn act(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    session: Session,
    headers: HeaderMap,
    Path(ticket): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    let staff = match checked(&ctx, &form, lang) {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let Some(a) = act_from(&form) else { return message_page(lang, StatusCode::BAD_REQUEST, Msg::NotFound) };
    let page = format!("/staff/appeal/{ticket}");
    let name = pairs_get(&form, "action");
    let r = work::act(&state, staff, &ticket, &a).await.map(|()| Some(Msg::Saved));
    // Handed out of this person's scope (transferred or escalated away): back to the inbox.
    let back = if r.is_ok() && !work::can_view(&state, staff, &ticket).await.unwrap_or(true) {
        "/staff".to_owned()
    } else {
        page
    };
    answer(&session, lang, &name, &form, &back, r).await
}

pub async fn reveal(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    session: Session,
    headers: HeaderMap,
    Path(ticket): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    let staff = match checked(&ctx, &form, lang) {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let back = format!("/staff/appeal/{ticket}");
    match work::reveal_contact(&state, staff, &ticket, &pairs_get(&form, "reason")).await {
        Ok(contact) => {
            // Tied to this appeal: another tab's page must not show it.
            flash(
                &session,
                Flash {
                    form: "reveal".into(),
                    revealed: Some(contact),
                    values: vec![("ticket".into(), ticket.clone())],
                    ..Flash::default()
                },
            )
            .await;
            Redirect::to(&format!("{back}#contact")).into_response()
        }
        Err(e) => answer(&session, lang, "reveal", &form, &back, Err(e)).await,
    }
}

/// A publication decision (issue 9 §3) from `/staff/moderation`: `decision` = `approve` (with
/// `text`, the possibly redacted text to publish) or `decline`. The service checks the role, the
/// scope and the category; here only the CSRF token and who is signed in. Back to the queue with
/// a notice, or with the errors and the text as typed.
pub async fn moderate(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    session: Session,
    headers: HeaderMap,
    Path(ticket): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    let staff = match checked(&ctx, &form, lang) {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    // Only a well-formed ticket reaches the service and the redirect.
    let Ok(ticket) = domain::receipt::Ticket::parse(&ticket).map(|t| t.as_str().to_owned()) else {
        return message_page(lang, StatusCode::NOT_FOUND, Msg::NotFound);
    };
    let text = pairs_get(&form, "text");
    let decision = match pairs_get(&form, "decision").as_str() {
        "approve" => moderation::Decision::Approve { text: text.clone() },
        "decline" => moderation::Decision::Decline,
        _ => return message_page(lang, StatusCode::BAD_REQUEST, Msg::NotFound),
    };
    let values = vec![("ticket".to_owned(), ticket.clone()), ("text".to_owned(), text)];
    let outcome = moderation::decide(&state, staff, &ticket, &decision).await;
    let ok = outcome.is_ok();
    let kept = values.clone();
    match flash_of("moderate", outcome, |()| Some(Msg::Saved), || kept) {
        Ok(mut f) => {
            if ok {
                // Which appeal was decided (for the notice), not the text.
                f.values = vec![values[0].clone()];
            }
            flash(&session, f).await;
            if ok {
                Redirect::to("/staff/moderation").into_response()
            } else {
                Redirect::to(&format!("/staff/moderation#m-{ticket}")).into_response()
            }
        }
        Err(e) => PageError::staff(lang, &e).into_response(),
    }
}

pub async fn photo(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    Path((ticket, id)): Path<(String, String)>,
) -> Response {
    let Some(staff) = ctx.staff.as_ref() else { return StatusCode::FORBIDDEN.into_response() };
    match work::photo(&state, staff, &ticket, &id).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, no-store")], bytes)
            .into_response(),
        Err(BackendError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "staff photo failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The admin posts, one route each (`startup::build_router` names them). Each use case checks
/// the admin permission itself (`audit::Who::require_admin`); the handler only checks CSRF and
/// that someone is signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminPost {
    CreateStaff,
    SetActive,
    ResetPassword,
    SetHoliday,
    DeleteHoliday,
    EditArticle,
    VerifyAudit,
}

impl AdminPost {
    /// Every admin post and its path.
    pub const ROUTES: [(AdminPost, &'static str); 7] = [
        (Self::CreateStaff, "/staff/admin/staff/create"),
        (Self::SetActive, "/staff/admin/staff/active"),
        (Self::ResetPassword, "/staff/admin/staff/password"),
        (Self::SetHoliday, "/staff/admin/holidays/set"),
        (Self::DeleteHoliday, "/staff/admin/holidays/delete"),
        (Self::EditArticle, "/staff/admin/legal/edit"),
        (Self::VerifyAudit, "/staff/admin/audit/verify"),
    ];

    /// The form's name in the flash: the path after `/staff/admin/`, `/` as `-`.
    fn form_name(self) -> String {
        Self::ROUTES
            .iter()
            .find(|(p, _)| *p == self)
            .map(|(_, path)| path.trim_start_matches("/staff/admin/").replace('/', "-"))
            .unwrap_or_default()
    }
}

/// Every admin post (which one comes from its route).
pub async fn admin_post(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    Extension(what): Extension<AdminPost>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    if !csrf_ok(&ctx, &form) {
        return csrf_refused(lang);
    }
    let Some(staff) = ctx.staff.as_ref() else {
        return PageError::staff(lang, &BackendError::Forbidden).into_response();
    };
    let me = staff.who();
    let g = |k: &str| pairs_get(&form, k);
    let (back, r): (&str, Result<Option<Msg>, BackendError>) = match what {
        AdminPost::CreateStaff => (
            "/staff/admin/staff",
            auth::create_staff(
                &state,
                &me,
                &auth::NewStaff {
                    username: g("username"),
                    display_name: g("name"),
                    unit: g("unit"),
                    role: g("role"),
                    password: g("password"),
                },
            )
            .await
            .map(|_| Some(Msg::Saved)),
        ),
        AdminPost::SetActive => (
            "/staff/admin/staff",
            auth::set_active(&state, &me, &g("id"), g("active") == "1").await.map(|()| Some(Msg::Saved)),
        ),
        AdminPost::ResetPassword => (
            "/staff/admin/staff",
            auth::reset_password(&state, &me, &g("id"), &g("password")).await.map(|()| Some(Msg::Saved)),
        ),
        AdminPost::SetHoliday => (
            "/staff/admin/holidays",
            supervision::set_holiday(&state, &me, &g("day"), &g("kind"), &g("name")).await.map(|()| Some(Msg::Saved)),
        ),
        AdminPost::DeleteHoliday => (
            "/staff/admin/holidays",
            supervision::delete_holiday(&state, &me, &g("day")).await.map(|()| Some(Msg::Saved)),
        ),
        AdminPost::EditArticle => return legal_edit(&state, staff, &session, lang, &form).await,
        AdminPost::VerifyAudit => {
            return match backend::audit::verify_as(&state, &me).await {
                Ok(v) => {
                    let values = vec![
                        ("checked".into(), v.checked.to_string()),
                        (
                            "broken".into(),
                            v.first_broken.as_ref().map(|(s, why)| format!("{s}: {why}")).unwrap_or_default(),
                        ),
                    ];
                    let notice = if v.first_broken.is_none() { Msg::AuditChainOk } else { Msg::AuditChainBroken };
                    flash(&session, Flash { form: "verify".into(), notice: Some(notice), values, ..Flash::default() })
                        .await;
                    Redirect::to("/staff/admin/audit").into_response()
                }
                Err(e) => PageError::staff(lang, &e).into_response(),
            };
        }
    };
    let form_name = what.form_name();
    answer(&session, lang, &form_name, &form, back, r).await
}

/// An admin saves an article's Markdown: back to the editor with "saved", or with every problem
/// (a broken link, an empty text) and the text as typed.
async fn legal_edit(
    state: &AppState,
    staff: &auth::Staff,
    session: &Session,
    lang: Lang,
    form: &[(String, String)],
) -> Response {
    let slug = pairs_get(form, "slug");
    // The slug goes into the redirect: only an article's characters.
    if slug.is_empty() || !slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return message_page(lang, StatusCode::NOT_FOUND, Msg::NotFound);
    }
    let back = format!("/staff/admin/legal?slug={slug}");
    let markdown = pairs_get(form, "markdown");
    match backend::services::legal::update_article(state, staff, &slug, &markdown).await {
        Ok(()) => {
            flash(session, Flash { form: "legal-edit".into(), notice: Some(Msg::Saved), ..Flash::default() }).await;
            Redirect::to(&back).into_response()
        }
        Err(BackendError::Import(lines)) => {
            let mut values: Vec<(String, String)> = lines.into_iter().map(|l| ("problem".to_owned(), l)).collect();
            values.push(("markdown".into(), markdown));
            flash(
                session,
                Flash { form: "legal-edit".into(), problem: Some(Msg::AdminLegalProblems), values, ..Flash::default() },
            )
            .await;
            Redirect::to(&back).into_response()
        }
        Err(e) => PageError::staff(lang, &e).into_response(),
    }
}

/// The region import from the admin page: three files in one multipart form.
pub async fn admin_import(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    session: Session,
    headers: HeaderMap,
    mut mp: Multipart,
) -> Response {
    let lang = lang_of(&headers);
    // Who is asking before reading up to 200 MB (the token is inside the body, checked below);
    // the import itself checks again.
    let allowed = ctx.staff.as_ref().ok_or(BackendError::Forbidden).and_then(|s| s.who().require_admin());
    if let Err(e) = allowed {
        return PageError::staff(lang, &e).into_response();
    }
    let mut csrf = String::new();
    let mut files: [Option<Vec<u8>>; 3] = [None, None, None];
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let Ok(bytes) = field.bytes().await else {
                    return message_page(lang, StatusCode::BAD_REQUEST, Msg::ErrFileMissing);
                };
                match name.as_str() {
                    "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
                    "regions" => files[0] = Some(bytes.to_vec()),
                    "units" => files[1] = Some(bytes.to_vec()),
                    "categories" => files[2] = Some(bytes.to_vec()),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => return message_page(lang, StatusCode::BAD_REQUEST, Msg::ErrFileMissing),
        }
    }
    if !backend::crypto::same_token(&csrf, &ctx.csrf) {
        return csrf_refused(lang);
    }
    let Some(me) = ctx.staff.as_ref().map(auth::Staff::who) else {
        return PageError::staff(lang, &BackendError::Forbidden).into_response();
    };
    let names = ["regions.geojson", "units.csv", "categories.csv"];
    let mut texts = Vec::new();
    let mut problems = Vec::new();
    for (i, f) in files.into_iter().enumerate() {
        match f.filter(|b| !b.is_empty()) {
            None => problems.push(format!("{}: {}", names[i], Msg::ErrFileMissing.text(lang))),
            Some(b) => match import::decode_file(names[i], b) {
                Ok(t) => texts.push(t),
                Err(e) => problems.push(e),
            },
        }
    }
    let result = if problems.is_empty() {
        let files =
            import::ImportFiles { regions: texts.remove(0), units: texts.remove(0), categories: texts.remove(0) };
        import::import_and_reload(&state, &files, &me).await
    } else {
        Err(BackendError::Import(problems))
    };
    match result {
        Ok(r) => {
            let values = vec![
                ("regions".into(), r.regions.to_string()),
                ("units".into(), r.units.to_string()),
                ("categories".into(), r.categories.to_string()),
            ];
            flash(&session, Flash { form: "import".into(), notice: Some(Msg::ImportDone), values, ..Flash::default() })
                .await;
            Redirect::to("/staff/admin/import").into_response()
        }
        Err(BackendError::Import(lines)) => {
            let values = lines.into_iter().map(|l| ("problem".to_owned(), l)).collect();
            flash(
                &session,
                Flash { form: "import".into(), problem: Some(Msg::ImportFailed), values, ..Flash::default() },
            )
            .await;
            Redirect::to("/staff/admin/import").into_response()
        }
        Err(e) => PageError::staff(lang, &e).into_response(),
    }
}
