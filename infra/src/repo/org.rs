use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::FromQueryResult;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{fetch_all, page_by_id, prefix_range, subtree, IdOrder, Repos};
use crate::entity::{member, org, role_grant};
use crate::error::map_db_err;
use crate::near::Invalidation;
use domain::error::RepoError;
use domain::org::{
    Member, MemberCategory, MemberId, MemberQuery, MemberRepo, MemberStatus, MemberVisibility, Org,
    OrgId, OrgKind, OrgPath, OrgRepo, OrgSector, PhoneNumber, RoleGrant, RoleGrantId, RoleKind,
    RoleRepo,
};
use domain::page::{Page, PageRequest};

fn corrupt(what: &str, value: &str) -> RepoError {
    RepoError::Other(format!("stored {what} is invalid: {value}").into())
}

fn path(raw: &str) -> Result<OrgPath, RepoError> {
    OrgPath::parse(raw).ok_or_else(|| corrupt("org path", raw))
}

fn org_to_domain(row: org::Model) -> Result<Org, RepoError> {
    Ok(Org {
        id: OrgId::from_uuid(row.id),
        parent_id: row.parent_id.map(OrgId::from_uuid),
        kind: OrgKind::parse(&row.kind).ok_or_else(|| corrupt("org kind", &row.kind))?,
        sector: OrgSector::parse(&row.sector).ok_or_else(|| corrupt("org sector", &row.sector))?,
        name: row.name,
        path: path(&row.path)?,
        created_at: row.created_at,
    })
}

pub(super) fn member_to_domain(row: member::Model) -> Result<Member, RepoError> {
    Ok(Member {
        id: MemberId::from_uuid(row.id),
        name: row.name,
        phone: PhoneNumber::parse(&row.phone).map_err(|_| corrupt("phone", "(masked)"))?,
        category: MemberCategory::parse(&row.category)
            .ok_or_else(|| corrupt("member category", &row.category))?,
        branch_id: OrgId::from_uuid(row.branch_id),
        group_id: row.group_id.map(OrgId::from_uuid),
        branch_path: path(&row.branch_path)?,
        leading_cadre: row.leading_cadre,
        probationary: row.probationary,
        status: MemberStatus::parse(&row.status)
            .ok_or_else(|| corrupt("member status", &row.status))?,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// A row of [`RoleRepo::grants_and_revocations`]'s statement.
#[derive(Debug, FromQueryResult)]
struct GrantOrRevocation {
    part: String,
    id: Uuid,
    kind: Option<String>,
    org_id: Option<Uuid>,
    org_path: Option<String>,
    can_review: Option<bool>,
    at: chrono::DateTime<chrono::Utc>,
}

fn grant_to_domain(row: role_grant::Model) -> Result<RoleGrant, RepoError> {
    Ok(RoleGrant {
        id: RoleGrantId::from_uuid(row.id),
        member_id: MemberId::from_uuid(row.member_id),
        kind: RoleKind::parse(&row.kind).ok_or_else(|| corrupt("role kind", &row.kind))?,
        org_id: OrgId::from_uuid(row.org_id),
        org_path: path(&row.org_path)?,
        can_review: row.can_review,
        granted_at: row.granted_at,
    })
}

fn member_row(m: &Member) -> member::ActiveModel {
    member::ActiveModel {
        id: Set(m.id.as_uuid()),
        name: Set(m.name.clone()),
        phone: Set(m.phone.as_str().to_owned()),
        category: Set(m.category.as_str().to_owned()),
        branch_id: Set(m.branch_id.as_uuid()),
        group_id: Set(m.group_id.map(|g| g.as_uuid())),
        branch_path: Set(m.branch_path.as_str().to_owned()),
        leading_cadre: Set(m.leading_cadre),
        probationary: Set(m.probationary),
        status: Set(m.status.as_str().to_owned()),
        created_at: Set(m.created_at),
        updated_at: Set(m.updated_at),
    }
}

/// `%text%` with LIKE's wildcards in `text` taken literally.
fn contains_pattern(text: &str) -> LikeExpr {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> OrgRepo for Repos<C> {
    async fn get(&self, id: OrgId) -> Result<Option<Org>, RepoError> {
        // Every `/me` names the caller's branch and the orgs of their roles.
        let uuid = id.as_uuid();
        self.through_near(
            Invalidation::Org(uuid),
            |n| n.org(uuid),
            |n, ticket, o| n.fill_org(ticket, o),
            async {
                org::Entity::find_by_id(uuid)
                    .one(&self.conn)
                    .await
                    .map_err(map_db_err)?
                    .map(org_to_domain)
                    .transpose()
            },
        )
        .await
    }

    async fn children(&self, id: OrgId, page: &PageRequest) -> Result<Page<Org>, RepoError> {
        let query = org::Entity::find().filter(org::Column::ParentId.eq(id.as_uuid()));
        page_by_id(
            &self.conn,
            query,
            IdOrder::Oldest,
            org::Column::Id,
            page,
            org_to_domain,
            |o| o.id.as_uuid(),
        )
        .await
    }

    async fn insert(&self, o: &Org) -> Result<(), RepoError> {
        let row = org::ActiveModel {
            id: Set(o.id.as_uuid()),
            parent_id: Set(o.parent_id.map(|p| p.as_uuid())),
            kind: Set(o.kind.as_str().to_owned()),
            sector: Set(o.sector.as_str().to_owned()),
            name: Set(o.name.clone()),
            path: Set(o.path.as_str().to_owned()),
            created_at: Set(o.created_at),
            updated_at: Set(o.created_at),
        };
        org::Entity::insert(row)
            .exec_without_returning(&self.conn)
            .await
            .map(|_| ())
            .map_err(map_db_err)?;
        self.changed(vec![Invalidation::Org(o.id.as_uuid())]).await;
        Ok(())
    }

    async fn branches_under(&self, path: &OrgPath) -> Result<Vec<Org>, RepoError> {
        fetch_all(
            &self.conn,
            org::Entity::find()
                .filter(subtree(org::Column::Path, path))
                .filter(org::Column::Kind.eq(OrgKind::Branch.as_str()))
                .order_by_asc(org::Column::Id),
            org_to_domain,
        )
        .await
    }

    async fn all_children(&self, id: OrgId) -> Result<Vec<Org>, RepoError> {
        fetch_all(
            &self.conn,
            org::Entity::find()
                .filter(org::Column::ParentId.eq(id.as_uuid()))
                .order_by_asc(org::Column::Id),
            org_to_domain,
        )
        .await
    }

    async fn roots(&self) -> Result<Vec<Org>, RepoError> {
        fetch_all(
            &self.conn,
            org::Entity::find()
                .filter(org::Column::ParentId.is_null())
                .order_by_asc(org::Column::Id),
            org_to_domain,
        )
        .await
    }

    async fn subtree(&self, path: &OrgPath) -> Result<Vec<Org>, RepoError> {
        fetch_all(
            &self.conn,
            org::Entity::find()
                .filter(subtree(org::Column::Path, path))
                .order_by_asc(org::Column::Path),
            org_to_domain,
        )
        .await
    }

    async fn update(&self, o: &Org) -> Result<(), RepoError> {
        let result = org::Entity::update_many()
            .col_expr(org::Column::Name, Expr::value(o.name.clone()))
            .col_expr(org::Column::Sector, Expr::value(o.sector.as_str()))
            .filter(org::Column::Id.eq(o.id.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        if result.rows_affected == 0 {
            return Err(RepoError::NotFound);
        }
        self.changed(vec![Invalidation::Org(o.id.as_uuid())]).await;
        Ok(())
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> MemberRepo for Repos<C> {
    async fn get(&self, id: MemberId) -> Result<Option<Member>, RepoError> {
        member::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(member_to_domain)
            .transpose()
    }

    async fn get_visible(
        &self,
        id: MemberId,
        within: &MemberVisibility,
    ) -> Result<Option<Member>, RepoError> {
        let mut visible = Condition::any()
            .add(member::Column::Id.eq(within.member.as_uuid()))
            .add(member::Column::BranchPath.eq(within.branch.as_str()));
        for subtree in &within.subtrees {
            let (lo, hi) = prefix_range(subtree.as_str());
            let mut range = Condition::all().add(member::Column::BranchPath.gte(lo));
            if let Some(hi) = hi {
                range = range.add(member::Column::BranchPath.lt(hi));
            }
            visible = visible.add(range);
        }
        member::Entity::find_by_id(id.as_uuid())
            .filter(visible)
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(member_to_domain)
            .transpose()
    }

    async fn find_by_phone(&self, phone: &PhoneNumber) -> Result<Option<Member>, RepoError> {
        member::Entity::find()
            .filter(member::Column::Phone.eq(phone.as_str()))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(member_to_domain)
            .transpose()
    }

    async fn list(&self, q: &MemberQuery, page: &PageRequest) -> Result<Page<Member>, RepoError> {
        let mut query = member::Entity::find();
        if q.include_subtree {
            let (lo, hi) = prefix_range(q.org.as_str());
            query = query.filter(member::Column::BranchPath.gte(lo));
            if let Some(hi) = hi {
                query = query.filter(member::Column::BranchPath.lt(hi));
            }
        } else {
            query = query.filter(member::Column::BranchPath.eq(q.org.as_str()));
        }
        if let Some(group) = q.group {
            query = query.filter(member::Column::GroupId.eq(group.as_uuid()));
        }
        if let Some(text) = q.name_contains.as_deref().filter(|t| !t.is_empty()) {
            query = query.filter(Expr::col(member::Column::Name).like(contains_pattern(text)));
        }
        page_by_id(
            &self.conn,
            query,
            IdOrder::Oldest,
            member::Column::Id,
            page,
            member_to_domain,
            |m| m.id.as_uuid(),
        )
        .await
    }

    async fn lock(&self, id: MemberId) -> Result<(), RepoError> {
        // SELECT … FOR UPDATE on PostgreSQL; SQLite has no row locks, and its unit of work
        // already holds the write lock (BEGIN IMMEDIATE).
        let mut query = member::Entity::find_by_id(id.as_uuid()).select_only();
        query = query.column(member::Column::Id);
        if self.conn.get_database_backend() == sea_orm::DbBackend::Postgres {
            query = query.lock_exclusive();
        }
        query
            .into_tuple::<Uuid>()
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .ok_or(RepoError::NotFound)
            .map(|_| ())
    }

    async fn active_in_branch(&self, branch: &OrgPath) -> Result<Vec<Member>, RepoError> {
        fetch_all(
            &self.conn,
            member::Entity::find()
                .filter(member::Column::BranchPath.eq(branch.as_str()))
                .filter(member::Column::Status.eq(MemberStatus::Active.as_str()))
                .order_by_asc(member::Column::Id),
            member_to_domain,
        )
        .await
    }

    async fn insert(&self, m: &Member) -> Result<(), RepoError> {
        member::Entity::insert(member_row(m))
            .exec_without_returning(&self.conn)
            .await
            .map(|_| ())
            .map_err(map_db_err)?;
        self.changed(vec![Invalidation::Member(m.id.as_uuid())])
            .await;
        Ok(())
    }

    async fn update(&self, m: &Member) -> Result<(), RepoError> {
        member::Entity::update(member_row(m))
            .exec(&self.conn)
            .await
            .map(|_| ())
            .map_err(|e| match map_db_err(e) {
                // sea-orm reports an update that matched nothing as a missing record.
                RepoError::Other(e)
                    if e.to_string().contains("None of the records are updated") =>
                {
                    RepoError::NotFound
                }
                other => other,
            })?;
        self.changed(vec![Invalidation::Member(m.id.as_uuid())])
            .await;
        Ok(())
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> RoleRepo for Repos<C> {
    async fn of_member(&self, member: MemberId) -> Result<Vec<RoleGrant>, RepoError> {
        fetch_all(
            &self.conn,
            role_grant::Entity::find()
                .filter(role_grant::Column::MemberId.eq(member.as_uuid()))
                .order_by_asc(role_grant::Column::Id),
            grant_to_domain,
        )
        .await
    }

    async fn grants_and_revocations(
        &self,
        member: MemberId,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Vec<RoleGrant>, Vec<(Uuid, chrono::DateTime<chrono::Utc>)>), RepoError> {
        let backend = self.conn.get_database_backend();
        let (m, s) = match backend {
            sea_orm::DbBackend::Postgres => ("$1", "$2"),
            _ => ("?1", "?2"),
        };
        // One statement for both: the grants' columns, then the revocations' id and instant
        // with the grant-only columns NULL.
        let sql = format!(
            "SELECT 'g' AS part, id, kind, org_id, org_path, can_review, granted_at AS at \
             FROM role_grant WHERE member_id = {m} \
             UNION ALL \
             SELECT 'r', id, NULL, NULL, NULL, NULL, revoked_at \
             FROM session_revocation WHERE member_id = {m} AND revoked_at >= {s} \
             ORDER BY 1, 2"
        );
        let rows = GrantOrRevocation::find_by_statement(sea_orm::Statement::from_sql_and_values(
            backend,
            sql,
            [member.as_uuid().into(), since.into()],
        ))
        .all(&self.conn)
        .await
        .map_err(map_db_err)?;
        let (mut grants, mut revocations) = (Vec::new(), Vec::new());
        for row in rows {
            match (row.part.as_str(), row.kind, row.org_id, row.org_path) {
                ("g", Some(kind), Some(org_id), Some(org_path)) => {
                    grants.push(grant_to_domain(role_grant::Model {
                        id: row.id,
                        member_id: member.as_uuid(),
                        kind,
                        org_id,
                        org_path,
                        can_review: row.can_review.unwrap_or(false),
                        granted_at: row.at,
                    })?)
                }
                ("r", ..) => revocations.push((row.id, row.at)),
                (part, ..) => return Err(corrupt("grant or revocation row", part)),
            }
        }
        Ok((grants, revocations))
    }

    async fn held_on(&self, org: OrgId) -> Result<Vec<RoleGrant>, RepoError> {
        fetch_all(
            &self.conn,
            role_grant::Entity::find()
                .filter(role_grant::Column::OrgId.eq(org.as_uuid()))
                .order_by_asc(role_grant::Column::Id),
            grant_to_domain,
        )
        .await
    }

    async fn get(&self, id: RoleGrantId) -> Result<Option<RoleGrant>, RepoError> {
        role_grant::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(grant_to_domain)
            .transpose()
    }

    async fn insert(&self, g: &RoleGrant) -> Result<(), RepoError> {
        let row = role_grant::ActiveModel {
            id: Set(g.id.as_uuid()),
            member_id: Set(g.member_id.as_uuid()),
            kind: Set(g.kind.as_str().to_owned()),
            org_id: Set(g.org_id.as_uuid()),
            org_path: Set(g.org_path.as_str().to_owned()),
            can_review: Set(g.can_review),
            granted_at: Set(g.granted_at),
        };
        role_grant::Entity::insert(row)
            .exec_without_returning(&self.conn)
            .await
            .map(|_| ())
            .map_err(map_db_err)?;
        self.changed(vec![Invalidation::Member(g.member_id.as_uuid())])
            .await;
        Ok(())
    }

    async fn delete(&self, id: RoleGrantId) -> Result<(), RepoError> {
        // Whose grant it was, so their instances' principals are dropped.
        let holder = role_grant::Entity::find_by_id(id.as_uuid())
            .select_only()
            .column(role_grant::Column::MemberId)
            .into_tuple::<Uuid>()
            .one(&self.conn)
            .await
            .map_err(map_db_err)?;
        let result = role_grant::Entity::delete_by_id(id.as_uuid())
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        if result.rows_affected == 0 {
            return Err(RepoError::NotFound);
        }
        let changed = match holder {
            Some(member) => Invalidation::Member(member),
            None => Invalidation::All,
        };
        self.changed(vec![changed]).await;
        Ok(())
    }
}
