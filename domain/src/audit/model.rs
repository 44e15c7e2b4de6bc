use crate::error::ErrorCode;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::FieldError;

crate::define_id!(
    /// Identifies one audit entry.
    AuditId
);

/// A dotted, lower-case action name such as `platform.setting.set`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAction(String);

impl AuditAction {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new(
                "/action",
                ErrorCode::AuditActionInvalid,
                "action must be 1-64 characters of a-z, 0-9, '.' and '_'",
            ))
        }
    }

    /// An action named in code (not from input): checked in debug builds and tests.
    pub fn known(name: &'static str) -> Self {
        debug_assert!(Self::parse(name).is_ok(), "invalid audit action {name}");
        Self(name.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a change records about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// The member who acted; `None` for the system itself (command line, workers).
    pub actor: Option<Uuid>,
    pub action: AuditAction,
    pub object_type: String,
    pub object_id: String,
    /// The org the change belongs to, with its materialised path for subtree queries.
    pub org_id: Option<Uuid>,
    pub org_path: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: AuditId,
    pub actor: Option<Uuid>,
    pub action: AuditAction,
    pub object_type: String,
    pub object_id: String,
    pub org_id: Option<Uuid>,
    pub org_path: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub request_id: Option<String>,
}

impl AuditEntry {
    pub fn record(id: AuditId, entry: NewAuditEntry, at: DateTime<Utc>) -> Self {
        Self {
            id,
            actor: entry.actor,
            action: entry.action,
            object_type: entry.object_type,
            object_id: entry.object_id,
            org_id: entry.org_id,
            org_path: entry.org_path,
            occurred_at: at,
            request_id: entry.request_id,
        }
    }
}
