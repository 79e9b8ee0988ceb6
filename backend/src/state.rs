//! What every request handler and page needs, built once at startup and passed by context.

use crate::catalog::CatalogHandle;
use crate::db::Db;
use crate::ratelimit::Limiter;
use std::time::Duration;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub catalog: CatalogHandle,
    /// Track-page lookups per client.
    pub track_limiter: Limiter,
    /// Appeal submissions (and draft creation) per client.
    pub submit_limiter: Limiter,
}

/// Limits for a deployment; tests and e2e raise them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub track_per_10min: u32,
    pub submit_per_hour: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self { track_per_10min: 20, submit_per_hour: 30 }
    }
}

impl AppState {
    #[must_use]
    pub fn new(db: Db, catalog: CatalogHandle, limits: Limits) -> Self {
        Self {
            db,
            catalog,
            track_limiter: Limiter::new(limits.track_per_10min, Duration::from_secs(600)),
            submit_limiter: Limiter::new(limits.submit_per_hour, Duration::from_secs(3600)),
        }
    }
}

/// The client's address as seen by the server (or the proxy's header when trusted), put into
/// each request's extensions by the server's middleware and used as the rate-limit key.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);
