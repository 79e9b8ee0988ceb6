//! Looking up an appeal with its ticket number and access key.
//!
//! A wrong ticket and a wrong key give the same answer ([`BackendError::NotFound`]) after the
//! same work, so the page cannot be used to learn which tickets exist; every lookup counts
//! against the client's rate limit.
//!
//! The key is posted once (`/form/track`), never put in a URL: a correct pair opens a track
//! session, a random id in an HttpOnly cookie whose SHA-256 the database keeps with the ticket,
//! and the track page and the resident's forms read the appeal through it. A server-side record
//! rather than the credentials in the cookie, so the key is not stored in the browser, a session
//! can be ended for real ("forget on this phone") and expires on the server's clock.

use super::appeal::{hash_key, local_time, unit_view};
use crate::state::AppState;
use crate::store::appeals;
use crate::{BackendError, Result};
use domain::events::{EventDetail, EventKind};
use domain::receipt::{AccessKey, Ticket};
use domain::views::{EventView, TrackView};
use domain::workflow::Status;
use domain::FieldError;

/// Checks both fields' formats, all errors at once.
///
/// # Errors
/// Per-field format errors.
pub fn parse_credentials(ticket: &str, key: &str) -> std::result::Result<(Ticket, AccessKey), Vec<FieldError>> {
    match (Ticket::parse(ticket), AccessKey::parse(key)) {
        (Ok(t), Ok(k)) => Ok((t, k)),
        (t, k) => Err([t.err(), k.err()].into_iter().flatten().collect()),
    }
}

/// Checks a ticket and key: format first, then the key against the stored digest in constant
/// time, with the same work for an unknown ticket.
///
/// # Errors
/// [`BackendError::Invalid`] for malformed input; [`BackendError::NotFound`] for any wrong pair.
pub async fn verify_credentials(state: &AppState, ticket: &str, key: &str) -> Result<appeals::AppealRow> {
    let (ticket, key) = parse_credentials(ticket, key).map_err(BackendError::Invalid)?;
    let given = hash_key(&key);
    let row = appeals::by_ticket(&state.db.pool, ticket.as_str()).await?;
    // Compare against a dummy digest when the ticket is unknown, so both paths do the same work.
    let stored = row.as_ref().map_or_else(|| crate::crypto::sha256_hex("no such ticket"), |r| r.key_hash.clone());
    let matches = crate::crypto::same_token(&given, &stored);
    row.filter(|_| matches).ok_or(BackendError::NotFound)
}

/// Public detail of an event, rendered on the server: names of summoned units, a new deadline.
fn event_extra(cat: &crate::catalog::Catalog, kind: EventKind, detail: Option<EventDetail>) -> Option<String> {
    let d = detail?;
    match kind {
        EventKind::Summoned => Some(d.units?.iter().map(|u| unit_view(cat, u).name).collect::<Vec<_>>().join("、")),
        EventKind::ExtensionApproved => Some(local_time(d.new?)),
        EventKind::Rated => d.rating,
        // Which kind of notice; its reason stays between staff.
        EventKind::NoticeIssued => d.notice,
        _ => None,
    }
}

/// How long a track session lasts: long enough to read and answer, short on a shared phone.
pub const SESSION_MINUTES: i64 = 60;

/// SHA-256 (hex) of a track session id, as stored.
#[must_use]
pub fn hash_session(id: &str) -> String {
    crate::crypto::sha256_hex(id)
}

/// Checks a ticket and key (rate limited like a lookup) and opens a track session for it;
/// returns the session id for the cookie (128 random bits; only its hash is stored).
///
/// # Errors
/// [`BackendError::RateLimited`], [`BackendError::Invalid`] for malformed input,
/// [`BackendError::NotFound`] for any wrong pair; database errors.
pub async fn open(state: &AppState, client: &str, ticket: &str, key: &str) -> Result<String> {
    if !state.track_limiter.check(client).await {
        return Err(BackendError::RateLimited);
    }
    let row = verify_credentials(state, ticket, key).await?;
    let id = crate::crypto::random_hex();
    let now = state.clock.ts();
    crate::store::resident::open_session(
        &state.db.pool,
        &hash_session(&id),
        &row.ticket,
        now,
        now + SESSION_MINUTES * 60,
    )
    .await?;
    Ok(id)
}

/// The ticket (stored form) a live session opens.
///
/// # Errors
/// [`BackendError::NotFound`] for a malformed, unknown or expired id; database errors.
pub async fn session_ticket(state: &AppState, id: &str) -> Result<String> {
    if !super::appeal::valid_token(id) {
        return Err(BackendError::NotFound);
    }
    crate::store::resident::session_ticket(&state.db.pool, &hash_session(id), state.clock.ts())
        .await?
        .ok_or(BackendError::NotFound)
}

/// Ends a session ("forget on this phone"); an unknown id is already forgotten.
///
/// # Errors
/// Database errors.
pub async fn close(state: &AppState, id: &str) -> Result<()> {
    if !super::appeal::valid_token(id) {
        return Ok(());
    }
    crate::store::resident::close_session(&state.db.pool, &hash_session(id)).await
}

/// The appeal a track session opens.
///
/// # Errors
/// [`BackendError::NotFound`] for a malformed, unknown or expired session; database errors.
pub async fn track_session(state: &AppState, id: &str) -> Result<TrackView> {
    let ticket = session_ticket(state, id).await?;
    let row = appeals::by_ticket(&state.db.pool, &ticket).await?.ok_or(BackendError::NotFound)?;
    view(state, row).await
}

/// Looks up with ticket and key directly (no session): the services' tests and the rules'
/// single entry point for "what does the resident see".
///
/// # Errors
/// [`BackendError::RateLimited`] when the client asked too often; [`BackendError::Invalid`] for
/// malformed input; [`BackendError::NotFound`] for any wrong ticket/key pair.
pub async fn track(state: &AppState, client: &str, ticket: &str, key: &str) -> Result<TrackView> {
    if !state.track_limiter.check(client).await {
        return Err(BackendError::RateLimited);
    }
    let row = verify_credentials(state, ticket, key).await?;
    view(state, row).await
}

async fn view(state: &AppState, row: appeals::AppealRow) -> Result<TrackView> {
    let ticket = Ticket::parse(&row.ticket).map_err(|_| BackendError::Internal("stored ticket malformed".into()))?;
    let cat = state.catalog.get();
    let stored = appeals::public_events(&state.db.pool, &row.ticket).await?;
    // A resident who joined an appeal by themselves never reads what staff wrote to its first
    // resident (`related::followed`), including a resolution copied onto their own appeal when
    // it closed with the main one before that rule.
    let joined = stored.iter().any(|e| e.kind == EventKind::Joined);
    let events = stored
        .into_iter()
        .map(|e| {
            let mut v = event_view(&cat, e);
            if joined && v.kind == EventKind::ClosedWithMain {
                v.body = None;
            }
            v
        })
        .collect();
    let full = appeals::full(&state.db.pool, &row.ticket).await?.ok_or(BackendError::NotFound)?;
    let followed = crate::services::related::followed(state, &cat, &full, event_view).await?;
    let now = state.clock.ts();
    let rated = crate::store::supervision::ratings(&state.db.pool, &row.ticket)
        .await?
        .into_iter()
        .any(|r| r.cycle == full.cycle);
    let in_window = full.closed_at.is_some_and(|c| now - c <= state.supervision.rating_window.whole_seconds());
    Ok(TrackView {
        ticket: ticket.display(),
        status: row.status,
        category_code: row.category.clone(),
        category_name: cat
            .category(&row.category)
            .map_or_else(|| (row.category.clone(), row.category.clone()), |c| (c.name.clone(), c.name_en.clone())),
        unit: unit_view(&cat, &row.unit),
        submitted_at: local_time(row.submitted_at),
        deadline: local_time(full.deadline_at),
        overdue: full.status.is_open() && now > full.deadline_at,
        supervised: full.supervised != 0,
        can_rate: full.status == Status::Closed && !rated && in_window,
        events,
        region: full.region.clone().or_else(|| full.cell.clone()),
        photos: appeals::photo_ids(&state.db.pool, &row.ticket).await?,
        followed,
    })
}

/// One public event as the resident reads it.
fn event_view(cat: &crate::catalog::Catalog, e: appeals::EventRow) -> EventView {
    EventView {
        at: local_time(e.at),
        extra: event_extra(cat, e.kind, e.detail),
        // Only texts written for the resident; e.g. the routing event's body is a reason code.
        body: e.body.filter(|_| e.kind.body_for_resident()),
        kind: e.kind,
        unit_name: e.unit.map(|u| unit_view(cat, &u).name),
    }
}
