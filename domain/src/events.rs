//! What happened to an appeal: the kinds of timeline events, which of them the resident sees,
//! and their structured detail. Written by the backend's use cases, read by the track page and
//! the staff timeline; this module is the one place that says what each kind means.

use serde::{Deserialize, Serialize};

/// The kind of a timeline event (stored as [`EventKind::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    Submitted,
    Routed,
    RoutedOutside,
    Signed,
    Reply,
    Note,
    InfoRequested,
    Transferred,
    Escalated,
    Summoned,
    ReportedBack,
    Closed,
    Reopened,
    ResidentAnswer,
    Supplement,
    Warning,
    Supervised,
    AutoEscalated,
    ExtensionRequested,
    ExtensionApproved,
    ExtensionRefused,
    Rated,
    ReopenedUnsatisfied,
    /// A follow-up call (回访) to the resident, reached or not (issue 13); between staff.
    Callback,
    /// A supervision notice issued by hand (issue 13); shown to the resident only when the
    /// issuer asked for it (the row's `public`, not [`EventKind::is_public`]).
    NoticeIssued,
    NoticeAnswered,
    /// A leader in charge (领导包案) was named.
    OwnerNamed,
    /// The leader in charge was un-named by an overseer, or the naming lapsed when the appeal
    /// left the subtree of the leader's unit.
    OwnerRemoved,
    /// A summoned department's report back is overdue: 督办 to the department (issue 13);
    /// between staff.
    SummonsOverdue,
    /// A summons made before report-back deadlines existed (migration 0015) was given one when
    /// the system started watching it (detail `units`, `due`); between staff.
    SummonsDueSet,
    /// The summoning unit rated a department's report back (issue 13); between staff.
    ReportRated,
    /// The resident added a photo after submitting (issue 13); public, no body.
    PhotoAdded,
    /// Related appeals (issue 13): this appeal was merged by staff into a main appeal on the same
    /// matter (detail `other`: the main one's ticket); the resident sees that it was joined.
    Merged,
    /// The resident chose, in the wizard, to join an open appeal on the same matter (detail
    /// `other`); their appeal follows it from the start.
    Joined,
    /// On the main appeal: another appeal was merged into it or joined it (detail `other`);
    /// between staff.
    MergedIn,
    /// The appeal follows no main appeal any more (detail `other`: the former main): by staff, or
    /// because its resident was not satisfied with the shared answer. Shown to that resident;
    /// the main appeal's copy is stored internal.
    Unmerged,
    /// Staff linked two related appeals (detail `other`); no effect on either; between staff.
    Linked,
    /// Closed together with the main appeal it follows; the body is the main one's resolution.
    ClosedWithMain,
}

impl EventKind {
    pub const ALL: [EventKind; 38] = [
        Self::Submitted,
        Self::Routed,
        Self::RoutedOutside,
        Self::Signed,
        Self::Reply,
        Self::Note,
        Self::InfoRequested,
        Self::Transferred,
        Self::Escalated,
        Self::Summoned,
        Self::ReportedBack,
        Self::Closed,
        Self::Reopened,
        Self::ResidentAnswer,
        Self::Supplement,
        Self::Warning,
        Self::Supervised,
        Self::AutoEscalated,
        Self::ExtensionRequested,
        Self::ExtensionApproved,
        Self::ExtensionRefused,
        Self::Rated,
        Self::ReopenedUnsatisfied,
        Self::Callback,
        Self::NoticeIssued,
        Self::NoticeAnswered,
        Self::OwnerNamed,
        Self::OwnerRemoved,
        Self::SummonsOverdue,
        Self::SummonsDueSet,
        Self::ReportRated,
        Self::PhotoAdded,
        Self::Merged,
        Self::Joined,
        Self::MergedIn,
        Self::Unmerged,
        Self::Linked,
        Self::ClosedWithMain,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Routed => "routed",
            Self::RoutedOutside => "routed_outside",
            Self::Signed => "signed",
            Self::Reply => "reply",
            Self::Note => "note",
            Self::InfoRequested => "info_requested",
            Self::Transferred => "transferred",
            Self::Escalated => "escalated",
            Self::Summoned => "summoned",
            Self::ReportedBack => "reported_back",
            Self::Closed => "closed",
            Self::Reopened => "reopened",
            Self::ResidentAnswer => "resident_answer",
            Self::Supplement => "supplement",
            Self::Warning => "warning",
            Self::Supervised => "supervised",
            Self::AutoEscalated => "auto_escalated",
            Self::ExtensionRequested => "extension_requested",
            Self::ExtensionApproved => "extension_approved",
            Self::ExtensionRefused => "extension_refused",
            Self::Rated => "rated",
            Self::ReopenedUnsatisfied => "reopened_unsatisfied",
            Self::Callback => "callback",
            Self::NoticeIssued => "notice_issued",
            Self::NoticeAnswered => "notice_answered",
            Self::OwnerNamed => "owner_named",
            Self::OwnerRemoved => "owner_removed",
            Self::SummonsOverdue => "summons_overdue",
            Self::SummonsDueSet => "summons_due_set",
            Self::ReportRated => "report_rated",
            Self::PhotoAdded => "photo_added",
            Self::Merged => "merged",
            Self::Joined => "joined",
            Self::MergedIn => "merged_in",
            Self::Unmerged => "unmerged",
            Self::Linked => "linked",
            Self::ClosedWithMain => "closed_with_main",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the resident sees the event on the track page. Internal are a staff note, the
    /// 预警 warning (the unit's own reminder) and extension requests and refusals (between
    /// units); everything else (including 督办 and escalations) is the resident's to see.
    /// Notices issued by hand, their answers and the naming of a leader in charge are between
    /// staff by default: a notice the issuer wants the resident to know of is stored public by
    /// its use case, explicitly.
    #[must_use]
    pub fn is_public(self) -> bool {
        !matches!(
            self,
            Self::Note
                | Self::Warning
                | Self::Callback
                | Self::ExtensionRequested
                | Self::ExtensionRefused
                | Self::NoticeIssued
                | Self::NoticeAnswered
                | Self::OwnerNamed
                | Self::OwnerRemoved
                | Self::SummonsOverdue
                | Self::SummonsDueSet
                | Self::ReportRated
                | Self::MergedIn
                | Self::Linked
        )
    }

    /// Whether the event's body is text written for the resident (a reply, a request, a
    /// resolution, the resident's own words). Other bodies (the routing reason code) are not
    /// shown on the track page even when the event is.
    #[must_use]
    pub fn body_for_resident(self) -> bool {
        matches!(
            self,
            Self::Reply
                | Self::InfoRequested
                | Self::Closed
                | Self::Reopened
                | Self::ResidentAnswer
                | Self::Supplement
                | Self::ExtensionApproved
                | Self::Rated
                | Self::ClosedWithMain
        )
    }
}

/// Reading a stored kind.
impl TryFrom<String> for EventKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).ok_or_else(|| format!("unknown event kind {s:?}"))
    }
}

/// The structured detail of an event (its `detail` column, JSON). Each kind fills the fields it
/// has; the rest stay empty and are not written.
///
/// - transferred / escalated: `from`, `reason`; summoned: `units`, `note`; reported_back: `report`
/// - extension_requested: `days`, `reason`, `id`; extension_approved: `old`, `new`, `days`,
///   `note`; extension_refused: `note`, `days`
/// - warning / supervised: `deadline`, `due`, `cycle`; auto_escalated: `deadline`, `from`, `due`
/// - rated: `rating`, `cycle`; reopened_unsatisfied: `from`, `cycle`
/// - callback: `cycle`, `rating` (only when the resident was reached), `note`
/// - notice_issued: `notice`, `reason`, `due`, `id`; notice_answered: `notice`, `id`, `report`;
///   owner_named: `owner`, `previous` (when it replaced one); owner_removed: `previous`, and
///   `from` when the naming lapsed on a hand-over out of the leader's subtree
/// - summons_overdue: `units` (the one department), `due`; report_rated: `units`, `rating`, `note`
/// - merged / joined / merged_in / unmerged / linked: `other`, and `reason` for a staff merge;
///   unmerged also `rating` when a 不满意 undid it
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetail {
    /// The unit the appeal left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Units summoned (codes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A summoned unit's report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
    /// Working days asked for or granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    /// The extension request's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The deadline before and after an extension (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<i64>,
    /// A rating code (`satisfied`, `basically`, `unsatisfied`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<String>,
    /// The deadline cycle the event belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle: Option<i64>,
    /// Which deadline (`sign` or `resolve`) a supervision stage is about, and when it was due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
    /// A notice by hand: its kind (`domain::notices::NoticeKind::as_str`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// The leader in charge named (display name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The leader in charge replaced or removed (display name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// The other appeal of a merge, join or link (its ticket; shown to staff only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
}

impl EventDetail {
    /// Reads a stored detail; `None` for no detail or one that does not parse (never an error:
    /// a timeline shows what it can).
    #[must_use]
    pub fn parse(stored: Option<&str>) -> Option<Self> {
        stored.and_then(|s| serde_json::from_str(s).ok())
    }

    /// The text stored in the `detail` column.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_say_who_sees_them() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
            // A body meant for the resident is only on an event the resident sees.
            assert!(!k.body_for_resident() || k.is_public(), "{k:?}");
        }
        assert_eq!(EventKind::parse("nonsense"), None);
        assert!(!EventKind::Note.is_public() && !EventKind::Warning.is_public());
        assert!(EventKind::Supervised.is_public() && EventKind::Reply.is_public());
        assert!(EventKind::Routed.is_public() && !EventKind::Routed.body_for_resident());
    }

    #[test]
    fn details_keep_the_stored_format() {
        let d =
            EventDetail {
                from: Some("U-HD01".into()), reason: Some("不属本辖区".into()), ..EventDetail::default()
            };
        assert_eq!(d.to_json(), r#"{"from":"U-HD01","reason":"不属本辖区"}"#);
        // Rows written before the type existed read back the same.
        let old = EventDetail::parse(Some(r#"{"units":["D-HD-hrss"],"note":"x"}"#)).unwrap();
        assert_eq!(old.units.as_deref(), Some(&["D-HD-hrss".to_owned()][..]));
        assert_eq!(EventDetail::parse(Some("not json")), None);
        assert_eq!(EventDetail::parse(None), None);
    }
}
