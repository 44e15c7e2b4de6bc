use async_trait::async_trait;

use super::model::{Setting, SettingKey};
use crate::error::RepoError;

/// Storage of settings. `put` inserts or replaces the value of its key.
#[async_trait]
pub trait SettingRepo: Send + Sync {
    async fn get(&self, key: &SettingKey) -> Result<Option<Setting>, RepoError>;
    async fn put(&self, setting: &Setting) -> Result<(), RepoError>;
}
