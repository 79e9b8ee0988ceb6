//! The settings of a deployment, as plain data: what the server's configuration (environment
//! variables) fills in and `AppState` carries. Nothing here depends on the rest of the backend,
//! so the state, the sign-in code and the services can all read settings without depending on
//! each other.

use time::Duration;

/// Argon2id cost. Stored in every hash (PHC string), so changing it only affects new hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCost {
    /// Memory in KiB.
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl PasswordCost {
    /// About 0.5 s on one core of the 2-core build machine (measure with `pingan hash-cost`).
    pub const PRODUCTION: Self = Self { m_kib: 65_536, t: 15, p: 1 };
    /// For tests only: fast, still argon2id.
    pub const TEST: Self = Self { m_kib: 1024, t: 1, p: 1 };

    /// `m_kib,t,p` (e.g. `65536,15,1`), as in `PINGAN_ARGON2`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let mut it = s.split(',').map(|x| x.trim().parse::<u32>().ok());
        let c = Self { m_kib: it.next()??, t: it.next()??, p: it.next()?? };
        (it.next().is_none() && c.m_kib >= 8 * c.p && c.t >= 1 && c.p >= 1).then_some(c)
    }
}

/// How sign-in and sessions behave in a deployment.
#[derive(Debug, Clone, Copy)]
pub struct AuthConfig {
    pub cost: PasswordCost,
    /// Signed out after this long without a request.
    pub idle: Duration,
    /// Signed out this long after signing in, however active.
    pub absolute: Duration,
    /// `Secure` cookies (off only for plain-HTTP local development).
    pub secure_cookies: bool,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            cost: PasswordCost::PRODUCTION,
            idle: Duration::minutes(30),
            absolute: Duration::hours(10),
            secure_cookies: true,
        }
    }
}

/// Knobs of the supervision rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupervisionConfig {
    /// How long after a missed deadline the appeal goes up a level by itself.
    pub grace: Duration,
    /// How long after closing a resident may rate the answer.
    pub rating_window: Duration,
    /// The satisfaction rate (per cent) under which the dashboard lists a unit "below the line"
    /// (`PINGAN_SATISFACTION_LINE`).
    pub satisfaction_line: u32,
}

impl Default for SupervisionConfig {
    fn default() -> Self {
        Self { grace: Duration::hours(24), rating_window: Duration::days(7), satisfaction_line: 80 }
    }
}

/// Settings of the legal-aid centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegalConfig {
    /// The city's legal-aid income standard, yuan per person per month
    /// (`PINGAN_LEGAL_AID_INCOME_LIMIT`).
    pub income_limit: u32,
}

impl Default for LegalConfig {
    fn default() -> Self {
        Self { income_limit: 1200 }
    }
}

/// Limits for a deployment; tests and e2e raise them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub track_per_10min: u32,
    pub submit_per_hour: u32,
    pub login_per_15min_ip: u32,
    pub login_per_15min_user: u32,
    pub open311_per_hour: u32,
    /// Public statistics periods per client per 10 minutes that are not already read (each costs
    /// a database read of up to a year; periods someone else asked for lately cost nothing).
    pub stats_periods_per_10min: u32,
    /// Open311 reads of service requests (lists and single ones: database queries) per client
    /// per minute, counted on each node.
    pub open311_reads_per_minute: u32,
    /// Receipt-recovery requests (phone numbers sent for a code, refused ones too) per client per
    /// hour (`services::recovery`); 0 is taken as 1, like the other limits.
    pub recover_per_hour: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            track_per_10min: 20,
            submit_per_hour: 30,
            login_per_15min_ip: 20,
            login_per_15min_user: 5,
            open311_per_hour: 60,
            stats_periods_per_10min: 20,
            open311_reads_per_minute: 120,
            recover_per_hour: crate::services::recovery::REQUESTS_PER_CLIENT_HOUR,
        }
    }
}
