use async_trait::async_trait;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use super::Repos;
use crate::entity::setting;
use crate::error::map_db_err;
use domain::error::RepoError;
use domain::platform::{Setting, SettingKey, SettingRepo};

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> SettingRepo for Repos<C> {
    async fn get(&self, key: &SettingKey) -> Result<Option<Setting>, RepoError> {
        let row = setting::Entity::find_by_id(key.as_str().to_owned())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?;
        row.map(to_domain).transpose()
    }

    async fn put(&self, value: &Setting) -> Result<(), RepoError> {
        let row = setting::ActiveModel {
            key: Set(value.key.as_str().to_owned()),
            value: Set(value.value.clone()),
            updated_at: Set(value.updated_at),
            updated_by: Set(value.updated_by),
        };
        setting::Entity::insert(row)
            .on_conflict(
                OnConflict::column(setting::Column::Key)
                    .update_columns([
                        setting::Column::Value,
                        setting::Column::UpdatedAt,
                        setting::Column::UpdatedBy,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.conn)
            .await
            .map(|_| ())
            .map_err(map_db_err)
    }
}

fn to_domain(row: setting::Model) -> Result<Setting, RepoError> {
    let key = SettingKey::parse(&row.key).map_err(|e| {
        RepoError::Other(format!("stored setting key is invalid: {}", e.detail).into())
    })?;
    Ok(Setting {
        key,
        value: row.value,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
    })
}
