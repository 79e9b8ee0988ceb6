//! Summonses with duties (吹哨报到, issue 13): which departments an appeal's category lets a
//! centre summon, the report-back deadline it sets, and when a summons is overdue.
//!
//! The per-category list names department *kinds* (`hrss`, `housing`, …: the part after
//! `department:` in a unit's kind), so one list serves every district. A category without any
//! listed kind lets the centre summon any department of the district, as before the list existed.

use crate::sla::{Calendar, CHINA};
use crate::{FieldError, FieldName, Msg};
use time::OffsetDateTime;

/// Working days a report back is due in when the dispatcher does not choose.
pub const DEFAULT_DAYS: u32 = 3;

/// The most working days a dispatcher may give.
pub const DAYS_MAX: u32 = 15;

/// The longest rating note, in characters.
pub const RATING_NOTE_MAX: usize = 500;

/// The working days a summons gives, from the form: empty means [`DEFAULT_DAYS`]; otherwise a
/// whole number from 1 to [`DAYS_MAX`].
///
/// # Errors
/// A [`FieldName::Days`] error for anything else.
pub fn parse_days(s: &str) -> Result<u32, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(DEFAULT_DAYS);
    }
    s.parse::<u32>()
        .ok()
        .filter(|d| (1..=DAYS_MAX).contains(d))
        .ok_or_else(|| FieldError::new(FieldName::Days, Msg::ErrSummonDays))
}

/// When a report back is due: the end (23:59:59 China time) of the `days`-th working day after
/// the summons, on the same calendar as the appeals' own deadlines.
#[must_use]
pub fn due_at(cal: &Calendar, summoned: OffsetDateTime, days: u32) -> OffsetDateTime {
    cal.after_working_days(summoned, days, CHINA)
}

/// The department kind of a unit kind (`department:hrss` → `hrss`), `None` for other units.
#[must_use]
pub fn department_kind(unit_kind: &str) -> Option<&str> {
    unit_kind.strip_prefix("department:")
}

/// Whether a department of `unit_kind` may be summoned under `listed` (the category's kinds):
/// any department when nothing is listed, else only the listed kinds.
#[must_use]
pub fn may_summon(listed: &[String], unit_kind: &str) -> bool {
    department_kind(unit_kind).is_some_and(|k| listed.is_empty() || listed.iter().any(|l| l == k))
}

/// Whether a summons still owing its report is overdue at `now`.
#[must_use]
pub fn is_overdue(due_at: Option<i64>, reported_at: Option<i64>, now: i64) -> bool {
    reported_at.is_none() && due_at.is_some_and(|d| now > d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn days_default_range_and_errors() {
        assert_eq!(parse_days(""), Ok(3));
        assert_eq!(parse_days(" 1 "), Ok(1));
        assert_eq!(parse_days("15"), Ok(15));
        for bad in ["0", "16", "-1", "3.5", "三"] {
            assert_eq!(parse_days(bad).unwrap_err().msg, Msg::ErrSummonDays, "{bad}");
        }
    }

    #[test]
    fn due_counts_working_days_and_holidays() {
        // Friday 2026-09-25 10:00 China time; 3 working days: Mon 28, Tue 29, Wed 30.
        let fri = datetime!(2026-09-25 10:00 +8);
        assert_eq!(due_at(&Calendar::weekends_only(), fri, 3), datetime!(2026-09-30 23:59:59 +8));
        // With Tuesday a holiday and Saturday 26 a make-up working day: Sat 26, Mon 28, Wed 30.
        let cal = Calendar::new([
            (date!(2026 - 09 - 29), crate::sla::DayKind::Holiday),
            (date!(2026 - 09 - 26), crate::sla::DayKind::Workday),
        ]);
        assert_eq!(due_at(&cal, fri, 3), datetime!(2026-09-30 23:59:59 +8));
        assert_eq!(due_at(&cal, fri, 2), datetime!(2026-09-28 23:59:59 +8));
    }

    #[test]
    fn listed_kinds_or_any_department() {
        let listed = vec!["hrss".to_owned(), "justice".to_owned()];
        assert!(may_summon(&listed, "department:hrss"));
        assert!(!may_summon(&listed, "department:housing"));
        assert!(may_summon(&[], "department:housing"));
        assert!(!may_summon(&[], "street_center"));
    }

    #[test]
    fn overdue_only_while_owing() {
        assert!(is_overdue(Some(100), None, 101));
        assert!(!is_overdue(Some(100), None, 100));
        assert!(!is_overdue(Some(100), Some(150), 200));
        assert!(!is_overdue(None, None, 200));
    }
}
