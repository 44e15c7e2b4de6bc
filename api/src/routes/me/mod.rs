//! The caller's own profile.

pub mod dto;
pub mod get;
pub mod unbind_wechat;
