//! Background jobs of a serving node, each on its own timer: the supervision run, the outbox
//! worker, the catalog reload check, the public statistics warm-up and the session sweep. All
//! are safe to run on several nodes at once (see the services for why); a failed run is logged
//! and tried again next tick.

use backend::notify::{self, Sink};
use backend::services::{import, supervision};
use backend::AppState;
use std::time::Duration;

/// Appeals handled per supervision run (the next run continues).
const SUPERVISION_BATCH: usize = 5_000;

/// Seconds between checks that the public figures of the last month, quarter and year over are
/// read (`stats::warm`: the month at most a minute old, the quarter and year ten minutes) and
/// that every older public period is counted and kept (`stats::fill`: at most a day old).
const STATS_WARM_EVERY: u64 = 30;

fn every<F, Fut>(secs: u64, name: &'static str, mut f: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(), backend::BackendError>> + Send,
{
    if secs == 0 {
        tracing::info!(job = name, "job turned off");
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(secs));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = f().await {
                tracing::error!(job = name, error = %e, "background job failed; retrying next tick");
            }
        }
    });
}

/// Starts every job; they run until the process ends.
pub fn start(state: &AppState, sink: Sink, supervision_every: u64, outbox_every: u64) {
    let worker = format!("node-{}", backend::crypto::random_hex());
    sink.warn_at_start();
    let s = state.clone();
    every(supervision_every, "supervision", move || {
        let s = s.clone();
        async move {
            let r = supervision::run(&s, SUPERVISION_BATCH).await?;
            if r.warnings + r.supervisions + r.escalations + r.summons_warnings + r.summons_supervisions > 0 {
                tracing::info!(
                    warnings = r.warnings,
                    supervisions = r.supervisions,
                    escalations = r.escalations,
                    summons_warnings = r.summons_warnings,
                    summons_supervisions = r.summons_supervisions,
                    "supervision run"
                );
            }
            Ok(())
        }
    });
    let s = state.clone();
    every(outbox_every, "outbox", move || {
        let (s, sink, worker) = (s.clone(), sink.clone(), worker.clone());
        async move {
            notify::deliver_due(&s.db.pool, &sink, &worker, s.clock.ts()).await?;
            Ok(())
        }
    });
    let s = state.clone();
    every(10, "catalog-reload", move || {
        let s = s.clone();
        async move { import::reload_if_changed(&s).await.map(|_| ()) }
    });
    // The page /stats opens on, read before anyone asks (a read of a month of a large city
    // takes about a second; see docs/benchmarks.md), then again only once it is a minute old.
    let s = state.clone();
    every(STATS_WARM_EVERY, "stats-warm", move || {
        let s = s.clone();
        async move { backend::services::stats::warm(&s).await }
    });
    let s = state.clone();
    every(3600, "sweep", move || {
        let s = s.clone();
        async move {
            let now = s.clock.ts();
            backend::auth::sessions::DbSessionStore::new(s.db.clone()).sweep(now).await?;
            backend::auth::signin::sweep(&s).await?;
            backend::services::appeal::sweep_drafts(&s, now).await?;
            backend::services::recovery::sweep(&s, now).await?;
            for l in [
                &s.track_limiter,
                &s.submit_limiter,
                &s.resident_post_limiter,
                &s.draft_photo_limiter,
                &s.login_ip_limiter,
                &s.login_user_limiter,
                &s.open311_limiter,
                &s.stats_limiter,
                &s.open311_read_limiter,
            ] {
                l.prune();
                l.prune_shared(now).await?;
            }
            Ok(())
        }
    });
}
