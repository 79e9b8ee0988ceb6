//! The tamper-evident audit log: every staff action, every reveal of a resident's contact and
//! every sign-in. Each entry carries the hash of the one before it, so editing or deleting any
//! entry breaks the chain from there on; `verify` recomputes it and names the first broken link.
//!
//! Entries are appended inside the transaction of the action they record: an action without its
//! audit entry cannot be committed, and a rolled-back action leaves no entry.

use crate::store::audit::{self as store, AuditRow};
use crate::store::Tx;
use crate::Result;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    /// Staff id, or `system` / `resident` / `-` (an unknown user name at sign-in).
    pub id: String,
    pub name: String,
    pub role: String,
}

impl Who {
    #[must_use]
    pub fn system() -> Self {
        Self { id: "system".into(), name: "system".into(), role: "system".into() }
    }
    #[must_use]
    pub fn resident() -> Self {
        Self { id: "resident".into(), name: "resident".into(), role: "resident".into() }
    }

    /// The operator's command line (`pingan <command> …`), which has the database anyway.
    #[must_use]
    pub fn cli(command: &str) -> Self {
        Self { id: "cli".into(), name: format!("pingan {command}"), role: "cli".into() }
    }

    /// The one admin check. Staff accounts, the holiday calendar, the region import, the legal
    /// editor and the audit log are for admins, and for the operator's own command line and the
    /// server's own jobs ([`Who::cli`], [`Who::system`]; a `Who` is only ever made by the server,
    /// never from a request). Each of those use cases calls this first.
    ///
    /// # Errors
    /// [`BackendError::Forbidden`](crate::BackendError::Forbidden) for anyone else.
    pub fn require_admin(&self) -> Result<()> {
        if self.role == domain::workflow::Role::Admin.as_str() || matches!(self.role.as_str(), "system" | "cli") {
            Ok(())
        } else {
            Err(crate::BackendError::Forbidden)
        }
    }
}

/// One thing to record. `detail` is JSON saying what changed; it never holds a phone number,
/// a password or a key.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub at: i64,
    pub who: &'a Who,
    pub action: &'a str,
    pub ticket: Option<&'a str>,
    pub detail: serde_json::Value,
    pub reason: Option<&'a str>,
}

/// SHA-256 over the previous hash and every field, each length-prefixed so no two different
/// entries can serialise to the same bytes.
#[must_use]
pub fn entry_hash(prev: &str, r: &AuditRow) -> String {
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update(s.len().to_string().as_bytes());
        h.update(b":");
        h.update(s.as_bytes());
        h.update(b";");
    };
    put(prev);
    put(&r.seq.to_string());
    put(&r.at.to_string());
    put(&r.actor);
    put(&r.actor_name);
    put(&r.role);
    put(&r.action);
    put(r.ticket.as_deref().unwrap_or("\u{0}"));
    put(&r.detail);
    put(r.reason.as_deref().unwrap_or("\u{0}"));
    crate::crypto::hex(&h.finalize())
}

/// Appends one entry in `tx`; returns its sequence number.
///
/// # Errors
/// Database errors.
pub async fn append(tx: &mut Tx<'_>, e: &Entry<'_>) -> Result<i64> {
    let (seq, prev) = store::claim_next(tx).await?;
    let mut row = AuditRow {
        seq,
        at: e.at,
        actor: e.who.id.clone(),
        actor_name: e.who.name.clone(),
        role: e.who.role.clone(),
        action: e.action.to_owned(),
        ticket: e.ticket.map(str::to_owned),
        detail: e.detail.to_string(),
        reason: e.reason.map(str::to_owned),
        prev_hash: prev,
        hash: String::new(),
    };
    row.hash = entry_hash(&row.prev_hash, &row);
    store::insert(tx, &row).await?;
    Ok(seq)
}

/// Writes the audit entry of an automatic change (supervision jobs) inside its transaction.
///
/// # Errors
/// Database errors.
pub async fn append_system(
    tx: &mut Tx<'_>,
    at: i64,
    action: &str,
    ticket: &str,
    detail: serde_json::Value,
) -> Result<()> {
    append(tx, &Entry { at, who: &Who::system(), action, ticket: Some(ticket), detail, reason: None }).await?;
    Ok(())
}

/// Appends one entry in a transaction of its own (sign-in events, reveals without a change).
///
/// # Errors
/// Database errors.
pub async fn record(pool: &AnyPool, e: &Entry<'_>) -> Result<i64> {
    let mut tx = pool.begin().await?;
    let seq = append(&mut tx, e).await?;
    tx.commit().await?;
    Ok(seq)
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Entries checked.
    pub checked: i64,
    /// The first entry whose link is broken, and why.
    pub first_broken: Option<(i64, String)>,
}

/// The audit log as the admin page reads it (newest first, filtered). Admins only.
///
/// # Errors
/// [`BackendError::Forbidden`](crate::BackendError::Forbidden) for anyone but an admin; database
/// errors.
pub async fn read(
    state: &crate::AppState,
    by: &Who,
    ticket: Option<&str>,
    action: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    by.require_admin()?;
    store::recent(&state.db.pool, ticket, action, before, limit).await
}

/// [`verify`] from the admin page. Admins only.
///
/// # Errors
/// [`BackendError::Forbidden`](crate::BackendError::Forbidden) for anyone but an admin; database
/// errors.
pub async fn verify_as(state: &crate::AppState, by: &Who) -> Result<Verification> {
    by.require_admin()?;
    verify(&state.db.pool).await
}

/// Recomputes the whole chain, in pages.
///
/// # Errors
/// Database errors.
pub async fn verify(pool: &AnyPool) -> Result<Verification> {
    // The head first: entries appended while we check are beyond it and not our business.
    let (head_seq, head_hash) = store::head(pool).await?;
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut checked = 0;
    loop {
        let page: Vec<AuditRow> =
            store::after(pool, expected_seq - 1, 1000).await?.into_iter().filter(|r| r.seq <= head_seq).collect();
        if page.is_empty() {
            break;
        }
        for r in page {
            checked += 1;
            let broken = |why: &str| Verification { checked, first_broken: Some((r.seq, why.to_owned())) };
            if r.seq != expected_seq {
                return Ok(Verification {
                    checked,
                    first_broken: Some((expected_seq, format!("entry {expected_seq} is missing"))),
                });
            }
            if r.prev_hash != prev {
                return Ok(broken("its prev_hash does not match the entry before it"));
            }
            if entry_hash(&prev, &r) != r.hash {
                return Ok(broken("its content does not match its hash (edited)"));
            }
            prev = r.hash;
            expected_seq += 1;
        }
    }
    if head_seq != expected_seq - 1 {
        return Ok(Verification {
            checked,
            first_broken: Some((
                expected_seq,
                format!("entries {expected_seq}..{head_seq} are missing (deleted at the end)"),
            )),
        });
    }
    if head_seq > 0 && head_hash != prev {
        return Ok(Verification {
            checked,
            first_broken: Some((head_seq, "the last entry differs from the recorded head".into())),
        });
    }
    Ok(Verification { checked, first_broken: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_the_cli_and_the_system_administer() {
        use domain::workflow::Role;
        let staff = |role: Role| Who { id: "s1".into(), name: "x".into(), role: role.as_str().into() };
        assert!(staff(Role::Admin).require_admin().is_ok());
        assert!(Who::cli("create-staff").require_admin().is_ok());
        assert!(Who::system().require_admin().is_ok());
        for role in [Role::Dispatcher, Role::UnitHandler, Role::GridWorker] {
            assert!(matches!(staff(role).require_admin(), Err(crate::BackendError::Forbidden)), "{role:?}");
        }
        assert!(Who::resident().require_admin().is_err());
    }

    fn row(seq: i64, detail: &str) -> AuditRow {
        AuditRow {
            seq,
            at: 1_700_000_000,
            actor: "s1".into(),
            actor_name: "王".into(),
            role: "grid_worker".into(),
            action: "sign".into(),
            ticket: Some("PA12345678".into()),
            detail: detail.into(),
            reason: None,
            prev_hash: GENESIS.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn the_hash_covers_every_field_and_the_link() {
        let base = entry_hash(GENESIS, &row(1, "{}"));
        assert_eq!(base.len(), 64);
        assert_ne!(base, entry_hash(GENESIS, &row(2, "{}")));
        assert_ne!(base, entry_hash(GENESIS, &row(1, "{\"a\":1}")));
        assert_ne!(base, entry_hash(&"1".repeat(64), &row(1, "{}")));
        let mut r = row(1, "{}");
        r.reason = Some(String::new());
        assert_ne!(base, entry_hash(GENESIS, &r), "no reason differs from an empty reason");
        // Moving a boundary between fields changes the hash.
        let mut a = row(1, "{}");
        a.actor = "s1x".into();
        a.actor_name = "y".into();
        let mut b = row(1, "{}");
        b.actor = "s1".into();
        b.actor_name = "xy".into();
        assert_ne!(entry_hash(GENESIS, &a), entry_hash(GENESIS, &b));
    }
}
