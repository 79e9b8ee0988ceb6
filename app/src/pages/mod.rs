//! One module per page.

pub mod appeal;
pub mod home;
pub mod legal;
pub mod not_found;
pub mod receipt;
pub mod track;
