//! A circuit breaker for the model endpoint: after a few consecutive timeouts or failed connections, stop
//! calling it for the rest of the session or batch (every later grade goes offline at once, marked degraded)
//! until the user asks to try again (`/retry-model`, or a new run).

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Consecutive timeouts or failed connections (HTTP attempts, retries included) that open the breaker.
pub const TRIP_AFTER: u32 = 3;

/// Shared by every clone of a client.
#[derive(Debug, Default)]
pub struct Breaker {
    fails: AtomicU32,
    open: AtomicBool,
    /// Set when the breaker opens, taken by the first caller who tells the user.
    news: AtomicBool,
}

impl Breaker {
    /// An attempt timed out or could not connect; true when this one opened the breaker.
    pub fn failure(&self) -> bool {
        let n = self.fails.fetch_add(1, Ordering::SeqCst) + 1;
        if n >= TRIP_AFTER && !self.open.swap(true, Ordering::SeqCst) {
            self.news.store(true, Ordering::SeqCst);
            return true;
        }
        false
    }

    /// The endpoint answered (with anything): the failures were not consecutive.
    pub fn success(&self) {
        self.fails.store(0, Ordering::SeqCst);
    }

    /// Whether calls are switched off.
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::SeqCst)
    }

    /// Call the endpoint again (`/retry-model`).
    pub fn reset(&self) {
        self.fails.store(0, Ordering::SeqCst);
        self.open.store(false, Ordering::SeqCst);
        self.news.store(false, Ordering::SeqCst);
    }

    /// True exactly once after the breaker opened: the caller says so to the user.
    pub fn take_news(&self) -> bool {
        self.news.swap(false, Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_consecutive_failures_and_tells_once() {
        let b = Breaker::default();
        assert!(!b.failure());
        b.success();
        assert!(!b.failure() && !b.failure());
        assert!(b.failure(), "the third in a row opens it");
        assert!(b.is_open());
        assert!(!b.failure(), "opening is reported once");
        assert!(b.take_news() && !b.take_news());
        b.reset();
        assert!(!b.is_open());
    }
}
