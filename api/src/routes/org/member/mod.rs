//! One member and their roles: `/api/v1/members/{id}…`.

pub mod get;
pub mod grant_role;
pub mod invite_code;
pub mod list_roles;
pub mod reset_wechat;
pub mod revoke_role;
pub mod update;
