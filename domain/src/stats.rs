//! The figures the grid is judged by (issue 12), defined once: what is counted, over which
//! period, and what may be shown to the public. The database only counts; every rate, every
//! suppression and every period boundary is decided here, so the public page, the staff dashboard
//! and the export cannot disagree.
//!
//! Definitions (the public page prints them next to each figure):
//! - **received**: appeals submitted in the period (a reopened appeal is not received again; a
//!   duplicate merged into another appeal is not counted: its main appeal is);
//! - **signed for on time** (签收及时率): of those received, the share whose first sign-for came
//!   before its sign-for deadline;
//! - **closed** (办结率): of those received, the share closed by the end of the period (closed at
//!   least once; a later reopening does not undo it, it is counted under *reopened*);
//! - **closed on time** (按期办结率): of those closed, the share closed before their deadline;
//! - **overdue now**: open appeals past their deadline at the end of the period (or now);
//! - **supervised** (督办) and **escalated**: appeals received in the period that had at least one
//!   supervision notice or escalation, each appeal counted once;
//! - **satisfaction** (满意率): (satisfied + basically satisfied) ÷ rated, over the appeals received
//!   in the period that were rated; the **rated share** is rated ÷ closed;
//! - **reopened**: appeals received in the period that a 不满意 rating reopened at least once;
//! - **median times** to sign-for, to the first reply (or the close) and to close: of the appeals
//!   received that got there before the end of the period, the middle one's time, counted in
//!   buckets ([`duration_bucket`]: 0.1 h under 10 h, 1 h under 10 days, a day beyond); on the
//!   public page not shown for fewer than [`SUPPRESS_BELOW`] appeals.
//!
//! **Whose figures.** On the public page an appeal counts for the unit that held it at the end of
//! the period (of each month in the trend): one handed over afterwards stays in the earlier
//! period's figures of the unit it left; for a period not over yet, the holder now. The staff
//! dashboard is a working view and counts the unit that holds it now.
//!
//! The monthly trend ([`Period::trend_bounds`]) applies the same definitions to each month of the
//! [`TREND_MONTHS`] ending with the period's last month: *closed* there means closed by the end of
//! that month.

use time::{Date, Month, OffsetDateTime, Time};

/// Below this, a count is shown as "<5" to the public and a rate built on it is not shown at all,
/// so that nobody can be recognised from a small number.
pub const SUPPRESS_BELOW: u64 = 5;

/// The period a figure covers: `[start, end)` in Unix seconds, in China time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month {
        year: i32,
        month: u8,
    },
    Quarter {
        year: i32,
        quarter: u8,
    },
    Year {
        year: i32,
    },
    /// Whole days, both included.
    Custom {
        from: Date,
        to: Date,
    },
}

/// Longest custom period (a year and a day, for leap years).
pub const MAX_CUSTOM_DAYS: i64 = 366;

impl Period {
    /// The period named by a query string's parameters: `period` = `month` (with `year` and
    /// `month`), `quarter` (`year`, `quarter`), `year` (`year`) or `custom` (`from`, `to` as
    /// `YYYY-MM-DD`). `None` for anything else, so the caller answers with a clear refusal.
    #[must_use]
    pub fn parse(kind: &str, get: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let num = |k: &str| get(k).and_then(|v| v.trim().parse::<i32>().ok());
        let year = num("year").filter(|y| (2000..=2100).contains(y));
        let p = match kind.trim() {
            "month" => {
                Self::Month { year: year?, month: u8::try_from(num("month")?).ok().filter(|m| (1..=12).contains(m))? }
            }
            "quarter" => Self::Quarter {
                year: year?,
                quarter: u8::try_from(num("quarter")?).ok().filter(|q| (1..=4).contains(q))?,
            },
            "year" => Self::Year { year: year? },
            "custom" => {
                let fmt = time::macros::format_description!("[year]-[month]-[day]");
                let from = Date::parse(get("from")?.trim(), &fmt).ok()?;
                let to = Date::parse(get("to")?.trim(), &fmt).ok()?;
                let days = (to - from).whole_days();
                if !(0..MAX_CUSTOM_DAYS).contains(&days) || !(2000..=2100).contains(&from.year()) {
                    return None;
                }
                Self::Custom { from, to }
            }
            _ => return None,
        };
        Some(p)
    }

    /// The month that holds `now` (China time).
    #[must_use]
    pub fn month_of(now: OffsetDateTime) -> Self {
        let local = now.to_offset(crate::sla::CHINA);
        Self::Month { year: local.year(), month: u8::from(local.month()) }
    }

    /// First and last day, both included.
    #[must_use]
    pub fn days(self) -> Option<(Date, Date)> {
        let first = |y: i32, m: u8| Date::from_calendar_date(y, Month::try_from(m).ok()?, 1).ok();
        let last_of = |y: i32, m: u8| {
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            first(ny, nm)?.previous_day()
        };
        match self {
            Self::Month { year, month } => Some((first(year, month)?, last_of(year, month)?)),
            Self::Quarter { year, quarter } => {
                let m = quarter.checked_sub(1)? * 3 + 1;
                Some((first(year, m)?, last_of(year, m + 2)?))
            }
            Self::Year { year } => Some((first(year, 1)?, last_of(year, 12)?)),
            Self::Custom { from, to } => Some((from, to)),
        }
    }

    /// `[start, end)` in Unix seconds: from midnight China time of the first day to midnight
    /// after the last.
    #[must_use]
    pub fn bounds(self) -> Option<(i64, i64)> {
        let (first, last) = self.days()?;
        let at = |d: Date| d.with_time(Time::MIDNIGHT).assume_offset(crate::sla::CHINA).unix_timestamp();
        Some((at(first), at(last.next_day()?)))
    }
}

/// How many months the trend shows.
pub const TREND_MONTHS: usize = 12;

/// Midnight China time at the start of the first day of a month, in Unix seconds.
fn month_start(year: i32, month: u8) -> Option<i64> {
    let d = Date::from_calendar_date(year, Month::try_from(month).ok()?, 1).ok()?;
    Some(d.with_time(Time::MIDNIGHT).assume_offset(crate::sla::CHINA).unix_timestamp())
}

/// The month after `(year, month)`.
fn next_month(year: i32, month: u8) -> (i32, u8) {
    if month >= 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    }
}

/// The months of a trend and where they begin and end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendMonths {
    /// `(year, month)`, oldest first.
    pub months: Vec<(i32, u8)>,
    /// One more than `months`, ascending (Unix seconds, midnight China time): month `i` is
    /// `[bounds[i], bounds[i + 1])`.
    pub bounds: Vec<i64>,
}

impl Period {
    /// The [`TREND_MONTHS`] months ending with the month of the period's last day.
    #[must_use]
    pub fn trend_bounds(self) -> Option<TrendMonths> {
        let (_, last) = self.days()?;
        let (mut y, mut m) = (last.year(), u8::from(last.month()));
        // Go back TREND_MONTHS - 1 months from the last one.
        for _ in 1..TREND_MONTHS {
            (y, m) = if m <= 1 { (y - 1, 12) } else { (y, m - 1) };
        }
        let mut months = Vec::with_capacity(TREND_MONTHS);
        let mut bounds = Vec::with_capacity(TREND_MONTHS + 1);
        for _ in 0..TREND_MONTHS {
            months.push((y, m));
            bounds.push(month_start(y, m)?);
            (y, m) = next_month(y, m);
        }
        bounds.push(month_start(y, m)?);
        Some(TrendMonths { months, bounds })
    }
}

/// What the database counted for one scope (a unit and everything below it, or a category) and
/// one period (see the module documentation for each).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    pub received: u64,
    pub signed_on_time: u64,
    pub closed: u64,
    pub closed_on_time: u64,
    pub overdue_now: u64,
    pub supervised: u64,
    pub escalated: u64,
    pub rated: u64,
    pub satisfied: u64,
    pub basically_satisfied: u64,
    pub reopened: u64,
}

impl std::ops::AddAssign for Counts {
    /// Counts of disjoint sets of appeals add up (regions under a region).
    fn add_assign(&mut self, o: Self) {
        self.received += o.received;
        self.signed_on_time += o.signed_on_time;
        self.closed += o.closed;
        self.closed_on_time += o.closed_on_time;
        self.overdue_now += o.overdue_now;
        self.supervised += o.supervised;
        self.escalated += o.escalated;
        self.rated += o.rated;
        self.satisfied += o.satisfied;
        self.basically_satisfied += o.basically_satisfied;
        self.reopened += o.reopened;
    }
}

impl std::ops::SubAssign for Counts {
    /// Takes out the counts of a subset (appeals moved to another unit's figures, or merged into
    /// another appeal); never below zero.
    fn sub_assign(&mut self, o: Self) {
        self.received = self.received.saturating_sub(o.received);
        self.signed_on_time = self.signed_on_time.saturating_sub(o.signed_on_time);
        self.closed = self.closed.saturating_sub(o.closed);
        self.closed_on_time = self.closed_on_time.saturating_sub(o.closed_on_time);
        self.overdue_now = self.overdue_now.saturating_sub(o.overdue_now);
        self.supervised = self.supervised.saturating_sub(o.supervised);
        self.escalated = self.escalated.saturating_sub(o.escalated);
        self.rated = self.rated.saturating_sub(o.rated);
        self.satisfied = self.satisfied.saturating_sub(o.satisfied);
        self.basically_satisfied = self.basically_satisfied.saturating_sub(o.basically_satisfied);
        self.reopened = self.reopened.saturating_sub(o.reopened);
    }
}

/// A share in per mille (0–1000), or `None` when there is nothing to divide or the base is too
/// small to show (`suppress`).
#[must_use]
pub fn per_mille(part: u64, whole: u64, suppress: bool) -> Option<u32> {
    if whole == 0 || (suppress && whole < SUPPRESS_BELOW) {
        return None;
    }
    let part = part.min(whole);
    // Rounded half up; at most 1000, so the conversion cannot fail.
    u32::try_from((part * 1000 + whole / 2) / whole).ok()
}

/// The rates of [`Counts`], in per mille (`None`: not shown, see [`per_mille`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rates {
    pub signed_on_time: Option<u32>,
    pub closed: Option<u32>,
    pub closed_on_time: Option<u32>,
    pub satisfaction: Option<u32>,
    pub rated_share: Option<u32>,
}

impl Counts {
    /// The rates; with `public`, those built on fewer than [`SUPPRESS_BELOW`] appeals are
    /// withheld.
    #[must_use]
    pub fn rates(&self, public: bool) -> Rates {
        Rates {
            signed_on_time: per_mille(self.signed_on_time, self.received, public),
            closed: per_mille(self.closed, self.received, public),
            closed_on_time: per_mille(self.closed_on_time, self.closed, public),
            satisfaction: per_mille(self.satisfied + self.basically_satisfied, self.rated, public),
            rated_share: per_mille(self.rated, self.closed, public),
        }
    }
}

/// One region's row of the statistics page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatsRow {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// `city`, `district`, `street`, `community`, `grid`.
    pub level: String,
    pub counts: Counts,
    /// Whether the public may open this region's own figures.
    pub opens: bool,
    /// Counts withheld from the public beside the region's siblings (see [`protect`]).
    pub withheld: Withheld,
}

/// Which of a row's shown counts are withheld ("*") by secondary suppression ([`protect`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Withheld {
    pub received: bool,
    pub overdue_now: bool,
}

/// One month of the trend: the appeals received in it, counted as of the end of that month
/// (`overdue_now`, `supervised`, `escalated` and `reopened` are not counted per month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MonthRow {
    pub year: i32,
    pub month: u8,
    pub counts: Counts,
    /// The month's received count is withheld ("*"): the months of a quarter or year add up to
    /// the period's own count (see [`protect`]).
    pub withheld: bool,
}

/// How many appeals of one category the region received in the period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CategoryRow {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub received: u64,
}

/// A grid cell on the map: its figures, the names of its community (cells are numbered within
/// their community, so a cell's own name alone is ambiguous on a district's map) and its
/// polygons (each the exterior ring, then holes; points `[lng, lat]`, as `cellmap::MapCell`
/// takes them).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapCellRow {
    pub row: StatsRow,
    pub community: String,
    pub community_en: String,
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

/// How many appeals the region received by one channel; `withheld` by secondary suppression
/// (the channels add up to the region's count, see [`protect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChannelRow {
    pub channel: crate::staff::AppealChannel,
    pub received: u64,
    pub withheld: bool,
}

/// How many categories the page lists.
pub const TOP_CATEGORIES: usize = 5;

/// The public statistics page: the chosen period (as the form shows it), the region, the regions
/// above it (links back up) and one level below it, the region's monthly trend and most frequent
/// categories, and the grid cells under it for the map.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StatsView {
    /// `month`, `quarter`, `year` or `custom`.
    pub kind: String,
    pub year: i32,
    pub month: u8,
    pub quarter: u8,
    /// First and last day, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    pub trail: Vec<StatsRow>,
    pub region: StatsRow,
    /// The region's median times (none below [`SUPPRESS_BELOW`] appeals each).
    #[serde(default)]
    pub medians: Medians,
    pub children: Vec<StatsRow>,
    /// The [`TREND_MONTHS`] months ending with the period's last month, oldest first.
    pub trend: Vec<MonthRow>,
    /// At most [`TOP_CATEGORIES`], the most frequent first (ties by code).
    pub top_categories: Vec<CategoryRow>,
    /// Received per channel (web, Open311, phone, counter, patrol; every channel, zeros too).
    pub channels: Vec<ChannelRow>,
    /// The grid cells drawn on the map (empty: no map), sorted by code.
    pub map: Vec<MapCellRow>,
}

impl Period {
    /// The form's values for this period: kind, year, month, quarter.
    #[must_use]
    pub fn form(self) -> (&'static str, i32, u8, u8) {
        match self {
            Self::Month { year, month } => ("month", year, month, month.saturating_sub(1) / 3 + 1),
            Self::Quarter { year, quarter } => ("quarter", year, quarter.saturating_sub(1) * 3 + 1, quarter),
            Self::Year { year } => ("year", year, 1, 1),
            Self::Custom { from, .. } => {
                ("custom", from.year(), u8::from(from.month()), u8::from(from.month()).saturating_sub(1) / 3 + 1)
            }
        }
    }
}

/// A count as the public sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Exact(u64),
    /// 1 to 4: shown as "<5". Zero is shown as it is (nothing to recognise).
    Few,
    /// Five or more, withheld (shown as "*") so that a small neighbour's "<5" cannot be worked
    /// out by subtraction from the total above (see [`protect`]).
    Withheld,
}

impl Shown {
    #[must_use]
    pub fn public(n: u64) -> Self {
        if n > 0 && n < SUPPRESS_BELOW {
            Self::Few
        } else {
            Self::Exact(n)
        }
    }

    /// `n` as the public sees it, withheld when [`protect`] said so.
    #[must_use]
    pub fn public_or_withheld(n: u64, withheld: bool) -> Self {
        if withheld {
            Self::Withheld
        } else {
            Self::public(n)
        }
    }

    #[must_use]
    pub fn text(self) -> String {
        match self {
            Self::Exact(n) => crate::when::count_text(n),
            Self::Few => format!("<{SUPPRESS_BELOW}"),
            Self::Withheld => "*".to_owned(),
        }
    }
}

/// Secondary suppression: which of `parts` (the counts of the regions one level below a region
/// whose own count `whole` is shown) must be withheld besides the "<5" ones, so that subtracting
/// the shown parts from the whole cannot pin a small count down.
///
/// The public knows `whole` and every shown part, so it knows the sum `S` of the hidden ones up to
/// what the region holds itself (never negative, so `S` is an upper bound), and that each "<5" is
/// 1 to 4 and each withheld one at least 5. A hidden count is then only known to lie between its
/// floor and `S` minus the others' floors; the parts are safe when there are at least two hidden
/// and `S` exceeds the sum of the floors (every hidden count could be at least two values, and no
/// lone "<5" is simply `whole` minus the rest). Until then the smallest shown non-zero part (the
/// first of equals) is withheld too. Zeros are never withheld (nothing to recognise); a whole
/// that is itself "<5" anchors nothing exact, so nothing more is withheld under it.
///
/// When every non-zero part is hidden and the floors still add up to the whole (6 = "<5" + "*" +
/// 0, the region holding nothing itself), withholding alone cannot hide the small count; such
/// groups (a region with one or two active parts) are left as they are.
///
/// Deterministic: the same counts give the same answer on every page that shows them.
#[must_use]
pub fn protect(whole: u64, parts: &[u64]) -> Vec<bool> {
    let mut withheld = vec![false; parts.len()];
    let few = parts.iter().filter(|&&n| Shown::public(n) == Shown::Few).count() as u64;
    if few == 0 || Shown::public(whole) == Shown::Few {
        return withheld;
    }
    let shown: u64 = parts.iter().filter(|&&n| n >= SUPPRESS_BELOW).sum();
    let mut hidden_sum = whole.saturating_sub(shown) as u128;
    let mut extra: u64 = 0;
    loop {
        let floors = u128::from(few) + u128::from(SUPPRESS_BELOW) * u128::from(extra);
        if few + extra >= 2 && hidden_sum > floors {
            break;
        }
        let next = parts
            .iter()
            .enumerate()
            .filter(|(i, &n)| n >= SUPPRESS_BELOW && !withheld[*i])
            .min_by_key(|(i, &n)| (n, *i))
            .map(|(i, &n)| (i, n));
        let Some((i, n)) = next else { break };
        withheld[i] = true;
        extra += 1;
        hidden_sum += u128::from(n);
    }
    withheld
}

/// A per-mille rate as a percentage with one decimal (`873` → `87.3%`), or "—".
#[must_use]
pub fn percent(rate: Option<u32>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{}.{}%", r / 10, r % 10))
}

/// The median of durations in seconds, as hours with one decimal; `None` for none.
#[must_use]
pub fn median_hours(mut secs: Vec<i64>) -> Option<f64> {
    if secs.is_empty() {
        return None;
    }
    secs.sort_unstable();
    let n = secs.len();
    #[expect(clippy::cast_precision_loss, reason = "durations of appeals fit an f64 exactly")]
    let m = if n % 2 == 1 { secs[n / 2] as f64 } else { (secs[n / 2 - 1] + secs[n / 2]) as f64 / 2.0 };
    Some((m / 360.0).round() / 10.0)
}

/// Durations counted for a public median, by bucket ([`duration_bucket`] → how many appeals).
pub type Histogram = std::collections::BTreeMap<i64, u64>;

/// The buckets of a public median: 0.1 h wide under 10 hours, 1 h wide under 10 days, a day wide
/// beyond (the last bucket holds everything past a year). The database counts appeals per bucket
/// (the same rule written as SQL, `store::stats::BUCKET_SQL`), so a median over a million appeals
/// costs a few hundred numbers, not a million; it is exact to its bucket's width.
pub const BUCKET_STEPS: [(i64, i64); 3] = [(36_000, 360), (864_000, 3_600), (32_400_000, 86_400)];

/// The bucket of a duration in seconds (negative durations, from a clock moved back, count as 0).
#[must_use]
pub fn duration_bucket(secs: i64) -> i64 {
    let mut base_secs = 0;
    let mut base_bucket = 0;
    for (below, width) in BUCKET_STEPS {
        if secs < below {
            return base_bucket + (secs.max(0) - base_secs) / width;
        }
        base_bucket += (below - base_secs) / width;
        base_secs = below;
    }
    base_bucket
}

/// The shortest duration in seconds of bucket `b` (what a median in that bucket is shown as).
#[must_use]
pub fn bucket_start(b: i64) -> i64 {
    let mut base_secs = 0;
    let mut base_bucket = 0;
    for (below, width) in BUCKET_STEPS {
        let n = (below - base_secs) / width;
        if b < base_bucket + n {
            return base_secs + (b.max(base_bucket) - base_bucket) * width;
        }
        base_bucket += n;
        base_secs = below;
    }
    base_secs
}

/// The median of a histogram in hours with one decimal: the bucket of the middle appeal (the
/// lower middle one for an even count), shown as that bucket's start. `None` when fewer than
/// [`SUPPRESS_BELOW`] appeals were counted with `suppress` (the public page), or none at all.
#[must_use]
pub fn histogram_median_hours(h: &Histogram, suppress: bool) -> Option<f64> {
    let n: u64 = h.values().sum();
    if n == 0 || (suppress && n < SUPPRESS_BELOW) {
        return None;
    }
    let middle = n.div_ceil(2);
    let mut seen = 0;
    for (b, c) in h {
        seen += c;
        if seen >= middle {
            #[expect(clippy::cast_precision_loss, reason = "durations of appeals fit an f64 exactly")]
            let secs = bucket_start(*b) as f64;
            return Some((secs / 360.0).round() / 10.0);
        }
    }
    None
}

/// Medians to sign-for, to first reply and to close, in hours (see [`histogram_median_hours`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Medians {
    pub signed: Option<f64>,
    pub replied: Option<f64>,
    pub closed: Option<f64>,
}

/// One cell of a CSV ledger: quoted when it holds a comma, quote or line break, and with a
/// leading `'` when it starts like a spreadsheet formula (`=`, `+`, `-`, `@`, tab, CR), so a
/// resident's text can never run as one.
#[must_use]
pub fn csv_cell(text: &str) -> String {
    let neutral = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

impl Period {
    /// The period a statistics form asks for: `kind` empty means the month that holds `now`,
    /// else [`crate::stats::Period::parse`].
    #[must_use]
    pub fn from_form(kind: &str, get: impl Fn(&str) -> Option<String>, now: time::OffsetDateTime) -> Option<Self> {
        if kind.trim().is_empty() {
            Some(Self::month_of(now))
        } else {
            Self::parse(kind, get)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// What the public can work out of a sibling group: for each hidden part, the values it may
    /// still take given the whole and the shown parts (brute force over small numbers).
    fn candidates(whole: u64, parts: &[u64], withheld: &[bool]) -> Vec<Vec<u64>> {
        let hidden: Vec<usize> =
            (0..parts.len()).filter(|&i| withheld[i] || Shown::public(parts[i]) == Shown::Few).collect();
        let shown: u64 = (0..parts.len()).filter(|i| !hidden.contains(i)).map(|i| parts[i]).sum();
        let budget = whole - shown;
        let ranges: Vec<Vec<u64>> =
            hidden.iter().map(|&i| if withheld[i] { (5..=budget).collect() } else { (1..=4).collect() }).collect();
        let mut seen = vec![std::collections::BTreeSet::new(); hidden.len()];
        let mut pick = vec![0usize; hidden.len()];
        'all: loop {
            let values: Vec<u64> = pick.iter().zip(&ranges).map(|(&p, r)| r[p]).collect();
            // The region may hold some appeals itself: the hidden parts sum to at most `budget`.
            if values.iter().sum::<u64>() <= budget {
                for (k, v) in values.iter().enumerate() {
                    seen[k].insert(*v);
                }
            }
            for k in 0..pick.len() {
                pick[k] += 1;
                if pick[k] < ranges[k].len() {
                    continue 'all;
                }
                pick[k] = 0;
            }
            break;
        }
        seen.into_iter().map(|s| s.into_iter().collect()).collect()
    }

    #[test]
    fn a_lone_small_count_gets_a_neighbour_withheld() {
        // District 12 = 8 + "<5" + 0: the "<5" would be 4. The 8 is withheld with it.
        assert_eq!(protect(12, &[8, 4, 0]), vec![true, false, false]);
        // The smallest shown part is chosen, the first of equals; zeros never.
        assert_eq!(protect(40, &[20, 6, 1, 6, 0, 7]), vec![false, true, false, false, false, false]);
        // Nothing small: nothing withheld. A small whole anchors nothing.
        assert_eq!(protect(30, &[10, 20, 0]), vec![false; 3]);
        assert_eq!(protect(3, &[1, 2]), vec![false, false]);
        // Two small ones of 1 each (sum 2 = their floors) would both be known: one more is withheld.
        assert_eq!(protect(12, &[1, 1, 10]), vec![false, false, true]);
        // Two small ones whose sum leaves room: safe as they are.
        assert_eq!(protect(15, &[2, 3, 10]), vec![false, false, false]);
        // A one and a five, hidden together, sum 6 = floors 1 + 5: a third is withheld.
        assert_eq!(protect(26, &[1, 5, 20]), vec![false, true, true]);
        // Everything small and nothing left to withhold: the loop ends.
        assert_eq!(protect(5, &[1, 1, 1, 1, 1]), vec![false; 5]);
    }

    #[test]
    fn after_protection_no_hidden_count_is_pinned_down() {
        // Every group of up to four parts from a small range, the whole the sum plus what the
        // region holds itself (0 or 2): no hidden part is left with a single possible value
        // whenever a hidden part exists and something could be withheld.
        let values = [0u64, 1, 2, 4, 5, 6, 9];
        let (mut checked, mut unprotectable) = (0, 0);
        for a in values {
            for b in values {
                for c in values {
                    for own in [0u64, 2] {
                        let parts = [a, b, c];
                        let whole = a + b + c + own;
                        if Shown::public(whole) == Shown::Few || !parts.iter().any(|&n| Shown::public(n) == Shown::Few)
                        {
                            continue;
                        }
                        let w = protect(whole, &parts);
                        let hidden = w.iter().filter(|&&x| x).count()
                            + parts.iter().filter(|&&n| Shown::public(n) == Shown::Few).count();
                        let exact_left =
                            parts.iter().filter(|&&n| n >= SUPPRESS_BELOW).count() - w.iter().filter(|&&x| x).count();
                        let pinned = candidates(whole, &parts, &w).iter().any(|c| c.len() < 2);
                        if pinned {
                            // Only where every non-zero part is hidden already (6 = "<5" + "*" +
                            // 0): withholding alone cannot help there.
                            assert!(
                                exact_left == 0 && hidden >= 1,
                                "{parts:?} of {whole}: {w:?} leaves a count pinned"
                            );
                            unprotectable += 1;
                            continue;
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100, "{checked}");
        // The few groups withholding cannot save are those where every non-zero part is hidden.
        assert!(unprotectable < checked / 4, "{unprotectable} of {checked}");
    }

    fn q(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn periods_parse_and_bound_in_china_time() {
        let p = Period::parse("month", q(&[("year", "2026"), ("month", "2")])).unwrap();
        let (start, end) = p.bounds().unwrap();
        // 2026-02-01 00:00 +08:00 and 2026-03-01 00:00 +08:00.
        assert_eq!((start, end), (1_769_875_200, 1_772_294_400));
        let q4 = Period::parse("quarter", q(&[("year", "2026"), ("quarter", "4")])).unwrap();
        assert_eq!(q4.days().unwrap().1.to_string(), "2026-12-31");
        let leap = Period::parse("year", q(&[("year", "2028")])).unwrap();
        let (s, e) = leap.bounds().unwrap();
        assert_eq!((e - s) / 86_400, 366);
        let custom = Period::parse("custom", q(&[("from", "2026-11-01"), ("to", "2026-11-01")])).unwrap();
        let (s, e) = custom.bounds().unwrap();
        assert_eq!(e - s, 86_400, "one whole day");
        for bad in [
            ("month", q(&[("year", "2026"), ("month", "13")])),
            ("month", q(&[("year", "1999"), ("month", "1")])),
            ("quarter", q(&[("year", "2026"), ("quarter", "0")])),
            ("custom", q(&[("from", "2026-11-02"), ("to", "2026-11-01")])),
            ("custom", q(&[("from", "2024-01-01"), ("to", "2026-01-01")])),
            ("week", q(&[("year", "2026")])),
        ] {
            assert_eq!(Period::parse(bad.0, bad.1), None);
        }
    }

    #[test]
    fn the_trend_is_twelve_china_months_ending_with_the_periods_last() {
        let TrendMonths { months, bounds } = Period::Month { year: 2026, month: 2 }.trend_bounds().unwrap();
        assert_eq!(months.len(), TREND_MONTHS);
        assert_eq!((months[0], months[11]), ((2025, 3), (2026, 2)));
        assert_eq!(bounds.len(), TREND_MONTHS + 1);
        // The last month is the period itself.
        assert_eq!((bounds[11], bounds[12]), Period::Month { year: 2026, month: 2 }.bounds().unwrap());
        assert!(bounds.windows(2).all(|w| w[0] < w[1]));
        // A year ends in December; a quarter with its third month; custom dates with the month
        // of the last day.
        let m = Period::Year { year: 2026 }.trend_bounds().unwrap().months;
        assert_eq!((m[0], m[11]), ((2026, 1), (2026, 12)));
        let TrendMonths { months: m, bounds: b } = Period::Quarter { year: 2026, quarter: 1 }.trend_bounds().unwrap();
        assert_eq!((m[0], m[11]), ((2025, 4), (2026, 3)));
        // 2025-04-01 00:00 +08:00.
        assert_eq!(b[0], 1_743_436_800);
        let custom = Period::Custom {
            from: Date::from_calendar_date(2026, Month::November, 20).unwrap(),
            to: Date::from_calendar_date(2027, Month::January, 3).unwrap(),
        };
        let m = custom.trend_bounds().unwrap().months;
        assert_eq!((m[0], m[11]), ((2026, 2), (2027, 1)));
    }

    #[test]
    fn the_month_of_a_moment_is_the_china_month() {
        // 2026-11-30 17:00 UTC is already 1 December in China.
        let t = OffsetDateTime::from_unix_timestamp(1_796_058_000).unwrap();
        assert_eq!(Period::month_of(t), Period::Month { year: 2026, month: 12 });
    }

    #[test]
    fn rates_follow_the_definitions_and_hide_small_bases() {
        let c = Counts {
            received: 20,
            signed_on_time: 19,
            closed: 16,
            closed_on_time: 12,
            rated: 10,
            satisfied: 6,
            basically_satisfied: 2,
            ..Counts::default()
        };
        let r = c.rates(true);
        assert_eq!(r.signed_on_time, Some(950));
        assert_eq!(r.closed, Some(800));
        assert_eq!(r.closed_on_time, Some(750));
        assert_eq!(r.satisfaction, Some(800));
        assert_eq!(r.rated_share, Some(625));
        assert_eq!(percent(r.rated_share), "62.5%");
        // Four rated appeals: the public sees no satisfaction rate; staff do.
        let few = Counts { received: 4, closed: 4, rated: 4, satisfied: 4, ..Counts::default() };
        assert_eq!(few.rates(true).satisfaction, None);
        assert_eq!(few.rates(false).satisfaction, Some(1000));
        // Nothing received: no rate at all, never a division by zero.
        assert_eq!(Counts::default().rates(false), Rates::default());
        assert_eq!(percent(None), "—");
    }

    #[test]
    fn small_counts_are_suppressed_but_zero_is_not() {
        assert_eq!(Shown::public(0).text(), "0");
        assert_eq!(Shown::public(1).text(), "<5");
        assert_eq!(Shown::public(4).text(), "<5");
        assert_eq!(Shown::public(5).text(), "5");
        assert_eq!(Shown::public_or_withheld(9, true).text(), "*");
    }

    #[test]
    fn duration_buckets_and_their_starts() {
        // 0.1 h wide under 10 h, 1 h under 10 days, a day beyond, capped past a year.
        assert_eq!((duration_bucket(0), duration_bucket(359), duration_bucket(360)), (0, 0, 1));
        assert_eq!(duration_bucket(-50), 0, "a clock moved back counts as no time");
        assert_eq!((duration_bucket(35_999), duration_bucket(36_000)), (99, 100));
        assert_eq!((duration_bucket(39_599), duration_bucket(39_600)), (100, 101));
        assert_eq!((duration_bucket(863_999), duration_bucket(864_000)), (329, 330));
        assert_eq!(duration_bucket(864_000 + 86_400), 331);
        let last = duration_bucket(32_400_000);
        assert_eq!(duration_bucket(99_999_999), last);
        for secs in [0, 359, 360, 7_200, 35_999, 36_000, 100_000, 863_999, 864_000, 2_000_000, 32_399_999] {
            let b = duration_bucket(secs);
            assert!(bucket_start(b) <= secs && duration_bucket(bucket_start(b)) == b, "{secs}");
        }
        assert_eq!(bucket_start(last), 32_400_000);
    }

    #[test]
    fn histogram_medians() {
        let hist = |secs: &[i64]| {
            let mut h = Histogram::new();
            for s in secs {
                *h.entry(duration_bucket(*s)).or_insert(0) += 1;
            }
            h
        };
        assert_eq!(histogram_median_hours(&Histogram::new(), false), None);
        // Five appeals: the third is the median (2.0 h, inside 0.1 h buckets).
        let five = hist(&[600, 3_600, 7_200, 7_300, 90_000]);
        assert_eq!(histogram_median_hours(&five, true), Some(2.0));
        // Four: the lower middle one (1 h); too few for the public page.
        let four = hist(&[600, 3_600, 7_200, 90_000]);
        assert_eq!(histogram_median_hours(&four, false), Some(1.0));
        assert_eq!(histogram_median_hours(&four, true), None);
        // Beyond 10 h the median is shown to the hour, beyond 10 days to the day.
        assert_eq!(histogram_median_hours(&hist(&[50_000; 5]), true), Some(13.0));
        assert_eq!(histogram_median_hours(&hist(&[900_000; 5]), true), Some(240.0));
    }

    #[test]
    fn medians_in_hours() {
        assert_eq!(median_hours(vec![]), None);
        assert_eq!(median_hours(vec![3600]), Some(1.0));
        assert_eq!(median_hours(vec![7200, 3600, 36_000]), Some(2.0));
        assert_eq!(median_hours(vec![3600, 5400]), Some(1.3));
    }

    #[test]
    fn csv_cells_cannot_break_rows_or_run_formulas() {
        assert_eq!(csv_cell("plain 文本"), "plain 文本");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+86 138"), "'+86 138");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
    }
}
