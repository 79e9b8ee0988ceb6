//! Per-client rate limits, keyed by client address: see [`client_key`], the one place that
//! decides who a client is.
//!
//! One node (SQLite, the embedded default) counts in memory (GCRA from the `governor` crate).
//! Several nodes on one PostgreSQL must share the budget, or N nodes would hand out N budgets:
//! there a limiter counts in the database ([`Limiter::shared`]), a fixed window per client in the
//! `rate_limits` table, one upsert per check. If the database cannot be asked, the node's own
//! in-memory count decides (a limiter must not take the portal down), and that is logged.

use crate::db::Db;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct Limiter {
    local: Arc<DefaultKeyedRateLimiter<String>>,
    shared: Option<Shared>,
}

/// The database side of a shared limiter.
#[derive(Clone)]
struct Shared {
    db: Db,
    /// Which limiter (prefix of the bucket key): one table serves them all.
    name: &'static str,
    burst: i64,
    period_secs: i64,
}

impl Limiter {
    /// `burst` requests at once, refilled at `burst` per `period`, counted in this process.
    #[must_use]
    pub fn new(burst: u32, period: Duration) -> Self {
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let per_cell = period / burst.get();
        let quota = Quota::with_period(per_cell.max(Duration::from_millis(1)))
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst);
        Self { local: Arc::new(RateLimiter::keyed(quota)), shared: None }
    }

    /// `burst` requests per `period` per client, counted in the database every node uses (fixed
    /// windows of `period`: at a window's edge a client may get up to twice `burst` in a short
    /// time, never more). `name` tells this limiter's rows apart from the others'.
    #[must_use]
    pub fn shared(db: Db, name: &'static str, burst: u32, period: Duration) -> Self {
        let mut l = Self::new(burst, period);
        l.shared = Some(Shared {
            db,
            name,
            burst: i64::from(burst.max(1)),
            period_secs: i64::try_from(period.as_secs().max(1)).unwrap_or(i64::MAX),
        });
        l
    }

    /// The in-memory limiter on one node, the database-backed one when the engine is PostgreSQL
    /// (several nodes may share it).
    #[must_use]
    pub fn for_db(db: &Db, name: &'static str, burst: u32, period: Duration) -> Self {
        match db.engine {
            crate::db::Engine::Sqlite => Self::new(burst, period),
            crate::db::Engine::Postgres => Self::shared(db.clone(), name, burst, period),
        }
    }

    /// Forgets clients whose budget is full again (keeps memory bounded; run now and then).
    pub fn prune(&self) {
        self.local.retain_recent();
        self.local.shrink_to_fit();
    }

    /// Deletes the database windows that have ended (shared limiters; run now and then).
    ///
    /// # Errors
    /// Database errors.
    pub async fn prune_shared(&self, now: i64) -> crate::Result<()> {
        if let Some(s) = &self.shared {
            sqlx::query("DELETE FROM rate_limits WHERE bucket LIKE $1 AND window_start < $2")
                .bind(format!("{}:%", s.name))
                .bind(now - s.period_secs)
                .execute(&s.db.pool)
                .await?;
        }
        Ok(())
    }

    /// True if this client may go ahead now (and counts the attempt).
    pub async fn check(&self, client: &str) -> bool {
        let Some(s) = &self.shared else { return self.local.check_key(&client.to_owned()).is_ok() };
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let window = now - now.rem_euclid(s.period_secs);
        let counted: Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
             ON CONFLICT (bucket) DO UPDATE SET
               hits = CASE WHEN rate_limits.window_start = excluded.window_start
                           THEN rate_limits.hits + 1 ELSE 1 END,
               window_start = excluded.window_start
             RETURNING hits",
        )
        .bind(format!("{}:{client}", s.name))
        .bind(window)
        .fetch_one(&s.db.pool)
        .await;
        match counted {
            Ok((hits,)) => hits <= s.burst,
            Err(e) => {
                tracing::error!(limiter = s.name, error = %e, "shared rate limit unavailable; counting on this node");
                self.local.check_key(&client.to_owned()).is_ok()
            }
        }
    }
}

/// The rate-limit key of a request's client.
///
/// Without `trust_proxy` only the socket `peer` counts: `X-Forwarded-For` is written by the
/// client and would let anyone pick a fresh budget per request. With it (`PINGAN_TRUST_PROXY=1`,
/// only behind a proxy you run that appends the address it saw), every header line is read
/// (`forwarded`, in order; each may be a comma list) and the rightmost value that parses as an
/// IP address wins: that is the one our proxy appended; anything left of it is the client's
/// own claim. Values that do not parse are skipped; if none does, the peer is used.
///
/// The key is the IPv4 address, or for IPv6 its /64 network: one subscriber usually gets a
/// whole /64, so keying single IPv6 addresses would hand out 2^64 budgets. IPv4-mapped IPv6
/// (`::ffff:a.b.c.d`) is the IPv4 address. No address at all (an in-process request) is
/// `local`.
#[must_use]
pub fn client_key<'a>(peer: Option<IpAddr>, trust_proxy: bool, forwarded: impl IntoIterator<Item = &'a str>) -> String {
    let from_proxy = if trust_proxy {
        forwarded.into_iter().flat_map(|line| line.split(',')).filter_map(|v| v.trim().parse::<IpAddr>().ok()).last()
    } else {
        None
    };
    from_proxy.or(peer).map_or_else(|| "local".to_owned(), ip_key)
}

/// An address as a rate-limit key: IPv4 as is, IPv6 by its /64.
#[must_use]
pub fn ip_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(client_key(ip("2001:db8:1:2:aaaa::1"), false, []), "2001:db8:1:2::/64");
        assert_eq!(client_key(ip("2001:db8:1:2:ffff:1:2:3"), false, []), "2001:db8:1:2::/64");
        assert_ne!(client_key(ip("2001:db8:1:3::1"), false, []), "2001:db8:1:2::/64");
        assert_eq!(client_key(ip("::ffff:198.51.100.7"), false, []), "198.51.100.7");
        assert_eq!(client_key(ip("198.51.100.7"), false, []), "198.51.100.7");
        assert_eq!(client_key(None, false, []), "local");
    }

    #[test]
    fn forwarded_for_only_when_trusted_and_only_real_addresses() {
        let peer = ip("10.0.0.1");
        // Not trusted: the header is the client's word and is ignored.
        assert_eq!(client_key(peer, false, ["203.0.113.9"]), "10.0.0.1");
        // Trusted: the rightmost address over all lines (our proxy appends to the last).
        assert_eq!(client_key(peer, true, ["1.1.1.1, 203.0.113.9"]), "203.0.113.9");
        assert_eq!(client_key(peer, true, ["1.1.1.1", "2.2.2.2, 203.0.113.9"]), "203.0.113.9");
        assert_eq!(client_key(peer, true, ["203.0.113.9", "not-an-ip"]), "203.0.113.9");
        assert_eq!(client_key(peer, true, [" 2001:db8::5 "]), "2001:db8::/64");
        // Garbage everywhere: the peer.
        assert_eq!(client_key(peer, true, ["unknown, ", "", "999.1.1.1"]), "10.0.0.1");
        assert_eq!(client_key(peer, true, []), "10.0.0.1");
    }

    #[tokio::test]
    async fn allows_the_burst_then_refuses_per_client() {
        let l = Limiter::new(3, Duration::from_secs(600));
        assert!(l.check("a").await && l.check("a").await && l.check("a").await);
        assert!(!l.check("a").await);
        assert!(l.check("b").await, "another client has its own budget");
    }
}
