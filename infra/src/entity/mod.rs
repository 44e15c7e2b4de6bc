//! sea-orm entities. They never leave this crate: repositories convert them to domain types.

pub mod audit_log;
pub mod member;
pub mod org;
pub mod refresh_token;
pub mod role_grant;
pub mod setting;
