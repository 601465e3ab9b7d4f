//! Trying a failed read again: which failures are worth it, how long to
//! wait, and the countdown a person sees ("Trying again in 4 s.").

use std::time::Duration;

use leptos::prelude::*;

use super::Timeout;
use crate::api::ApiError;

/// How long a read may take before the page says the server is slow.
pub const SLOW_AFTER: Duration = Duration::from_millis(1500);

/// A read that failed and may be tried again by itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadTrouble {
    /// What went wrong the last time.
    pub error: ApiError,
    /// Seconds until the next try; `None` when the page does not try again
    /// by itself (the error is not one that waiting can fix).
    pub retry_in: Option<u32>,
}

/// How long to wait before the `attempt`-th try again (1 s, 2 s, 4 s, … at most 30 s).
pub fn read_backoff(attempt: u32) -> Duration {
    const FIRST_SECS: u64 = 1;
    const LONGEST_SECS: u64 = 30;
    let secs = FIRST_SECS
        .checked_shl(attempt.min(16))
        .unwrap_or(LONGEST_SECS);
    Duration::from_secs(secs.min(LONGEST_SECS))
}

/// Whether waiting and reading again can fix `error` (the server was down,
/// slow, unreachable or asked to wait), as opposed to a refusal that would
/// only repeat.
pub fn worth_retrying(error: &ApiError) -> bool {
    matches!(
        error,
        ApiError::Offline
            | ApiError::Network
            | ApiError::Server { .. }
            | ApiError::RateLimited { .. }
    )
}

/// How long to wait before the `attempt`-th try again after `error`: as long
/// as the server asked (429), else the back-off.
fn wait_after(error: &ApiError, attempt: u32) -> u32 {
    match error {
        ApiError::RateLimited { retry_after } => *retry_after,
        _ => read_backoff(attempt).as_secs() as u32,
    }
}

/// A `Copy` handle to one read's failures in a row and the countdown to its next try.
#[derive(Clone, Copy)]
pub struct Retry {
    trouble: RwSignal<Option<ReadTrouble>>,
    /// Failed reads in a row, which sets the next wait.
    failures: StoredValue<u32>,
    /// The next second of the countdown; cleared with the component.
    tick: Timeout,
}

impl Retry {
    /// Nothing failed yet.
    pub fn new() -> Retry {
        Retry {
            trouble: RwSignal::new(None),
            failures: StoredValue::new(0),
            tick: Timeout::new(),
        }
    }

    /// The last failure and the seconds to the next try, if the last read failed (tracked).
    pub fn trouble(self) -> Option<ReadTrouble> {
        self.trouble.get()
    }

    /// Whether a try again is counting down (untracked).
    pub fn counting_down(self) -> bool {
        self.trouble
            .try_get_untracked()
            .flatten()
            .is_some_and(|t| t.retry_in.is_some())
    }

    /// The read succeeded: the trouble and the back-off are over.
    pub fn succeeded(self) {
        self.tick.stop();
        self.failures.try_set_value(0);
        if self.trouble.try_get_untracked().flatten().is_some() {
            self.trouble.try_set(None);
        }
    }

    /// The read failed with `error`: when waiting can help, counts down the
    /// next wait (1 s, 2 s, 4 s, … at most 30 s, or what a 429 asked for)
    /// and then calls `again`.
    pub fn failed(self, error: ApiError, again: Callback<()>) {
        self.tick.stop();
        if !worth_retrying(&error) {
            self.trouble.try_set(Some(ReadTrouble {
                error,
                retry_in: None,
            }));
            return;
        }
        let attempt = self.failures.try_get_value().unwrap_or(0);
        self.failures.try_set_value(attempt.saturating_add(1));
        let seconds = wait_after(&error, attempt);
        self.trouble.try_set(Some(ReadTrouble {
            error,
            retry_in: Some(seconds),
        }));
        self.count_down(again);
    }

    /// Stops the countdown (a try starts now, or the read goes away).
    pub fn cancel(self) {
        self.tick.stop();
    }

    /// One second of the countdown; calls `again` at zero.
    fn count_down(self, again: Callback<()>) {
        self.tick.start(Duration::from_secs(1), move || {
            let left = self
                .trouble
                .try_get_untracked()
                .flatten()
                .and_then(|t| t.retry_in);
            match left {
                Some(seconds) if seconds > 1 => {
                    self.trouble.try_update(|t| {
                        if let Some(t) = t {
                            t.retry_in = Some(seconds - 1);
                        }
                    });
                    self.count_down(again);
                }
                Some(_) => {
                    again.try_run(());
                }
                None => {}
            }
        });
    }
}

impl Default for Retry {
    fn default() -> Retry {
        Retry::new()
    }
}

#[cfg(test)]
mod tests {
    use crate::api::ApiError;

    // Guards the waits between reads that failed: doubling from 1 s, never over 30 s.
    #[test]
    fn reads_back_off_from_one_second_to_thirty() {
        let waits: Vec<u64> = (0..8).map(|n| super::read_backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(super::read_backoff(u32::MAX).as_secs(), 30);
    }

    // Guards which read failures the page tries again by itself.
    #[test]
    fn only_faults_that_waiting_can_fix_are_retried() {
        for (error, retried) in [
            (ApiError::Offline, true),
            (ApiError::Network, true),
            (ApiError::Server { status: 503 }, true),
            (ApiError::Server { status: 500 }, true),
            (ApiError::RateLimited { retry_after: 20 }, true),
            (ApiError::Unauthorized, false),
            (ApiError::Forbidden, false),
            (ApiError::NotFound, false),
        ] {
            assert_eq!(super::worth_retrying(&error), retried, "{error:?}");
        }
    }

    // Guards the wait after a 429: what the server asked for, not the back-off.
    #[test]
    fn a_rate_limited_read_waits_as_long_as_asked() {
        assert_eq!(
            super::wait_after(&ApiError::RateLimited { retry_after: 45 }, 0),
            45
        );
        assert_eq!(
            super::wait_after(&ApiError::RateLimited { retry_after: 1 }, 5),
            1
        );
        assert_eq!(super::wait_after(&ApiError::Network, 2), 4);
    }
}
