//! The staff dashboard (issue 12): the grid's figures (defined in `domain::stats`, counted by
//! `store::counts`) for the signed-in member's own scope — the same scope as their inbox — per
//! unit one level below, per category and per channel (web, Open311, the staff's intake); the
//! units under the satisfaction line; median times;
//! and the open appeals that need attention (overdue, supervised, escalated), each a link to the
//! inbox filter that lists them all; the follow-up calls (回访) waiting now and done in the
//! period by outcome. Nothing here is suppressed: staff see their own work.

use crate::auth::Staff;
use crate::catalog::Catalog;
use crate::services::work;
use crate::store::counts::{self, Filter, Holders};
use crate::store::dashboard as store;
use crate::{AppState, BackendError, Result};
use domain::region::Unit;
use domain::staff::{AppealChannel, AttentionList, DashboardRow, DashboardView, InboxFilter};
use domain::stats::{median_hours, Counts, Period, SUPPRESS_BELOW};
use domain::workflow::Role;
use std::collections::HashMap;

/// How many appeals each attention list shows (the inbox lists them all).
const ATTENTION_SHOWN: usize = 10;

/// The appeals `staff` may count: everything for admins, their region's for dispatchers, their
/// unit's and the units' one level below for everyone else (as the inbox).
fn scope(cat: &Catalog, staff: &Staff) -> Filter {
    let mut f = Filter::all();
    match staff.role {
        Role::Admin => {}
        Role::Dispatcher => {
            let p = f.bind(cat.unit_path(&staff.unit));
            f.and(&format!("substr(a.scope_path, 1, length({p})) = {p}"));
        }
        _ => {
            let mut units = vec![staff.unit.clone()];
            units.extend(cat.child_units(&staff.unit).into_iter().map(|u| u.code.clone()));
            let ph: Vec<String> = units.into_iter().map(|u| f.bind(u)).collect();
            f.and(&format!("a.unit IN ({})", ph.join(", ")));
        }
    }
    f
}

/// Whether `unit` is `top` or lies below it in the unit hierarchy (by parent units, so a
/// district's departments belong to its centre, and a department holds only its own appeals).
fn within(cat: &Catalog, unit: &str, top: &str) -> bool {
    let mut cur = Some(unit.to_owned());
    for _ in 0..8 {
        match cur {
            Some(ref u) if u == top => return true,
            Some(u) => cur = cat.parent_unit(&u).map(|p| p.code.clone()),
            None => return false,
        }
    }
    false
}

fn unit_row(u: &Unit, counts: Counts) -> DashboardRow {
    // Units have one name (imported in Chinese only).
    DashboardRow { code: u.code.clone(), name: u.name.clone(), name_en: u.name.clone(), counts }
}

async fn attention(state: &AppState, staff: &Staff, due: &str) -> Result<AttentionList> {
    let f = InboxFilter { due: due.to_owned(), status: "open".to_owned(), page: 1, ..InboxFilter::default() };
    let inbox = work::inbox(state, staff, &f).await?;
    let mut items = inbox.items;
    items.truncate(ATTENTION_SHOWN);
    Ok(AttentionList { due: due.to_owned(), total: inbox.total, items })
}

/// The dashboard of `staff` for `period`.
///
/// # Errors
/// [`BackendError::NotFound`] for a period outside the calendar; database errors.
pub async fn dashboard(state: &AppState, staff: &Staff, period: Period) -> Result<DashboardView> {
    let cat = state.catalog.get();
    let (start, end) = period.bounds().ok_or(BackendError::NotFound)?;
    let (first, last) = period.days().ok_or(BackendError::NotFound)?;
    let now = state.clock.ts();
    let filter = scope(&cat, staff);
    // The channel rides along in the one read of the period (a handful of values, so a few more
    // groups), rather than a second pass over the same appeals.
    let by =
        counts::grouped(&state.db.pool, &["a.unit", "a.category", "a.channel"], &filter, start, end, now, Holders::Now)
            .await?;
    let mut own = Counts::default();
    let mut per_unit: HashMap<&str, Counts> = HashMap::new();
    let mut per_category: HashMap<&str, Counts> = HashMap::new();
    let mut channels: Vec<(AppealChannel, u64)> = AppealChannel::ALL.into_iter().map(|c| (c, 0)).collect();
    for (key, c) in &by {
        let [unit, category, channel] = key.as_slice() else { continue };
        own += *c;
        *per_unit.entry(unit.as_str()).or_default() += *c;
        *per_category.entry(category.as_str()).or_default() += *c;
        let kind = AppealChannel::of_stored(channel);
        if let Some((_, n)) = channels.iter_mut().find(|(k, _)| Some(*k) == kind) {
            *n += c.received;
        }
    }
    let children: Vec<&Unit> = if staff.role == Role::Admin {
        // The units one level below the top ones (the city centre's districts).
        let tops: Vec<String> = cat
            .units_sorted()
            .into_iter()
            .filter(|u| cat.parent_unit(&u.code).is_none())
            .map(|u| u.code.clone())
            .collect();
        tops.iter().flat_map(|t| cat.child_units(t)).collect()
    } else {
        cat.child_units(&staff.unit)
    };
    let units = children
        .into_iter()
        .map(|c| {
            let mut sum = Counts::default();
            for (u, n) in &per_unit {
                if within(&cat, u, &c.code) {
                    sum += *n;
                }
            }
            unit_row(c, sum)
        })
        .collect();
    let mut categories: Vec<DashboardRow> = per_category
        .iter()
        .map(|(code, n)| {
            let (name, name_en) = cat
                .category(code)
                .map_or_else(|| ((*code).to_owned(), (*code).to_owned()), |c| (c.name.clone(), c.name_en.clone()));
            DashboardRow { code: (*code).to_owned(), name, name_en, counts: *n }
        })
        .collect();
    categories.sort_by(|a, b| b.counts.received.cmp(&a.counts.received).then_with(|| a.code.cmp(&b.code)));
    let line = state.supervision.satisfaction_line;
    let mut below: Vec<(u32, DashboardRow)> = per_unit
        .iter()
        .filter(|(_, c)| c.rated >= SUPPRESS_BELOW)
        .filter_map(|(u, c)| {
            let rate = c.rates(false).satisfaction?;
            (rate < line * 10).then(|| (rate, cat.units.get(*u).map(|unit| unit_row(unit, *c))))
        })
        .filter_map(|(rate, row)| Some((rate, row?)))
        .collect();
    below.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.code.cmp(&b.1.code)));
    let (signed, replied, closed) = store::durations(&state.db.pool, &filter, start, end).await?;
    let med = |v: Vec<i64>| median_hours(v).map(|h| format!("{h:.1}"));
    let scope_name = if staff.role == Role::Admin {
        cat.regions.iter().find(|r| r.parent.is_none()).map_or_else(String::new, |r| r.name.clone())
    } else {
        cat.units.get(&staff.unit).map_or_else(|| staff.unit.clone(), |u| u.name.clone())
    };
    let map = cell_map(state, &cat, staff, &filter, start, end, now).await?;
    let issued = crate::store::notices::issued_by_kind(&state.db.pool, &filter, start, end).await?;
    let hand_notices = domain::notices::NoticeKind::ALL
        .into_iter()
        .map(|k| (k, issued.iter().find(|(c, _)| c == k.as_str()).map_or(0, |(_, n)| *n)))
        .collect();
    let (n, late, satisfied, rated) =
        crate::store::summons::figures(&state.db.pool, &filter.sql, &filter.binds, start, end).await?;
    let window = state.supervision.rating_window.whole_seconds();
    let callbacks =
        crate::store::callbacks::figures(&state.db.pool, &filter.sql, &filter.binds, start, end, now - window).await?;
    let (kind, year, month, quarter) = period.form();
    Ok(DashboardView {
        summons: [n, late, satisfied, rated],
        callbacks,
        channels,
        hand_notices,
        kind: kind.to_owned(),
        year,
        month,
        quarter,
        from: first.to_string(),
        to: last.to_string(),
        scope_name,
        own,
        units,
        categories,
        line,
        below_line: below.into_iter().map(|(_, r)| r).collect(),
        medians: [med(signed), med(replied), med(closed)],
        overdue: attention(state, staff, "overdue").await?,
        supervised: attention(state, staff, "supervised").await?,
        escalated: attention(state, staff, "escalated").await?,
        map,
    })
}

/// The grid cells of the member's area (the city for admins) with the appeals received in the
/// period (exact) and the open appeals overdue now, for the dispatcher's map.
async fn cell_map(
    state: &AppState,
    cat: &Catalog,
    staff: &Staff,
    filter: &Filter,
    start: i64,
    end: i64,
    now: i64,
) -> Result<Vec<domain::staff::StaffMapCell>> {
    let region = if staff.role == Role::Admin {
        cat.regions.iter().find(|r| r.parent.is_none()).map(|r| r.code.clone())
    } else {
        cat.units.get(&staff.unit).map(|u| u.region.clone())
    };
    let Some(region) = region else { return Ok(Vec::new()) };
    let cells = cat.cells_under(&region);
    if cells.is_empty() {
        return Ok(Vec::new());
    }
    let received = counts::grouped(&state.db.pool, &["a.scope_path"], filter, start, end, now, Holders::Now).await?;
    let overdue = store::overdue_by_path(&state.db.pool, filter, now).await?;
    let sum = |path: &str, f: &dyn Fn(&Counts) -> u64| -> u64 {
        received.iter().filter(|(k, _)| k.first().is_some_and(|p| p.starts_with(path))).map(|(_, c)| f(c)).sum()
    };
    Ok(cells
        .into_iter()
        .filter_map(|c| {
            let polygons = cat.cell_shapes(&c.code)?.to_vec();
            let path = cat.region_path(&c.code);
            let community =
                c.parent.as_deref().and_then(|p| cat.region(p)).map_or_else(String::new, |r| r.name.clone());
            let unit = cat.units.values().find(|u| u.region == c.code).map(|u| u.code.clone());
            Some(domain::staff::StaffMapCell {
                code: c.code.clone(),
                name: format!("{community}{}", c.name),
                unit,
                received: sum(&path, &|x| x.received),
                overdue_now: overdue
                    .iter()
                    .filter(|(p, _)| p.starts_with(&path))
                    .map(|(_, n)| u64::try_from(*n).unwrap_or(0))
                    .sum(),
                polygons,
            })
        })
        .collect())
}
