//! Databases that an older release left behind, migrated the rest of the way.

use crate::common::{self, Engine};
use backend::services::import;

/// Migration 0024 gives every existing event its appeal's submission time, the timeline finds
/// them through the new index, and an event written without it is refused.
async fn events_keep_their_appeal_after_0024(engine: Engine) {
    let Some(db) = common::empty_db(engine).await else { return };
    db.migrate_until(23).await.unwrap();
    import::import(&db, &import::demo_files()).await.unwrap();
    let (unit, path): (String, String) =
        sqlx::query_as("SELECT code, region FROM units WHERE kind = 'grid_station' ORDER BY code LIMIT 1")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let category: (String,) =
        sqlx::query_as("SELECT code FROM categories ORDER BY code LIMIT 1").fetch_one(&db.pool).await.unwrap();
    // Two appeals as release 0023 stored them, with events in between each other's.
    for (ticket, at) in [("PM00000001", 1_700_000_000_i64), ("PM00000002", 1_700_000_500)] {
        sqlx::query(
            "INSERT INTO appeals (ticket, submit_token, key_hash, category, description, anonymous, status, unit,
               route_reason, submitted_at, deadline_at, sign_by_at, clock_start_at, sign_start_at, updated_at, urgent,
               scope_path, cycle, channel)
             VALUES ($1, $2, 'x', $3, '楼道堆物', 1, 'assigned', $4, 'grid_cell', $5, $5 + 604800, $5 + 86400, $5, $5, $5, 0,
               $6, 1, 'web')",
        )
        .bind(ticket)
        .bind(format!("token-{ticket}"))
        .bind(&category.0)
        .bind(&unit)
        .bind(at)
        .bind(&path)
        .execute(&db.pool)
        .await
        .unwrap();
    }
    for (ticket, at, kind) in [
        ("PM00000001", 1_700_000_000_i64, "submitted"),
        ("PM00000002", 1_700_000_500, "submitted"),
        ("PM00000001", 1_700_000_900, "signed"),
        ("PM00000002", 1_700_001_000, "signed"),
        ("PM00000001", 1_700_002_000, "reply"),
    ] {
        sqlx::query("INSERT INTO appeal_events (ticket, at, kind, actor, public) VALUES ($1, $2, $3, 'system', 1)")
            .bind(ticket)
            .bind(at)
            .bind(kind)
            .execute(&db.pool)
            .await
            .unwrap();
    }
    db.migrate().await.unwrap();

    let astray: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM appeal_events e JOIN appeals a ON a.ticket = e.ticket
         WHERE e.born IS NULL OR e.born <> a.submitted_at",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(astray.0, 0);
    let kinds = |t: &'static str| {
        let pool = db.pool.clone();
        async move {
            backend::store::appeals::all_events(&pool, t)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.kind.as_str().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(kinds("PM00000001").await, ["submitted", "signed", "reply"]);
    assert_eq!(kinds("PM00000002").await, ["submitted", "signed"]);

    // Written without `born`, an event would be missing from its timeline: refused instead.
    let bare =
        sqlx::query("INSERT INTO appeal_events (ticket, at, kind, actor, public) VALUES ($1, 1, 'reply', 'system', 1)")
            .bind("PM00000001")
            .execute(&db.pool)
            .await;
    assert!(bare.is_err(), "an event without born was stored");
    assert_eq!(kinds("PM00000001").await.len(), 3);
}
both_engines!(events_keep_their_appeal_after_0024);
