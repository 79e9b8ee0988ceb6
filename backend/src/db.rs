//! One pool for either engine. We use sqlx's `Any` driver with SQL both engines accept
//! (numbered `$1` placeholders, `ON CONFLICT`, integers for booleans and times) so every query
//! exists once; only the migrations differ (two folders), because DDL types do.
//!
//! SQLite runs in WAL mode with `synchronous=FULL`: a commit is on disk before we answer.

use crate::Result;
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub engine: Engine,
}

impl Db {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`), creating the SQLite file's
    /// folder if needed. Does not migrate.
    ///
    /// # Errors
    /// Unreachable database or bad URL.
    pub async fn connect(url: &str) -> Result<Self> {
        install_default_drivers();
        let engine = if url.starts_with("postgres") { Engine::Postgres } else { Engine::Sqlite };
        if engine == Engine::Sqlite {
            if let Some(path) = sqlite_path(url) {
                if let Some(dir) = std::path::Path::new(&path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir)
                            .map_err(|e| crate::BackendError::Internal(format!("create {dir:?}: {e}")))?;
                    }
                }
            }
        }
        let opts = AnyPoolOptions::new()
            .max_connections(if engine == Engine::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10));
        let opts = if engine == Engine::Sqlite {
            let cache = sqlite_cache_kib()?;
            opts.after_connect(move |conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute(format!("PRAGMA cache_size = -{cache}").as_str()).await?;
                    Ok(())
                })
            })
        } else {
            opts
        };
        let pool = opts.connect(url).await?;
        Ok(Self { pool, engine })
    }

    /// One round trip to the database (the health check).
    ///
    /// # Errors
    /// The database does not answer.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Applies the embedded migrations of this engine. A failed migration is an error: the
    /// server must not start on a half-migrated database.
    ///
    /// # Errors
    /// A migration failed or was edited after being applied.
    pub async fn migrate(&self) -> Result<()> {
        match self.engine {
            Engine::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Engine::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Applies this engine's migrations up to and including version `last` only: for tests that
    /// build a database as an older release left it and then migrate it the rest of the way.
    ///
    /// # Errors
    /// A migration failed.
    #[doc(hidden)]
    pub async fn migrate_until(&self, last: i64) -> Result<()> {
        let all = match self.engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        let older = sqlx::migrate::Migrator {
            migrations: all.migrations.iter().filter(|m| m.version <= last).cloned().collect::<Vec<_>>().into(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        older.run(&self.pool).await?;
        Ok(())
    }
}

/// The page cache each SQLite connection may fill, in KiB, unless `PINGAN_SQLITE_CACHE_KIB` says
/// otherwise. The server's memory grows by up to this much per connection (the pool's 8 and the
/// group-commit writer's) as a growing database is read: with SQLite's own default (2,000 KiB)
/// that was ~18 MB over a few million requests; a quarter of it kept the appeals' rate (the
/// operating system caches the file anyway). See docs/benchmarks.md, "Memory that grew".
const SQLITE_CACHE_KIB: u32 = 512;

fn sqlite_cache_kib() -> Result<u32> {
    match std::env::var("PINGAN_SQLITE_CACHE_KIB") {
        Err(_) => Ok(SQLITE_CACHE_KIB),
        Ok(v) => match v.trim().parse::<u32>() {
            Ok(kib) if (64..=4_194_304).contains(&kib) => Ok(kib),
            _ => Err(crate::BackendError::Internal(format!(
                "PINGAN_SQLITE_CACHE_KIB must be a whole number of KiB from 64 to 4194304, not {v:?}"
            ))),
        },
    }
}

fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_path_from_url() {
        assert_eq!(super::sqlite_path("sqlite://data/x.db?mode=rwc").as_deref(), Some("data/x.db"));
        assert_eq!(super::sqlite_path("sqlite::memory:"), None);
    }
}
