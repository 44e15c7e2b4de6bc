//! Study materials and members' study records; study plans in [`plan`].

mod plan;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TryInsertResult,
};
use serde::{Deserialize, Serialize};

use crate::entity::{material, study_record};
use crate::error::map_db_err;
use crate::repo::{fetch_all, Repos};
use domain::calendar::YearMonth;
use domain::error::RepoError;
use domain::material::{
    Attachment, AttachmentKind, Audience, FeedQuery, Material, MaterialCategory, MaterialId,
    MaterialRepo, MaterialStatus, StudyRecord, StudyRecordRepo,
};
use domain::org::{MemberCategory, MemberId, OrgId, OrgPath};
use domain::page::{CursorKey, Page, PageRequest};

fn corrupt(what: &str, value: &str) -> RepoError {
    RepoError::Other(format!("stored {what} is invalid: {value}").into())
}

#[derive(Serialize, Deserialize)]
struct StoredAttachment {
    kind: String,
    title: String,
    url: String,
}

fn categories_column(list: &[MemberCategory]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut s = String::from(",");
    for c in list {
        s.push_str(c.as_str());
        s.push(',');
    }
    s
}

fn material_row(m: &Material) -> Result<material::ActiveModel, RepoError> {
    let attachments: Vec<StoredAttachment> = m
        .attachments
        .iter()
        .map(|a| StoredAttachment {
            kind: a.kind.as_str().to_owned(),
            title: a.title.clone(),
            url: a.url.clone(),
        })
        .collect();
    Ok(material::ActiveModel {
        id: Set(m.id.as_uuid()),
        title: Set(m.title.clone()),
        summary: Set(m.summary.clone()),
        body: Set(m.body_html.clone()),
        attachments: Set(
            serde_json::to_string(&attachments).map_err(|e| RepoError::Other(Box::new(e)))?
        ),
        category: Set(m.category.as_str().to_owned()),
        required: Set(m.required),
        lesson_month: Set(m.lesson_month.map(|l| l.to_string())),
        audience_org_id: Set(m.audience.org_id.as_uuid()),
        audience_path: Set(m.audience.org_path.as_str().to_owned()),
        audience_categories: Set(categories_column(&m.audience.categories)),
        cadres_only: Set(m.audience.leading_cadres_only),
        publish_at: Set(m.publish_at),
        study_deadline: Set(m.study_deadline),
        status: Set(m.status.as_str().to_owned()),
        revision: Set(m.revision),
        publisher_id: Set(m.publisher_id.as_uuid()),
        created_at: Set(m.created_at),
        updated_at: Set(m.updated_at),
    })
}

fn material_to_domain(r: material::Model) -> Result<Material, RepoError> {
    let stored: Vec<StoredAttachment> = serde_json::from_str(&r.attachments)
        .map_err(|_| corrupt("attachments", &r.id.to_string()))?;
    let attachments = stored
        .into_iter()
        .map(|a| {
            Ok(Attachment {
                kind: AttachmentKind::parse(&a.kind)
                    .ok_or_else(|| corrupt("attachment kind", &a.kind))?,
                title: a.title,
                url: a.url,
            })
        })
        .collect::<Result<Vec<_>, RepoError>>()?;
    let categories = r
        .audience_categories
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| MemberCategory::parse(c).ok_or_else(|| corrupt("member category", c)))
        .collect::<Result<Vec<_>, RepoError>>()?;
    Ok(Material {
        id: MaterialId::from_uuid(r.id),
        title: r.title,
        summary: r.summary,
        body_html: r.body,
        attachments,
        category: MaterialCategory::parse(&r.category)
            .ok_or_else(|| corrupt("material category", &r.category))?,
        required: r.required,
        lesson_month: r
            .lesson_month
            .as_deref()
            .map(|m| YearMonth::parse(m).ok_or_else(|| corrupt("lesson month", m)))
            .transpose()?,
        audience: Audience {
            org_id: OrgId::from_uuid(r.audience_org_id),
            org_path: OrgPath::parse(&r.audience_path)
                .ok_or_else(|| corrupt("org path", &r.audience_path))?,
            categories,
            leading_cadres_only: r.cadres_only,
        },
        publish_at: r.publish_at,
        study_deadline: r.study_deadline,
        status: MaterialStatus::parse(&r.status)
            .ok_or_else(|| corrupt("material status", &r.status))?,
        revision: r.revision,
        publisher_id: MemberId::from_uuid(r.publisher_id),
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// The path of every org from the root down to the one at `path` (itself included).
fn ancestors(path: &OrgPath) -> Vec<String> {
    let mut acc = String::from("/");
    path.as_str()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|seg| {
            acc.push_str(seg);
            acc.push('/');
            acc.clone()
        })
        .collect()
}

/// Feed cursors: the publish time (µs) and id of the last item seen.
fn feed_cursor(m: &Material) -> CursorKey {
    CursorKey::new(format!("{}.{}", m.publish_at.timestamp_micros(), m.id))
}

fn parse_feed_cursor(key: &CursorKey) -> Result<(DateTime<Utc>, uuid::Uuid), RepoError> {
    let (micros, id) = key
        .as_str()
        .split_once('.')
        .ok_or(RepoError::InvalidCursor)?;
    let at = micros
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or(RepoError::InvalidCursor)?;
    let id = uuid::Uuid::parse_str(id).map_err(|_| RepoError::InvalidCursor)?;
    Ok((at, id))
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> MaterialRepo for Repos<C> {
    async fn get(&self, id: MaterialId) -> Result<Option<Material>, RepoError> {
        material::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(material_to_domain)
            .transpose()
    }

    async fn insert(&self, m: &Material) -> Result<(), RepoError> {
        material::Entity::insert(material_row(m)?)
            .exec_without_returning(&self.conn)
            .await
            .map(|_| ())
            .map_err(map_db_err)
    }

    async fn update(&self, m: &Material) -> Result<(), RepoError> {
        material::Entity::update(material_row(m)?)
            .exec(&self.conn)
            .await
            .map(|_| ())
            .map_err(|e| match e {
                sea_orm::DbErr::RecordNotUpdated => RepoError::NotFound,
                other => map_db_err(other),
            })
    }

    async fn feed(&self, q: &FeedQuery, page: &PageRequest) -> Result<Page<Material>, RepoError> {
        use material::Column as M;
        let member = &q.member;
        let mut query = material::Entity::find()
            .filter(M::AudiencePath.is_in(ancestors(&member.branch_path)))
            .filter(M::Status.eq(MaterialStatus::Published.as_str()))
            .filter(M::PublishAt.lte(q.now))
            .filter(
                Condition::any()
                    .add(M::AudienceCategories.eq(""))
                    .add(M::AudienceCategories.like(format!("%,{},%", member.category.as_str()))),
            );
        if !member.leading_cadre {
            query = query.filter(M::CadresOnly.eq(false));
        }
        if let Some(c) = q.category {
            query = query.filter(M::Category.eq(c.as_str()));
        }
        if let Some(r) = q.required {
            query = query.filter(M::Required.eq(r));
        }
        if let Some(month) = q.lesson_month {
            query = query.filter(M::LessonMonth.eq(month.to_string()));
        }
        if q.unread {
            query = query.filter(
                M::Id.not_in_subquery(
                    Query::select()
                        .column(study_record::Column::MaterialId)
                        .from(study_record::Entity)
                        .and_where(study_record::Column::MemberId.eq(member.id.as_uuid()))
                        .to_owned(),
                ),
            );
        }
        if let Some(after) = page.after() {
            let (at, id) = parse_feed_cursor(after)?;
            query = query.filter(
                Condition::any()
                    .add(M::PublishAt.lt(at))
                    .add(Condition::all().add(M::PublishAt.eq(at)).add(M::Id.lt(id))),
            );
        }
        let rows = fetch_all(
            &self.conn,
            query
                .order_by_desc(M::PublishAt)
                .order_by_desc(M::Id)
                .limit(u64::from(page.limit()) + 1),
            material_to_domain,
        )
        .await?;
        Ok(Page::from_overfetch(rows, page.limit(), feed_cursor))
    }

    async fn reportable(
        &self,
        scope: &OrgPath,
        month: YearMonth,
        now: DateTime<Utc>,
    ) -> Result<Vec<Material>, RepoError> {
        use material::Column as M;
        fetch_all(
            &self.conn,
            material::Entity::find()
                .filter(M::Status.eq(MaterialStatus::Published.as_str()))
                .filter(M::PublishAt.lte(now))
                .filter(
                    Condition::any()
                        .add(M::AudiencePath.is_in(ancestors(scope)))
                        .add(super::subtree(M::AudiencePath, scope)),
                )
                .filter(
                    Condition::any()
                        .add(M::LessonMonth.eq(month.to_string()))
                        .add(
                            Condition::all()
                                .add(M::Required.eq(true))
                                .add(M::PublishAt.gte(month.start()))
                                .add(M::PublishAt.lt(month.end())),
                        ),
                )
                .order_by_asc(M::PublishAt)
                .order_by_asc(M::Id)
                .limit(500),
            material_to_domain,
        )
        .await
    }

    async fn next_publish_after(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, RepoError> {
        let row = material::Entity::find()
            .filter(material::Column::Status.eq(MaterialStatus::Published.as_str()))
            .filter(material::Column::PublishAt.gt(now))
            .order_by_asc(material::Column::PublishAt)
            .one(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(row.map(|r| r.publish_at))
    }
}

fn record_to_domain(r: study_record::Model) -> Result<StudyRecord, RepoError> {
    Ok(StudyRecord {
        material_id: MaterialId::from_uuid(r.material_id),
        member_id: MemberId::from_uuid(r.member_id),
        opened_at: r.opened_at,
        position: r.position,
        seconds_spent: r.seconds_spent,
        completed_at: r.completed_at,
        points: r.points,
        updated_at: r.updated_at,
    })
}

fn record_row(r: &StudyRecord) -> study_record::ActiveModel {
    study_record::ActiveModel {
        member_id: Set(r.member_id.as_uuid()),
        material_id: Set(r.material_id.as_uuid()),
        opened_at: Set(r.opened_at),
        position: Set(r.position),
        seconds_spent: Set(r.seconds_spent),
        completed_at: Set(r.completed_at),
        points: Set(r.points),
        updated_at: Set(r.updated_at),
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> StudyRecordRepo for Repos<C> {
    async fn get(
        &self,
        member: MemberId,
        material: MaterialId,
    ) -> Result<Option<StudyRecord>, RepoError> {
        study_record::Entity::find_by_id((member.as_uuid(), material.as_uuid()))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(record_to_domain)
            .transpose()
    }

    async fn insert_if_absent(&self, r: &StudyRecord) -> Result<bool, RepoError> {
        let result = study_record::Entity::insert(record_row(r))
            .on_conflict_do_nothing_on([
                study_record::Column::MemberId,
                study_record::Column::MaterialId,
            ])
            .exec_without_returning(&self.conn)
            .await;
        match result {
            Ok(TryInsertResult::Inserted(n)) => Ok(n > 0),
            Ok(TryInsertResult::Conflicted | TryInsertResult::Empty) => Ok(false),
            Err(e) => Err(map_db_err(e)),
        }
    }

    async fn update(&self, r: &StudyRecord) -> Result<(), RepoError> {
        study_record::Entity::update(record_row(r))
            .exec(&self.conn)
            .await
            .map(|_| ())
            .map_err(|e| match e {
                sea_orm::DbErr::RecordNotUpdated => RepoError::NotFound,
                other => map_db_err(other),
            })
    }

    async fn points_between(
        &self,
        member: MemberId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<i64, RepoError> {
        let points: Vec<i32> = study_record::Entity::find()
            .select_only()
            .column(study_record::Column::Points)
            .filter(study_record::Column::MemberId.eq(member.as_uuid()))
            .filter(study_record::Column::CompletedAt.gte(from))
            .filter(study_record::Column::CompletedAt.lt(until))
            .into_tuple()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(points.into_iter().map(i64::from).sum())
    }

    async fn completed_before(
        &self,
        material: MaterialId,
        until: DateTime<Utc>,
    ) -> Result<Vec<MemberId>, RepoError> {
        let ids: Vec<uuid::Uuid> = study_record::Entity::find()
            .select_only()
            .column(study_record::Column::MemberId)
            .filter(study_record::Column::MaterialId.eq(material.as_uuid()))
            .filter(study_record::Column::CompletedAt.lt(until))
            .into_tuple()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(ids.into_iter().map(MemberId::from_uuid).collect())
    }

    async fn of_member(
        &self,
        member: MemberId,
        materials: &[MaterialId],
    ) -> Result<Vec<StudyRecord>, RepoError> {
        if materials.is_empty() {
            return Ok(Vec::new());
        }
        fetch_all(
            &self.conn,
            study_record::Entity::find()
                .filter(study_record::Column::MemberId.eq(member.as_uuid()))
                .filter(
                    study_record::Column::MaterialId.is_in(materials.iter().map(|m| m.as_uuid())),
                ),
            record_to_domain,
        )
        .await
    }
}
