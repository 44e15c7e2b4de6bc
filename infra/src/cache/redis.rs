//! The Redis adapter: one multiplexed connection per instance through redis's
//! `ConnectionManager`, which reconnects by itself; every key is prefixed.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, RedisError, Script};

use domain::cache::{Cache, CacheError};

const INCREMENT_WITH_WINDOW: &str = r"
local v = redis.call('INCR', KEYS[1])
if v == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return v
";

const REPLACE_IF_EQUALS: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
";

const DELETE_IF_EQUALS: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

#[derive(Clone)]
pub struct RedisCache {
    conn: ConnectionManager,
    prefix: String,
    increment: Script,
    replace_if_equals: Script,
    delete_if_equals: Script,
}

impl std::fmt::Debug for RedisCache {
    // The URL may carry a password: only the prefix is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCache")
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl RedisCache {
    /// Connects (answering `Unavailable` when Redis cannot be reached within `timeout`).
    /// Operations on a dropped connection fail within `timeout` rather than hang.
    pub async fn connect(url: &str, prefix: &str, timeout: Duration) -> Result<Self, CacheError> {
        let client = redis::Client::open(url).map_err(|e| CacheError::Failed(e.to_string()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(map_err)?;
        Ok(Self {
            conn,
            prefix: prefix.to_owned(),
            increment: Script::new(INCREMENT_WITH_WINDOW),
            replace_if_equals: Script::new(REPLACE_IF_EQUALS),
            delete_if_equals: Script::new(DELETE_IF_EQUALS),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    /// Deletes every key under this cache's prefix (test clean-up).
    pub async fn clear_prefix(&self) -> Result<u64, CacheError> {
        let mut conn = self.conn.clone();
        let pattern = format!("{}*", self.prefix);
        let mut keys: Vec<String> = Vec::new();
        {
            let mut iter = conn
                .scan_match::<_, String>(&pattern)
                .await
                .map_err(map_err)?;
            while let Some(item) = iter.next_item().await {
                keys.push(item.map_err(map_err)?);
            }
        }
        let mut removed = 0;
        for chunk in keys.chunks(500) {
            removed += conn.del::<_, u64>(chunk).await.map_err(map_err)?;
        }
        Ok(removed)
    }
}

fn map_err(e: RedisError) -> CacheError {
    if e.is_io_error()
        || e.is_connection_refusal()
        || e.is_timeout()
        || e.is_connection_dropped()
        || e.is_unrecoverable_error()
    {
        CacheError::Unavailable(e.to_string())
    } else {
        CacheError::Failed(e.to_string())
    }
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let mut conn = self.conn.clone();
        conn.get(self.key(key)).await.map_err(map_err)
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.key(key)).arg(value);
        if let Some(ttl) = ttl {
            cmd.arg("PX").arg(millis(ttl));
        }
        cmd.query_async::<()>(&mut conn).await.map_err(map_err)
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let mut conn = self.conn.clone();
        let reply: Option<String> = redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl))
            .query_async(&mut conn)
            .await
            .map_err(map_err)?;
        Ok(reply.is_some())
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        let mut conn = self.conn.clone();
        let removed: u64 = conn.del(self.key(key)).await.map_err(map_err)?;
        Ok(removed > 0)
    }

    async fn replace_if_equals(
        &self,
        key: &str,
        expected: &[u8],
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let mut conn = self.conn.clone();
        let replaced: i64 = self
            .replace_if_equals
            .key(self.key(key))
            .arg(expected)
            .arg(value)
            .arg(millis(ttl))
            .invoke_async(&mut conn)
            .await
            .map_err(map_err)?;
        Ok(replaced == 1)
    }

    async fn delete_if_equals(&self, key: &str, expected: &[u8]) -> Result<bool, CacheError> {
        let mut conn = self.conn.clone();
        let removed: i64 = self
            .delete_if_equals
            .key(self.key(key))
            .arg(expected)
            .invoke_async(&mut conn)
            .await
            .map_err(map_err)?;
        Ok(removed == 1)
    }

    async fn increment(&self, key: &str, ttl: Duration) -> Result<i64, CacheError> {
        let mut conn = self.conn.clone();
        self.increment
            .key(self.key(key))
            .arg(millis(ttl))
            .invoke_async(&mut conn)
            .await
            .map_err(map_err)
    }

    async fn ping(&self) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(|_| ())
            .map_err(map_err)
    }
}
