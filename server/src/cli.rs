//! Subcommands of the `pingan` binary.

use crate::config::Config;
use crate::startup;
use backend::db::Db;
use backend::services::import;
use backend::BackendError;
use std::path::Path;

pub const USAGE: &str = "usage: pingan [serve | migrate | import-regions DIR]

  serve               run the portal (default); loads the demo city into an empty
                      database unless PINGAN_DEMO=0
  migrate             apply database migrations and exit
  import-regions DIR  import regions.geojson, units.csv and categories.csv from DIR
                      (all or nothing; re-running updates in place)

environment: DATABASE_URL (default sqlite://data/pingan.db?mode=rwc), LEPTOS_SITE_ADDR,
LEPTOS_SITE_ROOT, PINGAN_DEMO, PINGAN_TRUST_PROXY, PINGAN_RATE_LIMIT_TRACK,
PINGAN_RATE_LIMIT_SUBMIT";

/// # Errors
/// Database errors or a failed migration.
pub async fn migrate(config: &Config) -> Result<(), BackendError> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    println!("migrations applied");
    Ok(())
}

/// # Errors
/// Unreadable or invalid files (every problem is listed), or database errors.
pub async fn import_regions(config: &Config, dir: &Path) -> Result<(), BackendError> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let files = import::read_dir(dir)?;
    let r = import::import(&db, &files).await?;
    println!("imported {} regions, {} units, {} categories", r.regions, r.units, r.categories);
    Ok(())
}

/// Runs the server until Ctrl-C / SIGTERM.
///
/// # Errors
/// Startup failures (database, migrations, binding the address).
pub async fn serve(config: &Config) -> Result<(), Box<dyn std::error::Error>> {
    let state = startup::build_state(config).await?;
    let options = startup::leptos_options(config);
    let app = startup::build_router(state, options, config.trust_proxy);
    let listener = tokio::net::TcpListener::bind(config.site_addr).await?;
    println!("pingan is running at {}", config.public_url());
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
