//! The push outbox, members' subscribe-message consents and where members receive them.
//! Claims and outcomes are conditional updates: the affected-row count says whether this
//! worker holds the delivery (no `SKIP LOCKED`, which SQLite lacks).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TryInsertResult,
};

use super::{fetch_all, Repos};
use crate::entity::{push_delivery, push_message, subscription_consent};
use crate::error::map_db_err;
use domain::auth::{ExternalIdentityRepo, WECHAT_PROVIDER};
use domain::error::RepoError;
use domain::org::MemberId;
use domain::push::{
    Delivery, DeliveryId, DeliveryStatus, DeliveryUpdate, OutboxStats, PushKind, PushMessage,
    PushMessageId, PushRepo, RecipientRepo, Subscription, SubscriptionRepo,
};

/// Deliveries inserted per statement (well under SQLite's bound-parameter limit).
const INSERT_CHUNK: usize = 500;
/// The longest error text kept.
const MAX_ERROR_CHARS: usize = 250;

fn corrupt(what: &str, value: &str) -> RepoError {
    RepoError::Other(format!("stored {what} is invalid: {value}").into())
}

fn message_to_domain(r: push_message::Model) -> Result<PushMessage, RepoError> {
    let fields: Vec<(String, String)> =
        serde_json::from_str(&r.fields).map_err(|_| corrupt("push fields", &r.fields))?;
    Ok(PushMessage {
        id: PushMessageId::from_uuid(r.id),
        kind: PushKind::parse(&r.kind).ok_or_else(|| corrupt("push kind", &r.kind))?,
        key: r.key,
        subject: r.subject,
        template_id: r.template_id,
        page: r.page,
        fields,
        expires_at: r.expires_at,
        created_at: r.created_at,
    })
}

fn delivery_to_domain(r: push_delivery::Model) -> Result<Delivery, RepoError> {
    Ok(Delivery {
        id: DeliveryId::from_uuid(r.id),
        message_id: PushMessageId::from_uuid(r.message_id),
        member_id: MemberId::from_uuid(r.member_id),
        status: DeliveryStatus::parse(&r.status)
            .ok_or_else(|| corrupt("delivery status", &r.status))?,
        attempts: r.attempts,
        next_attempt_at: r.next_attempt_at,
        lease_owner: r.lease_owner,
        lease_until: r.lease_until,
        last_error: r.last_error,
        sent_at: r.sent_at,
        updated_at: r.updated_at,
    })
}

fn short(error: &Option<String>) -> Option<String> {
    error
        .as_ref()
        .map(|e| e.chars().take(MAX_ERROR_CHARS).collect())
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> PushRepo for Repos<C> {
    async fn enqueue(
        &self,
        message: &PushMessage,
        members: &[MemberId],
        not_before: DateTime<Utc>,
    ) -> Result<bool, RepoError> {
        let fields = serde_json::to_string(&message.fields)
            .map_err(|e| RepoError::Other(format!("push fields: {e}").into()))?;
        let row = push_message::ActiveModel {
            id: Set(message.id.as_uuid()),
            key: Set(message.key.clone()),
            subject: Set(message.subject.clone()),
            kind: Set(message.kind.as_str().to_owned()),
            template_id: Set(message.template_id.clone()),
            page: Set(message.page.clone()),
            fields: Set(fields),
            expires_at: Set(message.expires_at),
            created_at: Set(message.created_at),
        };
        let inserted = match push_message::Entity::insert(row)
            .on_conflict_do_nothing_on([push_message::Column::Key])
            .exec_without_returning(&self.conn)
            .await
        {
            Ok(TryInsertResult::Inserted(n)) => n > 0,
            Ok(TryInsertResult::Conflicted | TryInsertResult::Empty) => false,
            Err(e) => return Err(map_db_err(e)),
        };
        if !inserted {
            return Ok(false);
        }
        let mut seen = std::collections::HashSet::new();
        let unique: Vec<MemberId> = members
            .iter()
            .copied()
            .filter(|m| seen.insert(*m))
            .collect();
        for chunk in unique.chunks(INSERT_CHUNK) {
            let rows = chunk.iter().map(|m| push_delivery::ActiveModel {
                id: Set(DeliveryId::at(message.created_at).as_uuid()),
                message_id: Set(message.id.as_uuid()),
                member_id: Set(m.as_uuid()),
                status: Set(DeliveryStatus::Pending.as_str().to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(not_before),
                lease_owner: Set(None),
                lease_until: Set(None),
                last_error: Set(None),
                sent_at: Set(None),
                updated_at: Set(message.created_at),
            });
            push_delivery::Entity::insert_many(rows)
                .exec_without_returning(&self.conn)
                .await
                .map_err(map_db_err)?;
        }
        Ok(true)
    }

    async fn message_exists(&self, key: &str) -> Result<bool, RepoError> {
        let found: Option<uuid::Uuid> = push_message::Entity::find()
            .select_only()
            .column(push_message::Column::Id)
            .filter(push_message::Column::Key.eq(key))
            .into_tuple()
            .one(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(found.is_some())
    }

    async fn cancel_pending(&self, subject: &str, now: DateTime<Utc>) -> Result<u64, RepoError> {
        let messages = Query::select()
            .column(push_message::Column::Id)
            .from(push_message::Entity)
            .and_where(Expr::col(push_message::Column::Subject).eq(subject))
            .to_owned();
        let result = push_delivery::Entity::update_many()
            .col_expr(
                push_delivery::Column::Status,
                Expr::value(DeliveryStatus::Cancelled.as_str()),
            )
            .col_expr(push_delivery::Column::UpdatedAt, Expr::value(now))
            .filter(push_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .filter(push_delivery::Column::MessageId.in_subquery(messages))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected)
    }

    async fn expire_leases(&self, now: DateTime<Utc>) -> Result<u64, RepoError> {
        let result = push_delivery::Entity::update_many()
            .col_expr(
                push_delivery::Column::Status,
                Expr::value(DeliveryStatus::Unknown.as_str()),
            )
            .col_expr(
                push_delivery::Column::LastError,
                Expr::value("lease expired while sending"),
            )
            .col_expr(push_delivery::Column::UpdatedAt, Expr::value(now))
            .filter(push_delivery::Column::Status.eq(DeliveryStatus::Sending.as_str()))
            .filter(push_delivery::Column::LeaseUntil.lt(now))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected)
    }

    async fn due(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<DeliveryId>, RepoError> {
        let ids: Vec<uuid::Uuid> = push_delivery::Entity::find()
            .select_only()
            .column(push_delivery::Column::Id)
            .filter(push_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .filter(push_delivery::Column::NextAttemptAt.lte(now))
            .order_by_asc(push_delivery::Column::NextAttemptAt)
            .order_by_asc(push_delivery::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(ids.into_iter().map(DeliveryId::from_uuid).collect())
    }

    async fn stats(&self, now: DateTime<Utc>) -> Result<OutboxStats, RepoError> {
        let counts: Vec<(String, i64)> = push_delivery::Entity::find()
            .select_only()
            .column(push_delivery::Column::Status)
            .column_as(push_delivery::Column::Id.count(), "n")
            .group_by(push_delivery::Column::Status)
            .into_tuple()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        let due_filter = || {
            push_delivery::Entity::find()
                .filter(push_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
                .filter(push_delivery::Column::NextAttemptAt.lte(now))
        };
        let due: Option<i64> = due_filter()
            .select_only()
            .column_as(push_delivery::Column::Id.count(), "n")
            .into_tuple()
            .one(&self.conn)
            .await
            .map_err(map_db_err)?;
        let oldest_due: Option<DateTime<Utc>> = due_filter()
            .select_only()
            .column(push_delivery::Column::NextAttemptAt)
            .order_by_asc(push_delivery::Column::NextAttemptAt)
            .limit(1)
            .into_tuple()
            .one(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(OutboxStats {
            by_status: counts
                .into_iter()
                .filter_map(|(status, n)| {
                    Some((DeliveryStatus::parse(&status)?, u64::try_from(n).ok()?))
                })
                .collect(),
            due: due.and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
            oldest_due,
        })
    }

    async fn claim(
        &self,
        id: DeliveryId,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, RepoError> {
        let result = push_delivery::Entity::update_many()
            .col_expr(
                push_delivery::Column::Status,
                Expr::value(DeliveryStatus::Sending.as_str()),
            )
            .col_expr(push_delivery::Column::LeaseOwner, Expr::value(owner))
            .col_expr(push_delivery::Column::LeaseUntil, Expr::value(lease_until))
            .col_expr(
                push_delivery::Column::Attempts,
                Expr::col(push_delivery::Column::Attempts).add(1),
            )
            .col_expr(push_delivery::Column::UpdatedAt, Expr::value(now))
            .filter(push_delivery::Column::Id.eq(id.as_uuid()))
            .filter(push_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .filter(push_delivery::Column::NextAttemptAt.lte(now))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn job(&self, id: DeliveryId) -> Result<Option<(Delivery, PushMessage)>, RepoError> {
        let Some(d) = push_delivery::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
        else {
            return Ok(None);
        };
        let Some(m) = push_message::Entity::find_by_id(d.message_id)
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
        else {
            return Ok(None);
        };
        Ok(Some((delivery_to_domain(d)?, message_to_domain(m)?)))
    }

    async fn finish(
        &self,
        id: DeliveryId,
        owner: &str,
        update: &DeliveryUpdate,
        now: DateTime<Utc>,
    ) -> Result<bool, RepoError> {
        let mut query = push_delivery::Entity::update_many()
            .col_expr(
                push_delivery::Column::Status,
                Expr::value(update.status.as_str()),
            )
            .col_expr(
                push_delivery::Column::LeaseOwner,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                push_delivery::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                push_delivery::Column::LastError,
                Expr::value(short(&update.last_error)),
            )
            .col_expr(push_delivery::Column::SentAt, Expr::value(update.sent_at))
            .col_expr(push_delivery::Column::UpdatedAt, Expr::value(now));
        if let Some(next) = update.next_attempt_at {
            query = query.col_expr(push_delivery::Column::NextAttemptAt, Expr::value(next));
        }
        let result = query
            .filter(push_delivery::Column::Id.eq(id.as_uuid()))
            .filter(push_delivery::Column::Status.eq(DeliveryStatus::Sending.as_str()))
            .filter(push_delivery::Column::LeaseOwner.eq(owner))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn deliveries_of(&self, key: &str) -> Result<Vec<Delivery>, RepoError> {
        let messages = Query::select()
            .column(push_message::Column::Id)
            .from(push_message::Entity)
            .and_where(Expr::col(push_message::Column::Key).eq(key))
            .to_owned();
        fetch_all(
            &self.conn,
            push_delivery::Entity::find()
                .filter(push_delivery::Column::MessageId.in_subquery(messages))
                .order_by_asc(push_delivery::Column::MemberId),
            delivery_to_domain,
        )
        .await
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> SubscriptionRepo for Repos<C> {
    async fn add_consent(
        &self,
        member: MemberId,
        template_id: &str,
        now: DateTime<Utc>,
    ) -> Result<i32, RepoError> {
        use subscription_consent::Column as S;
        // One statement: insert at 1, or add one to the balance (atomic on both backends).
        let row = subscription_consent::ActiveModel {
            member_id: Set(member.as_uuid()),
            template_id: Set(template_id.to_owned()),
            balance: Set(1),
            updated_at: Set(now),
        };
        subscription_consent::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::columns([S::MemberId, S::TemplateId])
                    .value(
                        S::Balance,
                        sea_orm::sea_query::Expr::col((subscription_consent::Entity, S::Balance))
                            .add(1),
                    )
                    .value(S::UpdatedAt, now)
                    .to_owned(),
            )
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        let balance: Option<i32> =
            subscription_consent::Entity::find_by_id((member.as_uuid(), template_id.to_owned()))
                .select_only()
                .column(S::Balance)
                .into_tuple()
                .one(&self.conn)
                .await
                .map_err(map_db_err)?;
        balance.ok_or(RepoError::NotFound)
    }

    async fn of_member(&self, member: MemberId) -> Result<Vec<Subscription>, RepoError> {
        fetch_all(
            &self.conn,
            subscription_consent::Entity::find()
                .filter(subscription_consent::Column::MemberId.eq(member.as_uuid()))
                .order_by_asc(subscription_consent::Column::TemplateId),
            |r| {
                Ok(Subscription {
                    member_id: MemberId::from_uuid(r.member_id),
                    template_id: r.template_id,
                    balance: r.balance,
                    updated_at: r.updated_at,
                })
            },
        )
        .await
    }

    async fn take_consent(
        &self,
        member: MemberId,
        template_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, RepoError> {
        use subscription_consent::Column as S;
        let result = subscription_consent::Entity::update_many()
            .col_expr(S::Balance, sea_orm::sea_query::Expr::col(S::Balance).sub(1))
            .col_expr(S::UpdatedAt, sea_orm::sea_query::Expr::value(now))
            .filter(S::MemberId.eq(member.as_uuid()))
            .filter(S::TemplateId.eq(template_id))
            .filter(S::Balance.gt(0))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn give_back_consent(
        &self,
        member: MemberId,
        template_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        use subscription_consent::Column as S;
        subscription_consent::Entity::update_many()
            .col_expr(S::Balance, sea_orm::sea_query::Expr::col(S::Balance).add(1))
            .col_expr(S::UpdatedAt, sea_orm::sea_query::Expr::value(now))
            .filter(S::MemberId.eq(member.as_uuid()))
            .filter(S::TemplateId.eq(template_id))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn clear_consent(
        &self,
        member: MemberId,
        template_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        use subscription_consent::Column as S;
        subscription_consent::Entity::update_many()
            .col_expr(S::Balance, sea_orm::sea_query::Expr::value(0))
            .col_expr(S::UpdatedAt, sea_orm::sea_query::Expr::value(now))
            .filter(S::MemberId.eq(member.as_uuid()))
            .filter(S::TemplateId.eq(template_id))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> RecipientRepo for Repos<C> {
    async fn wechat_openid(&self, member: MemberId) -> Result<Option<String>, RepoError> {
        Ok(
            ExternalIdentityRepo::of_member(self, WECHAT_PROVIDER, member)
                .await?
                .map(|identity| identity.subject),
        )
    }
}
