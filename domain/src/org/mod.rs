//! The organisation tree, its members and their scoped roles, and the who-may-do-what
//! policy every other context asks (domain.md, "Organisation and access").

mod model;
pub mod names;
mod phone;
pub mod policy;
mod ports;
pub mod roster;
pub mod service;
pub mod township;

pub use model::{
    Member, MemberCategory, MemberId, MemberStatus, Org, OrgId, OrgKind, OrgPath, OrgSector,
    RoleGrant, RoleGrantId, RoleKind,
};
pub use phone::PhoneNumber;
pub use policy::{Action, Actor, ActorRole};
pub use ports::{MemberQuery, MemberRepo, MemberVisibility, OrgRepo, RoleRepo};
