//! All SQL of the project lives here, in small functions taking a pool or a transaction.
//! Queries are written once for both engines (see `db.rs`).

pub mod appeals;
pub mod audit;
pub mod drafts;
pub mod legal;
pub mod open311;
pub mod outbox;
pub mod publication;
pub mod regions;
pub mod resident;
pub mod signin;
pub mod staff;
pub mod supervision;

/// A transaction on either engine.
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;
