//! The grid's figures for the public statistics page (issue 12): a region (the city by default)
//! and the regions one level below it, over a period, with small counts suppressed. The
//! definitions are `domain::stats`'s; the counting is `store::stats`.

use crate::store::stats as store;
use crate::{AppState, BackendError, Result};
use domain::region::{Level, Region};
use domain::stats::{Counts, Period, StatsRow, StatsView};

/// How far down the public may drill: the city, its districts, their streets (a street's
/// communities are listed, not opened further).
const PUBLIC_DEEPEST: Level = Level::Street;

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

/// The public figures of `region` (the city when `None`) for `period`, and of the regions one
/// level below it.
///
/// # Errors
/// [`BackendError::NotFound`] for an unknown region or one below what the public may open;
/// database errors.
pub async fn public(state: &AppState, region: Option<&str>, period: Period) -> Result<StatsView> {
    let cat = state.catalog.get();
    let (start, end) = period.bounds().ok_or(BackendError::NotFound)?;
    let (first, last) = period.days().ok_or(BackendError::NotFound)?;
    let now = state.clock.ts();
    let region: &Region = match region {
        Some(code) => cat.region(code).ok_or(BackendError::NotFound)?,
        None => cat.regions.iter().find(|r| r.parent.is_none()).ok_or(BackendError::NotFound)?,
    };
    if level_rank(region.level) > level_rank(PUBLIC_DEEPEST) {
        return Err(BackendError::NotFound);
    }
    let row = |r: &Region, counts: Counts| StatsRow {
        code: r.code.clone(),
        name: r.name.clone(),
        name_en: r.name_en.clone(),
        level: r.level.as_str().to_owned(),
        counts,
        opens: level_rank(r.level) <= level_rank(PUBLIC_DEEPEST),
    };
    // One read of the period for the region and all its children.
    let by_path = store::counts_by_path(&state.db.pool, None, start, end, now).await?;
    let count = |r: &Region| store::sum_under(&by_path, &cat.region_path(&r.code));
    let own = row(region, count(region));
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
        children,
    })
}
