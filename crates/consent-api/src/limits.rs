//! Rate limits: requests per caller (token buckets in this process) and
//! changes per tenant (counted in the ledger, so every process sharing the
//! database holds the same limit). Both answer 429 `rate_limited` with
//! `Retry-After`.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The window changes per tenant are counted in.
pub const CHANGE_WINDOW: Duration = Duration::from_secs(60);

/// The requests each caller may make, per process.
pub struct RequestLimits {
    /// `None`: no limit.
    buckets: Option<DefaultKeyedRateLimiter<String>>,
    clock: DefaultClock,
}

/// Shares the limits between handlers.
pub type SharedRequestLimits = Arc<RequestLimits>;

impl RequestLimits {
    /// `per_second` steady, `burst` at once (at least `per_second`); 0 per second: no limit.
    pub fn new(per_second: u32, burst: u32) -> RequestLimits {
        let buckets = NonZeroU32::new(per_second).map(|rate| {
            let burst = NonZeroU32::new(burst.max(per_second)).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        RequestLimits {
            buckets,
            clock: DefaultClock::default(),
        }
    }

    /// Takes one request from `caller`'s bucket, or says how long until one is there.
    pub fn check(&self, caller: &str) -> Result<(), Duration> {
        let Some(buckets) = &self.buckets else {
            return Ok(());
        };
        let outcome = buckets
            .check_key(&caller.to_owned())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()));
        // Forget callers whose bucket is full again, now and then, so the
        // map does not grow with every caller ever seen.
        if buckets.len() > 10_000 {
            buckets.retain_recent();
        }
        outcome
    }
}

/// Whole seconds to wait, rounded up, at least one.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the buckets: the burst passes, the next request waits, callers
    // are counted apart, and 0 turns the limit off.
    #[test]
    fn each_caller_has_its_own_bucket() {
        let limits = RequestLimits::new(2, 3);
        for _ in 0..3 {
            assert!(limits.check("a").is_ok());
        }
        let wait = limits.check("a").expect_err("over the burst");
        assert!(wait <= Duration::from_millis(500), "{wait:?}");
        assert_eq!(retry_after_secs(wait), 1);
        assert!(
            limits.check("b").is_ok(),
            "another caller has its own bucket"
        );
        let off = RequestLimits::new(0, 0);
        assert!((0..1000).all(|_| off.check("a").is_ok()));
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
        assert_eq!(retry_after_secs(Duration::from_millis(3001)), 4);
    }
}
