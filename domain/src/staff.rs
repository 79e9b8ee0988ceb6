//! What the staff workspace shows, as plain data: built by the backend's services, rendered by
//! the pages, and serialisable so the same types cross the server-function boundary.

use crate::events::{EventDetail, EventKind};
use crate::sla::Urgency;
use crate::workflow::{Action, Role, Status};
use serde::{Deserialize, Serialize};

/// Who is signed in, for the page frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffHeader {
    pub username: String,
    pub display_name: String,
    pub unit: String,
    pub unit_name: String,
    pub role: Role,
    /// The CSRF token every form of the page must carry.
    pub csrf: String,
}

/// A message kept in the session across a post/redirect/get: the errors and typed values of a
/// form sent back, or a notice of success, or a contact just revealed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// Which form the errors belong to (e.g. `reply`).
    pub form: String,
    pub errors: Vec<crate::FieldError>,
    pub values: Vec<(String, String)>,
    pub notice: Option<crate::Msg>,
    pub problem: Option<crate::Msg>,
    pub revealed: Option<(String, String)>,
    /// An appeal just recorded by staff: its ticket and key (shown once), and whether the SMS
    /// was queued.
    #[serde(default)]
    pub receipt: Option<(String, String, bool)>,
    /// Answers to a category's questions that were refused (issue 13, the intake form), each at
    /// its question.
    #[serde(default)]
    pub answer_errors: Vec<crate::questions::AnswerError>,
}

impl Flash {
    #[must_use]
    pub fn value(&self, key: &str) -> String {
        self.values.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }
    #[must_use]
    pub fn errors_for(&self, form: &str) -> Vec<crate::FieldError> {
        if self.form == form {
            self.errors.clone()
        } else {
            Vec::new()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionItem {
    pub id: String,
    pub days: i64,
    pub reason: String,
    pub requested_at: i64,
    pub decision: Option<String>,
    pub decided_at: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeItem {
    pub cycle: i64,
    pub deadline: String,
    pub stage: String,
    pub fired_at: i64,
}

/// The inbox filters and search as the query string carries them (all optional). The inbox page
/// and the ledger export read the same parameters ([`InboxFilter::from_query`]) and write the
/// same links ([`InboxFilter::query_string`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxFilter {
    pub status: String,
    pub category: String,
    pub urgent: bool,
    pub due: String,
    pub page: i64,
    /// Words that must all appear in the description. Like the phone number they may name a
    /// resident, so they never travel in a URL either: posted as `q` to `/staff/search`, kept in
    /// the staff session, and the query string only says `by_words=1`.
    #[serde(default)]
    pub words: String,
    /// The query asks for the words kept in the session.
    #[serde(default)]
    pub by_words: bool,
    /// A ticket number, in any spacing or case.
    #[serde(default)]
    pub ticket: String,
    /// The resident's phone number: only appeals whose contact the member may reveal are searched
    /// by it, and each such search is audited. It never travels in a URL (proxy logs, browser
    /// history): it is posted to `/staff/search`, kept in the staff session, and the
    /// query string only says `by_phone=1` (see [`InboxFilter::with_session_search`]).
    #[serde(default)]
    pub phone: String,
    /// The query asks for the phone number kept in the session.
    #[serde(default)]
    pub by_phone: bool,
    /// The unit that holds the appeal now (a unit code).
    #[serde(default)]
    pub unit: String,
    /// Submitted on or after this day (`YYYY-MM-DD`, China time).
    #[serde(default)]
    pub from: String,
    /// Submitted on or before this day.
    #[serde(default)]
    pub to: String,
}

/// How an appeal recorded by staff came in (issue 13). Residents' own channels are `web` and
/// `open311:<key>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffChannel {
    Phone,
    Counter,
    Patrol,
}

impl StaffChannel {
    pub const ALL: [Self; 3] = [Self::Phone, Self::Counter, Self::Patrol];

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Counter => "counter",
            Self::Patrol => "patrol",
        }
    }

    #[must_use]
    pub fn label(self) -> crate::Msg {
        match self {
            Self::Phone => crate::Msg::ChannelPhone,
            Self::Counter => crate::Msg::ChannelCounter,
            Self::Patrol => crate::Msg::ChannelPatrol,
        }
    }
}

/// The channel an appeal came in by, as the dashboard counts it: the resident's own (`web`,
/// `open311:<key id>`) and the staff's intake ([`StaffChannel`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppealChannel {
    Web,
    Open311,
    Staff(StaffChannel),
}

impl AppealChannel {
    /// Every channel, in the order the dashboard lists them.
    pub const ALL: [Self; 5] = [
        Self::Web,
        Self::Open311,
        Self::Staff(StaffChannel::Phone),
        Self::Staff(StaffChannel::Counter),
        Self::Staff(StaffChannel::Patrol),
    ];

    /// The channel of a stored `appeals.channel` value (an API key's number is dropped);
    /// `None` for a value no release wrote.
    #[must_use]
    pub fn of_stored(s: &str) -> Option<Self> {
        match s.split(':').next().unwrap_or("") {
            "web" => Some(Self::Web),
            "open311" => Some(Self::Open311),
            other => StaffChannel::parse(other).map(Self::Staff),
        }
    }

    /// The code used in markup (`data-channel`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Open311 => "open311",
            Self::Staff(c) => c.as_str(),
        }
    }

    /// The channel in words.
    #[must_use]
    pub fn label(self) -> crate::Msg {
        match self {
            Self::Web => crate::Msg::ChannelWeb,
            Self::Open311 => crate::Msg::ChannelOpen311,
            Self::Staff(c) => c.label(),
        }
    }
}

/// Most words a description search takes; more are refused with a message.
pub const SEARCH_WORDS_MAX: usize = 5;

/// The search part of an [`InboxFilter`], checked: what the database is asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub words: Vec<String>,
    /// A whole ticket (`PA…`).
    pub ticket: Option<String>,
    /// A normalised phone number.
    pub phone: Option<String>,
    pub unit: Option<String>,
    /// `[from, to)` in Unix seconds.
    pub submitted_from: Option<i64>,
    pub submitted_before: Option<i64>,
}

impl Search {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl InboxFilter {
    /// The filter from a query string's parameters (`status` defaults to `open` when `status`
    /// is absent and `default_open`).
    #[must_use]
    pub fn from_query(get: impl Fn(&str) -> Option<String>, default_open: bool) -> Self {
        let s = |k: &str| get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
        Self {
            status: get("status")
                .map_or_else(|| if default_open { "open".to_owned() } else { String::new() }, |v| v.trim().to_owned()),
            category: s("category"),
            urgent: matches!(s("urgent").as_str(), "1" | "on" | "true"),
            due: s("due"),
            page: s("page").parse().ok().filter(|p| *p >= 1).unwrap_or(1),
            words: String::new(),
            by_words: matches!(s("by_words").as_str(), "1" | "on" | "true"),
            ticket: s("ticket"),
            phone: String::new(),
            by_phone: matches!(s("by_phone").as_str(), "1" | "on" | "true"),
            unit: s("unit"),
            from: s("from"),
            to: s("to"),
        }
    }

    /// The query string of this filter (without `?`), `page` included when given; `enc` is the
    /// caller's URL encoder.
    #[must_use]
    pub fn query_string(&self, page: Option<i64>, enc: impl Fn(&str) -> String) -> String {
        let mut q = vec![format!("status={}", enc(&self.status))];
        for (k, v) in [
            ("category", &self.category),
            ("due", &self.due),
            ("ticket", &self.ticket),
            ("unit", &self.unit),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                q.push(format!("{k}={}", enc(v)));
            }
        }
        if self.urgent {
            q.push("urgent=1".to_owned());
        }
        if self.by_phone {
            q.push("by_phone=1".to_owned());
        }
        if self.by_words {
            q.push("by_words=1".to_owned());
        }
        if let Some(p) = page {
            q.push(format!("page={p}"));
        }
        q.join("&")
    }

    /// The filter with the phone number and the words kept in the staff session, each when the
    /// query asks for it (`by_phone`, `by_words`); otherwise without, whatever the caller put
    /// there. A query that asks for one the session does not keep searches without it (and no
    /// longer asks).
    #[must_use]
    pub fn with_session_search(mut self, phone: Option<&str>, words: Option<&str>) -> Self {
        let kept = |asked: bool, kept: Option<&str>| match (asked, kept) {
            (true, Some(v)) => v.trim().to_owned(),
            _ => String::new(),
        };
        self.phone = kept(self.by_phone, phone);
        self.by_phone = !self.phone.is_empty();
        self.words = kept(self.by_words, words);
        self.by_words = !self.words.is_empty();
        self
    }

    /// The search, checked field by field: each bad field gets its own message, and a filter
    /// with any bad field lists nothing (rather than more than was asked for).
    ///
    /// # Errors
    /// The fields that are not valid.
    pub fn search(&self) -> Result<Search, Vec<crate::fields::FieldError>> {
        use crate::fields::{FieldError, FieldName};
        use crate::i18n::Msg;
        let mut errors = Vec::new();
        let mut out = Search::default();
        let words: Vec<String> = self.words.split_whitespace().map(str::to_owned).collect();
        if words.len() > SEARCH_WORDS_MAX {
            errors.push(FieldError::new(FieldName::Words, Msg::ErrSearchWords));
        } else if words.iter().any(|w| w.chars().count() > 50) {
            errors.push(FieldError::new(FieldName::Words, Msg::ErrSearchWordLong));
        } else {
            out.words = words;
        }
        if !self.ticket.is_empty() {
            match crate::receipt::Ticket::parse(&self.ticket) {
                Ok(t) => out.ticket = Some(t.as_str().to_owned()),
                Err(e) => errors.push(e),
            }
        }
        if !self.phone.is_empty() {
            match crate::fields::Phone::parse(&self.phone) {
                Ok(p) => out.phone = Some(p.as_str().to_owned()),
                Err(e) => errors.push(e),
            }
        }
        if !self.unit.is_empty() {
            out.unit = Some(self.unit.clone());
        }
        let day = |v: &str, field: FieldName| -> Result<Option<time::Date>, FieldError> {
            if v.is_empty() {
                return Ok(None);
            }
            let fmt = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(v, &fmt)
                .ok()
                .filter(|d| (2000..=2100).contains(&d.year()))
                .map(Some)
                .ok_or(FieldError::new(field, Msg::ErrSearchDate))
        };
        let midnight =
            |d: time::Date| d.with_time(time::Time::MIDNIGHT).assume_offset(crate::sla::CHINA).unix_timestamp();
        match (day(&self.from, FieldName::From), day(&self.to, FieldName::To)) {
            (Ok(f), Ok(t)) => {
                if let (Some(f), Some(t)) = (f, t) {
                    if t < f {
                        errors.push(FieldError::new(FieldName::To, Msg::ErrSearchDateOrder));
                    }
                }
                out.submitted_from = f.map(midnight);
                out.submitted_before = t.and_then(time::Date::next_day).map(midnight);
            }
            (f, t) => errors.extend([f.err(), t.err()].into_iter().flatten()),
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    pub ticket: String,
    pub category: String,
    pub status: Status,
    pub unit: String,
    pub unit_name: String,
    pub urgent: bool,
    pub submitted_at: i64,
    /// The deadline that matters now: signing for it while assigned, else resolving it.
    pub due_at: i64,
    pub urgency: Urgency,
    pub supervised: bool,
    pub summary: String,
    /// A notice by hand to the unit that holds it is waiting for its answer (issue 13).
    #[serde(default)]
    pub noticed: bool,
    /// The inbox's own unit was summoned (吹哨) to it and has not reported back (issue 13).
    #[serde(default)]
    pub owes_report: bool,
    /// The main appeal this one follows (a duplicate merged into it, issue 13): it is answered and
    /// closed with it, and not supervised on its own.
    #[serde(default)]
    pub follows: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub items: Vec<InboxItem>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub counts: Vec<(String, i64)>,
    /// The search fields that were not valid (nothing is listed then).
    pub problems: Vec<crate::fields::FieldError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventItem {
    pub id: i64,
    pub at: i64,
    pub kind: EventKind,
    pub actor_name: Option<String>,
    pub unit: Option<String>,
    pub unit_name: Option<String>,
    pub public: bool,
    pub body: Option<String>,
    pub detail: Option<EventDetail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoHandlerItem {
    pub unit: String,
    pub unit_name: String,
    pub summoned_at: i64,
    pub reported_at: Option<i64>,
    pub report: Option<String>,
    /// When the report back is due (issue 13; `None` for summonses made before deadlines).
    #[serde(default)]
    pub due_at: Option<i64>,
    /// Owing its report past `due_at` ([`crate::summons::is_overdue`]).
    #[serde(default)]
    pub overdue: bool,
    /// The summoning unit's rating of the report (`domain::callback::Satisfaction` code) and note.
    #[serde(default)]
    pub rating: Option<String>,
    #[serde(default)]
    pub rating_note: Option<String>,
    /// Whether this person may rate the report now (the summoning unit's dispatcher, reported,
    /// not yet rated).
    #[serde(default)]
    pub may_rate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitOption {
    pub code: String,
    pub name: String,
}

/// An appeal as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppealPage {
    pub ticket: String,
    pub category: String,
    pub category_name: (String, String),
    pub description: String,
    pub status: Status,
    pub unit: String,
    pub unit_name: String,
    pub route_reason: String,
    pub submitted_at: i64,
    pub sign_by_at: i64,
    pub deadline_at: i64,
    pub clock_start_at: i64,
    pub urgency: Urgency,
    pub urgent: bool,
    pub supervised: bool,
    pub cycle: i64,
    pub place: Vec<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub address_note: Option<String>,
    pub anonymous: bool,
    /// Masked: `138****1234`; the name is shown as its first character and `*`.
    pub contact_masked: Option<(String, String)>,
    pub resolution: Option<String>,
    pub photo_ids: Vec<String>,
    pub events: Vec<EventItem>,
    pub cohandlers: Vec<CoHandlerItem>,
    pub extensions: Vec<ExtensionItem>,
    pub notices: Vec<NoticeItem>,
    /// Actions this person may take now.
    pub actions: Vec<Action>,
    /// Where a transfer may go; whom a summons may call.
    pub transfer_targets: Vec<UnitOption>,
    pub summon_targets: Vec<UnitOption>,
    /// No department kind is listed for the appeal's category: any department of the district
    /// may be summoned (issue 13; the page says so).
    #[serde(default)]
    pub summon_any: bool,
    pub parent_unit: Option<UnitOption>,
    /// The reply templates of the appeal's category (issue 13), when this person may reply.
    #[serde(default)]
    pub reply_templates: Vec<crate::callback::ReplyTemplate>,
    /// Notices issued by hand (issue 13), newest first.
    #[serde(default)]
    pub hand_notices: Vec<HandNoticeItem>,
    /// The leader in charge (领导包案), if one was named: (staff id, display name).
    #[serde(default)]
    pub owner: Option<(String, String)>,
    /// Whom this person may name leader in charge (only filled for those who may).
    #[serde(default)]
    pub owner_candidates: Vec<UnitOption>,
    /// Other appeals from the same phone number (issue 13, repeat cases), newest first, at most
    /// [`REPEATS_SHOWN`]: only for those who may reveal this appeal's contact, only appeals in
    /// their own scope whose contact they may reveal too. Never the number itself.
    #[serde(default)]
    pub repeats: Vec<RepeatItem>,
    /// How many more appeals from the same phone number are outside that scope (or their
    /// contact is not this member's to reveal): a count only, nothing about them. 0 for those
    /// who get no list.
    #[serde(default)]
    pub repeats_elsewhere: i64,
    /// The resident's answers to the category's extra questions (issue 13), in the order asked,
    /// with the labels as asked. Private like the description.
    #[serde(default)]
    pub answers: Vec<crate::questions::StoredAnswer>,
    /// The main appeal this one follows (merged or joined, issue 13).
    #[serde(default)]
    pub merged_into: Option<crate::related::RelatedItem>,
    /// The appeals following this one, oldest first.
    #[serde(default)]
    pub followers: Vec<crate::related::RelatedItem>,
    /// Related appeals linked by staff, both ways.
    #[serde(default)]
    pub links: Vec<crate::related::RelatedItem>,
}

/// Most other appeals from the same phone number an appeal page lists.
pub const REPEATS_SHOWN: i64 = 20;

/// Another appeal from the same phone number, as the appeal page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatItem {
    pub ticket: String,
    /// The category's name (zh, en).
    pub category_name: (String, String),
    pub status: Status,
    pub submitted_at: i64,
}

/// A notice issued by hand to the unit handling an appeal (issue 13), as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandNoticeItem {
    pub id: String,
    pub kind: crate::notices::NoticeKind,
    pub to_unit: String,
    pub to_unit_name: String,
    pub issued_unit_name: String,
    pub reason: String,
    /// The end of the day the answer is due (Unix seconds).
    pub due_at: i64,
    pub issued_at: i64,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
    /// The resident was told that it was sent.
    pub public: bool,
    /// Unanswered and past its day (never when lapsed).
    pub overdue: bool,
    /// The appeal was handed over before the answer: the unit can no longer answer it.
    #[serde(default)]
    pub lapsed: bool,
}

#[cfg(test)]
mod search_tests {
    use super::*;
    use crate::fields::{FieldError, FieldName};
    use crate::i18n::Msg;

    #[test]
    fn a_filter_round_trips_through_its_query_string() {
        let f = InboxFilter {
            status: "open".into(),
            category: "wages".into(),
            urgent: true,
            due: "overdue".into(),
            page: 3,
            words: String::new(),
            by_words: true,
            ticket: "PA-ABCD".into(),
            phone: String::new(),
            by_phone: true,
            unit: "U-HD01".into(),
            from: "2026-11-01".into(),
            to: "2026-11-30".into(),
        };
        let qs = f.query_string(Some(3), |s| s.replace(' ', "+"));
        assert!(qs.contains("by_phone=1") && qs.contains("by_words=1"), "{qs}");
        let pairs: Vec<(String, String)> = qs
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_owned(), v.replace('+', " "))
            })
            .collect();
        let back = InboxFilter::from_query(|k| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()), true);
        assert_eq!(back, f);
        // No status in the query: the inbox opens on the open appeals, the export takes all.
        assert_eq!(InboxFilter::from_query(|_| None, true).status, "open");
        assert_eq!(InboxFilter::from_query(|_| None, false).status, "");
        assert_eq!(InboxFilter::from_query(|k| (k == "page").then(|| "-4".to_owned()), true).page, 1);
    }

    #[test]
    fn a_phone_number_or_words_never_come_from_or_go_into_a_url() {
        let from_url = InboxFilter::from_query(
            |k| match k {
                "phone" => Some("13912345678".to_owned()),
                "q" => Some("张三".to_owned()),
                _ => None,
            },
            true,
        );
        assert_eq!((from_url.phone.as_str(), from_url.words.as_str()), ("", ""), "the query string's are ignored");
        let kept = InboxFilter { by_phone: true, by_words: true, ..InboxFilter::default() }
            .with_session_search(Some("13912345678"), Some(" 张三 工资 "));
        assert_eq!((kept.phone.as_str(), kept.words.as_str()), ("13912345678", "张三 工资"));
        let qs = kept.query_string(None, str::to_owned);
        assert!(!qs.contains("139") && qs.contains("by_phone=1"), "{qs}");
        assert!(!qs.contains("张三") && !qs.contains("q=") && qs.contains("by_words=1"), "{qs}");
        // Not asked for: none, even what the caller set.
        let not_asked = InboxFilter { phone: "13912345678".into(), words: "张三".into(), ..InboxFilter::default() }
            .with_session_search(Some("13800000000"), Some("李四"));
        assert_eq!((not_asked.phone.as_str(), not_asked.by_phone), ("", false));
        assert_eq!((not_asked.words.as_str(), not_asked.by_words), ("", false));
        // Asked for, none kept (a new session): none, and the links stop asking.
        let gone =
            InboxFilter { by_phone: true, by_words: true, ..InboxFilter::default() }.with_session_search(None, None);
        assert_eq!((gone.phone.as_str(), gone.by_phone, gone.words.as_str(), gone.by_words), ("", false, "", false));
    }

    #[test]
    fn the_search_is_checked_field_by_field() {
        let ok = InboxFilter { from: "2026-11-01".into(), to: "2026-11-01".into(), ..InboxFilter::default() };
        let s = ok.search().unwrap();
        // One whole day in China time.
        assert_eq!(s.submitted_before.unwrap() - s.submitted_from.unwrap(), 86_400);
        assert!(InboxFilter::default().search().unwrap().is_empty());
        let bad = InboxFilter {
            words: "a b c d e f".into(),
            phone: "12345".into(),
            from: "2026-02-30".into(),
            ..InboxFilter::default()
        };
        assert_eq!(
            bad.search().unwrap_err(),
            vec![
                FieldError::new(FieldName::Words, Msg::ErrSearchWords),
                FieldError::new(FieldName::Phone, Msg::ErrPhoneInvalid),
                FieldError::new(FieldName::From, Msg::ErrSearchDate),
            ]
        );
        let long = InboxFilter { words: "字".repeat(51), ..InboxFilter::default() };
        assert_eq!(long.search().unwrap_err(), vec![FieldError::new(FieldName::Words, Msg::ErrSearchWordLong)]);
    }
}

/// One row of the staff dashboard's tables: a unit (with everything below it) or a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardRow {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub counts: crate::stats::Counts,
}

/// A short list of appeals that need attention, with how many there are in all and the inbox
/// filter (`due=`) that lists them all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttentionList {
    pub due: String,
    pub total: i64,
    pub items: Vec<InboxItem>,
}

/// The staff dashboard (issue 12): the figures of the signed-in member's scope for a period, per
/// unit below it and per category, the units under the satisfaction line, the medians, and the
/// appeals that need attention now. Rates are not suppressed here (staff see their own work).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    /// The period as the form shows it (see `stats::Period::form`), and its first and last day.
    pub kind: String,
    pub year: i32,
    pub month: u8,
    pub quarter: u8,
    pub from: String,
    pub to: String,
    pub scope_name: String,
    pub own: crate::stats::Counts,
    pub units: Vec<DashboardRow>,
    pub categories: Vec<DashboardRow>,
    /// The satisfaction line in per cent (a setting), and the units of the scope under it with
    /// at least `stats::SUPPRESS_BELOW` ratings, lowest first.
    pub line: u32,
    pub below_line: Vec<DashboardRow>,
    /// Median hours to sign-for, to the first answer, to close (tenths, as text).
    pub medians: [Option<String>; 3],
    pub overdue: AttentionList,
    pub supervised: AttentionList,
    pub escalated: AttentionList,
    /// The grid cells of the member's area, for the map.
    pub map: Vec<StaffMapCell>,
    /// Notices issued by hand in the period to units of the member's scope, per kind (every
    /// kind listed, zeros included).
    #[serde(default)]
    pub hand_notices: Vec<(crate::notices::NoticeKind, i64)>,
    /// Appeals received in the period in the member's scope, per channel (every channel listed,
    /// zeros included, in [`AppealChannel::ALL`]'s order).
    #[serde(default)]
    pub channels: Vec<(AppealChannel, u64)>,
    /// Summonses made in the period on appeals of the member's scope (issue 13): how many, how
    /// many were reported back after their deadline, rated satisfied, and rated at all.
    #[serde(default)]
    pub summons: [i64; 4],
    /// Follow-up calls (回访) of the member's scope: waiting now, and done in the period by
    /// outcome (issue 13).
    #[serde(default)]
    pub callbacks: crate::callback::CallbackFigures,
}

/// One grid cell of the staff map: the appeals received in the period (exact), the open ones
/// overdue now, and the unit that works it (its inbox filter).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMapCell {
    pub code: String,
    /// The community's and the cell's names.
    pub name: String,
    pub unit: Option<String>,
    pub received: u64,
    pub overdue_now: u64,
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

#[cfg(test)]
mod channel_tests {
    use super::{AppealChannel, StaffChannel};

    #[test]
    fn stored_channels_are_read_without_the_key_number() {
        assert_eq!(AppealChannel::of_stored("web"), Some(AppealChannel::Web));
        assert_eq!(AppealChannel::of_stored("open311:7"), Some(AppealChannel::Open311));
        assert_eq!(AppealChannel::of_stored("patrol"), Some(AppealChannel::Staff(StaffChannel::Patrol)));
        assert_eq!(AppealChannel::of_stored("fax"), None);
        assert!(AppealChannel::ALL.iter().all(|c| AppealChannel::of_stored(c.as_str()) == Some(*c)));
    }
}
