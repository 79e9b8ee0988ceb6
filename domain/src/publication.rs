//! What of an appeal may ever be public, and when (issue 9 §3): one rule, used by the Open311
//! public view, the moderation queue and the moderation service.
//!
//! The public record of every appeal is its category, status, coarse area (district / street /
//! community names; the district alone for a [sensitive category](is_sensitive)) and the *day*
//! it was submitted or last changed. Nothing the resident wrote is
//! public unless the resident asked for it ("publish my description", off by default) **and** a
//! staff member approved it, possibly shortened or redacted; the approved text is then what is
//! shown, never the original. Appeals in a [sensitive category](is_sensitive) are never published,
//! whatever was asked or approved.

use crate::workflow::Role;
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, Time};

/// Categories whose free text is never public, whoever submitted it and whatever they asked:
/// what people write about family conflicts, legal trouble or threats to public order names them
/// or others and can put them at risk.
pub const SENSITIVE_CATEGORIES: &[&str] = &["family_dispute", "legal_aid", "public_order"];

/// Whether nothing written in an appeal of this category may ever be published.
#[must_use]
pub fn is_sensitive(category: &str) -> bool {
    SENSITIVE_CATEGORIES.contains(&category.trim())
}

/// How many levels of its area (district, street, community) an appeal's public record names:
/// three, or only the district for a sensitive category — that a family dispute or a legal-aid
/// request came from one small community on one day could point at the people in it (the public
/// statistics suppress small counts for the same reason).
#[must_use]
pub fn public_area_levels(category: &str) -> usize {
    if is_sensitive(category) {
        1
    } else {
        3
    }
}

/// Where a request to publish stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Moderation {
    /// Asked for, not decided yet: nothing is public.
    Pending,
    /// A staff member approved a (possibly redacted) text: that text is public.
    Approved,
    /// A staff member declined, or withdrew an approval: nothing is public.
    Declined,
}

impl Moderation {
    pub const ALL: [Moderation; 3] = [Moderation::Pending, Moderation::Approved, Moderation::Declined];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Declined => "declined",
        }
    }
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The text the public may read, if any: the approved text, only when the resident asked, staff
/// approved, and the category is not sensitive. Everything else gives `None`.
#[must_use]
pub fn public_text<'a>(
    category: &str,
    requested: bool,
    state: Option<Moderation>,
    approved_text: Option<&'a str>,
) -> Option<&'a str> {
    if !requested || is_sensitive(category) || state != Some(Moderation::Approved) {
        return None;
    }
    approved_text.map(str::trim).filter(|t| !t.is_empty())
}

/// Whether an appeal belongs in the moderation queue at all: asked for, and not sensitive.
#[must_use]
pub fn moderatable(category: &str, requested: bool) -> bool {
    requested && !is_sensitive(category)
}

/// Who may approve or decline a publication: dispatchers (for the appeals in their centre's
/// scope) and admins (everywhere). Not the unit handling the appeal, which is often the very
/// party the resident complains about, and not grid workers.
#[must_use]
pub fn may_moderate(role: Role) -> bool {
    matches!(role, Role::Dispatcher | Role::Admin)
}

/// One appeal of the moderation queue, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationItem {
    /// Stored form.
    pub ticket: String,
    /// Chinese and English names.
    pub category_name: (String, String),
    pub unit_name: String,
    pub submitted_at: i64,
    /// What the resident wrote.
    pub original: String,
    pub state: Moderation,
    /// The text now public (approved items only).
    pub public_text: Option<String>,
    pub moderated_at: Option<i64>,
}

/// Midnight (city time, +08:00) of the day `ts` falls on, as a Unix timestamp: the only
/// precision at which the public learns when something happened.
#[must_use]
pub fn day_start(ts: i64) -> i64 {
    OffsetDateTime::from_unix_timestamp(ts)
        .map(|t| t.to_offset(crate::sla::CHINA).replace_time(Time::MIDNIGHT).unix_timestamp())
        .unwrap_or(ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_sensitive_categories() {
        for c in ["family_dispute", "legal_aid", "public_order", " legal_aid "] {
            assert!(is_sensitive(c), "{c}");
        }
        assert!(!is_sensitive("sanitation"));
        assert!(!moderatable("family_dispute", true));
        assert!(moderatable("sanitation", true));
        assert!(!moderatable("sanitation", false));
    }

    #[test]
    fn dispatchers_and_admins_moderate() {
        assert!(may_moderate(Role::Dispatcher) && may_moderate(Role::Admin));
        assert!(!may_moderate(Role::UnitHandler) && !may_moderate(Role::GridWorker));
    }

    #[test]
    fn only_approved_text_of_a_request_is_public() {
        let a = Some(Moderation::Approved);
        assert_eq!(public_text("sanitation", true, a, Some("楼道堆物")), Some("楼道堆物"));
        assert_eq!(public_text("sanitation", false, a, Some("楼道堆物")), None, "not asked for");
        assert_eq!(public_text("sanitation", true, Some(Moderation::Pending), Some("x")), None);
        assert_eq!(public_text("sanitation", true, Some(Moderation::Declined), Some("x")), None);
        assert_eq!(public_text("sanitation", true, None, Some("x")), None);
        assert_eq!(public_text("family_dispute", true, a, Some("x")), None, "sensitive");
        assert_eq!(public_text("sanitation", true, a, Some("  ")), None);
        assert_eq!(public_text("sanitation", true, a, None), None);
    }

    #[test]
    fn states_round_trip() {
        for m in Moderation::ALL {
            assert_eq!(Moderation::parse(m.as_str()), Some(m));
        }
        assert_eq!(Moderation::parse("published"), None);
    }

    #[test]
    fn days_start_at_midnight_in_the_city() {
        // 2024-05-01T08:00:00+08:00 → 2024-05-01T00:00:00+08:00
        assert_eq!(day_start(1_714_521_600), 1_714_492_800);
        // 23:59:59 the same day, and midnight itself.
        assert_eq!(day_start(1_714_492_800 + 86_399), 1_714_492_800);
        assert_eq!(day_start(1_714_492_800), 1_714_492_800);
        // 2024-04-30T23:30:00Z is already 1 May in the city.
        assert_eq!(day_start(1_714_519_800), 1_714_492_800);
    }
}
