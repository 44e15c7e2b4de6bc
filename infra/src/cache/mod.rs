//! Adapters of the domain's [`Cache`](domain::cache::Cache) port.

mod memory;
mod redis;

pub use self::memory::MemoryCache;
pub use self::redis::RedisCache;
