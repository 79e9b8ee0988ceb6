//! The backend's one error type. Validation problems carry per-field message keys; everything
//! else is logged where it happens and shown to people as a generic message.

use domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// Input was rejected; each entry names the field and the message to show.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// API parameters were rejected (Open311). Each text names a parameter and says what is
    /// wrong; none contains anything secret, and they are shown to the client as they are.
    #[error("bad request: {}", .0.join("; "))]
    BadRequest(Vec<String>),
    /// The thing asked for does not exist (or the caller may not know whether it does).
    #[error("not found")]
    NotFound,
    /// Too many attempts from this client.
    #[error("rate limited")]
    RateLimited,
    /// The person may not take this action (authorization).
    #[error("forbidden")]
    Forbidden,
    /// Not possible in the current state; the message says why.
    #[error("conflict: {0:?}")]
    Conflict(domain::Msg),
    /// Region/unit/category data could not be imported; the message names file, line and problem.
    #[error("import failed:\n{}", .0.join("\n"))]
    Import(Vec<String>),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("internal: {0}")]
    Internal(String),
}

impl BackendError {
    #[must_use]
    pub fn invalid(e: FieldError) -> Self {
        Self::Invalid(vec![e])
    }
    /// True for a unique-constraint violation (a conflict the caller may resolve).
    #[must_use]
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Db(sqlx::Error::Database(d)) if d.is_unique_violation())
    }

    /// True when the database gave up a transaction because another one wrote the same rows at
    /// the same moment: PostgreSQL's deadlock (`40P01`) or serialization failure (`40001`), or
    /// SQLite's busy/locked and their extended codes (5, 6, 261, 262, 517, 773). Nothing was
    /// written; trying again is safe.
    #[must_use]
    pub fn is_write_race(&self) -> bool {
        let Self::Db(sqlx::Error::Database(d)) = self else { return false };
        matches!(d.code().as_deref(), Some("40P01" | "40001" | "5" | "6" | "261" | "262" | "517" | "773"))
    }
}

pub type Result<T, E = BackendError> = std::result::Result<T, E>;
