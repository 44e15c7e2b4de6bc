//! Portable migrations: every one runs unchanged on SQLite and PostgreSQL. Files are named
//! `mYYYYMMDD_HHMMSS_<verb>_<table>.rs`; `DeriveMigrationName` takes its name from the file.

use sea_orm_migration::prelude::*;

mod m20261128_000001_create_audit_log;
mod m20261128_000002_create_setting;
mod m20261128_000003_create_org;
mod m20261128_000004_create_member;
mod m20261128_000005_create_role_grant;
mod m20261128_000006_create_refresh_token;
mod m20261128_000007_create_activity;
mod m20261128_000008_create_check_in;
mod m20261128_000009_create_exemption;
mod m20261128_000010_create_holiday_calendar;
mod m20261128_000011_create_external_identity;
mod m20261128_000012_unique_org_name;
mod m20261128_000013_create_material;
mod m20261128_000014_add_study_points;
mod m20261128_000015_create_subscription_consent;
mod m20261128_000016_create_push_outbox;
mod m20261128_000017_create_study_plan;
mod m20261128_000018_add_push_expiry;
mod m20261129_000019_create_session_revocation;
mod m20261129_000020_backfill_session_revocation;
mod m20261130_000021_add_member_probationary;
mod m20261130_000031_create_appraisal;
mod m20261130_000041_create_peer_ballot;
mod m20261130_000051_create_appraisal_rating;
mod m20261130_000061_create_rectification;
mod m20261130_000071_create_service_request;
mod m20261130_000072_add_service_request_extension;
mod m20261130_000081_create_volunteer_team_and_hours;
mod m20261130_000091_create_resident;
mod m20261130_000092_add_refresh_token_principal;
mod m20261201_000101_create_job_lease;
mod m20261202_000111_add_check_out;
mod m20261202_000121_create_service_deadline;
mod m20261202_000131_create_pioneer_rule_set;
mod m20261202_000132_create_pioneer_index;
mod m20261202_000133_create_pioneer_help;
mod m20261202_000134_create_pioneer_objection;
mod m20261202_000141_create_pioneer_claim;
mod m20261202_000142_create_pioneer_fortress;
mod m20261203_000151_index_session_revocation_member;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_audit_log::Migration),
            Box::new(m20261128_000002_create_setting::Migration),
            Box::new(m20261128_000003_create_org::Migration),
            Box::new(m20261128_000004_create_member::Migration),
            Box::new(m20261128_000005_create_role_grant::Migration),
            Box::new(m20261128_000006_create_refresh_token::Migration),
            Box::new(m20261128_000007_create_activity::Migration),
            Box::new(m20261128_000008_create_check_in::Migration),
            Box::new(m20261128_000009_create_exemption::Migration),
            Box::new(m20261128_000010_create_holiday_calendar::Migration),
            Box::new(m20261128_000011_create_external_identity::Migration),
            Box::new(m20261128_000012_unique_org_name::Migration),
            Box::new(m20261128_000013_create_material::Migration),
            Box::new(m20261128_000014_add_study_points::Migration),
            Box::new(m20261128_000015_create_subscription_consent::Migration),
            Box::new(m20261128_000016_create_push_outbox::Migration),
            Box::new(m20261128_000017_create_study_plan::Migration),
            Box::new(m20261128_000018_add_push_expiry::Migration),
            Box::new(m20261129_000019_create_session_revocation::Migration),
            Box::new(m20261129_000020_backfill_session_revocation::Migration),
            Box::new(m20261130_000021_add_member_probationary::Migration),
            Box::new(m20261130_000031_create_appraisal::Migration),
            Box::new(m20261130_000041_create_peer_ballot::Migration),
            Box::new(m20261130_000051_create_appraisal_rating::Migration),
            Box::new(m20261130_000061_create_rectification::Migration),
            Box::new(m20261130_000071_create_service_request::Migration),
            Box::new(m20261130_000072_add_service_request_extension::Migration),
            Box::new(m20261130_000091_create_resident::Migration),
            Box::new(m20261130_000092_add_refresh_token_principal::Migration),
            Box::new(m20261130_000081_create_volunteer_team_and_hours::Migration),
            Box::new(m20261201_000101_create_job_lease::Migration),
            Box::new(m20261202_000111_add_check_out::Migration),
            Box::new(m20261202_000121_create_service_deadline::Migration),
            Box::new(m20261202_000131_create_pioneer_rule_set::Migration),
            Box::new(m20261202_000132_create_pioneer_index::Migration),
            Box::new(m20261202_000133_create_pioneer_help::Migration),
            Box::new(m20261202_000134_create_pioneer_objection::Migration),
            Box::new(m20261202_000141_create_pioneer_claim::Migration),
            Box::new(m20261202_000142_create_pioneer_fortress::Migration),
            Box::new(m20261203_000151_index_session_revocation_member::Migration),
        ]
    }
}
