//! All SQL of the project lives here, in small functions taking a pool or a transaction.
//! Queries are written once for both engines (see `db.rs`).

pub mod appeals;
pub mod audit;
pub mod drafts;
pub mod group_commit;
pub mod legal;
pub mod open311;
pub mod outbox;
pub mod publication;
pub mod regions;
pub mod resident;
pub mod sessions;
pub mod signin;
pub mod staff;
pub mod supervision;

/// The SQL expression of a deadline's warning point, for the columns `start` and `due`: the same
/// point as `domain::sla::warning_at` (integer arithmetic on whole seconds, rounded down).
pub(crate) fn warning_point_sql(start: &str, due: &str) -> String {
    let (num, den) = domain::sla::WARNING_FRACTION;
    format!("({start} + ({due} - {start}) * {num} / {den})")
}

/// A transaction on either engine.
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;
