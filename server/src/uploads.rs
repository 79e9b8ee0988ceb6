//! Receiving a photo upload without letting hostile load take the portal down (issue 9 §5): a
//! full draft is refused before its body is read, then the upload waits for a place at the gate
//! (bounded queue, bounded wait, else 503 with `Retry-After`), and only then is the photo field
//! read, into a buffer with a hard cap and under a time-out. Decoding limits are in
//! `backend::photos`.
//!
//! Also the photo step's script, `/photo-upload.js` (issue 14, `uploads/photo-upload.js`): with
//! JavaScript a chosen photo is scaled down on the device and sent at once to the same route,
//! with its progress shown. Plain JavaScript (the WASM bundle's budget is spent), referenced
//! by the photo step only; the route's checks are the same whatever sends the photo.

use crate::forms::message_page;
use axum::extract::Multipart;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use backend::photos::{self, Busy, UploadPermit};
use backend::{AppState, BackendError};
use domain::{FieldError, FieldName, Lang, Msg};
use std::time::Duration;

const PAGE_SCRIPT: &str = include_str!("uploads/photo-upload.js");

/// `GET /photo-upload.js` (`Cache-Control: no-cache`, like `/offline.js`: a changed script
/// applies at the next visit).
pub async fn page_script() -> Response {
    crate::offline::javascript(PAGE_SCRIPT.to_owned())
}

/// Longest time one upload's body may take to arrive once it has its place (10 MB at about
/// 0.7 Mbit/s); a slower sender gives the place back.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(120);

/// Why an upload got no further than the door.
pub enum Refused {
    /// The gate is full: answer with [`busy_page`].
    Busy(Busy),
    /// The room check before any of the body was read: no room left, or a service error.
    Room(BackendError),
    /// A problem found while reading (or a service error).
    Err(BackendError),
}

/// Where an upload goes: a draft's photos step, or an appeal already submitted (issue 13, the
/// track page). Each has its own room.
#[derive(Clone, Copy)]
pub enum Room<'a> {
    Draft(&'a str),
    Appeal(&'a str),
}

impl Room<'_> {
    /// The read cap, or the refusal when there is no room.
    async fn cap(self, state: &AppState) -> backend::Result<usize> {
        match self {
            Room::Draft(token) => photos::check_room(&state.db.pool, token, 0).await,
            Room::Appeal(ticket) => photos::check_appeal_room(&state.db.pool, ticket, 0).await,
        }
    }

    /// The message when an upload passes the cap: too big for one photo, or for what is left.
    fn over(self, cap: usize) -> Msg {
        match self {
            _ if cap >= photos::MAX_UPLOAD_BYTES => Msg::ErrPhotoTooBig,
            Room::Draft(_) => Msg::ErrPhotoDraftFull,
            Room::Appeal(_) => Msg::ErrAppealPhotosBytes,
        }
    }
}

/// Room check, gate, capped read. The permit must be kept until the photo has been stored.
///
/// # Errors
/// [`Refused`].
pub async fn receive(state: &AppState, room: Room<'_>, mp: &mut Multipart) -> Result<(UploadPermit, Vec<u8>), Refused> {
    // Before waiting or reading anything: is there room at all?
    room.cap(state).await.map_err(Refused::Room)?;
    let permit = state.uploads.enter().await.map_err(Refused::Busy)?;
    // The place may have taken a while: the room is checked again with what is stored now.
    let cap = room.cap(state).await.map_err(Refused::Room)?;
    let bytes = match tokio::time::timeout(BODY_READ_TIMEOUT, read_photo(mp, cap, room.over(cap))).await {
        Ok(r) => r,
        Err(_) => Err(FieldError::new(FieldName::Photo, Msg::ErrPhotoSlow)),
    };
    bytes.map(|b| (permit, b)).map_err(|e| Refused::Err(BackendError::invalid(e)))
}

/// How long a refused upload's body is read (and thrown away) before the answer goes out.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(15);

/// Reads what is left of a refused upload and throws it away (nothing is kept: memory stays flat),
/// for at most [`DRAIN_TIMEOUT`]; the route's body limit bounds the bytes. Answering with the body
/// unread makes the server close the connection with data still in flight: the client (or a
/// reverse proxy, which then answers 502 and may mark the node as down) sees a reset instead of
/// our page.
pub async fn drain(mp: &mut Multipart) {
    let read_all = async {
        while let Ok(Some(mut field)) = mp.next_field().await {
            while let Ok(Some(_)) = field.chunk().await {}
        }
    };
    if tokio::time::timeout(DRAIN_TIMEOUT, read_all).await.is_err() {
        tracing::warn!("refused upload still sending after the drain time; closing");
    }
}

/// Whether `e` (from [`Refused::Room`]) says the draft has no room (its 3 photos or its 16 MB)
/// rather than a service error.
#[must_use]
pub fn is_room_refusal(e: &BackendError) -> bool {
    matches!(e, BackendError::Invalid(errs)
        if errs.iter().any(|f| matches!(f.msg, Msg::ErrPhotoTooMany | Msg::ErrPhotoDraftFull)))
}

/// Like [`drain`], and tells whether a photo came with the form (a `photo` field with a file
/// name or any bytes): "下一步" with nothing chosen may go on even when the draft is full.
pub async fn drain_chosen(mp: &mut Multipart) -> bool {
    let mut chosen = false;
    let read_all = async {
        while let Ok(Some(mut field)) = mp.next_field().await {
            let photo = field.name() == Some("photo");
            chosen |= photo && field.file_name().is_some_and(|n| !n.is_empty());
            while let Ok(Some(chunk)) = field.chunk().await {
                chosen |= photo && !chunk.is_empty();
            }
        }
    };
    if tokio::time::timeout(DRAIN_TIMEOUT, read_all).await.is_err() {
        tracing::warn!("refused upload still sending after the drain time; closing");
        return true;
    }
    chosen
}

/// Reads the `photo` field, refusing it as soon as it passes `cap` bytes (the router's body
/// limit is the outer bound, also for any other fields).
async fn read_photo(mp: &mut Multipart, cap: usize, over: Msg) -> Result<Vec<u8>, FieldError> {
    let too_big = FieldError::new(FieldName::Photo, Msg::ErrPhotoTooBig);
    loop {
        match mp.next_field().await {
            Ok(Some(mut field)) if field.name() == Some("photo") => {
                let mut buf = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if buf.len() + chunk.len() > cap {
                                return Err(FieldError::new(FieldName::Photo, over));
                            }
                            buf.extend_from_slice(&chunk);
                        }
                        Ok(None) => return Ok(buf),
                        Err(_) => return Err(too_big),
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => return Ok(Vec::new()),
            Err(_) => return Err(too_big),
        }
    }
}

/// 503 with a page in the resident's language and `Retry-After`; nothing of the body was read
/// (behind the proxy the rest is read away by `middleware::read_away_uploads`).
#[must_use]
pub fn busy_page(lang: Lang, why: Busy) -> Response {
    tracing::warn!(?why, "photo upload refused: the upload gate is full");
    let mut res = message_page(lang, StatusCode::SERVICE_UNAVAILABLE, Msg::ErrUploadBusy);
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    res
}
