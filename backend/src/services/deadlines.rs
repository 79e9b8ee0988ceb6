//! Deadline helpers shared by the use cases that set or watch deadlines (submission, hand-over,
//! escalation, supervision): the working-day calendar as stored and the sign-for deadline of a
//! hand-over. The rules themselves are in `domain::sla`.

use crate::store::supervision as store;
use crate::Result;
use domain::sla::{self, Calendar, DayKind};
use sqlx::AnyPool;
use time::{Date, OffsetDateTime};

/// A stored time (Unix seconds) as a date-time; the epoch for the impossible out-of-range value.
#[must_use]
pub fn ts(t: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The working-day calendar as the admin left it.
///
/// # Errors
/// Database errors.
pub async fn calendar(pool: &AnyPool) -> Result<Calendar> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let entries = store::holidays(pool)
        .await?
        .into_iter()
        .filter_map(|(day, kind, _)| Some((Date::parse(&day, &fmt).ok()?, DayKind::parse(&kind)?)));
    Ok(Calendar::new(entries))
}

/// The sign-for deadline of a unit that receives an appeal at `now` (a hand-over): the end of
/// the next working day, or the urgent hours.
#[must_use]
pub fn new_sign_deadline(cal: &Calendar, now: i64, urgent: bool) -> i64 {
    sla::deadlines(cal, ts(now), 1, urgent, sla::CHINA).sign_by.unix_timestamp()
}
