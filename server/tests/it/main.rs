//! The server's integration tests, one binary (one link step instead of one per file): the real
//! router (`build_router`) driven with `oneshot`, as a browser or an API client would drive it.
//! Each module is one concern; `common` holds the shared helpers.

#![allow(clippy::unwrap_used)] // a panic in a test is its failure report

mod common;

mod bad_input;
mod binding;
mod caching;
mod callbacks;
mod hostile;
mod hostile_input;
mod intake;
mod ledger;
mod legal;
mod notices;
mod offline;
mod open311;
mod photo_upload;
mod publication;
mod questions;
mod recovery;
mod related;
mod resident_fixes;
mod router;
mod signin;
mod staff;
mod stats;
mod summons;
mod where_map;
mod xss;
