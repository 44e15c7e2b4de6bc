//! sea-orm entities. They never leave this crate: repositories convert them to domain types.

pub mod activity;
pub mod appraisal_campaign;
pub mod appraisal_participant;
pub mod audit_log;
pub mod ballot_secret;
pub mod check_in;
pub mod exemption;
pub mod external_identity;
pub mod holiday_calendar;
pub mod material;
pub mod member;
pub mod org;
pub mod peer_ballot;
pub mod peer_voter;
pub mod push_delivery;
pub mod push_message;
pub mod refresh_token;
pub mod role_grant;
pub mod self_assessment;
pub mod session_revocation;
pub mod setting;
pub mod study_plan;
pub mod study_record;
pub mod subscription_consent;
