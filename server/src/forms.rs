//! Plain HTML form posts of the appeal wizard and the track page. Each handler calls one service
//! and answers with a 303 redirect (post/redirect/get), so reloading or going back never
//! re-posts, and the pages work the same with JavaScript off.
//!
//! Drafts are bound to the browser that started them: `/form/appeal/new` issues the token and a
//! browser secret in a path-scoped HttpOnly cookie (`app::cookies`), and every other draft
//! route needs that cookie; without it the answer is the "expired" page and nothing is written.
//! The track page's key is posted once (`/form/track`) and never appears in a URL: a track
//! session cookie stands for it afterwards, and flashes travel in a cookie, not in the URL.

use app::cookies;
use axum::extract::{Multipart, Path};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use backend::services::appeal::{self, StepOutcome, SubmitOutcome};
use backend::services::resident::{self, FlashOwner};
use backend::services::track;
use backend::services::where_map;
use backend::state::ClientIp;
use backend::{AppState, BackendError};
use domain::draft::Step;
use domain::{Lang, Msg};
use std::collections::HashMap;

pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    app::cookies::lang(headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()))
}

pub use crate::error::message_page;
use crate::error::PageError;

fn step_url(token: &str, step: Step) -> String {
    format!("/appeal/{token}/{}", step.slug())
}

/// The well-formed value of cookie `name` in the request ("" if none: no secret matches it).
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> String {
    cookies::secret(headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()), name)
}

/// The draft's browser secret sent with this request.
fn draft_secret(headers: &HeaderMap) -> String {
    cookie(headers, cookies::DRAFT)
}

/// Adds `Set-Cookie` headers to a response.
pub(crate) fn with_cookies(mut res: Response, set: impl IntoIterator<Item = String>) -> Response {
    for c in set {
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// `/form/appeal/new`: the first step's post starts the draft. The server issues the token and
/// the browser secret, and the secret goes to this browser only, in a cookie for each path of
/// the draft (HttpOnly, SameSite=Lax so the wizard's links work, Secure on HTTPS).
pub async fn new_appeal(
    Extension(state): Extension<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&headers);
    match appeal::start(&state, &ip, &form).await {
        Ok(new) => {
            let next = match new.outcome {
                StepOutcome::Go(next) => next,
                StepOutcome::Stay(s) => s,
                StepOutcome::Submitted => Step::Category,
            };
            let secure = state.auth.secure_cookies;
            let set = cookies::draft_paths(&new.token)
                .map(|path| cookies::set(cookies::DRAFT, &new.secret, &path, cookies::DRAFT_MAX_AGE, "Lax", secure));
            with_cookies(Redirect::to(&step_url(&new.token, next)).into_response(), set)
        }
        Err(e) => PageError::resident(lang, &e).into_response(),
    }
}

pub async fn save_step(
    Extension(state): Extension<AppState>,
    headers: HeaderMap,
    Path((token, step)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(step) = Step::from_slug(&step) else {
        return message_page(lang, StatusCode::NOT_FOUND, Msg::NotFound);
    };
    let from_check = form.get("action").map(String::as_str) == Some("check");
    match appeal::save_step(&state, &token, &draft_secret(&headers), step, &form).await {
        Ok(StepOutcome::Go(next)) => Redirect::to(&step_url(&token, next)).into_response(),
        Ok(StepOutcome::Stay(s)) => {
            let mut q: Vec<String> = Vec::new();
            if from_check {
                q.push("from=check".to_owned());
            }
            // Zoomed or picked on the where-step map: back to that map (issue 14).
            let map = (s == Step::Where)
                .then(|| {
                    where_map::map_after(
                        &state,
                        form.get("zoom").map(String::as_str),
                        form.get("pick").map(String::as_str),
                    )
                })
                .flatten();
            if let Some(m) = &map {
                q.push(format!("map={}", app::components::urlencode(m)));
            }
            let q = if q.is_empty() { String::new() } else { format!("?{}", q.join("&")) };
            let at = if map.is_some() { "#map" } else { "" };
            Redirect::to(&format!("{}{q}{at}", step_url(&token, s))).into_response()
        }
        Ok(StepOutcome::Submitted) => Redirect::to(&format!("/receipt/{token}")).into_response(),
        Err(e) => PageError::resident(lang, &e).into_response(),
    }
}

/// `/form/appeal/{token}/forget`: "noted, stop showing it on this phone" on the receipt. The
/// server forgets the receipt's key (`appeal::forget_receipt`) and the browser its draft cookies,
/// so the receipt page in this phone's history opens nothing; then the track page, whose notice
/// points to the receipts kept on the device.
pub async fn forget_receipt(
    Extension(state): Extension<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    if let Err(e) = appeal::forget_receipt(&state, &token, &draft_secret(&headers)).await {
        return PageError::resident(lang_of(&headers), &e).into_response();
    }
    let secure = state.auth.secure_cookies;
    let set = cookies::draft_paths(&token).map(|path| cookies::set(cookies::DRAFT, "", &path, 0, "Lax", secure));
    with_cookies(Redirect::to("/track?done=1").into_response(), set)
}

/// `/form/appeal/{token}/submit`: the check step's form; `join` names the open appeal on the same
/// matter the resident chose to join (issue 13), empty or absent to send theirs on its own.
pub async fn submit(
    Extension(state): Extension<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let lang = lang_of(&headers);
    // The only field is the related appeal to join (a ticket: letters and digits, never escaped).
    // Read by hand rather than by `Form`, which refuses a post without a form content type: an
    // empty submit (no offer on the page, a client posting nothing) must still submit.
    let join = std::str::from_utf8(&body)
        .ok()
        .and_then(|b| b.split('&').find_map(|kv| kv.strip_prefix("join=")))
        .filter(|v| !v.is_empty());
    match appeal::submit_joining(&state, &token, &draft_secret(&headers), join, state.clock.now()).await {
        Ok(SubmitOutcome::Accepted { .. }) => Redirect::to(&format!("/receipt/{token}")).into_response(),
        Ok(SubmitOutcome::Incomplete(step)) => Redirect::to(&step_url(&token, step)).into_response(),
        Err(e) => PageError::resident(lang, &e).into_response(),
    }
}

/// `/form/appeal/{token}/photos/add`: "上传这张照片" stores the chosen photo and shows the step
/// again; "下一步" posts the same form with `?next=1` (issue 14), so a photo chosen but not yet
/// uploaded is stored under the same rules before going on, and a refused one keeps the resident
/// on the step with the reason. Photos stored before are never touched.
pub async fn add_photo(
    Extension(state): Extension<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
    mut mp: Multipart,
) -> Response {
    let lang = lang_of(&headers);
    let go_on = query.contains_key("next");
    let secret = draft_secret(&headers);
    if !appeal::valid_token(&token) || secret.is_empty() {
        crate::uploads::drain(&mut mp).await;
        return message_page(lang, StatusCode::NOT_FOUND, Msg::DraftExpired);
    }
    // The draft's own browser first: nobody else learns even whether it is full. Then room, gate
    // and a capped read before any decoding (issue 9 §5); the permit is held until the photo is
    // stored. An upload to a draft that is not this browser's is read away and thrown out first
    // (see `uploads::drain`): a stranger's upload must not become a reset at the proxy.
    if let Err(e) = appeal::check_binding(&state, &token, &secret).await {
        crate::uploads::drain(&mut mp).await;
        return PageError::resident(lang, &e).into_response();
    }
    // Then the client's budget of uploads, before anything is decoded; an empty "下一步" spends
    // it too (it cannot be told apart before reading).
    if !state.draft_photo_limiter.check(&ip).await {
        crate::uploads::drain(&mut mp).await;
        return message_page(lang, StatusCode::TOO_MANY_REQUESTS, Msg::ErrPhotoRateLimited);
    }
    let result = match crate::uploads::receive(&state, crate::uploads::Room::Draft(&token), &mut mp).await {
        // "下一步" with no file chosen: nothing to store, go on.
        Ok((_permit, bytes)) if go_on && bytes.is_empty() => Ok(()),
        Ok((_permit, bytes)) => appeal::add_photo(&state, &token, &secret, bytes).await,
        // Load shedding: the busy gate reads nothing (issue 9 §5); behind the proxy the rest is
        // read away outside (`middleware::read_away_uploads`).
        Err(crate::uploads::Refused::Busy(why)) => return crate::uploads::busy_page(lang, why),
        // A full draft refused before reading: "下一步" without a file must still go on, so the
        // (small) rest is read to learn whether a file came with it. (A photo refused while
        // being read, e.g. bigger than the room left, is below: never gone on from.)
        Err(crate::uploads::Refused::Room(e)) if go_on && crate::uploads::is_room_refusal(&e) => {
            if crate::uploads::drain_chosen(&mut mp).await {
                Err(e)
            } else {
                Ok(())
            }
        }
        // A full draft or an over-long photo: the rest is not read either (nothing more of it is
        // wanted, and reading it would only hold the connection; behind the proxy, see above).
        Err(crate::uploads::Refused::Room(e) | crate::uploads::Refused::Err(e)) => Err(e),
    };
    let errors = match result {
        Ok(()) => Vec::new(),
        Err(BackendError::Invalid(errs)) => errs,
        Err(e) => return PageError::resident(lang, &e).into_response(),
    };
    let next = if go_on && errors.is_empty() { Step::Photos.next() } else { Step::Photos };
    if let Err(e) = appeal::set_step_errors(&state, &token, &secret, Step::Photos, errors).await {
        return PageError::resident(lang, &e).into_response();
    }
    Redirect::to(&step_url(&token, next)).into_response()
}

pub async fn remove_photo(
    Extension(state): Extension<AppState>,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let id = form.get("id").cloned().unwrap_or_default();
    match appeal::remove_photo(&state, &token, &draft_secret(&headers), &id).await {
        Ok(()) => Redirect::to(&step_url(&token, Step::Photos)).into_response(),
        Err(e) => PageError::resident(lang_of(&headers), &e).into_response(),
    }
}

/// `?size=thumb` on a photo's address: its thumbnail, for lists (issue 14); the same access
/// rules as the photo itself.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PhotoSize {
    size: Option<String>,
}

impl PhotoSize {
    #[must_use]
    pub fn size(&self) -> backend::photos::Size {
        backend::photos::Size::from_query(self.size.as_deref())
    }
}

/// A draft photo (or its thumbnail), for the browser that started the draft only
/// (`Cache-Control: no-store` is added by the middleware, as on every draft response).
pub async fn draft_photo(
    Extension(state): Extension<AppState>,
    headers: HeaderMap,
    Path((token, id)): Path<(String, String)>,
    axum::extract::Query(size): axum::extract::Query<PhotoSize>,
) -> Response {
    match appeal::draft_photo(&state, &token, &draft_secret(&headers), &id, size.size()).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, "image/jpeg")], bytes).into_response(),
        Err(BackendError::NotFound) => message_page(lang_of(&headers), StatusCode::NOT_FOUND, Msg::DraftExpired),
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
pub async fn set_lang(
    Path(tag): Path<String>,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::from_tag(&tag);
    let back = q.get("back").filter(|b| local_path(b));
    let cookie = format!("{}={}; Path=/; Max-Age=31536000; SameSite=Lax", app::cookies::LANG, lang.tag());
    ([(header::SET_COOKIE, cookie)], Redirect::to(back.map_or("/", String::as_str))).into_response()
}

/// `/elder/{on|off}?back=/path`: elder mode (issue 14) on or off for a year, and back. A link,
/// so one tap works without JavaScript; it changes only how pages look (no CSRF concern).
pub async fn set_elder(
    Path(mode): Path<String>,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    let back = q.get("back").filter(|b| local_path(b));
    let cookie = match mode.as_str() {
        "on" => format!("{}=1; Path=/; Max-Age=31536000; SameSite=Lax", app::cookies::ELDER),
        _ => format!("{}=; Path=/; Max-Age=0; SameSite=Lax", app::cookies::ELDER),
    };
    ([(header::SET_COOKIE, cookie)], Redirect::to(back.map_or("/", String::as_str))).into_response()
}

/// `/form/legal/services`: the service directory's filter form, posted because the "use my
/// location" island puts the device's position in it. Answers with a redirect to the
/// directory's address with that position rounded (`domain::legal::directory_url`), so the
/// exact point never reaches an address bar, a browser history or a proxy's log. Changes
/// nothing, so it needs no CSRF token; the target is always the directory (no open redirect).
pub async fn legal_services(Form(f): Form<HashMap<String, String>>) -> Response {
    let get = |k: &str| f.get(k).map_or("", String::as_str);
    let url = domain::legal::directory_url(
        get("kind"),
        get("district"),
        get("street"),
        get("lat"),
        get("lng"),
        app::components::urlencode,
    );
    Redirect::to(&url).into_response()
}

pub async fn healthz(Extension(state): Extension<AppState>) -> Response {
    match state.db.ping().await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// A flash's id in its cookie (read once by the track page).
fn flash_cookie(state: &AppState, id: &str) -> String {
    cookies::set(cookies::FLASH, id, "/track", cookies::FLASH_MAX_AGE, "Strict", state.auth.secure_cookies)
}

/// `/form/track`: the lookup. A right ticket and key open a track session (cookie for `/track`
/// and `/form/track`); a wrong or malformed pair comes back as a flash with the typed ticket,
/// never the key. Either way a 303 to `/track`, which carries no code.
pub async fn track_lookup(
    Extension(state): Extension<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    Form(TrackLookupForm { ticket, key }): Form<TrackLookupForm>,
) -> Response {
    let lang = lang_of(&headers);
    let secure = state.auth.secure_cookies;
    let problem = match track::open(&state, &ip, &ticket, &key).await {
        Ok(id) => {
            // The session replaces any other of this browser; a stale flash goes with it.
            let old = cookie(&headers, cookies::TRACK);
            if !old.is_empty() {
                if let Err(e) = track::close(&state, &old).await {
                    return PageError::resident(lang, &e).into_response();
                }
            }
            let set = cookies::TRACK_PATHS
                .into_iter()
                .map(|path| cookies::set(cookies::TRACK, &id, path, cookies::TRACK_MAX_AGE, "Strict", secure))
                .chain([cookies::set(cookies::FLASH, "", "/track", 0, "Strict", secure)]);
            return with_cookies(Redirect::to("/track").into_response(), set);
        }
        Err(BackendError::Invalid(errors)) => {
            domain::staff::Flash { form: "lookup".into(), errors, ..Default::default() }
        }
        Err(BackendError::NotFound) => {
            domain::staff::Flash { form: "lookup".into(), problem: Some(Msg::TrackNotFound), ..Default::default() }
        }
        // Answered at once: a flood of refused lookups must not fill the flash table.
        Err(e) => return PageError::resident(lang, &e).into_response(),
    };
    let flash = domain::staff::Flash { values: vec![("ticket".into(), ticket.chars().take(40).collect())], ..problem };
    match resident::put_flash(&state, FlashOwner::Lookup, &flash).await {
        Ok(id) => with_cookies(Redirect::to("/track").into_response(), [flash_cookie(&state, &id)]),
        Err(e) => PageError::resident(lang, &e).into_response(),
    }
}

/// `/form/track/forget`: "done, forget it on this phone" ends the session and its cookies.
pub async fn track_forget(Extension(state): Extension<AppState>, headers: HeaderMap) -> Response {
    match forget_on_this_phone(&state, &headers).await {
        Ok(set) => with_cookies(Redirect::to("/track?done=1").into_response(), set),
        Err(e) => PageError::resident(lang_of(&headers), &e).into_response(),
    }
}

/// "Done, forget it on this phone", from the track page or the recovery page: ends every
/// resident session this browser holds, so the next person on a shared phone finds neither the
/// appeal nor the list of a number's appeals. Closes the track session and the recovery session
/// it was opened from (both cookies reach both forget posts: `cookies::TRACK_PATHS` and
/// `cookies::RECOVER_PATHS`), and deletes those cookies, the pending recovery request's and
/// both pages' flashes. The `Set-Cookie` values to send.
pub(crate) async fn forget_on_this_phone(state: &AppState, headers: &HeaderMap) -> Result<Vec<String>, BackendError> {
    track::close(state, &cookie(headers, cookies::TRACK)).await?;
    backend::services::recovery::close(state, &cookie(headers, cookies::RECOVER)).await?;
    let secure = state.auth.secure_cookies;
    let mut set: Vec<String> = cookies::TRACK_PATHS
        .into_iter()
        .map(|path| cookies::set(cookies::TRACK, "", path, 0, "Strict", secure))
        .collect();
    for name in [cookies::RECOVER, cookies::RECOVER_PENDING] {
        set.extend(cookies::RECOVER_PATHS.into_iter().map(|path| cookies::set(name, "", path, 0, "Strict", secure)));
    }
    set.push(cookies::set(cookies::FLASH, "", "/track", 0, "Strict", secure));
    set.push(cookies::set(cookies::RECOVER_FLASH, "", "/track/recover", 0, "Strict", secure));
    Ok(set)
}

/// Sends a resident action's outcome back to the track page: a flash (errors and typed text, or
/// thanks) for this session only, its id in a cookie. Nothing is stored for a post that did not
/// prove the ticket (no session, expired, rate limited).
async fn resident_outcome(
    state: &AppState,
    lang: Lang,
    session: &str,
    form_name: &str,
    kept: Vec<(String, String)>,
    r: Result<Msg, BackendError>,
) -> Response {
    let flash = match crate::error::flash_of(form_name, r, Some, || kept) {
        Ok(f) => f,
        Err(e) => return PageError::resident(lang, &e).not_found(Msg::TrackSessionEnded).into_response(),
    };
    match resident::put_flash(state, FlashOwner::Session(session), &flash).await {
        Ok(id) => {
            with_cookies(Redirect::to(&format!("/track#{form_name}")).into_response(), [flash_cookie(state, &id)])
        }
        Err(e) => PageError::resident(lang, &e).into_response(),
    }
}

/// `/form/track`: a ticket and its key. Missing fields are empty (and refused as such).
#[derive(Debug, serde::Deserialize)]
pub struct TrackLookupForm {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    key: String,
}

/// `/form/track/info`: the resident's words.
#[derive(Debug, serde::Deserialize)]
pub struct TrackInfoForm {
    #[serde(default)]
    body: String,
}

/// `/form/track/rate`: satisfied / basically / unsatisfied, and an optional comment.
#[derive(Debug, serde::Deserialize)]
pub struct TrackRateForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// The resident answers a request for information or adds something (`/form/track/info`).
pub async fn track_info(
    Extension(state): Extension<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    Form(form): Form<TrackInfoForm>,
) -> Response {
    let lang = lang_of(&headers);
    let session = cookie(&headers, cookies::TRACK);
    let r = resident::add_information_in_session(&state, &ip, &session, &form.body).await.map(|()| Msg::InfoReceived);
    resident_outcome(&state, lang, &session, "info", vec![("body".into(), form.body)], r).await
}

/// The resident rates the answer (`/form/track/rate`).
pub async fn track_rate(
    Extension(state): Extension<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    Form(form): Form<TrackRateForm>,
) -> Response {
    let lang = lang_of(&headers);
    let session = cookie(&headers, cookies::TRACK);
    let r = resident::rate_in_session(&state, &ip, &session, &form.rating, &form.comment)
        .await
        .map(|()| Msg::RatingReceived);
    let kept = vec![("rating".into(), form.rating), ("comment".into(), form.comment)];
    resident_outcome(&state, lang, &session, "rate", kept, r).await
}

/// `/form/track/photo`: the resident adds a photo to their appeal after submitting (issue 13),
/// under the wizard's rules. Session, rate limit, an open appeal and the appeal's room are checked
/// before anything of the body is read (a refused upload is read away first, as on the photos
/// step); then the upload gate, the capped read and the re-encoding.
pub async fn track_photo(
    Extension(state): Extension<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    mut mp: Multipart,
) -> Response {
    let lang = lang_of(&headers);
    let session = cookie(&headers, cookies::TRACK);
    let ticket = match resident::photo_ticket_in_session(&state, &ip, &session).await {
        Ok(t) => t,
        Err(e) => {
            crate::uploads::drain(&mut mp).await;
            return resident_outcome(&state, lang, &session, "photo", Vec::new(), Err(e)).await;
        }
    };
    let r = match crate::uploads::receive(&state, crate::uploads::Room::Appeal(&ticket), &mut mp).await {
        Ok((_permit, bytes)) if bytes.is_empty() => {
            Err(BackendError::invalid(domain::FieldError::new(domain::FieldName::Photo, Msg::ErrPhotoMissing)))
        }
        Ok((_permit, bytes)) => resident::add_photo_to(&state, &ticket, bytes).await,
        Err(crate::uploads::Refused::Busy(why)) => return crate::uploads::busy_page(lang, why),
        Err(crate::uploads::Refused::Room(e) | crate::uploads::Refused::Err(e)) => Err(e),
    };
    resident_outcome(&state, lang, &session, "photo", Vec::new(), r.map(|()| Msg::PhotoReceived)).await
}

/// `/track/photo/{id}`: one photo of the track session's appeal, for that session only
/// (`Cache-Control: no-store` from the middleware, as on every track response).
pub async fn track_photo_file(
    Extension(state): Extension<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::extract::Query(size): axum::extract::Query<PhotoSize>,
) -> Response {
    let session = cookie(&headers, cookies::TRACK);
    match resident::photo_in_session(&state, &session, &id, size.size()).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, "image/jpeg")], bytes).into_response(),
        Err(BackendError::NotFound) => message_page(lang_of(&headers), StatusCode::NOT_FOUND, Msg::TrackSessionEnded),
        Err(e) => {
            tracing::error!(error = %e, "track photo read failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn language_switch_only_goes_back_to_our_own_pages() {
        for ok in ["/", "/track?done=1", "/legal/search?q=%E5%B7%A5"] {
            assert!(super::local_path(ok), "{ok}");
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "https://evil.example",
            "",
            "/a b",
            "/\n/evil",
            "/工资",
        ] {
            assert!(!super::local_path(bad), "{bad:?}");
        }
    }
}
