//! The backend's integration tests, one binary (one link step instead of one per file): the use
//! cases against a real database, SQLite always and PostgreSQL when `PINGAN_TEST_PG_URL` is set.
//! Each module is one concern; `common` holds the test databases.

#![allow(clippy::unwrap_used)] // a panic in a test is its failure report

#[macro_use]
mod common;

mod callbacks;
mod dashboard;
mod demo_routing;
mod group_commit;
mod hostile;
mod import;
mod intake;
mod ledger;
mod legal;
mod migrations;
mod notices;
mod open311;
mod publication;
mod questions;
mod recovery;
mod related;
mod repeats;
mod services;
mod signin;
mod stats;
mod summons;
mod supervision;
mod workflow;
