use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult,
    QueryFilter, QuerySelect,
};

use super::org::member_to_domain;
use super::Repos;
use crate::entity::{external_identity, member, refresh_token, session_revocation};
use crate::error::map_db_err;
use crate::near::Invalidation;
use domain::auth::{
    Caller, ExternalIdentity, ExternalIdentityRepo, Principal, PrincipalKind, RefreshToken,
    RefreshTokenId, RefreshTokenRepo, SessionFamilyId,
};
use domain::error::RepoError;
use domain::org::MemberId;

fn to_domain(row: refresh_token::Model) -> Result<RefreshToken, RepoError> {
    let kind = PrincipalKind::parse(&row.principal).ok_or_else(|| {
        RepoError::Other(format!("refresh token of unknown principal {:?}", row.principal).into())
    })?;
    Ok(RefreshToken {
        id: RefreshTokenId::from_uuid(row.id),
        family_id: SessionFamilyId::from_uuid(row.family_id),
        principal: Principal::of(kind, row.member_id),
        token_hash: row.token_hash,
        created_at: row.created_at,
        expires_at: row.expires_at,
        used_at: row.used_at,
        revoked_at: row.revoked_at,
    })
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> RefreshTokenRepo for Repos<C> {
    async fn insert(&self, t: &RefreshToken) -> Result<(), RepoError> {
        let row = refresh_token::ActiveModel {
            id: Set(t.id.as_uuid()),
            family_id: Set(t.family_id.as_uuid()),
            member_id: Set(t.principal.id()),
            principal: Set(t.principal.kind().as_str().to_owned()),
            token_hash: Set(t.token_hash.clone()),
            created_at: Set(t.created_at),
            expires_at: Set(t.expires_at),
            used_at: Set(t.used_at),
            revoked_at: Set(t.revoked_at),
        };
        refresh_token::Entity::insert(row)
            .exec_without_returning(&self.conn)
            .await
            .map(|_| ())
            .map_err(map_db_err)
    }

    async fn find_by_hash(&self, hash: &str) -> Result<Option<RefreshToken>, RepoError> {
        refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(hash))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(to_domain)
            .transpose()
    }

    async fn mark_used(&self, id: RefreshTokenId, at: DateTime<Utc>) -> Result<bool, RepoError> {
        // A conditional update: the affected-row count says who won a race.
        let result = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(at))
            .filter(refresh_token::Column::Id.eq(id.as_uuid()))
            .filter(refresh_token::Column::UsedAt.is_null())
            .filter(refresh_token::Column::RevokedAt.is_null())
            .filter(refresh_token::Column::ExpiresAt.gt(at))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn revoke_family(
        &self,
        family: SessionFamilyId,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(at))
            .filter(refresh_token::Column::FamilyId.eq(family.as_uuid()))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        record_revocation(
            &self.conn,
            family.as_uuid(),
            "session",
            member.as_uuid(),
            at,
            false,
        )
        .await?;
        self.changed(vec![Invalidation::Member(member.as_uuid())])
            .await;
        Ok(())
    }

    async fn revoke_token(
        &self,
        token: uuid::Uuid,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        record_revocation(&self.conn, token, "token", member.as_uuid(), at, false).await?;
        self.changed(vec![Invalidation::Member(member.as_uuid())])
            .await;
        Ok(())
    }

    async fn revoke_member(&self, member: MemberId, at: DateTime<Utc>) -> Result<(), RepoError> {
        // Every session the member has is ended by its family too, not only by the instant:
        // a refresh racing this transaction (or minted on an instance whose clock runs
        // ahead) issues tokens after `at`, but in a family recorded here.
        let families = Query::select()
            .distinct()
            .column(refresh_token::Column::FamilyId)
            .expr(Expr::val("session"))
            .column(refresh_token::Column::MemberId)
            .expr(Expr::val(at))
            .from(refresh_token::Entity)
            .and_where(refresh_token::Column::MemberId.eq(member.as_uuid()))
            .and_where(refresh_token::Column::Principal.eq(PrincipalKind::Member.as_str()))
            .to_owned();
        let mut insert = Query::insert();
        insert
            .into_table(session_revocation::Entity)
            .columns([
                session_revocation::Column::Id,
                session_revocation::Column::Kind,
                session_revocation::Column::MemberId,
                session_revocation::Column::RevokedAt,
            ])
            .select_from(families)
            .map_err(|e| RepoError::Other(Box::new(e)))?
            .on_conflict(
                OnConflict::column(session_revocation::Column::Id)
                    .do_nothing()
                    .to_owned(),
            );
        self.conn.execute(&insert).await.map_err(map_db_err)?;
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(at))
            .filter(refresh_token::Column::MemberId.eq(member.as_uuid()))
            .filter(refresh_token::Column::Principal.eq(PrincipalKind::Member.as_str()))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        record_revocation(
            &self.conn,
            member.as_uuid(),
            "member",
            member.as_uuid(),
            at,
            true,
        )
        .await?;
        self.changed(vec![Invalidation::Member(member.as_uuid())])
            .await;
        Ok(())
    }

    async fn caller(
        &self,
        member: MemberId,
        session: Option<uuid::Uuid>,
        token: Option<uuid::Uuid>,
        issued_at: DateTime<Utc>,
    ) -> Result<Option<Caller>, RepoError> {
        let ids: Vec<uuid::Uuid> = session.into_iter().chain(token).collect();
        let revoked = Query::select()
            .expr(Expr::val(1))
            .from(session_revocation::Entity)
            .cond_where(
                Condition::any()
                    .add(session_revocation::Column::Id.is_in(ids))
                    .add(
                        Condition::all()
                            .add(session_revocation::Column::Id.eq(member.as_uuid()))
                            .add(session_revocation::Column::RevokedAt.gte(issued_at)),
                    ),
            )
            .to_owned();
        member::Entity::find_by_id(member.as_uuid())
            .column_as(Expr::exists(revoked), "revoked")
            .into_model::<CallerRow>()
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(|row| {
                Ok(Caller {
                    member: member_to_domain(row.member)?,
                    revoked: row.revoked,
                })
            })
            .transpose()
    }
}

#[derive(FromQueryResult)]
struct CallerRow {
    #[sea_orm(nested)]
    member: member::Model,
    revoked: bool,
}

/// Writes a revocation; a member's (`latest`) moves only to a later moment, a session's or
/// token's is kept as first recorded.
pub(super) async fn record_revocation<C: ConnectionTrait>(
    conn: &C,
    id: uuid::Uuid,
    kind: &str,
    member: uuid::Uuid,
    at: DateTime<Utc>,
    latest: bool,
) -> Result<(), RepoError> {
    let row = session_revocation::ActiveModel {
        id: Set(id),
        kind: Set(kind.to_owned()),
        member_id: Set(member),
        revoked_at: Set(at),
    };
    let mut on_conflict = OnConflict::column(session_revocation::Column::Id);
    if latest {
        // Only ever later: a revocation committed after another but taken at an earlier
        // instant (another instance, a slower request) must not reopen the gap between.
        on_conflict.value(
            session_revocation::Column::RevokedAt,
            Expr::cust(
                "CASE WHEN excluded.revoked_at > session_revocation.revoked_at \
                 THEN excluded.revoked_at ELSE session_revocation.revoked_at END",
            ),
        );
    } else {
        on_conflict.do_nothing();
    }
    session_revocation::Entity::insert(row)
        .on_conflict(on_conflict)
        .exec_without_returning(conn)
        .await
        .map(|_| ())
        .map_err(map_db_err)
}

fn to_identity(r: external_identity::Model) -> ExternalIdentity {
    ExternalIdentity {
        provider: r.provider,
        subject: r.subject,
        member_id: MemberId::from_uuid(r.member_id),
        linked_at: r.linked_at,
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> ExternalIdentityRepo for Repos<C> {
    async fn find(
        &self,
        provider: &str,
        subject: &str,
    ) -> Result<Option<ExternalIdentity>, RepoError> {
        Ok(
            external_identity::Entity::find_by_id((provider.to_owned(), subject.to_owned()))
                .one(&self.conn)
                .await
                .map_err(map_db_err)?
                .map(to_identity),
        )
    }

    async fn of_member(
        &self,
        provider: &str,
        member: MemberId,
    ) -> Result<Option<ExternalIdentity>, RepoError> {
        Ok(external_identity::Entity::find()
            .filter(external_identity::Column::Provider.eq(provider))
            .filter(external_identity::Column::MemberId.eq(member.as_uuid()))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(to_identity))
    }

    async fn unlink(&self, provider: &str, member: MemberId) -> Result<bool, RepoError> {
        let result = external_identity::Entity::delete_many()
            .filter(external_identity::Column::Provider.eq(provider))
            .filter(external_identity::Column::MemberId.eq(member.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected > 0)
    }

    async fn link(&self, identity: &ExternalIdentity) -> Result<(), RepoError> {
        let row = external_identity::ActiveModel {
            provider: Set(identity.provider.clone()),
            subject: Set(identity.subject.clone()),
            member_id: Set(identity.member_id.as_uuid()),
            linked_at: Set(identity.linked_at),
        };
        external_identity::Entity::insert(row)
            .exec_without_returning(&self.conn)
            .await
            .map(|_| ())
            .map_err(map_db_err)
    }
}
