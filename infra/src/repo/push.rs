//! The push outbox. Claims and outcomes are conditional updates: the affected-row count
//! says whether this worker holds the delivery (no `SKIP LOCKED`, which SQLite lacks).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TryInsertResult,
};

use super::{fetch_all, Repos};
use crate::entity::{push_delivery, push_message};
use crate::error::map_db_err;
use domain::error::RepoError;
use domain::org::MemberId;
use domain::push::{
    Delivery, DeliveryId, DeliveryStatus, DeliveryUpdate, OutboxStats, PushKind, PushMessage,
    PushMessageId, PushRepo,
};

/// Deliveries inserted per statement (well under SQLite's bound-parameter limit).
const INSERT_CHUNK: usize = 500;
/// The longest error text kept.
const MAX_ERROR_CHARS: usize = 250;

fn corrupt(what: &str, value: &str) -> RepoError {
    RepoError::Other(format!("stored {what} is invalid: {value}"))
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
            .map_err(|e| RepoError::Other(format!("push fields: {e}")))?;
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
