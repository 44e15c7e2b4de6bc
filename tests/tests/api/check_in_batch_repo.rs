//! The batched check-in writer on the configured backend: each row of a batch gets its own
//! outcome, a statement fails or succeeds as a whole, and the writer task survives callers
//! that go away and ends with its last handle.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, Statement};

use domain::activity::geo::GeoPoint;
use domain::activity::{
    ActivityId, CheckIn, CheckInId, CheckInMethod, CheckInRepo, CheckInWrite, CheckInWriter,
    Exemption, ExemptionId, ExemptionRepo, ExemptionScope, ReviewStatus,
};
use domain::error::RepoError;
use domain::org::{Member, MemberId};
use infra::repo::check_in_batch::{
    write_batch, BatchLimits, BatchedCheckInWriter, MAX_ROWS_PER_STATEMENT,
};
use infra::{Backend, Db};

use crate::repo_support::{at, township};

/// The day the activities below start on (Shanghai).
fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 5).unwrap()
}

fn row(activity: ActivityId, member: MemberId, secs: i64) -> CheckIn {
    CheckIn {
        id: CheckInId::at(at(secs)),
        activity_id: activity,
        member_id: member,
        branch_path: domain::org::OrgPath::root(domain::org::OrgId::new()),
        method: CheckInMethod::Location,
        status: ReviewStatus::Pending,
        client_time: Some(at(secs - 3)),
        location: GeoPoint::new(30.0, 120.0),
        created_at: at(secs),
        review: None,
        checked_out_at: None,
    }
}

fn of(m: &Member) -> MemberId {
    m.id
}

async fn exempt(db: &Db, m: &Member, scope: ExemptionScope, status: ReviewStatus) {
    let e = Exemption {
        id: ExemptionId::at(at(-100)),
        member_id: m.id,
        branch_path: m.branch_path.clone(),
        scope,
        reason: "住院治疗".into(),
        status,
        created_at: at(-100),
        review: None,
    };
    ExemptionRepo::insert(&db.repos(), &e).await.unwrap();
}

async fn stored(db: &Db, activity: ActivityId) -> Vec<CheckIn> {
    db.repos().all_of(activity).await.unwrap()
}

fn inserted(outcome: &Result<CheckInWrite, RepoError>) -> &CheckIn {
    match outcome {
        Ok(CheckInWrite::Inserted(c)) => c,
        other => panic!("expected inserted, got {other:?}"),
    }
}

fn existing(outcome: &Result<CheckInWrite, RepoError>) -> &CheckIn {
    match outcome {
        Ok(CheckInWrite::Existing(c)) => c,
        other => panic!("expected existing, got {other:?}"),
    }
}

/// A pool whose statements are counted.
async fn counted(t: &tests::TestDatabase) -> (Db, Arc<AtomicUsize>) {
    let db = t.connect().await;
    let statements = Arc::new(AtomicUsize::new(0));
    let seen = statements.clone();
    db.observe_statements(Arc::new(move |_, _| {
        seen.fetch_add(1, Ordering::SeqCst);
    }));
    (db, statements)
}

#[tokio::test]
async fn each_row_of_a_batch_learns_whether_it_was_inserted_existed_or_was_exempted() {
    let (_t, db, town) = township().await;
    let a = ActivityId::new();
    let there_before = row(a, of(&town.member_a2), -60);
    assert!(db
        .repos()
        .insert_if_absent(&there_before)
        .await
        .unwrap()
        .is_some());
    exempt(
        &db,
        &town.committee_a,
        ExemptionScope::Activity(a),
        ReviewStatus::Approved,
    )
    .await;
    exempt(
        &db,
        &town.reviewer_a,
        ExemptionScope::Dates {
            from: day(),
            to: day(),
        },
        ReviewStatus::Approved,
    )
    .await;
    // Neither a pending exemption, nor an approved one of another activity or other days,
    // excuses.
    exempt(
        &db,
        &town.secretary_a,
        ExemptionScope::Activity(a),
        ReviewStatus::Pending,
    )
    .await;
    exempt(
        &db,
        &town.admin,
        ExemptionScope::Activity(ActivityId::new()),
        ReviewStatus::Approved,
    )
    .await;
    exempt(
        &db,
        &town.operator,
        ExemptionScope::Dates {
            from: day().succ_opt().unwrap(),
            to: day().succ_opt().unwrap().succ_opt().unwrap(),
        },
        ReviewStatus::Approved,
    )
    .await;
    // Having checked in wins over an exemption approved since.
    exempt(
        &db,
        &town.member_a2,
        ExemptionScope::Activity(a),
        ReviewStatus::Approved,
    )
    .await;
    let rows = vec![
        (row(a, of(&town.member_a), 1), day()),
        (row(a, of(&town.member_a2), 2), day()),
        (row(a, of(&town.committee_a), 3), day()),
        (row(a, of(&town.reviewer_a), 4), day()),
        (row(a, of(&town.member_a), 5), day()),
        (row(a, of(&town.secretary_a), 6), day()),
        (row(a, of(&town.admin), 7), day()),
        (row(a, of(&town.operator), 8), day()),
        (row(a, of(&town.member_a), 9), day()),
    ];

    let outcomes = write_batch(&db, &rows).await;

    let first = inserted(&outcomes[0]);
    assert_eq!(*first, rows[0].0);
    assert_eq!(*existing(&outcomes[1]), there_before);
    assert!(matches!(outcomes[2], Ok(CheckInWrite::Exempted)));
    assert!(matches!(outcomes[3], Ok(CheckInWrite::Exempted)));
    assert_eq!(existing(&outcomes[4]), first);
    for (i, outcome) in outcomes.iter().enumerate().take(8).skip(5) {
        assert_eq!(*inserted(outcome), rows[i].0);
    }
    assert_eq!(existing(&outcomes[8]), first);
    let mut kept: Vec<CheckInId> = stored(&db, a).await.iter().map(|c| c.id).collect();
    kept.sort();
    let mut want = vec![
        there_before.id,
        rows[0].0.id,
        rows[5].0.id,
        rows[6].0.id,
        rows[7].0.id,
    ];
    want.sort();
    assert_eq!(kept, want);
}

#[tokio::test]
async fn a_failed_statement_fails_each_of_its_check_ins_and_stores_none_of_them() {
    let (_t, db, town) = township().await;
    let (a, b) = (ActivityId::new(), ActivityId::new());
    let there_before = row(a, of(&town.member_a), 0);
    db.repos().insert_if_absent(&there_before).await.unwrap();
    // A row reusing a stored check-in's id breaks the primary key, which ON CONFLICT on
    // (activity, member) does not cover: the whole statement fails, on either backend.
    let mut clash = row(a, of(&town.committee_a), 3);
    clash.id = there_before.id;
    let rows = vec![
        (row(a, of(&town.member_a2), 1), day()),
        (row(b, of(&town.member_a2), 2), day()),
        (clash, day()),
        (row(a, of(&town.reviewer_a), 4), day()),
        (row(a, of(&town.reviewer_a), 5), day()),
    ];

    let outcomes = write_batch(&db, &rows).await;

    for i in [0, 2, 3, 4] {
        assert!(
            matches!(outcomes[i], Err(RepoError::Unavailable(_))),
            "{i}: {:?}",
            outcomes[i]
        );
    }
    assert_eq!(*inserted(&outcomes[1]), rows[1].0);
    assert_eq!(stored(&db, a).await, vec![there_before]);
    assert_eq!(stored(&db, b).await, vec![rows[1].0.clone()]);
}

#[tokio::test]
async fn two_activities_queued_together_are_written_in_two_statements() {
    let (t, _, town) = township().await;
    let (db, statements) = counted(&t).await;
    let (writer, task) = BatchedCheckInWriter::new(db.clone(), BatchLimits::for_db(&db));
    let (a, b) = (ActivityId::new(), ActivityId::new());
    let rows = [
        row(a, of(&town.member_a), 1),
        row(b, of(&town.member_a), 2),
        row(a, of(&town.member_a2), 3),
        row(b, of(&town.committee_a), 4),
        row(a, of(&town.committee_a), 5),
    ];
    let calls: Vec<_> = rows
        .iter()
        .map(|r| {
            let (writer, r) = (writer.clone(), r.clone());
            tokio::spawn(async move { writer.write(r, day()).await })
        })
        .collect();
    while writer.queued() < rows.len() {
        tokio::task::yield_now().await;
    }
    let before = statements.load(Ordering::SeqCst);

    tokio::spawn(task.run());
    let mut outcomes = Vec::new();
    for call in calls {
        outcomes.push(call.await.unwrap());
    }

    assert_eq!(statements.load(Ordering::SeqCst) - before, 2);
    for (outcome, r) in outcomes.iter().zip(&rows) {
        assert_eq!(inserted(outcome), r);
    }
    assert_eq!(stored(&db, a).await.len(), 3);
    assert_eq!(stored(&db, b).await.len(), 2);
}

#[tokio::test]
async fn a_group_beyond_the_parameter_limit_is_split_into_statements_and_written_whole() {
    let (t, _, _) = township().await;
    let (db, statements) = counted(&t).await;
    let a = ActivityId::new();
    let n = MAX_ROWS_PER_STATEMENT + 10;
    let rows: Vec<(CheckIn, NaiveDate)> = (0..n)
        .map(|i| (row(a, MemberId::new(), i as i64), day()))
        .collect();

    let outcomes = write_batch(&db, &rows).await;

    assert_eq!(statements.load(Ordering::SeqCst), 2);
    for (outcome, (r, _)) in outcomes.iter().zip(&rows) {
        assert_eq!(inserted(outcome), r);
    }
    assert_eq!(stored(&db, a).await.len(), n);
}

#[tokio::test]
async fn a_batched_check_in_is_stored_in_the_format_of_a_single_insert() {
    let (_t, db, town) = township().await;
    let a = ActivityId::new();
    let single = row(a, of(&town.member_a), 1);
    let mut batched = row(a, of(&town.member_a2), 1);
    batched.id = CheckInId::at(at(2));
    db.repos().insert_if_absent(&single).await.unwrap();

    let outcomes = write_batch(&db, &[(batched.clone(), day())]).await;

    assert_eq!(*inserted(&outcomes[0]), batched);
    let mut read = stored(&db, a).await;
    read.sort_by_key(|c| c.id);
    assert_eq!(read, vec![single.clone(), batched.clone()]);
    // The raw columns, as the database holds them: the same types and renderings.
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT typeof(id) || typeof(activity_id) || typeof(member_id) || typeof(lat) \
             || typeof(created_at) || typeof(client_time) || typeof(checked_out_at) AS types, \
             created_at || '|' || client_time || '|' || hex(activity_id) AS raw \
             FROM check_in ORDER BY member_id"
        }
        Backend::Postgres => {
            "SELECT pg_typeof(id)::text AS types, \
             created_at::text || '|' || client_time::text || '|' || activity_id::text AS raw \
             FROM check_in ORDER BY member_id"
        }
    };
    let raw = db
        .connection()
        .query_all_raw(Statement::from_string(
            db.connection().get_database_backend(),
            sql,
        ))
        .await
        .unwrap();
    assert_eq!(raw.len(), 2);
    let column = |i: usize, name: &str| raw[i].try_get::<String>("", name).unwrap();
    assert_eq!(column(0, "types"), column(1, "types"));
    assert_eq!(column(0, "raw"), column(1, "raw"));
}

#[tokio::test]
async fn a_caller_that_goes_away_is_not_written_for_and_does_not_stop_the_writer() {
    let (_t, db, town) = township().await;
    let (writer, task) = BatchedCheckInWriter::new(db.clone(), BatchLimits::for_db(&db));
    let a = ActivityId::new();
    let gone = {
        let (writer, r) = (writer.clone(), row(a, of(&town.member_a), 1));
        tokio::spawn(async move { writer.write(r, day()).await })
    };
    while writer.queued() < 1 {
        tokio::task::yield_now().await;
    }
    gone.abort();
    assert!(gone.await.unwrap_err().is_cancelled());

    tokio::spawn(task.run());
    let next = row(a, of(&town.member_a2), 2);
    let outcome = writer.write(next.clone(), day()).await;

    assert_eq!(*inserted(&outcome), next);
    assert_eq!(stored(&db, a).await, vec![next]);
}

#[tokio::test]
async fn the_writer_task_ends_when_its_last_handle_is_dropped() {
    let (_t, db, town) = township().await;
    let (writer, task) = BatchedCheckInWriter::new(db.clone(), BatchLimits::for_db(&db));
    let running = tokio::spawn(task.run());
    let a = ActivityId::new();
    let outcome = writer.write(row(a, of(&town.member_a), 1), day()).await;
    assert!(matches!(outcome, Ok(CheckInWrite::Inserted(_))));

    drop(writer);

    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the writer task ended")
        .unwrap();
}
