//! Infrastructure: the database (sea-orm on SQLite or PostgreSQL), migrations, repositories
//! implementing the domain's ports, and the cache adapters.

pub mod cache;
pub mod db;
pub mod entity;
pub mod error;
pub mod migration;
pub mod near;
pub mod repo;
pub mod retry;
pub mod wechat;

pub use db::{Backend, Db, DbOptions};
