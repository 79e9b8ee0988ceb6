//! Deadlines (the SLA clock). An appeal must be resolved within its category's number of working
//! days, counted in the city's local time from the day after submission; the deadline is the end of
//! that working day. Weekends are not working days. (The editable holiday calendar with make-up
//! working days comes with the supervision work; this is the rule it will extend.)

use time::{Date, Duration, OffsetDateTime, Time, UtcOffset, Weekday};

/// China Standard Time, the default local time of a deployment.
pub const CHINA: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

#[must_use]
pub fn is_working_day(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// `days` working days after `from`'s local date (at least one, so "0 days" still leaves the
/// rest of the next working day), ending at 23:59:59 local time.
#[must_use]
pub fn resolve_deadline(from: OffsetDateTime, days: u32, offset: UtcOffset) -> OffsetDateTime {
    let mut date = from.to_offset(offset).date();
    let mut left = days.max(1);
    while left > 0 {
        date = date.next_day().unwrap_or(date);
        if is_working_day(date) {
            left -= 1;
        }
    }
    let end = Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT);
    date.with_time(end).assume_offset(offset)
}

/// Whole hours left until `deadline` (negative when overdue).
#[must_use]
pub fn hours_left(now: OffsetDateTime, deadline: OffsetDateTime) -> i64 {
    (deadline - now).whole_hours() - i64::from((deadline - now) < Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

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
        assert_eq!(
            resolve_deadline(datetime!(2026-11-21 04:00 UTC), 0, CHINA),
            datetime!(2026-11-23 23:59:59 +8)
        );
        // 10 working days span two weekends.
        let d = resolve_deadline(datetime!(2026-11-23 02:00 UTC), 10, CHINA);
        assert_eq!(d, datetime!(2026-12-07 23:59:59 +8));
    }

    #[test]
    fn hours_left_is_negative_when_overdue() {
        let dl = datetime!(2026-11-25 12:00 UTC);
        assert_eq!(hours_left(datetime!(2026-11-25 09:30 UTC), dl), 2);
        assert_eq!(hours_left(datetime!(2026-11-25 12:30 UTC), dl), -1);
    }
}
