//! One module per page (the staff workspace's pages share `staff.rs`, admin pages `admin.rs`).

pub mod admin;
pub mod admin_legal;
pub mod admin_questions;
pub mod admin_summons;
pub mod admin_templates;
pub mod appeal;
pub mod callbacks;
pub mod cases;
pub mod dashboard;
pub mod home;
pub mod intake;
pub mod legal;
pub mod legal_eligibility;
pub mod legal_triage;
pub mod moderation;
pub mod not_found;
pub mod offline;
pub mod receipt;
pub mod recover;
pub mod staff;
pub mod staff_account;
pub mod stats;
pub mod summons;
pub mod track;
