//! The caller's own profile.

pub mod dto;
pub mod get;
pub mod subscriptions;
pub mod unbind_wechat;
