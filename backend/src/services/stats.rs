//! The grid's figures for the public statistics page (issue 12): a region (the city by default),
//! the regions one level below it, its month-by-month trend, its most frequent categories and the
//! grid cells under it (for the map), over a period. The definitions are `domain::stats`'s (the
//! page suppresses small counts); the counting is `store::stats`.
//!
//! The public may open every level down to a single grid cell: what protects residents there is
//! the suppression of small counts, not a depth limit.
//!
//! A burst of public requests costs one database read per period per minute: what a period's
//! page of *any* region needs (every figure, the trend, the categories, all grouped by region
//! path) is read once and kept for [`CACHE_SECONDS`] in [`PublicCache`] (at most
//! [`CACHE_ENTRIES`] periods, timed by the state's clock); after that minute the kept figures are
//! still shown while one new read runs in the background (up to [`STALE_SECONDS`]), and a job
//! keeps the last month, quarter and year over read ([`warm`]). Staff figures never go through it.
//!
//! The public sees only periods that have ended, so their figures are also kept in the database
//! (migration 0023), shared by every node: the job counts every month, quarter and year since the
//! first appeal ([`fill`]) and again once a day ([`RECOUNT_SECONDS`]; the last month, quarter and
//! year over as above), so a visitor asking for an old quarter reads one row instead of waiting
//! seconds for a count of it.

use crate::catalog::Catalog;
use crate::store::stats as store;
use crate::{AppState, BackendError, Result};
use domain::region::{Level, Region};
use domain::staff::AppealChannel;
use domain::stats::{
    CategoryRow, ChannelRow, Counts, MapCellRow, MonthRow, Period, StatsRow, StatsView, TOP_CATEGORIES,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// How far down the public may drill: every level, to the grid cell.
const PUBLIC_DEEPEST: Level = Level::Grid;

/// How long a period's public figures are reused, in seconds.
pub const CACHE_SECONDS: i64 = 60;

/// How many periods the public cache holds at most (the oldest is dropped first).
pub const CACHE_ENTRIES: usize = 64;

fn below(level: Level) -> Option<Level> {
    match level {
        Level::City => Some(Level::District),
        Level::District => Some(Level::Street),
        Level::Street => Some(Level::Community),
        Level::Community => Some(Level::Grid),
        Level::Grid => None,
    }
}

fn level_rank(level: Level) -> u8 {
    match level {
        Level::City => 0,
        Level::District => 1,
        Level::Street => 2,
        Level::Community => 3,
        Level::Grid => 4,
    }
}

/// One read of a period, grouped by region path: enough for the public page of every region.
#[derive(Debug, Default)]
struct PeriodFigures {
    by_path: HashMap<String, Counts>,
    /// The trend's months (see `Period::trend_bounds`).
    monthly: HashMap<String, Vec<Counts>>,
    /// `(path, category, stored channel) → received`.
    by_category: HashMap<(String, String, String), u64>,
    /// Per path, the durations to sign-for, first reply and close (`store::durations_by_path`).
    durations: HashMap<String, [domain::stats::Histogram; 3]>,
}

/// A period: `[start, end)`, the category (`None`: all) and the region hierarchy's fingerprint
/// (`Catalog::paths_key`: figures read under another hierarchy are not shown; other catalog
/// edits keep them).
type Key = (i64, i64, Option<String>, i64);

/// Filled once by whichever request comes first; the others wait for it.
type Slot = Arc<tokio::sync::OnceCell<Arc<PeriodFigures>>>;

/// How long figures older than [`CACHE_SECONDS`] may still be shown while one fresh read runs
/// in the background (stale-while-revalidate), in seconds. Past it the next request waits for a
/// read of its own.
pub const STALE_SECONDS: i64 = 15 * 60;

/// One period in the cache: its last complete read, and the read under way.
#[derive(Default)]
struct Entry {
    last: Option<(i64, Arc<PeriodFigures>)>,
    pending: Option<Slot>,
}

/// What a request does with the cache (decided under the lock, done outside it).
enum Plan {
    /// Figures young enough: shown as they are.
    Fresh(Arc<PeriodFigures>),
    /// Figures past [`CACHE_SECONDS`] but within [`STALE_SECONDS`]: shown now; the slot, when
    /// there is one, is a new read for this request to start in the background.
    Stale(Arc<PeriodFigures>, Option<Slot>),
    /// Nothing to show: wait for (or do) the read of this slot.
    Wait(Slot),
}

/// The public figures of recent periods (see the module documentation), and a bound on the
/// reads running at once: anyone may ask for any ended month, quarter or year, and each new one
/// costs a read of up to a year, so such reads queue ([`READS_AT_ONCE`]) instead of taking every core and
/// connection. Cloning shares the cache.
///
/// A period someone keeps looking at is read at most once per [`CACHE_SECONDS`], in the
/// background: after its first read nobody waits for the database again until it has not been
/// asked for during [`STALE_SECONDS`]. The last month over (what `/stats` shows first) is kept warm
/// by a job ([`warm`]), so the page's first answer after a start or a quiet night is a cached one.
#[derive(Clone)]
pub struct PublicCache(Arc<Mutex<HashMap<Key, Entry>>>, Arc<tokio::sync::Semaphore>);

/// Public period reads running at once; the others wait their turn, at most [`READ_WAIT`].
pub const READS_AT_ONCE: usize = 2;

/// Longest wait for a read turn before the page answers "busy, try again" (503).
pub const READ_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl Default for PublicCache {
    fn default() -> Self {
        Self(Arc::default(), Arc::new(tokio::sync::Semaphore::new(READS_AT_ONCE)))
    }
}

impl PublicCache {
    /// What a request for `key` at `now` does. Figures read "later" than `now` (a clock moved
    /// back) are never shown; periods not asked for during [`STALE_SECONDS`] are dropped, and the
    /// oldest one when the cache is full.
    fn plan(&self, key: &Key, now: i64) -> Plan {
        let usable = |at: i64| now >= at && now - at < STALE_SECONDS;
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.retain(|_, e| e.pending.is_some() || e.last.as_ref().is_some_and(|(at, _)| usable(*at)));
        if !map.contains_key(key) {
            while map.len() >= CACHE_ENTRIES {
                let oldest = map.iter().min_by_key(|(_, e)| e.last.as_ref().map_or(i64::MIN, |(at, _)| *at));
                let Some(oldest) = oldest.map(|(k, _)| k.clone()) else { break };
                map.remove(&oldest);
            }
        }
        let entry = map.entry(key.clone()).or_default();
        match &entry.last {
            Some((at, f)) if now >= *at && now - *at < CACHE_SECONDS => Plan::Fresh(f.clone()),
            Some((at, f)) if usable(*at) => {
                if entry.pending.is_some() {
                    Plan::Stale(f.clone(), None)
                } else {
                    let slot = Slot::default();
                    entry.pending = Some(slot.clone());
                    Plan::Stale(f.clone(), Some(slot))
                }
            }
            _ => Plan::Wait(entry.pending.get_or_insert_with(Slot::default).clone()),
        }
    }

    /// How old the kept figures of `key` are at `now`, in seconds (`None`: none kept).
    fn age(&self, key: &Key, now: i64) -> Option<i64> {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(key).and_then(|e| e.last.as_ref()).map(|(at, _)| now - *at).filter(|age| *age >= 0)
    }

    /// Whether a request for `key` at `now` would be answered without a new database read: the
    /// period's figures are kept (fresh or stale), or someone's read of it is under way.
    fn has(&self, key: &Key, now: i64) -> bool {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(key).is_some_and(|e| {
            e.pending.is_some() || e.last.as_ref().is_some_and(|(at, _)| now >= *at && now - *at < STALE_SECONDS)
        })
    }

    /// Records the outcome of `slot`'s read: the figures become the period's last read (when
    /// `read` has them), and the read is no longer under way.
    fn done(&self, key: &Key, slot: &Slot, read: Option<(i64, Arc<PeriodFigures>)>) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = map.entry(key.clone()).or_default();
        if entry.pending.as_ref().is_some_and(|p| Arc::ptr_eq(p, slot)) {
            entry.pending = None;
        }
        if let Some((at, figures)) = read {
            if entry.last.as_ref().is_none_or(|(last, _)| *last <= at) {
                entry.last = Some((at, figures));
            }
        }
    }
}

/// How old the kept figures of an ended period may be before they are counted again, in
/// seconds: a day (late ratings and reopened appeals still change an ended period a little). The
/// last month, quarter and year over are counted more often ([`recount_after`]).
pub const RECOUNT_SECONDS: i64 = 24 * 3600;

/// How old the job lets kept figures grow before it counts them again ([`fill`]): before a
/// visitor would find them too old and wait for a count.
pub const REFILL_SECONDS: i64 = 20 * 3600;

/// Longest time one run of [`fill`] spends starting new counts.
pub const FILL_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// How old the kept figures of the ended period `[start, end)` may be at `now`: a minute for the
/// last month over (what `/stats` opens on), [`LONG_WARM_SECONDS`] for the last quarter and year
/// over, [`RECOUNT_SECONDS`] for older periods.
fn recount_after(state: &AppState, start: i64, end: i64) -> i64 {
    let [month, quarter, year] = Period::last_over(state.clock.now());
    if month.bounds() == Some((start, end)) {
        CACHE_SECONDS
    } else if quarter.bounds() == Some((start, end)) || year.bounds() == Some((start, end)) {
        LONG_WARM_SECONDS
    } else {
        RECOUNT_SECONDS
    }
}

/// Whether figures of `[start, end)` kept under the hierarchy `regions` (`Catalog::paths_key`)
/// and counted at `counted_at` may be shown now with `cat`: the same hierarchy, counted after the
/// period ended, and not older than [`recount_after`] (nor "later" than now: a clock moved back).
fn young(state: &AppState, cat: &Catalog, start: i64, end: i64, regions: i64, counted_at: i64) -> bool {
    let age = state.clock.ts() - counted_at;
    regions == cat.paths_key() && counted_at >= end && (0..recount_after(state, start, end)).contains(&age)
}

/// [`PeriodFigures`] as kept in the database (JSON has no tuple keys).
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    by_path: HashMap<String, Counts>,
    monthly: HashMap<String, Vec<Counts>>,
    by_category: Vec<(String, String, String, u64)>,
    durations: HashMap<String, [domain::stats::Histogram; 3]>,
}

impl PeriodFigures {
    fn to_json(&self) -> serde_json::Result<String> {
        let by_category =
            self.by_category.iter().map(|((p, c, ch), n)| (p.clone(), c.clone(), ch.clone(), *n)).collect();
        serde_json::to_string(&Kept {
            by_path: self.by_path.clone(),
            monthly: self.monthly.clone(),
            by_category,
            durations: self.durations.clone(),
        })
    }

    fn from_json(json: &str) -> serde_json::Result<Self> {
        let k: Kept = serde_json::from_str(json)?;
        Ok(Self {
            by_path: k.by_path,
            monthly: k.monthly,
            by_category: k.by_category.into_iter().map(|(p, c, ch, n)| ((p, c, ch), n)).collect(),
            durations: k.durations,
        })
    }
}

/// The kept figures of the ended period `[start, end)` when they were counted under `cat`'s
/// hierarchy and are young enough ([`young`]); `None` otherwise (and for a period not over). The
/// row's times are looked at before its figures are read.
async fn kept(state: &AppState, cat: &Catalog, start: i64, end: i64) -> Result<Option<PeriodFigures>> {
    let now = state.clock.ts();
    if end > now {
        return Ok(None);
    }
    let pool = &state.db.pool;
    let usable = |(regions, at): (i64, i64)| young(state, cat, start, end, regions, at);
    if !store::snapshot_time(pool, start, end).await?.is_some_and(usable) {
        return Ok(None);
    }
    let Some(k) = store::snapshot(pool, start, end).await? else { return Ok(None) };
    if !usable((k.regions, k.counted_at)) {
        return Ok(None);
    }
    match PeriodFigures::from_json(&k.figures) {
        Ok(f) => Ok(Some(f)),
        Err(e) => {
            tracing::warn!(error = %e, start, end, "public statistics: kept figures unreadable; counting again");
            Ok(None)
        }
    }
}

/// Counts `[start, end)` (trend months `bounds`) when a turn comes ([`READS_AT_ONCE`]), and keeps
/// the figures of an ended period in the database for every node ([`kept`]).
async fn count(state: &AppState, cat: &Catalog, start: i64, end: i64, bounds: &[i64]) -> Result<PeriodFigures> {
    // Wait a little for a turn; past that, "busy" rather than an ever longer queue.
    let turn = tokio::time::timeout(READ_WAIT, state.stats_cache.1.acquire()).await;
    let Ok(Ok(_turn)) = turn else { return Err(BackendError::Conflict(domain::Msg::StatsBusy)) };
    let now = state.clock.ts();
    let pool = &state.db.pool;
    let regions = cat.paths_key();
    // Each read's time, for the debug log (`RUST_LOG=backend::services::stats=debug`).
    async fn timed<T>(f: impl std::future::Future<Output = Result<T>>) -> Result<(T, u128)> {
        let t = std::time::Instant::now();
        let v = f.await?;
        Ok((v, t.elapsed().as_millis()))
    }
    let ((by_path, counts_ms), (monthly, monthly_ms), (by_category, categories_ms), (durations, durations_ms)) = tokio::try_join!(
        timed(store::counts_by_path(pool, cat, None, start, end, now)),
        timed(store::monthly_by_path(pool, cat, bounds, None)),
        timed(store::received_by_category(pool, cat, start, end)),
        timed(store::durations_by_path(pool, cat, start, end)),
    )?;
    tracing::debug!(start, end, counts_ms, monthly_ms, categories_ms, durations_ms, "public statistics: period read");
    let figures = PeriodFigures { by_path, monthly, by_category, durations };
    if end <= now {
        // Kept for later and for the other nodes; a failure to keep costs a later count, not
        // this answer.
        let kept = match figures.to_json() {
            Ok(json) => {
                let snapshot = store::Snapshot { regions, counted_at: now, figures: json };
                store::put_snapshot(pool, start, end, &snapshot).await
            }
            Err(e) => Err(BackendError::Internal(e.to_string())),
        };
        if let Err(e) = kept {
            tracing::warn!(error = %e, "public statistics: could not keep the figures");
        }
    }
    Ok(figures)
}

/// Reads `[start, end)` (trend months `bounds`) into `slot`, once, and records it: the kept
/// figures when they are young enough ([`kept`]), a new count otherwise ([`count`]).
async fn read_into(
    state: &AppState,
    cat: &Catalog,
    key: &Key,
    slot: &Slot,
    bounds: &[i64],
) -> Result<Arc<PeriodFigures>> {
    let now = state.clock.ts();
    let (start, end) = (key.0, key.1);
    let read = slot
        .get_or_try_init(|| async {
            let figures = match kept(state, cat, start, end).await? {
                Some(f) => f,
                None => count(state, cat, start, end, bounds).await?,
            };
            Ok::<_, BackendError>(Arc::new(figures))
        })
        .await;
    state.stats_cache.done(key, slot, read.as_ref().ok().map(|f| (now, Arc::clone(f))));
    Ok(read?.clone())
}

/// The figures of `[start, end)` (trend months `bounds`), from the cache or read now.
async fn period_figures(
    state: &AppState,
    cat: &Arc<Catalog>,
    start: i64,
    end: i64,
    bounds: &[i64],
) -> Result<Arc<PeriodFigures>> {
    let key: Key = (start, end, None, cat.paths_key());
    match state.stats_cache.plan(&key, state.clock.ts()) {
        Plan::Fresh(f) | Plan::Stale(f, None) => Ok(f),
        Plan::Stale(f, Some(slot)) => {
            let (state, cat, bounds) = (state.clone(), Arc::clone(cat), bounds.to_vec());
            tokio::spawn(async move {
                if let Err(e) = read_into(&state, &cat, &key, &slot, &bounds).await {
                    tracing::warn!(error = %e, "public statistics: background read failed; the last one is shown");
                }
            });
            Ok(f)
        }
        Plan::Wait(slot) => read_into(state, cat, &key, &slot, bounds).await,
    }
}

/// How old the figures of the last quarter and year over may grow before the warm-up job reads
/// them again: under [`STALE_SECONDS`], so they never drop out of the cache, yet a read of a
/// whole year (seconds at a million appeals) happens a few times an hour, not every minute.
pub const LONG_WARM_SECONDS: i64 = 10 * 60;

/// Keeps the public figures of the last month over (what `/stats` opens on) read, and those of the
/// last quarter and year over (what the form's quarter and year fall back to, and the costliest
/// reads): a read
/// when they are missing or older than [`CACHE_SECONDS`] (the month) or [`LONG_WARM_SECONDS`]
/// (quarter and year), nothing otherwise; one read at a time. Run by a job on every node.
///
/// # Errors
/// Database errors; [`BackendError::Conflict`] when public reads are all busy.
pub async fn warm(state: &AppState) -> Result<()> {
    let cat = state.catalog.get();
    let [month, quarter, year] = Period::last_over(state.clock.now());
    let periods = [(month, CACHE_SECONDS), (quarter, LONG_WARM_SECONDS), (year, LONG_WARM_SECONDS)];
    for (period, max_age) in periods {
        let (start, end) = period.bounds().ok_or(BackendError::NotFound)?;
        let bounds = period.trend_bounds().ok_or(BackendError::NotFound)?.bounds;
        let key: Key = (start, end, None, cat.paths_key());
        let ts = state.clock.ts();
        if state.stats_cache.age(&key, ts).is_some_and(|age| age < max_age) {
            continue;
        }
        match state.stats_cache.plan(&key, ts) {
            Plan::Fresh(_) | Plan::Stale(_, None) => {}
            Plan::Stale(_, Some(slot)) | Plan::Wait(slot) => {
                read_into(state, &cat, &key, &slot, &bounds).await?;
            }
        }
    }
    fill(state).await.map(|_| ())
}

/// What one run of [`fill`] did: periods counted and kept, and those still due (the next run
/// goes on with them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filled {
    pub counted: u32,
    pub left: u32,
}

/// Counts the ended months, quarters and years since the first appeal whose kept figures are
/// missing, of another region hierarchy or older than [`REFILL_SECONDS`], the latest first, for
/// up to [`FILL_BUDGET`] per run (the next run goes on; so does it when the public reads are all
/// busy, and when [`warm`], which runs first, found them busy this run does not start): so a visitor asking for any public period reads kept figures instead of waiting for a
/// count of seconds. Several nodes may run it at once: each looks again just before a count,
/// and the last count is kept. The figures counted here are not put in this node's cache.
///
/// # Errors
/// Database errors.
pub async fn fill(state: &AppState) -> Result<Filled> {
    let pool = &state.db.pool;
    let Some(first) = store::first_submitted(pool).await? else { return Ok(Filled::default()) };
    let first = time::OffsetDateTime::from_unix_timestamp(first).map_err(|e| BackendError::Internal(e.to_string()))?;
    let counted = store::snapshot_times(pool).await?;
    let cat = state.catalog.get();
    let regions = cat.paths_key();
    let due = |now: i64, kept: Option<(i64, i64)>| {
        kept.is_none_or(|(r, at)| r != regions || at > now || now - at >= REFILL_SECONDS)
    };
    let began = std::time::Instant::now();
    let mut out = Filled::default();
    for period in Period::over_since(first, state.clock.now()) {
        let (Some((start, end)), Some(trend)) = (period.bounds(), period.trend_bounds()) else { continue };
        if !due(state.clock.ts(), counted.get(&(start, end)).copied()) {
            continue;
        }
        // Out of time (or turned away as busy): left for the next run.
        if out.left > 0 || began.elapsed() >= FILL_BUDGET {
            out.left += 1;
            continue;
        }
        // Another node may have counted it since this run began.
        if !due(state.clock.ts(), store::snapshot_time(pool, start, end).await?) {
            continue;
        }
        match count(state, &cat, start, end, &trend.bounds).await {
            Ok(_) => out.counted += 1,
            Err(BackendError::Conflict(domain::Msg::StatsBusy)) => out.left += 1,
            Err(e) => return Err(e),
        }
    }
    if out.counted > 0 {
        let ms = began.elapsed().as_millis();
        tracing::info!(counted = out.counted, left = out.left, ms, "public statistics: ended periods counted and kept");
    }
    Ok(out)
}

/// [`public`] for a visitor: a period nobody has asked for lately (not kept, no read under way)
/// spends one from `client`'s budget of new periods (`Limits::stats_periods_per_10min`), so one
/// client cannot keep the database reading year after year of past periods. Periods already
/// read, the last month over among them, cost nothing.
///
/// # Errors
/// [`BackendError::RateLimited`] when the client's budget of new periods is spent; those of
/// [`public`].
pub async fn public_as(state: &AppState, client: &str, region: Option<&str>, period: Period) -> Result<StatsView> {
    // Only a month, quarter or year that has ended (`Period::public_at`).
    let period = period.public_at(state.clock.now()).map_err(|e| {
        BackendError::Conflict(match e {
            domain::stats::NotPublic::Custom => domain::Msg::StatsBadPeriod,
            domain::stats::NotPublic::NotOver => domain::Msg::StatsNotOver,
        })
    })?;
    let (start, end) = period.bounds().ok_or(BackendError::NotFound)?;
    let cat = state.catalog.get();
    let key: Key = (start, end, None, cat.paths_key());
    if !state.stats_cache.has(&key, state.clock.ts()) && !state.stats_limiter.check(client).await {
        tracing::info!("public statistics: a client asked for too many new periods");
        return Err(BackendError::RateLimited);
    }
    public_with(state, &cat, region, period).await
}

/// The public figures of `region` (the city when `None`) for `period`: its own, the regions one
/// level below it, the trend of the 12 months ending with the period's last month, its most
/// frequent categories and, for a district, street or community, the grid cells under it (for a
/// grid cell, its community's cells).
///
/// # Errors
/// [`BackendError::NotFound`] for an unknown region or one below what the public may open;
/// [`BackendError::Conflict`] (`StatsBusy`) when the reads of new periods are all busy and
/// this one waited [`READ_WAIT`] for a turn; database errors.
pub async fn public(state: &AppState, region: Option<&str>, period: Period) -> Result<StatsView> {
    public_with(state, &state.catalog.get(), region, period).await
}

/// [`public`] with one catalog from the request's start to its end (a reload meanwhile does not
/// mix figures counted under two hierarchies).
async fn public_with(state: &AppState, cat: &Arc<Catalog>, region: Option<&str>, period: Period) -> Result<StatsView> {
    let (start, end) = period.bounds().ok_or(BackendError::NotFound)?;
    let (first, last) = period.days().ok_or(BackendError::NotFound)?;
    let domain::stats::TrendMonths { months, bounds } = period.trend_bounds().ok_or(BackendError::NotFound)?;
    let region: &Region = match region {
        Some(code) => cat.region(code).ok_or(BackendError::NotFound)?,
        None => cat.regions.iter().find(|r| r.parent.is_none()).ok_or(BackendError::NotFound)?,
    };
    if level_rank(region.level) > level_rank(PUBLIC_DEEPEST) {
        return Err(BackendError::NotFound);
    }
    let figures = period_figures(state, cat, start, end, &bounds).await?;
    let row = |r: &Region, counts: Counts| StatsRow {
        code: r.code.clone(),
        name: r.name.clone(),
        name_en: r.name_en.clone(),
        level: r.level.as_str().to_owned(),
        counts,
        opens: level_rank(r.level) <= level_rank(PUBLIC_DEEPEST),
    };
    let count = |r: &Region| store::sum_under(&figures.by_path, &cat.region_path(&r.code));
    let scope = cat.region_path(&region.code);
    let own = row(region, count(region));
    let medians = {
        let mut h: [domain::stats::Histogram; 3] = Default::default();
        for (_, per) in figures.durations.iter().filter(|(p, _)| p.starts_with(&scope)) {
            for (into, from) in h.iter_mut().zip(per) {
                for (b, n) in from {
                    *into.entry(*b).or_insert(0) += n;
                }
            }
        }
        let m = |h: &domain::stats::Histogram| domain::stats::histogram_median_hours(h, true);
        domain::stats::Medians { signed: m(&h[0]), replied: m(&h[1]), closed: m(&h[2]) }
    };
    let mut children = Vec::new();
    if let Some(level) = below(region.level) {
        for c in cat.children(Some(&region.code), level) {
            children.push(row(c, count(c)));
        }
    }
    let mut trail = Vec::new();
    let mut up = region.parent.as_deref().and_then(|p| cat.region(p));
    while let Some(r) = up {
        if trail.len() > 8 {
            break;
        }
        trail.push(row(r, Counts::default()));
        up = r.parent.as_deref().and_then(|p| cat.region(p));
    }
    trail.reverse();

    let mut trend: Vec<MonthRow> =
        months.iter().map(|&(year, month)| MonthRow { year, month, counts: Counts::default() }).collect();
    for per_month in figures.monthly.iter().filter(|(p, _)| p.starts_with(&scope)).map(|(_, m)| m) {
        for (t, c) in trend.iter_mut().zip(per_month) {
            t.counts += *c;
        }
    }

    let mut per_category: HashMap<&str, u64> = HashMap::new();
    let mut channels: Vec<(AppealChannel, u64)> = AppealChannel::ALL.into_iter().map(|c| (c, 0)).collect();
    for ((_, code, channel), n) in figures.by_category.iter().filter(|((p, _, _), _)| p.starts_with(&scope)) {
        *per_category.entry(code.as_str()).or_insert(0) += n;
        let kind = AppealChannel::of_stored(channel);
        if let Some((_, c)) = channels.iter_mut().find(|(k, _)| Some(*k) == kind) {
            *c += n;
        }
    }
    let channels: Vec<ChannelRow> =
        channels.into_iter().map(|(channel, received)| ChannelRow { channel, received }).collect();
    // Only categories with at least `SUPPRESS_BELOW` appeals: a row of "<5" would still say that
    // a (perhaps sensitive) kind of appeal came from this small area. Below a district, never the
    // private categories (family disputes, legal aid, public order), whose appeals the public
    // record names only by district (`domain::publication`): two periods a day apart would
    // otherwise tell that one came from a street, a community or a grid cell that day.
    let private_here = level_rank(region.level) > level_rank(Level::District);
    let mut top: Vec<(&str, u64)> = per_category
        .into_iter()
        .filter(|(code, n)| {
            *n >= domain::stats::SUPPRESS_BELOW && !(private_here && domain::publication::is_sensitive(code))
        })
        .collect();
    // By the count as shown (rounded), then by code: the order tells no more than the numbers.
    let shown = |n: u64| domain::stats::Shown::public(n).value();
    top.sort_by(|a, b| shown(b.1).cmp(&shown(a.1)).then_with(|| a.0.cmp(b.0)));
    let top_categories = top
        .into_iter()
        .take(TOP_CATEGORIES)
        .map(|(code, received)| {
            let c = cat.category(code);
            CategoryRow {
                code: code.to_owned(),
                name: c.map_or_else(|| code.to_owned(), |c| c.name.clone()),
                name_en: c.map(|c| c.name_en.clone()).unwrap_or_default(),
                received,
            }
        })
        .collect();

    let map_scope = match region.level {
        Level::City => None,
        Level::District | Level::Street | Level::Community => Some(region.code.as_str()),
        Level::Grid => region.parent.as_deref(),
    };
    let map = map_scope
        .map(|s| {
            cat.cells_under(s)
                .into_iter()
                .filter_map(|c| {
                    let polygons = cat.cell_shapes(&c.code)?.to_vec();
                    let community = c.parent.as_deref().and_then(|p| cat.region(p));
                    Some(MapCellRow {
                        row: row(c, count(c)),
                        community: community.map(|r| r.name.clone()).unwrap_or_default(),
                        community_en: community.map(|r| r.name_en.clone()).unwrap_or_default(),
                        polygons,
                    })
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let (kind, year, month, quarter) = period.form();
    Ok(StatsView {
        kind: kind.to_owned(),
        year,
        month,
        quarter,
        from: first.to_string(),
        to: last.to_string(),
        trail,
        region: own,
        medians,
        children,
        trend,
        top_categories,
        channels,
        map,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: i64) -> Key {
        (n, n + 1, None, 0)
    }

    fn figures() -> Arc<PeriodFigures> {
        Arc::new(PeriodFigures::default())
    }

    fn fill(cache: &PublicCache, k: &Key, at: i64) -> Arc<PeriodFigures> {
        let Plan::Wait(slot) = cache.plan(k, at) else { panic!("nothing cached yet") };
        let f = figures();
        cache.done(k, &slot, Some((at, f.clone())));
        f
    }

    #[test]
    fn fresh_for_a_minute_then_stale_with_one_background_read() {
        let cache = PublicCache::default();
        // Nothing yet: everyone waits for the same read.
        let Plan::Wait(a) = cache.plan(&key(0), 1000) else { panic!() };
        let Plan::Wait(b) = cache.plan(&key(0), 1000) else { panic!() };
        assert!(Arc::ptr_eq(&a, &b), "one read for concurrent first requests");
        let f = figures();
        cache.done(&key(0), &a, Some((1000, f.clone())));
        let Plan::Fresh(g) = cache.plan(&key(0), 1000 + CACHE_SECONDS - 1) else { panic!("within the minute") };
        assert!(Arc::ptr_eq(&f, &g));
        // Past the minute: the old figures at once, and one new read (not one per request).
        let Plan::Stale(g, Some(refresh)) = cache.plan(&key(0), 1000 + CACHE_SECONDS) else { panic!("stale") };
        assert!(Arc::ptr_eq(&f, &g));
        let Plan::Stale(_, None) = cache.plan(&key(0), 1000 + CACHE_SECONDS + 1) else { panic!("already reading") };
        let newer = figures();
        cache.done(&key(0), &refresh, Some((1000 + CACHE_SECONDS + 2, newer.clone())));
        let Plan::Fresh(g) = cache.plan(&key(0), 1000 + CACHE_SECONDS + 3) else { panic!("refreshed") };
        assert!(Arc::ptr_eq(&newer, &g));
    }

    #[test]
    fn a_failed_background_read_keeps_the_last_figures_and_is_tried_again() {
        let cache = PublicCache::default();
        let f = fill(&cache, &key(0), 1000);
        let Plan::Stale(_, Some(refresh)) = cache.plan(&key(0), 1100) else { panic!() };
        cache.done(&key(0), &refresh, None);
        let Plan::Stale(g, Some(_)) = cache.plan(&key(0), 1101) else { panic!("a new read after a failure") };
        assert!(Arc::ptr_eq(&f, &g));
    }

    #[test]
    fn too_old_or_from_the_future_is_never_shown() {
        let cache = PublicCache::default();
        fill(&cache, &key(0), 1000);
        assert!(matches!(cache.plan(&key(0), 1000 + STALE_SECONDS), Plan::Wait(_)), "past the stale limit");
        let cache = PublicCache::default();
        fill(&cache, &key(1), 5000);
        assert!(matches!(cache.plan(&key(1), 4999), Plan::Wait(_)), "a clock moved back");
    }

    #[test]
    fn the_cache_holds_at_most_its_size_and_drops_the_oldest() {
        let cache = PublicCache::default();
        fill(&cache, &key(0), 100);
        for i in 1..i64::try_from(CACHE_ENTRIES).unwrap() + 5 {
            fill(&cache, &key(i), 101);
        }
        let map = cache.0.lock().unwrap();
        assert_eq!(map.len(), CACHE_ENTRIES);
        assert!(!map.contains_key(&key(0)) && map.contains_key(&key(68)));
    }
}
