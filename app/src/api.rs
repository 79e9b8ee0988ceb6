//! Thin server functions: take the state from context, call one service, map the error.
//! Pages call them during server rendering; they are also reachable over HTTP.

use domain::views::{DraftView, ReceiptView, TrackView};
use domain::FieldError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the track page can show.
#[expect(clippy::large_enum_variant, reason = "built once per page; boxing buys nothing")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TrackResult {
    /// The appeal, and the flash of the post that led here (if any).
    Found(TrackView, Option<domain::staff::Flash>),
    Invalid(Vec<FieldError>),
    /// Wrong ticket or key (deliberately not saying which).
    NotFound,
    RateLimited,
}

#[cfg(feature = "ssr")]
fn state() -> Result<backend::AppState, ServerFnError> {
    use_context::<backend::AppState>().ok_or_else(|| ServerFnError::new("state missing"))
}

#[cfg(feature = "ssr")]
fn internal(e: &backend::BackendError) -> ServerFnError {
    tracing::error!(error = %e, "page data failed");
    ServerFnError::new("internal error")
}

/// The client address put in the request by the server's middleware.
#[cfg(feature = "ssr")]
fn client() -> String {
    use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<backend::state::ClientIp>().map(|c| c.0.clone()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// `None` for a malformed token.
#[server]
pub async fn get_draft(token: String) -> Result<Option<DraftView>, ServerFnError> {
    match backend::services::appeal::draft_view(&state()?, &token).await {
        Ok(v) => Ok(Some(v)),
        Err(backend::BackendError::NotFound) => Ok(None),
        Err(e) => Err(internal(&e)),
    }
}

#[server]
pub async fn get_receipt(token: String) -> Result<Option<ReceiptView>, ServerFnError> {
    match backend::services::appeal::receipt(&state()?, &token).await {
        Ok(v) => Ok(Some(v)),
        Err(backend::BackendError::NotFound) => Ok(None),
        Err(e) => Err(internal(&e)),
    }
}

#[server]
pub async fn track_appeal(ticket: String, key: String, flash: String) -> Result<TrackResult, ServerFnError> {
    use backend::BackendError as E;
    let state = state()?;
    match backend::services::track::track(&state, &client(), &ticket, &key).await {
        Ok(v) => {
            let f = if flash.is_empty() { None } else { backend::services::resident::take_flash(&state, &flash).await.map_err(|e| internal(&e))? };
            Ok(TrackResult::Found(v, f))
        }
        Err(E::Invalid(errs)) => Ok(TrackResult::Invalid(errs)),
        Err(E::NotFound) => Ok(TrackResult::NotFound),
        Err(E::RateLimited) => Ok(TrackResult::RateLimited),
        Err(e) => Err(internal(&e)),
    }
}

#[server]
pub async fn new_draft_token() -> Result<String, ServerFnError> {
    Ok(backend::services::appeal::new_token())
}
