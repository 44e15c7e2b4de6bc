//! The audit log: who changed what, where and when. Every change writes its audit entry in
//! the same unit of work as the change itself.

mod model;
mod ports;
mod service;

pub use model::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
pub use ports::AuditRepo;
pub use service::list_audit;
