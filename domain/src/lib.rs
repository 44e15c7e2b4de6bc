//! The pure core of 指尖上的课堂: entities, rules and the ports that infrastructure implements.
//!
//! Nothing in this crate performs I/O; CI proves it by checking that no database, cache,
//! web framework or async runtime crate appears in its dependency graph.

pub mod activity;
pub mod appraisal;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod calendar;
pub mod clock;
pub mod context;
pub mod error;
pub mod id;
pub mod material;
pub mod org;
pub mod page;
pub mod pioneer;
pub mod platform;
pub mod push;
mod string_enum;
pub mod text;
pub mod uow;
pub mod volunteer;

pub use error::{DomainError, ErrorCode};
