//! Moderating what residents asked to publish (issue 9 §3).
//!
//! A resident may tick "publish my description"; nothing of it is public until a staff member
//! approves it here, as written or shortened/redacted, or declines it. Only dispatchers (in their
//! centre's scope) and admins moderate ([`domain::publication::may_moderate`]); appeals of a
//! sensitive category never enter the queue and an approval of one is refused
//! ([`domain::publication::is_sensitive`], the same rule the Open311 view applies). A decision may
//! be changed later (an approval edited or withdrawn); each decision is one transaction with its
//! audit entry.

use crate::audit::{self, Entry};
use crate::auth::Staff;
use crate::state::AppState;
use crate::store::{appeals, publication as store};
use crate::{BackendError, Result};
use domain::fields::DESCRIPTION_MAX;
use domain::publication::{self, Moderation, ModerationItem};
use domain::workflow::{self, Action, Role};
use domain::{FieldError, FieldName, Msg};
use serde_json::json;

/// Most appeals the queue page lists at once.
pub const QUEUE_MAX: i64 = 200;

/// A moderator's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Publish this text (the resident's, or a shortened/redacted version of it).
    Approve { text: String },
    /// Publish nothing (also withdraws an earlier approval).
    Decline,
}

/// The appeals in `staff`'s scope waiting for a decision, then those already published (so an
/// approval can be edited or withdrawn). Sensitive categories are never listed.
///
/// # Errors
/// [`BackendError::Forbidden`] for a role that does not moderate; database errors.
pub async fn queue(state: &AppState, staff: &Staff) -> Result<Vec<ModerationItem>> {
    if !publication::may_moderate(staff.role) {
        return Err(BackendError::Forbidden);
    }
    let cat = state.catalog.get();
    let q = crate::services::work::inbox_query(&cat, staff);
    let rows = store::queue(&state.db.pool, &q, publication::SENSITIVE_CATEGORIES, QUEUE_MAX).await?;
    // An admin's reading of residents' texts is audited, as on an appeal's page.
    if staff.role == Role::Admin && !rows.is_empty() {
        let tickets: Vec<&str> = rows.iter().map(|r| r.ticket.as_str()).collect();
        audit::record(
            &state.db.pool,
            &Entry {
                at: state.clock.ts(),
                who: &staff.who(),
                action: "view_moderation",
                ticket: None,
                detail: json!({ "tickets": tickets }),
                reason: None,
            },
        )
        .await?;
    }
    Ok(rows
        .into_iter()
        // The query already leaves them out; the rule is checked again where it matters.
        .filter(|r| !publication::is_sensitive(&r.category))
        .filter_map(|r| {
            let st = Moderation::parse(&r.publish_state)?;
            Some(ModerationItem {
                category_name: cat
                    .category(&r.category)
                    .map_or_else(|| (r.category.clone(), r.category.clone()), |c| (c.name.clone(), c.name_en.clone())),
                unit_name: cat.units.get(&r.unit).map_or_else(|| r.unit.clone(), |u| u.name.clone()),
                ticket: r.ticket,
                submitted_at: r.submitted_at,
                original: r.description,
                state: st,
                public_text: r.public_text,
                moderated_at: r.moderated_at,
            })
        })
        .collect())
}

/// The text to publish: trimmed, not empty, at most [`DESCRIPTION_MAX`] characters, without
/// control characters other than line breaks and tabs.
fn public_text(s: &str) -> Result<String> {
    let t: String = s.trim().chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect();
    if t.trim().is_empty() {
        Err(BackendError::invalid(FieldError::new(FieldName::Body, Msg::ErrBodyEmpty)))
    } else if t.chars().count() > DESCRIPTION_MAX {
        Err(BackendError::invalid(FieldError::new(FieldName::Body, Msg::ErrBodyLong)))
    } else {
        Ok(t.trim().to_owned())
    }
}

/// Approves (with the text to publish) or declines the publication of one appeal's description,
/// audited, in one transaction.
///
/// # Errors
/// [`BackendError::Forbidden`] for a role that does not moderate or an appeal outside the
/// member's scope; [`BackendError::NotFound`] for an unknown ticket; [`BackendError::Conflict`]
/// for a sensitive category ([`Msg::ErrNeverPublished`]) or an appeal whose resident did not ask
/// ([`Msg::ErrPublishNotAsked`]); [`BackendError::Invalid`] for an empty or over-long text.
pub async fn decide(state: &AppState, staff: &Staff, ticket: &str, decision: &Decision) -> Result<()> {
    if !publication::may_moderate(staff.role) {
        return Err(BackendError::Forbidden);
    }
    let text = match decision {
        Decision::Approve { text } => Some(public_text(text)?),
        Decision::Decline => None,
    };
    let cat = state.catalog.get();
    let now = state.clock.ts();
    let mut tx = state.db.pool.begin().await?;
    if !appeals::lock(&mut tx, ticket).await? {
        return Err(BackendError::NotFound);
    }
    let f = store::facts(&mut tx, ticket).await?.ok_or(BackendError::NotFound)?;
    let co = appeals::cohandlers(&mut *tx, ticket).await?;
    let rel = crate::services::work::relation(&cat, staff, &f.unit, &co);
    // The ticket is public (Open311 lists it), so refusing openly reveals nothing.
    if !workflow::may(staff.role, Action::View, rel) {
        return Err(BackendError::Forbidden);
    }
    if publication::is_sensitive(&f.category) {
        return Err(BackendError::Conflict(Msg::ErrNeverPublished));
    }
    if !publication::moderatable(&f.category, f.publish_requested != 0) {
        return Err(BackendError::Conflict(Msg::ErrPublishNotAsked));
    }
    let to = if text.is_some() { Moderation::Approved } else { Moderation::Declined };
    if !store::decide(&mut tx, ticket, to.as_str(), text.as_deref(), &staff.id, now).await? {
        return Err(BackendError::NotFound);
    }
    // The audit log is permanent, so it keeps a digest of the published text, not the text: a
    // name let through by mistake and then withdrawn must not live on in the log.
    let detail = match &text {
        Some(t) => json!({
            "from": f.publish_state,
            "to": to.as_str(),
            "redacted": t.as_str() != f.description.trim(),
            "chars": t.chars().count(),
            "sha256": crate::crypto::sha256_hex(t),
        }),
        None => {
            json!({ "from": f.publish_state, "to": to.as_str(), "withdrawn": f.publish_state.as_deref() == Some("approved") })
        }
    };
    let action = if text.is_some() { "publication_approve" } else { "publication_decline" };
    audit::append(&mut tx, &Entry { at: now, who: &staff.who(), action, ticket: Some(ticket), detail, reason: None })
        .await?;
    tx.commit().await?;
    tracing::info!(ticket, decision = to.as_str(), "publication moderated");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_text_is_trimmed_and_bounded() {
        assert_eq!(public_text("  楼道堆物 \r\n 请清理 ").unwrap(), "楼道堆物 \n 请清理");
        assert_eq!(public_text("a\u{0}b\u{1b}c").unwrap(), "abc");
        assert!(matches!(public_text(" \n "), Err(BackendError::Invalid(_))));
        assert!(matches!(public_text(&"字".repeat(DESCRIPTION_MAX + 1)), Err(BackendError::Invalid(_))));
        assert!(public_text(&"字".repeat(DESCRIPTION_MAX)).is_ok());
    }
}
