//! The grid's figures (issue 12) on hand-built fixtures whose answers are known, both engines:
//! the definitions, the monthly trend (China months), the most frequent categories, the map's
//! cells and the public cache.

use crate::common::{self, Engine};
use backend::store::stats;
use domain::stats::{Counts, Period};

async fn exec(state: &backend::AppState, sql: &str, ticket: &str) {
    sqlx::query(sql).bind(ticket).execute(&state.db.pool).await.unwrap();
}

async fn figures_follow_the_definitions(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let mut t = Vec::new();
    for _ in 0..8 {
        t.push(common::simple_appeal(&state).await);
    }
    // 0: signed for and closed on time, rated satisfied.
    exec(&state, "UPDATE appeals SET signed_at = submitted_at + 60 WHERE ticket = $1", &t[0]).await;
    exec(&state, "UPDATE appeals SET status = 'closed', closed_at = submitted_at + 120 WHERE ticket = $1", &t[0]).await;
    exec(&state, "INSERT INTO ratings (ticket, cycle, rating, at) SELECT ticket, 1, 'satisfied', submitted_at + 200 FROM appeals WHERE ticket = $1", &t[0]).await;
    // 1: signed for late, closed late (still in November), rated basically satisfied.
    exec(&state, "UPDATE appeals SET signed_at = sign_by_at + 60 WHERE ticket = $1", &t[1]).await;
    exec(&state, "UPDATE appeals SET status = 'closed', deadline_at = submitted_at + 100, closed_at = submitted_at + 200 WHERE ticket = $1", &t[1]).await;
    exec(&state, "INSERT INTO ratings (ticket, cycle, rating, at) SELECT ticket, 1, 'basically', submitted_at + 300 FROM appeals WHERE ticket = $1", &t[1]).await;
    // 2: open past its deadline (moved into the past).
    exec(&state, "UPDATE appeals SET deadline_at = submitted_at - 60 WHERE ticket = $1", &t[2]).await;
    // 3: rated unsatisfied, reopened one level up, its second cycle not rated yet.
    exec(&state, "INSERT INTO ratings (ticket, cycle, rating, at) SELECT ticket, 1, 'unsatisfied', submitted_at + 300 FROM appeals WHERE ticket = $1", &t[3]).await;
    exec(&state, "INSERT INTO appeal_events (ticket, born, at, kind, actor, public) SELECT ticket, submitted_at, submitted_at + 300, 'reopened_unsatisfied', 'resident', 1 FROM appeals WHERE ticket = $1", &t[3]).await;
    // 4: supervised twice (counted once); 5: escalated by hand and automatically (once).
    for stage_due in [1, 2] {
        let sql = format!("INSERT INTO appeal_notices (ticket, cycle, deadline, due_at, stage, fired_at) SELECT ticket, 1, 'resolve', {stage_due}, 'supervision', submitted_at + 10 FROM appeals WHERE ticket = $1");
        exec(&state, &sql, &t[4]).await;
    }
    for kind in ["escalated", "auto_escalated"] {
        let sql = format!("INSERT INTO appeal_events (ticket, born, at, kind, actor, public) SELECT ticket, submitted_at, submitted_at + 10, '{kind}', 'system', 1 FROM appeals WHERE ticket = $1");
        exec(&state, &sql, &t[5]).await;
    }
    // 6: submitted in October: outside November, inside October.
    exec(&state, "UPDATE appeals SET submitted_at = submitted_at - 40 * 86400 WHERE ticket = $1", &t[6]).await;
    // 7: moved to another district's unit (counts for the unit that holds it now).
    common::force(&state, &t[7], "U-HX01", "in_progress").await;

    // Each appeal keeps its latest rating (as `store::supervision::rate` writes it).
    sqlx::query("UPDATE appeals SET rating = (SELECT r.rating FROM ratings r WHERE r.ticket = appeals.ticket ORDER BY r.cycle DESC LIMIT 1)")
        .execute(&state.db.pool)
        .await
        .unwrap();
    let november = Period::Month { year: 2026, month: 11 };
    let (start, end) = november.bounds().unwrap();
    let now = state.clock.ts();
    let cat = state.catalog.get();
    let hd = cat.region_path("HD");
    let c = stats::counts(&state.db.pool, &cat, &hd, None, start, end, now).await.unwrap();
    assert_eq!(
        c,
        Counts {
            received: 6,
            signed_on_time: 1,
            closed: 2,
            closed_on_time: 1,
            overdue_now: 1,
            supervised: 1,
            escalated: 1,
            rated: 3,
            satisfied: 1,
            basically_satisfied: 1,
            reopened: 1,
        }
    );
    let r = c.rates(false);
    assert_eq!((r.closed, r.closed_on_time, r.satisfaction), (Some(333), Some(500), Some(667)));
    // The city sees all seven of November; one category filter; October has the one moved back.
    let city = stats::counts(
        &state.db.pool,
        &cat,
        &cat.region_path(&cat.regions.iter().find(|r| r.parent.is_none()).unwrap().code),
        None,
        start,
        end,
        now,
    )
    .await
    .unwrap();
    assert_eq!(city.received, 7);
    let none = stats::counts(&state.db.pool, &cat, &hd, Some("wages"), start, end, now).await.unwrap();
    assert_eq!(none, Counts::default());
    let (os, oe) = Period::Month { year: 2026, month: 10 }.bounds().unwrap();
    assert_eq!(stats::counts(&state.db.pool, &cat, &hd, None, os, oe, now).await.unwrap().received, 1);
    // A scope is a path prefix ending in '/', and its characters are literal: `_` is no wildcard.
    assert!(hd.ends_with('/'));
    let wild = hd.replace("HD", "H_");
    assert_eq!(stats::counts(&state.db.pool, &cat, &wild, None, start, end, now).await.unwrap().received, 0);

    // The public service: the city with its districts, small counts for the page to suppress.
    let v = backend::services::stats::public(&state, None, november).await.unwrap();
    assert_eq!(v.region.counts.received, 7);
    assert_eq!((v.kind.as_str(), v.from.as_str(), v.to.as_str()), ("month", "2026-11-01", "2026-11-30"));
    let hd_row = v.children.iter().find(|r| r.code == "HD").unwrap();
    assert_eq!(hd_row.counts.received, 6);
    assert!(hd_row.opens);
    let street = backend::services::stats::public(&state, Some("HD01"), november).await.unwrap();
    assert_eq!(street.trail.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().last(), Some(&"HD"));
    assert!(street.children.iter().all(|r| r.opens), "communities open too");
    // Every level opens, down to a grid cell (small counts are what the page hides).
    let community = backend::services::stats::public(&state, Some("HD0101"), november).await.unwrap();
    assert_eq!(community.region.counts.received, 6, "all of HD's November appeals are held in HD0101");
    assert!(community.children.iter().all(|r| r.opens && r.level == "grid"));
    let cell = backend::services::stats::public(&state, Some("HD010101"), november).await.unwrap();
    assert!(cell.children.is_empty());
    assert_eq!(cell.trail.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().last(), Some(&"HD0101"));
    assert!(matches!(
        backend::services::stats::public(&state, Some("nope"), november).await,
        Err(backend::BackendError::NotFound)
    ));
}
both_engines!(figures_follow_the_definitions);

/// A rating is kept on its appeal too (what the figures count), the latest one winning.
async fn the_appeal_keeps_its_latest_rating(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let t = common::simple_appeal(&state).await;
    for (cycle, rating) in [(1, "unsatisfied"), (2, "basically")] {
        let mut tx = state.db.pool.begin().await.unwrap();
        assert!(backend::store::supervision::rate(&mut tx, &t, cycle, rating, None, 1).await.unwrap());
        tx.commit().await.unwrap();
        let (kept,): (Option<String>,) = sqlx::query_as("SELECT rating FROM appeals WHERE ticket = $1")
            .bind(&t)
            .fetch_one(&state.db.pool)
            .await
            .unwrap();
        assert_eq!(kept.as_deref(), Some(rating));
    }
    // A cycle rated twice keeps the first rating (and the appeal's).
    let mut tx = state.db.pool.begin().await.unwrap();
    assert!(!backend::store::supervision::rate(&mut tx, &t, 2, "satisfied", None, 2).await.unwrap());
    tx.commit().await.unwrap();
    let (kept,): (Option<String>,) = sqlx::query_as("SELECT rating FROM appeals WHERE ticket = $1")
        .bind(&t)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("basically"));
}
both_engines!(the_appeal_keeps_its_latest_rating);

/// Unix seconds of a moment in China time.
fn china(at: time::PrimitiveDateTime) -> i64 {
    at.assume_offset(domain::sla::CHINA).unix_timestamp()
}

/// Sets an appeal's submission time (and, with `closed`, closes it then).
async fn submitted(state: &backend::AppState, ticket: &str, at: i64, closed: Option<i64>) {
    exec(state, &format!("UPDATE appeals SET submitted_at = {at} WHERE ticket = $1"), ticket).await;
    if let Some(c) = closed {
        exec(state, &format!("UPDATE appeals SET status = 'closed', closed_at = {c} WHERE ticket = $1"), ticket).await;
    }
}

async fn the_trend_counts_each_china_month_as_of_its_end(engine: Engine) {
    use time::macros::datetime;
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let mut t = Vec::new();
    for _ in 0..9 {
        t.push(common::simple_appeal(&state).await);
    }
    // Either side of the October/November edge in China (both on 31 October in UTC).
    submitted(&state, &t[0], china(datetime!(2026-10-31 23:59:59)), None).await;
    submitted(&state, &t[1], china(datetime!(2026-11-01 00:00:00)), None).await;
    // October: one closed within October, one only in November (closed for November's count of
    // the period, not for October's row).
    submitted(&state, &t[2], china(datetime!(2026-10-10 10:00)), Some(china(datetime!(2026-10-20 10:00)))).await;
    submitted(&state, &t[3], china(datetime!(2026-10-15 10:00)), Some(china(datetime!(2026-11-02 10:00)))).await;
    // September: closed, rated unsatisfied and reopened (open again); and one rated satisfied.
    submitted(&state, &t[4], china(datetime!(2026-09-10 10:00)), None).await;
    exec(&state, "UPDATE appeals SET rating = 'unsatisfied' WHERE ticket = $1", &t[4]).await;
    exec(&state, "INSERT INTO appeal_events (ticket, born, at, kind, actor, public) SELECT ticket, submitted_at, submitted_at + 300, 'reopened_unsatisfied', 'resident', 1 FROM appeals WHERE ticket = $1", &t[4]).await;
    submitted(&state, &t[5], china(datetime!(2026-09-12 10:00)), Some(china(datetime!(2026-09-13 10:00)))).await;
    exec(&state, "UPDATE appeals SET rating = 'satisfied' WHERE ticket = $1", &t[5]).await;
    // The window's first month begins at midnight China time on 1 December 2025.
    submitted(&state, &t[6], china(datetime!(2025-11-30 23:59:59)), None).await;
    submitted(&state, &t[7], china(datetime!(2025-12-01 00:00:00)), None).await;
    // Another district's, in November: the city's trend only.
    common::force(&state, &t[8], "U-HX01", "in_progress").await;

    let november = Period::Month { year: 2026, month: 11 };
    let hd = backend::services::stats::public(&state, Some("HD"), november).await.unwrap();
    assert_eq!(hd.trend.len(), 12);
    let months: Vec<(i32, u8)> = hd.trend.iter().map(|m| (m.year, m.month)).collect();
    assert_eq!((months[0], months[11]), ((2025, 12), (2026, 11)));
    let received: Vec<u64> = hd.trend.iter().map(|m| m.counts.received).collect();
    assert_eq!(received, [1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 1]);
    let (sep, oct, nov) = (hd.trend[9].counts, hd.trend[10].counts, hd.trend[11].counts);
    assert_eq!((sep.closed, oct.closed, nov.closed), (1, 1, 0), "closed by the end of its own month");
    assert_eq!((sep.rated, sep.satisfied), (2, 1));
    assert_eq!(sep.rates(false).satisfaction, Some(500));
    assert_eq!(sep.rates(true).satisfaction, None, "two ratings: withheld from the public");
    // The period's own figures agree with the trend's last month.
    assert_eq!(hd.region.counts.received, nov.received);
    let city = backend::services::stats::public(&state, None, november).await.unwrap();
    assert_eq!(city.trend[11].counts.received, 2);
    // A year's trend is its own twelve months; a custom period ends with the month of its last day.
    let year = backend::services::stats::public(&state, Some("HD"), Period::Year { year: 2025 }).await.unwrap();
    assert_eq!(year.trend.iter().map(|m| m.counts.received).sum::<u64>(), 2, "November and December 2025");
    assert_eq!((year.trend[10].counts.received, year.trend[11].counts.received), (1, 1));
}
both_engines!(the_trend_counts_each_china_month_as_of_its_end);

async fn a_past_period_counts_what_was_overdue_at_its_end(engine: Engine) {
    use time::macros::datetime;
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    // Both submitted on 10 October, due on 20 October: one closed late on 5 November (after
    // October ended), one on 25 October; one more still open, due in November.
    let late = common::simple_appeal(&state).await;
    let closed = common::simple_appeal(&state).await;
    let open = common::simple_appeal(&state).await;
    submitted(&state, &late, china(datetime!(2026-10-10 10:00)), Some(china(datetime!(2026-11-05 10:00)))).await;
    submitted(&state, &closed, china(datetime!(2026-10-10 10:00)), Some(china(datetime!(2026-10-25 10:00)))).await;
    submitted(&state, &open, china(datetime!(2026-10-10 10:00)), None).await;
    let oct20 = china(datetime!(2026-10-20 10:00));
    for t in [&late, &closed] {
        exec(&state, &format!("UPDATE appeals SET deadline_at = {oct20} WHERE ticket = $1"), t).await;
    }
    let nov10 = china(datetime!(2026-11-10 10:00));
    exec(&state, &format!("UPDATE appeals SET deadline_at = {nov10} WHERE ticket = $1"), &open).await;
    let october =
        backend::services::stats::public(&state, Some("HD"), Period::Month { year: 2026, month: 10 }).await.unwrap();
    // At October's end only the late one was open past its deadline (the open one was not due).
    assert_eq!(october.region.counts.overdue_now, 1);
    // Counting only what is open now (as before) would give 0: the late one is closed now.
    let t: String = sqlx::query_scalar("SELECT status FROM appeals WHERE ticket = $1")
        .bind(&late)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(t, "closed", "the late one is closed now");
}
both_engines!(a_past_period_counts_what_was_overdue_at_its_end);

async fn the_most_frequent_categories_come_first(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    // 8 × sanitation (shown as 10); 6 × pollution and 5 each of four more, all shown as 5 (ties
    // by the count as shown, then by code, so the order tells nothing the numbers do not; only
    // four fit); 4 × wage arrears, which is under 5 and so never listed (a small area's rare
    // category is not shown at all).
    let plan = [
        ("sanitation", 8),
        ("suggestion", 5),
        ("pollution", 6),
        ("other", 5),
        ("legal_aid", 5),
        ("public_order", 5),
        ("wage_arrears", 4),
    ];
    for (category, n) in plan {
        for _ in 0..n {
            let ticket = common::simple_appeal(&state).await;
            exec(&state, &format!("UPDATE appeals SET category = '{category}' WHERE ticket = $1"), &ticket).await;
        }
    }
    let november = Period::Month { year: 2026, month: 11 };
    let v = backend::services::stats::public(&state, Some("HD"), november).await.unwrap();
    let top: Vec<(&str, u64)> = v.top_categories.iter().map(|c| (c.code.as_str(), c.received)).collect();
    assert_eq!(
        top,
        [("sanitation", 8), ("legal_aid", 5), ("other", 5), ("pollution", 6), ("public_order", 5)],
        "five at most, by the count as shown then by code, none under 5"
    );
    assert_eq!((v.top_categories[0].name.as_str(), v.top_categories[0].name_en.as_str()), ("环境卫生", "Sanitation"));
    // Below the district, never the private categories (the public record names their appeals
    // only by district): the street and the community list the others.
    for below in ["HD01", "HD0101"] {
        let v = backend::services::stats::public(&state, Some(below), november).await.unwrap();
        let top: Vec<(&str, u64)> = v.top_categories.iter().map(|c| (c.code.as_str(), c.received)).collect();
        assert_eq!(top, [("sanitation", 8), ("other", 5), ("pollution", 6), ("suggestion", 5)], "{below}");
    }
    // Another district had none.
    let hx = backend::services::stats::public(&state, Some("HX"), november).await.unwrap();
    assert!(hx.top_categories.is_empty());
}
both_engines!(the_most_frequent_categories_come_first);

async fn the_map_shows_the_grid_cells_under_the_region(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let t = common::simple_appeal(&state).await;
    common::force(&state, &t, "U-HD010102", "in_progress").await;
    exec(&state, "UPDATE appeals SET deadline_at = submitted_at - 60 WHERE ticket = $1", &t).await;
    let november = Period::Month { year: 2026, month: 11 };
    let public =
        |r: &'static str| backend::services::stats::public(&state, if r.is_empty() { None } else { Some(r) }, november);
    let city = public("").await.unwrap();
    assert!(city.map.is_empty(), "no map of the whole city");
    let hd = public("HD").await.unwrap();
    let cat = state.catalog.get();
    assert_eq!(hd.map.len(), cat.cells_under("HD").len());
    assert_eq!(hd.map.len(), 36);
    assert!(hd.map.windows(2).all(|w| w[0].row.code < w[1].row.code), "sorted by code");
    assert!(hd.map.iter().all(|c| !c.polygons.is_empty() && c.row.level == "grid"));
    let cell = hd.map.iter().find(|c| c.row.code == "HD010102").unwrap();
    assert_eq!((cell.row.counts.received, cell.row.counts.overdue_now), (1, 1));
    assert_eq!(public("HD01").await.unwrap().map.len(), 12);
    assert_eq!(public("HD0101").await.unwrap().map.len(), 4);
    // A cell's page shows its community's cells.
    let own = public("HD010102").await.unwrap();
    assert_eq!(
        own.map.iter().map(|c| c.row.code.as_str()).collect::<Vec<_>>(),
        ["HD010101", "HD010102", "HD010103", "HD010104"]
    );
    assert_eq!(own.region.counts.received, 1);
    assert_eq!(cat.cell_shapes("HD010102").map(<[_]>::len), Some(cell.polygons.len()));
    assert!(cat.cell_shapes("HD01").is_none(), "a street is no cell");
}
both_engines!(the_map_shows_the_grid_cells_under_the_region);

async fn public_figures_are_kept_for_a_minute(engine: Engine) {
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let november = Period::Month { year: 2026, month: 11 };
    let (start, end) = november.bounds().unwrap();
    let received = |v: &domain::stats::StatsView| (v.region.counts.received, v.trend[11].counts.received);
    common::simple_appeal(&state).await;
    let first = backend::services::stats::public(&state, None, november).await.unwrap();
    assert_eq!(received(&first), (1, 1));
    common::simple_appeal(&state).await;
    clock.advance(time::Duration::seconds(59));
    // Within the minute: the same figures, for every region of the period.
    let again = backend::services::stats::public(&state, None, november).await.unwrap();
    assert_eq!(again, first);
    let hd = backend::services::stats::public(&state, Some("HD"), november).await.unwrap();
    assert_eq!(received(&hd), (1, 1));
    // Staff counts are never cached.
    let hd_path = state.catalog.get().region_path("HD");
    assert_eq!(
        stats::counts(&state.db.pool, &state.catalog.get(), &hd_path, None, start, end, state.clock.ts())
            .await
            .unwrap()
            .received,
        2
    );
    // The same days chosen as dates are the same period; another period is read on its own.
    let custom = Period::Custom { from: time::macros::date!(2026 - 11 - 01), to: time::macros::date!(2026 - 11 - 30) };
    let same = backend::services::stats::public(&state, None, custom).await.unwrap();
    assert_eq!(same.region.counts.received, 1);
    let quarter =
        backend::services::stats::public(&state, None, Period::Quarter { year: 2026, quarter: 4 }).await.unwrap();
    assert_eq!(quarter.region.counts.received, 2);
    // A minute after the first read: the kept figures at once, and a read behind them.
    clock.advance(time::Duration::seconds(1));
    let later = backend::services::stats::public(&state, None, november).await.unwrap();
    assert_eq!(received(&later), (1, 1), "stale figures shown without waiting");
    let mut refreshed = None;
    for _ in 0..200 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        let v = backend::services::stats::public(&state, None, november).await.unwrap();
        if received(&v) == (2, 2) {
            refreshed = Some(v);
            break;
        }
    }
    assert!(refreshed.is_some(), "the background read replaced them");
    // Nobody asked for longer than the stale limit: the next request reads for itself.
    common::simple_appeal(&state).await;
    clock.advance(time::Duration::seconds(backend::services::stats::STALE_SECONDS));
    let fresh = backend::services::stats::public(&state, None, november).await.unwrap();
    assert_eq!(received(&fresh), (3, 3));
}
both_engines!(public_figures_are_kept_for_a_minute);

/// The warm-up job keeps the current month read every minute, and the current quarter and year
/// (the costliest reads) every [`LONG_WARM_SECONDS`], so none of the period form's defaults is
/// ever read while a visitor waits.
async fn the_warm_job_keeps_the_month_quarter_and_year_read(engine: Engine) {
    use backend::services::stats::{public, warm, LONG_WARM_SECONDS};
    use time::macros::datetime;
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    // On 23 November the last month, quarter and year over are October, the third quarter, 2025.
    let [month, quarter, year] = Period::last_over(state.clock.now());
    assert_eq!(
        (month, quarter, year),
        (
            Period::Month { year: 2026, month: 10 },
            Period::Quarter { year: 2026, quarter: 3 },
            Period::Year { year: 2025 }
        )
    );
    let received = |p: Period| {
        let state = state.clone();
        async move { public(&state, None, p).await.unwrap().region.counts.received }
    };
    // One appeal in each period (dated there: figures of ended periods still change a little,
    // with late ratings and reopened appeals).
    let one_in_each = || async {
        for at in [datetime!(2026-10-15 10:00), datetime!(2026-08-15 10:00), datetime!(2025-06-15 10:00)] {
            let t = common::simple_appeal(&state).await;
            submitted(&state, &t, china(at), None).await;
        }
    };
    one_in_each().await;
    warm(&state).await.unwrap();
    one_in_each().await;
    // All three were read by the job: a visitor sees its figures, not a read of their own.
    assert_eq!((received(month).await, received(quarter).await, received(year).await), (1, 1, 1));
    // Two minutes on: the month is read again, the year is not (kept, shown while a visitor's
    // request reads it again behind).
    clock.advance(time::Duration::seconds(120));
    warm(&state).await.unwrap();
    assert_eq!(received(month).await, 2);
    assert_eq!(received(year).await, 1, "the year is kept for LONG_WARM_SECONDS");
    // Past LONG_WARM_SECONDS the job reads the year again.
    for _ in 0..200 {
        if received(year).await == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    one_in_each().await;
    clock.advance(time::Duration::seconds(LONG_WARM_SECONDS));
    warm(&state).await.unwrap();
    assert_eq!((received(month).await, received(quarter).await, received(year).await), (3, 3, 3));
}
both_engines!(the_warm_job_keeps_the_month_quarter_and_year_read);

/// Every public period (a month, quarter or year over since the first appeal) is counted by the
/// job and kept in the database: a visitor, on any node, reads kept figures instead of waiting
/// for a count; they are counted again once a day, and at once under another region catalog.
async fn ended_periods_are_counted_by_the_job_and_kept(engine: Engine) {
    use backend::services::stats::{public, RECOUNT_SECONDS};
    use time::macros::datetime;
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    // The job's runs until nothing is left (each run stops after FILL_BUDGET of real time).
    let fill = || async {
        let mut counted = 0;
        loop {
            let r = backend::services::stats::fill(&state).await.unwrap();
            counted += r.counted;
            if r.left == 0 {
                return counted;
            }
        }
    };
    let march = Period::Month { year: 2025, month: 3 };
    let received = |p: Period| {
        let state = state.clone();
        async move { public(&state, None, p).await.unwrap().region.counts.received }
    };
    // No appeal yet: nothing to count.
    assert_eq!(fill().await, 0);
    assert!(stats::snapshot_times(&state.db.pool).await.unwrap().is_empty());
    let in_march = || async {
        let t = common::simple_appeal(&state).await;
        submitted(&state, &t, china(datetime!(2025-03-15 10:00)), None).await;
    };
    in_march().await;
    // Every period over since March 2025 on 23 November 2026: 20 months, 7 quarters, one year.
    let first = time::OffsetDateTime::from_unix_timestamp(china(datetime!(2025-03-15 10:00))).unwrap();
    let periods = Period::over_since(first, state.clock.now());
    assert_eq!(periods.len(), 20 + 7 + 1);
    assert_eq!(fill().await, 28);
    let counted = stats::snapshot_times(&state.db.pool).await.unwrap();
    assert_eq!(counted.len(), periods.len());
    assert!(periods.iter().all(|p| counted.contains_key(&p.bounds().unwrap())));
    // A second appeal in March: the kept figures are shown (this node never read March itself,
    // as another node would not), with the trend of the year 2025.
    in_march().await;
    assert_eq!(received(march).await, 1);
    let year = public(&state, None, Period::Year { year: 2025 }).await.unwrap();
    assert_eq!((year.region.counts.received, year.trend[2].counts.received), (1, 1));
    // Runs of the job within the day count nothing again.
    clock.advance(time::Duration::seconds(3600));
    assert_eq!(fill().await, 0);
    assert_eq!(stats::snapshot_times(&state.db.pool).await.unwrap(), counted);
    // A day on, March is counted again (by the job, or by the visitor when the job has not).
    clock.advance(time::Duration::seconds(RECOUNT_SECONDS));
    assert_eq!(received(march).await, 2);
    assert_eq!(fill().await, 27, "all but March, counted just now");
    let again = stats::snapshot_times(&state.db.pool).await.unwrap();
    assert!(again.values().all(|&(_, at)| at == state.clock.ts()), "all counted again");
    // A catalog edit that leaves the regions as they are (an article, a holiday) keeps them.
    in_march().await;
    let mut tx = state.db.pool.begin().await.unwrap();
    backend::store::regions::bump_catalog_version(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    assert!(backend::services::import::reload_if_changed(&state).await.unwrap());
    assert_eq!(received(march).await, 2);
    assert_eq!(fill().await, 0);
    // Figures kept under another region hierarchy are not shown, and the job counts them again.
    sqlx::query("UPDATE stats_snapshots SET regions_key = regions_key + 1").execute(&state.db.pool).await.unwrap();
    clock.advance(time::Duration::seconds(backend::services::stats::STALE_SECONDS));
    assert_eq!(received(march).await, 3);
    assert_eq!(fill().await, 27);
    // Figures counted "later" than now (a clock that was ahead) are not shown, and counted again.
    sqlx::query("UPDATE stats_snapshots SET counted_at = counted_at + 7200").execute(&state.db.pool).await.unwrap();
    in_march().await;
    clock.advance(time::Duration::seconds(backend::services::stats::STALE_SECONDS));
    assert_eq!(received(march).await, 4);
    assert_eq!(fill().await, 27);
}
both_engines!(ended_periods_are_counted_by_the_job_and_kept);

async fn a_client_may_ask_for_few_new_periods(engine: Engine) {
    use backend::services::stats::public_as;
    let limits = backend::config::Limits { stats_periods_per_10min: 2, ..backend::config::Limits::default() };
    let Some(state) = common::demo_state(engine, limits).await else { return };
    let month = |month| Period::Month { year: 2026, month };
    let (me, other) = ("198.51.100.7", "203.0.113.9");
    public_as(&state, me, None, month(10)).await.unwrap();
    public_as(&state, me, None, month(9)).await.unwrap();
    assert!(
        matches!(public_as(&state, me, None, month(8)).await, Err(backend::BackendError::RateLimited)),
        "a third period nobody had read is refused"
    );
    // Periods already read cost nothing, for any region of them.
    public_as(&state, me, None, month(10)).await.unwrap();
    public_as(&state, me, Some("HD"), month(9)).await.unwrap();
    // Another client has a budget of its own; once it has read the period, it is read for all.
    public_as(&state, other, None, month(8)).await.unwrap();
    public_as(&state, me, Some("HD"), month(8)).await.unwrap();
    // The unlimited entry point (the warm job, tests) spends nothing.
    backend::services::stats::public(&state, None, month(7)).await.unwrap();
    public_as(&state, me, None, month(7)).await.unwrap();
}
both_engines!(a_client_may_ask_for_few_new_periods);

async fn the_public_sees_calendar_periods_that_have_ended(engine: Engine) {
    use backend::services::stats::public_as;
    use time::macros::date;
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    common::simple_appeal(&state).await;
    let (me, refused) = (
        "203.0.113.9",
        |r: Result<domain::stats::StatsView, backend::BackendError>, msg| matches!(r, Err(backend::BackendError::Conflict(m)) if m == msg),
    );
    // 23 November: November, the fourth quarter and 2026 are still running; any custom period
    // (overlapping month ranges would pin single months) is for staff.
    let november = Period::Month { year: 2026, month: 11 };
    assert!(refused(public_as(&state, me, Some("HD"), november).await, domain::Msg::StatsNotOver));
    let q4 = Period::Quarter { year: 2026, quarter: 4 };
    assert!(refused(public_as(&state, me, None, q4).await, domain::Msg::StatsNotOver));
    assert!(refused(public_as(&state, me, None, Period::Year { year: 2026 }).await, domain::Msg::StatsNotOver));
    let custom = Period::Custom { from: date!(2026 - 01 - 01), to: date!(2026 - 01 - 31) };
    assert!(refused(public_as(&state, me, None, custom).await, domain::Msg::StatsBadPeriod));
    // October is over; November is from midnight China time on 1 December.
    public_as(&state, me, Some("HD"), Period::Month { year: 2026, month: 10 }).await.unwrap();
    clock.advance(time::Duration::days(7) + time::Duration::hours(15));
    let v = public_as(&state, me, Some("HD"), november).await.unwrap();
    assert_eq!(v.region.counts.received, 1);
}
both_engines!(the_public_sees_calendar_periods_that_have_ended);

async fn appeals_are_counted_by_channel(engine: Engine) {
    use domain::staff::{AppealChannel, StaffChannel};
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let mut t = Vec::new();
    for _ in 0..7 {
        t.push(common::simple_appeal(&state).await);
    }
    // One came by phone, one through an Open311 client (key 3): web 5, open311 1, phone 1.
    exec(&state, "UPDATE appeals SET channel = 'phone' WHERE ticket = $1", &t[0]).await;
    exec(&state, "UPDATE appeals SET channel = 'open311:3' WHERE ticket = $1", &t[1]).await;
    let v =
        backend::services::stats::public(&state, Some("HD"), Period::Month { year: 2026, month: 11 }).await.unwrap();
    let rows: Vec<(AppealChannel, u64)> = v.channels.iter().map(|c| (c.channel, c.received)).collect();
    assert_eq!(
        rows,
        [
            (AppealChannel::Web, 5),
            (AppealChannel::Open311, 1),
            (AppealChannel::Staff(StaffChannel::Phone), 1),
            (AppealChannel::Staff(StaffChannel::Counter), 0),
            (AppealChannel::Staff(StaffChannel::Patrol), 0),
        ]
    );
    assert_eq!(v.channels.iter().map(|c| c.received).sum::<u64>(), v.region.counts.received);
}
both_engines!(appeals_are_counted_by_channel);

/// Records a hand-over of `ticket` at `at` from the unit that holds it now to `to` (what
/// `work::act` writes for a transfer: the new unit on the appeal, an event saying whence).
async fn hand_over(state: &backend::AppState, ticket: &str, to: &str, at: i64) {
    let (from,): (String,) = sqlx::query_as("SELECT unit FROM appeals WHERE ticket = $1")
        .bind(ticket)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    common::force(state, ticket, to, "assigned").await;
    let detail = domain::events::EventDetail { from: Some(from), ..Default::default() }.to_json();
    sqlx::query(
        "INSERT INTO appeal_events (ticket, at, kind, actor, unit, public, detail, born)
         VALUES ($1, $2, 'transferred', 'staff', $3, 1, $4, (SELECT submitted_at FROM appeals WHERE ticket = $1))",
    )
    .bind(ticket)
    .bind(at)
    .bind(to)
    .bind(detail)
    .execute(&state.db.pool)
    .await
    .unwrap();
}

/// Issue 12: an appeal handed to another unit is counted, for a period, by the unit that held it
/// at the period's end (and in the trend, at the end of its month); a duplicate merged into
/// another appeal is counted once, as its main appeal.
async fn transfers_count_for_the_holder_at_the_end_and_merges_once(engine: Engine) {
    use time::macros::datetime;
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let mut t = Vec::new();
    for _ in 0..5 {
        t.push(common::simple_appeal(&state).await);
    }
    // 0: submitted in October in HD, handed to HX in November (after October's end).
    submitted(&state, &t[0], china(datetime!(2026-10-10 10:00)), None).await;
    hand_over(&state, &t[0], "U-HX01", china(datetime!(2026-11-03 10:00))).await;
    // 1: submitted in October in HD, handed to HX within October.
    submitted(&state, &t[1], china(datetime!(2026-10-12 10:00)), None).await;
    hand_over(&state, &t[1], "U-HX01", china(datetime!(2026-10-20 10:00))).await;
    // 2: submitted in October, handed HD → HX on 31 October 23:59 China time, then back to HD
    //    on 1 November: at October's end it was HX's.
    submitted(&state, &t[2], china(datetime!(2026-10-14 10:00)), None).await;
    let (hd_unit,): (String,) = sqlx::query_as("SELECT unit FROM appeals WHERE ticket = $1")
        .bind(&t[2])
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    hand_over(&state, &t[2], "U-HX01", china(datetime!(2026-10-31 23:59))).await;
    hand_over(&state, &t[2], &hd_unit, china(datetime!(2026-11-01 08:00))).await;
    // 3 and 4: in November; 4 is a duplicate merged into 3.
    sqlx::query("UPDATE appeals SET merged_into = $1, merged_at = submitted_at, merged_by = 'staff' WHERE ticket = $2")
        .bind(&t[3])
        .bind(&t[4])
        .execute(&state.db.pool)
        .await
        .unwrap();

    let cat = state.catalog.get();
    let now = state.clock.ts();
    let (hd, hx) = (cat.region_path("HD"), cat.region_path("HX"));
    let (os, oe) = Period::Month { year: 2026, month: 10 }.bounds().unwrap();
    let received = |scope: &str, start, end| {
        let (state, cat, scope) = (state.clone(), cat.clone(), scope.to_owned());
        async move { stats::counts(&state.db.pool, &cat, &scope, None, start, end, now).await.unwrap().received }
    };
    // October: 0 was HD's at the end (handed over later); 1 and 2 were HX's.
    assert_eq!(received(&hd, os, oe).await, 1);
    assert_eq!(received(&hx, os, oe).await, 2);
    // The year so far (its end not reached): each by the unit that holds it now.
    let (ys, ye) = Period::Year { year: 2026 }.bounds().unwrap();
    assert_eq!(received(&hx, ys, ye).await, 2, "0 and 1 are HX's now; 2 came back");
    // November: the merged duplicate is counted once, as its main appeal.
    let (ns, ne) = Period::Month { year: 2026, month: 11 }.bounds().unwrap();
    assert_eq!(received(&hd, ns, ne).await, 1);

    // The public page agrees: its figures, its trend (October judged at October's end) and its
    // channels (read with the most frequent categories).
    let october = Period::Month { year: 2026, month: 10 };
    let v = backend::services::stats::public(&state, None, october).await.unwrap();
    let row = |code: &str| v.children.iter().find(|r| r.code == code).map_or(0, |r| r.counts.received);
    assert_eq!((row("HD"), row("HX")), (1, 2));
    let hd_v = backend::services::stats::public(&state, Some("HD"), october).await.unwrap();
    assert_eq!(hd_v.trend.last().unwrap().counts.received, 1);
    let hx_v = backend::services::stats::public(&state, Some("HX"), october).await.unwrap();
    assert_eq!(hx_v.trend.last().unwrap().counts.received, 2);
    assert_eq!(hx_v.channels.iter().map(|c| c.received).sum::<u64>(), 2, "the channels (by category's read)");
    let nov =
        backend::services::stats::public(&state, Some("HD"), Period::Month { year: 2026, month: 11 }).await.unwrap();
    assert_eq!(nov.region.counts.received, 1);
    assert_eq!(nov.trend.last().unwrap().counts.received, 1, "the trend counts the merged pair once");
    assert_eq!(nov.trend[10].counts.received, 1, "October's month in HD: 0 only");
    assert_eq!(nov.channels.iter().map(|c| c.received).sum::<u64>(), 1);
}
both_engines!(transfers_count_for_the_holder_at_the_end_and_merges_once);

/// The SQL bucket of a duration is `domain::stats::duration_bucket`, on both engines.
async fn the_sql_buckets_are_the_domain_buckets(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    for secs in [-5_i64, 0, 359, 360, 7_200, 35_999, 36_000, 39_600, 863_999, 864_000, 950_400, 32_399_999, 99_999_999]
    {
        let sql = format!("SELECT CAST({} AS BIGINT)", stats::bucket_sql(&format!("CAST({secs} AS BIGINT)")));
        let (b,): (i64,) = sqlx::query_as(&sql).fetch_one(&state.db.pool).await.unwrap();
        assert_eq!(b, domain::stats::duration_bucket(secs), "{secs} s");
    }
}
both_engines!(the_sql_buckets_are_the_domain_buckets);

/// The public medians (issue 12) on a fixture whose answer is known: to sign-for, to the first
/// reply (kept on the appeal when the reply is recorded) and to close; fewer than five withheld.
async fn the_public_page_shows_median_times(engine: Engine) {
    let Some((state, _clock)) = common::clocked_state(engine).await else { return };
    let mut t = Vec::new();
    for _ in 0..6 {
        t.push(common::simple_appeal(&state).await);
    }
    // Signed for after 1, 2, 3, 4, 5 hours (the sixth not signed for); the first five closed
    // after 10, 20, 30, 40, 50 hours; four replied to (too few for the public page).
    for (i, ticket) in t.iter().enumerate().take(5) {
        let h = i64::try_from(i).unwrap() + 1;
        exec(&state, &format!("UPDATE appeals SET signed_at = submitted_at + {} WHERE ticket = $1", h * 3_600), ticket)
            .await;
        exec(
            &state,
            &format!(
                "UPDATE appeals SET status = 'closed', closed_at = submitted_at + {} WHERE ticket = $1",
                h * 36_000
            ),
            ticket,
        )
        .await;
    }
    for ticket in t.iter().take(4) {
        let (at,): (i64,) = sqlx::query_as("SELECT submitted_at FROM appeals WHERE ticket = $1")
            .bind(ticket)
            .fetch_one(&state.db.pool)
            .await
            .unwrap();
        let mut tx = state.db.pool.begin().await.unwrap();
        for (kind, later) in [(domain::events::EventKind::Reply, 1_800), (domain::events::EventKind::Reply, 9_000)] {
            let e = backend::store::appeals::StaffEvent {
                ticket,
                at: at + later,
                kind,
                actor: "staff",
                actor_name: None,
                unit: None,
                body: Some("answer"),
                detail: None,
            };
            backend::store::appeals::insert_staff_event(&mut tx, &e).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    let (kept,): (Option<i64>,) = sqlx::query_as("SELECT first_reply_at - submitted_at FROM appeals WHERE ticket = $1")
        .bind(&t[0])
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(kept, Some(1_800), "the first reply is kept, not the second");
    let v = backend::services::stats::public(&state, None, Period::Month { year: 2026, month: 11 }).await.unwrap();
    assert_eq!(v.medians.signed, Some(3.0));
    assert_eq!(v.medians.closed, Some(30.0), "10 to 50 hours: the middle one");
    assert_eq!(v.medians.replied, None, "four replies: too few to show");
    // A region with none of them shows none.
    let hx =
        backend::services::stats::public(&state, Some("HX"), Period::Month { year: 2026, month: 11 }).await.unwrap();
    assert_eq!(hx.medians, domain::stats::Medians::default());
}
both_engines!(the_public_page_shows_median_times);

/// November's exact figures for district HD.
async fn hd_november(state: &backend::AppState) -> Counts {
    let cat = state.catalog.get();
    let (start, end) = Period::Month { year: 2026, month: 11 }.bounds().unwrap();
    stats::counts(&state.db.pool, &cat, &cat.region_path("HD"), None, start, end, state.clock.ts()).await.unwrap()
}

/// Known answers through the services, not hand-set columns: a month with no appeals, appeals
/// closed and never rated, and one closed, rated 不满意 (reopened one level up: no longer closed,
/// counted under reopened, its rating kept) and then closed again by the street.
async fn no_appeals_unrated_and_closed_then_reopened(engine: Engine) {
    use backend::services::{resident, work};
    let Some((state, clock)) = common::clocked_state(engine).await else { return };
    let empty = hd_november(&state).await;
    assert_eq!(empty, Counts::default());
    let r = empty.rates(false);
    assert_eq!(
        (r.signed_on_time, r.closed, r.closed_on_time, r.satisfaction, r.rated_share),
        (None, None, None, None, None),
        "no appeals, no rates"
    );
    let community = common::staff(&state, "community", "U-HD0101", "unit_handler").await;
    let street = common::staff(&state, "street", "U-HD01", "dispatcher").await;
    for _ in 0..2 {
        let t = common::simple_appeal(&state).await;
        work::act(&state, &community, &t, &work::Act::Sign).await.unwrap();
        work::act(&state, &community, &t, &work::Act::Close { resolution: "已清理".into() }).await.unwrap();
    }
    let unrated = hd_november(&state).await;
    assert_eq!((unrated.received, unrated.closed, unrated.closed_on_time, unrated.rated), (2, 2, 2, 0));
    let r = unrated.rates(false);
    assert_eq!((r.closed, r.satisfaction, r.rated_share), (Some(1000), None, Some(0)), "all unrated");

    let (ticket, draft) = common::appeal_at(
        &state,
        "sanitation",
        &[("district", "HD"), ("street", "HD01"), ("community", "HD0101")],
        &[("identity", "named"), ("name", "赵"), ("phone", "13700000009")],
    )
    .await;
    work::act(&state, &community, &ticket, &work::Act::Sign).await.unwrap();
    work::act(&state, &community, &ticket, &work::Act::Close { resolution: "已清理".into() }).await.unwrap();
    assert_eq!(hd_november(&state).await.closed, 3);
    let (t, key) = common::receipt(&state, &draft).await;
    clock.advance(time::Duration::hours(2));
    resident::rate(&state, "ip", &t, &key, "unsatisfied", "").await.unwrap();
    let reopened = hd_november(&state).await;
    assert_eq!(
        (reopened.received, reopened.closed, reopened.reopened, reopened.rated, reopened.satisfied),
        (3, 2, 1, 1, 0),
        "reopened: not closed any more, its 不满意 still counted"
    );
    let r = reopened.rates(false);
    assert_eq!((r.satisfaction, r.rated_share), (Some(0), Some(500)));
    // The street signs for it again and closes it: closed again, still rated 不满意 once.
    work::act(&state, &street, &ticket, &work::Act::Sign).await.unwrap();
    work::act(&state, &street, &ticket, &work::Act::Close { resolution: "街道协调每日清运".into() }).await.unwrap();
    let again = hd_november(&state).await;
    assert_eq!((again.received, again.closed, again.reopened, again.rated), (3, 3, 1, 1));
    assert_eq!(again.rates(false).rated_share, Some(333));
}
both_engines!(no_appeals_unrated_and_closed_then_reopened);
