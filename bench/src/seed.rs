//! Seeding the benchmark's township straight into PostgreSQL: one committee, one rural
//! branch under it, a secretary holding the secretary role on the branch, and `n` active
//! members of the branch. Rows look as the app writes them (v7 ids, `/hex32/hex32/` paths,
//! 11-digit phones); multi-row INSERTs of 1000 rows keep 20,000 members to about a second.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use uuid::Uuid;

use crate::BoxError;
use domain::org::{OrgId, OrgPath};

const BATCH: usize = 1000;
/// Member phones are `19` + 9 digits of the member's number; the secretary's is `16…`.
pub const MAX_MEMBERS: usize = 999_999_999;

pub struct Seeded {
    pub branch_id: Uuid,
    pub branch_path: String,
    pub secretary_id: Uuid,
    pub member_ids: Vec<Uuid>,
}

fn ts(t: DateTime<Utc>) -> String {
    format!("'{}'", t.to_rfc3339_opts(SecondsFormat::Micros, true))
}

fn member_row(id: Uuid, name: &str, phone: &str, branch: Uuid, path: &str, at: &str) -> String {
    format!("('{id}','{name}','{phone}','rural','{branch}',NULL,'{path}',false,'active',{at},{at})")
}

const MEMBER_INSERT: &str = "INSERT INTO member (id, name, phone, category, branch_id, group_id, \
     branch_path, leading_cadre, status, created_at, updated_at) VALUES ";

pub async fn seed(db: &DatabaseConnection, n: usize) -> Result<Seeded, BoxError> {
    if n > MAX_MEMBERS {
        return Err(format!("at most {MAX_MEMBERS} members").into());
    }
    let now = Utc::now();
    let at = ts(now);
    let committee = Uuid::now_v7();
    let branch = Uuid::now_v7();
    let committee_path = OrgPath::root(OrgId::from_uuid(committee));
    let branch_path = committee_path.child(OrgId::from_uuid(branch));
    let (cp, bp) = (committee_path.as_str(), branch_path.as_str());
    db.execute_unprepared(&format!(
        "INSERT INTO org (id, parent_id, kind, sector, name, path, created_at, updated_at) VALUES \
         ('{committee}',NULL,'committee','rural','压测镇党委','{cp}',{at},{at}), \
         ('{branch}','{committee}','branch','rural','压测村党支部','{bp}',{at},{at})"
    ))
    .await?;

    let secretary = Uuid::now_v7();
    db.execute_unprepared(&format!(
        "{MEMBER_INSERT}{}",
        member_row(secretary, "压测书记", "16000000000", branch, bp, &at)
    ))
    .await?;
    db.execute_unprepared(&format!(
        "INSERT INTO role_grant (id, member_id, kind, org_id, org_path, can_review, granted_at) \
         VALUES ('{}','{secretary}','secretary','{branch}','{bp}',false,{at})",
        Uuid::now_v7()
    ))
    .await?;

    let seeded = Seeded {
        branch_id: branch,
        branch_path: bp.to_owned(),
        secretary_id: secretary,
        member_ids: Vec::new(),
    };
    let member_ids = more_members(db, &seeded, 0, n).await?;
    db.execute_unprepared("ANALYZE org, member, role_grant")
        .await?;
    Ok(Seeded {
        member_ids,
        ..seeded
    })
}

/// Inserts `n` more active members into the seeded branch, numbered from `from + 1` (names
/// and phones unique across calls that do not overlap), and answers their ids.
pub async fn more_members(
    db: &DatabaseConnection,
    seeded: &Seeded,
    from: usize,
    n: usize,
) -> Result<Vec<Uuid>, BoxError> {
    if from + n > MAX_MEMBERS {
        return Err(format!("at most {MAX_MEMBERS} members").into());
    }
    let at = ts(Utc::now());
    let member_ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
    for (b, chunk) in member_ids.chunks(BATCH).enumerate() {
        let rows: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let k = from + b * BATCH + i + 1;
                member_row(
                    *id,
                    &format!("压测党员{k:05}"),
                    &format!("19{k:09}"),
                    seeded.branch_id,
                    &seeded.branch_path,
                    &at,
                )
            })
            .collect();
        db.execute_unprepared(&format!("{MEMBER_INSERT}{}", rows.join(",")))
            .await?;
    }
    Ok(member_ids)
}

/// `(rows, distinct members)` of an activity's check-ins.
pub async fn check_in_counts(
    db: &DatabaseConnection,
    activity: Uuid,
) -> Result<(i64, i64), BoxError> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*) AS n, count(DISTINCT member_id) AS d FROM check_in \
             WHERE activity_id = $1",
            [activity.into()],
        ))
        .await?
        .ok_or("no answer to the count")?;
    Ok((row.try_get::<i64>("", "n")?, row.try_get::<i64>("", "d")?))
}

/// Check-ins of the activity by someone outside the seeded members (must be none).
pub async fn strangers(
    db: &DatabaseConnection,
    activity: Uuid,
    branch: Uuid,
) -> Result<i64, BoxError> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM check_in c LEFT JOIN member m ON m.id = c.member_id \
             WHERE c.activity_id = $1 AND (m.id IS NULL OR m.branch_id <> $2)",
            [activity.into(), branch.into()],
        ))
        .await?
        .ok_or("no answer to the count")?;
    Ok(row.try_get::<i64>("", "n")?)
}
