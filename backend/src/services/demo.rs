//! Staff accounts for the bundled demo city, so a newcomer can try the workspace at once. Made
//! only when the demo city is loaded into an empty database; they share one random password,
//! shown once to whoever started the server (never written to the log).

use crate::audit::Who;
use crate::auth::{self, NewStaff};
use crate::state::AppState;
use crate::Result;

/// (user name, display name, unit, role): one of each role along one branch of the hierarchy,
/// plus the departments a street or district centre summons most.
pub const DEMO_STAFF: &[(&str, &str, &str, &str)] = &[
    ("admin", "系统管理员", "U-SF", "admin"),
    ("city", "市指挥中心调度员", "U-SF", "dispatcher"),
    ("hedong", "河东区综治中心调度员", "U-HD", "dispatcher"),
    ("dongguan", "东关街道综治中心调度员", "U-HD01", "dispatcher"),
    ("heping", "和平社区居委会", "U-HD0101", "unit_handler"),
    ("grid-hd010101", "和平社区第1网格网格员", "U-HD010101", "grid_worker"),
    ("hd-hrss", "河东区人社局", "D-HD-hrss", "unit_handler"),
    ("hd-housing", "河东区住建局", "D-HD-housing", "unit_handler"),
    ("hd-justice", "河东区法律援助中心", "D-HD-justice", "unit_handler"),
];

/// A password of 20 random base-32 characters (100 bits).
#[must_use]
pub fn random_password() -> String {
    const A: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz23456789A";
    let b = crate::crypto::random_bytes::<20>();
    b.iter().map(|x| char::from(A[usize::from(*x) % 32])).collect()
}

/// Creates the demo accounts if there is no staff account at all; returns their password.
///
/// # Errors
/// Database errors, or a demo unit missing from the catalog.
pub async fn seed_staff(state: &AppState) -> Result<Option<String>> {
    if !auth::list_staff(state, &crate::audit::Who::system()).await?.is_empty() {
        return Ok(None);
    }
    let password = random_password();
    let by = Who { id: "system".into(), name: "demo city".into(), role: "system".into() };
    for (username, name, unit, role) in DEMO_STAFF {
        let n = NewStaff {
            username: (*username).into(),
            display_name: (*name).into(),
            unit: (*unit).into(),
            role: (*role).into(),
            password: password.clone(),
        };
        auth::create_staff(state, &by, &n).await?;
    }
    Ok(Some(password))
}
