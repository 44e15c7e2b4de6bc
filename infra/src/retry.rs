//! Start-up retries of a dependency that is not reachable yet (the database, Redis): one
//! schedule for all of them, exponential from 250 ms doubling to 5 s (backon), within a
//! time budget, each retry logged.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};

/// Why retrying stopped: the budget ran out (or the failure was not worth retrying).
#[derive(Debug)]
pub struct Exhausted<E> {
    pub attempts: u32,
    pub waited: Duration,
    pub last: E,
}

fn schedule(budget: Duration) -> ExponentialBuilder {
    ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(250))
        .with_max_delay(Duration::from_secs(5))
        .with_factor(2.0)
        .without_max_times()
        .with_total_delay(Some(budget))
}

/// Runs `attempt` (given the budget left) until it succeeds, fails with an error that
/// `retryable` refuses, or the next try would start after `budget` has passed.
pub async fn with_backoff<T, E, Fut>(
    what: &str,
    budget: Duration,
    retryable: impl Fn(&E) -> bool,
    mut attempt: impl FnMut(Duration) -> Fut,
) -> Result<T, Exhausted<E>>
where
    E: std::fmt::Display,
    Fut: Future<Output = Result<T, E>>,
{
    let started = Instant::now();
    // Atomic only so the future stays `Send`; nothing runs concurrently.
    let attempts = AtomicU32::new(0);
    let result = (|| {
        attempts.fetch_add(1, Ordering::Relaxed);
        attempt(budget.saturating_sub(started.elapsed()))
    })
    .retry(schedule(budget))
    .sleep(tokio::time::sleep)
    .when(|e| retryable(e) && started.elapsed() < budget)
    .adjust(|_, delay| delay.filter(|d| started.elapsed() + *d <= budget))
    .notify(|e, delay| {
        tracing::warn!(
            attempt = attempts.load(Ordering::Relaxed),
            retry_in_ms = delay.as_millis() as u64,
            error = %e,
            "{what} not reachable yet"
        );
    })
    .await;
    result.map_err(|last| Exhausted {
        attempts: attempts.load(Ordering::Relaxed),
        waited: started.elapsed(),
        last,
    })
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[tokio::test]
    async fn retries_until_it_works_and_gives_up_within_the_budget() {
        let tries = Cell::new(0);
        let ok = with_backoff(
            "thing",
            Duration::from_secs(5),
            |_: &String| true,
            |_| {
                tries.set(tries.get() + 1);
                let n = tries.get();
                async move {
                    if n < 3 {
                        Err(format!("no {n}"))
                    } else {
                        Ok(n)
                    }
                }
            },
        )
        .await;
        assert_eq!(ok.ok(), Some(3));

        let started = Instant::now();
        let failed = with_backoff(
            "thing",
            Duration::from_millis(900),
            |_: &String| true,
            |_| async { Err::<(), _>("down".to_owned()) },
        )
        .await;
        let Err(e) = failed else {
            panic!("it never works")
        };
        assert!(e.attempts >= 2, "{e:?}");
        assert!(started.elapsed() < Duration::from_secs(2), "{e:?}");

        let once = with_backoff(
            "thing",
            Duration::from_secs(5),
            |_: &String| false,
            |_| async { Err::<(), _>("fatal".to_owned()) },
        )
        .await;
        assert_eq!(once.err().map(|e| e.attempts), Some(1));
    }
}
