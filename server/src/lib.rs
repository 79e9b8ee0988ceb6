//! The `pingan` binary's library half: configuration, router construction (shared by `main`
//! and the router tests), middleware, the plain form handlers, and CLI subcommands.

pub mod api_guard;
pub mod cli;
pub mod compress;
pub mod config;
pub mod error;
pub mod forms;
pub mod jobs;
pub mod middleware;
pub mod offline;
pub mod open311;
pub mod pages;
pub mod recover;
pub mod refusals;
pub mod staff;
pub mod startup;
pub mod uploads;
