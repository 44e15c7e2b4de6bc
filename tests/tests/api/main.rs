//! Black-box tests of the platform: one binary, one module per concern.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod activities;
mod activity_repo;
mod appraisal_ballot_repo;
mod appraisal_ballots;
mod appraisal_repo;
mod appraisals;
mod audit_repo;
mod auth;
mod auth_repo;
mod cache;
mod contract;
mod demo;
mod docs;
mod errors;
mod hardening;
mod idempotency;
mod material_repo;
mod materials;
mod members;
mod migrations;
mod ops;
mod org_repo;
mod persistence;
mod plans;
mod platform_repo;
mod push;
mod push_repo;
mod repo_support;
mod roster;
mod scope;
mod scope_matrix;
mod township;
mod wechat;
mod xlsx;
