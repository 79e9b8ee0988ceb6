//! Server-only half of pingan: storage, use cases (services) and the shared application state.
//! Pages, form handlers, the CLI and tests all call the same services.

pub mod audit;
pub mod auth;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod error;
pub mod notify;
pub mod photos;
pub mod ratelimit;
pub mod services;
pub mod state;
pub mod store;

pub use error::{BackendError, Result};
pub use state::AppState;

/// Seconds since the Unix epoch, the one time format stored in both databases.
#[must_use]
pub fn now_ts() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
