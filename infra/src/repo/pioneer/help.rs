//! The help branch and members' stays in it.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entity::{pioneer_help_branch, pioneer_help_transfer};
use crate::error::map_db_err;
use crate::repo::{fetch_all, Repos};
use domain::error::RepoError;
use domain::org::{MemberId, OrgId};
use domain::pioneer::{HelpBranch, HelpTransfer, HelpTransferId, PioneerHelpRepo};
use domain::volunteer::HalfYear;

fn transfer_of(m: pioneer_help_transfer::Model) -> Result<HelpTransfer, RepoError> {
    Ok(HelpTransfer {
        id: HelpTransferId::from_uuid(m.id),
        committee_id: OrgId::from_uuid(m.committee_id),
        member_id: MemberId::from_uuid(m.member_id),
        half: HalfYear::from_ordinal(m.half).ok_or_else(|| {
            RepoError::Other(format!("stored half year is invalid: {}", m.half).into())
        })?,
        from_branch_id: OrgId::from_uuid(m.from_branch_id),
        from_group_id: m.from_group_id.map(OrgId::from_uuid),
        to_branch_id: OrgId::from_uuid(m.to_branch_id),
        moved_by: MemberId::from_uuid(m.moved_by),
        moved_at: m.moved_at,
        returned_by: m.returned_by.map(MemberId::from_uuid),
        returned_at: m.returned_at,
    })
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> PioneerHelpRepo for Repos<C> {
    async fn help_branch(&self, committee: OrgId) -> Result<Option<HelpBranch>, RepoError> {
        Ok(pioneer_help_branch::Entity::find_by_id(committee.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(|m| HelpBranch {
                committee_id: OrgId::from_uuid(m.committee_id),
                branch_id: OrgId::from_uuid(m.branch_id),
                set_by: MemberId::from_uuid(m.set_by),
                set_at: m.set_at,
            }))
    }

    async fn set_help_branch(&self, help: &HelpBranch) -> Result<(), RepoError> {
        use pioneer_help_branch::Column as K;
        pioneer_help_branch::Entity::insert(pioneer_help_branch::ActiveModel {
            committee_id: Set(help.committee_id.as_uuid()),
            branch_id: Set(help.branch_id.as_uuid()),
            set_by: Set(help.set_by.as_uuid()),
            set_at: Set(help.set_at),
        })
        .on_conflict(
            OnConflict::column(K::CommitteeId)
                .update_columns([K::BranchId, K::SetBy, K::SetAt])
                .to_owned(),
        )
        .exec_without_returning(&self.conn)
        .await
        .map_err(map_db_err)?;
        Ok(())
    }

    async fn insert_transfer(&self, t: &HelpTransfer) -> Result<(), RepoError> {
        pioneer_help_transfer::Entity::insert(pioneer_help_transfer::ActiveModel {
            id: Set(t.id.as_uuid()),
            committee_id: Set(t.committee_id.as_uuid()),
            member_id: Set(t.member_id.as_uuid()),
            half: Set(t.half.ordinal()),
            from_branch_id: Set(t.from_branch_id.as_uuid()),
            from_group_id: Set(t.from_group_id.map(|g| g.as_uuid())),
            to_branch_id: Set(t.to_branch_id.as_uuid()),
            moved_by: Set(t.moved_by.as_uuid()),
            moved_at: Set(t.moved_at),
            returned_by: Set(t.returned_by.map(|m| m.as_uuid())),
            returned_at: Set(t.returned_at),
        })
        .exec_without_returning(&self.conn)
        .await
        .map_err(map_db_err)?;
        Ok(())
    }

    async fn open_transfer(&self, member: MemberId) -> Result<Option<HelpTransfer>, RepoError> {
        use pioneer_help_transfer::Column as K;
        pioneer_help_transfer::Entity::find()
            .filter(K::MemberId.eq(member.as_uuid()))
            .filter(K::ReturnedAt.is_null())
            .order_by_desc(K::MovedAt)
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(transfer_of)
            .transpose()
    }

    async fn close_transfer(
        &self,
        id: HelpTransferId,
        by: MemberId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, RepoError> {
        use pioneer_help_transfer::Column as K;
        let result = pioneer_help_transfer::Entity::update_many()
            .col_expr(K::ReturnedBy, Expr::value(by.as_uuid()))
            .col_expr(K::ReturnedAt, Expr::value(at))
            .filter(K::Id.eq(id.as_uuid()))
            .filter(K::ReturnedAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn open_transfers(&self, committee: OrgId) -> Result<Vec<HelpTransfer>, RepoError> {
        use pioneer_help_transfer::Column as K;
        fetch_all(
            &self.conn,
            pioneer_help_transfer::Entity::find()
                .filter(K::CommitteeId.eq(committee.as_uuid()))
                .filter(K::ReturnedAt.is_null())
                .order_by_asc(K::MovedAt)
                .order_by_asc(K::Id),
            transfer_of,
        )
        .await
    }
}
