//! One behavioural suite for the cache port, run against the in-process adapter always and
//! against Redis when `TEST_REDIS_URL` is set.

use std::sync::Arc;
use std::time::Duration;

use domain::cache::{Cache, CacheError};
use infra::cache::{MemoryCache, RedisCache};
use tests::cache::{redis_cache, redis_url};

/// An adapter under test: its name and two handles on one store (as two instances have).
type Adapter = (&'static str, Arc<dyn Cache>, Arc<dyn Cache>);

async fn adapters() -> Vec<Adapter> {
    let memory = MemoryCache::default();
    let mut out: Vec<Adapter> = vec![("memory", Arc::new(memory.clone()), Arc::new(memory))];
    if let Some(url) = redis_url() {
        let a = redis_cache(&url).await;
        out.push(("redis", Arc::new(a.clone()), Arc::new(a)));
    }
    out
}

#[tokio::test]
async fn values_are_stored_replaced_and_deleted() {
    for (name, cache, _) in adapters().await {
        assert_eq!(cache.get("k").await.unwrap(), None, "{name}");
        cache.set("k", b"v1", None).await.unwrap();
        assert_eq!(
            cache.get("k").await.unwrap(),
            Some(b"v1".to_vec()),
            "{name}"
        );
        cache.set("k", b"v2", None).await.unwrap();
        assert_eq!(
            cache.get("k").await.unwrap(),
            Some(b"v2".to_vec()),
            "{name}"
        );
        assert!(cache.delete("k").await.unwrap(), "{name}");
        assert!(!cache.delete("k").await.unwrap(), "{name}");
        assert_eq!(cache.get("k").await.unwrap(), None, "{name}");
    }
}

#[tokio::test]
async fn values_expire_after_their_ttl() {
    for (name, cache, _) in adapters().await {
        cache
            .set("short", b"x", Some(Duration::from_millis(150)))
            .await
            .unwrap();
        cache
            .set("long", b"y", Some(Duration::from_secs(60)))
            .await
            .unwrap();
        assert!(cache.get("short").await.unwrap().is_some(), "{name}");
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(cache.get("short").await.unwrap(), None, "{name}");
        assert!(cache.get("long").await.unwrap().is_some(), "{name}");
    }
}

#[tokio::test]
async fn set_if_absent_stores_only_once_until_expiry() {
    for (name, cache, _) in adapters().await {
        assert!(
            cache
                .set_if_absent("lock", b"a", Duration::from_millis(200))
                .await
                .unwrap(),
            "{name}"
        );
        assert!(
            !cache
                .set_if_absent("lock", b"b", Duration::from_millis(200))
                .await
                .unwrap(),
            "{name}"
        );
        assert_eq!(
            cache.get("lock").await.unwrap(),
            Some(b"a".to_vec()),
            "{name}"
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(
            cache
                .set_if_absent("lock", b"c", Duration::from_secs(5))
                .await
                .unwrap(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn set_if_absent_has_exactly_one_winner_under_contention() {
    for (name, cache, _) in adapters().await {
        let mut tasks = Vec::new();
        for i in 0..20u8 {
            let cache = cache.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .set_if_absent("race", &[i], Duration::from_secs(5))
                    .await
            }));
        }
        let mut winners = 0;
        for t in tasks {
            if t.await.unwrap().unwrap() {
                winners += 1;
            }
        }
        assert_eq!(winners, 1, "{name}");
    }
}

#[tokio::test]
async fn increment_counts_in_a_fixed_window() {
    for (name, cache, _) in adapters().await {
        let window = Duration::from_millis(300);
        assert_eq!(cache.increment("hits", window).await.unwrap(), 1, "{name}");
        assert_eq!(cache.increment("hits", window).await.unwrap(), 2, "{name}");
        tokio::time::sleep(Duration::from_millis(150)).await;
        // A later increment does not extend the window.
        assert_eq!(cache.increment("hits", window).await.unwrap(), 3, "{name}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(cache.increment("hits", window).await.unwrap(), 1, "{name}");
    }
}

#[tokio::test]
async fn concurrent_increments_are_not_lost() {
    for (name, cache, _) in adapters().await {
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let cache = cache.clone();
            tasks.push(tokio::spawn(async move {
                cache.increment("many", Duration::from_secs(10)).await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(
            cache.get("many").await.unwrap(),
            Some(b"50".to_vec()),
            "{name}"
        );
    }
}

#[tokio::test]
async fn incrementing_a_non_counter_fails_without_changing_it() {
    for (name, cache, _) in adapters().await {
        cache.set("text", b"hello", None).await.unwrap();
        let err = cache
            .increment("text", Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(matches!(err, CacheError::Failed(_)), "{name}: {err:?}");
        assert_eq!(
            cache.get("text").await.unwrap(),
            Some(b"hello".to_vec()),
            "{name}"
        );
    }
}

#[tokio::test]
async fn handles_on_one_store_see_each_others_writes() {
    for (name, a, b) in adapters().await {
        a.set("seen", b"1", None).await.unwrap();
        assert_eq!(b.get("seen").await.unwrap(), Some(b"1".to_vec()), "{name}");
        assert!(b.delete("seen").await.unwrap(), "{name}");
        assert_eq!(a.get("seen").await.unwrap(), None, "{name}");
        assert!(a.ping().await.is_ok(), "{name}");
    }
}

#[tokio::test]
async fn redis_prefixes_keep_key_spaces_apart() {
    let Some(url) = redis_url() else {
        return; // only Redis has prefixes to separate; the memory store is per instance
    };
    let a = redis_cache(&url).await;
    let b = redis_cache(&url).await;
    a.set("same", b"a", None).await.unwrap();
    assert_eq!(b.get("same").await.unwrap(), None);
    b.set("same", b"b", None).await.unwrap();
    assert_eq!(a.get("same").await.unwrap(), Some(b"a".to_vec()));
    assert_eq!(a.clear_prefix().await.unwrap(), 1);
    assert_eq!(b.get("same").await.unwrap(), Some(b"b".to_vec()));
}

#[tokio::test]
async fn an_unreachable_redis_is_reported_unavailable() {
    // Nothing listens on port 1: connecting must fail fast and typed, not hang.
    let started = std::time::Instant::now();
    let err = RedisCache::connect("redis://127.0.0.1:1", "t:", Duration::from_millis(500))
        .await
        .unwrap_err();
    assert!(matches!(err, CacheError::Unavailable(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn compare_and_replace_or_delete_act_only_on_the_expected_value() {
    for (name, cache, other) in adapters().await {
        let ttl = Duration::from_secs(60);
        assert!(
            !cache
                .replace_if_equals("cas", b"a", b"b", ttl)
                .await
                .unwrap(),
            "{name}: absent"
        );
        assert_eq!(cache.get("cas").await.unwrap(), None, "{name}");
        cache.set("cas", b"a", None).await.unwrap();
        assert!(
            !other
                .replace_if_equals("cas", b"x", b"b", ttl)
                .await
                .unwrap(),
            "{name}: another value"
        );
        assert!(
            other
                .replace_if_equals("cas", b"a", b"b", ttl)
                .await
                .unwrap(),
            "{name}"
        );
        assert_eq!(
            cache.get("cas").await.unwrap(),
            Some(b"b".to_vec()),
            "{name}"
        );
        assert!(
            !cache.delete_if_equals("cas", b"a").await.unwrap(),
            "{name}: not ours any more"
        );
        assert!(cache.get("cas").await.unwrap().is_some(), "{name}");
        assert!(cache.delete_if_equals("cas", b"b").await.unwrap(), "{name}");
        assert_eq!(cache.get("cas").await.unwrap(), None, "{name}");
        // A replaced value takes the new expiry.
        cache.set("cas-ttl", b"a", None).await.unwrap();
        cache
            .replace_if_equals("cas-ttl", b"a", b"b", Duration::from_millis(150))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(cache.get("cas-ttl").await.unwrap(), None, "{name}");
    }
}
