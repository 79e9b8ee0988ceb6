//! Pure rules of the portal: what a valid appeal is, where it goes, what a receipt looks like,
//! when it is due, and the words shown to people (zh-CN first, English second).
//!
//! Nothing here does IO, so the same parsers validate a form in the browser (WASM) and on the
//! server, and every rule is unit-tested without a database.

// `unwrap_used` (workspace lint) is about production paths; a test that unwraps and panics is
// exactly what a failing test should do.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod callback;
pub mod cellmap;
pub mod draft;
pub mod events;
pub mod fields;
#[cfg(feature = "routing")]
pub mod geometry;
pub mod i18n;
pub mod legal;
pub mod legal_aid;
pub mod notices;
pub mod publication;
pub mod questions;
pub mod receipt;
pub mod region;
pub mod related;
#[cfg(feature = "routing")]
pub mod routing;
pub mod sla;
pub mod staff;
pub mod stats;
pub mod summons;
pub mod tel;
pub mod views;
pub mod when;
pub mod workflow;

pub use fields::{FieldError, FieldName};
pub use i18n::{Lang, Msg};
