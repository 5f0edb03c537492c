//! When to retry an HTTP request, and how long to wait in between.

use std::time::{Duration, Instant};

const FIRST_SLEEP_MS: u64 = 10;
const MAX_SLEEP_MS: u64 = 1000;
const JITTER_MS: i64 = 5;

/// Statuses that say "try again later" rather than "your request is wrong".
pub(crate) fn is_retriable_status(status: u16) -> bool {
    matches!(status, 500 | 503 | 504 | 507 | 509 | 523 | 524 | 529 | 599)
}

/// Exponential backoff: 10 ms doubling up to 1 s, each sleep ±5 ms of jitter
/// so that many clients restarted together do not retry in lockstep.
pub(crate) struct Backoff {
    interval_ms: u64,
    rng: u64,
}

impl Backoff {
    pub fn new() -> Self {
        let seed = crate::now_nanos() as u64 ^ (&FIRST_SLEEP_MS as *const u64 as u64);
        Backoff {
            interval_ms: FIRST_SLEEP_MS,
            rng: seed | 1,
        }
    }

    /// The next sleep, or `None` when it would end past `deadline`.
    pub fn next_sleep(&mut self, deadline: Instant) -> Option<Duration> {
        let sleep = Duration::from_millis(self.jittered(self.interval_ms));
        if Instant::now() + sleep > deadline {
            return None;
        }
        self.interval_ms = (self.interval_ms * 2).min(MAX_SLEEP_MS);
        Some(sleep)
    }

    fn jittered(&mut self, ms: u64) -> u64 {
        // xorshift64: plenty for spreading retries, no dependency needed.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let jitter = (self.rng % (2 * JITTER_MS as u64)) as i64 - JITTER_MS;
        (ms as i64 + jitter).max(0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeps_double_up_to_a_second_with_bounded_jitter() {
        let mut backoff = Backoff::new();
        let far = Instant::now() + Duration::from_secs(3600);
        let expected = [10u64, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000];
        for base in expected {
            let ms = backoff.next_sleep(far).unwrap().as_millis() as u64;
            assert!(
                ms + 5 >= base && ms < base + 5,
                "{} not within 5 of {}",
                ms,
                base
            );
        }
    }

    #[test]
    fn stops_when_the_sleep_would_pass_the_deadline() {
        let mut backoff = Backoff::new();
        assert_eq!(backoff.next_sleep(Instant::now()), None);
    }

    #[test]
    fn retriable_statuses_are_exactly_the_spec_list() {
        let retriable: Vec<u16> = (100..600).filter(|&s| is_retriable_status(s)).collect();
        assert_eq!(retriable, [500, 503, 504, 507, 509, 523, 524, 529, 599]);
    }
}
