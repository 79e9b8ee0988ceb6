//! Group commit (issue 11): concurrent writes share transactions on SQLite, each caller is
//! answered only after its batch committed, and one failing job does not take the others down.

use crate::common::{fresh_db, Engine};
use backend::store::group_commit::{GroupCommit, Job, Script, WriteFuture};
use backend::store::Tx;

/// A job that inserts one holiday; two jobs with the same day collide on its primary key.
struct Holiday(String);

impl Job for Holiday {
    fn write<'a, 'c: 'a>(&'a self, tx: &'a mut Tx<'c>) -> WriteFuture<'a> {
        Box::pin(async move {
            sqlx::query("INSERT INTO holidays (day, kind, name, updated_at) VALUES ($1, 'holiday', 'test', 0)")
                .bind(&self.0)
                .execute(&mut **tx)
                .await?;
            Ok(())
        })
    }

    fn script(jobs: &[&Self]) -> backend::Result<Script> {
        let days: Vec<&str> = jobs.iter().map(|j| j.0.as_str()).collect();
        Ok(Script {
            sql: "INSERT INTO holidays (day, kind, name, updated_at) SELECT value, 'holiday', 'test', 0 FROM json_each($1)",
            args: vec![serde_json::to_string(&days).unwrap()],
        })
    }
}

async fn many_writers_one_bad(engine: Engine) {
    let Some(db) = fresh_db(engine).await else { return };
    let writer = GroupCommit::<Holiday>::default();
    // 200 distinct days plus one repeat of day 7, all at once.
    let mut days: Vec<String> = (0..200).map(|i| format!("2030-{:02}-{:02}", i / 28 + 1, i % 28 + 1)).collect();
    days.push(days[7].clone());
    let tasks: Vec<_> = days
        .iter()
        .map(|d| {
            let (w, db, d) = (writer.clone(), db.clone(), d.clone());
            tokio::spawn(async move { w.run(&db, Holiday(d)).await })
        })
        .collect();
    let mut ok = 0;
    let mut dup = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(e) if e.is_unique_violation() => dup += 1,
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert_eq!((ok, dup), (200, 1), "every distinct day stored, only the repeat refused");
    // Every acknowledged write is in the database (a fresh connection sees it).
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM holidays").fetch_one(&db.pool).await.unwrap();
    assert_eq!(n, 200);
    if let Engine::Sqlite = engine {
        let commits = writer.commits();
        // Batches hold up to 256 jobs: 201 queued together take a few commits (the one failing
        // job's batch commits once more, job by job), far fewer than one each (the bound leaves
        // room for a loaded machine's scheduling).
        assert!((1..100).contains(&commits), "201 concurrent jobs took {commits} commits: not batched");
    }
}
both_engines!(many_writers_one_bad);

/// Several nodes on one PostgreSQL share each budget: two states on the same database (two
/// "nodes") together get what one would, no more. On SQLite (one node) the count is in memory.
async fn rate_limits_are_shared_between_nodes(engine: Engine) {
    let Some(db) = fresh_db(engine).await else { return };
    let limits = backend::config::Limits { track_per_10min: 3, ..backend::config::Limits::default() };
    let catalog = || backend::catalog::CatalogHandle::new(backend::catalog::Catalog::empty());
    let a = backend::AppState::new(db.clone(), catalog(), limits);
    let b = backend::AppState::new(db.clone(), catalog(), limits);
    let mut allowed = 0;
    for node in [&a, &b, &a, &b, &a, &b] {
        if node.track_limiter.check("198.51.100.7").await {
            allowed += 1;
        }
    }
    match engine {
        Engine::Postgres => {
            assert_eq!(allowed, 3, "one budget of 3 for the client across both nodes");
            assert!(a.track_limiter.check("198.51.100.8").await, "another client has its own budget");
            // Old windows are swept; the current one stays.
            a.track_limiter.prune_shared(time::OffsetDateTime::now_utc().unix_timestamp()).await.unwrap();
            assert!(!b.track_limiter.check("198.51.100.7").await, "still refused after the sweep");
        }
        Engine::Sqlite => assert_eq!(allowed, 6, "two in-memory budgets (one node per SQLite database)"),
    }
}
both_engines!(rate_limits_are_shared_between_nodes);
