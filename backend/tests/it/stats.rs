//! The grid's figures (issue 12) on hand-built fixtures whose answers are known, both engines.

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
    exec(&state, "INSERT INTO appeal_events (ticket, at, kind, actor, public) SELECT ticket, submitted_at + 300, 'reopened_unsatisfied', 'resident', 1 FROM appeals WHERE ticket = $1", &t[3]).await;
    // 4: supervised twice (counted once); 5: escalated by hand and automatically (once).
    for stage_due in [1, 2] {
        let sql = format!("INSERT INTO appeal_notices (ticket, cycle, deadline, due_at, stage, fired_at) SELECT ticket, 1, 'resolve', {stage_due}, 'supervision', submitted_at + 10 FROM appeals WHERE ticket = $1");
        exec(&state, &sql, &t[4]).await;
    }
    for kind in ["escalated", "auto_escalated"] {
        let sql = format!("INSERT INTO appeal_events (ticket, at, kind, actor, public) SELECT ticket, submitted_at + 10, '{kind}', 'system', 1 FROM appeals WHERE ticket = $1");
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
    let c = stats::counts(&state.db.pool, &hd, None, start, end, now).await.unwrap();
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
        &cat.region_path(&cat.regions.iter().find(|r| r.parent.is_none()).unwrap().code),
        None,
        start,
        end,
        now,
    )
    .await
    .unwrap();
    assert_eq!(city.received, 7);
    let none = stats::counts(&state.db.pool, &hd, Some("wages"), start, end, now).await.unwrap();
    assert_eq!(none, Counts::default());
    let (os, oe) = Period::Month { year: 2026, month: 10 }.bounds().unwrap();
    assert_eq!(stats::counts(&state.db.pool, &hd, None, os, oe, now).await.unwrap().received, 1);
    // A scope is a path prefix ending in '/', and its characters are literal: `_` is no wildcard.
    assert!(hd.ends_with('/'));
    let wild = hd.replace("HD", "H_");
    assert_eq!(stats::counts(&state.db.pool, &wild, None, start, end, now).await.unwrap().received, 0);

    // The public service: the city with its districts, small counts for the page to suppress.
    let v = backend::services::stats::public(&state, None, november).await.unwrap();
    assert_eq!(v.region.counts.received, 7);
    assert_eq!((v.kind.as_str(), v.from.as_str(), v.to.as_str()), ("month", "2026-11-01", "2026-11-30"));
    let hd_row = v.children.iter().find(|r| r.code == "HD").unwrap();
    assert_eq!(hd_row.counts.received, 6);
    assert!(hd_row.opens);
    let street = backend::services::stats::public(&state, Some("HD01"), november).await.unwrap();
    assert_eq!(street.trail.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().last(), Some(&"HD"));
    assert!(street.children.iter().all(|r| !r.opens), "communities are listed, not opened");
    for closed in ["HD0101", "nope"] {
        assert!(matches!(
            backend::services::stats::public(&state, Some(closed), november).await,
            Err(backend::BackendError::NotFound)
        ));
    }
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
