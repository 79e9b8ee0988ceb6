//! Configuration, from the environment only (twelve-factor): nothing secret lives in files.

use backend::config::{AuthConfig, LegalConfig, Limits, PasswordCost, SupervisionConfig};
use backend::notify::Sink;
use backend::photos::UploadLimits;
use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` (default `sqlite://data/pingan.db?mode=rwc`) or `postgres://…`.
    pub database_url: String,
    pub site_addr: SocketAddr,
    /// Folder with `pkg/` (the built CSS/JS/WASM) and public assets.
    pub site_root: String,
    /// Load the bundled demo city and its demo staff accounts into an empty database: only when
    /// asked (`PINGAN_DEMO=1`, which `./run.sh` sets), never by default on a real deployment.
    pub demo: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy you run).
    pub trust_proxy: bool,
    pub limits: Limits,
    /// Photo uploads at once, their queue and wait, and the decoding memory budget.
    pub uploads: UploadLimits,
    pub auth: AuthConfig,
    pub supervision: SupervisionConfig,
    /// The legal-aid self-check's income standard (`PINGAN_LEGAL_AID_INCOME_LIMIT`, yuan per
    /// person per month, as the city's justice bureau publishes it).
    pub legal: LegalConfig,
    /// Where notifications go.
    pub sink: Sink,
    /// Seconds between supervision runs and between outbox deliveries (0 turns a job off).
    pub supervision_every: u64,
    pub outbox_every: u64,
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.trim().is_empty())
}

fn num<T: std::str::FromStr>(key: &str, default: T) -> Result<T, String> {
    env(key).map_or(Ok(default), |v| v.trim().parse().map_err(|_| format!("{key} must be a number, not {v:?}")))
}

impl Config {
    /// Everything at its default, nothing read from the environment (tests build on this).
    #[must_use]
    pub fn defaults(database_url: &str) -> Self {
        Self {
            database_url: database_url.to_owned(),
            site_addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            site_root: "target/site".to_owned(),
            // The tests run on the demo city; `from_env` leaves it off unless asked.
            demo: true,
            trust_proxy: false,
            limits: Limits::default(),
            uploads: UploadLimits::default(),
            auth: AuthConfig { secure_cookies: false, ..AuthConfig::default() },
            supervision: SupervisionConfig::default(),
            legal: LegalConfig::default(),
            sink: Sink::Log,
            supervision_every: 60,
            outbox_every: 5,
        }
    }

    /// # Errors
    /// A variable is set to something unparseable.
    pub fn from_env() -> Result<Self, String> {
        let defaults = Limits::default();
        let upload_defaults = UploadLimits::default();
        let addr = env("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let site_addr: SocketAddr =
            addr.parse().map_err(|_| format!("LEPTOS_SITE_ADDR must be host:port, not {addr:?}"))?;
        let cost = match env("PINGAN_ARGON2") {
            Some(v) => PasswordCost::parse(&v)
                .ok_or_else(|| format!("PINGAN_ARGON2 must be m_kib,t,p (e.g. 65536,15,1), not {v:?}"))?,
            None => PasswordCost::PRODUCTION,
        };
        let trust_proxy = env("PINGAN_TRUST_PROXY").as_deref() == Some("1");
        // Secure cookies everywhere but plain-HTTP development on the loopback address, unless
        // the public address is https.
        let public_https = env("PINGAN_PUBLIC_URL").is_some_and(|u| u.starts_with("https://"));
        let secure_cookies = match env("PINGAN_SECURE_COOKIES").as_deref() {
            Some("0") => false,
            Some(_) => true,
            // Behind a proxy (which terminates TLS) the app itself listens on loopback: Secure.
            None => public_https || trust_proxy || !site_addr.ip().is_loopback(),
        };
        let sink_spec = env("PINGAN_NOTIFY").unwrap_or_else(|| "log".to_owned());
        let sink = Sink::parse(&sink_spec, env("PINGAN_WEBHOOK_SECRET")).ok_or_else(|| {
            format!("PINGAN_NOTIFY must be log, file:/path or webhook:http://host/path, not {sink_spec:?}")
        })?;
        let income_limit: u32 = num("PINGAN_LEGAL_AID_INCOME_LIMIT", LegalConfig::default().income_limit)?;
        if income_limit == 0 {
            return Err("PINGAN_LEGAL_AID_INCOME_LIMIT must be a positive number of yuan".to_owned());
        }
        Ok(Self {
            database_url: env("DATABASE_URL").unwrap_or_else(|| "sqlite://data/pingan.db?mode=rwc".to_owned()),
            site_addr,
            site_root: env("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_owned()),
            demo: match env("PINGAN_DEMO").as_deref().map(str::trim) {
                None | Some("0") => false,
                Some("1") => true,
                Some(v) => {
                    return Err(format!("PINGAN_DEMO must be 1 (load the demo city and accounts) or 0, not {v:?}"));
                }
            },
            trust_proxy,
            limits: Limits {
                track_per_10min: num("PINGAN_RATE_LIMIT_TRACK", defaults.track_per_10min)?,
                submit_per_hour: num("PINGAN_RATE_LIMIT_SUBMIT", defaults.submit_per_hour)?,
                login_per_15min_ip: num("PINGAN_RATE_LIMIT_LOGIN_IP", defaults.login_per_15min_ip)?,
                login_per_15min_user: num("PINGAN_RATE_LIMIT_LOGIN_USER", defaults.login_per_15min_user)?,
                open311_per_hour: num("PINGAN_RATE_LIMIT_OPEN311", defaults.open311_per_hour)?,
                stats_periods_per_10min: num("PINGAN_RATE_LIMIT_STATS", defaults.stats_periods_per_10min)?,
                open311_reads_per_minute: num("PINGAN_RATE_LIMIT_OPEN311_READS", defaults.open311_reads_per_minute)?,
                recover_per_hour: num("PINGAN_RATE_LIMIT_RECOVER", defaults.recover_per_hour)?,
            },
            uploads: UploadLimits {
                at_once: num("PINGAN_UPLOADS_AT_ONCE", upload_defaults.at_once)?.max(1),
                queue: num("PINGAN_UPLOAD_QUEUE", upload_defaults.queue)?,
                wait: std::time::Duration::from_secs(num("PINGAN_UPLOAD_WAIT_SECS", upload_defaults.wait.as_secs())?),
                decode_mb: num("PINGAN_DECODE_MEMORY_MB", upload_defaults.decode_mb)?.max(16),
                decode_timeout: std::time::Duration::from_secs(
                    num("PINGAN_DECODE_TIMEOUT_SECS", upload_defaults.decode_timeout.as_secs())?.max(1),
                ),
            },
            auth: AuthConfig { cost, secure_cookies, ..AuthConfig::default() },
            supervision: SupervisionConfig {
                grace: time::Duration::hours(num("PINGAN_ESCALATION_GRACE_HOURS", 24)?),
                rating_window: time::Duration::days(num("PINGAN_RATING_WINDOW_DAYS", 7)?),
                satisfaction_line: num("PINGAN_SATISFACTION_LINE", 80u32)?.min(100),
            },
            legal: LegalConfig { income_limit },
            sink,
            supervision_every: num("PINGAN_SUPERVISION_EVERY_SECS", 60)?,
            outbox_every: num("PINGAN_OUTBOX_EVERY_SECS", 5)?,
        })
    }

    /// The URL people open (a wildcard bind address is shown as localhost).
    #[must_use]
    pub fn public_url(&self) -> String {
        let host =
            if self.site_addr.ip().is_unspecified() { "localhost".to_owned() } else { self.site_addr.ip().to_string() };
        format!("http://{host}:{}", self.site_addr.port())
    }
}

#[cfg(test)]
mod tests {
    use super::Config;

    /// The one test in this binary that touches the process environment (tests run in threads).
    #[test]
    fn the_demo_is_off_unless_asked_for() {
        std::env::remove_var("PINGAN_DEMO");
        assert!(!Config::from_env().unwrap().demo, "no demo city or demo accounts by default");
        std::env::set_var("PINGAN_DEMO", "1");
        assert!(Config::from_env().unwrap().demo);
        std::env::set_var("PINGAN_DEMO", "0");
        assert!(!Config::from_env().unwrap().demo);
        std::env::set_var("PINGAN_DEMO", "yes");
        assert!(Config::from_env().unwrap_err().contains("PINGAN_DEMO"));
        std::env::remove_var("PINGAN_DEMO");
    }
}
