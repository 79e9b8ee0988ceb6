//! What every request handler and page needs, built once at startup and passed by context.

use crate::catalog::CatalogHandle;
use crate::clock::{Clock, SystemClock};
use crate::config::{AuthConfig, LegalConfig, Limits, SupervisionConfig};
use crate::db::Db;
use crate::ratelimit::Limiter;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

/// The shared services; [`AppState`] is a cheap handle to them. Every request carries one (an
/// axum extension, the Leptos context), so cloning it must cost one reference count, not one per
/// field (profiling the cached home page showed 10 % of the time in cloning and dropping the
/// fields one by one).
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub catalog: CatalogHandle,
    pub clock: Arc<dyn Clock>,
    pub auth: AuthConfig,
    pub supervision: SupervisionConfig,
    /// The legal-aid centre's settings (the income standard of the eligibility check).
    pub legal: LegalConfig,
    /// Track-page lookups per client.
    pub track_limiter: Limiter,
    /// Appeal submissions (and draft creation) per client.
    pub submit_limiter: Limiter,
    /// Resident posts on the track page (answers, supplements, ratings) per client.
    pub resident_post_limiter: Limiter,
    /// Photo uploads to drafts per client ([`DRAFT_PHOTOS_PER_SUBMIT`] times the submissions'
    /// budget): a removed photo frees room in its draft, so without it one draft would take
    /// uploads (each decoded and re-encoded) without end.
    pub draft_photo_limiter: Limiter,
    /// Sign-in attempts per client address and per account.
    pub login_ip_limiter: Limiter,
    pub login_user_limiter: Limiter,
    /// Open311 submissions per API key.
    pub open311_limiter: Limiter,
    /// Public statistics periods not yet read, per client (`services::stats`).
    pub stats_limiter: Limiter,
    /// Open311 reads of service requests per client. Counted in this process even on
    /// PostgreSQL: it keeps one client from taking a node's database time, and counting in the
    /// database would make every read a write.
    pub open311_read_limiter: Limiter,
    /// Receipt-recovery requests per client per hour (`services::recovery`, counted in the
    /// database with the number's own limits).
    pub recover_per_hour: i64,
    /// Photo uploads: how many hold their body and how much memory decoding may use at once.
    pub uploads: crate::photos::UploadGate,
    /// See `auth::dummy_hash`.
    pub(crate) dummy_hash: Arc<OnceCell<String>>,
    /// Submitted appeals on their way to the database (group commit on SQLite).
    pub(crate) appeal_writer: crate::store::group_commit::GroupCommit<crate::services::appeal::StoreAppeal>,
    /// The working-day calendar of the current content version.
    pub(crate) calendar: crate::services::deadlines::CalendarCache,
    /// The public statistics of recent periods, kept for a minute (`services::stats`).
    pub(crate) stats_cache: crate::services::stats::PublicCache,
    /// Active Open311 API keys recently looked up (`services::open311::KeyCache`).
    pub(crate) open311_keys: crate::services::open311::KeyCache,
    /// Ledger exports running on this node (`services::ledger::EXPORTS_AT_ONCE`).
    pub(crate) ledger_turns: crate::services::ledger::Turns,
}

/// What every request handler and page needs: a reference-counted handle to [`Services`], whose
/// fields it derefs to (`state.db`, `state.clock`…).
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

/// Draft photo uploads a client may make per submission it may make (see
/// [`Services::draft_photo_limiter`]): room for a full set of photos and a few retries each.
pub const DRAFT_PHOTOS_PER_SUBMIT: u32 = 4;

impl AppState {
    #[must_use]
    pub fn new(db: Db, catalog: CatalogHandle, limits: Limits) -> Self {
        let quarter = Duration::from_secs(900);
        let d = db.clone();
        Self(Arc::new(Services {
            db,
            catalog,
            clock: Arc::new(SystemClock),
            auth: AuthConfig::default(),
            supervision: SupervisionConfig::default(),
            legal: LegalConfig::default(),
            track_limiter: Limiter::for_db(&d, "track", limits.track_per_10min, Duration::from_secs(600)),
            submit_limiter: Limiter::for_db(&d, "submit", limits.submit_per_hour, Duration::from_secs(3600)),
            resident_post_limiter: Limiter::for_db(
                &d,
                "resident_post",
                limits.submit_per_hour,
                Duration::from_secs(3600),
            ),
            draft_photo_limiter: Limiter::for_db(
                &d,
                "draft_photo",
                limits.submit_per_hour.saturating_mul(DRAFT_PHOTOS_PER_SUBMIT),
                Duration::from_secs(3600),
            ),
            login_ip_limiter: Limiter::for_db(&d, "login_ip", limits.login_per_15min_ip, quarter),
            login_user_limiter: Limiter::for_db(&d, "login_user", limits.login_per_15min_user, quarter),
            open311_limiter: Limiter::for_db(&d, "open311", limits.open311_per_hour, Duration::from_secs(3600)),
            stats_limiter: Limiter::for_db(&d, "stats", limits.stats_periods_per_10min, Duration::from_secs(600)),
            open311_read_limiter: Limiter::new(limits.open311_reads_per_minute, Duration::from_secs(60)),
            recover_per_hour: i64::from(limits.recover_per_hour.max(1)),
            uploads: crate::photos::UploadGate::default(),
            dummy_hash: Arc::new(OnceCell::new()),
            appeal_writer: crate::store::group_commit::GroupCommit::default(),
            calendar: crate::services::deadlines::CalendarCache::default(),
            stats_cache: crate::services::stats::PublicCache::default(),
            open311_keys: crate::services::open311::KeyCache::default(),
            ledger_turns: crate::services::ledger::Turns::default(),
        }))
    }

    /// Changes the services while they are being set up (a copy if the handle is shared already).
    #[must_use]
    pub fn configure(mut self, f: impl FnOnce(&mut Services)) -> Self {
        f(Arc::make_mut(&mut self.0));
        self
    }

    #[must_use]
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        self.configure(|s| s.clock = clock)
    }

    #[must_use]
    pub fn with_uploads(self, limits: crate::photos::UploadLimits) -> Self {
        self.configure(|s| s.uploads = crate::photos::UploadGate::new(limits))
    }

    /// Ledger downloads are broken off after `stall` without taking a piece (the default is
    /// `services::ledger::STALL`; tests use a short one).
    #[must_use]
    pub fn with_ledger_stall(self, stall: std::time::Duration) -> Self {
        self.configure(|s| s.ledger_turns = crate::services::ledger::Turns::with_stall(stall))
    }

    #[must_use]
    pub fn with_auth(self, auth: AuthConfig) -> Self {
        self.configure(|s| s.auth = auth)
    }
}

/// The client's address as seen by the server (or the proxy's header when trusted), put into
/// each request's extensions by the server's middleware and used as the rate-limit key.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);
