//! Deadlines (the SLA clock).
//!
//! Every appeal has two deadlines: **sign for it** (签收) — by default the end of the next working
//! day, for urgent categories a number of clock hours — and **resolve it** (办结): the category's
//! `deadline_days` in working days, counted in the city's local time from the day after the clock
//! starts, ending at 23:59:59 local on the last one.
//!
//! Working days come from a [`Calendar`]: Monday to Friday, minus listed public holidays, plus
//! listed make-up working days (调休: China moves weekend days to lengthen holidays, so a Saturday
//! can be a working day). The admin edits the lists; the rules here never read a clock: callers
//! pass `now`, so every rule is tested with moved time.
//!
//! Supervision stages, relative to a deadline that runs from `start` to `due`:
//! - **warning** (预警) at 75 % of the time;
//! - **supervision** (督办) once `due` has passed;
//! - **escalation** (升级) a configurable grace after `due`.

use crate::workflow::Status;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::{Date, Duration, OffsetDateTime, Time, UtcOffset, Weekday};

/// China Standard Time, the default local time of a deployment.
pub const CHINA: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// Hours an urgent category gives the unit to sign for an appeal.
pub const URGENT_SIGN_HOURS: i64 = 2;

/// Weekends plus listed holidays, minus listed make-up working days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<Date>,
    workdays: BTreeSet<Date>,
}

/// One entry of the calendar as the admin edits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DayKind {
    /// A public holiday on a day that would otherwise be worked.
    Holiday,
    /// A weekend day that is worked (调休上班).
    Workday,
}

impl DayKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Workday => "workday",
        }
    }
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "holiday" => Some(Self::Holiday),
            "workday" => Some(Self::Workday),
            _ => None,
        }
    }
}

impl Calendar {
    /// Weekends only.
    #[must_use]
    pub fn weekends_only() -> Self {
        Self::default()
    }

    /// Builds a calendar from dated entries. A date listed as both is a working day (the
    /// make-up entry is the more specific statement).
    #[must_use]
    pub fn new(entries: impl IntoIterator<Item = (Date, DayKind)>) -> Self {
        let mut c = Self::default();
        for (d, k) in entries {
            match k {
                DayKind::Holiday => c.holidays.insert(d),
                DayKind::Workday => c.workdays.insert(d),
            };
        }
        c
    }

    #[must_use]
    pub fn is_working_day(&self, d: Date) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        if self.holidays.contains(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The end (23:59:59 local) of the `days`-th working day after `from`'s local date. At least
    /// one day, so "0 days" still leaves the rest of the next working day.
    #[must_use]
    pub fn after_working_days(&self, from: OffsetDateTime, days: u32, offset: UtcOffset) -> OffsetDateTime {
        let mut date = from.to_offset(offset).date();
        let mut left = days.max(1);
        // Bounded: even a calendar of nothing but holidays ends (a year past the target).
        let mut guard = 0u32;
        while left > 0 && guard < 366 * 10 {
            guard += 1;
            date = date.next_day().unwrap_or(date);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        end_of_day(date, offset)
    }
}

fn end_of_day(date: Date, offset: UtcOffset) -> OffsetDateTime {
    let end = Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT);
    date.with_time(end).assume_offset(offset)
}

/// Weekends-only working days; kept for callers that have no calendar.
#[must_use]
pub fn is_working_day(d: Date) -> bool {
    Calendar::weekends_only().is_working_day(d)
}

/// The resolve deadline with weekends only (see [`Calendar::after_working_days`]).
#[must_use]
pub fn resolve_deadline(from: OffsetDateTime, days: u32, offset: UtcOffset) -> OffsetDateTime {
    Calendar::weekends_only().after_working_days(from, days, offset)
}

/// Both deadlines of an appeal whose clock starts at `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub sign_by: OffsetDateTime,
    pub resolve_by: OffsetDateTime,
}

/// Deadlines for a category: urgent ones must be signed for within [`URGENT_SIGN_HOURS`] clock
/// hours, others by the end of the next working day; resolution in `deadline_days` working days.
#[must_use]
pub fn deadlines(
    cal: &Calendar,
    start: OffsetDateTime,
    deadline_days: u32,
    urgent: bool,
    offset: UtcOffset,
) -> Deadlines {
    let resolve_by = cal.after_working_days(start, deadline_days, offset);
    let sign_by =
        if urgent { start + Duration::hours(URGENT_SIGN_HOURS) } else { cal.after_working_days(start, 1, offset) };
    Deadlines { sign_by: sign_by.min(resolve_by), resolve_by }
}

/// A deadline extended by `extra_days` working days (an approved extension request).
#[must_use]
pub fn extend(cal: &Calendar, due: OffsetDateTime, extra_days: u32, offset: UtcOffset) -> OffsetDateTime {
    cal.after_working_days(due, extra_days, offset)
}

/// Supervision stages in the order they fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Stage {
    /// 预警: 75 % of the time is gone.
    Warning,
    /// 督办: the deadline has passed.
    Supervision,
    /// 升级: the grace after the deadline has passed too; the appeal goes up a level.
    Escalation,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Warning, Stage::Supervision, Stage::Escalation];
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::Supervision => "supervision",
            Self::Escalation => "escalation",
        }
    }
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The most working days one extension may ask for.
pub const EXTENSION_DAYS_MAX: i64 = 30;

/// Where the warning point lies in a deadline's span: 3/4 (75 %), as numerator and denominator.
/// The database's queries compute the same point from these two numbers (`store::sql`).
pub const WARNING_FRACTION: (i64, i64) = (3, 4);

/// When the warning fires: [`WARNING_FRACTION`] of the way from `start` to `due`, in whole
/// seconds rounded down (times are stored as whole seconds).
#[must_use]
pub fn warning_at(start: OffsetDateTime, due: OffsetDateTime) -> OffsetDateTime {
    let span = (due - start).whole_seconds();
    if span <= 0 {
        return due;
    }
    start + Duration::seconds(span * WARNING_FRACTION.0 / WARNING_FRACTION.1)
}

/// Which deadline an appeal is running against, as `(start, due)` in Unix seconds: the
/// sign-for deadline while it waits to be signed for (when that one is set and comes first),
/// else the resolve deadline. The inbox, the appeal page and its badge all ask this.
#[must_use]
pub fn running_deadline(status: Status, clock_start: i64, sign_by: i64, resolve_by: i64) -> (i64, i64) {
    if status == Status::Assigned && sign_by > 0 && sign_by < resolve_by {
        (clock_start, sign_by)
    } else {
        (clock_start, resolve_by)
    }
}

/// Every stage due at `now` for a deadline running from `start` to `due`, in firing order.
#[must_use]
pub fn stages_due(now: OffsetDateTime, start: OffsetDateTime, due: OffsetDateTime, grace: Duration) -> Vec<Stage> {
    let mut out = Vec::new();
    if now >= warning_at(start, due) {
        out.push(Stage::Warning);
    }
    if now > due {
        out.push(Stage::Supervision);
    }
    if now > due + grace {
        out.push(Stage::Escalation);
    }
    out
}

/// Whole hours left until `deadline` (negative when overdue).
#[must_use]
pub fn hours_left(now: OffsetDateTime, deadline: OffsetDateTime) -> i64 {
    (deadline - now).whole_hours() - i64::from((deadline - now) < Duration::ZERO)
}

/// How a deadline looks from `now`, for lists and badges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Urgency {
    Fine,
    /// Past the warning point (75 %).
    DueSoon,
    Overdue,
}

impl Urgency {
    /// The token of filters and CSS classes: `fine`, `soon`, `overdue`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fine => "fine",
            Self::DueSoon => "soon",
            Self::Overdue => "overdue",
        }
    }

    /// How an appeal's running deadline looks at `now` (Unix seconds); a closed appeal is fine.
    #[must_use]
    pub fn of_appeal(status: Status, now: i64, clock_start: i64, sign_by: i64, resolve_by: i64) -> Self {
        if !status.is_open() {
            return Self::Fine;
        }
        let (start, due) = running_deadline(status, clock_start, sign_by, resolve_by);
        let t = |s: i64| OffsetDateTime::from_unix_timestamp(s).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        urgency(t(now), t(start), t(due))
    }
}

#[must_use]
pub fn urgency(now: OffsetDateTime, start: OffsetDateTime, due: OffsetDateTime) -> Urgency {
    if now > due {
        Urgency::Overdue
    } else if now >= warning_at(start, due) {
        Urgency::DueSoon
    } else {
        Urgency::Fine
    }
}

/// A stored time (Unix seconds) as the city reads it: `2026-11-24 16:05`.
#[must_use]
pub fn local_text(ts: i64) -> String {
    let Ok(t) = OffsetDateTime::from_unix_timestamp(ts) else { return String::new() };
    let t = t.to_offset(CHINA);
    format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn counts_working_days_in_local_time() {
        // Friday 2026-11-20 10:00 +08 → 3 working days → Wednesday 25th end of day.
        let d = resolve_deadline(datetime!(2026-11-20 02:00 UTC), 3, CHINA);
        assert_eq!(d, datetime!(2026-11-25 23:59:59 +8));
        // Sunday 23:30 UTC is already Monday 07:30 in China: 1 day → Tuesday.
        let d = resolve_deadline(datetime!(2026-11-22 23:30 UTC), 1, CHINA);
        assert_eq!(d, datetime!(2026-11-24 23:59:59 +8));
        // Saturday submission, 1 working day → Monday.
        let d = resolve_deadline(datetime!(2026-11-21 04:00 UTC), 1, CHINA);
        assert_eq!(d, datetime!(2026-11-23 23:59:59 +8));
        // 0 is treated as 1.
        assert_eq!(resolve_deadline(datetime!(2026-11-21 04:00 UTC), 0, CHINA), datetime!(2026-11-23 23:59:59 +8));
        // 10 working days span two weekends.
        let d = resolve_deadline(datetime!(2026-11-23 02:00 UTC), 10, CHINA);
        assert_eq!(d, datetime!(2026-12-07 23:59:59 +8));
    }

    /// A National Day week like China's: 1–7 October off, with the Sundays before and after
    /// (27 September, 10 October) worked instead.
    fn national_day() -> Calendar {
        let mut e: Vec<(Date, DayKind)> = (1..=7)
            .map(|d| (Date::from_calendar_date(2026, time::Month::October, d).unwrap(), DayKind::Holiday))
            .collect();
        e.push((date!(2026 - 09 - 27), DayKind::Workday));
        e.push((date!(2026 - 10 - 10), DayKind::Workday));
        Calendar::new(e)
    }

    #[test]
    fn holidays_are_skipped_and_make_up_days_counted() {
        let cal = national_day();
        assert!(!cal.is_working_day(date!(2026 - 10 - 01)));
        assert!(cal.is_working_day(date!(2026 - 09 - 27)), "a Sunday worked instead");
        assert!(cal.is_working_day(date!(2026 - 10 - 10)), "a Saturday worked instead");
        // Friday 25 September + 1 → the make-up Sunday 27th, not Monday 28th.
        assert_eq!(
            cal.after_working_days(datetime!(2026-09-25 02:00 UTC), 1, CHINA),
            datetime!(2026-09-27 23:59:59 +8)
        );
        // Wednesday 30 September + 2 → Thursday 8th and Friday 9th, across the whole holiday.
        assert_eq!(
            cal.after_working_days(datetime!(2026-09-30 02:00 UTC), 2, CHINA),
            datetime!(2026-10-09 23:59:59 +8)
        );
        // + 3 → the make-up Saturday 10th.
        assert_eq!(
            cal.after_working_days(datetime!(2026-09-30 02:00 UTC), 3, CHINA),
            datetime!(2026-10-10 23:59:59 +8)
        );
    }

    #[test]
    fn a_date_listed_both_ways_is_worked() {
        let d = date!(2026 - 10 - 03);
        let cal = Calendar::new([(d, DayKind::Holiday), (d, DayKind::Workday)]);
        assert!(cal.is_working_day(d));
    }

    #[test]
    fn a_calendar_of_only_holidays_still_ends() {
        let mut e = Vec::new();
        let mut d = date!(2026 - 01 - 01);
        for _ in 0..800 {
            e.push((d, DayKind::Holiday));
            d = d.next_day().unwrap();
        }
        let cal = Calendar::new(e);
        let due = cal.after_working_days(datetime!(2026-01-01 00:00 UTC), 1, CHINA);
        assert!(due > datetime!(2027-01-01 00:00 UTC));
    }

    #[test]
    fn sign_deadlines_urgent_in_hours_others_next_working_day() {
        let cal = Calendar::weekends_only();
        let start = datetime!(2026-11-20 02:00 UTC); // Friday 10:00 local
        let normal = deadlines(&cal, start, 7, false, CHINA);
        assert_eq!(normal.sign_by, datetime!(2026-11-23 23:59:59 +8));
        let urgent = deadlines(&cal, start, 1, true, CHINA);
        assert_eq!(urgent.sign_by, datetime!(2026-11-20 04:00 UTC));
        assert_eq!(urgent.resolve_by, datetime!(2026-11-23 23:59:59 +8));
    }

    #[test]
    fn extension_counts_from_the_old_deadline() {
        let cal = Calendar::weekends_only();
        let due = datetime!(2026-11-25 23:59:59 +8); // Wednesday
        assert_eq!(extend(&cal, due, 3, CHINA), datetime!(2026-11-30 23:59:59 +8));
    }

    #[test]
    fn stages_fire_at_75_percent_due_and_after_grace() {
        let start = datetime!(2026-11-23 00:00 UTC);
        let due = datetime!(2026-11-27 00:00 UTC); // 96 h
        let grace = Duration::hours(24);
        assert!(stages_due(datetime!(2026-11-25 23:59 UTC), start, due, grace).is_empty());
        assert_eq!(stages_due(datetime!(2026-11-26 00:00 UTC), start, due, grace), vec![Stage::Warning]);
        assert_eq!(stages_due(due, start, due, grace), vec![Stage::Warning]);
        assert_eq!(stages_due(due + Duration::seconds(1), start, due, grace), vec![Stage::Warning, Stage::Supervision]);
        assert_eq!(stages_due(due + grace + Duration::seconds(1), start, due, grace), Stage::ALL.to_vec());
        assert_eq!(urgency(datetime!(2026-11-24 00:00 UTC), start, due), Urgency::Fine);
        assert_eq!(urgency(datetime!(2026-11-26 12:00 UTC), start, due), Urgency::DueSoon);
        assert_eq!(urgency(datetime!(2026-11-27 00:00:01 UTC), start, due), Urgency::Overdue);
    }

    #[test]
    fn local_text_is_china_time() {
        assert_eq!(local_text(datetime!(2026-11-24 08:05 UTC).unix_timestamp()), "2026-11-24 16:05");
    }

    #[test]
    fn hours_left_is_negative_when_overdue() {
        let dl = datetime!(2026-11-25 12:00 UTC);
        assert_eq!(hours_left(datetime!(2026-11-25 09:30 UTC), dl), 2);
        assert_eq!(hours_left(datetime!(2026-11-25 12:30 UTC), dl), -1);
    }

    #[test]
    fn the_running_deadline_and_its_badge() {
        // Waiting to be signed for: the sign-for deadline runs while it is set and comes first.
        assert_eq!(running_deadline(Status::Assigned, 100, 200, 1000), (100, 200));
        assert_eq!(running_deadline(Status::Assigned, 100, 0, 1000), (100, 1000), "no sign-for deadline");
        assert_eq!(running_deadline(Status::Assigned, 100, 2000, 1000), (100, 1000), "resolve comes first");
        assert_eq!(running_deadline(Status::InProgress, 100, 200, 1000), (100, 1000));
        // Start 100, due 200: the warning point is 175.
        assert_eq!(Urgency::of_appeal(Status::Assigned, 174, 100, 200, 1000), Urgency::Fine);
        assert_eq!(Urgency::of_appeal(Status::Assigned, 175, 100, 200, 1000), Urgency::DueSoon);
        assert_eq!(Urgency::of_appeal(Status::Assigned, 201, 100, 200, 1000), Urgency::Overdue);
        assert_eq!(Urgency::of_appeal(Status::InProgress, 201, 100, 200, 1000), Urgency::Fine);
        assert_eq!(Urgency::of_appeal(Status::Closed, 5000, 100, 200, 1000), Urgency::Fine, "closed is never late");
        assert_eq!(Urgency::Overdue.as_str(), "overdue");
    }
}
