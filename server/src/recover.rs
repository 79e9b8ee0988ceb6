//! The form posts of receipt recovery by phone number (issue 14), `/form/track/recover…`. Each
//! calls one service of `backend::services::recovery` and answers 303 to `/track/recover`
//! (post/redirect/get), with the outcome in a one-shot flash whose id travels in a cookie. The
//! number and the code are only ever in a POST body: never in a URL, a cookie or the log.
//!
//! Cookies (`app::cookies`): the pending request and the recovery session are HttpOnly,
//! `SameSite=Strict`, `Secure` on HTTPS, scoped to the page and these posts. Like every resident
//! form, the posts are protected from other sites by the same-origin check of the middleware.

use crate::error::PageError;
use crate::forms::{cookie, lang_of, message_page, with_cookies};
use app::cookies;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use backend::services::recovery;
use backend::services::resident::{self, FlashOwner};
use backend::services::track;
use backend::state::ClientIp;
use backend::{AppState, BackendError};
use domain::staff::Flash;
use domain::{Lang, Msg};

const PAGE: &str = "/track/recover";

/// `Set-Cookie` values of `name` for both recovery paths (`max_age` 0 deletes).
fn recover_cookies(state: &AppState, name: &'static str, value: &str, max_age: i64) -> Vec<String> {
    let secure = state.auth.secure_cookies;
    cookies::RECOVER_PATHS.into_iter().map(|p| cookies::set(name, value, p, max_age, "Strict", secure)).collect()
}

/// Back to the page with `flash` (read once there), plus `set`.
async fn back_with(state: &AppState, lang: Lang, flash: &Flash, mut set: Vec<String>) -> Response {
    match resident::put_flash(state, FlashOwner::Lookup, flash).await {
        Ok(id) => {
            let secure = state.auth.secure_cookies;
            set.push(cookies::set(cookies::RECOVER_FLASH, &id, PAGE, cookies::FLASH_MAX_AGE, "Strict", secure));
            with_cookies(Redirect::to(PAGE).into_response(), set)
        }
        Err(e) => PageError::resident(lang, &e).into_response(),
    }
}

/// `/form/track/recover`: the phone number.
#[derive(Debug, serde::Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    phone: String,
}

/// `/form/track/recover/code`: the code from the SMS.
#[derive(Debug, serde::Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `/form/track/recover/open`: a ticket of the session's list.
#[derive(Debug, serde::Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    ticket: String,
}

/// Step 1: asks for a code. Any well-formed number within the limits gets the same answer: the
/// pending-request cookie and the code page.
pub async fn request(
    Extension(state): Extension<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    Form(PhoneForm { phone }): Form<PhoneForm>,
) -> Response {
    let lang = lang_of(&headers);
    match recovery::request(&state, &ip, &phone, lang).await {
        Ok(id) => {
            let set = recover_cookies(&state, cookies::RECOVER_PENDING, &id, cookies::RECOVER_PENDING_MAX_AGE);
            with_cookies(Redirect::to(PAGE).into_response(), set)
        }
        Err(BackendError::Invalid(errors)) => {
            let values = vec![("phone".into(), phone.chars().take(40).collect())];
            back_with(&state, lang, &Flash { form: "phone".into(), errors, values, ..Flash::default() }, Vec::new())
                .await
        }
        // Answered at once, no flash row: a flood of refusals must not fill the flash table.
        Err(BackendError::RateLimited) => message_page(lang, StatusCode::TOO_MANY_REQUESTS, Msg::RecoverLimited),
        Err(e) => PageError::resident(lang, &e).into_response(),
    }
}

/// Step 2: the code. Right → the recovery session cookie; wrong → the field's message; expired,
/// replaced or dead → back to step 1 with the reason.
pub async fn code(
    Extension(state): Extension<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    Form(CodeForm { code }): Form<CodeForm>,
) -> Response {
    let lang = lang_of(&headers);
    let pending = cookie(&headers, cookies::RECOVER_PENDING);
    match recovery::verify(&state, &ip, &pending, &code).await {
        Ok(session) => {
            let mut set = recover_cookies(&state, cookies::RECOVER, &session, cookies::RECOVER_MAX_AGE);
            set.extend(recover_cookies(&state, cookies::RECOVER_PENDING, "", 0));
            with_cookies(Redirect::to(PAGE).into_response(), set)
        }
        // The typed code is not kept.
        Err(BackendError::Invalid(errors)) => {
            back_with(&state, lang, &Flash { form: "code".into(), errors, ..Flash::default() }, Vec::new()).await
        }
        Err(BackendError::Conflict(m)) => {
            let gone = recover_cookies(&state, cookies::RECOVER_PENDING, "", 0);
            back_with(&state, lang, &Flash { form: "phone".into(), problem: Some(m), ..Flash::default() }, gone).await
        }
        Err(e) => PageError::resident(lang, &e).into_response(),
    }
}

/// "Nothing came? Enter the number again": forgets the pending request in this browser.
pub async fn restart(Extension(state): Extension<AppState>) -> Response {
    with_cookies(Redirect::to(PAGE).into_response(), recover_cookies(&state, cookies::RECOVER_PENDING, "", 0))
}

/// Opens one appeal of the session's list on the track page: a track session for that ticket
/// (replacing this browser's previous one), as a ticket+key lookup would open.
pub async fn open(
    Extension(state): Extension<AppState>,
    headers: HeaderMap,
    Form(OpenForm { ticket }): Form<OpenForm>,
) -> Response {
    let lang = lang_of(&headers);
    let session = cookie(&headers, cookies::RECOVER);
    match recovery::open(&state, &session, &ticket).await {
        Ok(id) => {
            let old = cookie(&headers, cookies::TRACK);
            if let Err(e) = track::close(&state, &old).await {
                return PageError::resident(lang, &e).into_response();
            }
            let secure = state.auth.secure_cookies;
            let set = cookies::TRACK_PATHS
                .into_iter()
                .map(|path| cookies::set(cookies::TRACK, &id, path, cookies::TRACK_MAX_AGE, "Strict", secure))
                .chain([cookies::set(cookies::FLASH, "", "/track", 0, "Strict", secure)]);
            with_cookies(Redirect::to("/track").into_response(), set)
        }
        // A dead session, and a ticket that is not this number's (or anonymous, or unknown), get
        // the same answer: nothing tells them apart.
        Err(e) => PageError::resident(lang, &e).not_found(Msg::RecoverSessionEnded).into_response(),
    }
}

/// "Done, forget it on this phone": ends the recovery session and any track session opened from
/// it, with their cookies (`forms::forget_on_this_phone`).
pub async fn forget(Extension(state): Extension<AppState>, headers: HeaderMap) -> Response {
    match crate::forms::forget_on_this_phone(&state, &headers).await {
        Ok(set) => with_cookies(Redirect::to(PAGE).into_response(), set),
        Err(e) => PageError::resident(lang_of(&headers), &e).into_response(),
    }
}
