//! Follow-up calls (回访) and reply templates (issue 13): the pure rules.
//!
//! **The callback queue.** A closed appeal waits for a call in its current round (`cycle`) when
//! the resident left a phone number (not anonymous: Open311 appeals often have none), no call has
//! reached the resident in that round yet, fewer than [`MAX_ATTEMPTS`] calls failed to get
//! through (after that the resident counts as unreachable and the appeal leaves the queue, so a
//! few dead numbers cannot block it), and one of [`QueueReason`] holds: the rating window passed
//! without a rating; the resident rated 基本满意 or 不满意; or the round follows a 不满意 (a
//! reopened appeal closed again is called back at once, whatever the window).
//!
//! **Who calls.** The call is supervision of the handling unit's work, so only a dispatcher of a
//! centre above that unit records it, and only one who may see the resident's contact
//! ([`may_record`]): never the handling unit itself, a co-handler, a grid worker or an admin —
//! otherwise a unit could rate its own work.
//!
//! **What a reached call says counts** — once the resident's own say is over ([`call_counts`]).
//! While the resident may still rate (rating window open, not rated), the call's satisfaction is
//! kept in the call row and nothing else happens. Otherwise it becomes the round's rating
//! (channel `callback`) when the resident did not rate it (a resident's own rating is never
//! overwritten), and 不满意 does what the resident's 不满意 does (the round is reopened one level
//! up) and puts the new round under supervision (督办).

use crate::fields::{FieldError, FieldName, TEXT_MAX};
use crate::i18n::Msg;
use crate::workflow::{self, Action, Relation, Role};
use serde::{Deserialize, Serialize};

/// Calls that did not get through, in one round, after which the resident counts as unreachable
/// and the appeal leaves the queue.
pub const MAX_ATTEMPTS: i64 = 3;

/// Longest template title, in characters.
pub const TEMPLATE_TITLE_MAX: usize = 60;

/// A rating code as stored (`ratings.rating`, `callbacks.satisfaction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Satisfaction {
    Satisfied,
    Basically,
    Unsatisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 3] = [Self::Satisfied, Self::Basically, Self::Unsatisfied];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Satisfied => "satisfied",
            Self::Basically => "basically",
            Self::Unsatisfied => "unsatisfied",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    /// The words for it (the same as the resident's rating form).
    #[must_use]
    pub fn msg(self) -> Msg {
        match self {
            Self::Satisfied => Msg::RatingSatisfied,
            Self::Basically => Msg::RatingBasically,
            Self::Unsatisfied => Msg::RatingUnsatisfied,
        }
    }
}

/// Why an appeal is in the callback queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum QueueReason {
    /// Closed, and the rating window passed without a rating.
    Unrated,
    /// The resident rated this round 基本满意.
    Basically,
    /// The resident rated this round 不满意, or the round follows a 不满意.
    Unsatisfied,
}

impl QueueReason {
    #[must_use]
    pub fn msg(self) -> Msg {
        match self {
            Self::Unrated => Msg::CallbackWhyUnrated,
            Self::Basically => Msg::CallbackWhyBasically,
            Self::Unsatisfied => Msg::CallbackWhyUnsatisfied,
        }
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unrated => "unrated",
            Self::Basically => "basically",
            Self::Unsatisfied => "unsatisfied",
        }
    }
}

/// The facts about one closed appeal's current round that decide whether it waits for a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundFacts<'a> {
    /// When the round was closed (Unix seconds).
    pub closed_at: i64,
    /// The round's rating code, if any (by the resident or a call).
    pub rating: Option<&'a str>,
    /// The round before this one ended in 不满意 (on the track page or on a call).
    pub after_unsatisfied: bool,
    /// A call already reached the resident about this round.
    pub reached: bool,
    /// Calls in this round that did not get through.
    pub attempts: i64,
}

/// Why the round waits for a call, or `None` when it does not. `window` is the rating window in
/// seconds; the SQL in `backend::store::callbacks::queue` selects the same rows.
#[must_use]
pub fn queue_reason(f: RoundFacts<'_>, now: i64, window: i64) -> Option<QueueReason> {
    if f.reached || f.attempts >= MAX_ATTEMPTS {
        return None;
    }
    match f.rating {
        Some("satisfied") => None,
        Some("basically") => Some(QueueReason::Basically),
        Some(_) => Some(QueueReason::Unsatisfied),
        None if f.after_unsatisfied => Some(QueueReason::Unsatisfied),
        None if now - f.closed_at > window => Some(QueueReason::Unrated),
        None => None,
    }
}

/// Whether the resident can be called at all: a named appeal with a phone number.
#[must_use]
pub fn callable(anonymous: bool, phone: Option<&str>) -> bool {
    !anonymous && phone.is_some_and(|p| !p.trim().is_empty())
}

/// Whether staff of `role` have a callback queue at all (the nav link): dispatchers only, the
/// one role that oversees units from above.
#[must_use]
pub fn has_queue(role: Role) -> bool {
    role == Role::Dispatcher
}

/// Whether a member of `role`, standing to the appeal as `rel`, may record a call: a dispatcher
/// overseeing the handling unit from above, not co-handling it, who may see the contact. The
/// handling unit must not rate its own work; admins take no workflow action.
#[must_use]
pub fn may_record(role: Role, rel: Relation) -> bool {
    has_queue(role) && rel.oversees_from_above() && !rel.co_handles && workflow::may(role, Action::RevealContact, rel)
}

/// Whether a reached call acts — its satisfaction becomes the round's rating when there is none,
/// and its 不满意 reopens — or is only recorded. It acts once the resident's own say is over:
/// they rated the round already (`rated`), or the rating window (`window` seconds from
/// `closed_at`) has passed. So a call never takes away the resident's right to rate.
#[must_use]
pub fn call_counts(closed_at: i64, now: i64, window: i64, rated: bool) -> bool {
    rated || now - closed_at > window
}

/// The outcome of one call, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nobody answered, wrong number…: the appeal stays in the queue.
    NotReached { note: Option<String> },
    /// The resident was reached and said how satisfied they are.
    Reached { satisfaction: Satisfaction, note: Option<String> },
}

impl Outcome {
    /// Reads the form: `outcome` = `reached` / `not_reached`; `satisfaction` (needed when
    /// reached); `note` (optional, up to the text limit). Every problem at once.
    ///
    /// # Errors
    /// Per-field errors: no outcome chosen, no satisfaction for a reached call, a note too long.
    pub fn parse(outcome: &str, satisfaction: &str, note: &str) -> Result<Self, Vec<FieldError>> {
        let mut errs = Vec::new();
        let note = note.trim();
        if note.chars().count() > TEXT_MAX {
            errs.push(FieldError::new(FieldName::Body, Msg::ErrBodyLong));
        }
        let note = (!note.is_empty()).then(|| note.to_owned());
        let out = match outcome.trim() {
            "not_reached" => Some(Self::NotReached { note }),
            "reached" => match Satisfaction::parse(satisfaction) {
                Some(s) => Some(Self::Reached { satisfaction: s, note }),
                None => {
                    errs.push(FieldError::new(FieldName::Rating, Msg::ErrRatingMissing));
                    None
                }
            },
            _ => {
                errs.push(FieldError::new(FieldName::Outcome, Msg::ErrCallbackOutcome));
                None
            }
        };
        match out {
            Some(o) if errs.is_empty() => Ok(o),
            _ => Err(errs),
        }
    }
}

/// One appeal in the callback queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackItem {
    pub ticket: String,
    pub category_name: (String, String),
    pub unit_name: String,
    pub closed_at: i64,
    pub reason: QueueReason,
    /// Calls in this round that did not reach the resident.
    pub attempts: i64,
    /// When the last of them was made.
    pub last_attempt_at: Option<i64>,
}

/// One page of the callback queue, with the whole queue's size (not just this page's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackQueue {
    pub items: Vec<CallbackItem>,
    /// Appeals waiting for a call in all, over every page.
    pub total: i64,
    /// This page (from 1) and how many there are (at least 1).
    pub page: i64,
    pub pages: i64,
}

/// The follow-up calls of a dashboard's scope (issue 13): the appeals waiting for a call now,
/// and what the calls of the period came to. Exact counts, as every dashboard figure (staff see
/// their own work; nothing is suppressed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackFigures {
    /// Closed appeals of the scope in the callback queue now ([`queue_reason`]'s rule, whoever
    /// makes the call).
    pub waiting: u64,
    /// Calls in the period that reached the resident, by what the resident said.
    pub satisfied: u64,
    pub basically: u64,
    pub unsatisfied: u64,
    /// Rounds given up in the period: their [`MAX_ATTEMPTS`]-th call did not get through.
    pub unreachable: u64,
}

impl CallbackFigures {
    /// Callbacks done in the period: every reached call and every round given up.
    #[must_use]
    pub fn done(&self) -> u64 {
        self.satisfied + self.basically + self.unsatisfied + self.unreachable
    }

    /// The reached calls' count for one answer.
    #[must_use]
    pub fn said(&self, s: Satisfaction) -> u64 {
        match s {
            Satisfaction::Satisfied => self.satisfied,
            Satisfaction::Basically => self.basically,
            Satisfaction::Unsatisfied => self.unsatisfied,
        }
    }
}

/// A reply template as staff and the admin page see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyTemplate {
    pub id: String,
    pub category: String,
    pub title: String,
    pub body: String,
}

/// A template's fields, checked: a known category, a title and a body within their limits.
///
/// # Errors
/// Per-field errors, all at once.
pub fn check_template(
    category: &str,
    title: &str,
    body: &str,
    known_category: impl Fn(&str) -> bool,
) -> Result<(String, String, String), Vec<FieldError>> {
    let mut errs = Vec::new();
    let category = category.trim();
    if !known_category(category) {
        errs.push(FieldError::new(FieldName::Category, Msg::ErrCategoryMissing));
    }
    let title = title.trim();
    if title.is_empty() {
        errs.push(FieldError::new(FieldName::Title, Msg::ErrTemplateTitle));
    } else if title.chars().count() > TEMPLATE_TITLE_MAX {
        errs.push(FieldError::new(FieldName::Title, Msg::ErrTemplateTitleLong));
    }
    let body = body.trim();
    if body.is_empty() {
        errs.push(FieldError::new(FieldName::Body, Msg::ErrBodyEmpty));
    } else if body.chars().count() > TEXT_MAX {
        errs.push(FieldError::new(FieldName::Body, Msg::ErrBodyLong));
    }
    if errs.is_empty() {
        Ok((category.to_owned(), title.to_owned(), body.to_owned()))
    } else {
        Err(errs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn facts(rating: Option<&str>) -> RoundFacts<'_> {
        RoundFacts { closed_at: 0, rating, after_unsatisfied: false, reached: false, attempts: 0 }
    }

    #[test]
    fn who_waits_for_a_call() {
        let w = 7 * DAY;
        assert_eq!(queue_reason(facts(None), w + 1, w), Some(QueueReason::Unrated));
        assert_eq!(queue_reason(facts(None), w, w), None, "the window has not passed yet");
        assert_eq!(queue_reason(facts(Some("satisfied")), w + 1, w), None);
        assert_eq!(queue_reason(facts(Some("basically")), 1, w), Some(QueueReason::Basically));
        assert_eq!(queue_reason(facts(Some("unsatisfied")), 1, w), Some(QueueReason::Unsatisfied));
        let after = RoundFacts { after_unsatisfied: true, ..facts(None) };
        assert_eq!(queue_reason(after, 1, w), Some(QueueReason::Unsatisfied));
        // A satisfied round after a 不满意 is done.
        assert_eq!(queue_reason(RoundFacts { after_unsatisfied: true, ..facts(Some("satisfied")) }, 1, w), None);
        let reached = RoundFacts { reached: true, ..facts(Some("basically")) };
        assert_eq!(queue_reason(reached, w + 1, w), None);
        // Two failed calls keep it waiting; the third makes the resident unreachable.
        let tried = |attempts| RoundFacts { attempts, ..facts(None) };
        assert_eq!(queue_reason(tried(MAX_ATTEMPTS - 1), w + 1, w), Some(QueueReason::Unrated));
        assert_eq!(queue_reason(tried(MAX_ATTEMPTS), w + 1, w), None);
    }

    #[test]
    fn outcomes_are_checked_field_by_field() {
        assert_eq!(Outcome::parse("not_reached", "", " "), Ok(Outcome::NotReached { note: None }));
        assert_eq!(
            Outcome::parse("reached", "basically", "路灯修好了"),
            Ok(Outcome::Reached { satisfaction: Satisfaction::Basically, note: Some("路灯修好了".into()) })
        );
        assert_eq!(
            Outcome::parse("reached", "", ""),
            Err(vec![FieldError::new(FieldName::Rating, Msg::ErrRatingMissing)])
        );
        let long = "字".repeat(TEXT_MAX + 1);
        assert_eq!(
            Outcome::parse("", "", &long),
            Err(vec![
                FieldError::new(FieldName::Body, Msg::ErrBodyLong),
                FieldError::new(FieldName::Outcome, Msg::ErrCallbackOutcome)
            ])
        );
    }

    #[test]
    fn only_dispatchers_above_the_unit_record_calls() {
        let none = Relation::default();
        let above = Relation { oversees: true, ..none };
        assert!(may_record(Role::Dispatcher, above));
        // The centre handling it itself, a co-handler, the parent unit that is no centre.
        assert!(!may_record(Role::Dispatcher, Relation { handles: true, ..above }));
        assert!(!may_record(Role::Dispatcher, Relation { co_handles: true, ..above }));
        assert!(!may_record(Role::UnitHandler, Relation { handles: true, ..none }));
        assert!(!may_record(Role::UnitHandler, Relation { parent: true, ..none }));
        assert!(!may_record(Role::GridWorker, Relation { parent: true, ..none }));
        assert!(!may_record(Role::Admin, above));
        assert!(has_queue(Role::Dispatcher) && !has_queue(Role::UnitHandler) && !has_queue(Role::Admin));
    }

    #[test]
    fn calls_count_only_after_the_window_and_need_a_phone() {
        assert!(!call_counts(0, 7 * DAY, 7 * DAY, false), "the resident may still rate");
        assert!(call_counts(0, 7 * DAY, 7 * DAY, true), "the resident rated already");
        assert!(call_counts(0, 7 * DAY + 1, 7 * DAY, false));
        assert!(callable(false, Some("13700000001")));
        assert!(!callable(true, Some("13700000001")));
        assert!(!callable(false, Some(" ")) && !callable(false, None));
    }

    #[test]
    fn templates_need_a_known_category_a_title_and_a_body() {
        let known = |c: &str| c == "sanitation";
        assert_eq!(
            check_template(" sanitation ", " 已清理 ", " 您好，已安排清运。 ", known),
            Ok(("sanitation".into(), "已清理".into(), "您好，已安排清运。".into()))
        );
        assert_eq!(
            check_template("nope", "", "", known),
            Err(vec![
                FieldError::new(FieldName::Category, Msg::ErrCategoryMissing),
                FieldError::new(FieldName::Title, Msg::ErrTemplateTitle),
                FieldError::new(FieldName::Body, Msg::ErrBodyEmpty),
            ])
        );
        let long_title = "t".repeat(TEMPLATE_TITLE_MAX + 1);
        assert_eq!(
            check_template("sanitation", &long_title, "x", known),
            Err(vec![FieldError::new(FieldName::Title, Msg::ErrTemplateTitleLong)])
        );
    }
}
