//! The activity, check-in, exemption and holiday repositories on the configured backend.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use domain::activity::calendar::HolidayCalendar;
use domain::activity::geo::{GeoPoint, Geofence};
use domain::activity::{
    Activity, ActivityId, ActivityKind, ActivityRepo, ActivityStatus, CheckIn, CheckInId,
    CheckInMethod, CheckInRepo, Exemption, ExemptionId, ExemptionRepo, ExemptionScope, HolidayRepo,
    ProofKind, Review, ReviewStatus, ThemeCategory,
};
use domain::org::{Member, MemberId, Org, OrgId};
use domain::page::{Page, PageRequest};
use domain::uow::Transactional;
use infra::Db;
use tests::fixtures::Township;

use crate::repo_support::{
    after, assert_invalid_cursor, assert_not_found, at, bad_cursor, township,
};

fn activity(branch: &Org, starts: DateTime<Utc>, by: &Member) -> Activity {
    Activity {
        id: ActivityId::new(),
        branch_id: branch.id,
        group_id: None,
        branch_path: branch.path.clone(),
        kind: ActivityKind::ThemeDay,
        theme_category: Some(ThemeCategory::Study),
        title: "主题党日".into(),
        place: None,
        lecturer_id: None,
        lecturer_name: None,
        lecturer_is_secretary: false,
        starts_at: starts,
        ends_at: starts + Duration::hours(2),
        window_opens_at: starts - Duration::minutes(30),
        window_closes_at: starts + Duration::hours(2),
        proof: ProofKind::Qr,
        geofence: None,
        online_allowed: false,
        qr_auto_approve: false,
        status: ActivityStatus::Scheduled,
        cancel_reason: None,
        created_by: by.id,
        created_at: at(0),
        updated_at: at(0),
    }
}

fn check_in(a: &Activity, m: &Member, secs: i64, status: ReviewStatus) -> CheckIn {
    CheckIn {
        id: CheckInId::at(at(secs)),
        activity_id: a.id,
        member_id: m.id,
        branch_path: m.branch_path.clone(),
        method: CheckInMethod::Qr,
        status,
        client_time: None,
        location: None,
        created_at: at(secs),
        review: None,
        checked_out_at: None,
    }
}

fn exemption(m: &Member, secs: i64, scope: ExemptionScope, status: ReviewStatus) -> Exemption {
    Exemption {
        id: ExemptionId::at(at(secs)),
        member_id: m.id,
        branch_path: m.branch_path.clone(),
        scope,
        reason: "住院治疗".into(),
        status,
        created_at: at(secs),
        review: None,
    }
}

fn review(by: &Member, secs: i64, reason: Option<&str>) -> Review {
    Review {
        reviewer_id: by.id,
        reviewed_at: at(secs),
        reason: reason.map(str::to_owned),
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn insert_activities(db: &Db, activities: &[&Activity]) {
    for a in activities {
        ActivityRepo::insert(&db.repos(), a).await.unwrap();
    }
}

async fn insert_check_ins(db: &Db, check_ins: &[&CheckIn]) {
    for c in check_ins {
        assert!(db.repos().insert_if_absent(c).await.unwrap().is_some());
    }
}

async fn insert_exemptions(db: &Db, exemptions: &[&Exemption]) {
    for e in exemptions {
        ExemptionRepo::insert(&db.repos(), e).await.unwrap();
    }
}

fn sorted<K: Ord, T>(mut items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    items.sort_by_key(key);
    items
}

/// Five members of branch A, in the township's order.
fn branch_a_members(town: &Township) -> [&Member; 5] {
    [
        &town.member_a,
        &town.member_a2,
        &town.secretary_a,
        &town.committee_a,
        &town.reviewer_a,
    ]
}

#[tokio::test]
async fn activities_round_trip_with_every_optional_field() {
    let (_t, db, town) = township().await;
    let plain = activity(&town.branch_a, at(3600), &town.secretary_a);
    let full = Activity {
        group_id: Some(town.group_a.id),
        kind: ActivityKind::PartyLesson,
        theme_category: None,
        place: Some("村委会二楼会议室".into()),
        lecturer_id: Some(town.secretary_a.id),
        lecturer_name: Some("书记甲".into()),
        lecturer_is_secretary: true,
        proof: ProofKind::Either,
        geofence: Geofence::new(GeoPoint::new(30.123456, 121.654321).unwrap(), 150.5),
        online_allowed: true,
        qr_auto_approve: true,
        status: ActivityStatus::Cancelled,
        cancel_reason: Some("台风".into()),
        ..activity(&town.branch_a, at(7200), &town.secretary_a)
    };
    insert_activities(&db, &[&plain, &full]).await;
    let repos = db.repos();

    assert_eq!(
        ActivityRepo::get(&repos, plain.id).await.unwrap(),
        Some(plain.clone())
    );
    assert_eq!(
        ActivityRepo::get(&repos, full.id).await.unwrap(),
        Some(full.clone())
    );
    assert_eq!(
        ActivityRepo::get(&repos, ActivityId::new()).await.unwrap(),
        None
    );
    let many = ActivityRepo::get_many(&repos, &[full.id, ActivityId::new(), plain.id])
        .await
        .unwrap();
    assert_eq!(sorted(many, |a| a.id), vec![plain, full]);
    assert!(ActivityRepo::get_many(&repos, &[])
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_update_replaces_the_activity_and_a_missing_one_is_not_found() {
    let (_t, db, town) = township().await;
    let a = activity(&town.branch_a, at(3600), &town.secretary_a);
    let other = activity(&town.branch_a, at(3600), &town.secretary_a);
    insert_activities(&db, &[&a, &other]).await;
    let changed = Activity {
        title: "改期的主题党日".into(),
        starts_at: at(7200),
        ends_at: at(9000),
        geofence: Geofence::new(GeoPoint::new(-12.5, 179.0).unwrap(), 10.0),
        status: ActivityStatus::Cancelled,
        cancel_reason: Some("改期".into()),
        updated_at: at(60),
        ..a.clone()
    };

    ActivityRepo::update(&db.repos(), &changed).await.unwrap();

    assert_eq!(
        ActivityRepo::get(&db.repos(), a.id).await.unwrap(),
        Some(changed)
    );
    assert_eq!(
        ActivityRepo::get(&db.repos(), other.id).await.unwrap(),
        Some(other)
    );
    let ghost = activity(&town.branch_a, at(3600), &town.secretary_a);
    assert_not_found(ActivityRepo::update(&db.repos(), &ghost).await);
    assert_eq!(
        ActivityRepo::get(&db.repos(), ghost.id).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn starting_between_is_half_open_scoped_ordered_by_start_then_id_and_limited() {
    let (_t, db, town) = township().await;
    let by = &town.secretary_a;
    let (from, until) = (at(0), at(86_400));
    let too_early = activity(&town.branch_a, from - Duration::seconds(1), by);
    let first = activity(&town.branch_a, from, by);
    let tie_low = activity(&town.branch_a, at(3600), by);
    let tie_high = activity(&town.branch_a, at(3600), by);
    let too_late = activity(&town.branch_a, until, by);
    let in_b = activity(&town.branch_b, at(1800), by);
    let in_other = activity(&town.other_branch, at(1800), by);
    // Written in an order unlike the expected one.
    insert_activities(
        &db,
        &[
            &tie_high, &too_late, &in_other, &tie_low, &first, &in_b, &too_early,
        ],
    )
    .await;
    let ids = |under: &Org, limit: u64| {
        let repos = db.repos();
        let path = under.path.clone();
        async move {
            repos
                .starting_between(&path, from, until, limit)
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.id)
                .collect::<Vec<_>>()
        }
    };

    assert_eq!(
        ids(&town.general, 10).await,
        [first.id, tie_low.id, tie_high.id]
    );
    assert_eq!(ids(&town.branch_a, 2).await, [first.id, tie_low.id]);
    assert_eq!(
        ids(&town.committee, 10).await,
        [first.id, in_b.id, tie_low.id, tie_high.id]
    );
    assert_eq!(ids(&town.branch_b, 10).await, [in_b.id]);
    assert_eq!(ids(&town.other_committee, 10).await, [in_other.id]);
    assert!(ids(&town.group_a, 10).await.is_empty());
}

#[tokio::test]
async fn a_check_in_is_stored_once_per_activity_and_member() {
    let (_t, db, town) = township().await;
    let a = activity(&town.branch_a, at(3600), &town.secretary_a);
    insert_activities(&db, &[&a]).await;
    let first = CheckIn {
        client_time: Some(at(5)),
        location: GeoPoint::new(30.5, 121.25),
        method: CheckInMethod::Location,
        ..check_in(&a, &town.member_a, 10, ReviewStatus::Pending)
    };
    let repos = db.repos();

    assert_eq!(
        repos.insert_if_absent(&first).await.unwrap(),
        Some(first.clone())
    );
    let retry = check_in(&a, &town.member_a, 20, ReviewStatus::Approved);
    assert_eq!(repos.insert_if_absent(&retry).await.unwrap(), None);
    assert_eq!(
        repos.of_member(a.id, town.member_a.id).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(CheckInRepo::get(&repos, retry.id).await.unwrap(), None);
    assert_eq!(
        CheckInRepo::get(&repos, first.id).await.unwrap(),
        Some(first)
    );
}

#[tokio::test]
async fn a_duplicate_check_in_leaves_the_unit_of_work_usable() {
    let (_t, db, town) = township().await;
    let a = activity(&town.branch_a, at(3600), &town.secretary_a);
    insert_activities(&db, &[&a]).await;
    insert_check_ins(
        &db,
        &[&check_in(&a, &town.member_a, 10, ReviewStatus::Pending)],
    )
    .await;

    let uow = db.begin().await.unwrap();
    let dup = check_in(&a, &town.member_a, 20, ReviewStatus::Pending);
    assert_eq!(uow.check_ins().insert_if_absent(&dup).await.unwrap(), None);
    let next = check_in(&a, &town.member_a2, 30, ReviewStatus::Pending);
    assert!(uow
        .check_ins()
        .insert_if_absent(&next)
        .await
        .unwrap()
        .is_some());
    uow.commit().await.unwrap();

    assert_eq!(db.repos().all_of(a.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn check_ins_are_read_by_id_by_member_and_by_activity() {
    let (_t, db, town) = township().await;
    let a = activity(&town.branch_a, at(3600), &town.secretary_a);
    let b = activity(&town.branch_a, at(7200), &town.secretary_a);
    insert_activities(&db, &[&a, &b]).await;
    let a1 = check_in(&a, &town.member_a, 10, ReviewStatus::Pending);
    let a2 = check_in(&a, &town.member_a2, 11, ReviewStatus::Approved);
    let b1 = check_in(&b, &town.member_a, 12, ReviewStatus::Pending);
    insert_check_ins(&db, &[&a2, &b1, &a1]).await;
    let repos = db.repos();

    assert_eq!(
        repos.of_member(b.id, town.member_a2.id).await.unwrap(),
        None
    );
    assert_eq!(
        sorted(repos.all_of(a.id).await.unwrap(), |c| c.id),
        vec![a1.clone(), a2.clone()]
    );
    let many = CheckInRepo::get_many(&repos, &[b1.id, CheckInId::new(), a1.id])
        .await
        .unwrap();
    assert_eq!(sorted(many, |c| c.id), vec![a1, b1]);
    assert!(CheckInRepo::get_many(&repos, &[]).await.unwrap().is_empty());
    assert!(repos.all_of(ActivityId::new()).await.unwrap().is_empty());
}

#[tokio::test]
async fn check_ins_page_in_creation_order_within_one_activity_and_status() {
    let (_t, db, town) = township().await;
    let a = activity(&town.branch_a, at(3600), &town.secretary_a);
    let b = activity(&town.branch_a, at(7200), &town.secretary_a);
    insert_activities(&db, &[&a, &b]).await;
    let statuses = [
        ReviewStatus::Pending,
        ReviewStatus::Approved,
        ReviewStatus::Pending,
        ReviewStatus::Rejected,
        ReviewStatus::Pending,
    ];
    let of_a: Vec<CheckIn> = branch_a_members(&town)
        .iter()
        .zip(statuses)
        .enumerate()
        .map(|(i, (m, s))| check_in(&a, m, i as i64 * 10, s))
        .collect();
    for c in of_a.iter().rev() {
        insert_check_ins(&db, &[c]).await;
    }
    insert_check_ins(
        &db,
        &[&check_in(&b, &town.member_a, 25, ReviewStatus::Pending)],
    )
    .await;
    let pool = db.repos();
    let repos: &dyn CheckInRepo = &pool;
    let ids = |p: &Page<CheckIn>| p.items.iter().map(|c| c.id).collect::<Vec<_>>();

    let p1 = repos
        .list(a.id, None, &PageRequest::first(2))
        .await
        .unwrap();
    assert_eq!(ids(&p1), [of_a[0].id, of_a[1].id]);
    let p2 = repos.list(a.id, None, &after(2, &p1.next)).await.unwrap();
    assert_eq!(ids(&p2), [of_a[2].id, of_a[3].id]);
    let p3 = repos.list(a.id, None, &after(2, &p2.next)).await.unwrap();
    assert_eq!(ids(&p3), [of_a[4].id]);
    assert_eq!(p3.next, None);

    let pending = Some(ReviewStatus::Pending);
    let q1 = repos
        .list(a.id, pending, &PageRequest::first(2))
        .await
        .unwrap();
    assert_eq!(ids(&q1), [of_a[0].id, of_a[2].id]);
    let q2 = repos
        .list(a.id, pending, &after(2, &q1.next))
        .await
        .unwrap();
    assert_eq!(ids(&q2), [of_a[4].id]);
    assert_eq!(q2.next, None);
    let rejected = repos
        .list(a.id, Some(ReviewStatus::Rejected), &PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(ids(&rejected), [of_a[3].id]);
    assert_eq!(rejected.next, None);

    assert_invalid_cursor(repos.list(a.id, None, &bad_cursor("page-2")).await);
}

#[tokio::test]
async fn deciding_changes_only_check_ins_still_pending_and_counts_them() {
    let (_t, db, town) = township().await;
    let a = activity(&town.branch_a, at(3600), &town.secretary_a);
    insert_activities(&db, &[&a]).await;
    let p1 = check_in(&a, &town.member_a, 10, ReviewStatus::Pending);
    let p2 = check_in(&a, &town.member_a2, 11, ReviewStatus::Pending);
    let done = check_in(&a, &town.committee_a, 12, ReviewStatus::Approved);
    let untouched = check_in(&a, &town.reviewer_a, 13, ReviewStatus::Pending);
    insert_check_ins(&db, &[&p1, &p2, &done, &untouched]).await;
    let repos = db.repos();
    let decision = review(&town.secretary_a, 100, Some("不在现场"));

    let changed = CheckInRepo::decide(
        &repos,
        &[p1.id, p2.id, done.id, CheckInId::new()],
        ReviewStatus::Rejected,
        &decision,
    )
    .await
    .unwrap();

    assert_eq!(changed, 2);
    let stored = CheckInRepo::get(&repos, p1.id).await.unwrap().unwrap();
    assert_eq!(stored.status, ReviewStatus::Rejected);
    assert_eq!(stored.review, Some(decision.clone()));
    let kept = CheckInRepo::get(&repos, done.id).await.unwrap().unwrap();
    assert_eq!((kept.status, kept.review), (ReviewStatus::Approved, None));
    assert_eq!(
        CheckInRepo::get(&repos, untouched.id).await.unwrap(),
        Some(untouched)
    );
    // Deciding again changes nothing: the first decision stands.
    let again = review(&town.reviewer_a, 200, None);
    assert_eq!(
        CheckInRepo::decide(&repos, &[p1.id, p2.id], ReviewStatus::Approved, &again)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        CheckInRepo::get(&repos, p2.id)
            .await
            .unwrap()
            .unwrap()
            .review,
        Some(decision)
    );
    assert_eq!(
        CheckInRepo::decide(&repos, &[], ReviewStatus::Approved, &again)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn pending_check_ins_are_counted_per_activity_within_the_scopes_only() {
    let (_t, db, town) = township().await;
    let in_a = activity(&town.branch_a, at(3600), &town.secretary_a);
    let in_b = activity(&town.branch_b, at(3600), &town.admin);
    let other = activity(&town.other_branch, at(3600), &town.other_secretary);
    insert_activities(&db, &[&in_a, &in_b, &other]).await;
    insert_check_ins(
        &db,
        &[
            &check_in(&in_a, &town.member_a, 1, ReviewStatus::Pending),
            &check_in(&in_a, &town.member_a2, 2, ReviewStatus::Pending),
            &check_in(&in_a, &town.committee_a, 3, ReviewStatus::Approved),
            &check_in(&in_b, &town.member_b, 4, ReviewStatus::Pending),
            &check_in(&in_b, &town.operator, 5, ReviewStatus::Rejected),
            &check_in(&other, &town.other_admin, 6, ReviewStatus::Pending),
        ],
    )
    .await;
    let counts = |scopes: Vec<&Org>| {
        let repos = db.repos();
        let paths: Vec<_> = scopes.iter().map(|o| o.path.clone()).collect();
        async move {
            CheckInRepo::pending_by_activity(&repos, &paths)
                .await
                .unwrap()
                .into_iter()
                .collect::<HashMap<_, _>>()
        }
    };

    assert_eq!(
        counts(vec![&town.general]).await,
        HashMap::from([(in_a.id, 2)])
    );
    assert_eq!(
        counts(vec![&town.branch_a, &town.branch_b]).await,
        HashMap::from([(in_a.id, 2), (in_b.id, 1)])
    );
    assert_eq!(
        counts(vec![&town.committee]).await,
        HashMap::from([(in_a.id, 2), (in_b.id, 1)])
    );
    assert_eq!(
        counts(vec![&town.other_committee]).await,
        HashMap::from([(other.id, 1)])
    );
    assert!(counts(vec![&town.group_a]).await.is_empty());
    assert!(counts(vec![]).await.is_empty());
}

#[tokio::test]
async fn approved_check_ins_are_counted_for_the_given_activities_only() {
    let (_t, db, town) = township().await;
    let a = activity(&town.branch_a, at(3600), &town.secretary_a);
    let b = activity(&town.branch_a, at(7200), &town.secretary_a);
    let c = activity(&town.branch_a, at(9000), &town.secretary_a);
    insert_activities(&db, &[&a, &b, &c]).await;
    insert_check_ins(
        &db,
        &[
            &check_in(&a, &town.member_a, 1, ReviewStatus::Approved),
            &check_in(&a, &town.member_a2, 2, ReviewStatus::Approved),
            &check_in(&a, &town.committee_a, 3, ReviewStatus::Pending),
            &check_in(&b, &town.member_a, 4, ReviewStatus::Rejected),
            &check_in(&c, &town.member_a, 5, ReviewStatus::Approved),
        ],
    )
    .await;
    let repos = db.repos();

    let counts: HashMap<_, _> = repos
        .approved_counts(&[a.id, b.id, ActivityId::new()])
        .await
        .unwrap()
        .into_iter()
        .collect();

    // An activity without approved check-ins may be left out, never counted above zero.
    assert_eq!(counts.get(&a.id), Some(&2));
    assert_eq!(counts.get(&b.id).copied().unwrap_or(0), 0);
    assert!(!counts.contains_key(&c.id));
    assert!(repos.approved_counts(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn exemptions_round_trip_for_an_activity_or_a_range_of_dates() {
    let (_t, db, town) = township().await;
    let a = activity(&town.branch_a, at(3600), &town.secretary_a);
    insert_activities(&db, &[&a]).await;
    let one = exemption(
        &town.member_a,
        1,
        ExemptionScope::Activity(a.id),
        ReviewStatus::Pending,
    );
    let range = exemption(
        &town.member_a,
        2,
        ExemptionScope::Dates {
            from: date(2026, 11, 1),
            to: date(2026, 12, 31),
        },
        ReviewStatus::Pending,
    );
    insert_exemptions(&db, &[&one, &range]).await;
    let repos = db.repos();

    assert_eq!(ExemptionRepo::get(&repos, one.id).await.unwrap(), Some(one));
    assert_eq!(
        ExemptionRepo::get(&repos, range.id).await.unwrap(),
        Some(range)
    );
    assert_eq!(
        ExemptionRepo::get(&repos, ExemptionId::new())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn exemptions_page_newest_first_within_the_subtree_and_status() {
    let (_t, db, town) = township().await;
    let a = activity(&town.branch_a, at(3600), &town.secretary_a);
    insert_activities(&db, &[&a]).await;
    let scope = ExemptionScope::Activity(a.id);
    let statuses = [
        ReviewStatus::Pending,
        ReviewStatus::Approved,
        ReviewStatus::Pending,
        ReviewStatus::Rejected,
        ReviewStatus::Pending,
    ];
    let in_a: Vec<Exemption> = branch_a_members(&town)
        .iter()
        .zip(statuses)
        .enumerate()
        .map(|(i, (m, s))| exemption(m, i as i64 * 10, scope, s))
        .collect();
    let in_b = exemption(&town.member_b, 15, scope, ReviewStatus::Pending);
    let other = exemption(&town.other_admin, 16, scope, ReviewStatus::Pending);
    insert_exemptions(
        &db,
        &[
            &in_a[2], &in_b, &in_a[0], &other, &in_a[4], &in_a[1], &in_a[3],
        ],
    )
    .await;
    let repos = db.repos();
    let ids = |p: &Page<Exemption>| p.items.iter().map(|e| e.id).collect::<Vec<_>>();
    let general = &town.general.path;

    let p1 = ExemptionRepo::list(&repos, general, None, &PageRequest::first(2))
        .await
        .unwrap();
    assert_eq!(ids(&p1), [in_a[4].id, in_a[3].id]);
    let p2 = ExemptionRepo::list(&repos, general, None, &after(2, &p1.next))
        .await
        .unwrap();
    assert_eq!(ids(&p2), [in_a[2].id, in_a[1].id]);
    let p3 = ExemptionRepo::list(&repos, general, None, &after(2, &p2.next))
        .await
        .unwrap();
    assert_eq!(ids(&p3), [in_a[0].id]);
    assert_eq!(p3.next, None);

    let pending = ExemptionRepo::list(
        &repos,
        &town.committee.path,
        Some(ReviewStatus::Pending),
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    assert_eq!(ids(&pending), [in_a[4].id, in_a[2].id, in_b.id, in_a[0].id]);
    let elsewhere = ExemptionRepo::list(
        &repos,
        &town.other_committee.path,
        None,
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    assert_eq!(ids(&elsewhere), [other.id]);

    assert_invalid_cursor(ExemptionRepo::list(&repos, general, None, &bad_cursor("?")).await);
}

#[tokio::test]
async fn a_members_live_exemptions_are_the_pending_and_approved_ones() {
    let (_t, db, town) = township().await;
    let a = activity(&town.branch_a, at(3600), &town.secretary_a);
    insert_activities(&db, &[&a]).await;
    let scope = ExemptionScope::Activity(a.id);
    let pending = exemption(&town.member_a, 1, scope, ReviewStatus::Pending);
    let approved = exemption(&town.member_a, 2, scope, ReviewStatus::Approved);
    let rejected = exemption(&town.member_a, 3, scope, ReviewStatus::Rejected);
    let someone_else = exemption(&town.member_a2, 4, scope, ReviewStatus::Pending);
    insert_exemptions(&db, &[&pending, &approved, &rejected, &someone_else]).await;

    let live = db.repos().live_of_member(town.member_a.id).await.unwrap();

    assert_eq!(sorted(live, |e| e.id), vec![pending, approved]);
    assert!(db
        .repos()
        .live_of_member(MemberId::new())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn approved_exemptions_of_a_branch_are_of_that_branch_exactly() {
    let (_t, db, town) = township().await;
    let a = activity(&town.branch_a, at(3600), &town.secretary_a);
    insert_activities(&db, &[&a]).await;
    let scope = ExemptionScope::Activity(a.id);
    let approved_a = exemption(&town.member_a, 1, scope, ReviewStatus::Approved);
    let approved_a2 = exemption(&town.member_a2, 2, scope, ReviewStatus::Approved);
    let pending_a = exemption(&town.committee_a, 3, scope, ReviewStatus::Pending);
    let approved_b = exemption(&town.member_b, 4, scope, ReviewStatus::Approved);
    insert_exemptions(&db, &[&approved_a2, &approved_b, &pending_a, &approved_a]).await;
    let repos = db.repos();

    assert_eq!(
        sorted(
            repos.approved_in_branch(&town.branch_a.path).await.unwrap(),
            |e| e.id
        ),
        vec![approved_a, approved_a2]
    );
    assert_eq!(
        repos.approved_in_branch(&town.branch_b.path).await.unwrap(),
        vec![approved_b]
    );
    // Not a subtree query: no member belongs to the general branch itself.
    assert!(repos
        .approved_in_branch(&town.general.path)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_exemption_is_decided_once_while_pending() {
    let (_t, db, town) = township().await;
    let a = activity(&town.branch_a, at(3600), &town.secretary_a);
    insert_activities(&db, &[&a]).await;
    let e = exemption(
        &town.member_a,
        1,
        ExemptionScope::Activity(a.id),
        ReviewStatus::Pending,
    );
    let other = exemption(
        &town.member_a2,
        2,
        ExemptionScope::Activity(a.id),
        ReviewStatus::Pending,
    );
    insert_exemptions(&db, &[&e, &other]).await;
    let repos = db.repos();
    let first = review(&town.secretary_a, 100, None);

    assert!(
        ExemptionRepo::decide(&repos, e.id, ReviewStatus::Approved, &first)
            .await
            .unwrap()
    );
    let second = review(&town.reviewer_a, 200, Some("改判"));
    assert!(
        !ExemptionRepo::decide(&repos, e.id, ReviewStatus::Rejected, &second)
            .await
            .unwrap()
    );
    assert!(
        !ExemptionRepo::decide(&repos, ExemptionId::new(), ReviewStatus::Rejected, &second)
            .await
            .unwrap()
    );

    let stored = ExemptionRepo::get(&repos, e.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.review),
        (ReviewStatus::Approved, Some(first))
    );
    assert_eq!(
        ExemptionRepo::get(&repos, other.id).await.unwrap(),
        Some(other)
    );
}

#[tokio::test]
async fn pending_exemptions_are_counted_per_activity_and_date_ranges_together() {
    let (_t, db, town) = township().await;
    let a = activity(&town.branch_a, at(3600), &town.secretary_a);
    let b = activity(&town.branch_b, at(3600), &town.admin);
    insert_activities(&db, &[&a, &b]).await;
    let dates = ExemptionScope::Dates {
        from: date(2026, 11, 1),
        to: date(2026, 11, 30),
    };
    insert_exemptions(
        &db,
        &[
            &exemption(
                &town.member_a,
                1,
                ExemptionScope::Activity(a.id),
                ReviewStatus::Pending,
            ),
            &exemption(
                &town.member_a2,
                2,
                ExemptionScope::Activity(a.id),
                ReviewStatus::Pending,
            ),
            &exemption(
                &town.committee_a,
                3,
                ExemptionScope::Activity(a.id),
                ReviewStatus::Approved,
            ),
            &exemption(&town.reviewer_a, 4, dates, ReviewStatus::Pending),
            &exemption(&town.secretary_a, 5, dates, ReviewStatus::Pending),
            &exemption(
                &town.member_b,
                6,
                ExemptionScope::Activity(b.id),
                ReviewStatus::Pending,
            ),
            &exemption(&town.operator, 7, dates, ReviewStatus::Pending),
            &exemption(&town.other_admin, 8, dates, ReviewStatus::Pending),
        ],
    )
    .await;
    let counts = |scopes: Vec<&Org>| {
        let repos = db.repos();
        let paths: Vec<_> = scopes.iter().map(|o| o.path.clone()).collect();
        async move {
            ExemptionRepo::pending_by_activity(&repos, &paths)
                .await
                .unwrap()
                .into_iter()
                .collect::<HashMap<_, _>>()
        }
    };

    assert_eq!(
        counts(vec![&town.branch_a]).await,
        HashMap::from([(Some(a.id), 2), (None, 2)])
    );
    assert_eq!(
        counts(vec![&town.committee]).await,
        HashMap::from([(Some(a.id), 2), (Some(b.id), 1), (None, 3)])
    );
    assert_eq!(
        counts(vec![&town.other_committee]).await,
        HashMap::from([(None, 1)])
    );
    assert!(counts(vec![]).await.is_empty());
}

#[tokio::test]
async fn a_holiday_calendar_per_committee_and_year_is_replaced_by_put() {
    let (_t, db, town) = township().await;
    let repos = db.repos();
    let calendar = |holidays: &[NaiveDate], workdays: &[NaiveDate]| HolidayCalendar {
        holidays: holidays.iter().copied().collect::<BTreeSet<_>>(),
        workdays: workdays.iter().copied().collect::<BTreeSet<_>>(),
    };
    let committee: OrgId = town.committee.id;
    assert_eq!(
        HolidayRepo::get(&repos, committee, 2026).await.unwrap(),
        None
    );

    let first = calendar(
        &[date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)],
        &[date(2026, 10, 10)],
    );
    HolidayRepo::put(&repos, committee, 2026, &first, at(0))
        .await
        .unwrap();
    let next_year = calendar(&[date(2027, 1, 1)], &[]);
    HolidayRepo::put(&repos, committee, 2027, &next_year, at(0))
        .await
        .unwrap();
    assert_eq!(
        HolidayRepo::get(&repos, committee, 2026).await.unwrap(),
        Some(first)
    );

    let replaced = calendar(&[], &[]);
    HolidayRepo::put(&repos, committee, 2026, &replaced, at(60))
        .await
        .unwrap();
    assert_eq!(
        HolidayRepo::get(&repos, committee, 2026).await.unwrap(),
        Some(replaced)
    );
    assert_eq!(
        HolidayRepo::get(&repos, committee, 2027).await.unwrap(),
        Some(next_year)
    );
    assert_eq!(
        HolidayRepo::get(&repos, town.other_committee.id, 2026)
            .await
            .unwrap(),
        None
    );
}
