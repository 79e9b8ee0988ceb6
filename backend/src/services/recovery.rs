//! Recovering a lost receipt by phone number (issue 14): a resident who gave a number with a
//! named appeal asks for a one-time code, gets it by SMS through the outbox, and with it opens a
//! short recovery session listing that number's named appeals.
//!
//! What a stranger learns: nothing about the number. A request answers the same whether or not
//! the number has named appeals, takes the same path (the same rows are written, a code row for
//! an unknown number holds the digest of a random value no code matches; only the SMS is left
//! out), and counts against the same limits, whose refusal is one message for both. The SMS's
//! outbox row is the only extra work for a known number: one insert in a transaction whose
//! commit (a disk sync) takes a thousand times longer and varies more. Telling the two apart by
//! timing would take many requests for the same number, and a number gets at most
//! [`CODES_PER_HOUR`] per hour and [`CODES_PER_DAY`] per day from every client together.
//!
//! Secrets are kept as SHA-256 only: the code (over the number's key and the code), the browser's
//! pending-request id and the session id (both 128 random bits, in HttpOnly cookies). A 6-digit
//! code's digest can be reversed by whoever reads the database, for the code's 10 minutes; that
//! reader already sees the appeals themselves, so a slow hash would protect nothing more.
//!
//! Keys are not re-issued or shown: only their digests exist. An appeal opened from the list
//! gets an ordinary track session (`services::track`), so the track page, adding information and
//! rating work exactly as after a ticket+key lookup.
//!
//! Residents' actions are not in the staff audit chain (see `audit`); these are logged as
//! counted events under `pingan::recovery`, never with the number or the code.

use crate::crypto::{random_bytes, random_hex, same_token, sha256_hex};
use crate::state::AppState;
use crate::store::recovery as store;
use crate::store::Tx;
use crate::{BackendError, Result};
use domain::fields::Phone;
use domain::receipt::Ticket;
use domain::views::RecoveredAppeal;
use domain::{FieldError, FieldName, Lang, Msg};

/// How long a code may be used.
pub const CODE_MINUTES: i64 = 10;
/// Wrong answers a code survives; the last one kills it.
pub const MAX_ATTEMPTS: i64 = 5;
/// How long a recovery session lasts.
pub const SESSION_MINUTES: i64 = 30;
/// Codes per number in any hour, and in any day.
pub const CODES_PER_HOUR: i64 = 3;
pub const CODES_PER_DAY: i64 = 5;
/// Requests per client (see `ratelimit::client_key`) in any hour, by default
/// (`Limits::recover_per_hour`, `PINGAN_RATE_LIMIT_RECOVER`).
pub const REQUESTS_PER_CLIENT_HOUR: u32 = 5;
/// Wrong answers per number in any day, over all its codes: without it a number's five codes a
/// day would allow 25 guesses a day.
pub const WRONG_PER_NUMBER_DAY: i64 = 10;
/// Appeals listed at most (newest first).
pub const LISTED: i64 = 100;

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// The key a number is stored and counted under. A plain digest, not a secret: with about 10^10
/// mobile numbers, a reader of the database finds the number back by trying them all (the app has
/// no server-side secret to key it with). It keeps numbers without named appeals out of casual
/// sight (in listings, logs, backups read by eye), no more.
fn phone_key(phone: &str) -> String {
    sha256_hex(format!("pingan-recover:{phone}"))
}

fn code_hash(phone_key: &str, code: &str) -> String {
    sha256_hex(format!("{phone_key}:{code}"))
}

/// Six decimal digits from the CSPRNG. The modulo's bias over 64 random bits is below 2^-44.
fn new_code() -> String {
    format!("{:06}", u64::from_le_bytes(random_bytes::<8>()) % 1_000_000)
}

/// The code as typed: digits, spaces and dashes allowed between them (as phones show it).
fn parse_code(input: &str) -> std::result::Result<String, FieldError> {
    let code: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(FieldError::new(FieldName::Code, Msg::RecoverCodeFormat))
    }
}

fn counted(event: &'static str) {
    tracing::info!(target: "pingan::recovery", event, "receipt recovery");
}

/// Counts a request of `client` (committed at once, whatever follows: a refused or malformed
/// request still spends from the budget). True if it is within the limit.
async fn client_within_limit(state: &AppState, client: &str, now: i64) -> Result<bool> {
    let bucket = format!("c:{client}");
    let mut tx = state.db.pool.begin().await?;
    store::lock_bucket(&mut tx, state.db.engine, &bucket).await?;
    let n = store::count_event(&mut tx, &bucket, now, now - HOUR).await?;
    tx.commit().await?;
    Ok(n <= state.recover_per_hour)
}

/// Step 1: a code for `phone`, sent by SMS (in `lang`) if the number has named appeals. Returns
/// the pending-request id for the browser's cookie (only its digest is stored), the same way for
/// a number with or without appeals.
///
/// # Errors
/// [`BackendError::Invalid`] for a malformed number (per field); [`BackendError::RateLimited`]
/// over a limit of the client or the number (checked in that order, the same for any number);
/// database errors.
pub async fn request(state: &AppState, client: &str, phone: &str, lang: Lang) -> Result<String> {
    let now = state.clock.ts();
    if !client_within_limit(state, client, now).await? {
        counted("client_limited");
        return Err(BackendError::RateLimited);
    }
    let phone = Phone::parse(phone).map_err(BackendError::invalid)?;
    let phone = phone.as_str();
    let key = phone_key(phone);
    let mut tx = state.db.pool.begin().await?;
    store::sweep_codes(&mut tx, now).await?;
    let known = store::has_named(&mut tx, phone).await?;
    let code = new_code();
    let stored_hash = if known { code_hash(&key, &code) } else { sha256_hex(random_hex()) };
    let request_id = random_hex();
    // The code row first: on PostgreSQL its upsert holds the number's row until commit, so two
    // requests for one number (on any nodes) are counted one after the other.
    store::put_code(
        &mut tx,
        &store::NewCode {
            phone_key: &key,
            phone: known.then_some(phone),
            request_hash: &sha256_hex(&request_id),
            code_hash: &stored_hash,
            created_at: now,
            expires_at: now + CODE_MINUTES * 60,
        },
    )
    .await?;
    if !within_number_limits(&mut tx, &key, now).await? {
        // Rolled back: the earlier code (if any) stays as it was.
        tx.rollback().await?;
        counted("number_limited");
        return Err(BackendError::RateLimited);
    }
    store::count_event(&mut tx, &format!("n:{key}"), now, now - HOUR).await?;
    if known {
        send_code(&mut tx, phone, &code, lang, now).await?;
    }
    tx.commit().await?;
    counted("code_issued");
    Ok(request_id)
}

async fn within_number_limits(tx: &mut Tx<'_>, key: &str, now: i64) -> Result<bool> {
    let bucket = format!("n:{key}");
    Ok(store::events_since(tx, &bucket, now - HOUR).await? < CODES_PER_HOUR
        && store::events_since(tx, &bucket, now - DAY).await? < CODES_PER_DAY)
}

/// The SMS, in the outbox with the code: the gateway behind the webhook sink sends `text`.
async fn send_code(tx: &mut Tx<'_>, phone: &str, code: &str, lang: Lang, now: i64) -> Result<()> {
    let text = Msg::RecoverSms.text(lang).replace("{code}", code);
    let payload = serde_json::json!({ "kind": "recovery_code", "code": code, "lang": lang.tag(), "text": text });
    crate::store::outbox::insert(
        tx,
        &crate::store::outbox::NewMessage {
            kind: "recovery_code",
            audience: "resident",
            recipient: phone,
            ticket: None,
            payload: &payload.to_string(),
        },
        now,
    )
    .await
}

/// Step 2: the code for the browser's pending request. A right code is consumed and opens a
/// recovery session; returns its id for the cookie (only its digest is stored).
///
/// # Errors
/// [`BackendError::RateLimited`] (the client's lookup budget, as the track page's, or the
/// number's [`WRONG_PER_NUMBER_DAY`] wrong answers of the day, right code or not);
/// [`BackendError::Invalid`] for a malformed code (not counted) or a wrong one (counted);
/// [`BackendError::Conflict`] with [`Msg::RecoverCodeExpired`] when there is no live code for
/// this request (expired, replaced by a newer request, used) and [`Msg::RecoverCodeDead`] when
/// this wrong answer was the last one allowed; database errors.
pub async fn verify(state: &AppState, client: &str, request_id: &str, code: &str) -> Result<String> {
    if !state.track_limiter.check(client).await {
        return Err(BackendError::RateLimited);
    }
    let code = parse_code(code).map_err(BackendError::invalid)?;
    if !super::appeal::valid_token(request_id) {
        return Err(BackendError::Conflict(Msg::RecoverCodeExpired));
    }
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    let Some(row) = store::lock_code(&mut tx, &sha256_hex(request_id)).await? else {
        return Err(BackendError::Conflict(Msg::RecoverCodeExpired));
    };
    if now > row.expires_at || row.attempts >= MAX_ATTEMPTS {
        store::delete_code(&mut tx, &row.phone_key).await?;
        tx.commit().await?;
        return Err(BackendError::Conflict(Msg::RecoverCodeExpired));
    }
    // The number's wrong answers of the day, over all its codes. Counted under the code row's
    // lock (taken above), which is the number's: one live code per number.
    let wrong_bucket = format!("w:{}", row.phone_key);
    if store::events_since(&mut tx, &wrong_bucket, now - DAY).await? >= WRONG_PER_NUMBER_DAY {
        tx.rollback().await?;
        counted("number_guesses_limited");
        return Err(BackendError::RateLimited);
    }
    let right = same_token(&code_hash(&row.phone_key, &code), &row.code_hash);
    let Some(phone) = row.phone.filter(|_| right) else {
        store::count_event(&mut tx, &wrong_bucket, now, now - DAY).await?;
        let attempts = store::count_attempt(&mut tx, &row.phone_key).await?;
        let dead = attempts >= MAX_ATTEMPTS;
        if dead {
            store::delete_code(&mut tx, &row.phone_key).await?;
        }
        tx.commit().await?;
        counted(if dead { "code_dead" } else { "code_wrong" });
        return Err(if dead {
            BackendError::Conflict(Msg::RecoverCodeDead)
        } else {
            BackendError::invalid(FieldError::new(FieldName::Code, Msg::RecoverCodeWrong))
        });
    };
    store::delete_code(&mut tx, &row.phone_key).await?;
    let session = random_hex();
    store::open_session(&mut tx, &sha256_hex(&session), &phone, now, now + SESSION_MINUTES * 60).await?;
    tx.commit().await?;
    counted("recovered");
    Ok(session)
}

/// Forgets the counted events no limit looks at any more (the longest window is a day). Run by
/// the hourly sweep job.
///
/// # Errors
/// Database errors.
pub async fn sweep(state: &AppState, now: i64) -> Result<()> {
    store::sweep_events(&state.db.pool, now - DAY).await?;
    Ok(())
}

/// The number a live recovery session proved.
async fn session_phone(state: &AppState, session: &str) -> Result<String> {
    if !super::appeal::valid_token(session) {
        return Err(BackendError::NotFound);
    }
    store::session_phone(&state.db.pool, &sha256_hex(session), state.clock.ts()).await?.ok_or(BackendError::NotFound)
}

/// The named appeals of a recovery session's number, newest first.
///
/// # Errors
/// [`BackendError::NotFound`] for a malformed, unknown or expired session; database errors.
pub async fn appeals(state: &AppState, session: &str) -> Result<Vec<RecoveredAppeal>> {
    let phone = session_phone(state, session).await?;
    let cat = state.catalog.get();
    Ok(store::named_appeals(&state.db.pool, &phone, LISTED)
        .await?
        .into_iter()
        .map(|r| RecoveredAppeal {
            ticket: Ticket::parse(&r.ticket).map_or_else(|_| r.ticket.clone(), |t| t.display()),
            category_name: cat
                .category(&r.category)
                .map_or_else(|| (r.category.clone(), r.category.clone()), |c| (c.name.clone(), c.name_en.clone())),
            status: r.status,
            submitted_at: super::appeal::local_time(r.submitted_at),
            unit_name: super::appeal::unit_view(&cat, &r.unit).name,
        })
        .collect())
}

/// Opens one of the session's appeals on the track page: an ordinary track session for that
/// ticket (returns its id for the track cookie). A ticket of any other number, an anonymous
/// appeal or a malformed ticket is "not found", the same as an unknown one.
///
/// # Errors
/// [`BackendError::NotFound`] as above or for a dead session; database errors.
pub async fn open(state: &AppState, session: &str, ticket: &str) -> Result<String> {
    let phone = session_phone(state, session).await?;
    let ticket = Ticket::parse(ticket).map_err(|_| BackendError::NotFound)?;
    if !store::is_named_of(&state.db.pool, ticket.as_str(), &phone).await? {
        return Err(BackendError::NotFound);
    }
    let id = random_hex();
    let now = state.clock.ts();
    crate::store::resident::open_session(
        &state.db.pool,
        &super::track::hash_session(&id),
        ticket.as_str(),
        now,
        now + super::track::SESSION_MINUTES * 60,
    )
    .await?;
    Ok(id)
}

/// Ends a recovery session ("forget on this phone"); an unknown id is already forgotten.
///
/// # Errors
/// Database errors.
pub async fn close(state: &AppState, session: &str) -> Result<()> {
    if !super::appeal::valid_token(session) {
        return Ok(());
    }
    store::close_session(&state.db.pool, &sha256_hex(session)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_typed_codes_are_read_leniently() {
        for _ in 0..200 {
            let c = new_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
        assert_eq!(parse_code(" 012 345 ").unwrap(), "012345");
        assert_eq!(parse_code("012-345").unwrap(), "012345");
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert_eq!(parse_code(bad).unwrap_err().msg, Msg::RecoverCodeFormat, "{bad}");
        }
    }

    #[test]
    fn the_code_digest_depends_on_the_number() {
        let (a, b) = (phone_key("13800138000"), phone_key("13900139000"));
        assert_ne!(code_hash(&a, "123456"), code_hash(&b, "123456"));
        assert_ne!(code_hash(&a, "123456"), code_hash(&a, "123457"));
        assert!(!a.contains("13800138000"));
    }
}
