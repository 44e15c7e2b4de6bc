//! The organisation tree: `/api/v1/orgs/{id}…`; one member and their roles in [`member`],
//! the caller's own profile in [`me`].

pub mod create_child;
pub mod create_member;
pub mod dto;
pub mod get;
pub mod list_children;
pub mod list_members;
pub mod list_townships;
pub mod me;
pub mod member;
pub mod update;
