//! Plain HTML form posts of the appeal wizard. Each handler calls one service and answers with a
//! 303 redirect (post/redirect/get), so reloading or going back never re-posts, and the pages
//! work the same with JavaScript off.

use axum::extract::{Multipart, Path};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use backend::services::appeal::{self, StepOutcome, SubmitOutcome};
use backend::services::resident;
use backend::state::ClientIp;
use backend::{AppState, BackendError};
use domain::draft::Step;
use domain::{Lang, Msg};
use std::collections::HashMap;

pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("lang=").map(Lang::from_tag))
        .unwrap_or_default()
}

/// A minimal page for errors raised outside the Leptos pages.
pub fn message_page(lang: Lang, status: StatusCode, msg: Msg) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{}</title><link rel=\"stylesheet\" \
         href=\"/pkg/pingan.css\"></head><body><main id=\"main\"><h1>{}</h1><p role=\"alert\">{}</p>\
         <p><a href=\"/\">{}</a></p></main></body></html>",
        lang.tag(),
        Msg::SiteName.text(lang),
        Msg::SiteName.text(lang),
        msg.text(lang),
        Msg::Home.text(lang)
    );
    (status, Html(body)).into_response()
}

fn fail(lang: Lang, e: &BackendError) -> Response {
    match e {
        BackendError::NotFound => message_page(lang, StatusCode::NOT_FOUND, Msg::DraftExpired),
        BackendError::RateLimited => message_page(lang, StatusCode::TOO_MANY_REQUESTS, Msg::TrackRateLimited),
        BackendError::Forbidden => message_page(lang, StatusCode::FORBIDDEN, Msg::ErrForbidden),
        other => {
            tracing::error!(error = %other, "form handling failed");
            message_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Msg::GenericError)
        }
    }
}

fn step_url(token: &str, step: Step) -> String {
    format!("/appeal/{token}/{}", step.slug())
}

pub async fn save_step(
    Extension(state): Extension<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: axum::http::HeaderMap,
    Path((token, step)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(step) = Step::from_slug(&step) else {
        return message_page(lang, StatusCode::NOT_FOUND, Msg::NotFound);
    };
    let from_check = form.get("action").map(String::as_str) == Some("check");
    match appeal::save_step(&state, &ip, &token, step, &form).await {
        Ok(StepOutcome::Go(next)) => Redirect::to(&step_url(&token, next)).into_response(),
        Ok(StepOutcome::Stay(s)) => {
            let q = if from_check { "?from=check" } else { "" };
            Redirect::to(&format!("{}{q}", step_url(&token, s))).into_response()
        }
        Ok(StepOutcome::Submitted) => Redirect::to(&format!("/receipt/{token}")).into_response(),
        Err(e) => fail(lang, &e),
    }
}

pub async fn submit(
    Extension(state): Extension<AppState>,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let lang = lang_of(&headers);
    match appeal::submit(&state, &token, state.clock.now()).await {
        Ok(SubmitOutcome::Accepted { .. }) => Redirect::to(&format!("/receipt/{token}")).into_response(),
        Ok(SubmitOutcome::Incomplete(step)) => Redirect::to(&step_url(&token, step)).into_response(),
        Err(e) => fail(lang, &e),
    }
}

pub async fn add_photo(
    Extension(state): Extension<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
    mp: Multipart,
) -> Response {
    let lang = lang_of(&headers);
    if !appeal::valid_token(&token) {
        return message_page(lang, StatusCode::NOT_FOUND, Msg::DraftExpired);
    }
    // Room, gate and a capped read before any decoding (issue 9 §5); the permit is held until
    // the photo is stored.
    let result = match crate::uploads::receive(&state, &token, mp).await {
        Ok((_permit, bytes)) => appeal::add_photo(&state, &ip, &token, bytes).await,
        Err(crate::uploads::Refused::Busy(why)) => return crate::uploads::busy_page(lang, why),
        Err(crate::uploads::Refused::Err(e)) => Err(e),
    };
    let errors = match result {
        Ok(()) => Vec::new(),
        Err(BackendError::Invalid(errs)) => errs,
        Err(e) => return fail(lang, &e),
    };
    if let Err(e) = appeal::set_step_errors(&state, &token, Step::Photos, errors).await {
        return fail(lang, &e);
    }
    Redirect::to(&step_url(&token, Step::Photos)).into_response()
}

pub async fn remove_photo(
    Extension(state): Extension<AppState>,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let id = form.get("id").cloned().unwrap_or_default();
    match appeal::remove_photo(&state, &token, &id).await {
        Ok(()) => Redirect::to(&step_url(&token, Step::Photos)).into_response(),
        Err(e) => fail(lang_of(&headers), &e),
    }
}

pub async fn draft_photo(Extension(state): Extension<AppState>, Path((token, id)): Path<(String, String)>) -> Response {
    match appeal::draft_photo(&state, &token, &id).await {
        Ok(bytes) => (
            [(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, max-age=3600")],
            bytes,
        )
            .into_response(),
        Err(BackendError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "photo read failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A path on this site: starts with one `/`, and only visible ASCII (browsers drop tabs and
/// newlines, so `/\t/evil.example` would become `//evil.example`, another site).
fn local_path(b: &str) -> bool {
    let bytes = b.as_bytes();
    bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && bytes.iter().all(|c| c.is_ascii_graphic() && *c != b'\\')
}

/// `/lang/{tag}?back=/path`: remembers the language for a year and goes back.
pub async fn set_lang(Path(tag): Path<String>, axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>) -> Response {
    let lang = Lang::from_tag(&tag);
    let back = q.get("back").filter(|b| local_path(b));
    let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.tag());
    ([(header::SET_COOKIE, cookie)], Redirect::to(back.map_or("/", String::as_str))).into_response()
}

pub async fn healthz(Extension(state): Extension<AppState>) -> Response {
    match sqlx::query("SELECT 1").execute(&state.db.pool).await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Back to the track page for `ticket` and `key`, with a flash (errors and typed text, or thanks).
async fn back_to_track(state: &AppState, lang: Lang, ticket: &str, key: &str, flash: domain::staff::Flash) -> Response {
    let enc = |s: &str| app::components::urlencode(s);
    match resident::put_flash(state, &flash).await {
        Ok(id) => Redirect::to(&format!("/track?ticket={}&key={}&f={id}#{}", enc(ticket), enc(key), flash.form)).into_response(),
        Err(e) => fail(lang, &e),
    }
}

/// Sends a resident action's outcome back to the track page.
async fn resident_outcome(state: &AppState, lang: Lang, form_name: &str, form: &HashMap<String, String>, r: Result<Msg, BackendError>) -> Response {
    let ticket = form.get("ticket").cloned().unwrap_or_default();
    let key = form.get("key").cloned().unwrap_or_default();
    let kept = |f: &HashMap<String, String>| f.iter().filter(|(k, _)| !matches!(k.as_str(), "ticket" | "key")).map(|(k, v)| (k.clone(), v.clone())).collect();
    let flash = match r {
        Ok(notice) => domain::staff::Flash { form: form_name.into(), notice: Some(notice), ..Default::default() },
        Err(BackendError::Invalid(errors)) => domain::staff::Flash { form: form_name.into(), errors, values: kept(form), ..Default::default() },
        Err(BackendError::Conflict(m)) => domain::staff::Flash { form: form_name.into(), problem: Some(m), values: kept(form), ..Default::default() },
        // A wrong ticket or key gets the same answer as on the lookup form.
        Err(BackendError::NotFound) => return message_page(lang, StatusCode::NOT_FOUND, Msg::TrackNotFound),
        Err(e) => return fail(lang, &e),
    };
    back_to_track(state, lang, &ticket, &key, flash).await
}

/// The resident answers a request for information or adds something (`/form/track/info`).
pub async fn track_info(
    Extension(state): Extension<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&headers);
    let g = |k: &str| form.get(k).cloned().unwrap_or_default();
    let r = resident::add_information(&state, &ip, &g("ticket"), &g("key"), &g("body")).await.map(|()| Msg::InfoReceived);
    resident_outcome(&state, lang, "info", &form, r).await
}

/// The resident rates the answer (`/form/track/rate`).
pub async fn track_rate(
    Extension(state): Extension<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&headers);
    let g = |k: &str| form.get(k).cloned().unwrap_or_default();
    let r = resident::rate(&state, &ip, &g("ticket"), &g("key"), &g("rating"), &g("comment")).await.map(|()| Msg::RatingReceived);
    resident_outcome(&state, lang, "rate", &form, r).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn language_switch_only_goes_back_to_our_own_pages() {
        for ok in ["/", "/track?ticket=PA-1234-5678&key=AB", "/legal/search?q=%E5%B7%A5"] {
            assert!(super::local_path(ok), "{ok}");
        }
        for bad in ["//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example", "", "/a b", "/\n/evil", "/工资"] {
            assert!(!super::local_path(bad), "{bad:?}");
        }
    }
}
