//! The caller's own profile and subscribe-message consents.

pub mod add_consent;
pub mod dto;
pub mod get;
pub mod list_subscriptions;
pub mod unbind_wechat;
