//! Group commit of check-ins: concurrent check-ins on one instance are written together,
//! one statement per activity, each statement inserting the rows of members without a
//! check-in and without an approved exemption covering the activity.
//!
//! A writer task takes whatever is queued (up to [`BatchLimits::max_batch`]) whenever one
//! of its [`BatchLimits::max_in_flight`] slots is free: no timer, so a lone check-in is
//! written at once, and a burst is written in as many statements as the database's pace
//! makes it.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    Statement, Value,
};
use tokio::sync::{mpsc, oneshot, Semaphore};

use super::activity::check_in_to_domain;
use crate::db::Db;
use crate::entity::check_in;
use domain::activity::{ActivityId, CheckIn, CheckInWrite, CheckInWriter, ReviewStatus};
use domain::error::RepoError;
use domain::org::MemberId;

/// How many check-ins one pass of the writer takes, by default.
pub const MAX_BATCH: usize = 64;
/// How many statements the writer has in flight at most on PostgreSQL, by default: one
/// runs while the next batch gathers and is sent.
pub const MAX_IN_FLIGHT_POSTGRES: usize = 2;
/// On SQLite: it has one writer at a time, and a second statement would only wait for the
/// lock in the busy handler's sleeps.
pub const MAX_IN_FLIGHT_SQLITE: usize = 1;
/// Check-ins waiting for the writer at most; a caller beyond waits to be queued.
const QUEUE_CAPACITY: usize = 1024;

/// The columns a new check-in sets (the review's are NULL), with their PostgreSQL types.
const COLUMNS: [(&str, &str); 11] = [
    ("id", "uuid"),
    ("activity_id", "uuid"),
    ("member_id", "uuid"),
    ("branch_path", "varchar"),
    ("method", "varchar"),
    ("status", "varchar"),
    ("client_time", "timestamptz"),
    ("lat", "float8"),
    ("lng", "float8"),
    ("created_at", "timestamptz"),
    ("checked_out_at", "timestamptz"),
];
/// Parameters of a statement besides its rows': the approved status and the activity's
/// day, twice.
const SHARED_PARAMS: usize = 3;
/// SQLite's bound-parameter limit on builds before 3.32.
const SQLITE_MAX_PARAMS: usize = 999;
/// Rows one statement carries at most; a larger group is split.
pub const MAX_ROWS_PER_STATEMENT: usize = (SQLITE_MAX_PARAMS - SHARED_PARAMS) / COLUMNS.len();

/// How the writer batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// Check-ins one pass takes at most (at least 1).
    pub max_batch: usize,
    /// Statements in flight at most (at least 1).
    pub max_in_flight: usize,
}

impl BatchLimits {
    /// The defaults for the database behind `db`.
    pub fn for_db(db: &Db) -> Self {
        Self {
            max_batch: MAX_BATCH,
            max_in_flight: match db.backend() {
                crate::Backend::Sqlite => MAX_IN_FLIGHT_SQLITE,
                crate::Backend::Postgres => MAX_IN_FLIGHT_POSTGRES,
            },
        }
    }
}

/// One caller's check-in, waiting for the writer.
struct Pending {
    row: CheckIn,
    day: NaiveDate,
    reply: oneshot::Sender<Result<CheckInWrite, RepoError>>,
}

/// The [`CheckInWriter`] of an instance: hands each check-in to its writer task and waits
/// for the outcome. Cloning shares the task; when every clone is gone, the task finishes
/// what it took and ends.
#[derive(Clone)]
pub struct BatchedCheckInWriter {
    queue: mpsc::Sender<Pending>,
}

impl std::fmt::Debug for BatchedCheckInWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchedCheckInWriter")
            .field("queued", &self.queued())
            .finish()
    }
}

/// The writer task, not yet running: [`run`](Self::run) it on a runtime.
pub struct CheckInWriterTask {
    db: Db,
    queue: mpsc::Receiver<Pending>,
    limits: BatchLimits,
}

impl BatchedCheckInWriter {
    /// A writer and its task, which the caller runs (tests queue check-ins first).
    pub fn new(db: Db, limits: BatchLimits) -> (Self, CheckInWriterTask) {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        let limits = BatchLimits {
            max_batch: limits.max_batch.max(1),
            max_in_flight: limits.max_in_flight.max(1),
        };
        (
            Self { queue: tx },
            CheckInWriterTask {
                db,
                queue: rx,
                limits,
            },
        )
    }

    /// A writer whose task runs on the current Tokio runtime (panics outside one).
    pub fn start(db: Db, limits: BatchLimits) -> Self {
        let (writer, task) = Self::new(db, limits);
        tokio::spawn(task.run());
        writer
    }

    /// Check-ins waiting for the writer task to take them.
    pub fn queued(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }
}

/// The writer task is gone (its runtime stopped, or it panicked): the outcome is unknown.
fn writer_gone() -> RepoError {
    RepoError::Unavailable("the check-in writer is not running".into())
}

#[async_trait]
impl CheckInWriter for BatchedCheckInWriter {
    async fn write(&self, row: CheckIn, day: NaiveDate) -> Result<CheckInWrite, RepoError> {
        let (reply, outcome) = oneshot::channel();
        self.queue
            .send(Pending { row, day, reply })
            .await
            .map_err(|_| writer_gone())?;
        outcome.await.map_err(|_| writer_gone())?
    }
}

impl CheckInWriterTask {
    /// Writes batches until every [`BatchedCheckInWriter`] is dropped and the queue is
    /// empty, then waits for the statements in flight.
    pub async fn run(mut self) {
        let slots = Arc::new(Semaphore::new(self.limits.max_in_flight));
        loop {
            // A free slot first, then whatever is queued by then: while the slots are busy,
            // the next batch gathers.
            let Ok(slot) = slots.clone().acquire_owned().await else {
                break;
            };
            let mut taken = Vec::with_capacity(self.limits.max_batch);
            if self
                .queue
                .recv_many(&mut taken, self.limits.max_batch)
                .await
                == 0
            {
                break;
            }
            let db = self.db.clone();
            tokio::spawn(async move {
                write_pending(&db, taken).await;
                drop(slot);
            });
        }
        let in_flight = u32::try_from(self.limits.max_in_flight).unwrap_or(u32::MAX);
        let _ = slots.acquire_many(in_flight).await;
    }
}

/// Writes the check-ins whose callers still wait, and tells each its outcome.
async fn write_pending(db: &Db, taken: Vec<Pending>) {
    // A caller that went away (a client that disconnected) is not written for.
    let (rows, replies): (Vec<_>, Vec<_>) = taken
        .into_iter()
        .filter(|p| !p.reply.is_closed())
        .map(|p| ((p.row, p.day), p.reply))
        .unzip();
    if rows.is_empty() {
        return;
    }
    let outcomes = write_batch(db, &rows).await;
    for (reply, outcome) in replies.into_iter().zip(outcomes) {
        // The caller may have gone since: nothing to tell.
        let _ = reply.send(outcome);
    }
}

/// What became of one member's row in a statement; shared by the duplicates of the row.
#[derive(Clone)]
enum Stored {
    Inserted(CheckIn),
    Existing(CheckIn),
    Exempted,
    Failed(StatementFailed),
    /// Stored, but not valid as a check-in.
    Unreadable(String),
}

/// The statement that carried a check-in failed, so none of its rows is stored. Every
/// caller of the statement gets this as `RepoError::Unavailable`: the fault may be
/// another caller's row, and a retry goes into another statement.
#[derive(Debug, Clone)]
struct StatementFailed(Arc<RepoError>);

impl std::fmt::Display for StatementFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a batched check-in statement failed: {}", self.0)
    }
}

impl std::error::Error for StatementFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.0.as_ref())
    }
}

impl StatementFailed {
    fn new(err: DbErr) -> Self {
        Self(Arc::new(crate::error::map_db_err(err)))
    }
}

/// Writes `rows` (each with its activity's Shanghai start date) and answers each one's
/// outcome, in order: one statement per activity (split beyond
/// [`MAX_ROWS_PER_STATEMENT`]), then one read of the rows a statement did not insert. Of
/// two rows of one member and activity the first is written; the others are answered the
/// first's stored row as existing.
pub async fn write_batch(
    db: &Db,
    rows: &[(CheckIn, NaiveDate)],
) -> Vec<Result<CheckInWrite, RepoError>> {
    // Groups by activity (and day, which one activity has one of), in order of arrival.
    let mut groups: Vec<((ActivityId, NaiveDate), Vec<usize>)> = Vec::new();
    for (i, (row, day)) in rows.iter().enumerate() {
        let key = (row.activity_id, *day);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    let mut answers: Vec<Option<Result<CheckInWrite, RepoError>>> =
        rows.iter().map(|_| None).collect();
    for ((activity, day), indices) in groups {
        // The first row of each member is written; the others follow it.
        let mut first_of: HashMap<MemberId, usize> = HashMap::new();
        let mut firsts: Vec<&CheckIn> = Vec::new();
        for &i in &indices {
            let row = &rows[i].0;
            first_of.entry(row.member_id).or_insert_with(|| {
                firsts.push(row);
                i
            });
        }
        let mut stored: HashMap<MemberId, Stored> = HashMap::new();
        for chunk in firsts.chunks(MAX_ROWS_PER_STATEMENT) {
            stored.extend(write_group(db, activity, day, chunk).await);
        }
        for &i in &indices {
            let member = rows[i].0.member_id;
            let first = first_of.get(&member).copied() == Some(i);
            answers[i] = Some(match stored.get(&member) {
                Some(Stored::Inserted(c)) if first => Ok(CheckInWrite::Inserted(c.clone())),
                Some(Stored::Inserted(c) | Stored::Existing(c)) => {
                    Ok(CheckInWrite::Existing(c.clone()))
                }
                Some(Stored::Exempted) => Ok(CheckInWrite::Exempted),
                Some(Stored::Failed(e)) => Err(RepoError::Unavailable(Box::new(e.clone()))),
                Some(Stored::Unreadable(e)) => Err(RepoError::Other(e.clone().into())),
                None => Err(RepoError::Other(
                    "check-in left out of its statement".into(),
                )),
            });
        }
    }
    answers
        .into_iter()
        .map(|a| a.unwrap_or_else(|| Err(RepoError::Other("check-in left out of a batch".into()))))
        .collect()
}

/// One statement inserting `rows` (one per member, all of `activity`), then one read of
/// those it did not insert: there already (existing) or not (exempted).
async fn write_group(
    db: &Db,
    activity: ActivityId,
    day: NaiveDate,
    rows: &[&CheckIn],
) -> Vec<(MemberId, Stored)> {
    let conn = db.connection();
    // In member order, so two statements in flight (or on two instances) that share members
    // take their unique-index locks in the same order and cannot deadlock.
    let mut ordered = rows.to_vec();
    ordered.sort_by_key(|r| r.member_id.as_uuid());
    let statement = insert_statement(conn.get_database_backend(), &ordered, day);
    let returned = match conn.query_all_raw(statement).await {
        Ok(returned) => returned,
        Err(e) => {
            let failed = StatementFailed::new(e);
            return rows
                .iter()
                .map(|r| (r.member_id, Stored::Failed(failed.clone())))
                .collect();
        }
    };
    let mut outcomes: HashMap<MemberId, Stored> = HashMap::new();
    for row in &returned {
        match check_in::Model::from_query_result(row, "") {
            Ok(model) => {
                let member = MemberId::from_uuid(model.member_id);
                outcomes.insert(member, read(model, Stored::Inserted));
            }
            // The row is in; the read below finds it (or fails) for its caller.
            Err(e) => tracing::error!(error = %e, "a batched check-in was stored but not returned"),
        }
    }
    let missing: Vec<MemberId> = rows
        .iter()
        .map(|r| r.member_id)
        .filter(|m| !outcomes.contains_key(m))
        .collect();
    if missing.is_empty() {
        return outcomes.into_iter().collect();
    }
    let found = check_in::Entity::find()
        .filter(check_in::Column::ActivityId.eq(activity.as_uuid()))
        .filter(check_in::Column::MemberId.is_in(missing.iter().map(|m| m.as_uuid())))
        .all(conn)
        .await;
    match found {
        Ok(found) => {
            let mut there: HashMap<MemberId, check_in::Model> = found
                .into_iter()
                .map(|model| (MemberId::from_uuid(model.member_id), model))
                .collect();
            for m in missing {
                let outcome = there
                    .remove(&m)
                    .map_or(Stored::Exempted, |model| read(model, Stored::Existing));
                outcomes.insert(m, outcome);
            }
        }
        Err(e) => {
            let failed = StatementFailed::new(e);
            for m in missing {
                outcomes.insert(m, Stored::Failed(failed.clone()));
            }
        }
    }
    outcomes.into_iter().collect()
}

/// A stored row as `outcome`, or why it cannot be read.
fn read(model: check_in::Model, outcome: fn(CheckIn) -> Stored) -> Stored {
    match check_in_to_domain(model) {
        Ok(c) => outcome(c),
        Err(e) => Stored::Unreadable(e.to_string()),
    }
}

/// `INSERT … SELECT … WHERE NOT EXISTS (approved exemption) ON CONFLICT DO NOTHING
/// RETURNING *` over the rows; values bound as sea-orm binds an entity's, so they are
/// stored in the same format as every other check-in.
fn insert_statement(backend: DbBackend, rows: &[&CheckIn], day: NaiveDate) -> Statement {
    let mut values: Vec<Value> = Vec::with_capacity(rows.len() * COLUMNS.len() + SHARED_PARAMS);
    let mut param = |value: Value, pg_type: &str| {
        values.push(value);
        match backend {
            // Typed, so PostgreSQL never has to guess a VALUES column from a NULL.
            DbBackend::Postgres => format!("${}::{pg_type}", values.len()),
            _ => "?".to_owned(),
        }
    };
    let tuples: Vec<String> = rows
        .iter()
        .map(|c| {
            let row: [Value; 11] = [
                c.id.as_uuid().into(),
                c.activity_id.as_uuid().into(),
                c.member_id.as_uuid().into(),
                c.branch_path.as_str().to_owned().into(),
                c.method.as_str().to_owned().into(),
                c.status.as_str().to_owned().into(),
                c.client_time.into(),
                c.location.map(|p| p.lat()).into(),
                c.location.map(|p| p.lng()).into(),
                c.created_at.into(),
                c.checked_out_at.into(),
            ];
            let params: Vec<String> = row
                .into_iter()
                .zip(COLUMNS)
                .map(|(value, (_, pg_type))| param(value, pg_type))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let approved = param(ReviewStatus::Approved.as_str().to_owned().into(), "varchar");
    let from = param(day.into(), "date");
    let to = param(day.into(), "date");
    let columns = COLUMNS.map(|(name, _)| name).join(", ");
    let selected = COLUMNS.map(|(name, _)| format!("v.{name}")).join(", ");
    // A CTE names the VALUES columns on both backends (SQLite's own names are column1…);
    // SQLite parses `INSERT … SELECT … ON CONFLICT` only with a WHERE, which this has.
    let sql = format!(
        "WITH v ({columns}) AS (VALUES {tuples}) \
         INSERT INTO check_in ({columns}) \
         SELECT {selected} FROM v \
         WHERE NOT EXISTS (\
           SELECT 1 FROM exemption e \
           WHERE e.member_id = v.member_id AND e.status = {approved} \
           AND (e.activity_id = v.activity_id OR (e.from_date <= {from} AND e.to_date >= {to}))\
         ) \
         ON CONFLICT (activity_id, member_id) DO NOTHING \
         RETURNING *",
        tuples = tuples.join(", "),
    );
    Statement::from_sql_and_values(backend, sql, values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::activity::CheckInMethod;
    use domain::org::{OrgId, OrgPath};

    fn row() -> CheckIn {
        let now = chrono::Utc::now();
        CheckIn {
            id: domain::activity::CheckInId::at(now),
            activity_id: ActivityId::new(),
            member_id: MemberId::new(),
            branch_path: OrgPath::root(OrgId::new()),
            method: CheckInMethod::Qr,
            status: ReviewStatus::Pending,
            client_time: None,
            location: None,
            created_at: now,
            review: None,
            checked_out_at: None,
        }
    }

    #[test]
    fn the_largest_statement_stays_within_sqlites_oldest_parameter_limit() {
        let rows: Vec<CheckIn> = (0..MAX_ROWS_PER_STATEMENT).map(|_| row()).collect();
        let refs: Vec<&CheckIn> = rows.iter().collect();
        let day = NaiveDate::default();
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            let stmt = insert_statement(backend, &refs, day);
            let params = stmt.values.map_or(0, |v| v.0.len());
            assert_eq!(params, rows.len() * COLUMNS.len() + SHARED_PARAMS);
            assert!(params <= SQLITE_MAX_PARAMS, "{params}");
        }
    }

    #[test]
    fn every_postgresql_parameter_is_typed_so_a_null_has_a_type() {
        let (a, b) = (row(), row());
        let stmt = insert_statement(DbBackend::Postgres, &[&a, &b], NaiveDate::default());
        let typed = stmt.sql.matches("::").count();
        assert_eq!(typed, 2 * COLUMNS.len() + SHARED_PARAMS, "{}", stmt.sql);
        assert!(
            stmt.sql.contains("($12::uuid, $13::uuid, $14::uuid"),
            "{}",
            stmt.sql
        );
    }
}
