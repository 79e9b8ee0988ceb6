//! The figures the grid is judged by (issue 12), defined once: what is counted, over which
//! period, and what may be shown to the public. The database only counts; every rate, every
//! suppression and every period boundary is decided here, so the public page, the staff dashboard
//! and the export cannot disagree.
//!
//! Definitions (the public page prints them next to each figure):
//! - **received**: appeals submitted in the period (a reopened appeal is not received again; a
//!   duplicate merged into another appeal is not counted: its main appeal is);
//! - **signed for on time** (签收及时率): of those received, the share signed for before the
//!   sign-for deadline; after a transfer, an escalation or a reopening the appeal is signed for
//!   again, and the sign-for and deadline of the unit that holds it are the ones counted;
//! - **closed** (办结率): of those received, the share closed by the end of the period and not
//!   reopened since: a 不满意 rating reopens the appeal (`closed_at` is cleared), and it counts as
//!   closed again only once it is closed again, so an ended period's figure can fall when the
//!   daily recount sees a reopening (the reopening itself is counted under *reopened*);
//! - **closed on time** (按期办结率): of those closed, the share closed before their deadline (the
//!   deadline of the last cycle);
//! - **overdue now**: open appeals past their deadline at the end of the period (or now);
//! - **supervised** (督办) and **escalated**: appeals received in the period that had at least one
//!   supervision notice (the job's, past a deadline, or one issued by hand by an overseer) or
//!   escalation, each appeal counted once;
//! - **satisfaction** (满意率): (satisfied + basically satisfied) ÷ rated, over the appeals received
//!   in the period that were rated, by the rating they hold now (also one given after the period
//!   ended); the **rated share** is rated ÷ closed, capped at 100 % (a reopened appeal keeps its
//!   rating while it is open again);
//! - **reopened**: appeals received in the period that a 不满意 rating reopened at least once;
//! - **median times** to sign-for, to the first reply (or the close) and to close: of the appeals
//!   received that got there before the end of the period, the middle one's time, counted in
//!   buckets ([`duration_bucket`]: 0.1 h under 10 h, 1 h under 10 days, a day beyond); on the
//!   public page not shown for fewer than [`SUPPRESS_BELOW`] appeals.
//!
//! **What the public sees** (one rule for every table, chart, map and period, so that no two
//! pages can be subtracted into a small exact number): every count 1–4 is shown as "<5" and every
//! other count rounded to the nearest multiple of [`ROUND_TO`] ([`Shown::public`]); every share is
//! computed from the counts as shown ("<5" as 5) and given only when its base as shown is at
//! least [`PUBLIC_RATE_BASE`] ([`Counts::rates`]). A number the public sees is then a function of
//! one shown count, so a total minus its parts (regions under a region, months of a quarter,
//! channels, two periods) leaves a range, not a number: a part is pinned only where the others'
//! least values fill the total's greatest, and then only to its least (a "<5" to 1; under 1 % of
//! groups, the test `differencing_leaves_a_range`).
//! Public periods are calendar months, quarters and years that have ended ([`Period::public_at`]):
//! custom periods (overlapping month ranges, each rounded on its own, pin single months) and a
//! period still running (its figures change as each appeal arrives) are for staff only. The staff
//! dashboard shows exact counts, any days, up to now.
//!
//! **Whose figures.** On the public page an appeal counts for the unit that held it at the end of
//! the period (of each month in the trend): one handed over afterwards stays in the earlier
//! period's figures of the unit it left (the public sees ended periods only). The staff dashboard
//! is a working view and counts the unit that holds it now.
//!
//! The monthly trend ([`Period::trend_bounds`]) applies the same definitions to each month of the
//! [`TREND_MONTHS`] ending with the period's last month: *closed* there means closed by the end of
//! that month.

use time::{Date, Month, OffsetDateTime, Time};

/// Below this, a count is shown as "<5" to the public and a median built on it is not shown at
/// all, so that nobody can be recognised from a small number.
pub const SUPPRESS_BELOW: u64 = 5;

/// The public sees every count of 5 or more rounded to the nearest multiple of this.
pub const ROUND_TO: u64 = 5;

/// The public sees a share only when its base, as shown, is at least this many appeals: a share
/// of fewer says little, and its exact value would give the base away.
pub const PUBLIC_RATE_BASE: u64 = 20;

/// `n` rounded to the nearest multiple of [`ROUND_TO`] (halves cannot occur: it is odd).
#[must_use]
pub fn rounded(n: u64) -> u64 {
    n.saturating_add(ROUND_TO / 2) / ROUND_TO * ROUND_TO
}

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

/// Why a period is not shown to the public ([`Period::public_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotPublic {
    /// Custom periods are for staff.
    Custom,
    /// The period has not ended yet.
    NotOver,
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

    /// The period as the public may see it at `now`: a calendar month, quarter or year that has
    /// ended (China time). Custom periods are staff-only: overlapping month ranges, each rounded
    /// on its own, would pin single months; a period still running changes minute by minute and
    /// would show when a small area's next appeal came.
    ///
    /// # Errors
    /// [`NotPublic::Custom`] for a custom period, [`NotPublic::NotOver`] for one not over yet.
    pub fn public_at(self, now: OffsetDateTime) -> Result<Self, NotPublic> {
        if matches!(self, Self::Custom { .. }) {
            return Err(NotPublic::Custom);
        }
        let (_, end) = self.bounds().ok_or(NotPublic::Custom)?;
        if end > now.unix_timestamp() {
            return Err(NotPublic::NotOver);
        }
        Ok(self)
    }

    /// The last month, quarter and year over at `now` (China time): what `/stats` opens on and
    /// what the warm-up job keeps read.
    #[must_use]
    pub fn last_over(now: OffsetDateTime) -> [Self; 3] {
        let local = now.to_offset(crate::sla::CHINA);
        let (y, m) = (local.year(), u8::from(local.month()));
        let month = if m == 1 { Self::Month { year: y - 1, month: 12 } } else { Self::Month { year: y, month: m - 1 } };
        let q = (m - 1) / 3 + 1;
        let quarter =
            if q == 1 { Self::Quarter { year: y - 1, quarter: 4 } } else { Self::Quarter { year: y, quarter: q - 1 } };
        [month, quarter, Self::Year { year: y - 1 }]
    }

    /// Every calendar month, quarter and year over at `now` (China time) that ends after
    /// `since` (the first appeal: earlier periods count nothing), the latest first; none before
    /// the year 2000. What the statistics job keeps counted, so that no public period is ever
    /// counted while a visitor waits.
    #[must_use]
    pub fn over_since(since: OffsetDateTime, now: OffsetDateTime) -> Vec<Self> {
        let [last_month, _, _] = Self::last_over(now);
        let Self::Month { year: last_year, .. } = last_month else { return Vec::new() };
        let (since, now) = (since.unix_timestamp(), now.unix_timestamp());
        let mut out: Vec<(i64, Self)> = Vec::new();
        for year in (2000..=last_year).rev() {
            let mut of_year = vec![Self::Year { year }];
            of_year.extend((1..=4).map(|quarter| Self::Quarter { year, quarter }));
            of_year.extend((1..=12).map(|month| Self::Month { year, month }));
            let mut any = false;
            for p in of_year {
                if let Some((_, end)) = p.bounds() {
                    if end <= now && end > since {
                        out.push((end, p));
                        any = true;
                    }
                }
            }
            if !any && year < last_year {
                break;
            }
        }
        // Latest end first; at the same end a month before its quarter before its year.
        let rank = |p: &Self| match p {
            Self::Month { .. } => 0,
            Self::Quarter { .. } => 1,
            _ => 2,
        };
        out.sort_by_key(|(end, p)| (std::cmp::Reverse(*end), rank(p)));
        out.into_iter().map(|(_, p)| p).collect()
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

/// A share as the public sees it: of the counts as shown ("<5" taken as 5, so a share tells 1–4
/// apart no more than the "<5" beside it), none on a shown base under [`PUBLIC_RATE_BASE`].
fn public_per_mille(part: u64, whole: u64) -> Option<u32> {
    let whole = Shown::public(whole).value();
    if whole < PUBLIC_RATE_BASE {
        return None;
    }
    per_mille(Shown::public(part).value(), whole, false)
}

impl Counts {
    /// The rates. With `public`, computed from the counts as shown and withheld on a shown base
    /// under [`PUBLIC_RATE_BASE`] (see the module documentation); without, exact (staff).
    #[must_use]
    pub fn rates(&self, public: bool) -> Rates {
        let rate =
            |part: u64, whole: u64| if public { public_per_mille(part, whole) } else { per_mille(part, whole, false) };
        Rates {
            signed_on_time: rate(self.signed_on_time, self.received),
            closed: rate(self.closed, self.received),
            closed_on_time: rate(self.closed_on_time, self.closed),
            satisfaction: rate(self.satisfied + self.basically_satisfied, self.rated),
            rated_share: rate(self.rated, self.closed),
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
}

/// One month of the trend: the appeals received in it, counted as of the end of that month
/// (`overdue_now`, `supervised`, `escalated` and `reopened` are not counted per month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MonthRow {
    pub year: i32,
    pub month: u8,
    pub counts: Counts,
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

/// How many appeals the region received by one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChannelRow {
    pub channel: crate::staff::AppealChannel,
    pub received: u64,
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
    /// At most [`TOP_CATEGORIES`], the most frequent first by the count as shown (ties by code).
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
    /// Zero, or a count of 5 or more rounded to the nearest multiple of [`ROUND_TO`].
    Rounded(u64),
    /// 1 to 4: shown as "<5". Zero is shown as it is (nothing to recognise).
    Few,
}

impl Shown {
    #[must_use]
    pub fn public(n: u64) -> Self {
        if n > 0 && n < SUPPRESS_BELOW {
            Self::Few
        } else {
            Self::Rounded(rounded(n))
        }
    }

    /// The number a chart or a share uses: the rounded count, or 5 for "<5".
    #[must_use]
    pub fn value(self) -> u64 {
        match self {
            Self::Rounded(n) => n,
            Self::Few => SUPPRESS_BELOW,
        }
    }

    #[must_use]
    pub fn text(self) -> String {
        match self {
            Self::Rounded(n) => crate::when::count_text(n),
            Self::Few => format!("<{SUPPRESS_BELOW}"),
        }
    }
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
    let mut out = String::with_capacity(text.len() + 2);
    push_csv_cell(&mut out, text);
    out
}

/// [`csv_cell`] appended to `out` (an export writes its cells into one buffer).
pub fn push_csv_cell(out: &mut String, text: &str) {
    let quoted = text.contains([',', '"', '\n', '\r']);
    if quoted {
        out.push('"');
    }
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.push('\'');
    }
    if quoted {
        let mut rest = text;
        while let Some(i) = rest.find('"') {
            out.push_str(&rest[..=i]);
            out.push('"');
            rest = &rest[i + 1..];
        }
        out.push_str(rest);
        out.push('"');
    } else {
        out.push_str(text);
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

    #[test]
    fn the_public_sees_counts_rounded_and_shares_of_rounded_counts() {
        let shown: Vec<String> = [0, 1, 4, 5, 7, 8, 12, 13, 1_234].map(|n| Shown::public(n).text()).to_vec();
        assert_eq!(shown, ["0", "<5", "<5", "5", "5", "10", "10", "15", "1,235"]);
        // 13 of 17 closed: the public share is 15 ÷ 15, not 76.5 %; 17 is under the base anyway.
        let c = Counts { received: 17, closed: 13, ..Counts::default() };
        assert_eq!(c.rates(true).closed, None, "a rounded base of 15 gives no share");
        assert_eq!(c.rates(false).closed, Some(765), "staff see the exact share");
        let c = Counts { received: 23, closed: 13, ..Counts::default() };
        assert_eq!(c.rates(true).closed, Some(600), "15 ÷ 25");
        // A "<5" counts as 5 in a share: 1 and 4 closed of 20 both give 25 %.
        for closed in [1, 2, 3, 4] {
            assert_eq!(Counts { received: 20, closed, ..Counts::default() }.rates(true).closed, Some(250));
        }
        let c = Counts { received: 18, closed: 18, rated: 0, ..Counts::default() };
        assert_eq!(c.rates(true).closed, Some(1000), "20 ÷ 20");
        assert_eq!(c.rates(true).satisfaction, None, "nothing rated");
    }

    /// What the public can tell of each of `parts` from the shown values of the parts and of
    /// `whole` (the parts plus what the region holds itself, 0 or more): the values each may
    /// still take, by brute force over small numbers.
    fn candidates(whole: u64, parts: &[u64]) -> Vec<std::collections::BTreeSet<u64>> {
        let fits = |shown: Shown| (0..=40u64).filter(move |&v| Shown::public(v) == shown);
        let ranges: Vec<Vec<u64>> = parts.iter().map(|&n| fits(Shown::public(n)).collect()).collect();
        let wholes: Vec<u64> = fits(Shown::public(whole)).collect();
        let mut seen = vec![std::collections::BTreeSet::new(); parts.len()];
        let mut pick = vec![0usize; parts.len()];
        'all: loop {
            let values: Vec<u64> = pick.iter().zip(&ranges).map(|(&p, r)| r[p]).collect();
            let sum: u64 = values.iter().sum();
            if wholes.iter().any(|&w| w >= sum) {
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
        seen
    }

    #[test]
    fn differencing_leaves_a_range() {
        // Every group of three parts up to 12 with a region holding 0 to 2 itself: subtracting
        // what the public sees pins a part to one number only where the others' least values
        // already fill the whole's greatest (1, 8, 8 of 17 show as "<5", 10, 10 of 15: the small
        // one is at most 17 − 8 − 8), and then only to the least value its shown form allows
        // (a "<5" to 1): 18 parts in 6,591 groups.
        let (mut groups, mut pinned) = (0, 0);
        for a in 0..=12u64 {
            for b in 0..=12u64 {
                for c in 0..=12u64 {
                    for own in 0..=2u64 {
                        let parts = [a, b, c];
                        let whole = a + b + c + own;
                        groups += 1;
                        for (k, seen) in candidates(whole, &parts).iter().enumerate() {
                            assert!(seen.contains(&parts[k]), "the true value is among the candidates");
                            if seen.len() > 1 || parts[k] == 0 {
                                continue;
                            }
                            let least = (1..).find(|&v| Shown::public(v) == Shown::public(parts[k]));
                            assert_eq!(Some(parts[k]), least, "{parts:?} of {whole}: part {k} pinned above its least");
                            pinned += 1;
                        }
                    }
                }
            }
        }
        eprintln!("{pinned} parts pinned in {groups} groups");
        assert!(pinned * 100 < groups, "{pinned} pinned of {groups}");
        // The case that defeated withholding "*" page by page: a district of 9 = 8 + 1, the 8
        // shown on its own page. Rounded, 10 − 10 leaves the 1 anywhere in 1–4.
        assert_eq!(candidates(9, &[8, 1])[1].iter().copied().collect::<Vec<_>>(), [1, 2, 3, 4]);
    }

    fn q(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn the_public_sees_calendar_periods_that_have_ended() {
        // 5 December 2026, 10:00 China time.
        let now = OffsetDateTime::from_unix_timestamp(1_796_436_000).unwrap();
        let d = |s: &str| Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).unwrap();
        let nov = Period::Month { year: 2026, month: 11 };
        assert_eq!(nov.public_at(now), Ok(nov));
        assert_eq!(Period::Month { year: 2026, month: 12 }.public_at(now), Err(NotPublic::NotOver));
        assert_eq!(Period::Quarter { year: 2026, quarter: 4 }.public_at(now), Err(NotPublic::NotOver));
        assert_eq!(Period::Year { year: 2026 }.public_at(now), Err(NotPublic::NotOver));
        let custom = Period::Custom { from: d("2026-01-01"), to: d("2026-01-31") };
        assert_eq!(custom.public_at(now), Err(NotPublic::Custom));
        assert_eq!(
            Period::last_over(now),
            [nov, Period::Quarter { year: 2026, quarter: 3 }, Period::Year { year: 2025 }]
        );
        // In January: last December, last year's fourth quarter.
        let jan = OffsetDateTime::from_unix_timestamp(1_799_200_000).unwrap();
        assert_eq!(
            Period::last_over(jan),
            [
                Period::Month { year: 2026, month: 12 },
                Period::Quarter { year: 2026, quarter: 4 },
                Period::Year { year: 2026 }
            ]
        );
        // What is kept counted: every period over since the first appeal, the latest first.
        let since =
            OffsetDateTime::from_unix_timestamp(Period::Month { year: 2025, month: 11 }.bounds().unwrap().0 + 3600)
                .unwrap();
        let kept = Period::over_since(since, now);
        assert_eq!(
            kept[..4],
            [
                nov,
                Period::Month { year: 2026, month: 10 },
                Period::Month { year: 2026, month: 9 },
                Period::Quarter { year: 2026, quarter: 3 }
            ]
        );
        // 13 months (Nov 2025 – Nov 2026), 4 quarters (Q4 2025 – Q3 2026), one year (2025).
        assert_eq!(kept.len(), 13 + 4 + 1);
        assert_eq!(kept.last(), Some(&Period::Month { year: 2025, month: 11 }));
        assert!(kept.contains(&Period::Year { year: 2025 }) && !kept.contains(&Period::Year { year: 2026 }));
        assert!(Period::over_since(now, now).is_empty(), "nothing before the first appeal");
        // A month is over at midnight China time after its last day, not before.
        let (_, end) = nov.bounds().unwrap();
        let just_before = OffsetDateTime::from_unix_timestamp(end - 1).unwrap();
        assert_eq!(nov.public_at(just_before), Err(NotPublic::NotOver));
        assert_eq!(nov.public_at(OffsetDateTime::from_unix_timestamp(end).unwrap()), Ok(nov));
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
        let r = c.rates(false);
        assert_eq!(r.signed_on_time, Some(950));
        assert_eq!(r.closed, Some(800));
        assert_eq!(r.closed_on_time, Some(750));
        assert_eq!(r.satisfaction, Some(800));
        assert_eq!(r.rated_share, Some(625));
        assert_eq!(percent(r.rated_share), "62.5%");
        // The public's shares are of the rounded counts (20 ÷ 20, 15 ÷ 20), and none on a
        // rounded base under 20 (the 12 closed on time of 15 closed, the 10 rated).
        let p = c.rates(true);
        assert_eq!((p.signed_on_time, p.closed), (Some(1000), Some(750)));
        assert_eq!((p.closed_on_time, p.satisfaction, p.rated_share), (None, None, None));
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
        assert_eq!(Shown::public(9).text(), "10", "rounded to the nearest 5");
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
