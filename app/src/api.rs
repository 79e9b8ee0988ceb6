//! Thin server functions: take the state from context, call one service, map the error.
//! Pages call them during server rendering; they are also reachable over HTTP, where the ones
//! that open a draft, a receipt or a tracked appeal find nothing: they need a cookie scoped to
//! the page's own path (see `cookies.rs`), which a request to `/api/…` never carries.

use domain::views::{DraftView, ReceiptView, TrackView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the track page can show.
#[expect(clippy::large_enum_variant, reason = "built once per page; boxing buys nothing")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TrackResult {
    /// The appeal of this browser's track session, and the flash of the post that led here.
    Found(TrackView, Option<domain::staff::Flash>),
    /// No live session: the lookup form, with the flash of a failed lookup (if any).
    Form(Option<domain::staff::Flash>),
}

// The one error path of the server functions (resident, legal and staff pages alike): the state
// from context, a backend error logged once and answered as "internal error" (nothing of it
// reaches the browser), and "not found" as `None` where a page shows its own message for it.

/// The application state the server put into the request's context.
#[cfg(feature = "ssr")]
pub(crate) fn state() -> Result<backend::AppState, ServerFnError> {
    use_context::<backend::AppState>().ok_or_else(|| ServerFnError::new("state missing"))
}

/// A backend error as a server function's error.
#[cfg(feature = "ssr")]
pub(crate) fn internal(e: &backend::BackendError) -> ServerFnError {
    tracing::error!(error = %e, "page data failed");
    ServerFnError::new("internal error")
}

/// `None` where the service says "not found".
#[cfg(feature = "ssr")]
pub(crate) fn found<T>(r: backend::Result<T>) -> Result<Option<T>, ServerFnError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(backend::BackendError::NotFound) => Ok(None),
        Err(e) => Err(internal(&e)),
    }
}

/// The well-formed value of cookie `name` in this request, or "".
#[cfg(feature = "ssr")]
fn cookie(name: &str) -> String {
    use_context::<http::request::Parts>()
        .map(|p| {
            crate::cookies::secret(p.headers.get_all(http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()), name)
        })
        .unwrap_or_default()
}

/// The first step of a new appeal: the catalog only; nothing is stored, no token issued.
#[server]
pub async fn blank_draft() -> Result<DraftView, ServerFnError> {
    Ok(backend::services::appeal::blank_view(&state()?))
}

/// The draft, if this request carries the cookie of the browser that started it; `None`
/// otherwise (unknown token, other browser, or a call over HTTP, which never receives the
/// path-scoped cookie).
#[server]
pub async fn get_draft(token: String) -> Result<Option<DraftView>, ServerFnError> {
    found(backend::services::appeal::draft_view(&state()?, &token, &cookie(crate::cookies::DRAFT)).await)
}

/// The map of the wizard's "where" step at region `map` (issue 14): public region shapes only,
/// nothing of any draft.
#[server]
pub async fn where_map(map: String) -> Result<domain::views::WhereMap, ServerFnError> {
    Ok(backend::services::where_map::where_map(&state()?, &map))
}

/// The receipt, under the same condition as [`get_draft`].
#[server]
pub async fn get_receipt(token: String) -> Result<Option<ReceiptView>, ServerFnError> {
    found(backend::services::appeal::receipt(&state()?, &token, &cookie(crate::cookies::DRAFT)).await)
}

/// The appeal of this browser's track session (cookie), with its flash (cookie, read once).
#[server]
pub async fn track_current() -> Result<TrackResult, ServerFnError> {
    use backend::services::resident::{take_flash, FlashOwner};
    let state = state()?;
    let session = cookie(crate::cookies::TRACK);
    let flash_id = cookie(crate::cookies::FLASH);
    if !flash_id.is_empty() {
        // Read once: the cookie goes with the row.
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            let gone = crate::cookies::set(crate::cookies::FLASH, "", "/track", 0, "Strict", state.auth.secure_cookies);
            if let Ok(v) = http::HeaderValue::from_str(&gone) {
                resp.append_header(http::header::SET_COOKIE, v);
            }
        }
    }
    async fn take(
        state: &backend::AppState,
        owner: FlashOwner<'_>,
        id: &str,
    ) -> Result<Option<domain::staff::Flash>, ServerFnError> {
        if id.is_empty() {
            return Ok(None);
        }
        take_flash(state, owner, id).await.map_err(|e| internal(&e))
    }
    if session.is_empty() {
        return Ok(TrackResult::Form(take(&state, FlashOwner::Lookup, &flash_id).await?));
    }
    match backend::services::track::track_session(&state, &session).await {
        Ok(v) => Ok(TrackResult::Found(v, take(&state, FlashOwner::Session(&session), &flash_id).await?)),
        Err(backend::BackendError::NotFound) => {
            Ok(TrackResult::Form(take(&state, FlashOwner::Lookup, &flash_id).await?))
        }
        Err(e) => Err(internal(&e)),
    }
}

/// What the receipt recovery page (`/track/recover`, issue 14) shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RecoverResult {
    /// Step 1: the phone number form (and the flash of a refused request).
    Phone(Option<domain::staff::Flash>),
    /// Step 2: this browser asked for a code; the code form.
    Code(Option<domain::staff::Flash>),
    /// A live recovery session: the number's named appeals.
    List(Vec<domain::views::RecoveredAppeal>, Option<domain::staff::Flash>),
}

/// The recovery page's state, from this browser's cookies (path-scoped to the page, so a call
/// over `/api/…` never has them and gets step 1). The flash is read once.
#[server]
pub async fn recover_current() -> Result<RecoverResult, ServerFnError> {
    use crate::cookies::{RECOVER, RECOVER_FLASH, RECOVER_PENDING};
    use backend::services::resident::{take_flash, FlashOwner};
    let state = state()?;
    let flash_id = cookie(RECOVER_FLASH);
    let flash = if flash_id.is_empty() {
        None
    } else {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            let gone = crate::cookies::set(RECOVER_FLASH, "", "/track/recover", 0, "Strict", state.auth.secure_cookies);
            if let Ok(v) = http::HeaderValue::from_str(&gone) {
                resp.append_header(http::header::SET_COOKIE, v);
            }
        }
        take_flash(&state, FlashOwner::Lookup, &flash_id).await.map_err(|e| internal(&e))?
    };
    let session = cookie(RECOVER);
    if !session.is_empty() {
        match backend::services::recovery::appeals(&state, &session).await {
            Ok(list) => return Ok(RecoverResult::List(list, flash)),
            Err(backend::BackendError::NotFound) => {}
            Err(e) => return Err(internal(&e)),
        }
    }
    if cookie(RECOVER_PENDING).is_empty() {
        Ok(RecoverResult::Phone(flash))
    } else {
        Ok(RecoverResult::Code(flash))
    }
}
