//! Finding requests due for the erasure of their requester's personal data.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entity::service_request;
use crate::error::map_db_err;
use crate::repo::Repos;
use domain::error::RepoError;
use domain::volunteer::{RequestState, RetentionRepo, ServiceRequestId};

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> RetentionRepo for Repos<C> {
    async fn erasable(
        &self,
        over_by: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<ServiceRequestId>, RepoError> {
        use service_request::Column as K;
        let closed = Condition::all()
            .add(K::State.eq(RequestState::Closed.as_str()))
            .add(
                Condition::any().add(K::ClosedAt.lte(over_by)).add(
                    Condition::all()
                        .add(K::ClosedAt.is_null())
                        .add(K::UpdatedAt.lte(over_by)),
                ),
            );
        let ended = Condition::all()
            .add(K::State.is_in([
                RequestState::Cancelled.as_str(),
                RequestState::Rejected.as_str(),
            ]))
            .add(K::UpdatedAt.lte(over_by));
        let ids: Vec<Uuid> = service_request::Entity::find()
            .select_only()
            .column(K::Id)
            .filter(K::ErasedAt.is_null())
            .filter(Condition::any().add(closed).add(ended))
            .order_by_asc(K::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(ids.into_iter().map(ServiceRequestId::from_uuid).collect())
    }

    async fn erase_notes(&self, id: ServiceRequestId) -> Result<(), RepoError> {
        use crate::entity::service_note::Column as N;
        for state in RequestState::ALL {
            crate::entity::service_note::Entity::update_many()
                .col_expr(N::Note, sea_orm::sea_query::Expr::value(state.label_zh()))
                .filter(N::RequestId.eq(id.as_uuid()))
                .filter(N::State.eq(state.as_str()))
                .exec(&self.conn)
                .await
                .map_err(map_db_err)?;
        }
        Ok(())
    }
}
