//! Residents, and the record of their ended sessions (kept with members' in
//! `refresh_token` and `session_revocation`, told apart by `refresh_token.principal`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult,
    QueryFilter, QuerySelect,
};

use super::super::auth::record_revocation;
use super::super::Repos;
use crate::entity::{external_identity, refresh_token, resident, session_revocation};
use crate::error::map_db_err;
use domain::auth::{PrincipalKind, SessionFamilyId, WECHAT_PROVIDER};
use domain::error::RepoError;
use domain::org::PhoneNumber;
use domain::volunteer::{Resident, ResidentCaller, ResidentId, ResidentRepo};

fn to_domain(row: resident::Model) -> Result<Resident, RepoError> {
    Ok(Resident {
        id: ResidentId::from_uuid(row.id),
        phone: PhoneNumber::parse(&row.phone)
            .map_err(|_| RepoError::Other("stored resident phone is invalid".into()))?,
        openid: row.openid,
        phone_verified: row.phone_verified,
        name: row.name,
        created_at: row.created_at,
        last_seen_at: row.last_seen_at,
    })
}

fn to_row(r: &Resident) -> resident::ActiveModel {
    resident::ActiveModel {
        id: Set(r.id.as_uuid()),
        openid: Set(r.openid.clone()),
        phone: Set(r.phone.as_str().to_owned()),
        phone_verified: Set(r.phone_verified),
        name: Set(r.name.clone()),
        created_at: Set(r.created_at),
        last_seen_at: Set(r.last_seen_at),
    }
}

#[derive(FromQueryResult)]
struct CallerRow {
    #[sea_orm(nested)]
    resident: resident::Model,
    revoked: bool,
    bound: bool,
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> ResidentRepo for Repos<C> {
    async fn get(&self, id: ResidentId) -> Result<Option<Resident>, RepoError> {
        resident::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(to_domain)
            .transpose()
    }

    async fn find_by_openid(&self, openid: &str) -> Result<Option<Resident>, RepoError> {
        resident::Entity::find()
            .filter(resident::Column::Openid.eq(openid))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(to_domain)
            .transpose()
    }

    async fn insert(&self, r: &Resident) -> Result<(), RepoError> {
        resident::Entity::insert(to_row(r))
            .exec_without_returning(&self.conn)
            .await
            .map(|_| ())
            .map_err(map_db_err)
    }

    async fn update(&self, r: &Resident) -> Result<(), RepoError> {
        let result = resident::Entity::update_many()
            .col_expr(resident::Column::Phone, Expr::value(r.phone.as_str()))
            .col_expr(
                resident::Column::PhoneVerified,
                Expr::value(r.phone_verified),
            )
            .col_expr(resident::Column::Name, Expr::value(r.name.clone()))
            .col_expr(resident::Column::LastSeenAt, Expr::value(r.last_seen_at))
            .filter(resident::Column::Id.eq(r.id.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        if result.rows_affected == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn touch(&self, openid: &str, at: DateTime<Utc>) -> Result<Option<Resident>, RepoError> {
        resident::Entity::update_many()
            .col_expr(resident::Column::LastSeenAt, Expr::value(at))
            .filter(resident::Column::Openid.eq(openid))
            .filter(resident::Column::LastSeenAt.lt(at))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        self.find_by_openid(openid).await
    }

    async fn caller(
        &self,
        resident: ResidentId,
        session: Option<uuid::Uuid>,
        token: Option<uuid::Uuid>,
        issued_at: DateTime<Utc>,
    ) -> Result<Option<ResidentCaller>, RepoError> {
        let ids: Vec<uuid::Uuid> = session.into_iter().chain(token).collect();
        let revoked = Query::select()
            .expr(Expr::val(1))
            .from(session_revocation::Entity)
            .cond_where(
                Condition::any()
                    .add(session_revocation::Column::Id.is_in(ids))
                    .add(
                        Condition::all()
                            .add(session_revocation::Column::Id.eq(resident.as_uuid()))
                            .add(session_revocation::Column::RevokedAt.gte(issued_at)),
                    ),
            )
            .to_owned();
        // The openid bound to a roster member since: that person is the member now.
        let bound = Query::select()
            .expr(Expr::val(1))
            .from(external_identity::Entity)
            .and_where(external_identity::Column::Provider.eq(WECHAT_PROVIDER))
            .and_where(
                Expr::col((
                    external_identity::Entity,
                    external_identity::Column::Subject,
                ))
                .equals((resident::Entity, resident::Column::Openid)),
            )
            .to_owned();
        resident::Entity::find_by_id(resident.as_uuid())
            .column_as(Expr::exists(revoked), "revoked")
            .column_as(Expr::exists(bound), "bound")
            .into_model::<CallerRow>()
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(|row| {
                Ok(ResidentCaller {
                    resident: to_domain(row.resident)?,
                    revoked: row.revoked || row.bound,
                })
            })
            .transpose()
    }

    async fn end_session(
        &self,
        family: SessionFamilyId,
        resident: ResidentId,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(at))
            .filter(refresh_token::Column::FamilyId.eq(family.as_uuid()))
            .filter(refresh_token::Column::Principal.eq(PrincipalKind::Resident.as_str()))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        record_revocation(
            &self.conn,
            family.as_uuid(),
            "session",
            resident.as_uuid(),
            at,
            false,
        )
        .await
    }
}
