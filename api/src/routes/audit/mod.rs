//! The audit log, for township admins.

pub mod list;
