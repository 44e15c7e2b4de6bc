//! Time is a port: rules receive `now` as a parameter, services read it from a [`Clock`].

use crate::error::ErrorCode;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, Utc};

/// The years the business calendar knows (its months, periods and holiday calendars): an
/// instant outside them is a typing mistake, refused before any arithmetic can overflow.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Refuses an instant outside [`YEARS`] (in Beijing time) as invalid input at `pointer`, with `code`.
pub fn check_instant(
    t: Option<DateTime<Utc>>,
    pointer: &str,
    code: ErrorCode,
) -> Result<(), crate::error::FieldError> {
    use chrono::Datelike;
    // The calendar's year is Beijing time's (UTC+8 all year round).
    let beijing = chrono::FixedOffset::east_opt(8 * 3600);
    let year = |t: DateTime<Utc>| beijing.map_or(t.year(), |b| t.with_timezone(&b).year());
    match t {
        Some(t) if !YEARS.contains(&year(t)) => Err(crate::error::FieldError::new(
            pointer,
            code,
            format!(
                "times must fall in the years {}-{}",
                YEARS.start(),
                YEARS.end()
            ),
        )),
        _ => Ok(()),
    }
}

/// Source of the current instant. Production uses [`SystemClock`]; tests use [`ManualClock`].
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until told otherwise. Clones share the same instant, so a test
/// can keep one handle and move the application's time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<RwLock<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(RwLock::new(start)),
        }
    }

    pub fn set(&self, instant: DateTime<Utc>) {
        // A poisoned lock only means another thread panicked mid-write of a plain value.
        let mut guard = self.now.write().unwrap_or_else(|e| e.into_inner());
        *guard = instant;
    }

    pub fn advance(&self, by: Duration) {
        let mut guard = self.now.write().unwrap_or_else(|e| e.into_inner());
        *guard += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.read().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn manual_clock_moves_only_when_told_and_clones_share_time() {
        let start = Utc.with_ymd_and_hms(2026, 11, 5, 0, 30, 0).single();
        let Some(start) = start else {
            panic!("valid date")
        };
        let clock = ManualClock::new(start);
        let handle = clock.clone();
        assert_eq!(clock.now(), start);
        handle.advance(Duration::minutes(30));
        assert_eq!(clock.now(), start + Duration::minutes(30));
        handle.set(start);
        assert_eq!(clock.now(), start);
    }
}
