//! Summonses with duties (吹哨报到, issue 13): which departments an appeal's category lets a
//! centre summon, the report-back deadline it sets, and when a summons is overdue.
//!
//! The per-category list names department *kinds* (`hrss`, `housing`, …: the part after
//! `department:` in a unit's kind), so one list serves every district. A category without any
//! listed kind lets the centre summon any department of the district, as before the list existed.

use crate::sla::{Calendar, CHINA};
use crate::{FieldError, FieldName, Msg};
use serde::{Deserialize, Serialize};
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

/// How many summonses one page of `/staff/summons` lists.
pub const HISTORY_PAGE: i64 = 50;
/// The highest page number read from a query string.
pub const HISTORY_PAGES_MAX: i64 = 1_000_000;

/// Which summonses the history page lists: they partition every watched summons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Show {
    /// Report not in yet, deadline not passed.
    Waiting,
    /// Report not in yet, deadline passed ([`is_overdue`]).
    Late,
    /// Reported back (in time or not).
    Reported,
    #[default]
    All,
}

impl Show {
    pub const ALL: [Self; 4] = [Self::Waiting, Self::Late, Self::Reported, Self::All];

    /// The query value; anything unknown is [`Show::All`].
    #[must_use]
    pub fn parse(s: &str) -> Self {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim()).unwrap_or_default()
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Late => "late",
            Self::Reported => "reported",
            Self::All => "all",
        }
    }
}

/// The history page's filter, from its query string: which summonses, called in on or after
/// `from` and on or before `to` (`YYYY-MM-DD`, China time, either may be empty), which page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HistoryFilter {
    pub show: Show,
    pub from: String,
    pub to: String,
    pub page: i64,
}

impl HistoryFilter {
    #[must_use]
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let s = |k: &str| get(k).map(|v| v.trim().chars().take(20).collect::<String>()).unwrap_or_default();
        Self {
            show: Show::parse(&s("show")),
            from: s("from"),
            to: s("to"),
            // Past the last page the service shows the last one; a page beyond any list is
            // cut here, so no offset arithmetic can overflow.
            page: s("page").parse::<i64>().ok().filter(|p| *p >= 1).map_or(1, |p| p.min(HISTORY_PAGES_MAX)),
        }
    }

    /// The query string (without `?`) of this filter on page `page`; `enc` is the caller's URL
    /// encoder.
    #[must_use]
    pub fn query_string(&self, page: i64, enc: impl Fn(&str) -> String) -> String {
        let mut q = vec![format!("show={}", self.show.as_str())];
        for (k, v) in [("from", &self.from), ("to", &self.to)] {
            if !v.is_empty() {
                q.push(format!("{k}={}", enc(v)));
            }
        }
        q.push(format!("page={page}"));
        q.join("&")
    }

    /// `[from, to)` in Unix seconds (the days' bounds, China time).
    ///
    /// # Errors
    /// A date that is not one, or `to` before `from`, at its field (as the inbox search).
    pub fn period(&self) -> Result<(Option<i64>, Option<i64>), Vec<FieldError>> {
        let f = crate::staff::InboxFilter { from: self.from.clone(), to: self.to.clone(), ..Default::default() };
        f.search().map(|s| (s.submitted_from, s.submitted_before))
    }
}

/// One summons as the history page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub ticket: String,
    pub category: String,
    pub category_name: String,
    pub category_name_en: String,
    /// The department called in.
    pub unit: String,
    pub unit_name: String,
    pub summoned_at: i64,
    pub due_at: i64,
    pub reported_at: Option<i64>,
    /// Overdue now, or reported after the deadline.
    pub late: bool,
    /// The summoning unit's rating of the report (`satisfied`, `basically`, `unsatisfied`).
    pub rating: Option<String>,
}

/// One page of the history.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct History {
    pub filter: HistoryFilter,
    pub items: Vec<HistoryItem>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// A bad date in the filter: nothing is listed, each field says why.
    pub problems: Vec<FieldError>,
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
    #[test]
    fn the_history_filter_reads_and_writes_its_query() {
        let q = |pairs: &[(&str, &str)]| {
            let m: std::collections::HashMap<String, String> =
                pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
            HistoryFilter::from_query(|k| m.get(k).cloned())
        };
        let f = q(&[("show", "late"), ("from", "2026-11-01"), ("to", " 2026-11-30 "), ("page", "3")]);
        assert_eq!((f.show, f.from.as_str(), f.to.as_str(), f.page), (Show::Late, "2026-11-01", "2026-11-30", 3));
        assert_eq!(f.query_string(2, str::to_owned), "show=late&from=2026-11-01&to=2026-11-30&page=2");
        let (from, to) = f.period().unwrap();
        assert_eq!(to.unwrap() - from.unwrap(), 30 * 86_400, "the whole last day");
        assert_eq!(q(&[("page", "9223372036854775807")]).page, HISTORY_PAGES_MAX, "no overflow later");
        let d = q(&[("show", "nonsense"), ("page", "-1")]);
        assert_eq!((d.show, d.page), (Show::All, 1));
        assert_eq!(d.period(), Ok((None, None)));
        let bad = q(&[("from", "2026-02-30"), ("to", "x")]);
        let fields: Vec<FieldName> = bad.period().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, [FieldName::From, FieldName::To]);
        let backwards = q(&[("from", "2026-11-02"), ("to", "2026-11-01")]);
        assert_eq!(backwards.period().unwrap_err()[0].msg, Msg::ErrSearchDateOrder);
    }
}
