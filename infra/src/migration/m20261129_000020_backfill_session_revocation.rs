use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Sessions ended before `session_revocation` existed were recorded only on their refresh
/// tokens (and their access tokens in a cache that is no longer read): record each ended
/// family, at the moment it ended, so its access tokens stay refused across the upgrade.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO session_revocation (id, kind, member_id, revoked_at) \
                 SELECT family_id, 'session', member_id, MAX(revoked_at) FROM refresh_token \
                 WHERE revoked_at IS NOT NULL GROUP BY family_id, member_id \
                 ON CONFLICT (id) DO NOTHING",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The rows are a record like any other revocation: nothing to undo.
        Ok(())
    }
}
