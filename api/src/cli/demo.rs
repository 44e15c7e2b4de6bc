//! The demo township: 盖北镇党委 with village general branches, branches and groups, an
//! office branch, an enterprise branch and a school branch, members of every category, a
//! secretary per branch, committee members, a township admin and a hotline operator.
//! Deterministic (fixed ids and phones) and idempotent (what exists is left alone).
//!
//! So that a newcomer's first calls show real rows whatever day they start on, the tree and
//! its members date from [`DEMO_FOUNDED`] (before any theme day: members who joined after an
//! activity are not expected at it), and the seed holds this month's theme day with an
//! approved and a pending check-in and a pending exemption (times on the theme day itself,
//! even when that is still ahead), and two study materials published at the start of the
//! month (the monthly lesson and a required one) with some members' progress; and the
//! pioneer index's rule set with the previous half year computed (`demo_pioneer`).

use chrono::{DateTime, Datelike, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

use domain::activity::geo::{GeoPoint, Geofence};
use domain::activity::{
    Activity, ActivityId, ActivityKind, ActivityStatus, CheckIn, CheckInId, CheckInMethod,
    Exemption, ExemptionId, ExemptionScope, ProofKind, Review, ReviewStatus, ThemeCategory,
};
use domain::appraisal::{
    AssessmentContent, AssessmentStatus, Campaign, CampaignId, Dimension, DimensionEntry, Grade,
    LookAnswer, Participant, PeerScope, Period, ProblemFound, Qualification, QualificationEntry,
    Schedule, SelfAssessment, Share, StageClock, StageDates,
};
use domain::audit::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
use domain::calendar::{shanghai, YearMonth};
use domain::error::RepoError;
use domain::material::{
    Audience, Material, MaterialCategory, MaterialId, MaterialStatus, StudyRecord,
};
use domain::org::{
    Member, MemberCategory, MemberId, MemberStatus, Org, OrgId, OrgKind, OrgPath, OrgSector,
    PhoneNumber, RoleGrant, RoleGrantId, RoleKind,
};
use domain::uow::{Transactional, UnitOfWork};
use infra::Db;

/// A fixed, v7-shaped id: `kind` (1 org, 2 member, 3 role, 4 activity, 5 check-in,
/// 6 exemption, 7 material, 8 appraisal campaign) and a number.
fn fixed_id(kind: u128, n: u128) -> Uuid {
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0000 | (kind << 16) | n)
}

struct OrgSpec {
    n: u128,
    parent: Option<u128>,
    kind: OrgKind,
    sector: OrgSector,
    name: &'static str,
}

const ORGS: &[OrgSpec] = &[
    OrgSpec {
        n: 1,
        parent: None,
        kind: OrgKind::Committee,
        sector: OrgSector::Rural,
        name: "盖北镇党委",
    },
    OrgSpec {
        n: 2,
        parent: Some(1),
        kind: OrgKind::GeneralBranch,
        sector: OrgSector::Rural,
        name: "新舍村党总支",
    },
    OrgSpec {
        n: 3,
        parent: Some(2),
        kind: OrgKind::Branch,
        sector: OrgSector::Rural,
        name: "新舍村第一党支部",
    },
    OrgSpec {
        n: 4,
        parent: Some(3),
        kind: OrgKind::Group,
        sector: OrgSector::Rural,
        name: "新舍村第一党小组",
    },
    OrgSpec {
        n: 5,
        parent: Some(3),
        kind: OrgKind::Group,
        sector: OrgSector::Rural,
        name: "新舍村第二党小组",
    },
    OrgSpec {
        n: 6,
        parent: Some(2),
        kind: OrgKind::Branch,
        sector: OrgSector::Rural,
        name: "新舍村第二党支部",
    },
    OrgSpec {
        n: 7,
        parent: Some(1),
        kind: OrgKind::GeneralBranch,
        sector: OrgSector::Rural,
        name: "盖北村党总支",
    },
    OrgSpec {
        n: 8,
        parent: Some(7),
        kind: OrgKind::Branch,
        sector: OrgSector::Rural,
        name: "盖北村党支部",
    },
    OrgSpec {
        n: 9,
        parent: Some(1),
        kind: OrgKind::Branch,
        sector: OrgSector::Government,
        name: "镇机关党支部",
    },
    OrgSpec {
        n: 10,
        parent: Some(1),
        kind: OrgKind::Branch,
        sector: OrgSector::Enterprise,
        name: "非公企业联合党支部",
    },
    OrgSpec {
        n: 11,
        parent: Some(1),
        kind: OrgKind::Branch,
        sector: OrgSector::SchoolHospital,
        name: "盖北镇中学党支部",
    },
];

struct MemberSpec {
    n: u128,
    name: &'static str,
    /// Branch, and group if any.
    org: u128,
    group: Option<u128>,
    category: MemberCategory,
    leading_cadre: bool,
    /// The role it holds, on which org, and whether it may review.
    role: Option<(RoleKind, u128, bool)>,
}

const MEMBERS: &[MemberSpec] = &[
    MemberSpec {
        n: 1,
        name: "张明",
        org: 9,
        group: None,
        category: MemberCategory::InService,
        leading_cadre: true,
        role: Some((RoleKind::TownshipAdmin, 1, false)),
    },
    MemberSpec {
        n: 2,
        name: "李红",
        org: 9,
        group: None,
        category: MemberCategory::InService,
        leading_cadre: false,
        role: Some((RoleKind::HotlineOperator, 1, false)),
    },
    MemberSpec {
        n: 3,
        name: "王伟",
        org: 9,
        group: None,
        category: MemberCategory::InService,
        leading_cadre: true,
        role: Some((RoleKind::Secretary, 9, false)),
    },
    MemberSpec {
        n: 4,
        name: "陈静",
        org: 9,
        group: None,
        category: MemberCategory::InService,
        leading_cadre: false,
        role: None,
    },
    MemberSpec {
        n: 5,
        name: "赵刚",
        org: 3,
        group: None,
        category: MemberCategory::Rural,
        leading_cadre: true,
        role: Some((RoleKind::Secretary, 2, false)),
    },
    MemberSpec {
        n: 6,
        name: "孙建国",
        org: 3,
        group: Some(4),
        category: MemberCategory::Rural,
        leading_cadre: false,
        role: Some((RoleKind::Secretary, 3, false)),
    },
    MemberSpec {
        n: 7,
        name: "周丽",
        org: 3,
        group: Some(4),
        category: MemberCategory::Rural,
        leading_cadre: false,
        role: Some((RoleKind::Committee, 3, true)),
    },
    MemberSpec {
        n: 8,
        name: "吴强",
        org: 3,
        group: Some(5),
        category: MemberCategory::Rural,
        leading_cadre: false,
        role: Some((RoleKind::Committee, 3, false)),
    },
    MemberSpec {
        n: 9,
        name: "郑大山",
        org: 3,
        group: Some(4),
        category: MemberCategory::Rural,
        leading_cadre: false,
        role: None,
    },
    MemberSpec {
        n: 10,
        name: "钱秀英",
        org: 3,
        group: Some(5),
        category: MemberCategory::Retired,
        leading_cadre: false,
        role: None,
    },
    MemberSpec {
        n: 11,
        name: "冯德福",
        org: 3,
        group: Some(5),
        category: MemberCategory::Frail,
        leading_cadre: false,
        role: None,
    },
    MemberSpec {
        n: 12,
        name: "何小军",
        org: 3,
        group: Some(4),
        category: MemberCategory::Mobile,
        leading_cadre: false,
        role: None,
    },
    MemberSpec {
        n: 13,
        name: "朱志明",
        org: 6,
        group: None,
        category: MemberCategory::Rural,
        leading_cadre: false,
        role: Some((RoleKind::Secretary, 6, false)),
    },
    MemberSpec {
        n: 14,
        name: "胡晓",
        org: 6,
        group: None,
        category: MemberCategory::Rural,
        leading_cadre: false,
        role: None,
    },
    MemberSpec {
        n: 15,
        name: "林海",
        org: 8,
        group: None,
        category: MemberCategory::Rural,
        leading_cadre: false,
        role: Some((RoleKind::Secretary, 8, false)),
    },
    MemberSpec {
        n: 16,
        name: "高峰",
        org: 8,
        group: None,
        category: MemberCategory::Retired,
        leading_cadre: false,
        role: None,
    },
    MemberSpec {
        n: 17,
        name: "罗斌",
        org: 10,
        group: None,
        category: MemberCategory::InService,
        leading_cadre: false,
        role: Some((RoleKind::Secretary, 10, false)),
    },
    MemberSpec {
        n: 18,
        name: "梁洁",
        org: 10,
        group: None,
        category: MemberCategory::Mobile,
        leading_cadre: false,
        role: None,
    },
    MemberSpec {
        n: 19,
        name: "宋文",
        org: 11,
        group: None,
        category: MemberCategory::InService,
        leading_cadre: true,
        role: Some((RoleKind::Secretary, 11, false)),
    },
    MemberSpec {
        n: 20,
        name: "唐敏",
        org: 11,
        group: None,
        category: MemberCategory::InService,
        leading_cadre: false,
        role: None,
    },
];

/// One demo account, as `seed-demo --json` prints it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoAccount {
    /// The role held, or `member`.
    pub role: String,
    pub name: String,
    pub phone: String,
    pub member_id: Uuid,
    /// The org the role covers (the branch for plain members).
    pub org_id: Uuid,
    pub org_name: String,
}

fn phone(n: u128) -> Result<PhoneNumber, RepoError> {
    PhoneNumber::parse(&format!("138{n:08}")).map_err(|e| RepoError::Other(e.detail.into()))
}

/// When the demo township's orgs and members came into being (00:00 Beijing time,
/// 2025-01-01), or the seeding time if that is earlier.
fn founded(now: DateTime<Utc>) -> DateTime<Utc> {
    chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00+08:00")
        .map(|t| t.with_timezone(&Utc))
        .map_or(now, |t| t.min(now))
}

/// Writes whatever of the demo township is missing, in one unit of work, and lists its
/// accounts. Running it again changes nothing.
pub async fn seed(db: &Db, now: DateTime<Utc>) -> Result<Vec<DemoAccount>, RepoError> {
    let uow = db.begin().await?;
    let founded = founded(now);
    let mut orgs: Vec<Org> = Vec::new();
    let mut created = 0usize;
    for spec in ORGS {
        let id = OrgId::from_uuid(fixed_id(1, spec.n));
        let parent = spec
            .parent
            .and_then(|p| {
                orgs.iter()
                    .find(|o| o.id == OrgId::from_uuid(fixed_id(1, p)))
            })
            .cloned();
        let org = Org {
            id,
            parent_id: parent.as_ref().map(|p| p.id),
            kind: spec.kind,
            sector: spec.sector,
            name: spec.name.to_owned(),
            path: parent
                .as_ref()
                .map_or_else(|| OrgPath::root(id), |p| p.path.child(id)),
            created_at: founded,
        };
        match uow.orgs().get(id).await? {
            Some(existing) => orgs.push(existing),
            None => {
                uow.orgs().insert(&org).await?;
                created += 1;
                orgs.push(org);
            }
        }
    }
    let org_of = |n: u128| {
        orgs.iter()
            .find(|o| o.id == OrgId::from_uuid(fixed_id(1, n)))
    };

    let mut accounts = Vec::new();
    for spec in MEMBERS {
        let id = MemberId::from_uuid(fixed_id(2, spec.n));
        let branch =
            org_of(spec.org).ok_or_else(|| RepoError::Other("demo branch missing".into()))?;
        let member = match uow.members().get(id).await? {
            Some(existing) => existing,
            None => {
                let member = Member {
                    id,
                    name: spec.name.to_owned(),
                    phone: phone(spec.n)?,
                    category: spec.category,
                    branch_id: branch.id,
                    group_id: spec.group.map(|g| OrgId::from_uuid(fixed_id(1, g))),
                    branch_path: branch.path.clone(),
                    leading_cadre: spec.leading_cadre,
                    probationary: false,
                    status: MemberStatus::Active,
                    created_at: founded,
                    updated_at: founded,
                };
                uow.members().insert(&member).await?;
                created += 1;
                member
            }
        };
        let (role, org) = match spec.role {
            Some((kind, on, can_review)) => {
                let org = org_of(on).ok_or_else(|| RepoError::Other("demo org missing".into()))?;
                let grant_id = RoleGrantId::from_uuid(fixed_id(3, spec.n));
                if uow.roles().get(grant_id).await?.is_none() {
                    uow.roles()
                        .insert(&RoleGrant {
                            id: grant_id,
                            member_id: member.id,
                            kind,
                            org_id: org.id,
                            org_path: org.path.clone(),
                            can_review,
                            granted_at: founded,
                        })
                        .await?;
                    created += 1;
                }
                (kind.as_str().to_owned(), org)
            }
            None => ("member".to_owned(), branch),
        };
        accounts.push(DemoAccount {
            role,
            name: member.name.clone(),
            phone: member.phone.as_str().to_owned(),
            member_id: member.id.as_uuid(),
            org_id: org.id.as_uuid(),
            org_name: org.name.clone(),
        });
    }
    let branch = org_of(3).ok_or_else(|| RepoError::Other("demo branch missing".into()))?;
    let theme_day = theme_day(branch, now)?;
    created += seed_theme_day(uow.as_ref(), &theme_day, branch).await?;
    let committee = org_of(1).ok_or_else(|| RepoError::Other("demo committee missing".into()))?;
    created += seed_materials(uow.as_ref(), committee, now).await?;
    created += seed_appraisal(uow.as_ref(), branch, now).await?;
    created += super::demo_volunteer::seed_volunteer(uow.as_ref(), committee, branch, now).await?;
    if created > 0 {
        let root = org_of(1).ok_or_else(|| RepoError::Other("demo committee missing".into()))?;
        let entry = AuditEntry::record(
            AuditId::at(now),
            NewAuditEntry {
                actor: None,
                action: AuditAction::known("demo.seed"),
                object_type: "org".to_owned(),
                object_id: root.id.to_string(),
                org_id: Some(root.id.as_uuid()),
                org_path: Some(root.path.as_str().to_owned()),
                request_id: None,
            },
            now,
        );
        uow.audit().append(&entry).await?;
    }
    uow.commit().await?;
    super::demo_pioneer::seed_pioneer(db, now).await?;
    Ok(accounts)
}

/// This month's theme day of 新舍村第一党支部: the 5th, 09:00-11:00 Beijing time, proven by
/// QR code or location, online allowed.
fn theme_day(branch: &Org, now: DateTime<Utc>) -> Result<Activity, RepoError> {
    let month = YearMonth::containing(now)
        .ok_or_else(|| RepoError::Other("demo date out of range".into()))?;
    let fifth = month
        .first_day()
        .with_day(5)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .and_then(|t| t.and_local_timezone(shanghai()).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| RepoError::Other("demo date out of range".into()))?;
    let fence = GeoPoint::new(30.0871, 120.8402).and_then(|c| Geofence::new(c, 200.0));
    let ends = fifth + Duration::hours(2);
    // Planned at the start of the month (never after `now`).
    let planned = month.start().min(now);
    Ok(Activity {
        id: ActivityId::from_uuid(fixed_id(4, 1)),
        branch_id: branch.id,
        group_id: None,
        branch_path: branch.path.clone(),
        kind: ActivityKind::ThemeDay,
        theme_category: Some(ThemeCategory::Study),
        title: "重温入党誓词".to_owned(),
        place: Some("新舍村文化礼堂".to_owned()),
        lecturer_id: None,
        lecturer_name: None,
        lecturer_is_secretary: false,
        starts_at: fifth,
        ends_at: ends,
        window_opens_at: fifth - Duration::minutes(Activity::DEFAULT_WINDOW_LEAD_MINUTES),
        window_closes_at: ends,
        proof: ProofKind::Either,
        geofence: fence,
        online_allowed: true,
        qr_auto_approve: false,
        status: ActivityStatus::Scheduled,
        cancel_reason: None,
        created_by: demo_member(6),
        created_at: planned,
        updated_at: planned,
    })
}

fn demo_member(n: u128) -> MemberId {
    MemberId::from_uuid(fixed_id(2, n))
}

/// The theme day with what a secretary finds on it: 周丽's check-in by QR code, approved by
/// the secretary 孙建国; 郑大山's by location, awaiting review; and 冯德福's (frail) pending
/// request for leave. Answers how many rows it wrote.
async fn seed_theme_day(
    uow: &dyn UnitOfWork,
    a: &Activity,
    branch: &Org,
) -> Result<usize, RepoError> {
    let mut created = 0;
    if uow.activities().get(a.id).await?.is_none() {
        uow.activities().insert(a).await?;
        created += 1;
    }
    let secretary = demo_member(6);
    let check_ins = [
        (1, demo_member(7), CheckInMethod::Qr, 10, true),
        (2, demo_member(9), CheckInMethod::Location, 5, false),
    ];
    for (n, member, method, minutes_early, approved) in check_ins {
        let id = CheckInId::from_uuid(fixed_id(5, n));
        if uow.check_ins().get(id).await?.is_some() {
            continue;
        }
        let at = a.starts_at - Duration::minutes(minutes_early);
        let check_in = CheckIn {
            id,
            activity_id: a.id,
            member_id: member,
            branch_path: branch.path.clone(),
            method,
            status: ReviewStatus::Pending,
            client_time: Some(at),
            location: (method == CheckInMethod::Location)
                .then(|| a.geofence.map(|f| f.center()))
                .flatten(),
            created_at: at,
            review: None,
            checked_out_at: None,
        };
        if uow.check_ins().insert_if_absent(&check_in).await?.is_none() {
            continue; // the member checked in by themself meanwhile
        }
        created += 1;
        if approved {
            let review = Review {
                reviewer_id: secretary,
                reviewed_at: a.starts_at + Duration::minutes(20),
                reason: None,
            };
            uow.check_ins()
                .decide(&[id], ReviewStatus::Approved, &review)
                .await?;
        }
    }
    let leave = ExemptionId::from_uuid(fixed_id(6, 1));
    if uow.exemptions().get(leave).await?.is_none() {
        uow.exemptions()
            .insert(&Exemption {
                id: leave,
                member_id: demo_member(11),
                branch_path: branch.path.clone(),
                scope: ExemptionScope::Activity(a.id),
                reason: "年老体弱，行动不便，申请本次主题党日请假".to_owned(),
                status: ReviewStatus::Pending,
                created_at: a.starts_at - Duration::days(2),
                review: None,
            })
            .await?;
        created += 1;
    }
    Ok(created)
}

/// This month's monthly lesson and a required material for the whole township, published
/// by the township admin at the start of the month, and some members' progress: 周丽
/// finished the lesson and began the required one, 郑大山 began the lesson, 张明 finished the
/// required one. Answers how many rows it wrote.
async fn seed_materials(
    uow: &dyn UnitOfWork,
    committee: &Org,
    now: DateTime<Utc>,
) -> Result<usize, RepoError> {
    let month = YearMonth::containing(now)
        .ok_or_else(|| RepoError::Other("demo date out of range".into()))?;
    let published = month.start().min(now);
    let audience = Audience {
        org_id: committee.id,
        org_path: committee.path.clone(),
        categories: Vec::new(),
        leading_cadres_only: false,
    };
    let material = |n: u128,
                    title: String,
                    summary: &str,
                    body: &str,
                    category: MaterialCategory,
                    required: bool,
                    lesson: Option<YearMonth>| Material {
        id: MaterialId::from_uuid(fixed_id(7, n)),
        title,
        summary: summary.to_owned(),
        body_html: body.to_owned(),
        attachments: Vec::new(),
        category,
        required,
        lesson_month: lesson,
        audience: audience.clone(),
        publish_at: published,
        study_deadline: Some(month.end()),
        status: MaterialStatus::Published,
        revision: 1,
        publisher_id: demo_member(1),
        created_at: published,
        updated_at: published,
    };
    let lesson = material(
        1,
        format!(
            "{}年{}月月送党课：牢记初心使命 争做合格党员",
            month.year(),
            month.month()
        ),
        "本月党课：从党的历史中汲取力量，对照“四个合格”查找差距。",
        "<h2>一、牢记初心使命</h2><p>从党的历史中汲取前进力量，坚定理想信念。</p>\
         <h2>二、争做合格党员</h2><p>对照政治合格、执行纪律合格、品德合格、发挥作用合格，\
         查找差距、明确方向。</p>",
        MaterialCategory::PartyHistory,
        false,
        Some(month),
    );
    let required = material(
        2,
        "中国共产党章程（全文）".to_owned(),
        "必学必知必会：逐章学习党章，熟记党员的义务和权利。",
        "<p>党章是党的根本大法，是全党必须共同遵守的根本行为规范。</p>\
         <p>请逐章学习，重点掌握第一章“党员”中党员的八项义务和八项权利。</p>",
        MaterialCategory::PartyConstitution,
        true,
        None,
    );
    let mut created = 0;
    for m in [&lesson, &required] {
        if uow.materials().get(m.id).await?.is_none() {
            uow.materials().insert(m).await?;
            created += 1;
        }
    }
    // (member, material, minutes studied, completed, points)
    let progress = [
        (7, &lesson, 25, true, 1),
        (7, &required, 10, false, 0),
        (9, &lesson, 5, false, 0),
        (1, &required, 40, true, 2),
    ];
    for (member, m, minutes, completed, points) in progress {
        // Studied on the second day of the month, or as late as now allows.
        let opened = (published + Duration::hours(20 + member as i64)).min(now);
        let done = (opened + Duration::minutes(minutes)).min(now);
        let record = StudyRecord {
            material_id: m.id,
            member_id: demo_member(member),
            opened_at: opened,
            position: minutes * 60,
            seconds_spent: minutes * 60,
            completed_at: completed.then_some(done),
            points,
            updated_at: done,
        };
        if uow.study_records().insert_if_absent(&record).await? {
            created += 1;
        }
    }
    Ok(created)
}

/// The accounts as an aligned table for people.
pub fn table(accounts: &[DemoAccount]) -> String {
    let mut out = String::from(
        "role               name      phone         memberId                              org\n",
    );
    for a in accounts {
        out.push_str(&format!(
            "{:<18} {:<8} {:<13} {} {}\n",
            a.role, a.name, a.phone, a.member_id, a.org_name
        ));
    }
    out
}

/// A 民主评议党员 campaign of 新舍村第一党支部 in its self-assessment stage, whatever day the
/// seed runs: mobilisation yesterday, self-assessment from today for ten days, then peer
/// review, rating and a week of publication. 周丽 has submitted her self-assessment, 吴强
/// has a draft, the others have not begun. Answers how many rows it wrote.
async fn seed_appraisal(
    uow: &dyn UnitOfWork,
    branch: &Org,
    now: DateTime<Utc>,
) -> Result<usize, RepoError> {
    let id = CampaignId::from_uuid(fixed_id(8, 1));
    if uow.appraisals().get_campaign(id).await?.is_some() {
        return Ok(0);
    }
    let today = now.with_timezone(&shanghai()).date_naive();
    let days = |from: i64, to: i64| StageDates {
        starts_on: today + Duration::days(from),
        ends_on: today + Duration::days(to),
    };
    let schedule = Schedule::new([
        days(-1, -1),
        days(0, 9),
        days(11, 14),
        days(15, 19),
        days(20, 26),
    ])
    .map_err(|_| RepoError::Other("the demo campaign's schedule is invalid".into()))?;
    let (positive_list, negative_list) = Campaign::default_lists();
    let stages = StageClock::new(schedule);
    let campaign = Campaign {
        id,
        org_id: branch.id,
        org_path: branch.path.clone(),
        name: format!("{}年度民主评议党员", today.year()),
        period: Period::Year(today.year()),
        meeting_id: None,
        recorded: stages.standing(now),
        stages,
        peer_scope: PeerScope::Branch,
        positive_list,
        negative_list,
        excellent_share: Share::ONE_THIRD,
        created_by: demo_member(6),
        created_at: now,
        updated_at: now,
    };
    let participants: Vec<Participant> = uow
        .members()
        .active_in_branch(&branch.path)
        .await?
        .into_iter()
        .map(|m| Participant {
            campaign_id: id,
            member_id: m.id,
            name: m.name,
            branch_id: m.branch_id,
            branch_path: m.branch_path,
            group_id: m.group_id,
            probationary: m.probationary,
            excused: None,
        })
        .collect();
    uow.appraisals()
        .insert_campaign(&campaign, &participants)
        .await?;
    let mut written = 1 + participants.len();
    let due = today + Duration::days(60);
    for (member, submitted) in [(7, true), (8, false)] {
        let Some(p) = participants
            .iter()
            .find(|p| p.member_id == demo_member(member))
        else {
            continue;
        };
        let content = demo_assessment(submitted, due);
        let a = SelfAssessment {
            content,
            version: if submitted { 2 } else { 1 },
            status: if submitted {
                AssessmentStatus::Submitted
            } else {
                AssessmentStatus::Draft
            },
            submitted_at: submitted.then_some(now),
            ..SelfAssessment::blank(p, now)
        };
        if uow.appraisals().save_assessment(&a, 0).await? {
            written += 1;
        }
    }
    Ok(written)
}

/// A complete self-assessment, or a draft of its first parts.
fn demo_assessment(complete: bool, due: chrono::NaiveDate) -> AssessmentContent {
    let dimensions = Dimension::ALL
        .iter()
        .take(if complete { Dimension::ALL.len() } else { 2 })
        .map(|d| DimensionEntry {
            dimension: *d,
            text: format!("{}：对照党章党规认真查摆，能够发挥党员作用。", d.title()),
            grade: complete.then_some(Grade::Qualified),
        })
        .collect();
    if !complete {
        return AssessmentContent {
            dimensions,
            ..AssessmentContent::default()
        };
    }
    AssessmentContent {
        dimensions,
        qualifications: Qualification::ALL
            .iter()
            .map(|q| QualificationEntry {
                qualification: *q,
                met: true,
                note: None,
            })
            .collect(),
        positive: vec![domain::appraisal::ListTick {
            item: 3,
            note: Some("每月参加主题党日".to_owned()),
        }],
        negative: Vec::new(),
        five_looks: (1..=5)
            .map(|look| LookAnswer {
                look,
                answer: "经对照检查，能够做到，仍需加强理论学习。".to_owned(),
            })
            .collect(),
        problems: vec![ProblemFound {
            problem: "理论学习不够系统".to_owned(),
            measure: "每周参加两次线上学习，按月送党课完成学习".to_owned(),
            due_on: due,
        }],
        summary: Some("一年来认真履行党员义务，按时参加组织生活。".to_owned()),
    }
}
