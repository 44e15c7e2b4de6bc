//! Storage errors: how a sea-orm (sqlx) error becomes the domain's [`RepoError`].

use domain::error::RepoError;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// Maps a sea-orm error onto the port's error: unreachable stores become `Unavailable`,
/// constraint violations `Conflict` (with the constraint's name, the same on both backends,
/// where the error names one).
pub fn map_db_err(err: DbErr) -> RepoError {
    if let Some(sql) = err.sql_err() {
        let constraint = constraint_name(&err).unwrap_or_else(|| match &sql {
            SqlErr::UniqueConstraintViolation(m) | SqlErr::ForeignKeyConstraintViolation(m) => {
                m.clone()
            }
            _ => String::new(),
        });
        return RepoError::Conflict { constraint };
    }
    let unavailable = match &err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            use sea_orm::sqlx::Error as E;
            match e.as_ref() {
                E::Io(_) | E::PoolClosed | E::PoolTimedOut | E::Tls(_) | E::WorkerCrashed => true,
                E::Database(db) => is_transient(db.code().as_deref()),
                _ => false,
            }
        }
        DbErr::RecordNotFound(_) => return RepoError::NotFound,
        _ => false,
    };
    // The driver's error goes on whole: its chain of sources reaches the log of a failure.
    if unavailable {
        RepoError::Unavailable(Box::new(err))
    } else {
        RepoError::Other(Box::new(err))
    }
}

/// Database error codes that mean "busy or going away, try again", not "your query is wrong":
/// SQLite's BUSY and LOCKED families (still held after the busy timeout), PostgreSQL's
/// admin/crash shutdown, cannot-connect-now and too-many-connections.
fn is_transient(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("5" | "6" | "261" | "262" | "517" | "57P01" | "57P02" | "57P03" | "53300")
    )
}

fn constraint_name(err: &DbErr) -> Option<String> {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match e.as_ref() {
                sea_orm::sqlx::Error::Database(db) => db
                    .constraint()
                    .map(str::to_owned)
                    .or_else(|| sqlite_constraint(db.code().as_deref(), db.message())),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The unique indexes the migrations create, by the columns SQLite names when one refuses a
/// write. PostgreSQL reports the index's name; SQLite only its columns.
const UNIQUE_INDEXES: &[(&str, &str)] = &[
    (
        "pioneer_run.committee_id, pioneer_run.half",
        "ux_pioneer_run_committee_half",
    ),
    (
        "pioneer_rule_set.committee_id, pioneer_rule_set.version",
        "ux_pioneer_rule_set_committee_version",
    ),
    ("org.path", "ux_org_path"),
    ("org.parent_id, org.name", "ux_org_parent_name"),
    ("member.phone", "ux_member_phone"),
    (
        "role_grant.member_id, role_grant.kind, role_grant.org_id",
        "ux_role_grant_member_kind_org",
    ),
    ("refresh_token.token_hash", "ux_refresh_token_hash"),
    (
        "check_in.activity_id, check_in.member_id",
        "ux_check_in_activity_member",
    ),
    (
        "volunteer_hours.activity_id, volunteer_hours.member_id",
        "ux_volunteer_hours_activity_member",
    ),
    (
        "external_identity.provider, external_identity.member_id",
        "ux_external_identity_provider_member",
    ),
    (
        "push_delivery.message_id, push_delivery.member_id",
        "ux_push_delivery_message_member",
    ),
    (
        "study_plan.owner, study_plan.year",
        "ux_study_plan_owner_year",
    ),
    (
        "appraisal_participant.campaign_id, appraisal_participant.member_id",
        "ux_appraisal_participant",
    ),
    (
        "self_assessment.campaign_id, self_assessment.member_id",
        "ux_self_assessment",
    ),
    (
        "peer_ballot.campaign_id, peer_ballot.reviewee_id, peer_ballot.reviewer_tag",
        "ux_peer_ballot",
    ),
    (
        "peer_voter.campaign_id, peer_voter.reviewer_id",
        "ux_peer_voter",
    ),
    (
        "volunteer_team.committee_id, volunteer_team.name",
        "ux_volunteer_team_committee_name",
    ),
    ("resident.openid", "ux_resident_openid"),
];

/// SQLite's extended result code for a primary key violation.
const SQLITE_CONSTRAINT_PRIMARYKEY: &str = "1555";

/// The name PostgreSQL gives the constraint a SQLite uniqueness error names by its columns
/// ("UNIQUE constraint failed: member.phone"), so a conflict reads the same on both
/// backends: the index's name, `<table>_pkey` for a primary key, `<table>_<columns>_key`
/// for a column's own UNIQUE.
fn sqlite_constraint(code: Option<&str>, message: &str) -> Option<String> {
    let columns = message.strip_prefix("UNIQUE constraint failed: ")?;
    let (table, _) = columns.split_once('.')?;
    if code == Some(SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Some(format!("{table}_pkey"));
    }
    if let Some((_, name)) = UNIQUE_INDEXES.iter().find(|(cols, _)| *cols == columns) {
        return Some((*name).to_owned());
    }
    let names: Vec<&str> = columns
        .split(", ")
        .map(|c| c.split_once('.').map_or(c, |(_, name)| name))
        .collect();
    Some(format!("{table}_{}_key", names.join("_")))
}

#[cfg(test)]
mod tests {
    use super::{sqlite_constraint, SQLITE_CONSTRAINT_PRIMARYKEY};
    use crate::db::{Db, DbOptions};
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    /// A new unique index needs its entry in `UNIQUE_INDEXES`, or SQLite's conflicts on it
    /// would name it differently from PostgreSQL's.
    #[tokio::test]
    #[expect(clippy::unwrap_used, reason = "a test fails loudly")]
    async fn every_unique_key_of_the_schema_is_named_on_sqlite_as_postgresql_names_it() {
        let options = DbOptions {
            max_connections: 1,
            ..DbOptions::default()
        };
        let db = Db::connect("sqlite::memory:", &options).await.unwrap();
        db.migrate().await.unwrap();
        let query = |sql: &str| {
            let conn = db.connection().clone();
            let sql = sql.to_owned();
            async move {
                conn.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
                    .await
                    .unwrap()
            }
        };
        let keys = query(
            "SELECT m.name AS tbl, l.name AS idx, l.origin AS origin \
             FROM sqlite_master m, pragma_index_list(m.name) l \
             WHERE m.type = 'table' AND l.\"unique\" = 1 AND m.name NOT LIKE 'seaql%'",
        )
        .await;
        assert!(keys.len() > 10, "{} unique keys", keys.len());
        for key in keys {
            let table: String = key.try_get("", "tbl").unwrap();
            let index: String = key.try_get("", "idx").unwrap();
            let origin: String = key.try_get("", "origin").unwrap();
            let columns: Vec<String> = query(&format!(
                "SELECT name FROM pragma_index_info('{index}') ORDER BY seqno"
            ))
            .await
            .iter()
            .map(|c| c.try_get::<String>("", "name").unwrap())
            .collect();
            let expected = match origin.as_str() {
                "pk" => format!("{table}_pkey"),
                "u" => format!("{table}_{}_key", columns.join("_")),
                _ => index.clone(),
            };
            let message = format!(
                "UNIQUE constraint failed: {}",
                columns
                    .iter()
                    .map(|c| format!("{table}.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let code = if origin == "pk" {
                SQLITE_CONSTRAINT_PRIMARYKEY
            } else {
                "2067"
            };
            assert_eq!(
                sqlite_constraint(Some(code), &message),
                Some(expected),
                "{index} on {table}"
            );
        }
    }
}
