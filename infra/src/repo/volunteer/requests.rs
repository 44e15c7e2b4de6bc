//! Service requests, their claims and status notes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::super::{any_subtree, fetch_all, page_by_id, IdOrder, Repos};
use super::{corrupt, path};
use crate::entity::{service_claim, service_note, service_request};
use crate::error::map_db_err;
use domain::error::RepoError;
use domain::org::{MemberId, OrgId, OrgPath, PhoneNumber};
use domain::page::{Page, PageRequest};
use domain::volunteer::{
    Assignee, Claim, Contact, Extension, Filer, Moderation, RequestQuery, RequestState, ResidentId,
    ServiceKind, ServiceRequest, ServiceRequestId, ServiceRequestRepo, StatusNote, TeamId, Urgency,
};

fn json_list(raw: &str) -> Result<Vec<String>, RepoError> {
    serde_json::from_str(raw).map_err(|e| corrupt("list", e))
}

fn to_json(list: &[String]) -> Result<String, RepoError> {
    serde_json::to_string(list).map_err(|e| RepoError::Other(format!("list: {e}").into()))
}

fn to_domain(m: service_request::Model) -> Result<ServiceRequest, RepoError> {
    let filer = match m.filer_kind.as_str() {
        "resident" => Filer::Resident(ResidentId::from_uuid(m.filer_id)),
        "member" => Filer::Member(MemberId::from_uuid(m.filer_id)),
        "operator" => Filer::Operator(MemberId::from_uuid(m.filer_id)),
        other => return Err(corrupt("filer kind", other)),
    };
    let assignee = match (m.assignee_kind.as_deref(), m.assignee_id) {
        (None, _) => None,
        (Some("branch"), Some(id)) => Some(Assignee::Branch(OrgId::from_uuid(id))),
        (Some("team"), Some(id)) => Some(Assignee::Team(TeamId::from_uuid(id))),
        (Some("wish_list"), Some(id)) => Some(Assignee::WishList(OrgId::from_uuid(id))),
        (Some(other), _) => return Err(corrupt("assignee", other)),
    };
    let contact = match (m.contact_name, m.contact_phone, m.address) {
        (Some(name), Some(phone), Some(address)) => Some(Contact {
            name,
            phone: PhoneNumber::parse(&phone).map_err(|_| corrupt("phone", "not a mobile"))?,
            address,
        }),
        _ => None,
    };
    Ok(ServiceRequest {
        id: ServiceRequestId::from_uuid(m.id),
        committee_id: OrgId::from_uuid(m.committee_id),
        committee_path: path(&m.committee_path)?,
        kind: ServiceKind::parse(&m.kind).ok_or_else(|| corrupt("kind", &m.kind))?,
        urgency: Urgency::parse(&m.urgency).ok_or_else(|| corrupt("urgency", &m.urgency))?,
        title: m.title,
        description: m.description,
        contact,
        preferred_time: m.preferred_time,
        tags: json_list(&m.tags)?,
        photos: json_list(&m.photos)?,
        filer,
        moderation: Moderation::parse(&m.moderation)
            .ok_or_else(|| corrupt("moderation", &m.moderation))?,
        state: RequestState::parse(&m.state).ok_or_else(|| corrupt("state", &m.state))?,
        paused_since: m.paused_since,
        capacity: u32::try_from(m.capacity).map_err(|e| corrupt("capacity", e))?,
        claimed: u32::try_from(m.claimed).map_err(|e| corrupt("claimed", e))?,
        assignee,
        assignee_path: m.assignee_path.as_deref().map(path).transpose()?,
        claim_due: m.claim_due,
        complete_due: m.complete_due,
        summary: m.summary,
        completed_at: m.completed_at,
        rating: m
            .rating
            .map(|r| u8::try_from(r).map_err(|e| corrupt("rating", e)))
            .transpose()?,
        rating_comment: m.rating_comment,
        followed_up: m.followed_up,
        closed_at: m.closed_at,
        reason: m.reason_code.map(|c| (c, m.reason_note)),
        duplicate_of: m.duplicate_of.map(ServiceRequestId::from_uuid),
        extension: match (
            m.extension_days,
            m.extension_reason,
            m.extension_by,
            m.extension_at,
        ) {
            (Some(days), Some(reason), Some(by), Some(at)) => Some(Extension {
                days: u32::try_from(days).map_err(|e| corrupt("extension", e))?,
                reason,
                by: MemberId::from_uuid(by),
                at,
            }),
            _ => None,
        },
        erased_at: m.erased_at,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn to_row(r: &ServiceRequest) -> Result<service_request::ActiveModel, RepoError> {
    let (filer_kind, filer_id) = match r.filer {
        Filer::Resident(id) => ("resident", id.as_uuid()),
        Filer::Member(id) => ("member", id.as_uuid()),
        Filer::Operator(id) => ("operator", id.as_uuid()),
    };
    let (assignee_kind, assignee_id) = match r.assignee {
        None => (None, None),
        Some(Assignee::Branch(id)) => (Some("branch"), Some(id.as_uuid())),
        Some(Assignee::Team(id)) => (Some("team"), Some(id.as_uuid())),
        Some(Assignee::WishList(id)) => (Some("wish_list"), Some(id.as_uuid())),
    };
    Ok(service_request::ActiveModel {
        id: Set(r.id.as_uuid()),
        committee_id: Set(r.committee_id.as_uuid()),
        committee_path: Set(r.committee_path.as_str().to_owned()),
        kind: Set(r.kind.as_str().to_owned()),
        urgency: Set(r.urgency.as_str().to_owned()),
        title: Set(r.title.clone()),
        description: Set(r.description.clone()),
        contact_name: Set(r.contact.as_ref().map(|c| c.name.clone())),
        contact_phone: Set(r.contact.as_ref().map(|c| c.phone.as_str().to_owned())),
        address: Set(r.contact.as_ref().map(|c| c.address.clone())),
        preferred_time: Set(r.preferred_time.clone()),
        tags: Set(to_json(&r.tags)?),
        photos: Set(to_json(&r.photos)?),
        filer_kind: Set(filer_kind.to_owned()),
        filer_id: Set(filer_id),
        moderation: Set(r.moderation.as_str().to_owned()),
        state: Set(r.state.as_str().to_owned()),
        paused_since: Set(r.paused_since),
        capacity: Set(i32::try_from(r.capacity).unwrap_or(i32::MAX)),
        claimed: Set(i32::try_from(r.claimed).unwrap_or(i32::MAX)),
        assignee_kind: Set(assignee_kind.map(str::to_owned)),
        assignee_id: Set(assignee_id),
        assignee_path: Set(r.assignee_path.as_ref().map(|p| p.as_str().to_owned())),
        claim_due: Set(r.claim_due),
        complete_due: Set(r.complete_due),
        summary: Set(r.summary.clone()),
        completed_at: Set(r.completed_at),
        rating: Set(r.rating.map(i16::from)),
        rating_comment: Set(r.rating_comment.clone()),
        followed_up: Set(r.followed_up),
        closed_at: Set(r.closed_at),
        reason_code: Set(r.reason.as_ref().map(|(c, _)| c.clone())),
        reason_note: Set(r.reason.as_ref().and_then(|(_, n)| n.clone())),
        duplicate_of: Set(r.duplicate_of.map(|d| d.as_uuid())),
        erased_at: Set(r.erased_at),
        extension_days: Set(r
            .extension
            .as_ref()
            .map(|e| i32::try_from(e.days).unwrap_or(i32::MAX))),
        extension_reason: Set(r.extension.as_ref().map(|e| e.reason.clone())),
        extension_by: Set(r.extension.as_ref().map(|e| e.by.as_uuid())),
        extension_at: Set(r.extension.as_ref().map(|e| e.at)),
        version: Set(r.version),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    })
}

fn note_row(n: &StatusNote) -> service_note::ActiveModel {
    service_note::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        request_id: Set(n.request_id.as_uuid()),
        at: Set(n.at),
        state: Set(n.state.as_str().to_owned()),
        note: Set(n.note.clone()),
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> ServiceRequestRepo for Repos<C> {
    async fn insert(&self, request: &ServiceRequest, note: &StatusNote) -> Result<(), RepoError> {
        service_request::Entity::insert(to_row(request)?)
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        self.add_note(note).await
    }

    async fn get(&self, id: ServiceRequestId) -> Result<Option<ServiceRequest>, RepoError> {
        service_request::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(to_domain)
            .transpose()
    }

    async fn update(&self, request: &ServiceRequest, expected: i64) -> Result<bool, RepoError> {
        use service_request::Column as K;
        let mut row = to_row(request)?;
        // The key and what never changes stay as stored.
        row.id = sea_orm::ActiveValue::NotSet;
        row.created_at = sea_orm::ActiveValue::NotSet;
        let result = service_request::Entity::update_many()
            .set(row)
            .filter(K::Id.eq(request.id.as_uuid()))
            .filter(K::Version.eq(expected))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn add_note(&self, note: &StatusNote) -> Result<(), RepoError> {
        service_note::Entity::insert(note_row(note))
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn notes(&self, id: ServiceRequestId) -> Result<Vec<StatusNote>, RepoError> {
        use service_note::Column as N;
        fetch_all(
            &self.conn,
            service_note::Entity::find()
                .filter(N::RequestId.eq(id.as_uuid()))
                .order_by_asc(N::At)
                .order_by_asc(N::Id),
            |m| {
                Ok(StatusNote {
                    request_id: ServiceRequestId::from_uuid(m.request_id),
                    at: m.at,
                    state: RequestState::parse(&m.state)
                        .ok_or_else(|| corrupt("state", &m.state))?,
                    note: m.note,
                })
            },
        )
        .await
    }

    async fn claims(&self, id: ServiceRequestId) -> Result<Vec<Claim>, RepoError> {
        use service_claim::Column as K;
        fetch_all(
            &self.conn,
            service_claim::Entity::find()
                .filter(K::RequestId.eq(id.as_uuid()))
                .order_by_asc(K::ClaimedAt)
                .order_by_asc(K::MemberId),
            |m| {
                Ok(Claim {
                    request_id: ServiceRequestId::from_uuid(m.request_id),
                    member_id: MemberId::from_uuid(m.member_id),
                    name: m.name,
                    claimed_at: m.claimed_at,
                })
            },
        )
        .await
    }

    async fn insert_claim(&self, claim: &Claim) -> Result<bool, RepoError> {
        use service_claim::Column as K;
        let row = service_claim::ActiveModel {
            request_id: Set(claim.request_id.as_uuid()),
            member_id: Set(claim.member_id.as_uuid()),
            name: Set(claim.name.clone()),
            claimed_at: Set(claim.claimed_at),
        };
        let inserted = service_claim::Entity::insert(row)
            .on_conflict_do_nothing_on([K::RequestId, K::MemberId])
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(1)))
    }

    async fn remove_claim(
        &self,
        id: ServiceRequestId,
        member: MemberId,
    ) -> Result<bool, RepoError> {
        use service_claim::Column as K;
        let result = service_claim::Entity::delete_many()
            .filter(K::RequestId.eq(id.as_uuid()))
            .filter(K::MemberId.eq(member.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn clear_claims(&self, id: ServiceRequestId) -> Result<(), RepoError> {
        use service_claim::Column as K;
        service_claim::Entity::delete_many()
            .filter(K::RequestId.eq(id.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn due_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ServiceRequest>, RepoError> {
        use service_request::Column as K;
        let within = |c: K| Condition::all().add(c.gt(from)).add(c.lte(to));
        fetch_all(
            &self.conn,
            service_request::Entity::find()
                .filter(K::PausedSince.is_null())
                .filter(
                    Condition::any()
                        .add(
                            Condition::all()
                                .add(K::State.eq(RequestState::Accepted.as_str()))
                                .add(within(K::ClaimDue)),
                        )
                        .add(
                            Condition::all()
                                .add(K::State.is_in([
                                    RequestState::Accepted.as_str(),
                                    RequestState::Claimed.as_str(),
                                    RequestState::InProgress.as_str(),
                                ]))
                                .add(within(K::CompleteDue)),
                        ),
                )
                .order_by_asc(K::Id),
            to_domain,
        )
        .await
    }

    async fn open_load(&self, committee: &OrgPath) -> Result<Vec<(Assignee, u64)>, RepoError> {
        use sea_orm::QuerySelect;
        use service_request::Column as K;
        let rows: Vec<(Option<String>, Option<uuid::Uuid>, i64)> = service_request::Entity::find()
            .select_only()
            .column(K::AssigneeKind)
            .column(K::AssigneeId)
            .column_as(K::Id.count(), "n")
            .filter(K::CommitteePath.eq(committee.as_str()))
            .filter(K::State.is_in([
                RequestState::Accepted.as_str(),
                RequestState::Claimed.as_str(),
                RequestState::InProgress.as_str(),
            ]))
            .group_by(K::AssigneeKind)
            .group_by(K::AssigneeId)
            .into_tuple()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        let mut out = Vec::new();
        for (kind, id, n) in rows {
            let assignee = match (kind.as_deref(), id) {
                (Some("branch"), Some(id)) => Assignee::Branch(OrgId::from_uuid(id)),
                (Some("team"), Some(id)) => Assignee::Team(TeamId::from_uuid(id)),
                (Some("wish_list"), Some(id)) => Assignee::WishList(OrgId::from_uuid(id)),
                _ => continue,
            };
            out.push((assignee, u64::try_from(n).unwrap_or(0)));
        }
        Ok(out)
    }

    async fn list(
        &self,
        query: &RequestQuery,
        page: &PageRequest,
    ) -> Result<Page<ServiceRequest>, RepoError> {
        use service_request::Column as K;
        let s = &query.seen;
        if s.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let mut seen = Condition::any();
        if let Some(r) = s.resident {
            seen = seen.add(
                Condition::all()
                    .add(K::FilerKind.eq("resident"))
                    .add(K::FilerId.eq(r.as_uuid())),
            );
        }
        if let Some(m) = s.filed_by {
            seen = seen.add(
                Condition::all()
                    .add(K::FilerKind.is_in(["member", "operator"]))
                    .add(K::FilerId.eq(m.as_uuid())),
            );
        }
        if let Some(m) = s.claimant {
            seen = seen.add(
                K::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(service_claim::Column::RequestId)
                        .from(service_claim::Entity)
                        .and_where(service_claim::Column::MemberId.eq(m.as_uuid()))
                        .to_owned(),
                ),
            );
        }
        if !s.assigned_to.is_empty() {
            seen = seen
                .add(K::AssigneePath.is_in(s.assigned_to.iter().map(|p| p.as_str().to_owned())));
        }
        if !s.assigned_under.is_empty() {
            seen = seen.add(any_subtree(K::AssigneePath, &s.assigned_under));
        }
        if !s.teams.is_empty() {
            seen = seen.add(
                Condition::all()
                    .add(K::AssigneeKind.eq("team"))
                    .add(K::AssigneeId.is_in(s.teams.iter().map(|t| t.as_uuid()))),
            );
        }
        if !s.dispatched_under.is_empty() {
            seen = seen.add(any_subtree(K::CommitteePath, &s.dispatched_under));
        }
        let mut select = service_request::Entity::find().filter(seen);
        if let Some(kind) = query.kind {
            select = select.filter(K::Kind.eq(kind.as_str()));
        }
        if let Some(state) = query.state {
            select = select.filter(K::State.eq(state.as_str()));
        }
        if let Some(m) = query.moderation {
            select = select.filter(K::Moderation.eq(m.as_str()));
        }
        if let Some(now) = query.overdue_at {
            select = select.filter(K::PausedSince.is_null()).filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(K::State.eq(RequestState::Accepted.as_str()))
                            .add(
                                Condition::any()
                                    .add(K::ClaimDue.lte(now))
                                    .add(K::CompleteDue.lte(now)),
                            ),
                    )
                    .add(
                        Condition::all()
                            .add(K::State.is_in([
                                RequestState::Claimed.as_str(),
                                RequestState::InProgress.as_str(),
                            ]))
                            .add(K::CompleteDue.lte(now)),
                    ),
            );
        }
        page_by_id(
            &self.conn,
            select,
            IdOrder::Newest,
            K::Id,
            page,
            to_domain,
            |r| r.id.as_uuid(),
        )
        .await
    }
}
