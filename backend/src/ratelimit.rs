//! Per-client rate limits (GCRA from the `governor` crate), keyed by client address.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_burst_then_refuses_per_client() {
        let l = Limiter::new(3, Duration::from_secs(600));
        assert!(l.check("a") && l.check("a") && l.check("a"));
        assert!(!l.check("a"));
        assert!(l.check("b"), "another client has its own budget");
    }
}
