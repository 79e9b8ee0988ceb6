//! Looking up an appeal with its ticket number and access key.
//!
//! A wrong ticket and a wrong key give the same answer ([`BackendError::NotFound`]) after the
//! same work, so the page cannot be used to learn which tickets exist; every lookup counts
//! against the client's rate limit.

use super::appeal::{hash_key, local_time, unit_view};
use crate::state::AppState;
use crate::store::appeals;
use crate::{BackendError, Result};
use domain::receipt::{AccessKey, Ticket};
use domain::views::{EventView, TrackView};
use domain::FieldError;
use sha2::{Digest, Sha256};

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

/// Constant-time comparison of two hex digests (both always 64 characters).
fn same_digest(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// # Errors
/// [`BackendError::RateLimited`] when the client asked too often; [`BackendError::Invalid`] for
/// malformed input; [`BackendError::NotFound`] for any wrong ticket/key pair.
pub async fn track(state: &AppState, client: &str, ticket: &str, key: &str) -> Result<TrackView> {
    if !state.track_limiter.check(client) {
        return Err(BackendError::RateLimited);
    }
    let (ticket, key) = parse_credentials(ticket, key).map_err(BackendError::Invalid)?;
    let given = hash_key(&key);
    let row = appeals::by_ticket(&state.db.pool, ticket.as_str()).await?;
    // Compare against a dummy digest when the ticket is unknown, so both paths do the same work.
    let stored = row.as_ref().map_or_else(
        || Sha256::digest(b"no such ticket").iter().map(|x| format!("{x:02x}")).collect(),
        |r| r.key_hash.clone(),
    );
    let matches = same_digest(&given, &stored);
    let Some(row) = row.filter(|_| matches) else { return Err(BackendError::NotFound) };
    let cat = state.catalog.get();
    let events = appeals::public_events(&state.db.pool, &row.ticket)
        .await?
        .into_iter()
        .map(|e| EventView {
            at: local_time(e.at),
            kind: e.kind,
            unit_name: e.unit.map(|u| unit_view(&cat, &u).name),
            body: e.body,
        })
        .collect();
    Ok(TrackView {
        ticket: ticket.display(),
        status: row.status,
        category_name: cat
            .category(&row.category)
            .map_or_else(|| (row.category.clone(), row.category.clone()), |c| (c.name.clone(), c.name_en.clone())),
        unit: unit_view(&cat, &row.unit),
        submitted_at: local_time(row.submitted_at),
        deadline: local_time(row.deadline_at),
        overdue: crate::now_ts() > row.deadline_at,
        events,
    })
}
