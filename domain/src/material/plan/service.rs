//! Writing and reading plans, and a member's tasks of a month.

use crate::error::ErrorCode;

use super::model::*;
use crate::calendar::YearMonth;
use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, FieldError};
use crate::material::model::{Material, MaterialId, MaterialStatus};
use crate::material::ports::MaterialRepo;
use crate::org::policy::{self, Action, Actor};
use crate::org::{Member, Org, OrgId, OrgKind, OrgRepo};

/// Every material a plan points to must be published and reach the plan's readers
/// (`reaches`), so a task never points to something its members cannot open.
async fn check_materials(
    materials: &dyn MaterialRepo,
    content: &PlanContent,
    reaches: impl Fn(&Material) -> bool,
) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    for (pointer, task) in all_tasks(content) {
        for (i, id) in task.material_ids.iter().enumerate() {
            let ok = materials
                .get(*id)
                .await?
                .is_some_and(|m| m.status == MaterialStatus::Published && reaches(&m));
            if !ok {
                errors.push(FieldError::new(
                    format!("{pointer}/materialIds/{i}"),
                    ErrorCode::StudyPlanMaterialInvalid,
                    format!("material {id} does not exist or does not reach this plan's members"),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errors))
    }
}

async fn plan_branch(
    orgs: &dyn OrgRepo,
    actor: &Actor,
    id: OrgId,
    action: Action,
) -> Result<Org, DomainError> {
    let org = policy::load_in_scope(actor, action, orgs.get(id), |o| &o.path).await?;
    if org.kind != OrgKind::Branch {
        return Err(DomainError::refused(
            ErrorCode::StudyPlanNeedsBranch,
            "study plans are kept per branch (党支部)",
        ));
    }
    Ok(org)
}

/// Writes (or replaces) a branch's yearly plan: S of the branch, T above it.
pub async fn put_branch_plan(
    ctx: &WriteContext<'_>,
    org_id: OrgId,
    year: i32,
    content: PlanContent,
) -> Result<StudyPlan, DomainError> {
    check_year(year)?;
    policy::may_somewhere(ctx.actor, Action::PublishMaterials)?;
    let content = validated(content, true)?;
    let uow = ctx.tx.begin().await?;
    let org = plan_branch(uow.orgs(), ctx.actor, org_id, Action::PublishMaterials).await?;
    check_materials(uow.materials(), &content, |m| {
        m.audience.org_path.covers(&org.path)
    })
    .await?;
    let content = normalised(content);
    let now = ctx.clock.now();
    let stored = uow
        .study_plans()
        .put(&StudyPlan {
            id: StudyPlanId::at(now),
            owner: PlanOwner::Branch(org.id),
            org_id: org.id,
            year,
            content,
            revision: 1,
            updated_by: ctx.actor.member_id,
            created_at: now,
            updated_at: now,
        })
        .await?;
    ctx.commit_audited(
        uow,
        now,
        "study_plan.put",
        "study_plan",
        stored.id.to_string(),
        Some((org.id, &org.path)),
    )
    .await?;
    Ok(stored)
}

/// A branch's plan of `year`: its members and those covering it may read it.
pub async fn branch_plan(
    ctx: &ReadContext<'_>,
    org_id: OrgId,
    year: i32,
) -> Result<StudyPlan, DomainError> {
    let (orgs, plans, actor) = (ctx.repos.orgs(), ctx.repos.study_plans(), ctx.actor);
    check_year(year)?;
    let org = plan_branch(orgs, actor, org_id, Action::ReadActivities).await?;
    plans
        .get(PlanOwner::Branch(org.id), year)
        .await?
        .ok_or(DomainError::NotFound)
}

/// A branch's plans, newest year first.
pub async fn branch_plans(
    ctx: &ReadContext<'_>,
    org_id: OrgId,
) -> Result<Vec<StudyPlan>, DomainError> {
    let (orgs, plans, actor) = (ctx.repos.orgs(), ctx.repos.study_plans(), ctx.actor);
    let org = plan_branch(orgs, actor, org_id, Action::ReadActivities).await?;
    Ok(plans.of_owner(PlanOwner::Branch(org.id)).await?)
}

/// Writes (or replaces) the caller's personal yearly plan: leading cadres only.
pub async fn put_personal_plan(
    ctx: &WriteContext<'_>,
    member: &Member,
    year: i32,
    content: PlanContent,
) -> Result<StudyPlan, DomainError> {
    check_year(year)?;
    if !member.leading_cadre {
        return Err(DomainError::refused(
            ErrorCode::StudyPlanCadresOnly,
            "personal study plans are kept by leading cadres (领导干部)",
        ));
    }
    let content = validated(content, false)?;
    let uow = ctx.tx.begin().await?;
    check_materials(uow.materials(), &content, |m| m.audience.includes(member)).await?;
    let content = normalised(content);
    let now = ctx.clock.now();
    let stored = uow
        .study_plans()
        .put(&StudyPlan {
            id: StudyPlanId::at(now),
            owner: PlanOwner::Member(member.id),
            org_id: member.branch_id,
            year,
            content,
            revision: 1,
            updated_by: member.id,
            created_at: now,
            updated_at: now,
        })
        .await?;
    ctx.commit_audited(
        uow,
        now,
        "study_plan.put",
        "study_plan",
        stored.id.to_string(),
        Some((member.branch_id, &member.branch_path)),
    )
    .await?;
    Ok(stored)
}

/// The member's tasks in `month`: their branch plan's, then their personal plan's.
pub async fn month_tasks(
    ctx: &ReadContext<'_>,
    member: &Member,
    month: YearMonth,
) -> Result<Vec<MonthTask>, DomainError> {
    let (repos, now) = (ctx.repos, ctx.clock.now());
    let year = month.year();
    let mut tasks = Vec::new();
    for owner in [
        PlanOwner::Branch(member.branch_id),
        PlanOwner::Member(member.id),
    ] {
        let Some(plan) = repos.study_plans().get(owner, year).await? else {
            continue;
        };
        let personal = matches!(owner, PlanOwner::Member(_));
        for q in &plan.content.quarters {
            for t in q.tasks.iter().filter(|t| t.month == month.month()) {
                tasks.push((Some(q.quarter), personal, t.clone()));
            }
        }
        for t in plan
            .content
            .items
            .iter()
            .filter(|t| t.month == month.month())
        {
            tasks.push((None, personal, t.clone()));
        }
    }
    let ids: Vec<MaterialId> = tasks
        .iter()
        .flat_map(|(_, _, t)| t.material_ids.iter().copied())
        .collect();
    let records = repos.study_records().of_member(member.id, &ids).await?;
    let mut out = Vec::new();
    for (quarter, personal, task) in tasks {
        let mut materials = Vec::new();
        for id in &task.material_ids {
            let material = repos
                .materials()
                .get(*id)
                .await?
                .filter(|m| m.is_live(now) && m.audience.includes(member));
            materials.push(TaskMaterial {
                id: *id,
                // The member's own record stays theirs even if the material is withdrawn.
                record: records.iter().find(|r| r.material_id == *id).cloned(),
                material,
            });
        }
        out.push(MonthTask {
            quarter,
            personal,
            task,
            materials,
        });
    }
    Ok(out)
}
