//! Per-client rate limits (GCRA from the `governor` crate), keyed by client address: see
//! [`client_key`], the one place that decides who a client is.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct Limiter(Arc<DefaultKeyedRateLimiter<String>>);

impl Limiter {
    /// `burst` requests at once, refilled at `burst` per `period`.
    #[must_use]
    pub fn new(burst: u32, period: Duration) -> Self {
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let per_cell = period / burst.get();
        let quota = Quota::with_period(per_cell.max(Duration::from_millis(1)))
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst);
        Self(Arc::new(RateLimiter::keyed(quota)))
    }

    /// Forgets clients whose budget is full again (keeps memory bounded; run now and then).
    pub fn prune(&self) {
        self.0.retain_recent();
        self.0.shrink_to_fit();
    }

    /// True if this client may go ahead now (and counts the attempt).
    #[must_use]
    pub fn check(&self, client: &str) -> bool {
        self.0.check_key(&client.to_owned()).is_ok()
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

    #[test]
    fn allows_the_burst_then_refuses_per_client() {
        let l = Limiter::new(3, Duration::from_secs(600));
        assert!(l.check("a") && l.check("a") && l.check("a"));
        assert!(!l.check("a"));
        assert!(l.check("b"), "another client has its own budget");
    }
}
