//! The appraisal repository (campaigns, participants, self-assessments) on the configured
//! backend.

use chrono::{DateTime, NaiveDate, Utc};

use domain::activity::ActivityId;
use domain::appraisal::{
    AppraisalRepo, AssessmentContent, AssessmentStatus, Campaign, CampaignId, CampaignQuery,
    Excusal, ListTick, Participant, PeerScope, Period, ProblemFound, Schedule, SelfAssessment,
    Share, Stage, StageClock, StageDates, Standing,
};
use domain::org::{Member, MemberId, Org, OrgPath};
use domain::page::{Page, PageRequest};
use domain::uow::Transactional;
use infra::Db;
use tests::fixtures::Township;

use crate::repo_support::{
    after, assert_conflict, assert_invalid_cursor, assert_not_found, at, bad_cursor, township,
};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Stages in December 2026, after the default test instant (5 November 2026).
fn december() -> StageClock {
    let dates = [
        ("2026-12-01", "2026-12-01"),
        ("2026-12-02", "2026-12-10"),
        ("2026-12-12", "2026-12-15"),
        ("2026-12-16", "2026-12-20"),
        ("2026-12-21", "2026-12-27"),
    ]
    .map(|(a, b)| StageDates {
        starts_on: day(a),
        ends_on: day(b),
    });
    StageClock::new(Schedule::new(dates).unwrap())
}

/// A campaign on `org`, its id (and so its place in the newest-first order) taken at `secs`.
pub(crate) fn campaign(org: &Org, secs: i64, by: &Member) -> Campaign {
    let (positive_list, negative_list) = Campaign::default_lists();
    Campaign {
        id: CampaignId::at(at(secs)),
        org_id: org.id,
        org_path: org.path.clone(),
        name: "2026年度民主评议党员".into(),
        period: Period::Year(2026),
        meeting_id: None,
        stages: december(),
        peer_scope: PeerScope::Branch,
        positive_list,
        negative_list,
        excellent_share: Share::ONE_THIRD,
        recorded: Standing::NotStarted,
        created_by: by.id,
        created_at: at(secs),
        updated_at: at(secs),
    }
}

pub(crate) fn participant(c: &Campaign, m: &Member) -> Participant {
    Participant {
        campaign_id: c.id,
        member_id: m.id,
        name: m.name.clone(),
        branch_id: m.branch_id,
        branch_path: m.branch_path.clone(),
        group_id: m.group_id,
        probationary: false,
        excused: None,
    }
}

fn excusal(by: &Member, secs: i64) -> Excusal {
    Excusal {
        reason: "长期病休".into(),
        by: by.id,
        at: at(secs),
    }
}

fn draft(p: &Participant, summary: &str, secs: i64) -> SelfAssessment {
    SelfAssessment {
        content: AssessmentContent {
            positive: vec![ListTick {
                item: 3,
                note: Some("每月按时参加主题党日".into()),
            }],
            problems: vec![ProblemFound {
                problem: "理论学习不够系统".into(),
                measure: "每周读一篇原文".into(),
                due_on: day("2027-03-31"),
            }],
            summary: Some(summary.into()),
            ..AssessmentContent::default()
        },
        status: AssessmentStatus::Draft,
        version: 1,
        ..SelfAssessment::blank(p, at(secs))
    }
}

/// Every member of the township's committee and of the other committee, as participants.
fn everyone(town: &Township, c: &Campaign) -> Vec<Participant> {
    [
        &town.member_a,
        &town.member_a2,
        &town.secretary_a,
        &town.committee_a,
        &town.reviewer_a,
        &town.member_b,
        &town.admin,
        &town.operator,
        &town.other_secretary,
    ]
    .into_iter()
    .map(|m| participant(c, m))
    .collect()
}

pub(crate) async fn open(db: &Db, c: &Campaign, participants: &[Participant]) {
    let uow = db.begin().await.unwrap();
    uow.appraisals()
        .insert_campaign(c, participants)
        .await
        .unwrap();
    uow.commit().await.unwrap();
}

/// `participants` in the roster's order: branch path, then name, then member id.
fn in_roster_order(mut participants: Vec<Participant>) -> Vec<MemberId> {
    participants.sort_by(|a, b| {
        (
            a.branch_path.as_str(),
            a.name.as_str(),
            a.member_id.as_uuid(),
        )
            .cmp(&(
                b.branch_path.as_str(),
                b.name.as_str(),
                b.member_id.as_uuid(),
            ))
    });
    participants.into_iter().map(|p| p.member_id).collect()
}

fn members(participants: &[Participant]) -> Vec<MemberId> {
    participants.iter().map(|p| p.member_id).collect()
}

fn under(participants: &[Participant], path: &OrgPath) -> Vec<Participant> {
    participants
        .iter()
        .filter(|p| path.covers(&p.branch_path))
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_campaign_round_trips_with_its_early_starts_and_recorded_standing() {
    let (_t, db, town) = township().await;
    let mut stages = december();
    let early: DateTime<Utc> = at(3600);
    assert_eq!(stages.begin_next(early).unwrap(), Stage::Mobilisation);
    let c = Campaign {
        name: "2026年下半年党性分析".into(),
        period: Period::Half {
            year: 2026,
            half: 2,
        },
        meeting_id: Some(ActivityId::new()),
        stages,
        peer_scope: PeerScope::Group,
        positive_list: (1..=10).map(|i| format!("正面第{i}条")).collect(),
        negative_list: (1..=10).map(|i| format!("负面第{i}条")).collect(),
        excellent_share: Share::new(1, 4).unwrap(),
        recorded: Standing::Open(Stage::Mobilisation),
        ..campaign(&town.branch_a, 0, &town.secretary_a)
    };
    open(&db, &c, &[]).await;

    let stored = db.repos().get_campaign(c.id).await.unwrap();

    assert_eq!(stored, Some(c.clone()));
    assert_eq!(
        db.repos().get_campaign(CampaignId::new()).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn an_update_writes_the_stages_standing_and_time_and_nothing_else() {
    let (_t, db, town) = township().await;
    let c = campaign(&town.branch_a, 0, &town.secretary_a);
    open(&db, &c, &[]).await;
    let mut changed = c.clone();
    changed.stages.begin_next(at(60)).unwrap();
    changed.stages.begin_next(at(120)).unwrap();
    changed.recorded = Standing::Open(Stage::SelfAssessment);
    changed.updated_at = at(120);
    changed.name = "改过的名称".into();

    db.repos().update_campaign(&changed).await.unwrap();

    let stored = db.repos().get_campaign(c.id).await.unwrap().unwrap();
    assert_eq!(
        stored,
        Campaign {
            name: c.name.clone(),
            ..changed.clone()
        }
    );
    assert_eq!(
        stored.standing(at(130)),
        Standing::Open(Stage::SelfAssessment)
    );
    let missing = campaign(&town.branch_a, 5, &town.secretary_a);
    assert_not_found(db.repos().update_campaign(&missing).await);
}

#[tokio::test]
async fn a_large_roster_is_stored_in_one_unit_of_work() {
    let (_t, db, town) = township().await;
    let c = campaign(&town.committee, 0, &town.admin);
    let roster: Vec<Participant> = (0..250)
        .map(|i| Participant {
            member_id: MemberId::new(),
            name: format!("党员{i:03}"),
            probationary: i % 7 == 0,
            group_id: (i % 2 == 0).then_some(town.group_a.id),
            ..participant(&c, &town.member_a)
        })
        .collect();

    open(&db, &c, &roster).await;

    let stored = db
        .repos()
        .participants(c.id, &town.committee.path)
        .await
        .unwrap();
    assert_eq!(members(&stored), in_roster_order(roster.clone()));
    assert_eq!(stored.iter().filter(|p| p.probationary).count(), 36);
    assert_eq!(stored.iter().filter(|p| p.group_id.is_some()).count(), 125);
}

#[tokio::test]
async fn a_member_takes_part_in_a_campaign_once() {
    let (_t, db, town) = township().await;
    let c = campaign(&town.branch_a, 0, &town.secretary_a);
    let twice = [
        participant(&c, &town.member_a),
        participant(&c, &town.member_a),
    ];

    let uow = db.begin().await.unwrap();
    let result = uow.appraisals().insert_campaign(&c, &twice).await;

    assert_conflict(result, "ux_appraisal_participant");
    drop(uow);
    assert_eq!(db.repos().get_campaign(c.id).await.unwrap(), None);
}

#[tokio::test]
async fn campaigns_are_listed_on_exact_orgs_and_under_subtrees_newest_first() {
    let (_t, db, town) = township().await;
    let on_committee = campaign(&town.committee, 0, &town.admin);
    let on_general = campaign(&town.general, 10, &town.admin);
    let on_a = campaign(&town.branch_a, 20, &town.secretary_a);
    let on_b = campaign(&town.branch_b, 30, &town.admin);
    let on_other = campaign(&town.other_branch, 40, &town.other_secretary);
    let on_other_committee = campaign(&town.other_committee, 50, &town.other_admin);
    for c in [
        &on_b,
        &on_committee,
        &on_other,
        &on_a,
        &on_other_committee,
        &on_general,
    ] {
        open(&db, c, &[]).await;
    }
    let repos = db.repos();
    let ids = |p: &Page<Campaign>| p.items.iter().map(|c| c.id).collect::<Vec<_>>();
    let query = |on: &[&Org], under: &[&Org]| CampaignQuery {
        on: on.iter().map(|o| o.path.clone()).collect(),
        under: under.iter().map(|o| o.path.clone()).collect(),
    };
    let list = |q: CampaignQuery, page: PageRequest| {
        let repos = repos.clone();
        async move { repos.list_campaigns(&q, &page).await }
    };

    // The township's own campaign and everything under the general branch; branch B lies
    // under the committee, which is only asked for exactly.
    let mine = query(&[&town.committee], &[&town.general]);
    let p1 = list(mine.clone(), PageRequest::first(2)).await.unwrap();
    assert_eq!(ids(&p1), [on_a.id, on_general.id]);
    let p2 = list(mine.clone(), after(2, &p1.next)).await.unwrap();
    assert_eq!(ids(&p2), [on_committee.id]);
    assert_eq!(p2.next, None);

    let exact = list(query(&[&town.general], &[]), PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(ids(&exact), [on_general.id]);
    let subtree = list(query(&[], &[&town.committee]), PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(
        ids(&subtree),
        [on_b.id, on_a.id, on_general.id, on_committee.id]
    );
    let siblings = list(
        query(&[&town.branch_b], &[&town.branch_a]),
        PageRequest::first(10),
    )
    .await
    .unwrap();
    assert_eq!(ids(&siblings), [on_b.id, on_a.id]);
    let elsewhere = list(query(&[], &[&town.other_committee]), PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(ids(&elsewhere), [on_other_committee.id, on_other.id]);

    let nothing = list(CampaignQuery::default(), PageRequest::first(10))
        .await
        .unwrap();
    assert!(nothing.items.is_empty());
    assert_eq!(nothing.next, None);
    assert_invalid_cursor(list(mine, bad_cursor("page-2")).await);
}

#[tokio::test]
async fn participants_are_read_by_subtree_in_branch_then_name_order() {
    let (_t, db, town) = township().await;
    let c = campaign(&town.committee, 0, &town.admin);
    let mut roster = everyone(&town, &c);
    // Namesakes in one branch are told apart by member id.
    roster.push(Participant {
        member_id: MemberId::new(),
        ..participant(&c, &town.member_a)
    });
    roster[1].group_id = Some(town.group_a.id);
    roster[2].probationary = true;
    let elsewhere = campaign(&town.branch_a, 5, &town.secretary_a);
    open(&db, &c, &roster).await;
    open(&db, &elsewhere, &[participant(&elsewhere, &town.member_a)]).await;
    let repos = db.repos();

    let all = repos
        .participants(c.id, &town.committee.path)
        .await
        .unwrap();
    let general = repos.participants(c.id, &town.general.path).await.unwrap();
    let b = repos.participants(c.id, &town.branch_b.path).await.unwrap();
    let other = repos
        .participants(c.id, &town.other_committee.path)
        .await
        .unwrap();

    assert_eq!(
        members(&all),
        in_roster_order(under(&roster, &town.committee.path))
    );
    assert_eq!(all.len(), 9);
    assert_eq!(
        members(&general),
        in_roster_order(under(&roster, &town.general.path))
    );
    assert_eq!(general.len(), 6);
    assert_eq!(
        members(&b),
        in_roster_order(under(&roster, &town.branch_b.path))
    );
    assert_eq!(members(&other), [town.other_secretary.id]);
    assert_eq!(
        repos.participant(c.id, town.member_a2.id).await.unwrap(),
        Some(roster[1].clone())
    );
    assert_eq!(
        repos.participant(c.id, town.other_admin.id).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn an_excusal_is_recorded_withdrawn_and_refused_for_a_stranger() {
    let (_t, db, town) = township().await;
    let c = campaign(&town.branch_a, 0, &town.secretary_a);
    let p = participant(&c, &town.member_a);
    let other = participant(&c, &town.member_a2);
    open(&db, &c, &[p.clone(), other.clone()]).await;
    let repos = db.repos();
    let e = excusal(&town.secretary_a, 60);

    repos
        .set_excusal(c.id, town.member_a.id, Some(&e))
        .await
        .unwrap();
    let excused = repos.participant(c.id, town.member_a.id).await.unwrap();
    assert_eq!(
        excused,
        Some(Participant {
            excused: Some(e),
            ..p.clone()
        })
    );
    assert!(!excused.unwrap().graded());
    assert_eq!(
        repos.participant(c.id, town.member_a2.id).await.unwrap(),
        Some(other)
    );

    repos
        .set_excusal(c.id, town.member_a.id, None)
        .await
        .unwrap();
    assert_eq!(
        repos.participant(c.id, town.member_a.id).await.unwrap(),
        Some(p)
    );

    assert_not_found(repos.set_excusal(c.id, town.member_b.id, None).await);
    assert_not_found(
        repos
            .set_excusal(CampaignId::new(), town.member_a.id, None)
            .await,
    );
}

#[tokio::test]
async fn a_self_assessment_is_saved_only_over_the_version_it_was_read_at() {
    let (_t, db, town) = township().await;
    let c = campaign(&town.branch_a, 0, &town.secretary_a);
    let p = participant(&c, &town.member_a);
    open(&db, &c, std::slice::from_ref(&p)).await;
    let repos = db.repos();
    assert_eq!(repos.assessment(c.id, p.member_id).await.unwrap(), None);

    let first = draft(&p, "第一稿", 100);
    assert!(repos.save_assessment(&first, 0).await.unwrap());
    assert_eq!(
        repos.assessment(c.id, p.member_id).await.unwrap(),
        Some(first.clone())
    );

    // A second first save (another tab, a retry) lost the race.
    let rival = draft(&p, "另一个第一稿", 110);
    assert!(!repos.save_assessment(&rival, 0).await.unwrap());
    // A save over a version that is not (or no longer) stored.
    let stale = SelfAssessment {
        version: 3,
        ..draft(&p, "过期的稿", 120)
    };
    assert!(!repos.save_assessment(&stale, 2).await.unwrap());
    assert_eq!(
        repos.assessment(c.id, p.member_id).await.unwrap(),
        Some(first.clone())
    );

    let submitted = SelfAssessment {
        version: 2,
        status: AssessmentStatus::Submitted,
        submitted_at: Some(at(130)),
        reopened: Some("请补充问题清单".into()),
        ..draft(&p, "定稿", 130)
    };
    assert!(repos.save_assessment(&submitted, 1).await.unwrap());
    let stored = repos.assessment(c.id, p.member_id).await.unwrap().unwrap();
    assert_eq!(stored, submitted);
    assert_eq!(stored.version, 2);
    // The version it replaced is gone: saving over it again is refused.
    assert!(!repos.save_assessment(&submitted, 1).await.unwrap());
}

#[tokio::test]
async fn a_lost_first_save_leaves_the_unit_of_work_usable() {
    let (_t, db, town) = township().await;
    let c = campaign(&town.branch_a, 0, &town.secretary_a);
    let p = participant(&c, &town.member_a);
    let p2 = participant(&c, &town.member_a2);
    open(&db, &c, &[p.clone(), p2.clone()]).await;
    assert!(db
        .repos()
        .save_assessment(&draft(&p, "第一稿", 100), 0)
        .await
        .unwrap());

    let uow = db.begin().await.unwrap();
    assert!(!uow
        .appraisals()
        .save_assessment(&draft(&p, "另一个第一稿", 110), 0)
        .await
        .unwrap());
    assert!(uow
        .appraisals()
        .save_assessment(&draft(&p2, "第一稿", 120), 0)
        .await
        .unwrap());
    uow.commit().await.unwrap();

    assert!(db
        .repos()
        .assessment(c.id, p2.member_id)
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn progress_lists_every_participant_with_where_their_assessment_stands() {
    let (_t, db, town) = township().await;
    let c = campaign(&town.committee, 0, &town.admin);
    let roster = everyone(&town, &c);
    open(&db, &c, &roster).await;
    let repos = db.repos();

    let before = repos.progress(c.id, &town.general.path).await.unwrap();
    assert_eq!(
        before
            .iter()
            .map(|r| r.participant.member_id)
            .collect::<Vec<_>>(),
        in_roster_order(under(&roster, &town.general.path))
    );
    assert!(before
        .iter()
        .all(|r| r.status == AssessmentStatus::NotStarted && r.submitted_at.is_none()));

    let find = |m: &Member| roster.iter().find(|p| p.member_id == m.id).unwrap();
    let drafting = draft(find(&town.member_a), "草稿", 100);
    let done = SelfAssessment {
        status: AssessmentStatus::Submitted,
        submitted_at: Some(at(200)),
        ..draft(find(&town.member_a2), "定稿", 200)
    };
    let in_b = SelfAssessment {
        status: AssessmentStatus::Submitted,
        submitted_at: Some(at(300)),
        ..draft(find(&town.member_b), "定稿", 300)
    };
    for a in [&drafting, &done, &in_b] {
        assert!(repos.save_assessment(a, 0).await.unwrap());
    }
    repos
        .set_excusal(
            c.id,
            town.reviewer_a.id,
            Some(&excusal(&town.secretary_a, 50)),
        )
        .await
        .unwrap();

    let after_saves = repos.progress(c.id, &town.general.path).await.unwrap();

    assert_eq!(
        after_saves
            .iter()
            .map(|r| r.participant.member_id)
            .collect::<Vec<_>>(),
        in_roster_order(under(&roster, &town.general.path))
    );
    let of = |m: &Member| {
        after_saves
            .iter()
            .find(|r| r.participant.member_id == m.id)
            .map(|r| (r.status, r.submitted_at))
    };
    assert_eq!(of(&town.member_a), Some((AssessmentStatus::Draft, None)));
    assert_eq!(
        of(&town.member_a2),
        Some((AssessmentStatus::Submitted, Some(at(200))))
    );
    assert_eq!(
        of(&town.secretary_a),
        Some((AssessmentStatus::NotStarted, None))
    );
    assert_eq!(of(&town.member_b), None);
    let excused = after_saves
        .iter()
        .find(|r| r.participant.member_id == town.reviewer_a.id)
        .unwrap();
    assert!(excused.participant.excused.is_some());
    let everywhere = repos.progress(c.id, &town.committee.path).await.unwrap();
    assert_eq!(everywhere.len(), 8);
    assert_eq!(
        everywhere
            .iter()
            .filter(|r| r.status == AssessmentStatus::Submitted)
            .count(),
        2
    );
}
