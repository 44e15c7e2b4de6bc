//! The organisation tree and its members: `/api/v1/orgs/{id}…`.

pub mod create_child;
pub mod create_member;
pub mod dto;
pub mod get;
pub mod list_children;
pub mod list_members;
pub mod update;
