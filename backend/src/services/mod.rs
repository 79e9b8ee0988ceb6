//! Use cases: each public function is one thing a person or job does, in one transaction.

pub mod appeal;
pub mod callbacks;
pub mod dashboard;
pub mod deadlines;
pub mod demo;
pub mod import;
pub mod intake;
pub mod ledger;
pub mod legal;
pub mod moderation;
pub mod notices;
pub mod open311;
pub mod questions;
pub mod recovery;
pub mod related;
pub mod resident;
pub mod stats;
pub mod summons;
pub mod supervision;
pub mod templates;
pub mod track;
pub mod where_map;
pub mod work;
