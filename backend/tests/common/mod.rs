//! Test databases: a fresh SQLite file per test, and (when `PINGAN_TEST_PG_URL` points at a
//! PostgreSQL server) a fresh PostgreSQL database per test. Under `CI=true` a missing
//! PostgreSQL is a failure, not a skip: both engines must be exercised there.

#![allow(dead_code)]

use backend::catalog::CatalogHandle;
use backend::db::Db;
use backend::services::import;
use backend::state::Limits;
use backend::AppState;
use sqlx::Connection;

#[derive(Debug, Clone, Copy)]
pub enum Engine {
    Sqlite,
    Postgres,
}

fn unique() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A migrated, empty database of the given engine, or `None` when PostgreSQL is not configured
/// outside CI.
pub async fn fresh_db(engine: Engine) -> Option<Db> {
    sqlx::any::install_default_drivers();
    let url = match engine {
        Engine::Sqlite => {
            let dir = std::env::temp_dir().join("pingan-tests");
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}?mode=rwc", dir.join(format!("{}.db", unique())).display())
        }
        Engine::Postgres => {
            let Ok(admin) = std::env::var("PINGAN_TEST_PG_URL") else {
                assert!(
                    std::env::var("CI").is_err(),
                    "CI must run the PostgreSQL tests: set PINGAN_TEST_PG_URL (test.sh does)"
                );
                eprintln!("PostgreSQL not configured (PINGAN_TEST_PG_URL); this engine is not exercised here");
                return None;
            };
            let name = format!("pingan_t_{}", unique());
            let mut conn = sqlx::AnyConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
            format!("{base}/{name}")
        }
    };
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    Some(db)
}

/// A database with the demo city imported, and the application state around it.
pub async fn demo_state(engine: Engine, limits: Limits) -> Option<AppState> {
    let db = fresh_db(engine).await?;
    import::import(&db, &import::demo_files()).await.unwrap();
    let catalog = import::load_catalog(&db).await.unwrap();
    Some(AppState::new(db, CatalogHandle::new(catalog), limits))
}

/// Runs one async test body against both engines.
#[macro_export]
macro_rules! both_engines {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::common::Engine::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(super::common::Engine::Postgres).await;
            }
        }
    };
}
