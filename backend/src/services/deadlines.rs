//! Deadline helpers shared by the use cases that set or watch deadlines (submission, hand-over,
//! escalation, supervision): the working-day calendar as stored and the sign-for deadline of a
//! hand-over. The rules themselves are in `domain::sla`.

use crate::store::supervision as store;
use crate::Result;
use domain::sla::{self, Calendar, DayKind};
use sqlx::AnyPool;
use std::sync::{Arc, RwLock};
use time::{Date, OffsetDateTime};

/// A stored time (Unix seconds) as a date-time; the epoch for the impossible out-of-range value.
#[must_use]
pub fn ts(t: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The working-day calendar, read once per content version (every submission needs it; it
/// changes a few times a year). Editing a day bumps the version ([`crate::services::supervision`]),
/// so this node reloads at once and the others within their catalog poll (10 s).
///
/// # Errors
/// Database errors.
pub async fn calendar_cached(state: &crate::AppState) -> Result<Arc<Calendar>> {
    let version = state.catalog.version();
    if let Some(cal) = state.calendar.get(version) {
        return Ok(cal);
    }
    let cal = Arc::new(calendar(&state.db.pool).await?);
    state.calendar.put(version, Arc::clone(&cal));
    Ok(cal)
}

/// A calendar and the content version it was read at.
type Versioned = Option<(i64, Arc<Calendar>)>;

/// The last calendar read and the content version it was read at.
#[derive(Clone, Default)]
pub struct CalendarCache(Arc<RwLock<Versioned>>);

impl CalendarCache {
    fn get(&self, version: i64) -> Option<Arc<Calendar>> {
        let g = self.0.read().ok()?;
        g.as_ref().filter(|(v, _)| *v == version).map(|(_, c)| Arc::clone(c))
    }

    fn put(&self, version: i64, cal: Arc<Calendar>) {
        if let Ok(mut g) = self.0.write() {
            *g = Some((version, cal));
        }
    }
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
