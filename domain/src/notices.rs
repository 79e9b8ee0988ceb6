//! Supervision notices issued by hand (issue 13): the five kinds an overseeing dispatcher sends to
//! the unit handling an appeal, and the checks on what they type (kind, reason, answer date).
//! Who may issue and answer one is `workflow::may` (`IssueNotice`, `AnswerNotice`); the automatic
//! 预警/督办 of the supervision job are a different thing (`sla::Stage`).

use crate::fields::{FieldError, FieldName, REASON_MAX};
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, Time, UtcOffset};

/// The five kinds, mildest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeKind {
    /// 提示: a reminder.
    Reminder,
    /// 预警: a warning.
    Warning,
    /// 督办: supervision.
    Supervision,
    /// 交办: an assignment from above.
    Assignment,
    /// 警示: an admonition.
    Admonition,
}

impl NoticeKind {
    pub const ALL: [Self; 5] = [Self::Reminder, Self::Warning, Self::Supervision, Self::Assignment, Self::Admonition];

    /// The stored code.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reminder => "reminder",
            Self::Warning => "warning",
            Self::Supervision => "supervision",
            Self::Assignment => "assignment",
            Self::Admonition => "admonition",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Its name (提示, 预警, …).
    #[must_use]
    pub fn label(self) -> Msg {
        match self {
            Self::Reminder => Msg::NoticeReminder,
            Self::Warning => Msg::NoticeWarning,
            Self::Supervision => Msg::NoticeSupervision,
            Self::Assignment => Msg::NoticeAssignment,
            Self::Admonition => Msg::NoticeAdmonition,
        }
    }
}

/// How many days ahead an answer may be asked for (today is day 0).
pub const ANSWER_DAYS_MAX: i64 = 30;

/// A notice as typed, checked: its kind, reason and the end of its answer day (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    pub kind: NoticeKind,
    pub reason: String,
    pub due_at: i64,
}

/// Checks a notice's fields, each with its own message: the kind one of the five, the reason
/// given and at most [`REASON_MAX`] characters, the answer date a `YYYY-MM-DD` from today to
/// [`ANSWER_DAYS_MAX`] days ahead in `offset`'s calendar. The answer is due at the end of that
/// day (23:59:59), like the resolve deadline.
///
/// # Errors
/// Every field that is not valid.
pub fn check(
    kind: &str,
    reason: &str,
    due: &str,
    now: OffsetDateTime,
    offset: UtcOffset,
) -> Result<NewNotice, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = NoticeKind::parse(kind);
    if kind.is_none() {
        errors.push(FieldError::new(FieldName::NoticeKind, Msg::ErrNoticeKind));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        errors.push(FieldError::new(FieldName::Reason, Msg::ErrReasonEmpty));
    } else if reason.chars().count() > REASON_MAX {
        errors.push(FieldError::new(FieldName::Reason, Msg::ErrReasonLong));
    }
    let today = now.to_offset(offset).date();
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let due_day = match Date::parse(due.trim(), &fmt) {
        Err(_) => {
            errors.push(FieldError::new(
                FieldName::Due,
                if due.trim().is_empty() { Msg::ErrNoticeDueEmpty } else { Msg::ErrNoticeDue },
            ));
            None
        }
        Ok(d) if d < today || (d - today).whole_days() > ANSWER_DAYS_MAX => {
            errors.push(FieldError::new(FieldName::Due, Msg::ErrNoticeDueRange));
            None
        }
        Ok(d) => Some(d),
    };
    match (kind, due_day) {
        (Some(kind), Some(day)) if errors.is_empty() => {
            let end = day.with_time(Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT)).assume_offset(offset);
            Ok(NewNotice { kind, reason: reason.to_owned(), due_at: end.unix_timestamp() })
        }
        _ => Err(errors),
    }
}

/// Whether a notice's answer is overdue at `now`: not answered and past its day.
#[must_use]
pub fn is_overdue(due_at: i64, answered_at: Option<i64>, now: i64) -> bool {
    answered_at.is_none() && now > due_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::CHINA;
    use time::macros::datetime;

    #[test]
    fn kinds_round_trip() {
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(NoticeKind::parse("scolding"), None);
    }

    #[test]
    fn each_field_is_checked() {
        // 2026-11-23 09:00 in China.
        let now = datetime!(2026-11-23 01:00 UTC);
        let ok = check("supervision", " 请三天内答复 ", "2026-11-26", now, CHINA).unwrap();
        assert_eq!(ok.kind, NoticeKind::Supervision);
        assert_eq!(ok.reason, "请三天内答复");
        assert_eq!(ok.due_at, datetime!(2026-11-26 23:59:59 +8).unix_timestamp());
        // Today and 30 days ahead are the ends of the range.
        assert!(check("reminder", "r", "2026-11-23", now, CHINA).is_ok());
        assert!(check("reminder", "r", "2026-12-23", now, CHINA).is_ok());
        let errs = |k: &str, r: &str, d: &str| check(k, r, d, now, CHINA).unwrap_err();
        assert_eq!(errs("reminder", "r", "2026-12-24"), vec![FieldError::new(FieldName::Due, Msg::ErrNoticeDueRange)]);
        assert_eq!(errs("reminder", "r", "2026-11-22"), vec![FieldError::new(FieldName::Due, Msg::ErrNoticeDueRange)]);
        assert_eq!(
            errs("", "", "tomorrow"),
            vec![
                FieldError::new(FieldName::NoticeKind, Msg::ErrNoticeKind),
                FieldError::new(FieldName::Reason, Msg::ErrReasonEmpty),
                FieldError::new(FieldName::Due, Msg::ErrNoticeDue),
            ]
        );
        assert_eq!(
            errs("warning", &"字".repeat(REASON_MAX + 1), ""),
            vec![
                FieldError::new(FieldName::Reason, Msg::ErrReasonLong),
                FieldError::new(FieldName::Due, Msg::ErrNoticeDueEmpty),
            ]
        );
    }

    #[test]
    fn overdue_only_when_unanswered_and_past() {
        assert!(is_overdue(100, None, 101));
        assert!(!is_overdue(100, None, 100));
        assert!(!is_overdue(100, Some(150), 200));
    }
}
