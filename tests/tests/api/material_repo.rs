//! The material repositories on the configured backend: materials (the feed, the monthly
//! report's selection), study records and study plans.

use chrono::{DateTime, Duration, Utc};

use domain::calendar::YearMonth;
use domain::material::plan::{
    PlanContent, PlanOwner, PlanTask, QuarterPlan, StudyPlan, StudyPlanId,
};
use domain::material::{
    Attachment, AttachmentKind, Audience, FeedQuery, Material, MaterialCategory, MaterialId,
    MaterialRepo, MaterialStatus, StudyPlanRepo, StudyRecord, StudyRecordRepo,
};
use domain::org::{Member, MemberCategory, MemberId, Org};
use domain::page::{CursorKey, Page, PageRequest};
use infra::Db;

use crate::repo_support::{after, assert_invalid_cursor, assert_not_found, at, township};

fn material(audience: &Org, publish_at: DateTime<Utc>) -> Material {
    Material {
        id: MaterialId::new(),
        title: "学习资料".into(),
        summary: String::new(),
        body_html: "<p>正文</p>".into(),
        attachments: Vec::new(),
        category: MaterialCategory::PartyHistory,
        required: false,
        lesson_month: None,
        audience: Audience {
            org_id: audience.id,
            org_path: audience.path.clone(),
            categories: Vec::new(),
            leading_cadres_only: false,
        },
        publish_at,
        study_deadline: None,
        status: MaterialStatus::Published,
        revision: 1,
        publisher_id: MemberId::new(),
        created_at: at(-86_400),
        updated_at: at(-86_400),
    }
}

async fn insert_materials(db: &Db, materials: &[&Material]) {
    for m in materials {
        MaterialRepo::insert(&db.repos(), m).await.unwrap();
    }
}

fn feed_query(member: &Member, now: DateTime<Utc>) -> FeedQuery {
    FeedQuery {
        member: member.clone(),
        now,
        category: None,
        required: None,
        lesson_month: None,
        unread: false,
    }
}

async fn feed_ids(db: &Db, query: &FeedQuery) -> Vec<MaterialId> {
    let page = db
        .repos()
        .feed(query, &PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(page.next, None);
    page.items.into_iter().map(|m| m.id).collect()
}

/// Ids newest publish time first, then the higher id first: the feed's order.
fn feed_order(materials: &[&Material]) -> Vec<MaterialId> {
    let mut sorted: Vec<&Material> = materials.to_vec();
    sorted.sort_by(|a, b| b.publish_at.cmp(&a.publish_at).then(b.id.cmp(&a.id)));
    sorted.into_iter().map(|m| m.id).collect()
}

fn month(y: i32, m: u32) -> YearMonth {
    YearMonth::new(y, m).unwrap()
}

#[tokio::test]
async fn materials_round_trip_and_an_update_replaces_them() {
    let (_t, db, town) = township().await;
    let m = Material {
        summary: "摘要".into(),
        attachments: vec![
            Attachment {
                kind: AttachmentKind::Video,
                title: "视频".into(),
                url: "https://example.org/v.mp4".into(),
            },
            Attachment {
                kind: AttachmentKind::Pdf,
                title: "原文".into(),
                url: "https://example.org/a.pdf".into(),
            },
        ],
        required: true,
        lesson_month: Some(month(2026, 11)),
        audience: Audience {
            categories: vec![MemberCategory::Rural, MemberCategory::Retired],
            leading_cadres_only: true,
            ..material(&town.general, at(0)).audience
        },
        study_deadline: Some(at(86_400)),
        ..material(&town.general, at(0))
    };
    let other = material(&town.branch_a, at(0));
    insert_materials(&db, &[&m, &other]).await;
    let repos = db.repos();
    assert_eq!(
        MaterialRepo::get(&repos, m.id).await.unwrap(),
        Some(m.clone())
    );

    let edited = Material {
        title: "修订后的学习资料".into(),
        attachments: Vec::new(),
        lesson_month: None,
        audience: material(&town.committee, at(0)).audience,
        status: MaterialStatus::Unpublished,
        revision: 2,
        updated_at: at(60),
        ..m.clone()
    };
    MaterialRepo::update(&repos, &edited).await.unwrap();

    assert_eq!(MaterialRepo::get(&repos, m.id).await.unwrap(), Some(edited));
    assert_eq!(
        MaterialRepo::get(&repos, other.id).await.unwrap(),
        Some(other)
    );
    assert_eq!(
        MaterialRepo::get(&repos, MaterialId::new()).await.unwrap(),
        None
    );
    let ghost = material(&town.general, at(0));
    assert_not_found(MaterialRepo::update(&repos, &ghost).await);
    assert_eq!(MaterialRepo::get(&repos, ghost.id).await.unwrap(), None);
}

#[tokio::test]
async fn the_feed_holds_the_live_materials_of_the_members_audience_only() {
    let (_t, db, town) = township().await;
    let now = at(0);
    let to_committee = material(&town.committee, at(-300));
    let to_general = material(&town.general, at(-200));
    let to_branch = material(&town.branch_a, at(-100));
    let to_sibling = material(&town.branch_b, at(-100));
    let to_other_town = material(&town.other_committee, at(-100));
    // A group's audience lies below the member's branch, not above it.
    let to_group = material(&town.group_a, at(-100));
    let withdrawn = Material {
        status: MaterialStatus::Unpublished,
        ..material(&town.branch_a, at(-100))
    };
    let just_published = material(&town.branch_a, now);
    let scheduled = material(&town.branch_a, now + Duration::seconds(1));
    let categories = |list: Vec<MemberCategory>| Material {
        audience: Audience {
            categories: list,
            ..material(&town.branch_a, at(-50)).audience
        },
        ..material(&town.branch_a, at(-50))
    };
    let for_rural = categories(vec![MemberCategory::Retired, MemberCategory::Rural]);
    let for_retired = categories(vec![MemberCategory::Retired]);
    let for_cadres = Material {
        audience: Audience {
            leading_cadres_only: true,
            ..material(&town.committee, at(-40)).audience
        },
        ..material(&town.committee, at(-40))
    };
    insert_materials(
        &db,
        &[
            &to_committee,
            &to_general,
            &to_branch,
            &to_sibling,
            &to_other_town,
            &to_group,
            &withdrawn,
            &just_published,
            &scheduled,
            &for_rural,
            &for_retired,
            &for_cadres,
        ],
    )
    .await;
    let visible = [
        &to_committee,
        &to_general,
        &to_branch,
        &just_published,
        &for_rural,
    ];

    assert_eq!(
        feed_ids(&db, &feed_query(&town.member_a, now)).await,
        feed_order(&visible)
    );
    let cadre = Member {
        leading_cadre: true,
        probationary: false,
        ..town.member_a.clone()
    };
    let mut with_cadres = visible.to_vec();
    with_cadres.push(&for_cadres);
    assert_eq!(
        feed_ids(&db, &feed_query(&cadre, now)).await,
        feed_order(&with_cadres)
    );
    assert_eq!(
        feed_ids(&db, &feed_query(&town.member_b, now)).await,
        feed_order(&[&to_committee, &to_sibling])
    );
}

#[tokio::test]
async fn the_feed_filters_by_category_requirement_lesson_month_and_unread() {
    let (_t, db, town) = township().await;
    let now = at(0);
    let history = material(&town.branch_a, at(-100));
    let rules = Material {
        category: MaterialCategory::PartyRules,
        required: true,
        ..material(&town.branch_a, at(-90))
    };
    let lesson = Material {
        lesson_month: Some(month(2026, 11)),
        ..material(&town.branch_a, at(-80))
    };
    let old_lesson = Material {
        lesson_month: Some(month(2026, 10)),
        ..material(&town.branch_a, at(-70))
    };
    insert_materials(&db, &[&history, &rules, &lesson, &old_lesson]).await;
    // member_a opened `history`; member_a2 opened `rules`.
    for (who, what) in [(&town.member_a, &history), (&town.member_a2, &rules)] {
        let r = record(who.id, what.id, None, 0);
        assert!(db.repos().insert_if_absent(&r).await.unwrap());
    }
    let base = feed_query(&town.member_a, now);

    let rules_only = FeedQuery {
        category: Some(MaterialCategory::PartyRules),
        ..base.clone()
    };
    assert_eq!(feed_ids(&db, &rules_only).await, [rules.id]);
    let not_required = FeedQuery {
        required: Some(false),
        ..base.clone()
    };
    assert_eq!(
        feed_ids(&db, &not_required).await,
        feed_order(&[&history, &lesson, &old_lesson])
    );
    let november = FeedQuery {
        lesson_month: Some(month(2026, 11)),
        ..base.clone()
    };
    assert_eq!(feed_ids(&db, &november).await, [lesson.id]);
    let unread = FeedQuery {
        unread: true,
        ..base.clone()
    };
    assert_eq!(
        feed_ids(&db, &unread).await,
        feed_order(&[&rules, &lesson, &old_lesson])
    );
    let unread_required = FeedQuery {
        unread: true,
        required: Some(true),
        ..base
    };
    assert_eq!(feed_ids(&db, &unread_required).await, [rules.id]);
}

#[tokio::test]
async fn the_feed_pages_newest_first_with_equal_publish_times_ordered_by_id() {
    let (_t, db, town) = township().await;
    // Three share a publish time with microseconds, which the cursor must carry exactly.
    let tied_at = at(-50) + Duration::microseconds(123_456);
    let oldest = material(&town.branch_a, at(-100));
    let tied: Vec<Material> = (0..3).map(|_| material(&town.branch_a, tied_at)).collect();
    let newest = material(&town.branch_a, at(-10));
    insert_materials(&db, &[&tied[1], &newest, &tied[0], &oldest, &tied[2]]).await;
    let query = feed_query(&town.member_a, at(0));
    let repos = db.repos();
    let ids = |p: &Page<Material>| p.items.iter().map(|m| m.id).collect::<Vec<_>>();

    let p1 = repos.feed(&query, &PageRequest::first(2)).await.unwrap();
    let p2 = repos.feed(&query, &after(2, &p1.next)).await.unwrap();
    let p3 = repos.feed(&query, &after(2, &p2.next)).await.unwrap();

    assert_eq!(ids(&p1), [newest.id, tied[2].id]);
    assert_eq!(ids(&p2), [tied[1].id, tied[0].id]);
    assert_eq!(ids(&p3), [oldest.id]);
    assert_eq!(p3.next, None);
    let whole = repos.feed(&query, &PageRequest::first(5)).await.unwrap();
    assert_eq!(whole.items.len(), 5);
    assert_eq!(whole.next, None);
}

#[tokio::test]
async fn a_feed_cursor_that_names_no_position_is_invalid() {
    let (_t, db, town) = township().await;
    insert_materials(&db, &[&material(&town.branch_a, at(-10))]).await;
    let query = feed_query(&town.member_a, at(0));
    let id = MaterialId::new();

    for raw in [
        String::new(),
        "garbage".to_owned(),
        id.to_string(),
        format!("soon.{id}"),
        "1700000000000000.not-an-id".to_owned(),
        format!("99999999999999999999.{id}"),
    ] {
        let page = PageRequest::new(Some(10), Some(CursorKey::new(raw))).unwrap();
        assert_invalid_cursor(db.repos().feed(&query, &page).await);
    }
}

#[tokio::test]
async fn reportable_materials_are_the_months_lessons_and_required_reading_in_scope() {
    let (_t, db, town) = township().await;
    let nov = month(2026, 11);
    let now = nov.end() + Duration::days(1);
    let lesson = |audience: &Org, m: YearMonth| Material {
        lesson_month: Some(m),
        ..material(audience, nov.start() - Duration::days(10))
    };
    let required = |publish_at: DateTime<Utc>| Material {
        required: true,
        ..material(&town.branch_a, publish_at)
    };
    let lesson_above = lesson(&town.committee, nov);
    let lesson_inside = lesson(&town.group_a, nov);
    let lesson_of_branch = lesson(&town.branch_a, nov);
    let lesson_sibling = lesson(&town.branch_b, nov);
    let lesson_other_town = lesson(&town.other_committee, nov);
    let lesson_october = lesson(&town.branch_a, month(2026, 10));
    let lesson_withdrawn = Material {
        status: MaterialStatus::Unpublished,
        ..lesson(&town.branch_a, nov)
    };
    let lesson_not_yet = Material {
        publish_at: now + Duration::seconds(1),
        ..lesson(&town.branch_a, nov)
    };
    let required_first = required(nov.start());
    let required_last = required(nov.end() - Duration::seconds(1));
    let required_before = required(nov.start() - Duration::seconds(1));
    let required_after = required(nov.end());
    let optional_in_month = material(&town.branch_a, nov.start() + Duration::days(3));
    insert_materials(
        &db,
        &[
            &lesson_above,
            &lesson_inside,
            &lesson_of_branch,
            &lesson_sibling,
            &lesson_other_town,
            &lesson_october,
            &lesson_withdrawn,
            &lesson_not_yet,
            &required_first,
            &required_last,
            &required_before,
            &required_after,
            &optional_in_month,
        ],
    )
    .await;

    let mut found: Vec<MaterialId> = db
        .repos()
        .reportable(&town.branch_a.path, nov, now)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    found.sort();

    let mut expected = vec![
        lesson_above.id,
        lesson_inside.id,
        lesson_of_branch.id,
        required_first.id,
        required_last.id,
    ];
    expected.sort();
    assert_eq!(found, expected);
}

#[tokio::test]
async fn the_next_publish_time_is_the_earliest_strictly_after_now() {
    let (_t, db, town) = township().await;
    let now = at(0);
    let repos = db.repos();
    assert_eq!(repos.next_publish_after(now).await.unwrap(), None);

    let withdrawn = Material {
        status: MaterialStatus::Unpublished,
        ..material(&town.branch_a, at(30))
    };
    insert_materials(
        &db,
        &[
            &material(&town.branch_a, at(-60)),
            &material(&town.branch_a, now),
            &material(&town.other_branch, at(120)),
            &material(&town.branch_a, at(60)),
            &withdrawn,
        ],
    )
    .await;

    assert_eq!(repos.next_publish_after(now).await.unwrap(), Some(at(60)));
    assert_eq!(
        repos.next_publish_after(at(60)).await.unwrap(),
        Some(at(120))
    );
    assert_eq!(repos.next_publish_after(at(120)).await.unwrap(), None);
}

fn record(
    member: MemberId,
    material: MaterialId,
    completed_at: Option<DateTime<Utc>>,
    points: i32,
) -> StudyRecord {
    StudyRecord {
        material_id: material,
        member_id: member,
        opened_at: at(-3600),
        position: 0,
        seconds_spent: 0,
        completed_at,
        points,
        updated_at: at(-3600),
    }
}

async fn insert_records(db: &Db, records: &[&StudyRecord]) {
    for r in records {
        assert!(db.repos().insert_if_absent(r).await.unwrap());
    }
}

#[tokio::test]
async fn a_study_record_is_stored_once_per_member_and_material_and_updated_in_place() {
    let (_t, db, town) = township().await;
    let repos = db.repos();
    let material = MaterialId::new();
    let first = record(town.member_a.id, material, None, 0);

    assert!(repos.insert_if_absent(&first).await.unwrap());
    let racing = StudyRecord {
        position: 99,
        ..record(town.member_a.id, material, Some(at(0)), 5)
    };
    assert!(!repos.insert_if_absent(&racing).await.unwrap());
    assert_eq!(
        StudyRecordRepo::get(&repos, town.member_a.id, material)
            .await
            .unwrap(),
        Some(first.clone())
    );

    let progressed = StudyRecord {
        position: 120,
        seconds_spent: 300,
        completed_at: Some(at(0)),
        points: 2,
        updated_at: at(0),
        ..first.clone()
    };
    StudyRecordRepo::update(&repos, &progressed).await.unwrap();
    assert_eq!(
        StudyRecordRepo::get(&repos, town.member_a.id, material)
            .await
            .unwrap(),
        Some(progressed)
    );
    // Another member's record of the same material is another record.
    assert_eq!(
        StudyRecordRepo::get(&repos, town.member_a2.id, material)
            .await
            .unwrap(),
        None
    );
    assert_not_found(
        StudyRecordRepo::update(&repos, &record(town.member_a2.id, material, None, 0)).await,
    );
}

#[tokio::test]
async fn points_count_completions_in_a_half_open_window_of_one_member() {
    let (_t, db, town) = township().await;
    let (from, until) = (at(0), at(86_400));
    let me = town.member_a.id;
    insert_records(
        &db,
        &[
            &record(
                me,
                MaterialId::new(),
                Some(from - Duration::seconds(1)),
                100,
            ),
            &record(me, MaterialId::new(), Some(from), 1),
            &record(me, MaterialId::new(), Some(at(3600)), 2),
            &record(me, MaterialId::new(), Some(until - Duration::seconds(1)), 4),
            &record(me, MaterialId::new(), Some(until), 200),
            &record(me, MaterialId::new(), None, 300),
            &record(town.member_a2.id, MaterialId::new(), Some(at(3600)), 400),
        ],
    )
    .await;
    let repos = db.repos();

    assert_eq!(repos.points_between(me, from, until).await.unwrap(), 7);
    assert_eq!(
        repos
            .points_between(MemberId::new(), from, until)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn completed_before_lists_members_who_completed_strictly_before() {
    let (_t, db, town) = township().await;
    let (material, other) = (MaterialId::new(), MaterialId::new());
    let until = at(0);
    insert_records(
        &db,
        &[
            &record(
                town.member_a.id,
                material,
                Some(until - Duration::days(3)),
                1,
            ),
            &record(
                town.member_a2.id,
                material,
                Some(until - Duration::seconds(1)),
                1,
            ),
            &record(town.secretary_a.id, material, Some(until), 1),
            &record(town.committee_a.id, material, None, 0),
            &record(
                town.reviewer_a.id,
                other,
                Some(until - Duration::days(3)),
                1,
            ),
        ],
    )
    .await;

    let mut done = db.repos().completed_before(material, until).await.unwrap();
    done.sort();

    let mut expected = vec![town.member_a.id, town.member_a2.id];
    expected.sort();
    assert_eq!(done, expected);
}

#[tokio::test]
async fn a_members_records_are_those_of_the_materials_asked_for() {
    let (_t, db, town) = township().await;
    let (m1, m2, m3) = (MaterialId::new(), MaterialId::new(), MaterialId::new());
    let r1 = record(town.member_a.id, m1, None, 0);
    let r2 = record(town.member_a.id, m2, Some(at(0)), 1);
    let r3 = record(town.member_a.id, m3, None, 0);
    let theirs = record(town.member_a2.id, m1, None, 0);
    insert_records(&db, &[&r1, &r2, &r3, &theirs]).await;
    let repos = db.repos();

    let mut found =
        StudyRecordRepo::of_member(&repos, town.member_a.id, &[m2, m1, MaterialId::new()])
            .await
            .unwrap();
    found.sort_by_key(|r| r.material_id);

    let mut expected = vec![r1, r2];
    expected.sort_by_key(|r| r.material_id);
    assert_eq!(found, expected);
    assert!(StudyRecordRepo::of_member(&repos, town.member_a.id, &[])
        .await
        .unwrap()
        .is_empty());
}

fn plan(owner: PlanOwner, org: &Org, year: i32, title: &str, by: &Member) -> StudyPlan {
    StudyPlan {
        id: StudyPlanId::new(),
        owner,
        org_id: org.id,
        year,
        content: PlanContent {
            title: title.into(),
            quarters: vec![QuarterPlan {
                quarter: 1,
                arrangement: "学习党章".into(),
                tasks: vec![PlanTask {
                    month: 2,
                    title: "读党章".into(),
                    material_ids: vec![MaterialId::new()],
                    note: Some("集中学习".into()),
                }],
            }],
            items: Vec::new(),
        },
        revision: 1,
        updated_by: by.id,
        created_at: at(0),
        updated_at: at(0),
    }
}

#[tokio::test]
async fn a_plan_per_owner_and_year_is_replaced_with_its_revision_counted() {
    let (_t, db, town) = township().await;
    let pool = db.repos();
    let repos: &dyn StudyPlanRepo = &pool;
    let owner = PlanOwner::Branch(town.branch_a.id);
    let first = plan(
        owner,
        &town.branch_a,
        2026,
        "2026年学习计划",
        &town.secretary_a,
    );
    assert_eq!(repos.get(owner, 2026).await.unwrap(), None);

    assert_eq!(repos.put(&first).await.unwrap(), first);
    assert_eq!(repos.get(owner, 2026).await.unwrap(), Some(first.clone()));

    let replacement = StudyPlan {
        id: StudyPlanId::new(),
        content: PlanContent {
            title: "2026年学习计划（修订）".into(),
            quarters: Vec::new(),
            items: vec![PlanTask {
                month: 12,
                title: "年终总结".into(),
                material_ids: Vec::new(),
                note: None,
            }],
        },
        updated_by: town.committee_a.id,
        created_at: at(600),
        updated_at: at(600),
        ..first.clone()
    };
    let stored = repos.put(&replacement).await.unwrap();

    // The plan keeps its identity and creation; its content, author and time are new.
    let expected = StudyPlan {
        id: first.id,
        created_at: first.created_at,
        revision: 2,
        ..replacement.clone()
    };
    assert_eq!(stored, expected);
    assert_eq!(repos.get(owner, 2026).await.unwrap(), Some(expected));
    assert_eq!(repos.put(&replacement).await.unwrap().revision, 3);
}

#[tokio::test]
async fn an_owners_plans_are_listed_newest_year_first_and_owners_are_kept_apart() {
    let (_t, db, town) = township().await;
    let pool = db.repos();
    let repos: &dyn StudyPlanRepo = &pool;
    let branch = PlanOwner::Branch(town.branch_a.id);
    let by = &town.secretary_a;
    let y2026 = plan(branch, &town.branch_a, 2026, "2026", by);
    let y2024 = plan(branch, &town.branch_a, 2024, "2024", by);
    let y2025 = plan(branch, &town.branch_a, 2025, "2025", by);
    // A member's personal plan, whose id happens to equal the branch's: another owner.
    let personal = plan(
        PlanOwner::Member(MemberId::from_uuid(town.branch_a.id.as_uuid())),
        &town.branch_a,
        2026,
        "个人学习计划",
        by,
    );
    let other_branch = plan(
        PlanOwner::Branch(town.branch_b.id),
        &town.branch_b,
        2027,
        "2027",
        by,
    );
    for p in [&y2026, &y2024, &personal, &y2025, &other_branch] {
        repos.put(p).await.unwrap();
    }

    assert_eq!(
        repos.of_owner(branch).await.unwrap(),
        vec![y2026.clone(), y2025, y2024]
    );
    assert_eq!(
        repos.of_owner(personal.owner).await.unwrap(),
        vec![personal.clone()]
    );
    assert_eq!(repos.get(branch, 2026).await.unwrap(), Some(y2026));
    assert_eq!(
        repos.get(personal.owner, 2026).await.unwrap(),
        Some(personal)
    );
    assert_eq!(repos.get(branch, 2027).await.unwrap(), None);
    assert!(repos
        .of_owner(PlanOwner::Member(town.member_a.id))
        .await
        .unwrap()
        .is_empty());
}
