//! Material services: publish, edit and unpublish (S for their branch, T for their
//! subtree, audited), and reading one material (recording the member's first open). Each
//! makes the cached feeds it changed stale after its commit ([`super::feed`]).

use crate::error::ErrorCode;
use chrono::{DateTime, Utc};

use super::feed;
use super::model::*;
use crate::calendar::YearMonth;
use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, FieldError};
use crate::org::policy::{self, Action, Actor};
use crate::org::{Member, MemberCategory, OrgId};

/// What a publisher sends. `body_html` must already be sanitised.
#[derive(Debug, Clone)]
pub struct NewMaterial {
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub attachments: Vec<Attachment>,
    pub category: MaterialCategory,
    pub required: bool,
    pub lesson_month: Option<YearMonth>,
    pub audience_org: OrgId,
    pub audience_categories: Vec<MemberCategory>,
    pub leading_cadres_only: bool,
    /// `None`: now.
    pub publish_at: Option<DateTime<Utc>>,
    pub study_deadline: Option<DateTime<Utc>>,
}

/// An edit: every field optional. `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct MaterialChanges {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub body_html: Option<String>,
    pub attachments: Option<Vec<Attachment>>,
    pub category: Option<MaterialCategory>,
    pub required: Option<bool>,
    pub lesson_month: Option<Option<YearMonth>>,
    pub audience_org: Option<OrgId>,
    pub audience_categories: Option<Vec<MemberCategory>>,
    pub leading_cadres_only: Option<bool>,
    pub publish_at: Option<DateTime<Utc>>,
    pub study_deadline: Option<Option<DateTime<Utc>>>,
    /// Push the edited material to its audience again.
    pub notify: bool,
}

fn check_body(body: &str) -> Result<(), FieldError> {
    if body.len() > Material::MAX_BODY_BYTES {
        return Err(FieldError::new(
            "/body",
            ErrorCode::MaterialBodyTooLong,
            format!("body must be at most {} bytes", Material::MAX_BODY_BYTES),
        ));
    }
    Ok(())
}

fn check_attachments(list: &[Attachment]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if list.len() > Attachment::MAX_PER_MATERIAL {
        errors.push(FieldError::new(
            "/attachments",
            ErrorCode::MaterialAttachmentsTooMany,
            format!("at most {} attachments", Attachment::MAX_PER_MATERIAL),
        ));
    }
    for (i, a) in list.iter().enumerate() {
        let url_ok =
            crate::text::is_web_link(&a.url, Attachment::MAX_URL_CHARS, &["https://", "http://"]);
        if !url_ok {
            errors.push(FieldError::new(
                format!("/attachments/{i}/url"),
                ErrorCode::MaterialAttachmentUrlInvalid,
                "an absolute http(s) URL of at most 2048 characters",
            ));
        }
        let blank = a.title.trim().is_empty();
        let n = a.title.chars().count();
        if blank || n > Attachment::MAX_TITLE_CHARS || a.title.chars().any(char::is_control) {
            errors.push(FieldError::new(
                format!("/attachments/{i}/title"),
                ErrorCode::MaterialAttachmentTitleInvalid,
                format!("1-{} characters", Attachment::MAX_TITLE_CHARS),
            ));
        }
    }
    errors
}

fn check_deadline(m: &Material) -> Option<FieldError> {
    m.study_deadline.filter(|d| *d <= m.publish_at).map(|_| {
        FieldError::new(
            "/studyDeadline",
            ErrorCode::MaterialDeadlineBeforePublish,
            "the study deadline must be after the publish time",
        )
    })
}

fn validated(mut m: Material) -> Result<Material, DomainError> {
    let mut errors = Vec::new();
    match Material::validate_title(&m.title) {
        Ok(t) => m.title = t,
        Err(e) => errors.push(e),
    }
    match Material::validate_summary(&m.summary) {
        Ok(s) => m.summary = s,
        Err(e) => errors.push(e),
    }
    if let Err(e) = check_body(&m.body_html) {
        errors.push(e);
    }
    errors.extend(check_attachments(&m.attachments));
    let times = [
        crate::clock::check_instant(
            Some(m.publish_at),
            "/publishAt",
            ErrorCode::MaterialTimeInvalid,
        ),
        crate::clock::check_instant(
            m.study_deadline,
            "/studyDeadline",
            ErrorCode::MaterialTimeInvalid,
        ),
    ];
    let times_ok = times.iter().all(Result::is_ok);
    errors.extend(times.into_iter().filter_map(Result::err));
    if times_ok {
        errors.extend(check_deadline(&m));
    }
    let mut seen = Vec::new();
    m.audience.categories.retain(|c| {
        let fresh = !seen.contains(c);
        seen.push(*c);
        fresh
    });
    if errors.is_empty() {
        Ok(m)
    } else {
        Err(DomainError::Validation(errors))
    }
}

/// The audience org, if it exists and the actor may publish to it.
async fn audience_org(
    uow: &dyn crate::uow::UnitOfWork,
    actor: &Actor,
    id: OrgId,
) -> Result<crate::org::Org, DomainError> {
    // Forbidden before lookups: a plain member learns nothing about org ids.
    let org = policy::load_in_scope(actor, Action::PublishMaterials, uow.orgs().get(id), |o| {
        &o.path
    })
    .await?;
    if org.kind == crate::org::OrgKind::Group {
        return Err(DomainError::invalid(
            "/audience/orgId",
            ErrorCode::MaterialAudienceInvalid,
            "an audience is a committee, general branch or branch (members belong to branches)",
        ));
    }
    Ok(org)
}

/// Publishes a material (now or at a scheduled time).
pub async fn publish(ctx: &WriteContext<'_>, new: NewMaterial) -> Result<Material, DomainError> {
    let uow = ctx.tx.begin().await?;
    let org = audience_org(uow.as_ref(), ctx.actor, new.audience_org).await?;
    let now = ctx.clock.now();
    let material = validated(Material {
        id: MaterialId::at(now),
        title: new.title,
        summary: new.summary,
        body_html: new.body_html,
        attachments: new.attachments,
        category: new.category,
        required: new.required,
        lesson_month: new.lesson_month,
        audience: Audience {
            org_id: org.id,
            org_path: org.path.clone(),
            categories: new.audience_categories,
            leading_cadres_only: new.leading_cadres_only,
        },
        publish_at: new.publish_at.unwrap_or(now),
        study_deadline: new.study_deadline,
        status: MaterialStatus::Published,
        revision: 1,
        publisher_id: ctx.actor.member_id,
        created_at: now,
        updated_at: now,
    })?;
    uow.materials().insert(&material).await?;
    push_material(ctx, uow.as_ref(), &material, now).await?;
    ctx.commit_audited(
        uow,
        now,
        "material.publish",
        "material",
        material.id.to_string(),
        Some((org.id, &org.path)),
    )
    .await?;
    feed::invalidate_all(ctx.cache).await;
    Ok(material)
}

/// The active members of an audience today.
async fn audience_members(
    uow: &dyn crate::uow::UnitOfWork,
    audience: &Audience,
) -> Result<Vec<crate::org::MemberId>, DomainError> {
    let mut members = Vec::new();
    for branch in uow.orgs().branches_under(&audience.org_path).await? {
        members.extend(
            uow.members()
                .active_in_branch(&branch.path)
                .await?
                .into_iter()
                .filter(|m| audience.includes(m))
                .map(|m| m.id),
        );
    }
    Ok(members)
}

/// Writes the push of `m`'s current revision to its audience, due at its publish time
/// (when material push is configured), in the caller's unit of work.
async fn push_material(
    ctx: &WriteContext<'_>,
    uow: &dyn crate::uow::UnitOfWork,
    m: &Material,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let Some(template) = ctx.push.material.as_deref() else {
        return Ok(());
    };
    let members = audience_members(uow, &m.audience).await?;
    let message = super::notice::material_message(m, template, now);
    uow.push()
        .enqueue(&message, &members, m.publish_at.max(now))
        .await?;
    Ok(())
}

/// A material the actor may manage: it exists and its audience is inside their scope.
async fn managed(
    uow: &dyn crate::uow::UnitOfWork,
    actor: &Actor,
    id: MaterialId,
) -> Result<Material, DomainError> {
    policy::load_in_scope(
        actor,
        Action::PublishMaterials,
        uow.materials().get(id),
        |m| &m.audience.org_path,
    )
    .await
}

/// Edits a material: a new revision; pushes again only if asked (`notify`).
pub async fn edit(
    ctx: &WriteContext<'_>,
    id: MaterialId,
    changes: MaterialChanges,
) -> Result<Material, DomainError> {
    let uow = ctx.tx.begin().await?;
    let mut m = managed(uow.as_ref(), ctx.actor, id).await?;
    if m.status == MaterialStatus::Unpublished {
        return Err(DomainError::conflict(
            ErrorCode::MaterialUnpublished,
            "an unpublished material cannot be edited",
        ));
    }
    if let Some(org) = changes.audience_org {
        let org = audience_org(uow.as_ref(), ctx.actor, org).await?;
        m.audience.org_id = org.id;
        m.audience.org_path = org.path;
    }
    if let Some(v) = changes.title {
        m.title = v;
    }
    if let Some(v) = changes.summary {
        m.summary = v;
    }
    if let Some(v) = changes.body_html {
        m.body_html = v;
    }
    if let Some(v) = changes.attachments {
        m.attachments = v;
    }
    if let Some(v) = changes.category {
        m.category = v;
    }
    if let Some(v) = changes.required {
        m.required = v;
    }
    if let Some(v) = changes.lesson_month {
        m.lesson_month = v;
    }
    if let Some(v) = changes.audience_categories {
        m.audience.categories = v;
    }
    if let Some(v) = changes.leading_cadres_only {
        m.audience.leading_cadres_only = v;
    }
    if let Some(v) = changes.publish_at {
        m.publish_at = v;
    }
    if let Some(v) = changes.study_deadline {
        m.study_deadline = v;
    }
    let now = ctx.clock.now();
    m.revision += 1;
    m.updated_at = now;
    let m = validated(m)?;
    uow.materials().update(&m).await?;
    if changes.notify {
        // The new revision replaces whatever of the old one has not gone out yet.
        uow.push()
            .cancel_pending(&format!("material:{}", m.id), now)
            .await?;
        push_material(ctx, uow.as_ref(), &m, now).await?;
    }
    ctx.commit_audited(
        uow,
        now,
        "material.edit",
        "material",
        m.id.to_string(),
        Some((m.audience.org_id, &m.audience.org_path)),
    )
    .await?;
    feed::invalidate_all(ctx.cache).await;
    Ok(m)
}

/// Withdraws a material from its audience (idempotent).
pub async fn unpublish(ctx: &WriteContext<'_>, id: MaterialId) -> Result<Material, DomainError> {
    let uow = ctx.tx.begin().await?;
    let mut m = managed(uow.as_ref(), ctx.actor, id).await?;
    if m.status == MaterialStatus::Unpublished {
        // A repeated withdrawal refreshes feeds as the first one did.
        feed::invalidate_all(ctx.cache).await;
        return Ok(m);
    }
    let now = ctx.clock.now();
    m.status = MaterialStatus::Unpublished;
    m.updated_at = now;
    uow.materials().update(&m).await?;
    // What has not gone out yet never will.
    uow.push()
        .cancel_pending(&format!("material:{}", m.id), now)
        .await?;
    ctx.commit_audited(
        uow,
        now,
        "material.unpublish",
        "material",
        m.id.to_string(),
        Some((m.audience.org_id, &m.audience.org_path)),
    )
    .await?;
    feed::invalidate_all(ctx.cache).await;
    Ok(m)
}

/// What one material looks like to its reader.
#[derive(Debug, Clone)]
pub struct Reading {
    pub material: Material,
    /// The reader's record, when they are in the audience (created on first open).
    pub record: Option<StudyRecord>,
}

/// Opens a material: a member of its audience once it is live (recording the first open,
/// which makes the member's cached feeds stale), or someone who may manage it (a preview,
/// not recorded). Anyone else: 404. Single statements, no unit of work: reading is the hot
/// path.
pub async fn read(
    ctx: &ReadContext<'_>,
    member: &Member,
    id: MaterialId,
) -> Result<Reading, DomainError> {
    let (materials, records, cache, actor, now) = (
        ctx.repos.materials(),
        ctx.repos.study_records(),
        ctx.cache,
        ctx.actor,
        ctx.clock.now(),
    );
    let material = materials.get(id).await?.ok_or(DomainError::NotFound)?;
    if material.is_live(now) && member.is_active() && material.audience.includes(member) {
        if let Some(record) = records.get(member.id, material.id).await? {
            return Ok(Reading {
                material,
                record: Some(record),
            });
        }
        let fresh = StudyRecord {
            material_id: material.id,
            member_id: member.id,
            opened_at: now,
            position: 0,
            seconds_spent: 0,
            completed_at: None,
            points: 0,
            updated_at: now,
        };
        let record = if records.insert_if_absent(&fresh).await? {
            feed::invalidate_member(cache, member.id).await;
            Some(fresh)
        } else {
            records.get(member.id, material.id).await?
        };
        return Ok(Reading { material, record });
    }
    match policy::authorize(actor, Action::PublishMaterials, &material.audience.org_path) {
        Ok(()) => Ok(Reading {
            material,
            record: None,
        }),
        Err(_) => Err(DomainError::NotFound),
    }
}

/// What the client reports about a member's study of one material.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressReport {
    pub position: i64,
    /// The client's running total of seconds spent.
    pub seconds_spent: i64,
    pub completed: bool,
}

impl ProgressReport {
    pub const MAX_POSITION: i64 = 1_000_000_000;
    pub const MAX_SECONDS: i64 = 10_000_000;

    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !(0..=Self::MAX_POSITION).contains(&self.position) {
            errors.push(FieldError::new(
                "/position",
                ErrorCode::ProgressPositionInvalid,
                format!("position must be 0-{}", Self::MAX_POSITION),
            ));
        }
        if !(0..=Self::MAX_SECONDS).contains(&self.seconds_spent) {
            errors.push(FieldError::new(
                "/secondsSpent",
                ErrorCode::ProgressSecondsInvalid,
                format!("secondsSpent must be 0-{}", Self::MAX_SECONDS),
            ));
        }
        errors
    }
}

/// Records a member's progress on a material of their audience. Idempotent and monotonic:
/// credited time never decreases and never exceeds the wall time since the member first
/// opened the material; completion never reverts, and completing awards study points
/// (within the daily cap) once. One unit of work, with the member locked, so concurrent
/// completions cannot overrun the cap. The member's cached feeds are stale afterwards.
pub async fn record_progress(
    ctx: &WriteContext<'_>,
    member: &Member,
    id: MaterialId,
    report: ProgressReport,
    rules: &PointRules,
) -> Result<StudyRecord, DomainError> {
    let (cache, now) = (ctx.cache, ctx.clock.now());
    let errors = report.validate();
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let uow = ctx.tx.begin().await?;
    let material = uow
        .materials()
        .get(id)
        .await?
        .ok_or(DomainError::NotFound)?;
    if !(material.is_live(now) && member.is_active() && material.audience.includes(member)) {
        return Err(DomainError::NotFound);
    }
    uow.members().lock(member.id).await?;
    let existing = uow.study_records().get(member.id, material.id).await?;
    let mut record = existing.clone().unwrap_or(StudyRecord {
        material_id: material.id,
        member_id: member.id,
        opened_at: now,
        position: 0,
        seconds_spent: 0,
        completed_at: None,
        points: 0,
        updated_at: now,
    });
    let wall = (now - record.opened_at).num_seconds().max(0);
    record.seconds_spent = record.seconds_spent.max(report.seconds_spent.min(wall));
    record.position = report.position;
    if report.completed && record.completed_at.is_none() {
        let day = now.with_timezone(&crate::calendar::shanghai()).date_naive();
        let from = crate::calendar::midnight(day);
        let until = from + chrono::Duration::days(1);
        let earned = uow
            .study_records()
            .points_between(member.id, from, until)
            .await?;
        record.completed_at = Some(now);
        record.points = rules.award(&material, earned);
    }
    if existing.as_ref() == Some(&record) {
        // Nothing to store, but every accepted report refreshes the member's feeds.
        feed::invalidate_member(cache, member.id).await;
        return Ok(record);
    }
    record.updated_at = now;
    if existing.is_some() {
        uow.study_records().update(&record).await?;
    } else {
        uow.study_records().insert_if_absent(&record).await?;
    }
    uow.commit().await?;
    feed::invalidate_member(cache, member.id).await;
    Ok(record)
}
