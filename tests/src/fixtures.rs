//! A small township written straight through the repositories: a committee with a general
//! branch holding branch A (with a group) and a branch B, plus a second committee; members
//! in each, and the roles of domain.md's table.

use chrono::{DateTime, Utc};

use domain::org::{
    Member, MemberCategory, MemberId, MemberRepo, MemberStatus, Org, OrgId, OrgKind, OrgPath,
    OrgRepo, OrgSector, PhoneNumber, RoleGrant, RoleGrantId, RoleKind, RoleRepo,
};
use infra::Db;

pub struct Township {
    pub committee: Org,
    pub general: Org,
    pub branch_a: Org,
    pub group_a: Org,
    pub branch_b: Org,
    pub other_committee: Org,
    pub other_branch: Org,
    /// Plain member of branch A.
    pub member_a: Member,
    /// Another plain member of branch A.
    pub member_a2: Member,
    /// Plain member of branch B.
    pub member_b: Member,
    /// Secretary of branch A.
    pub secretary_a: Member,
    /// Committee member of branch A (no review).
    pub committee_a: Member,
    /// Committee member of branch A with canReview.
    pub reviewer_a: Member,
    /// Township admin of the committee (member of branch B).
    pub admin: Member,
    /// Hotline operator of the committee (member of branch B).
    pub operator: Member,
    /// Secretary of the other committee's branch.
    pub other_secretary: Member,
    /// Township admin of the other committee.
    pub other_admin: Member,
}

fn org(
    parent: Option<&Org>,
    kind: OrgKind,
    sector: OrgSector,
    name: &str,
    at: DateTime<Utc>,
) -> Org {
    let id = OrgId::new();
    Org {
        id,
        parent_id: parent.map(|p| p.id),
        kind,
        sector,
        name: name.into(),
        path: parent.map_or_else(|| OrgPath::root(id), |p| p.path.child(id)),
        created_at: at,
    }
}

fn phone(n: u32) -> PhoneNumber {
    match PhoneNumber::parse(&format!("139{n:08}")) {
        Ok(p) => p,
        Err(e) => panic!("{e:?}"),
    }
}

impl Township {
    pub async fn create(db: &Db, at: DateTime<Utc>) -> Self {
        let committee = org(None, OrgKind::Committee, OrgSector::Rural, "盖北镇党委", at);
        let general = org(
            Some(&committee),
            OrgKind::GeneralBranch,
            OrgSector::Rural,
            "虞北村党总支",
            at,
        );
        let branch_a = org(
            Some(&general),
            OrgKind::Branch,
            OrgSector::Rural,
            "虞北村第一党支部",
            at,
        );
        let group_a = org(
            Some(&branch_a),
            OrgKind::Group,
            OrgSector::Rural,
            "第一党小组",
            at,
        );
        let branch_b = org(
            Some(&committee),
            OrgKind::Branch,
            OrgSector::Government,
            "镇机关党支部",
            at,
        );
        let other_committee = org(None, OrgKind::Committee, OrgSector::Rural, "邻镇党委", at);
        let other_branch = org(
            Some(&other_committee),
            OrgKind::Branch,
            OrgSector::Rural,
            "邻镇第一党支部",
            at,
        );
        let repos = db.repos();
        for o in [
            &committee,
            &general,
            &branch_a,
            &group_a,
            &branch_b,
            &other_committee,
            &other_branch,
        ] {
            if let Err(e) = OrgRepo::insert(&repos, o).await {
                panic!("{e}");
            }
        }
        let mut n = 0;
        let mut member = |branch: &Org, name: &str| {
            n += 1;
            Member {
                id: MemberId::new(),
                name: name.into(),
                phone: phone(n),
                category: MemberCategory::Rural,
                branch_id: branch.id,
                group_id: None,
                branch_path: branch.path.clone(),
                leading_cadre: false,
                probationary: false,
                status: MemberStatus::Active,
                created_at: at,
                updated_at: at,
            }
        };
        let t = Township {
            member_a: member(&branch_a, "党员甲"),
            member_a2: member(&branch_a, "党员乙"),
            member_b: member(&branch_b, "党员丙"),
            secretary_a: member(&branch_a, "书记甲"),
            committee_a: member(&branch_a, "支委甲"),
            reviewer_a: member(&branch_a, "支委乙"),
            admin: member(&branch_b, "组织委员"),
            operator: member(&branch_b, "接线员"),
            other_secretary: member(&other_branch, "邻镇书记"),
            other_admin: member(&other_branch, "邻镇组织委员"),
            committee,
            general,
            branch_a,
            group_a,
            branch_b,
            other_committee,
            other_branch,
        };
        for m in [
            &t.member_a,
            &t.member_a2,
            &t.member_b,
            &t.secretary_a,
            &t.committee_a,
            &t.reviewer_a,
            &t.admin,
            &t.operator,
            &t.other_secretary,
            &t.other_admin,
        ] {
            if let Err(e) = MemberRepo::insert(&repos, m).await {
                panic!("{e}");
            }
        }
        let grants = [
            (&t.secretary_a, RoleKind::Secretary, &t.branch_a, false),
            (&t.committee_a, RoleKind::Committee, &t.branch_a, false),
            (&t.reviewer_a, RoleKind::Committee, &t.branch_a, true),
            (&t.admin, RoleKind::TownshipAdmin, &t.committee, false),
            (&t.operator, RoleKind::HotlineOperator, &t.committee, false),
            (
                &t.other_secretary,
                RoleKind::Secretary,
                &t.other_branch,
                false,
            ),
            (
                &t.other_admin,
                RoleKind::TownshipAdmin,
                &t.other_committee,
                false,
            ),
        ];
        for (m, kind, o, can_review) in grants {
            let g = RoleGrant {
                id: RoleGrantId::new(),
                member_id: m.id,
                kind,
                org_id: o.id,
                org_path: o.path.clone(),
                can_review,
                granted_at: at,
            };
            if let Err(e) = RoleRepo::insert(&repos, &g).await {
                panic!("{e}");
            }
        }
        t
    }
}
