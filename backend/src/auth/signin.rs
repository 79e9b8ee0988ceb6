//! Signing in so that a stranger cannot lock anyone out, and the second factor (issue 9 §4).
//!
//! - **Throttle.** Failures are counted per (typed user name, client address) in the database
//!   (`signin_failures`), so every node sees them. After [`FREE_FAILURES`] failures the pair must
//!   wait 1 s, then 2, 4, … up to [`MAX_DELAY`]; an attempt inside the wait is refused before
//!   argon2 runs. Nothing is counted per account alone: the owner, from a client that has not
//!   been failing, is never refused. The per-client limiter in `AppState` still caps what one
//!   address may try across all accounts. A success clears the pair.
//! - **TOTP** (RFC 6238 through `totp-rs`: SHA-1, 6 digits, 30 s steps, ±1 step). The 160-bit
//!   secret is made here; enrolment completes only with a correct code. The newest accepted step
//!   is stored, so a code is never accepted twice. Required for admins and dispatchers.
//! - **Recovery codes**: 10 codes of 80 random bits, shown once, stored as SHA-256, single use.
//! - **Wrong codes per account.** The pair throttle alone lets someone who has the password
//!   guess codes from many addresses (a /48 of IPv6 is 65,536 clients). Only a holder of the
//!   password can get to the code, so here counting per account locks no stranger's victim out:
//!   after [`WRONG_CODES_PER_ACCOUNT`] wrong codes (each within a day of the last, from any
//!   client, at sign-in or for an account change) authenticator codes are refused until a day
//!   after the last wrong one (tries while locked are not checked, so they do not count);
//!   recovery codes (80 bits, not guessable) still sign in and end the lock.
//!
//! Every enrolment, switch-off, regeneration and use of a recovery code is audited; secrets and
//! codes never are, nor logged.

use super::{password, to_staff, Staff};
use crate::audit::{self, Entry, Who};
use crate::state::AppState;
use crate::store::signin as store;
use crate::store::staff as staff_store;
use crate::{BackendError, Result};
use domain::workflow::Role;
use domain::{FieldError, FieldName, Msg};
use serde_json::json;
use totp_rs::{Algorithm, TOTP};

/// Failures a (user name, client) pair may make before it has to wait.
pub const FREE_FAILURES: i64 = 3;
/// The longest wait, in seconds.
pub const MAX_DELAY: i64 = 900;
/// Failures older than this (seconds) are forgotten.
pub const FORGET_AFTER: i64 = 86_400;
/// How long a password-checked sign-in waits for its code, and how many codes it may try.
pub const PENDING_SECONDS: i64 = 300;
pub const PENDING_TRIES: i64 = 5;
pub const RECOVERY_CODES: usize = 10;
const STEP: u64 = 30;
/// Wrong second-factor codes an account may collect before authenticator codes are refused.
pub const WRONG_CODES_PER_ACCOUNT: i64 = 10;
/// The throttle table's "client" for the per-account count (no address looks like it).
const EVERY_CLIENT: &str = "*second-factor";

/// Why a sign-in step did not succeed.
#[derive(Debug)]
pub enum SigninError {
    /// Wait this many seconds (answered with 429 and `Retry-After`).
    Throttled {
        retry_after: i64,
    },
    /// Wrong user name, password or code: one generic answer.
    Failed,
    /// Too many wrong codes for this account: only a recovery code signs in for now. Only ever
    /// said after the password was right.
    CodesLocked,
    Backend(BackendError),
}

impl From<BackendError> for SigninError {
    fn from(e: BackendError) -> Self {
        Self::Backend(e)
    }
}

impl From<sqlx::Error> for SigninError {
    fn from(e: sqlx::Error) -> Self {
        Self::Backend(e.into())
    }
}

/// The wait after `failures` failures in a row.
#[must_use]
pub fn delay_after(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(20);
    (1_i64 << doublings).min(MAX_DELAY)
}

/// The user name as the throttle keys it: what was typed, trimmed, lower case, at most 33
/// characters (a longer one is no user name; it must not grow the table's keys).
#[must_use]
pub fn throttle_name(typed: &str) -> String {
    typed.trim().to_lowercase().chars().take(33).collect()
}

/// Seconds this pair must still wait, if any.
///
/// # Errors
/// Database errors.
pub async fn wait_for(state: &AppState, name: &str, client: &str) -> Result<Option<i64>> {
    let now = state.clock.ts();
    Ok(store::failures(&state.db.pool, name, client)
        .await?
        .and_then(|(_, _, until)| (until > now).then_some(until - now)))
}

/// Counts a failure and sets the pair's next wait.
///
/// # Errors
/// Database errors.
pub async fn record_failure(state: &AppState, name: &str, client: &str) -> Result<i64> {
    let now = state.clock.ts();
    let n = store::add_failure(&state.db.pool, name, client, now, now - FORGET_AFTER).await?;
    let wait = delay_after(n);
    if wait > 0 {
        store::set_blocked_until(&state.db.pool, name, client, now + wait).await?;
        tracing::warn!(client, failures = n, wait, "sign-in failures: waiting");
    }
    Ok(wait)
}

/// Whether this account's authenticator codes are refused for now (see the module's notes).
async fn codes_locked(state: &AppState, name: &str, now: i64) -> Result<bool> {
    Ok(store::failures(&state.db.pool, name, EVERY_CLIENT)
        .await?
        .is_some_and(|(n, last, _)| n >= WRONG_CODES_PER_ACCOUNT && last >= now - FORGET_AFTER))
}

/// Counts a wrong second-factor code against the account; the one that reaches the limit is
/// audited (and warned about: an attacker has the password).
async fn count_wrong_code(state: &AppState, staff: &Staff, name: &str, now: i64) -> Result<()> {
    let n = store::add_failure(&state.db.pool, name, EVERY_CLIENT, now, now - FORGET_AFTER).await?;
    if n == WRONG_CODES_PER_ACCOUNT {
        tracing::warn!(failures = n, "second factor: too many wrong codes, authenticator codes refused for a day");
        audit::record(
            &state.db.pool,
            &Entry {
                at: now,
                who: &staff.who(),
                action: "second_factor_locked",
                ticket: None,
                detail: json!({ "wrong_codes": n }),
                reason: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// Forgets the pair's failures (after a success).
///
/// # Errors
/// Database errors.
pub async fn clear_failures(state: &AppState, name: &str, client: &str) -> Result<()> {
    store::clear_failures(&state.db.pool, name, client).await
}

/// Deletes throttle rows that are old and block nothing (hourly sweep).
///
/// # Errors
/// Database errors.
pub async fn sweep(state: &AppState) -> Result<u64> {
    let now = state.clock.ts();
    store::sweep_failures(&state.db.pool, now - FORGET_AFTER, now).await
}

/// Roles that must sign in with a second factor.
#[must_use]
pub fn totp_required(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Dispatcher)
}

/// A fresh 160-bit secret, base-32 (RFC 4648, no padding), as authenticator apps take it.
#[must_use]
pub fn new_secret() -> String {
    let b = crate::crypto::random_bytes::<20>();
    totp_rs::Secret::Raw(b.to_vec()).to_encoded().to_string()
}

/// The `otpauth://` address the QR code carries.
#[must_use]
pub fn otpauth_uri(secret: &str, username: &str) -> String {
    // User names are [a-z0-9_.-]: nothing to escape.
    format!("otpauth://totp/pingan:{username}?secret={secret}&issuer=pingan&algorithm=SHA1&digits=6&period=30")
}

fn totp_for(secret: &str) -> Result<TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|e| BackendError::Internal(format!("totp secret: {e:?}")))?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP, bytes).map_err(|e| BackendError::Internal(format!("totp: {e}")))
}

/// The time step (`unix time / 30`) whose code `code` is, within ±1 step of `now`.
///
/// # Errors
/// A malformed stored secret.
pub fn matching_step(secret: &str, code: &str, now: i64) -> Result<Option<i64>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp_for(secret)?;
    let now = u64::try_from(now).unwrap_or(0);
    let current = now / STEP;
    let mut found = None;
    // Every candidate is compared (constant time each), whichever matches.
    for step in current.saturating_sub(1)..=current + 1 {
        if crate::crypto::same_token(&totp.generate(step * STEP), &code) {
            found = i64::try_from(step).ok();
        }
    }
    Ok(found)
}

/// The code of `secret` at `now` (tests, and the CLI's diagnostics).
///
/// # Errors
/// A malformed secret.
pub fn code_at(secret: &str, now: i64) -> Result<String> {
    Ok(totp_for(secret)?.generate(u64::try_from(now).unwrap_or(0)))
}

const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKMNPQRSTVWXYZ0123456789";

/// A recovery code: 16 characters (80 bits) shown in groups of four.
fn new_recovery_code() -> String {
    let b = crate::crypto::random_bytes::<16>();
    let chars: Vec<char> = b.iter().map(|x| char::from(CODE_ALPHABET[usize::from(x & 31)])).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// A typed recovery code without separators, upper case; `None` if it cannot be one.
fn normalize_recovery(typed: &str) -> Option<String> {
    let s: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase();
    (s.len() == 16 && s.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(s)
}

fn recovery_hash(normalized: &str) -> String {
    crate::crypto::sha256_hex(normalized)
}

fn new_recovery_set() -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes = codes.iter().filter_map(|c| normalize_recovery(c)).map(|n| recovery_hash(&n)).collect();
    (codes, hashes)
}

/// Whether this member has a confirmed second factor.
///
/// # Errors
/// Database errors.
pub async fn enrolled(state: &AppState, staff_id: &str) -> Result<bool> {
    Ok(store::totp(&state.db.pool, staff_id).await?.is_some())
}

/// Unused recovery codes of this member.
///
/// # Errors
/// Database errors.
pub async fn recovery_left(state: &AppState, staff_id: &str) -> Result<i64> {
    store::recovery_codes_left(&state.db.pool, staff_id).await
}

fn code_error(msg: Msg) -> BackendError {
    BackendError::invalid(FieldError::new(FieldName::Code, msg))
}

/// Completes enrolment: `code` must be the secret's current code. Returns the recovery codes,
/// to be shown once, and the time of the change: every other session of the account ends (one
/// signed in with the password alone, perhaps because it leaked, must not outlive the second
/// factor), so the caller keeps its own by signing it in as of then, as after a password change.
///
/// # Errors
/// [`BackendError::Invalid`] on `code` for a wrong code or an existing second factor.
pub async fn confirm_enrolment(
    state: &AppState,
    staff: &Staff,
    secret: &str,
    code: &str,
) -> Result<(Vec<String>, i64)> {
    let now = state.clock.ts();
    let Some(step) = matching_step(secret, code, now)? else { return Err(code_error(Msg::ErrCodeWrong)) };
    let (codes, hashes) = new_recovery_set();
    let mut tx = state.db.pool.begin().await?;
    if !store::insert_totp(&mut tx, &staff.id, secret, step, now).await? {
        return Err(code_error(Msg::ErrTotpAlreadyOn));
    }
    store::replace_recovery_codes(&mut tx, &staff.id, &hashes).await?;
    staff_store::touch(&mut tx, &staff.id, now).await?;
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: &staff.who(),
            action: "totp_enrol",
            ticket: None,
            detail: json!({ "recovery_codes": hashes.len() }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((codes, now))
}

/// A current authenticator code of `staff`'s, spent (no code works twice): what an account
/// change that touches the second factor asks for.
///
/// # Errors
/// [`BackendError::Forbidden`] without a second factor; [`BackendError::Invalid`] on `code`.
async fn prove_current_code(state: &AppState, staff: &Staff, code: &str, now: i64) -> Result<()> {
    let Some((secret, _)) = store::totp(&state.db.pool, &staff.id).await? else { return Err(BackendError::Forbidden) };
    let name = throttle_name(&staff.username);
    if codes_locked(state, &name, now).await? {
        return Err(code_error(Msg::ErrCodesLocked));
    }
    let proven = match matching_step(&secret, code, now)? {
        Some(step) => store::advance_totp(&state.db.pool, &staff.id, step).await?,
        None => false,
    };
    if !proven {
        count_wrong_code(state, staff, &name, now).await?;
        return Err(code_error(Msg::ErrCodeWrong));
    }
    store::clear_failures(&state.db.pool, &name, EVERY_CLIENT).await?;
    Ok(())
}

/// New recovery codes (the old ones stop working), proven with a current code from the
/// authenticator: they are a second factor that lasts, so a signed-in session left open (or
/// taken over) must not be enough to mint them.
///
/// # Errors
/// [`BackendError::Forbidden`] without a second factor; [`BackendError::Invalid`] on `code`
/// (wrong, or already used); database errors.
pub async fn regenerate_recovery_codes(state: &AppState, staff: &Staff, code: &str) -> Result<Vec<String>> {
    let now = state.clock.ts();
    prove_current_code(state, staff, code, now).await?;
    let (codes, hashes) = new_recovery_set();
    let mut tx = state.db.pool.begin().await?;
    store::replace_recovery_codes(&mut tx, &staff.id, &hashes).await?;
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: &staff.who(),
            action: "recovery_codes_regenerate",
            ticket: None,
            detail: json!({}),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns the second factor off (roles that need it cannot); proven with a current code.
///
/// # Errors
/// [`BackendError::Forbidden`] for admins and dispatchers or without a second factor;
/// [`BackendError::Invalid`] on `code`.
pub async fn disable(state: &AppState, staff: &Staff, code: &str) -> Result<()> {
    if totp_required(staff.role) {
        return Err(BackendError::Forbidden);
    }
    let now = state.clock.ts();
    prove_current_code(state, staff, code, now).await?;
    let mut tx = state.db.pool.begin().await?;
    store::delete_totp(&mut tx, &staff.id).await?;
    audit::append(
        &mut tx,
        &Entry { at: now, who: &staff.who(), action: "totp_disable", ticket: None, detail: json!({}), reason: None },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The second step of signing in: a current code, or an unused recovery code. Throttled like the
/// password (same pair), and a success clears the pair and audits the sign-in.
///
/// # Errors
/// [`SigninError::Throttled`], [`SigninError::Failed`] (wrong, replayed or spent code; account
/// switched off meanwhile).
pub async fn verify_second_factor(
    state: &AppState,
    client: &str,
    staff_id: &str,
    code: &str,
) -> std::result::Result<Staff, SigninError> {
    let Some(row) = staff_store::by_id(&state.db.pool, staff_id).await? else { return Err(SigninError::Failed) };
    let name = throttle_name(&row.username);
    if let Some(retry_after) = wait_for(state, &name, client).await? {
        return Err(SigninError::Throttled { retry_after });
    }
    let staff = to_staff(row)?;
    let now = state.clock.ts();
    let Some((secret, _)) = store::totp(&state.db.pool, &staff.id).await? else { return Err(SigninError::Failed) };
    let locked = codes_locked(state, &name, now).await?;
    let step = if locked { None } else { matching_step(&secret, code, now)? };
    let mut how = None;
    if let Some(step) = step {
        if store::advance_totp(&state.db.pool, &staff.id, step).await? {
            how = Some("totp");
        }
    } else if let Some(rc) = normalize_recovery(code) {
        let mut tx = state.db.pool.begin().await?;
        if store::use_recovery_code(&mut tx, &staff.id, &recovery_hash(&rc), now).await? {
            audit::append(
                &mut tx,
                &Entry {
                    at: now,
                    who: &staff.who(),
                    action: "recovery_code_used",
                    ticket: None,
                    detail: json!({}),
                    reason: None,
                },
            )
            .await?;
            tx.commit().await?;
            how = Some("recovery_code");
        }
    }
    match how {
        Some(how) if staff.active => {
            clear_failures(state, &name, client).await?;
            store::clear_failures(&state.db.pool, &name, EVERY_CLIENT).await?;
            audit::record(
                &state.db.pool,
                &Entry {
                    at: now,
                    who: &staff.who(),
                    action: "sign_in",
                    ticket: None,
                    detail: json!({ "second_factor": how }),
                    reason: None,
                },
            )
            .await?;
            Ok(staff)
        }
        _ => {
            record_failure(state, &name, client).await?;
            // While locked nothing is checked, so nothing counts: the lock ends a day after the
            // last wrong code, even if the owner keeps trying their (right) codes meanwhile.
            if !locked {
                count_wrong_code(state, &staff, &name, now).await?;
            }
            audit::record(
                &state.db.pool,
                &Entry {
                    at: now,
                    who: &staff.who(),
                    action: "sign_in_failed",
                    ticket: None,
                    detail: json!({ "why": if locked { "second factor locked" } else { "wrong second factor" } }),
                    reason: None,
                },
            )
            .await?;
            // Said only to whoever typed the right password (the lock is per account).
            Err(if locked || codes_locked(state, &name, now).await? {
                SigninError::CodesLocked
            } else {
                SigninError::Failed
            })
        }
    }
}

/// A member changes their own password: the current one (throttled like sign-in), the new one
/// twice, the policy. Other sessions end (the account's `updated_at` moves past their sign-in);
/// returns that time so the caller can keep the session that made the change.
///
/// # Errors
/// [`BackendError::RateLimited`] while the pair waits; [`BackendError::Invalid`] per field.
pub async fn change_password(
    state: &AppState,
    client: &str,
    staff: &Staff,
    current: &str,
    new: &str,
    again: &str,
) -> Result<i64> {
    let name = throttle_name(&staff.username);
    if wait_for(state, &name, client).await?.is_some() {
        return Err(BackendError::RateLimited);
    }
    let row = staff_store::by_id(&state.db.pool, &staff.id).await?.ok_or(BackendError::NotFound)?;
    if !password::verify(current.to_owned(), row.password_hash).await? {
        record_failure(state, &name, client).await?;
        let now = state.clock.ts();
        audit::record(
            &state.db.pool,
            &Entry {
                at: now,
                who: &staff.who(),
                action: "password_change_failed",
                ticket: None,
                detail: json!({}),
                reason: None,
            },
        )
        .await?;
        return Err(BackendError::invalid(FieldError::new(FieldName::Password, Msg::ErrCurrentPasswordWrong)));
    }
    if new != again {
        return Err(BackendError::invalid(FieldError::new(FieldName::NewPassword, Msg::ErrPasswordsDiffer)));
    }
    password::check_policy(new, &staff.username)
        .map_err(|e| BackendError::invalid(FieldError::new(FieldName::NewPassword, e.msg)))?;
    let hash = password::hash(new.to_owned(), state.auth.cost).await?;
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    staff_store::set_password(&mut tx, &staff.id, &hash, now).await?;
    audit::append(
        &mut tx,
        &Entry { at: now, who: &staff.who(), action: "password_change", ticket: None, detail: json!({}), reason: None },
    )
    .await?;
    tx.commit().await?;
    clear_failures(state, &name, client).await?;
    Ok(now)
}

/// For the audit of an unknown name typed at sign-in (people type passwords there).
pub(super) fn unknown_who(typed: &str, valid: bool) -> Who {
    Who { id: "-".into(), name: if valid { typed.to_owned() } else { "(not a user name)".into() }, role: "-".into() }
}
