//! Related and repeated appeals (issue 13): the rules of merging a duplicate into a main appeal,
//! linking related ones, and what the wizard may offer a resident ("someone already reported
//! this"). Pure: the backend loads the facts and asks here.
//!
//! - **Merge** (duplicate): the appeal follows a *main* appeal. A main appeal is never itself
//!   merged (no chains): merging into a merged appeal goes to its main; an appeal that has
//!   followers takes them along when it is merged away (they then follow the new main).
//!   Not into itself, not into a closed appeal; a merged or closed appeal is not merged again.
//! - **Link** (related): both ways, no effect on either appeal; not to itself, once per pair.
//! - **Offer** in the wizard: open main appeals of the same category in the same grid cell,
//!   newest first, at most [`OFFERS_SHOWN`], showing nothing private.

use crate::views::EventView;
use crate::workflow::Status;
use crate::Msg;
use serde::{Deserialize, Serialize};

/// Most appeals the wizard offers to join.
pub const OFFERS_SHOWN: i64 = 5;

/// What a merge needs to know of one appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts<'a> {
    pub ticket: &'a str,
    pub status: Status,
    /// The main appeal it follows, if merged.
    pub merged_into: Option<&'a str>,
}

/// Where a merge of `source` into `target` lands: `target` itself, or its main appeal when
/// `target` is merged (`main` must then be given: that main appeal's facts).
///
/// # Errors
/// The message to show: `source` already merged or closed, the target being `source` itself
/// (also after following the target to its main), or a closed main.
pub fn merge_target<'a>(source: Facts<'_>, target: Facts<'a>, main: Option<Facts<'a>>) -> Result<Facts<'a>, Msg> {
    if source.merged_into.is_some() {
        return Err(Msg::ErrAlreadyMerged);
    }
    if !source.status.is_open() {
        return Err(Msg::ErrActionNotNow);
    }
    let landing = match (target.merged_into, main) {
        (None, _) => target,
        (Some(m), Some(main)) if main.ticket == m && main.merged_into.is_none() => main,
        // The caller did not load the main appeal, or the data has a chain: refuse rather than
        // make one.
        (Some(_), _) => return Err(Msg::ErrMergeTargetUnknown),
    };
    if landing.ticket == source.ticket {
        return Err(Msg::ErrMergeSelf);
    }
    if !landing.status.is_open() {
        return Err(Msg::ErrMergeTargetClosed);
    }
    Ok(landing)
}

/// Whether two appeals may be linked.
///
/// # Errors
/// Linking an appeal to itself, or a pair already linked.
pub fn link_check(a: &str, b: &str, already: bool) -> Result<(), Msg> {
    if a == b {
        Err(Msg::ErrMergeSelf)
    } else if already {
        Err(Msg::ErrAlreadyLinked)
    } else {
        Ok(())
    }
}

/// A link is stored once per pair, the smaller ticket first.
#[must_use]
pub fn link_pair<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// Whether a rating of a merged appeal undoes the merge: a 不满意 says the shared answer did not
/// settle this resident's matter, so their appeal is reopened (the ordinary rule) and handled on
/// its own from then on, instead of following a main appeal that is already closed.
#[must_use]
pub fn rating_unmerges(rating: &str) -> bool {
    rating == "unsatisfied"
}

/// One open appeal the wizard offers to join: only what is public anyway (category, community
/// and grid names, the day it came in, status, how many joined), never the description, name,
/// phone, photos or point; the text only when it was approved for publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedOffer {
    /// The value the join choice posts (tickets are public in the Open311 list anyway).
    pub ticket: String,
    /// The category's name (zh, en).
    pub category_name: (String, String),
    /// The community and grid cell (zh, en each).
    pub place: Vec<(String, String)>,
    /// The day it was received, `YYYY-MM-DD`, China time.
    pub received_on: String,
    pub status: Status,
    /// How many residents joined it (appeals following it).
    pub joined: i64,
    /// The description as approved for publication, if it was.
    pub public_text: Option<String>,
}

/// On the track page of an appeal that follows a main one: that appeal's status and its public
/// events (replies, the resolution), never who wrote it or what they wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowedView {
    pub status: Status,
    /// The resident chose to join it (else staff merged the two).
    pub joined: bool,
    pub events: Vec<EventView>,
}

/// Another appeal tied to this one, as the staff appeal page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedItem {
    pub ticket: String,
    /// The category's name (zh, en).
    pub category_name: (String, String),
    pub status: Status,
    pub submitted_at: i64,
    /// In the viewer's scope: the page links to it (otherwise the ticket alone).
    pub in_scope: bool,
    /// For a follower: its resident joined in the wizard (else staff merged it).
    pub by_resident: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(ticket: &str, status: Status, merged_into: Option<&'static str>) -> Facts<'static> {
        Facts { ticket: Box::leak(ticket.to_owned().into_boxed_str()), status, merged_into }
    }

    #[test]
    fn merges_land_on_a_main_appeal_never_a_chain() {
        let a = f("A", Status::InProgress, None);
        let b = f("B", Status::Assigned, None);
        assert_eq!(merge_target(a, b, None).unwrap().ticket, "B");
        // B follows C: A goes to C.
        let b_merged = f("B", Status::Assigned, Some("C"));
        let c = f("C", Status::InProgress, None);
        assert_eq!(merge_target(a, b_merged, Some(c)).unwrap().ticket, "C");
        // The main given must be B's main, and a main that is merged itself is refused.
        assert_eq!(merge_target(a, b_merged, None), Err(Msg::ErrMergeTargetUnknown));
        assert_eq!(merge_target(a, b_merged, Some(b)), Err(Msg::ErrMergeTargetUnknown));
        assert_eq!(
            merge_target(a, b_merged, Some(f("C", Status::InProgress, Some("D")))),
            Err(Msg::ErrMergeTargetUnknown)
        );
    }

    #[test]
    fn not_into_itself_nor_a_closed_one_nor_twice() {
        let a = f("A", Status::InProgress, None);
        assert_eq!(merge_target(a, a, None), Err(Msg::ErrMergeSelf));
        // B follows A: merging A into B would be A into itself.
        let b = f("B", Status::InProgress, Some("A"));
        assert_eq!(merge_target(a, b, Some(a)), Err(Msg::ErrMergeSelf));
        assert_eq!(merge_target(a, f("C", Status::Closed, None), None), Err(Msg::ErrMergeTargetClosed));
        let merged = f("M", Status::InProgress, Some("X"));
        assert_eq!(merge_target(merged, f("C", Status::InProgress, None), None), Err(Msg::ErrAlreadyMerged));
        let closed = f("K", Status::Closed, None);
        assert_eq!(merge_target(closed, f("C", Status::InProgress, None), None), Err(Msg::ErrActionNotNow));
    }

    #[test]
    fn links_are_pairs_once() {
        assert_eq!(link_check("A", "A", false), Err(Msg::ErrMergeSelf));
        assert_eq!(link_check("A", "B", true), Err(Msg::ErrAlreadyLinked));
        assert_eq!(link_check("A", "B", false), Ok(()));
        assert_eq!(link_pair("B", "A"), ("A", "B"));
        assert_eq!(link_pair("A", "B"), ("A", "B"));
    }

    #[test]
    fn only_unsatisfied_unmerges() {
        assert!(rating_unmerges("unsatisfied"));
        assert!(!rating_unmerges("satisfied") && !rating_unmerges("basically"));
    }
}
