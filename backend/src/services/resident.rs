//! What a resident does on the track page besides reading: answer a request for information, add
//! something at any time while the appeal is open, and rate the answer once it is closed.
//!
//! The web forms prove the ticket with the browser's track session (`*_in_session`; the key was
//! checked once when the session opened and is never posted again); the ticket+key variants
//! serve callers without a session. Either way the proof comes first, with a per-client rate
//! limit, and nothing is stored for a post that did not prove it. An
//! unsatisfied rating reopens the appeal one level up with a fresh deadline (不满意重办).

use crate::audit::{self, Entry, Who};
use crate::notify::{self, Kind};
use crate::services::track::verify_credentials;
use crate::state::AppState;
use crate::store::appeals::{self, Change, StaffEvent};
use crate::store::supervision as store;
use crate::{BackendError, Result};
use domain::events::{EventDetail, EventKind};
use domain::workflow::Status;
use domain::{FieldError, FieldName, Msg};
use serde_json::json;

use domain::fields::TEXT_MAX;

/// The three answers to "are you satisfied?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Rating {
    Satisfied,
    Basically,
    Unsatisfied,
}

impl Rating {
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "satisfied" => Some(Self::Satisfied),
            "basically" => Some(Self::Basically),
            "unsatisfied" => Some(Self::Unsatisfied),
            _ => None,
        }
    }
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Satisfied => "satisfied",
            Self::Basically => "basically",
            Self::Unsatisfied => "unsatisfied",
        }
    }
}

fn resident_text(s: &str, field: FieldName) -> Result<String> {
    let t = domain::fields::Description::parse(s).map(|d| d.as_str().to_owned());
    match t {
        Ok(t) => Ok(t),
        Err(e) => Err(BackendError::invalid(FieldError::new(field, e.msg))),
    }
}

async fn checked(state: &AppState, client: &str, ticket: &str, key: &str) -> Result<String> {
    if !state.resident_post_limiter.check(client).await {
        return Err(BackendError::RateLimited);
    }
    Ok(verify_credentials(state, ticket, key).await?.ticket)
}

async fn checked_session(state: &AppState, client: &str, session: &str) -> Result<String> {
    if !state.resident_post_limiter.check(client).await {
        return Err(BackendError::RateLimited);
    }
    crate::services::track::session_ticket(state, session).await
}

/// [`add_information`] for the appeal of a track session.
///
/// # Errors
/// As [`add_information`]; an unknown or expired session is [`BackendError::NotFound`].
pub async fn add_information_in_session(state: &AppState, client: &str, session: &str, text: &str) -> Result<()> {
    let ticket = checked_session(state, client, session).await?;
    add_information_to(state, &ticket, text).await
}

/// [`rate`] for the appeal of a track session.
///
/// # Errors
/// As [`rate`]; an unknown or expired session is [`BackendError::NotFound`].
pub async fn rate_in_session(state: &AppState, client: &str, session: &str, rating: &str, comment: &str) -> Result<()> {
    let ticket = checked_session(state, client, session).await?;
    rate_to(state, &ticket, rating, comment).await
}

/// The appeal of a track session, checked before anything of a photo upload is read (issue 13:
/// residents may add photos after submitting): the client's rate limit, an open appeal, and
/// room for one more photo.
///
/// # Errors
/// An unknown or expired session ([`BackendError::NotFound`]), rate limit, a closed appeal
/// ([`BackendError::Conflict`]) or a full one ([`BackendError::Invalid`]).
pub async fn photo_ticket_in_session(state: &AppState, client: &str, session: &str) -> Result<String> {
    let ticket = checked_session(state, client, session).await?;
    let a = appeals::full(&state.db.pool, &ticket).await?.ok_or(BackendError::NotFound)?;
    if a.status == Status::Closed {
        return Err(BackendError::Conflict(Msg::ErrAppealClosed));
    }
    crate::photos::check_appeal_room(&state.db.pool, &ticket, 0).await?;
    Ok(ticket)
}

/// Adds a photo to an open appeal under the wizard's upload rules (type by content, size, pixel
/// and memory limits, re-encoded so nothing hidden such as the location survives), within the
/// appeal's own room ([`crate::photos::MAX_APPEAL_PHOTOS`], [`crate::photos::MAX_APPEAL_BYTES`]).
/// A public event on the timeline (no body), the unit told, audited. `ticket` comes from
/// [`photo_ticket_in_session`] (or a test).
///
/// # Errors
/// As [`photo_ticket_in_session`], and the photo's own problems as field errors.
pub async fn add_photo_to(state: &AppState, ticket: &str, bytes: Vec<u8>) -> Result<()> {
    crate::photos::check_appeal_room(&state.db.pool, ticket, bytes.len()).await?;
    let photo = state.uploads.reencode(bytes).await.map_err(BackendError::invalid)?;
    let jpeg = &photo.jpeg;
    let id = super::appeal::new_token();
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    if !appeals::lock(&mut tx, ticket).await? {
        return Err(BackendError::NotFound);
    }
    let a = appeals::full(&mut *tx, ticket).await?.ok_or(BackendError::NotFound)?;
    if a.status == Status::Closed {
        return Err(BackendError::Conflict(Msg::ErrAppealClosed));
    }
    // Again under the lock: two uploads at once must not both take the last place.
    crate::photos::check_appeal_room(&mut *tx, ticket, jpeg.len()).await?;
    appeals::add_photo(&mut tx, ticket, &id, jpeg, Some(&photo.thumb)).await?;
    appeals::insert_staff_event(
        &mut tx,
        &StaffEvent {
            ticket,
            at: now,
            kind: EventKind::PhotoAdded,
            actor: "resident",
            actor_name: None,
            unit: None,
            body: None,
            detail: None,
        },
    )
    .await?;
    notify::unit(&mut tx, &a.unit, ticket, Kind::Answered, now).await?;
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: &Who::resident(),
            action: EventKind::PhotoAdded.as_str(),
            ticket: Some(ticket),
            detail: json!({ "photo": id, "bytes": jpeg.len() }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One photo of the track session's appeal (JPEG bytes), or its thumbnail.
///
/// # Errors
/// [`BackendError::NotFound`] for an unknown or expired session, or a photo of another appeal.
pub async fn photo_in_session(state: &AppState, session: &str, id: &str, size: crate::photos::Size) -> Result<Vec<u8>> {
    let ticket = crate::services::track::session_ticket(state, session).await?;
    appeals::photo(&state.db.pool, &ticket, id, size).await?.ok_or(BackendError::NotFound)
}

/// The resident answers "please tell us more", or adds something on their own: both are public
/// events the unit is told about; an answer also hands the appeal back to the unit.
///
/// # Errors
/// Wrong credentials ([`BackendError::NotFound`]), rate limit, text too short or long, or a
/// closed appeal ([`BackendError::Conflict`]).
pub async fn add_information(state: &AppState, client: &str, ticket: &str, key: &str, text: &str) -> Result<()> {
    let ticket = checked(state, client, ticket, key).await?;
    add_information_to(state, &ticket, text).await
}

async fn add_information_to(state: &AppState, ticket: &str, text: &str) -> Result<()> {
    let ticket = ticket.to_owned();
    let text = resident_text(text, FieldName::Body)?;
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    appeals::lock(&mut tx, &ticket).await?;
    let a = appeals::full(&mut *tx, &ticket).await?.ok_or(BackendError::NotFound)?;
    if a.status == Status::Closed {
        return Err(BackendError::Conflict(Msg::ErrAppealClosed));
    }
    let answering = a.status == Status::AwaitingInfo;
    if answering {
        appeals::apply(&mut tx, &ticket, &Change { status: Some(Status::InProgress), ..Change::default() }, now)
            .await?;
    }
    let kind = if answering { EventKind::ResidentAnswer } else { EventKind::Supplement };
    appeals::insert_staff_event(
        &mut tx,
        &StaffEvent {
            ticket: &ticket,
            at: now,
            kind,
            actor: "resident",
            actor_name: None,
            unit: None,
            body: Some(&text),
            detail: None,
        },
    )
    .await?;
    notify::unit(&mut tx, &a.unit, &ticket, Kind::Answered, now).await?;
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: &Who::resident(),
            action: kind.as_str(),
            ticket: Some(&ticket),
            detail: json!({ "status": [a.status.as_str(), if answering { Status::InProgress } else { a.status }.as_str()] }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Rates the answer of the current cycle. Unsatisfied reopens it one level up with a new
/// deadline; no rating within the window leaves it closed (counted as unrated).
///
/// # Errors
/// Wrong credentials, rate limit, no rating chosen, a comment too long, not closed, already
/// rated, or the window has passed ([`BackendError::Conflict`]).
pub async fn rate(state: &AppState, client: &str, ticket: &str, key: &str, rating: &str, comment: &str) -> Result<()> {
    let ticket = checked(state, client, ticket, key).await?;
    rate_to(state, &ticket, rating, comment).await
}

async fn rate_to(state: &AppState, ticket: &str, rating: &str, comment: &str) -> Result<()> {
    let ticket = ticket.to_owned();
    let rating = Rating::parse(rating)
        .ok_or_else(|| BackendError::invalid(FieldError::new(FieldName::Rating, Msg::ErrRatingMissing)))?;
    let comment = comment.trim();
    if comment.chars().count() > TEXT_MAX {
        return Err(BackendError::invalid(FieldError::new(FieldName::Body, Msg::ErrBodyLong)));
    }
    let comment = (!comment.is_empty()).then_some(comment);
    let now = state.clock.ts();
    let cal = crate::services::deadlines::calendar_cached(state).await?;
    let cat = state.catalog.get();
    let mut tx = state.db.pool.begin().await?;
    appeals::lock(&mut tx, &ticket).await?;
    let a = appeals::full(&mut *tx, &ticket).await?.ok_or(BackendError::NotFound)?;
    if a.status != Status::Closed {
        return Err(BackendError::Conflict(Msg::ErrNotClosed));
    }
    if a.closed_at.is_some_and(|c| now - c > state.supervision.rating_window.whole_seconds()) {
        return Err(BackendError::Conflict(Msg::ErrRatingWindowOver));
    }
    if !store::rate(&mut tx, &ticket, a.cycle, rating.as_str(), comment, now).await? {
        return Err(BackendError::Conflict(Msg::ErrAlreadyRated));
    }
    let d = EventDetail { rating: Some(rating.as_str().to_owned()), cycle: Some(a.cycle), ..EventDetail::default() };
    appeals::insert_staff_event(
        &mut tx,
        &StaffEvent {
            ticket: &ticket,
            at: now,
            kind: EventKind::Rated,
            actor: "resident",
            actor_name: None,
            unit: None,
            body: comment,
            detail: Some(&d),
        },
    )
    .await?;
    let mut detail = json!({ "rating": rating.as_str(), "cycle": a.cycle });
    if rating == Rating::Unsatisfied {
        let (up, cycle) = reopen_unsatisfied(&mut tx, state, &cat, &cal, &a, ("resident", None), now).await?;
        detail = json!({ "rating": rating.as_str(), "cycle": [a.cycle, cycle], "unit": [a.unit, up], "status": [Status::Closed.as_str(), Status::Assigned.as_str()] });
        // A merged appeal reopened this way is this resident's own matter again (issue 13).
        if domain::related::rating_unmerges(rating.as_str()) {
            if let Some(main) = crate::services::related::unmerge_rows(
                &mut tx,
                &a,
                ("resident", None, None),
                Some(rating.as_str()),
                now,
            )
            .await?
            {
                detail["unmerged_from"] = json!(main);
            }
        }
    }
    audit::append(
        &mut tx,
        &Entry { at: now, who: &Who::resident(), action: "rate", ticket: Some(&ticket), detail, reason: None },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 不满意重办: reopens the closed appeal `a` one level up as a new round with fresh deadlines,
/// writes the (public) event and tells the new unit and the resident. One home for the rule,
/// used by the resident's rating and by a follow-up call's (`services::callbacks`); the caller
/// holds the appeal's lock and writes its own audit entry. `(actor, actor_name)`: `resident`
/// without a name, or the staff member who recorded the call (named on the staff timeline).
/// Returns the new unit and round.
pub(crate) async fn reopen_unsatisfied(
    tx: &mut crate::store::Tx<'_>,
    state: &AppState,
    cat: &crate::catalog::Catalog,
    cal: &domain::sla::Calendar,
    a: &appeals::FullAppeal,
    (actor, actor_name): (&str, Option<&str>),
    now: i64,
) -> Result<(String, i64)> {
    let ticket = a.ticket.as_str();
    let up = cat.parent_unit(&a.unit).map_or_else(|| a.unit.clone(), |u| u.code.clone());
    let path = cat.unit_path(&up);
    let (days, urgent) = cat.category(&a.category).map_or((10, false), |c| (c.deadline_days, c.urgent));
    let dl = domain::sla::deadlines(cal, state.clock.now(), days, urgent, domain::sla::CHINA);
    let cycle = a.cycle + 1;
    appeals::apply(
        tx,
        ticket,
        &Change {
            status: Some(Status::Assigned),
            unit: Some((&up, &path)),
            signed_at: Some(None),
            closed_at: Some(None),
            deadline_at: Some(dl.resolve_by.unix_timestamp()),
            cycle: Some((cycle, now, dl.sign_by.unix_timestamp())),
            supervised: Some(false),
            ..Change::default()
        },
        now,
    )
    .await?;
    store::cancel_pending_extensions(tx, ticket, now).await?;
    // A reopening is a hand-over one level up: the old unit's open notices lapse, and a leader in
    // charge whose unit the appeal leaves is no longer its leader (as for a transfer).
    crate::services::notices::on_hand_over(tx, cat, ticket, (&a.unit, &up), (actor, actor_name), now).await?;
    let d = EventDetail { from: Some(a.unit.clone()), cycle: Some(cycle), ..EventDetail::default() };
    appeals::insert_staff_event(
        tx,
        &StaffEvent {
            ticket,
            at: now,
            kind: EventKind::ReopenedUnsatisfied,
            actor,
            actor_name,
            unit: Some(&up),
            body: None,
            detail: Some(&d),
        },
    )
    .await?;
    notify::unit(tx, &up, ticket, Kind::NewAssignment, now).await?;
    notify::resident(tx, a, Kind::Reopened, now).await?;
    Ok((up, cycle))
}

/// Whose flash it is: the lookup form's own (no session yet), or a track session's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashOwner<'a> {
    Lookup,
    Session(&'a str),
}

impl FlashOwner<'_> {
    fn stored(self) -> String {
        match self {
            Self::Lookup => String::new(),
            Self::Session(id) => crate::services::track::hash_session(id),
        }
    }
}

/// Keeps a flash for the page after a redirect; returns its id (128 random bits), which travels
/// only in an HttpOnly cookie of the browser that posted.
///
/// # Errors
/// Database errors.
pub async fn put_flash(state: &AppState, owner: FlashOwner<'_>, flash: &domain::staff::Flash) -> Result<String> {
    let id = crate::crypto::random_hex();
    let data = serde_json::to_string(flash).map_err(|e| BackendError::Internal(e.to_string()))?;
    let now = state.clock.ts();
    crate::store::resident::put_flash(&state.db.pool, &id, &owner.stored(), &data, now, now + 600).await?;
    Ok(id)
}

/// Reads and forgets a flash of `owner` (`None` if unknown, another owner's, used or expired).
///
/// # Errors
/// Database errors.
pub async fn take_flash(state: &AppState, owner: FlashOwner<'_>, id: &str) -> Result<Option<domain::staff::Flash>> {
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let data = crate::store::resident::take_flash(&state.db.pool, id, &owner.stored(), state.clock.ts()).await?;
    Ok(data.and_then(|d| serde_json::from_str(&d).ok()))
}
