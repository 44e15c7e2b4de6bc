//! The demo township's 96345 volunteer service: a professional team, a resident, and
//! requests in several states (submitted, dispatched to a branch, to the team and to the
//! wish list, in progress, completed with the volunteer's hours waiting for the operator's
//! confirmation). Deterministic ids; what exists is left alone.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use domain::error::RepoError;
use domain::org::{MemberId, Org, PhoneNumber};
use domain::uow::UnitOfWork;
use domain::volunteer::deadline::{default_allowance, WorkingDays};
use domain::volunteer::team::{MembershipStatus, Skills, TeamMembership, TeamStatus};
use domain::volunteer::{
    Assignee, Claim, Contact, Filer, HoursEntry, Moderation, RequestState, Resident, ResidentId,
    ServiceKind, ServiceRequest, ServiceRequestId, StatusNote, Team, TeamId, Urgency,
};

/// Fixed ids: `kind` 9 team, 10 resident, 11 service request.
fn fixed_id(kind: u128, n: u128) -> Uuid {
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0000 | (kind << 16) | n)
}

fn member(n: u128) -> MemberId {
    MemberId::from_uuid(fixed_id(2, n))
}

fn other(e: impl std::fmt::Display) -> RepoError {
    RepoError::Other(e.to_string().into())
}

/// The demo requests: (n, kind, title, filer, state, assignee).
struct Spec {
    n: u128,
    kind: ServiceKind,
    title: &'static str,
    description: &'static str,
    filer: Filer,
    state: RequestState,
    assignee: Option<Assignee>,
    /// Volunteer holding a place, with minutes once completed.
    volunteer: Option<(u128, &'static str, i32)>,
}

/// Writes the team, the resident and the requests that are missing; answers how many
/// rows it wrote.
pub async fn seed_volunteer(
    uow: &dyn UnitOfWork,
    committee: &Org,
    branch: &Org,
    now: DateTime<Utc>,
) -> Result<usize, RepoError> {
    let mut created = 0;
    let operator = member(2);
    let team_id = TeamId::from_uuid(fixed_id(9, 1));
    if uow.volunteer_teams().team(team_id).await?.is_none() {
        let team = Team {
            id: team_id,
            committee_id: committee.id,
            committee_path: committee.path.clone(),
            name: "盖北镇医疗志愿服务队".to_owned(),
            skills: Skills::from_stored(vec!["护理".to_owned(), "测血压".to_owned()]),
            leader_id: member(9),
            status: TeamStatus::Active,
            created_by: member(1),
            created_at: now,
            updated_at: now,
        };
        let leader = TeamMembership::leader(team_id, member(9), &branch.path, member(1), now);
        uow.volunteer_teams().insert_team(&team, &leader).await?;
        let nurse = TeamMembership {
            member_id: member(10),
            note: Some("退休护士".to_owned()),
            status: MembershipStatus::Active,
            ..TeamMembership::leader(team_id, member(10), &branch.path, member(9), now)
        };
        uow.volunteer_teams().insert_membership(&nurse).await?;
        created += 2;
    }
    let resident_id = ResidentId::from_uuid(fixed_id(10, 1));
    if uow.residents().get(resident_id).await?.is_none() {
        uow.residents()
            .insert(&Resident {
                id: resident_id,
                openid: "demo-resident-openid".to_owned(),
                phone: PhoneNumber::parse("13700000001").map_err(|e| other(e.detail))?,
                phone_verified: false,
                name: Some("王阿婆".to_owned()),
                created_at: now,
                last_seen_at: now,
            })
            .await?;
        created += 1;
    }
    let specs = [
        Spec {
            n: 1,
            kind: ServiceKind::Hotline,
            title: "帮忙代购降压药",
            description: "腿脚不便，需要有人帮忙到卫生院代购降压药。",
            filer: Filer::Resident(resident_id),
            state: RequestState::Submitted,
            assignee: None,
            volunteer: None,
        },
        Spec {
            n: 2,
            kind: ServiceKind::HomeVisit,
            title: "上门陪护聊天",
            description: "独居老人，子女在外地，希望每周有人上门陪着说说话。",
            filer: Filer::Operator(operator),
            state: RequestState::Accepted,
            assignee: Some(Assignee::Branch(branch.id)),
            volunteer: None,
        },
        Spec {
            n: 3,
            kind: ServiceKind::Hotline,
            title: "修理漏水的水龙头",
            description: "厨房水龙头一直滴水，自己修不好。",
            filer: Filer::Member(member(7)),
            state: RequestState::InProgress,
            assignee: Some(Assignee::Branch(branch.id)),
            volunteer: Some((11, "冯德福", 0)),
        },
        Spec {
            n: 4,
            kind: ServiceKind::Thematic,
            title: "帮忙打扫庭院",
            description: "年纪大了打扫不动，院子里落叶很多。",
            filer: Filer::Resident(resident_id),
            state: RequestState::Completed,
            assignee: Some(Assignee::Branch(branch.id)),
            volunteer: Some((12, "何小军", 90)),
        },
        Spec {
            n: 5,
            kind: ServiceKind::Wish,
            title: "想要一套儿童读物",
            description: "孙子在家上小学二年级，想要一套课外读物。",
            filer: Filer::Resident(resident_id),
            state: RequestState::Accepted,
            assignee: Some(Assignee::WishList(committee.id)),
            volunteer: None,
        },
        Spec {
            n: 6,
            kind: ServiceKind::HomeVisit,
            title: "为独居老人测量血压",
            description: "高血压，需要每周测量一次血压并记录。",
            filer: Filer::Operator(operator),
            state: RequestState::Accepted,
            assignee: Some(Assignee::Team(team_id)),
            volunteer: None,
        },
    ];
    let days = WorkingDays::default();
    for s in specs {
        let id = ServiceRequestId::from_uuid(fixed_id(11, s.n));
        if uow.service_requests().get(id).await?.is_some() {
            continue;
        }
        let filed = now - Duration::hours(3);
        let dispatched = now - Duration::hours(2);
        let allowance = default_allowance(s.kind, Urgency::Normal);
        let on_branch = matches!(s.assignee, Some(Assignee::Branch(_)));
        let request = ServiceRequest {
            id,
            committee_id: committee.id,
            committee_path: committee.path.clone(),
            kind: s.kind,
            urgency: Urgency::Normal,
            title: s.title.to_owned(),
            description: s.description.to_owned(),
            contact: Some(Contact {
                name: "王阿婆".to_owned(),
                phone: PhoneNumber::parse("13700000001").map_err(|e| other(e.detail))?,
                address: "盖北镇新舍村12号".to_owned(),
            }),
            preferred_time: Some("工作日上午".to_owned()),
            tags: vec!["elderly_alone".to_owned()],
            photos: Vec::new(),
            filer: s.filer,
            moderation: match s.filer {
                Filer::Resident(_) => Moderation::Passed,
                _ => Moderation::Unchecked,
            },
            state: s.state,
            paused_since: None,
            capacity: 1,
            claimed: u32::from(s.volunteer.is_some()),
            assignee: s.assignee,
            assignee_path: match s.assignee {
                Some(Assignee::Branch(_)) => Some(branch.path.clone()),
                Some(Assignee::WishList(_)) => Some(committee.path.clone()),
                _ => None,
            },
            claim_due: s
                .assignee
                .map(|_| days.due_after(dispatched, allowance.claim_days)),
            complete_due: s
                .assignee
                .map(|_| days.due_after(dispatched, allowance.complete_days)),
            summary: (s.state == RequestState::Completed).then(|| "已打扫干净。".to_owned()),
            completed_at: (s.state == RequestState::Completed).then_some(now),
            rating: None,
            rating_comment: None,
            followed_up: false,
            closed_at: None,
            reason: None,
            duplicate_of: None,
            extension: None,
            erased_at: None,
            version: 1,
            created_at: filed,
            updated_at: now,
        };
        let note = |at: DateTime<Utc>, state: RequestState, note: &str| StatusNote {
            request_id: id,
            at,
            state,
            note: note.to_owned(),
        };
        uow.service_requests()
            .insert(
                &request,
                &note(filed, RequestState::Submitted, "已提交，等待受理"),
            )
            .await?;
        if request.assignee.is_some() {
            let text = if on_branch {
                format!("已受理，派往{}", branch.name)
            } else {
                "已受理".to_owned()
            };
            uow.service_requests()
                .add_note(&note(dispatched, RequestState::Accepted, &text))
                .await?;
        }
        if let Some((n, name, minutes)) = s.volunteer {
            uow.service_requests()
                .insert_claim(&Claim {
                    request_id: id,
                    member_id: member(n),
                    name: name.to_owned(),
                    claimed_at: dispatched,
                })
                .await?;
            if minutes > 0 {
                if let Some(m) = uow.members().get(member(n)).await? {
                    let entry = HoursEntry::from_request(
                        &m,
                        id,
                        None,
                        minutes,
                        now.with_timezone(&domain::calendar::shanghai())
                            .date_naive(),
                        &format!("{}服务", s.kind.label_zh()),
                        member(n),
                        now,
                    )
                    .map_err(other)?;
                    uow.volunteer_hours().append(&[entry]).await?;
                }
            }
        }
        created += 1;
    }
    Ok(created)
}
