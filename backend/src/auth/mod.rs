//! Staff accounts and signing in.
//!
//! - Passwords: length + deny-list policy, argon2id on the blocking pool ([`password`]).
//! - Sessions: `tower-sessions` with our database as the store ([`sessions`]); the session holds
//!   the staff id, the sign-in time (for the absolute time-out) and the CSRF token. The id is
//!   rotated at sign-in; the server's layer sets `HttpOnly`, `SameSite=Strict` and, outside local
//!   development, `Secure`.
//! - Failed sign-ins are throttled per (account, client) with growing waits, and all attempts
//!   per client; nothing locks an account for its owner ([`signin`]). A second factor (TOTP,
//!   recovery codes) is required for admins and dispatchers. Every sign-in, failure and sign-out
//!   is audited.

pub mod password;
pub mod sessions;
pub mod signin;

use crate::audit::{self, Entry, Who};
use crate::state::AppState;
use crate::store::staff::{self as store, StaffRow};
use crate::{BackendError, Result};
use domain::workflow::Role;
use domain::{FieldError, FieldName, Msg};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Session keys.
pub const SESSION_STAFF: &str = "staff_id";
pub const SESSION_LOGIN_AT: &str = "login_at";
pub const SESSION_CSRF: &str = "csrf";
/// This session passed a second factor (or its member has none and needs none).
pub const SESSION_MFA: &str = "mfa";
/// A password-checked sign-in waiting for its code: staff id, when, wrong codes so far.
pub const SESSION_PENDING: &str = "pending_staff";
pub const SESSION_PENDING_AT: &str = "pending_at";
pub const SESSION_PENDING_TRIES: &str = "pending_tries";
/// The secret of an enrolment not yet confirmed.
pub const SESSION_ENROL_SECRET: &str = "totp_enrol";
/// The phone number the inbox is searched by (posted, never in a URL: `InboxFilter::by_phone`).
pub const SESSION_SEARCH_PHONE: &str = "search_phone";
/// The words the inbox is searched by (posted, never in a URL: `InboxFilter::by_words`).
pub const SESSION_SEARCH_WORDS: &str = "search_words";

/// A signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub unit: String,
    pub role: Role,
    pub active: bool,
    /// Last change of the account (password, switched on or off): sessions begun before it end.
    pub updated_at: i64,
}

impl Staff {
    #[must_use]
    pub fn who(&self) -> Who {
        Who {
            id: self.id.clone(),
            name: format!("{} ({})", self.display_name, self.username),
            role: self.role.as_str().to_owned(),
        }
    }
}

fn to_staff(r: StaffRow) -> Result<Staff> {
    let role = Role::parse(&r.role)
        .ok_or_else(|| BackendError::Internal(format!("staff {} has unknown role {}", r.id, r.role)))?;
    Ok(Staff {
        id: r.id,
        username: r.username,
        display_name: r.display_name,
        unit: r.unit,
        role,
        active: r.active,
        updated_at: r.updated_at,
    })
}

use crate::crypto::random_hex;

/// A hash of nothing anyone knows, at the configured cost: verified against when the user name
/// does not exist, so a wrong name takes as long as a wrong password.
///
/// # Errors
/// The hasher failed.
pub async fn dummy_hash(state: &AppState) -> crate::Result<String> {
    let cost = state.auth.cost;
    state
        .dummy_hash
        .get_or_try_init(|| async move { password::hash(crate::crypto::random_hex(), cost).await })
        .await
        .cloned()
}

fn valid_username(u: &str) -> bool {
    (3..=32).contains(&u.len())
        && u.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-'))
}

/// The password was right: who, and whether a code must follow.
#[derive(Debug, Clone)]
pub struct PasswordOk {
    pub staff: Staff,
    /// The member has a second factor: the sign-in completes on the code page.
    pub needs_code: bool,
}

/// The first step of signing in: the per-client limit, the (account, client) wait — both before
/// argon2 —, then the password (on the blocking pool, also for unknown users so timing does not
/// tell whether the account exists). A member without a second factor is signed in (audited);
/// one with a second factor goes on to [`signin::verify_second_factor`].
///
/// # Errors
/// [`signin::SigninError::Throttled`]; [`signin::SigninError::Failed`] for a wrong user name, a
/// wrong password and an inactive account alike.
pub async fn login(
    state: &AppState,
    client: &str,
    username: &str,
    password: &str,
) -> std::result::Result<PasswordOk, signin::SigninError> {
    use signin::SigninError;
    let username = signin::throttle_name(username);
    if !state.login_ip_limiter.check(client).await {
        tracing::warn!(client, "sign-in throttled: too many attempts from this client");
        return Err(SigninError::Throttled { retry_after: 60 });
    }
    if let Some(retry_after) = signin::wait_for(state, &username, client).await? {
        tracing::warn!(client, retry_after, "sign-in throttled: this client keeps failing on this account");
        return Err(SigninError::Throttled { retry_after });
    }
    let row = if valid_username(&username) { store::by_username(&state.db.pool, &username).await? } else { None };
    let (phc, known) = match &row {
        Some(r) => (r.password_hash.clone(), true),
        None => (dummy_hash(state).await?, false),
    };
    let ok = password::verify(password.to_owned(), phc).await? && known;
    let now = state.clock.ts();
    match row {
        Some(r) if ok && r.active => {
            let staff = to_staff(r)?;
            let needs_code = signin::enrolled(state, &staff.id).await?;
            if !needs_code {
                // Only a complete sign-in forgets the failures: a right password followed by
                // wrong codes must not reset the count, or codes could be guessed for ever.
                signin::clear_failures(state, &username, client).await?;
                audit::record(
                    &state.db.pool,
                    &Entry {
                        at: now,
                        who: &staff.who(),
                        action: "sign_in",
                        ticket: None,
                        detail: json!({}),
                        reason: None,
                    },
                )
                .await?;
            }
            Ok(PasswordOk { staff, needs_code })
        }
        other => {
            signin::record_failure(state, &username, client).await?;
            let who = other.as_ref().map_or_else(
                || signin::unknown_who(&username, valid_username(&username)),
                |r| Who {
                    id: r.id.clone(),
                    name: format!("{} ({})", r.display_name, r.username),
                    role: r.role.clone(),
                },
            );
            let why = match &other {
                None => "unknown user",
                Some(r) if !r.active && ok => "inactive account",
                Some(_) => "wrong password",
            };
            audit::record(
                &state.db.pool,
                &Entry {
                    at: now,
                    who: &who,
                    action: "sign_in_failed",
                    ticket: None,
                    detail: json!({ "why": why }),
                    reason: None,
                },
            )
            .await?;
            Err(SigninError::Failed)
        }
    }
}

/// Records a sign-out.
///
/// # Errors
/// Database errors.
pub async fn logout(state: &AppState, staff: &Staff) -> Result<()> {
    audit::record(
        &state.db.pool,
        &Entry {
            at: state.clock.ts(),
            who: &staff.who(),
            action: "sign_out",
            ticket: None,
            detail: json!({}),
            reason: None,
        },
    )
    .await?;
    Ok(())
}

/// The active staff member with this id.
///
/// # Errors
/// Database errors.
pub async fn active_staff(state: &AppState, id: &str) -> Result<Option<Staff>> {
    match store::by_id(&state.db.pool, id).await? {
        Some(r) if r.active => Ok(Some(to_staff(r)?)),
        _ => Ok(None),
    }
}

/// Whether a session that signed in at `login_at` is past the absolute time-out.
#[must_use]
pub fn expired(state: &AppState, login_at: i64) -> bool {
    state.clock.ts() - login_at > state.auth.absolute.whole_seconds()
}

/// A new account, as typed by an admin or given to `pingan create-staff`.
#[derive(Debug, Clone, Default)]
pub struct NewStaff {
    pub username: String,
    pub display_name: String,
    pub unit: String,
    pub role: String,
    pub password: String,
}

/// Creates an account after checking every field (all problems at once). Admins only.
///
/// # Errors
/// [`BackendError::Forbidden`] for anyone but an admin; [`BackendError::Invalid`] per field; a
/// taken user name is reported on `username`.
pub async fn create_staff(state: &AppState, by: &Who, n: &NewStaff) -> Result<Staff> {
    by.require_admin()?;
    let username = n.username.trim().to_lowercase();
    let display_name = n.display_name.trim().to_owned();
    let mut errs = Vec::new();
    if !valid_username(&username) {
        errs.push(FieldError::new(FieldName::Username, Msg::ErrUsernameInvalid));
    }
    if display_name.is_empty() || display_name.chars().count() > 30 {
        errs.push(FieldError::new(FieldName::Name, Msg::ErrNameEmpty));
    }
    let cat = state.catalog.get();
    let unit = cat.units.get(n.unit.trim());
    if unit.is_none() {
        errs.push(FieldError::new(FieldName::Unit, Msg::ErrUnitUnknown));
    }
    match Role::parse(&n.role) {
        None => errs.push(FieldError::new(FieldName::Role, Msg::ErrRoleUnknown)),
        Some(role) if unit.is_some_and(|u| !role.fits_unit_kind(&u.kind)) => {
            errs.push(FieldError::new(FieldName::Role, Msg::ErrRoleUnitMismatch));
        }
        Some(_) => {}
    }
    if let Err(e) = password::check_policy(&n.password, &username) {
        errs.push(e);
    }
    if errs.is_empty() && store::by_username(&state.db.pool, &username).await?.is_some() {
        errs.push(FieldError::new(FieldName::Username, Msg::ErrUsernameTaken));
    }
    if !errs.is_empty() {
        return Err(BackendError::Invalid(errs));
    }
    let hash = password::hash(n.password.clone(), state.auth.cost).await?;
    let row = StaffRow {
        id: random_hex(),
        username,
        display_name,
        password_hash: hash,
        unit: n.unit.trim().to_owned(),
        role: n.role.trim().to_owned(),
        active: true,
        updated_at: state.clock.ts(),
    };
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    match store::insert(&mut tx, &row, now).await {
        Err(e) if e.is_unique_violation() => {
            return Err(BackendError::invalid(FieldError::new(FieldName::Username, Msg::ErrUsernameTaken)));
        }
        other => other?,
    }
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: by,
            action: "staff_create",
            ticket: None,
            detail: json!({ "staff": row.id, "username": row.username, "unit": row.unit, "role": row.role }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    to_staff(row)
}

/// Turns an account on or off (off ends its sessions at their next request).
///
/// # Errors
/// [`BackendError::NotFound`] or database errors.
pub async fn set_active(state: &AppState, by: &Who, id: &str, active: bool) -> Result<()> {
    by.require_admin()?;
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    if !store::set_active(&mut tx, id, active, now).await? {
        return Err(BackendError::NotFound);
    }
    let action = if active { "staff_activate" } else { "staff_deactivate" };
    audit::append(
        &mut tx,
        &Entry { at: now, who: by, action, ticket: None, detail: json!({ "staff": id }), reason: None },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password chosen by an admin.
///
/// # Errors
/// [`BackendError::Invalid`] for a weak password, [`BackendError::NotFound`].
pub async fn reset_password(state: &AppState, by: &Who, id: &str, new_password: &str) -> Result<()> {
    by.require_admin()?;
    let row = store::by_id(&state.db.pool, id).await?.ok_or(BackendError::NotFound)?;
    password::check_policy(new_password, &row.username).map_err(BackendError::invalid)?;
    let hash = password::hash(new_password.to_owned(), state.auth.cost).await?;
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    store::set_password(&mut tx, id, &hash, now).await?;
    audit::append(
        &mut tx,
        &Entry {
            at: now,
            who: by,
            action: "staff_password_reset",
            ticket: None,
            detail: json!({ "staff": id }),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every account, for the admin page.
///
/// # Errors
/// Database errors.
pub async fn list_staff(state: &AppState, by: &Who) -> Result<Vec<Staff>> {
    by.require_admin()?;
    store::all(&state.db.pool).await?.into_iter().map(to_staff).collect()
}

/// What the server's middleware puts into every `/staff` request: who is signed in (if anyone),
/// the session's CSRF token, and the flash message left by the previous post.
#[derive(Debug, Clone)]
pub struct StaffCtx {
    pub staff: Option<Staff>,
    pub csrf: String,
    pub flash: Option<domain::staff::Flash>,
    /// A password-checked sign-in waits for its code (the code page may be shown).
    pub pending_code: bool,
    /// Signed in, but must enrol a second factor before anything else.
    pub must_enrol: bool,
    /// The secret of an enrolment in progress (shown on the enrolment page only).
    pub enrol_secret: Option<String>,
    /// The phone number the inbox is searched by (signed-in members only).
    pub search_phone: Option<String>,
    /// The words the inbox is searched by (signed-in members only).
    pub search_words: Option<String>,
}

/// The page frame's view of a signed-in staff member.
#[must_use]
pub fn header(state: &AppState, staff: &Staff, csrf: &str) -> domain::staff::StaffHeader {
    let cat = state.catalog.get();
    domain::staff::StaffHeader {
        username: staff.username.clone(),
        display_name: staff.display_name.clone(),
        unit: staff.unit.clone(),
        unit_name: cat.units.get(&staff.unit).map_or_else(|| staff.unit.clone(), |u| u.name.clone()),
        role: staff.role,
        csrf: csrf.to_owned(),
    }
}
