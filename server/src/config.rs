//! Configuration, from the environment only (twelve-factor): nothing secret lives in files.

use backend::state::Limits;
use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` (default `sqlite://data/pingan.db?mode=rwc`) or `postgres://…`.
    pub database_url: String,
    pub site_addr: SocketAddr,
    /// Folder with `pkg/` (the built CSS/JS/WASM) and public assets.
    pub site_root: String,
    /// Load the bundled demo city into an empty database (`PINGAN_DEMO=0` turns it off).
    pub demo: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy you run).
    pub trust_proxy: bool,
    pub limits: Limits,
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// # Errors
    /// A variable is set to something unparseable.
    pub fn from_env() -> Result<Self, String> {
        let defaults = Limits::default();
        let num = |key: &str, default: u32| -> Result<u32, String> {
            env(key).map_or(Ok(default), |v| v.parse().map_err(|_| format!("{key} must be a number, not {v:?}")))
        };
        let addr = env("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        Ok(Self {
            database_url: env("DATABASE_URL").unwrap_or_else(|| "sqlite://data/pingan.db?mode=rwc".to_owned()),
            site_addr: addr.parse().map_err(|_| format!("LEPTOS_SITE_ADDR must be host:port, not {addr:?}"))?,
            site_root: env("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_owned()),
            demo: env("PINGAN_DEMO").as_deref() != Some("0"),
            trust_proxy: env("PINGAN_TRUST_PROXY").as_deref() == Some("1"),
            limits: Limits {
                track_per_10min: num("PINGAN_RATE_LIMIT_TRACK", defaults.track_per_10min)?,
                submit_per_hour: num("PINGAN_RATE_LIMIT_SUBMIT", defaults.submit_per_hour)?,
            },
        })
    }

    /// The URL people open (a wildcard bind address is shown as localhost).
    #[must_use]
    pub fn public_url(&self) -> String {
        let host = if self.site_addr.ip().is_unspecified() { "localhost".to_owned() } else { self.site_addr.ip().to_string() };
        format!("http://{host}:{}", self.site_addr.port())
    }
}
