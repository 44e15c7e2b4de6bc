//! Service requests: filing (with the content check for residents' text), reading with the
//! requester's data masked for those who need not see it, and every step of the lifecycle,
//! each by whom the rules allow and audited.

use chrono::{DateTime, Datelike, Utc};

use super::{RequestContext, Who};
use crate::error::{DomainError, ErrorCode, FieldError};
use crate::org::policy::{self, Action, Actor};
use crate::org::{MemberId, Org, OrgId, OrgKind, OrgPath, RoleKind};
use crate::page::{Page, PageRequest};
use crate::text::{clean_multiline, clean_text};
use crate::uow::{Repositories, UnitOfWork};
use crate::volunteer::deadline::WorkingDays;
use crate::volunteer::ledger::HoursEntry;
use crate::volunteer::lifecycle::{Refusal, Step};
use crate::volunteer::model::{Assignee, RequestState, ServiceKind, ServiceRequestId, TeamId};
use crate::volunteer::moderation::{ContentScene, ContentVerdict, Moderation};
use crate::volunteer::ports::{RequestQuery, RequestSight};
use crate::volunteer::request::{
    describes_danger, is_photo_link, Claim, Extension, Filer, RequestContent, RequestDraft,
    ServiceRequest, StatusNote,
};
use crate::volunteer::resident_service::check_resident_text;
use crate::volunteer::team::{Team, TeamStatus};

/// A request as the caller sees it: whether the requester's contact may be shown whole,
/// its volunteers and its status notes.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub request: ServiceRequest,
    /// The requester's name, phone and address shown whole (otherwise masked).
    pub reveal: bool,
    pub claims: Vec<Claim>,
    pub notes: Vec<StatusNote>,
    /// Whether the caller may claim a place now.
    pub claimable: bool,
    pub overdue: bool,
    /// Whether the caller filed it (volunteers are named to them masked).
    pub by_requester: bool,
}

/// How the caller stands to a request.
#[derive(Debug, Clone, Copy, Default)]
struct Relation {
    filer: bool,
    dispatcher: bool,
    claimant: bool,
    /// A member of the branch (or township, for a wish) it is dispatched to.
    assigned: bool,
    /// A secretary or committee member over the branch it is dispatched to.
    manager: bool,
}

impl Relation {
    fn sees(&self) -> bool {
        self.filer || self.dispatcher || self.claimant || self.assigned || self.manager
    }
}

fn filer_is(who: Who<'_>, filer: Filer) -> bool {
    match (who, filer) {
        (Who::Resident(r), Filer::Resident(id)) => r.id == id,
        (Who::Member(a), Filer::Member(id) | Filer::Operator(id)) => a.member_id == id,
        _ => false,
    }
}

/// Whether `actor`'s roles let them dispatch the township's requests.
fn dispatches(actor: &Actor, committee: &OrgPath) -> bool {
    policy::scopes(actor, Action::DispatchServiceRequests)
        .iter()
        .any(|s| s.covers(committee))
}

/// Whether `actor` is a secretary or committee member over `path`.
fn manages(actor: &Actor, path: &OrgPath) -> bool {
    actor.roles.iter().any(|r| {
        matches!(r.kind, RoleKind::Secretary | RoleKind::Committee) && r.org_path.covers(path)
    })
}

/// How the caller stands to `r`, given the teams they actively belong to.
fn relation(who: Who<'_>, r: &ServiceRequest, claims: &[Claim], teams: &[Team]) -> Relation {
    let mut rel = Relation {
        filer: filer_is(who, r.filer),
        ..Relation::default()
    };
    if let Who::Member(a) = who {
        rel.dispatcher = dispatches(a, &r.committee_path);
        rel.claimant = claims.iter().any(|c| c.member_id == a.member_id);
        if let Some(path) = &r.assignee_path {
            rel.assigned = path.covers(&a.branch_path);
            rel.manager = manages(a, path);
        }
        if let Some(Assignee::Team(t)) = r.assignee {
            if let Some(team) = teams.iter().find(|team| team.id == t) {
                rel.assigned = true;
                rel.manager = team.leader_id == a.member_id;
            }
        }
    }
    rel
}

/// The teams the caller actively belongs to (none for a resident).
async fn teams_of(repos: &dyn Repositories, who: Who<'_>) -> Result<Vec<Team>, DomainError> {
    match who {
        Who::Member(a) => Ok(repos.volunteer_teams().teams_of_member(a.member_id).await?),
        Who::Resident(_) => Ok(Vec::new()),
    }
}

/// The request, or 404 when it is missing or the caller has no business with it.
async fn seen(
    repos: &dyn Repositories,
    who: Who<'_>,
    id: ServiceRequestId,
) -> Result<(ServiceRequest, Vec<Claim>, Relation), DomainError> {
    let r = repos
        .service_requests()
        .get(id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let claims = repos.service_requests().claims(id).await?;
    let teams = teams_of(repos, who).await?;
    let rel = relation(who, &r, &claims, &teams);
    if !rel.sees() {
        return Err(DomainError::NotFound);
    }
    Ok((r, claims, rel))
}

fn view(
    who: Who<'_>,
    r: ServiceRequest,
    claims: Vec<Claim>,
    notes: Vec<StatusNote>,
    teams: &[Team],
    now: DateTime<Utc>,
) -> SeenRequest {
    let rel = relation(who, &r, &claims, teams);
    let reveal = rel.filer || rel.dispatcher || (rel.claimant && r.state.is_open());
    let claimable = matches!(who, Who::Member(_))
        && rel.assigned
        && !rel.claimant
        && r.position().after(Step::Claim).is_ok();
    let overdue = r.overdue(now);
    SeenRequest {
        request: r,
        reveal,
        claims,
        notes,
        claimable,
        overdue,
        by_requester: rel.filer,
    }
}

fn state_conflict(r: &ServiceRequest, refusal: Refusal) -> DomainError {
    match refusal {
        Refusal::Full => DomainError::conflict(
            ErrorCode::ServiceRequestFull,
            format!("all {} places are taken", r.capacity),
        ),
        Refusal::State => DomainError::conflict(
            ErrorCode::ServiceRequestStateConflict,
            if r.paused_since.is_some() {
                format!(
                    "the request is {} and waiting on the requester",
                    r.state.as_str()
                )
            } else {
                format!("the request is {}", r.state.as_str())
            },
        ),
    }
}

fn changed() -> DomainError {
    DomainError::conflict(
        ErrorCode::ServiceRequestChanged,
        "the request was changed meanwhile; read it again",
    )
}

fn field(pointer: &str, code: ErrorCode, detail: &str) -> DomainError {
    DomainError::Validation(vec![FieldError::new(pointer, code, detail)])
}

fn note_text(raw: Option<&str>, pointer: &str) -> Result<Option<String>, DomainError> {
    raw.map(|t| {
        clean_multiline(t, 200, pointer, ErrorCode::ServiceRequestReasonInvalid)
            .map_err(|e| DomainError::Validation(vec![e]))
    })
    .transpose()
}

/// Applies `step` to `r` (refused with 409 naming the state), bumping its version.
fn step(r: &ServiceRequest, s: Step, now: DateTime<Utc>) -> Result<ServiceRequest, DomainError> {
    let to = r.position().after(s).map_err(|e| state_conflict(r, e))?;
    let mut next = r.clone();
    next.state = to.state;
    next.claimed = to.claimed;
    if !to.paused {
        next.paused_since = None;
    } else if next.paused_since.is_none() {
        next.paused_since = Some(now);
    }
    next.version = r.version + 1;
    next.updated_at = now;
    Ok(next)
}

/// Stores `next` over `r`'s version with a status note, and commits with the step's audit
/// entry.
async fn store(
    ctx: &RequestContext<'_>,
    uow: Box<dyn UnitOfWork>,
    r: &ServiceRequest,
    next: &ServiceRequest,
    action: &'static str,
    note: String,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if !uow.service_requests().update(next, r.version).await? {
        return Err(changed());
    }
    uow.service_requests()
        .add_note(&StatusNote {
            request_id: next.id,
            at: now,
            state: next.state,
            note,
        })
        .await?;
    ctx.commit_audited(
        uow,
        now,
        action,
        next.id.to_string(),
        Some((next.committee_id, &next.committee_path)),
    )
    .await?;
    Ok(())
}

/// The request as it stands after the caller's write, as they now see it. Read without the
/// sight check: a step may end the caller's business with it (a branch returning it).
async fn reread(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
) -> Result<SeenRequest, DomainError> {
    let now = ctx.clock.now();
    let r = ctx
        .repos
        .service_requests()
        .get(id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let claims = ctx.repos.service_requests().claims(id).await?;
    let notes = ctx.repos.service_requests().notes(id).await?;
    let teams = teams_of(ctx.repos, ctx.who).await?;
    Ok(view(ctx.who, r, claims, notes, &teams, now))
}

/// The township a request is filed with: a resident names it; a member's is their own.
async fn township(
    repos: &dyn Repositories,
    who: Who<'_>,
    named: Option<OrgId>,
) -> Result<Org, DomainError> {
    let id = match (who, named) {
        (Who::Resident(_), Some(id)) => id,
        (Who::Resident(_), None) => {
            return Err(field(
                "/committeeId",
                ErrorCode::ServiceRequestCommitteeRequired,
                "a resident names the township (committeeId)",
            ))
        }
        (Who::Member(a), named) => {
            let own = a.branch_path.root_id().ok_or(DomainError::NotFound)?;
            if named.is_some_and(|n| n != own) {
                return Err(DomainError::NotFound);
            }
            own
        }
    };
    repos
        .orgs()
        .get(id)
        .await?
        .filter(|o| o.kind == OrgKind::Committee && o.parent_id.is_none())
        .ok_or(DomainError::NotFound)
}

/// Files a request: a resident for themself (their text through the content check), a
/// member for a resident, an operator for a caller (unchecked, and marked so).
pub async fn file_request(
    ctx: &RequestContext<'_>,
    committee: Option<OrgId>,
    draft: &RequestDraft,
) -> Result<SeenRequest, DomainError> {
    let content = RequestContent::parse(draft).map_err(DomainError::Validation)?;
    if describes_danger(&content.title) || describes_danger(&content.description) {
        return Err(DomainError::refused(
            ErrorCode::ServiceRequestEmergency,
            "this describes a danger to life: call 110 (police), 120 (ambulance) or 119 (fire) now",
        ));
    }
    let now = ctx.clock.now();
    let town = township(ctx.repos, ctx.who, committee).await?;
    let (filer, moderation) = match ctx.who {
        Who::Resident(res) => {
            let text = format!("{}\n{}", content.title, content.description);
            // Unchecked text is never shown unchecked: it waits for an operator.
            let verdict =
                check_resident_text(ctx.content, res, &text, ContentScene::Forum, now).await;
            let moderation = match verdict {
                ContentVerdict::Pass => Moderation::Passed,
                ContentVerdict::Review => Moderation::Held,
                ContentVerdict::Risky => {
                    return Err(DomainError::refused(
                        ErrorCode::ServiceRequestContentRisky,
                        "WeChat's content check refused the text",
                    ))
                }
            };
            (Filer::Resident(res.id), moderation)
        }
        Who::Member(a) if dispatches(a, &town.path) => {
            (Filer::Operator(a.member_id), Moderation::Unchecked)
        }
        Who::Member(a) => (Filer::Member(a.member_id), Moderation::Unchecked),
    };
    let r = ServiceRequest {
        id: ServiceRequestId::at(now),
        committee_id: town.id,
        committee_path: town.path.clone(),
        kind: content.kind,
        urgency: content.urgency,
        title: content.title,
        description: content.description,
        contact: Some(content.contact),
        preferred_time: content.preferred_time,
        tags: content.tags,
        photos: content.photos,
        filer,
        moderation,
        state: RequestState::Submitted,
        paused_since: None,
        capacity: 1,
        claimed: 0,
        assignee: None,
        assignee_path: None,
        claim_due: None,
        complete_due: None,
        summary: None,
        completed_at: None,
        rating: None,
        rating_comment: None,
        followed_up: false,
        closed_at: None,
        reason: None,
        duplicate_of: None,
        extension: None,
        erased_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let note = StatusNote {
        request_id: r.id,
        at: now,
        state: RequestState::Submitted,
        note: match moderation {
            Moderation::Held => "已提交，内容待审核后受理".to_owned(),
            _ => "已提交，等待受理".to_owned(),
        },
    };
    let uow = ctx.tx.begin().await?;
    uow.service_requests().insert(&r, &note).await?;
    ctx.commit_audited(
        uow,
        now,
        "service_request.filed",
        r.id.to_string(),
        Some((town.id, &town.path)),
    )
    .await?;
    Ok(view(ctx.who, r, Vec::new(), vec![note], &[], now))
}

/// One request as the caller sees it.
pub async fn get_request(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
) -> Result<SeenRequest, DomainError> {
    let now = ctx.clock.now();
    let (r, claims, _) = seen(ctx.repos, ctx.who, id).await?;
    let notes = ctx.repos.service_requests().notes(id).await?;
    let teams = teams_of(ctx.repos, ctx.who).await?;
    Ok(view(ctx.who, r, claims, notes, &teams, now))
}

/// Filters of a list.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Only those the caller filed or claimed.
    pub mine: bool,
    pub kind: Option<ServiceKind>,
    pub state: Option<RequestState>,
    /// Held text waiting for an operator, for instance.
    pub moderation: Option<Moderation>,
    pub overdue: bool,
}

/// The requests the caller may see, newest first: a resident's own; a member's own, their
/// branch's (and the township's wish list), those under their secretary's roles, and the
/// township's for its operators and admins.
pub async fn list_requests(
    ctx: &RequestContext<'_>,
    filter: &RequestFilter,
    page: &PageRequest,
) -> Result<Page<SeenRequest>, DomainError> {
    let now = ctx.clock.now();
    let teams = teams_of(ctx.repos, ctx.who).await?;
    let mut seen = RequestSight::default();
    match ctx.who {
        Who::Resident(r) => seen.resident = Some(r.id),
        Who::Member(a) => {
            seen.filed_by = Some(a.member_id);
            seen.claimant = Some(a.member_id);
            if !filter.mine {
                seen.assigned_to = a.branch_path.lineage();
                seen.assigned_under = a
                    .roles
                    .iter()
                    .filter(|r| matches!(r.kind, RoleKind::Secretary | RoleKind::Committee))
                    .map(|r| r.org_path.clone())
                    .collect();
                seen.dispatched_under = policy::scopes(a, Action::DispatchServiceRequests);
                seen.teams = teams.iter().map(|t| t.id).collect();
            }
        }
    }
    let query = RequestQuery {
        seen,
        kind: filter.kind,
        state: filter.state,
        moderation: filter.moderation,
        overdue_at: filter.overdue.then_some(now),
    };
    let page = ctx.repos.service_requests().list(&query, page).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for r in page.items {
        let claims = ctx.repos.service_requests().claims(r.id).await?;
        items.push(view(ctx.who, r, claims, Vec::new(), &teams, now));
    }
    Ok(Page {
        items,
        next: page.next,
    })
}

/// The request for a dispatcher of its township, or 404 (403 for someone who dispatches
/// nowhere).
async fn dispatched(
    repos: &dyn Repositories,
    who: Who<'_>,
    id: ServiceRequestId,
) -> Result<(ServiceRequest, Vec<Claim>), DomainError> {
    let actor = who.member()?;
    policy::may_somewhere(actor, Action::DispatchServiceRequests)?;
    let (r, claims, rel) = seen(repos, who, id).await?;
    if !rel.dispatcher {
        return Err(DomainError::NotFound);
    }
    Ok((r, claims))
}

/// Where a dispatcher sends a request.
#[derive(Debug, Clone, Default)]
pub struct Dispatch {
    /// A branch of the township, or the township itself (the wish list, for wishes).
    pub org_id: Option<OrgId>,
    /// Or one of the township's professional teams.
    pub team_id: Option<TeamId>,
    /// Volunteers it takes (1-20; default 1).
    pub capacity: Option<u32>,
    /// Working days to be claimed and to be completed, instead of the township's deadlines
    /// for its kind and urgency.
    pub claim_days: Option<u32>,
    pub complete_days: Option<u32>,
    pub note: Option<String>,
}

impl Dispatch {
    pub const MAX_CAPACITY: u32 = 20;
    pub const MAX_DAYS: u32 = 60;
}

async fn working_days(
    repos: &dyn Repositories,
    committee: OrgId,
    now: DateTime<Utc>,
) -> Result<WorkingDays, DomainError> {
    let year = now.year();
    let mut years = Vec::new();
    for y in [year, year + 1] {
        if let Some(c) = repos.holidays().get(committee, y).await? {
            years.push((y, c));
        }
    }
    Ok(WorkingDays::new(years))
}

/// Sends a submitted request to a branch of the township, or a wish to the township's wish
/// list, with its deadlines (the operator or township admin).
pub async fn dispatch_request(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
    d: &Dispatch,
) -> Result<SeenRequest, DomainError> {
    let capacity = d.capacity.unwrap_or(1);
    if !(1..=Dispatch::MAX_CAPACITY).contains(&capacity) {
        return Err(field(
            "/capacity",
            ErrorCode::ServiceRequestAssigneeInvalid,
            "capacity is 1-20 volunteers",
        ));
    }
    for (days, pointer) in [
        (d.claim_days, "/claimDays"),
        (d.complete_days, "/completeDays"),
    ] {
        if days.is_some_and(|n| n > Dispatch::MAX_DAYS) {
            return Err(field(
                pointer,
                ErrorCode::ServiceRequestAssigneeInvalid,
                "at most 60 working days",
            ));
        }
    }
    let note = note_text(d.note.as_deref(), "/note")?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, _) = dispatched(uow.as_ref(), ctx.who, id).await?;
    if r.moderation == Moderation::Held {
        return Err(DomainError::conflict(
            ErrorCode::ServiceRequestHeld,
            "the request's text waits for an operator's review",
        ));
    }
    let (assignee, path, label) = match (d.org_id, d.team_id) {
        (Some(org_id), None) => {
            let org = uow
                .orgs()
                .get(org_id)
                .await?
                .filter(|o| r.committee_path.covers(&o.path))
                .ok_or(DomainError::NotFound)?;
            match org.kind {
                OrgKind::Branch => (Assignee::Branch(org.id), Some(org.path), org.name),
                OrgKind::Committee if org.id == r.committee_id && r.kind == ServiceKind::Wish => {
                    (Assignee::WishList(org.id), Some(org.path), "心愿墙".to_owned())
                }
                _ => {
                    return Err(field(
                        "/orgId",
                        ErrorCode::ServiceRequestAssigneeInvalid,
                        "a request goes to a branch of the township; only a wish to the township's wish list",
                    ))
                }
            }
        }
        (None, Some(team_id)) => {
            let team = uow
                .volunteer_teams()
                .team(team_id)
                .await?
                .filter(|t| t.committee_id == r.committee_id)
                .ok_or(DomainError::NotFound)?;
            if team.status != TeamStatus::Active {
                return Err(field(
                    "/teamId",
                    ErrorCode::ServiceRequestAssigneeInvalid,
                    "the team is dissolved",
                ));
            }
            (Assignee::Team(team.id), None, team.name)
        }
        _ => {
            return Err(field(
                "/orgId",
                ErrorCode::ServiceRequestAssigneeInvalid,
                "name the branch (orgId) or the team (teamId), one of them",
            ))
        }
    };
    let mut next = step(&r, Step::Dispatch, now)?;
    let allowance = uow
        .service_deadlines()
        .deadline_policy(r.committee_id)
        .await?
        .allowance(r.kind, r.urgency);
    let days = working_days(uow.as_ref(), r.committee_id, now).await?;
    let claim_due = days.due_after(now, d.claim_days.unwrap_or(allowance.claim_days));
    let complete_due = days
        .due_after(now, d.complete_days.unwrap_or(allowance.complete_days))
        .max(claim_due);
    next.assignee = Some(assignee);
    next.assignee_path = path;
    next.capacity = capacity;
    next.claim_due = Some(claim_due);
    next.complete_due = Some(complete_due);
    next.reason = None;
    let text = match note {
        Some(n) => format!("已受理，派往{label}：{n}"),
        None => format!("已受理，派往{label}"),
    };
    store(ctx, uow, &r, &next, Step::Dispatch.action(), text, now).await?;
    reread(ctx, id).await
}

/// Lets held text through after an operator looked at it.
pub async fn release_request(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
) -> Result<SeenRequest, DomainError> {
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, _) = dispatched(uow.as_ref(), ctx.who, id).await?;
    if r.moderation != Moderation::Held {
        return Err(DomainError::conflict(
            ErrorCode::ServiceRequestStateConflict,
            format!("the request's text is {}, not held", r.moderation.as_str()),
        ));
    }
    let mut next = r.clone();
    next.moderation = Moderation::Released;
    next.version += 1;
    next.updated_at = now;
    if !uow.service_requests().update(&next, r.version).await? {
        return Err(changed());
    }
    ctx.commit_audited(
        uow,
        now,
        "service_request.released_from_review",
        id.to_string(),
        Some((r.committee_id, &r.committee_path)),
    )
    .await?;
    reread(ctx, id).await
}

crate::string_enum::string_enum!(
    /// Why a dispatcher refuses a request: a duplicate of another, referred to another
    /// agency, or outside volunteer service (litigation, 信访, commercial disputes, other).
    RejectReason {
        Duplicate => "duplicate",
        Referred => "referred",
        OutOfScope => "out_of_scope",
        Litigation => "litigation",
        Petition => "petition",
        CommercialDispute => "commercial_dispute",
    }
);

impl RejectReason {
    pub fn label_zh(&self) -> &'static str {
        match self {
            RejectReason::Duplicate => "与已有工单重复",
            RejectReason::Referred => "已转交相关部门办理",
            RejectReason::OutOfScope => "不属于志愿服务范围",
            RejectReason::Litigation => "涉及诉讼，请通过司法途径解决",
            RejectReason::Petition => "属于信访事项，请通过信访渠道反映",
            RejectReason::CommercialDispute => "属于商业纠纷，不属于志愿服务范围",
        }
    }
}

/// Refuses a submitted request with a reason (the operator or township admin); a duplicate
/// names the request it repeats.
pub async fn reject_request(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
    reason: RejectReason,
    duplicate_of: Option<ServiceRequestId>,
    note: Option<&str>,
) -> Result<SeenRequest, DomainError> {
    let note = note_text(note, "/note")?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, _) = dispatched(uow.as_ref(), ctx.who, id).await?;
    let original = match (reason, duplicate_of) {
        (RejectReason::Duplicate, Some(other)) if other != id => {
            let o = uow
                .service_requests()
                .get(other)
                .await?
                .filter(|o| o.committee_id == r.committee_id);
            if o.is_none() {
                return Err(field(
                    "/duplicateOf",
                    ErrorCode::ServiceRequestReasonInvalid,
                    "duplicateOf is another request of the same township",
                ));
            }
            Some(other)
        }
        (RejectReason::Duplicate, _) => {
            return Err(field(
                "/duplicateOf",
                ErrorCode::ServiceRequestReasonInvalid,
                "a duplicate names the request it repeats (duplicateOf)",
            ))
        }
        (_, Some(_)) => {
            return Err(field(
                "/duplicateOf",
                ErrorCode::ServiceRequestReasonInvalid,
                "duplicateOf goes with the reason duplicate only",
            ))
        }
        (_, None) => None,
    };
    let mut next = step(&r, Step::Reject, now)?;
    next.reason = Some((reason.as_str().to_owned(), note.clone()));
    next.duplicate_of = original;
    let text = match &note {
        Some(n) => format!("未受理：{}。{n}", reason.label_zh()),
        None => format!("未受理：{}", reason.label_zh()),
    };
    store(ctx, uow, &r, &next, Step::Reject.action(), text, now).await?;
    reread(ctx, id).await
}

/// The requester withdraws their request, before the service has begun.
pub async fn cancel_request(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
    note: Option<&str>,
) -> Result<SeenRequest, DomainError> {
    let note = note_text(note, "/note")?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, _, rel) = seen(uow.as_ref(), ctx.who, id).await?;
    if !rel.filer {
        return Err(DomainError::Forbidden);
    }
    let next = step(&r, Step::Cancel, now)?;
    uow.service_requests().clear_claims(id).await?;
    let text = note.map_or_else(|| "已撤销".to_owned(), |n| format!("已撤销：{n}"));
    store(ctx, uow, &r, &next, Step::Cancel.action(), text, now).await?;
    reread(ctx, id).await
}

/// The assigned branch sends a misrouted request back to the dispatcher (退单) with a
/// reason: its secretary or committee member (or the township's dispatcher).
pub async fn return_request(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
    reason: &str,
) -> Result<SeenRequest, DomainError> {
    let reason = clean_text(
        reason,
        200,
        "/reason",
        ErrorCode::ServiceRequestReasonInvalid,
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    ctx.who.member()?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, _, rel) = seen(uow.as_ref(), ctx.who, id).await?;
    if !(rel.manager || rel.dispatcher) {
        return Err(if rel.sees() {
            DomainError::Forbidden
        } else {
            DomainError::NotFound
        });
    }
    let mut next = step(&r, Step::Return, now)?;
    next.assignee = None;
    next.assignee_path = None;
    next.claim_due = None;
    next.complete_due = None;
    next.reason = Some(("returned".to_owned(), Some(reason.clone())));
    uow.service_requests().clear_claims(id).await?;
    store(
        ctx,
        uow,
        &r,
        &next,
        Step::Return.action(),
        format!("已退回重新派单：{reason}"),
        now,
    )
    .await?;
    reread(ctx, id).await
}

/// A member of the assigned branch (or, for a wish, of the township) takes a place. Two
/// volunteers racing for the last place: exactly one gets it.
pub async fn claim_request(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
) -> Result<SeenRequest, DomainError> {
    let actor = ctx.who.member()?;
    // A lost race for the version is retried: the place may still be free.
    for _ in 0..3 {
        let now = ctx.clock.now();
        let uow = ctx.tx.begin().await?;
        let (r, claims, rel) = seen(uow.as_ref(), ctx.who, id).await?;
        if rel.claimant {
            return Err(DomainError::conflict(
                ErrorCode::ServiceRequestClaimedAlready,
                "you hold a place on this request already",
            ));
        }
        if !rel.assigned {
            return Err(DomainError::Forbidden);
        }
        let next = step(&r, Step::Claim, now)?;
        if !uow.service_requests().update(&next, r.version).await? {
            drop(uow);
            continue;
        }
        let name = uow
            .members()
            .get(actor.member_id)
            .await?
            .map(|m| m.name)
            .unwrap_or_default();
        let inserted = uow
            .service_requests()
            .insert_claim(&Claim {
                request_id: id,
                member_id: actor.member_id,
                name: name.clone(),
                claimed_at: now,
            })
            .await?;
        if !inserted {
            return Err(DomainError::conflict(
                ErrorCode::ServiceRequestClaimedAlready,
                "you hold a place on this request already",
            ));
        }
        uow.service_requests()
            .add_note(&StatusNote {
                request_id: id,
                at: now,
                state: next.state,
                note: format!(
                    "志愿者{}已认领",
                    crate::volunteer::request::masked_volunteer(&name)
                ),
            })
            .await?;
        let _ = claims;
        ctx.commit_audited(
            uow,
            now,
            Step::Claim.action(),
            id.to_string(),
            Some((r.committee_id, &r.committee_path)),
        )
        .await?;
        return reread(ctx, id).await;
    }
    Err(changed())
}

/// A claimant gives their place back, before the service begins.
pub async fn release_claim(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
) -> Result<SeenRequest, DomainError> {
    let actor = ctx.who.member()?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, _, rel) = seen(uow.as_ref(), ctx.who, id).await?;
    if !rel.claimant {
        return Err(not_claimant());
    }
    let next = step(&r, Step::Release, now)?;
    if !uow
        .service_requests()
        .remove_claim(id, actor.member_id)
        .await?
    {
        return Err(not_claimant());
    }
    store(
        ctx,
        uow,
        &r,
        &next,
        Step::Release.action(),
        "一名志愿者退出认领".to_owned(),
        now,
    )
    .await?;
    reread(ctx, id).await
}

fn not_claimant() -> DomainError {
    DomainError::refused(
        ErrorCode::ServiceRequestNotClaimant,
        "only a volunteer holding a place on the request may do this",
    )
}

/// A claimant begins the service.
pub async fn start_request(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
) -> Result<SeenRequest, DomainError> {
    ctx.who.member()?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, _, rel) = seen(uow.as_ref(), ctx.who, id).await?;
    if !rel.claimant {
        return Err(not_claimant());
    }
    let next = step(&r, Step::Start, now)?;
    store(
        ctx,
        uow,
        &r,
        &next,
        Step::Start.action(),
        "志愿者已开始服务".to_owned(),
        now,
    )
    .await?;
    reread(ctx, id).await
}

/// What a claimant reports when the service is done.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    pub summary: String,
    /// Minutes served, per volunteer holding a place (each of them, 1-1440).
    pub minutes: Vec<(MemberId, i64)>,
    pub photos: Vec<String>,
}

/// A claimant reports the service done, with a summary and every volunteer's time.
pub async fn complete_request(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
    c: &Completion,
) -> Result<SeenRequest, DomainError> {
    let actor = ctx.who.member()?;
    let summary = clean_multiline(
        &c.summary,
        500,
        "/summary",
        ErrorCode::ServiceRequestFieldInvalid,
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let mut errors = Vec::new();
    if c.photos.len() > RequestContent::MAX_PHOTOS {
        errors.push(FieldError::new(
            "/photos",
            ErrorCode::ServiceRequestFieldInvalid,
            "at most 9 photos",
        ));
    }
    for (i, p) in c.photos.iter().enumerate() {
        if !is_photo_link(p) {
            errors.push(FieldError::new(
                format!("/photos/{i}"),
                ErrorCode::ServiceRequestFieldInvalid,
                "a photo is an https link of at most 500 characters",
            ));
        }
    }
    for (i, (_, m)) in c.minutes.iter().enumerate() {
        if !(1..=1440).contains(m) {
            errors.push(FieldError::new(
                format!("/hours/{i}/minutes"),
                ErrorCode::ServiceRequestHoursInvalid,
                "minutes are 1-1440",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, claims, rel) = seen(uow.as_ref(), ctx.who, id).await?;
    if !rel.claimant {
        return Err(not_claimant());
    }
    let mut next = step(&r, Step::Complete, now)?;
    // Every volunteer's time, each once, and nobody else's.
    let mut listed: Vec<MemberId> = c.minutes.iter().map(|(m, _)| *m).collect();
    listed.sort();
    let before = listed.len();
    listed.dedup();
    let mut holders: Vec<MemberId> = claims.iter().map(|c| c.member_id).collect();
    holders.sort();
    if listed.len() != before || listed != holders {
        return Err(field(
            "/hours",
            ErrorCode::ServiceRequestHoursInvalid,
            "hours name every volunteer holding a place, each once",
        ));
    }
    // Every volunteer's time goes to the ledger, pending until the township's operator or
    // the team's leader confirms it.
    let team = match r.assignee {
        Some(Assignee::Team(t)) => Some(t),
        _ => None,
    };
    let day = now.with_timezone(&crate::calendar::shanghai()).date_naive();
    let mut entries = Vec::with_capacity(c.minutes.len());
    for (i, (member, minutes)) in c.minutes.iter().enumerate() {
        let m = uow
            .members()
            .get(*member)
            .await?
            .ok_or(DomainError::NotFound)?;
        let minutes = i32::try_from(*minutes).unwrap_or(i32::MAX);
        let entry = HoursEntry::from_request(
            &m,
            id,
            team,
            minutes,
            day,
            // Not the title: it may name the requester, and the ledger outlives erasure.
            &format!("{}服务", r.kind.label_zh()),
            actor.member_id,
            now,
        )
        .map_err(|e| match e {
            DomainError::Validation(errors) => DomainError::Validation(
                errors
                    .into_iter()
                    .map(|mut f| {
                        f.pointer = format!("/hours/{i}{}", f.pointer);
                        f
                    })
                    .collect(),
            ),
            other => other,
        })?;
        entries.push(entry);
    }
    uow.volunteer_hours().append(&entries).await?;
    next.summary = Some(summary);
    next.completed_at = Some(now);
    if !c.photos.is_empty() {
        next.photos = r.photos.iter().chain(&c.photos).take(18).cloned().collect();
    }
    store(
        ctx,
        uow,
        &r,
        &next,
        Step::Complete.action(),
        "服务已完成，请评价".to_owned(),
        now,
    )
    .await?;
    reread(ctx, id).await
}

/// The requester's rating of a completed request, which closes it.
pub async fn rate_request(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
    rating: u8,
    comment: Option<&str>,
) -> Result<SeenRequest, DomainError> {
    let comment = rating_comment(rating, comment)?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, _, rel) = seen(uow.as_ref(), ctx.who, id).await?;
    if !rel.filer || matches!(r.filer, Filer::Operator(_)) {
        // A caller without WeChat is rated by the operator's follow-up call instead.
        return Err(DomainError::Forbidden);
    }
    let mut next = step(&r, Step::Close, now)?;
    next.rating = Some(rating);
    next.rating_comment = comment;
    next.closed_at = Some(now);
    store(
        ctx,
        uow,
        &r,
        &next,
        Step::Close.action(),
        format!("已办结，评价{rating}星"),
        now,
    )
    .await?;
    reread(ctx, id).await
}

fn rating_comment(rating: u8, comment: Option<&str>) -> Result<Option<String>, DomainError> {
    if !(1..=5).contains(&rating) {
        return Err(field(
            "/rating",
            ErrorCode::ServiceRequestRatingInvalid,
            "rating is 1-5",
        ));
    }
    comment
        .map(|c| {
            clean_multiline(c, 200, "/comment", ErrorCode::ServiceRequestRatingInvalid)
                .map_err(|e| DomainError::Validation(vec![e]))
        })
        .transpose()
}

/// The operator's follow-up call (回访): satisfied closes the request with the rating the
/// requester gave on the phone; unsatisfied reopens it to be served again, with new
/// deadlines from the township's for its kind and urgency, counted from the call.
pub async fn follow_up_request(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
    satisfied: bool,
    rating: u8,
    comment: Option<&str>,
) -> Result<SeenRequest, DomainError> {
    let comment = rating_comment(rating, comment)?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, _) = dispatched(uow.as_ref(), ctx.who, id).await?;
    if satisfied {
        let mut next = step(&r, Step::Close, now)?;
        next.rating = Some(rating);
        next.rating_comment = comment;
        next.followed_up = true;
        next.closed_at = Some(now);
        store(
            ctx,
            uow,
            &r,
            &next,
            Step::Close.action(),
            format!("经回访已办结，评价{rating}星"),
            now,
        )
        .await?;
    } else {
        let mut next = step(&r, Step::Reopen, now)?;
        let allowance = uow
            .service_deadlines()
            .deadline_policy(r.committee_id)
            .await?
            .allowance(r.kind, r.urgency);
        let days = working_days(uow.as_ref(), r.committee_id, now).await?;
        next.claim_due = Some(days.due_after(now, allowance.claim_days));
        next.complete_due = Some(days.due_after(now, allowance.complete_days));
        next.summary = None;
        next.completed_at = None;
        next.reason = Some(("unsatisfied".to_owned(), comment));
        uow.service_requests().clear_claims(id).await?;
        store(
            ctx,
            uow,
            &r,
            &next,
            Step::Reopen.action(),
            "回访不满意，重新办理".to_owned(),
            now,
        )
        .await?;
    }
    reread(ctx, id).await
}

/// Waiting on the requester: the clock stops (a claimant, the branch's secretary or the
/// dispatcher).
pub async fn pause_request(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
    note: &str,
) -> Result<SeenRequest, DomainError> {
    let note = clean_text(note, 200, "/note", ErrorCode::ServiceRequestReasonInvalid)
        .map_err(|e| DomainError::Validation(vec![e]))?;
    ctx.who.member()?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, _, rel) = seen(uow.as_ref(), ctx.who, id).await?;
    if !(rel.claimant || rel.manager || rel.dispatcher) {
        return Err(DomainError::Forbidden);
    }
    let next = step(&r, Step::Pause, now)?;
    store(
        ctx,
        uow,
        &r,
        &next,
        Step::Pause.action(),
        format!("等待求助人回复：{note}"),
        now,
    )
    .await?;
    reread(ctx, id).await
}

/// The requester answered: the clock runs again, its deadlines moved on by the wait.
pub async fn resume_request(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
) -> Result<SeenRequest, DomainError> {
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, _, rel) = seen(uow.as_ref(), ctx.who, id).await?;
    if !(rel.claimant || rel.manager || rel.dispatcher || rel.filer) {
        return Err(DomainError::Forbidden);
    }
    let waited = r.paused_since.map(|since| now - since);
    let mut next = step(&r, Step::Resume, now)?;
    if let Some(w) = waited {
        next.claim_due = r.claim_due.map(|d| d + w);
        next.complete_due = r.complete_due.map(|d| d + w);
    }
    store(
        ctx,
        uow,
        &r,
        &next,
        Step::Resume.action(),
        "继续办理".to_owned(),
        now,
    )
    .await?;
    reread(ctx, id).await
}

/// A pending request for more time.
pub const MAX_EXTENSION_DAYS: u32 = 30;

/// The branch or team asks the dispatcher for more working days to complete the request
/// (its secretary or committee member, the team's leader, or a volunteer holding a place).
pub async fn request_extension(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
    days: u32,
    reason: &str,
) -> Result<SeenRequest, DomainError> {
    if !(1..=MAX_EXTENSION_DAYS).contains(&days) {
        return Err(field(
            "/days",
            ErrorCode::ServiceRequestExtensionInvalid,
            "days are 1-30 working days",
        ));
    }
    let reason = clean_text(
        reason,
        200,
        "/reason",
        ErrorCode::ServiceRequestReasonInvalid,
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let actor = ctx.who.member()?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, _, rel) = seen(uow.as_ref(), ctx.who, id).await?;
    if !(rel.manager || rel.claimant) {
        return Err(DomainError::Forbidden);
    }
    if !matches!(
        r.state,
        RequestState::Accepted | RequestState::Claimed | RequestState::InProgress
    ) {
        return Err(state_conflict(&r, Refusal::State));
    }
    if r.extension.is_some() {
        return Err(DomainError::conflict(
            ErrorCode::ServiceRequestExtensionPending,
            "an extension waits for the dispatcher already",
        ));
    }
    let mut next = r.clone();
    next.extension = Some(Extension {
        days,
        reason: reason.clone(),
        by: actor.member_id,
        at: now,
    });
    next.version += 1;
    next.updated_at = now;
    store(
        ctx,
        uow,
        &r,
        &next,
        "service_request.extension_requested",
        format!("申请延期{days}个工作日：{reason}"),
        now,
    )
    .await?;
    reread(ctx, id).await
}

/// The dispatcher grants the pending extension (the completion deadline moves on by its
/// working days, and the requester sees the new expected time) or refuses it with a reason.
pub async fn decide_extension(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
    approve: bool,
    reason: Option<&str>,
) -> Result<SeenRequest, DomainError> {
    let reason = note_text(reason, "/reason")?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (r, _) = dispatched(uow.as_ref(), ctx.who, id).await?;
    let Some(ext) = r.extension.clone() else {
        return Err(DomainError::conflict(
            ErrorCode::ServiceRequestExtensionMissing,
            "no extension waits for a decision",
        ));
    };
    let mut next = r.clone();
    next.extension = None;
    next.version += 1;
    next.updated_at = now;
    let (action, note) = if approve {
        let days = working_days(uow.as_ref(), r.committee_id, now).await?;
        let from = r.complete_due.unwrap_or(now) - chrono::Duration::seconds(1);
        let due = days.due_after(from.max(now), ext.days);
        next.complete_due = Some(due);
        let last_day = (due - chrono::Duration::seconds(1))
            .with_timezone(&crate::calendar::shanghai())
            .date_naive();
        (
            "service_request.extension_approved",
            format!("延期申请已同意，预计{last_day}前完成"),
        )
    } else {
        (
            "service_request.extension_rejected",
            match &reason {
                Some(why) => format!("延期申请未同意：{why}"),
                None => "延期申请未同意".to_owned(),
            },
        )
    };
    store(ctx, uow, &r, &next, action, note, now).await?;
    reread(ctx, id).await
}

/// A place a dispatcher might send a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub assignee: Assignee,
    pub name: String,
    /// A team's skills (none for a branch).
    pub skills: Vec<String>,
    /// Whether a skill of the team is the one asked for (or, when none is, is named in the
    /// request's title or description).
    pub skill_match: bool,
    /// Members who may claim: the branch's active members, the team's active members.
    pub members: u64,
    /// Requests it is handling now.
    pub load: u64,
}

impl Suggestion {
    /// Requests in hand per member who may claim (a place without members weighs most).
    pub fn load_per_member(&self) -> f64 {
        if self.members == 0 {
            f64::INFINITY
        } else {
            self.load as f64 / self.members as f64
        }
    }
}

/// Where a submitted request might go, best first: the township's professional teams whose
/// skills match (the one asked for, or one the request names), then every team and branch
/// by the requests each member has in hand. For the dispatcher.
pub async fn dispatch_suggestions(
    ctx: &RequestContext<'_>,
    id: ServiceRequestId,
    skill: Option<&str>,
) -> Result<Vec<Suggestion>, DomainError> {
    let (r, _) = dispatched(ctx.repos, ctx.who, id).await?;
    let load = ctx
        .repos
        .service_requests()
        .open_load(&r.committee_path)
        .await?;
    let load_of = |a: Assignee| load.iter().find(|(x, _)| *x == a).map_or(0, |(_, n)| *n);
    let skill = skill.map(str::trim).filter(|s| !s.is_empty());
    let text = format!("{} {}", r.title, r.description);
    let mut out = Vec::new();
    let page = PageRequest::new(Some(PageRequest::MAX_LIMIT), None)
        .map_err(|e| DomainError::Validation(vec![e]))?;
    let teams = ctx
        .repos
        .volunteer_teams()
        .list_teams(&[r.committee_id], &page)
        .await?;
    for team in teams.items.into_iter().filter(|t| t.is_active()) {
        let skills: Vec<String> = team.skills.as_slice().to_vec();
        // The skill asked for decides; without one, the skills the request names.
        let skill_match = match skill {
            Some(k) => skills.iter().any(|s| s == k),
            None => skills.iter().any(|s| text.contains(s.as_str())),
        };
        let members = ctx
            .repos
            .volunteer_teams()
            .active_member_ids(team.id)
            .await?
            .len() as u64;
        out.push(Suggestion {
            assignee: Assignee::Team(team.id),
            name: team.name,
            skills,
            skill_match,
            members,
            load: load_of(Assignee::Team(team.id)),
        });
    }
    for branch in ctx.repos.orgs().branches_under(&r.committee_path).await? {
        let members = ctx
            .repos
            .members()
            .active_in_branch(&branch.path)
            .await?
            .len() as u64;
        out.push(Suggestion {
            assignee: Assignee::Branch(branch.id),
            name: branch.name,
            skills: Vec::new(),
            skill_match: false,
            members,
            load: load_of(Assignee::Branch(branch.id)),
        });
    }
    out.sort_by(|a, b| {
        b.skill_match
            .cmp(&a.skill_match)
            .then(a.load_per_member().total_cmp(&b.load_per_member()))
            .then(a.name.cmp(&b.name))
    });
    Ok(out)
}
