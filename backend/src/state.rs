//! What every request handler and page needs, built once at startup and passed by context.

use crate::auth::{password, AuthConfig};
use crate::catalog::CatalogHandle;
use crate::clock::{Clock, SystemClock};
use crate::db::Db;
use crate::ratelimit::Limiter;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub catalog: CatalogHandle,
    pub clock: Arc<dyn Clock>,
    pub auth: AuthConfig,
    pub supervision: crate::services::supervision::SupervisionConfig,
    /// The legal-aid centre's settings (the income standard of the eligibility check).
    pub legal: crate::services::legal::LegalConfig,
    /// Track-page lookups per client.
    pub track_limiter: Limiter,
    /// Appeal submissions (and draft creation) per client.
    pub submit_limiter: Limiter,
    /// Resident posts on the track page (answers, supplements, ratings) per client.
    pub resident_post_limiter: Limiter,
    /// Sign-in attempts per client address and per account.
    pub login_ip_limiter: Limiter,
    pub login_user_limiter: Limiter,
    /// Open311 submissions per API key.
    pub open311_limiter: Limiter,
    /// Photo uploads: how many hold their body and how much memory decoding may use at once.
    pub uploads: crate::photos::UploadGate,
    dummy_hash: Arc<OnceCell<String>>,
}

/// Limits for a deployment; tests and e2e raise them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub track_per_10min: u32,
    pub submit_per_hour: u32,
    pub login_per_15min_ip: u32,
    pub login_per_15min_user: u32,
    pub open311_per_hour: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            track_per_10min: 20,
            submit_per_hour: 30,
            login_per_15min_ip: 20,
            login_per_15min_user: 5,
            open311_per_hour: 60,
        }
    }
}

impl AppState {
    #[must_use]
    pub fn new(db: Db, catalog: CatalogHandle, limits: Limits) -> Self {
        let quarter = Duration::from_secs(900);
        Self {
            db,
            catalog,
            clock: Arc::new(SystemClock),
            auth: AuthConfig::default(),
            supervision: crate::services::supervision::SupervisionConfig::default(),
            legal: crate::services::legal::LegalConfig::default(),
            track_limiter: Limiter::new(limits.track_per_10min, Duration::from_secs(600)),
            submit_limiter: Limiter::new(limits.submit_per_hour, Duration::from_secs(3600)),
            resident_post_limiter: Limiter::new(limits.submit_per_hour, Duration::from_secs(3600)),
            login_ip_limiter: Limiter::new(limits.login_per_15min_ip, quarter),
            login_user_limiter: Limiter::new(limits.login_per_15min_user, quarter),
            open311_limiter: Limiter::new(limits.open311_per_hour, Duration::from_secs(3600)),
            uploads: crate::photos::UploadGate::default(),
            dummy_hash: Arc::new(OnceCell::new()),
        }
    }

    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    #[must_use]
    pub fn with_uploads(mut self, limits: crate::photos::UploadLimits) -> Self {
        self.uploads = crate::photos::UploadGate::new(limits);
        self
    }

    #[must_use]
    pub fn with_auth(mut self, auth: AuthConfig) -> Self {
        self.auth = auth;
        self
    }

    /// A hash of nothing anyone knows, at the configured cost: verified against when the user name
    /// does not exist, so a wrong name takes as long as a wrong password.
    ///
    /// # Errors
    /// The hasher failed.
    pub async fn dummy_hash(&self) -> crate::Result<String> {
        let cost = self.auth.cost;
        self.dummy_hash
            .get_or_try_init(|| async move { password::hash(crate::auth::random_hex(), cost).await })
            .await
            .cloned()
    }
}

/// The client's address as seen by the server (or the proxy's header when trusted), put into
/// each request's extensions by the server's middleware and used as the rate-limit key.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);
