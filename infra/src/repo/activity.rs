use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, TryInsertResult,
};
use uuid::Uuid;

use super::{any_subtree, fetch_all, page_by_id, subtree, IdOrder, Repos};
use crate::entity::{activity, check_in, exemption, holiday_calendar};
use crate::error::map_db_err;
use crate::near::Invalidation;
use domain::activity::calendar::HolidayCalendar;
use domain::activity::geo::{GeoPoint, Geofence};
use domain::activity::{
    Activity, ActivityId, ActivityKind, ActivityRepo, ActivityStatus, CheckIn, CheckInId,
    CheckInMethod, CheckInRepo, Exemption, ExemptionId, ExemptionRepo, ExemptionScope, HolidayRepo,
    ProofKind, Review, ReviewStatus, ThemeCategory,
};
use domain::error::RepoError;
use domain::org::{MemberId, OrgId, OrgPath};
use domain::page::{Page, PageRequest};

fn corrupt(what: &str, value: &str) -> RepoError {
    RepoError::Other(format!("stored {what} is invalid: {value}").into())
}

fn path(raw: &str) -> Result<OrgPath, RepoError> {
    OrgPath::parse(raw).ok_or_else(|| corrupt("org path", raw))
}

fn status(raw: &str) -> Result<ReviewStatus, RepoError> {
    ReviewStatus::parse(raw).ok_or_else(|| corrupt("review status", raw))
}

fn review(by: Option<Uuid>, at: Option<DateTime<Utc>>, reason: Option<String>) -> Option<Review> {
    match (by, at) {
        (Some(by), Some(at)) => Some(Review {
            reviewer_id: MemberId::from_uuid(by),
            reviewed_at: at,
            reason,
        }),
        _ => None,
    }
}

fn activity_to_domain(r: activity::Model) -> Result<Activity, RepoError> {
    let geofence = match (r.geo_lat, r.geo_lng, r.geo_radius_m) {
        (Some(lat), Some(lng), Some(radius)) => Some(
            GeoPoint::new(lat, lng)
                .and_then(|c| Geofence::new(c, radius))
                .ok_or_else(|| corrupt("geofence", &r.id.to_string()))?,
        ),
        _ => None,
    };
    Ok(Activity {
        id: ActivityId::from_uuid(r.id),
        branch_id: OrgId::from_uuid(r.branch_id),
        group_id: r.group_id.map(OrgId::from_uuid),
        branch_path: path(&r.branch_path)?,
        kind: ActivityKind::parse(&r.kind).ok_or_else(|| corrupt("activity kind", &r.kind))?,
        theme_category: r
            .theme_category
            .as_deref()
            .map(|c| ThemeCategory::parse(c).ok_or_else(|| corrupt("theme category", c)))
            .transpose()?,
        title: r.title,
        place: r.place,
        lecturer_id: r.lecturer_id.map(MemberId::from_uuid),
        lecturer_name: r.lecturer_name,
        lecturer_is_secretary: r.lecturer_is_secretary,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        window_opens_at: r.window_opens_at,
        window_closes_at: r.window_closes_at,
        proof: ProofKind::parse(&r.proof).ok_or_else(|| corrupt("proof kind", &r.proof))?,
        geofence,
        online_allowed: r.online_allowed,
        qr_auto_approve: r.qr_auto_approve,
        status: ActivityStatus::parse(&r.status)
            .ok_or_else(|| corrupt("activity status", &r.status))?,
        cancel_reason: r.cancel_reason,
        created_by: MemberId::from_uuid(r.created_by),
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

fn activity_row(a: &Activity) -> activity::ActiveModel {
    activity::ActiveModel {
        id: Set(a.id.as_uuid()),
        branch_id: Set(a.branch_id.as_uuid()),
        group_id: Set(a.group_id.map(|g| g.as_uuid())),
        branch_path: Set(a.branch_path.as_str().to_owned()),
        kind: Set(a.kind.as_str().to_owned()),
        theme_category: Set(a.theme_category.map(|c| c.as_str().to_owned())),
        title: Set(a.title.clone()),
        place: Set(a.place.clone()),
        lecturer_id: Set(a.lecturer_id.map(|l| l.as_uuid())),
        lecturer_name: Set(a.lecturer_name.clone()),
        lecturer_is_secretary: Set(a.lecturer_is_secretary),
        starts_at: Set(a.starts_at),
        ends_at: Set(a.ends_at),
        window_opens_at: Set(a.window_opens_at),
        window_closes_at: Set(a.window_closes_at),
        proof: Set(a.proof.as_str().to_owned()),
        geo_lat: Set(a.geofence.map(|g| g.center().lat())),
        geo_lng: Set(a.geofence.map(|g| g.center().lng())),
        geo_radius_m: Set(a.geofence.map(|g| g.radius_m())),
        online_allowed: Set(a.online_allowed),
        qr_auto_approve: Set(a.qr_auto_approve),
        status: Set(a.status.as_str().to_owned()),
        cancel_reason: Set(a.cancel_reason.clone()),
        created_by: Set(a.created_by.as_uuid()),
        created_at: Set(a.created_at),
        updated_at: Set(a.updated_at),
    }
}

pub(super) fn check_in_to_domain(r: check_in::Model) -> Result<CheckIn, RepoError> {
    let location = match (r.lat, r.lng) {
        (Some(lat), Some(lng)) => GeoPoint::new(lat, lng),
        _ => None,
    };
    Ok(CheckIn {
        id: CheckInId::from_uuid(r.id),
        activity_id: ActivityId::from_uuid(r.activity_id),
        member_id: MemberId::from_uuid(r.member_id),
        branch_path: path(&r.branch_path)?,
        method: CheckInMethod::parse(&r.method)
            .ok_or_else(|| corrupt("check-in method", &r.method))?,
        status: status(&r.status)?,
        client_time: r.client_time,
        location,
        created_at: r.created_at,
        review: review(r.reviewed_by, r.reviewed_at, r.review_reason),
        checked_out_at: r.checked_out_at,
    })
}

fn exemption_to_domain(r: exemption::Model) -> Result<Exemption, RepoError> {
    let scope = match (r.activity_id, r.from_date, r.to_date) {
        (Some(a), _, _) => ExemptionScope::Activity(ActivityId::from_uuid(a)),
        (None, Some(from), Some(to)) => ExemptionScope::Dates { from, to },
        _ => return Err(corrupt("exemption scope", &r.id.to_string())),
    };
    Ok(Exemption {
        id: ExemptionId::from_uuid(r.id),
        member_id: MemberId::from_uuid(r.member_id),
        branch_path: path(&r.branch_path)?,
        scope,
        reason: r.reason,
        status: status(&r.status)?,
        created_at: r.created_at,
        review: review(r.reviewed_by, r.reviewed_at, r.review_reason),
    })
}

fn dates_text(dates: &std::collections::BTreeSet<NaiveDate>) -> String {
    dates
        .iter()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_dates(raw: &str) -> Result<std::collections::BTreeSet<NaiveDate>, RepoError> {
    raw.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| corrupt("holiday date", s)))
        .collect()
}

#[derive(Debug, FromQueryResult)]
struct CountRow {
    id: Uuid,
    n: i64,
}

#[derive(Debug, FromQueryResult)]
struct OptionalCountRow {
    id: Option<Uuid>,
    n: i64,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> ActivityRepo for Repos<C> {
    async fn get(&self, id: ActivityId) -> Result<Option<Activity>, RepoError> {
        // Check-in reads the activity on every call.
        let uuid = id.as_uuid();
        self.through_near(
            Invalidation::Activity(uuid),
            |n| n.activity(uuid),
            |n, ticket, a| n.fill_activity(ticket, a),
            async {
                activity::Entity::find_by_id(uuid)
                    .one(&self.conn)
                    .await
                    .map_err(map_db_err)?
                    .map(activity_to_domain)
                    .transpose()
            },
        )
        .await
    }

    async fn get_many(&self, ids: &[ActivityId]) -> Result<Vec<Activity>, RepoError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        fetch_all(
            &self.conn,
            activity::Entity::find()
                .filter(activity::Column::Id.is_in(ids.iter().map(|i| i.as_uuid()))),
            activity_to_domain,
        )
        .await
    }

    async fn insert(&self, a: &Activity) -> Result<(), RepoError> {
        activity::Entity::insert(activity_row(a))
            .exec_without_returning(&self.conn)
            .await
            .map(|_| ())
            .map_err(map_db_err)?;
        self.changed(vec![Invalidation::Activity(a.id.as_uuid())])
            .await;
        Ok(())
    }

    async fn update(&self, a: &Activity) -> Result<(), RepoError> {
        let result = activity::Entity::update_many()
            .set(activity_row(a))
            .filter(activity::Column::Id.eq(a.id.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        if result.rows_affected == 0 {
            return Err(RepoError::NotFound);
        }
        self.changed(vec![Invalidation::Activity(a.id.as_uuid())])
            .await;
        Ok(())
    }

    async fn starting_between(
        &self,
        under: &OrgPath,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<Activity>, RepoError> {
        fetch_all(
            &self.conn,
            activity::Entity::find()
                .filter(subtree(activity::Column::BranchPath, under))
                .filter(activity::Column::StartsAt.gte(from))
                .filter(activity::Column::StartsAt.lt(until))
                .order_by_asc(activity::Column::StartsAt)
                .order_by_asc(activity::Column::Id)
                .limit(limit),
            activity_to_domain,
        )
        .await
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> CheckInRepo for Repos<C> {
    async fn insert_if_absent(&self, c: &CheckIn) -> Result<Option<CheckIn>, RepoError> {
        let row = check_in::ActiveModel {
            id: Set(c.id.as_uuid()),
            activity_id: Set(c.activity_id.as_uuid()),
            member_id: Set(c.member_id.as_uuid()),
            branch_path: Set(c.branch_path.as_str().to_owned()),
            method: Set(c.method.as_str().to_owned()),
            status: Set(c.status.as_str().to_owned()),
            client_time: Set(c.client_time),
            lat: Set(c.location.map(|p| p.lat())),
            lng: Set(c.location.map(|p| p.lng())),
            created_at: Set(c.created_at),
            reviewed_by: Set(None),
            reviewed_at: Set(None),
            review_reason: Set(None),
            checked_out_at: Set(c.checked_out_at),
        };
        // ON CONFLICT DO NOTHING … RETURNING: a duplicate is not an error (so on PostgreSQL
        // the surrounding transaction, if any, stays usable), and the row comes back as
        // stored in the same round trip.
        let result = check_in::Entity::insert(row)
            .on_conflict_do_nothing_on([check_in::Column::ActivityId, check_in::Column::MemberId])
            .exec_with_returning(&self.conn)
            .await;
        match result {
            Ok(TryInsertResult::Inserted(model)) => check_in_to_domain(model).map(Some),
            Ok(TryInsertResult::Conflicted | TryInsertResult::Empty) => Ok(None),
            // sea-orm 2.0 answers an empty RETURNING (the conflict) with RecordNotFound
            // ("Failed to find inserted item"), not RecordNotInserted.
            Err(sea_orm::DbErr::RecordNotFound(_)) => Ok(None),
            Err(e) => Err(map_db_err(e)),
        }
    }

    async fn get(&self, id: CheckInId) -> Result<Option<CheckIn>, RepoError> {
        check_in::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(check_in_to_domain)
            .transpose()
    }

    async fn of_member(
        &self,
        activity: ActivityId,
        member: MemberId,
    ) -> Result<Option<CheckIn>, RepoError> {
        check_in::Entity::find()
            .filter(check_in::Column::ActivityId.eq(activity.as_uuid()))
            .filter(check_in::Column::MemberId.eq(member.as_uuid()))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(check_in_to_domain)
            .transpose()
    }

    async fn get_many(&self, ids: &[CheckInId]) -> Result<Vec<CheckIn>, RepoError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        fetch_all(
            &self.conn,
            check_in::Entity::find()
                .filter(check_in::Column::Id.is_in(ids.iter().map(|i| i.as_uuid())))
                .order_by_asc(check_in::Column::Id),
            check_in_to_domain,
        )
        .await
    }

    async fn list(
        &self,
        activity: ActivityId,
        status: Option<ReviewStatus>,
        page: &PageRequest,
    ) -> Result<Page<CheckIn>, RepoError> {
        let mut query =
            check_in::Entity::find().filter(check_in::Column::ActivityId.eq(activity.as_uuid()));
        if let Some(s) = status {
            query = query.filter(check_in::Column::Status.eq(s.as_str()));
        }
        page_by_id(
            &self.conn,
            query,
            IdOrder::Oldest,
            check_in::Column::Id,
            page,
            check_in_to_domain,
            |c| c.id.as_uuid(),
        )
        .await
    }

    async fn all_of(&self, activity: ActivityId) -> Result<Vec<CheckIn>, RepoError> {
        fetch_all(
            &self.conn,
            check_in::Entity::find()
                .filter(check_in::Column::ActivityId.eq(activity.as_uuid()))
                .order_by_asc(check_in::Column::Id),
            check_in_to_domain,
        )
        .await
    }

    async fn decide(
        &self,
        ids: &[CheckInId],
        status: ReviewStatus,
        review: &Review,
    ) -> Result<u64, RepoError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let result = check_in::Entity::update_many()
            .col_expr(check_in::Column::Status, Expr::value(status.as_str()))
            .col_expr(
                check_in::Column::ReviewedBy,
                Expr::value(review.reviewer_id.as_uuid()),
            )
            .col_expr(
                check_in::Column::ReviewedAt,
                Expr::value(review.reviewed_at),
            )
            .col_expr(
                check_in::Column::ReviewReason,
                Expr::value(review.reason.clone()),
            )
            .filter(check_in::Column::Id.is_in(ids.iter().map(|i| i.as_uuid())))
            .filter(check_in::Column::Status.eq(ReviewStatus::Pending.as_str()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected)
    }

    async fn check_out(&self, id: CheckInId, at: DateTime<Utc>) -> Result<bool, RepoError> {
        let result = check_in::Entity::update_many()
            .col_expr(check_in::Column::CheckedOutAt, Expr::value(at))
            .filter(check_in::Column::Id.eq(id.as_uuid()))
            .filter(check_in::Column::CheckedOutAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn pending_by_activity(
        &self,
        scopes: &[OrgPath],
    ) -> Result<Vec<(ActivityId, u64)>, RepoError> {
        if scopes.is_empty() {
            return Ok(Vec::new());
        }
        let rows = check_in::Entity::find()
            .select_only()
            .column_as(check_in::Column::ActivityId, "id")
            .column_as(check_in::Column::Id.count(), "n")
            .filter(check_in::Column::Status.eq(ReviewStatus::Pending.as_str()))
            .filter(any_subtree(check_in::Column::BranchPath, scopes))
            .group_by(check_in::Column::ActivityId)
            .into_model::<CountRow>()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(rows
            .into_iter()
            .map(|r| (ActivityId::from_uuid(r.id), count(r.n)))
            .collect())
    }

    async fn approved_counts(
        &self,
        activities: &[ActivityId],
    ) -> Result<Vec<(ActivityId, u64)>, RepoError> {
        if activities.is_empty() {
            return Ok(Vec::new());
        }
        let rows = check_in::Entity::find()
            .select_only()
            .column_as(check_in::Column::ActivityId, "id")
            .column_as(check_in::Column::Id.count(), "n")
            .filter(check_in::Column::Status.eq(ReviewStatus::Approved.as_str()))
            .filter(check_in::Column::ActivityId.is_in(activities.iter().map(|a| a.as_uuid())))
            .group_by(check_in::Column::ActivityId)
            .into_model::<CountRow>()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(rows
            .into_iter()
            .map(|r| (ActivityId::from_uuid(r.id), count(r.n)))
            .collect())
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> ExemptionRepo for Repos<C> {
    async fn insert(&self, e: &Exemption) -> Result<(), RepoError> {
        let (activity_id, from, to) = match e.scope {
            ExemptionScope::Activity(a) => (Some(a.as_uuid()), None, None),
            ExemptionScope::Dates { from, to } => (None, Some(from), Some(to)),
        };
        let row = exemption::ActiveModel {
            id: Set(e.id.as_uuid()),
            member_id: Set(e.member_id.as_uuid()),
            branch_path: Set(e.branch_path.as_str().to_owned()),
            activity_id: Set(activity_id),
            from_date: Set(from),
            to_date: Set(to),
            reason: Set(e.reason.clone()),
            status: Set(e.status.as_str().to_owned()),
            created_at: Set(e.created_at),
            reviewed_by: Set(None),
            reviewed_at: Set(None),
            review_reason: Set(None),
        };
        exemption::Entity::insert(row)
            .exec_without_returning(&self.conn)
            .await
            .map(|_| ())
            .map_err(map_db_err)
    }

    async fn get(&self, id: ExemptionId) -> Result<Option<Exemption>, RepoError> {
        exemption::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(exemption_to_domain)
            .transpose()
    }

    async fn list(
        &self,
        under: &OrgPath,
        status: Option<ReviewStatus>,
        page: &PageRequest,
    ) -> Result<Page<Exemption>, RepoError> {
        let mut query =
            exemption::Entity::find().filter(subtree(exemption::Column::BranchPath, under));
        if let Some(s) = status {
            query = query.filter(exemption::Column::Status.eq(s.as_str()));
        }
        // Newest first.
        page_by_id(
            &self.conn,
            query,
            IdOrder::Newest,
            exemption::Column::Id,
            page,
            exemption_to_domain,
            |e| e.id.as_uuid(),
        )
        .await
    }

    async fn live_of_member(&self, member: MemberId) -> Result<Vec<Exemption>, RepoError> {
        fetch_all(
            &self.conn,
            exemption::Entity::find()
                .filter(exemption::Column::MemberId.eq(member.as_uuid()))
                .filter(exemption::Column::Status.is_in([
                    ReviewStatus::Pending.as_str(),
                    ReviewStatus::Approved.as_str(),
                ]))
                .order_by_asc(exemption::Column::Id),
            exemption_to_domain,
        )
        .await
    }

    async fn approved_in_branch(&self, branch: &OrgPath) -> Result<Vec<Exemption>, RepoError> {
        fetch_all(
            &self.conn,
            exemption::Entity::find()
                .filter(exemption::Column::BranchPath.eq(branch.as_str()))
                .filter(exemption::Column::Status.eq(ReviewStatus::Approved.as_str()))
                .order_by_asc(exemption::Column::Id),
            exemption_to_domain,
        )
        .await
    }

    async fn decide(
        &self,
        id: ExemptionId,
        status: ReviewStatus,
        review: &Review,
    ) -> Result<bool, RepoError> {
        let result = exemption::Entity::update_many()
            .col_expr(exemption::Column::Status, Expr::value(status.as_str()))
            .col_expr(
                exemption::Column::ReviewedBy,
                Expr::value(review.reviewer_id.as_uuid()),
            )
            .col_expr(
                exemption::Column::ReviewedAt,
                Expr::value(review.reviewed_at),
            )
            .col_expr(
                exemption::Column::ReviewReason,
                Expr::value(review.reason.clone()),
            )
            .filter(exemption::Column::Id.eq(id.as_uuid()))
            .filter(exemption::Column::Status.eq(ReviewStatus::Pending.as_str()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn pending_by_activity(
        &self,
        scopes: &[OrgPath],
    ) -> Result<Vec<(Option<ActivityId>, u64)>, RepoError> {
        if scopes.is_empty() {
            return Ok(Vec::new());
        }
        let rows = exemption::Entity::find()
            .select_only()
            .column_as(exemption::Column::ActivityId, "id")
            .column_as(exemption::Column::Id.count(), "n")
            .filter(exemption::Column::Status.eq(ReviewStatus::Pending.as_str()))
            .filter(any_subtree(exemption::Column::BranchPath, scopes))
            .group_by(exemption::Column::ActivityId)
            .into_model::<OptionalCountRow>()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(rows
            .into_iter()
            .map(|r| (r.id.map(ActivityId::from_uuid), count(r.n)))
            .collect())
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> HolidayRepo for Repos<C> {
    async fn get(&self, committee: OrgId, year: i32) -> Result<Option<HolidayCalendar>, RepoError> {
        let Some(row) = holiday_calendar::Entity::find_by_id((committee.as_uuid(), year))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
        else {
            return Ok(None);
        };
        Ok(Some(HolidayCalendar {
            holidays: parse_dates(&row.holidays)?,
            workdays: parse_dates(&row.workdays)?,
        }))
    }

    async fn put(
        &self,
        committee: OrgId,
        year: i32,
        calendar: &HolidayCalendar,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let row = holiday_calendar::ActiveModel {
            committee_id: Set(committee.as_uuid()),
            year: Set(year),
            holidays: Set(dates_text(&calendar.holidays)),
            workdays: Set(dates_text(&calendar.workdays)),
            updated_at: Set(at),
        };
        holiday_calendar::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    holiday_calendar::Column::CommitteeId,
                    holiday_calendar::Column::Year,
                ])
                .update_columns([
                    holiday_calendar::Column::Holidays,
                    holiday_calendar::Column::Workdays,
                    holiday_calendar::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(&self.conn)
            .await
            .map(|_| ())
            .map_err(map_db_err)
    }
}
