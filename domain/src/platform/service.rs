use crate::error::ErrorCode;
use uuid::Uuid;

use super::model::{Setting, SettingKey};
use crate::audit::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
use crate::clock::Clock;
use crate::error::{DomainError, FieldError};
use crate::uow::Transactional;

/// A request to change one setting.
#[derive(Debug, Clone)]
pub struct SetSetting {
    pub key: String,
    pub value: String,
    pub actor: Option<Uuid>,
    pub request_id: Option<String>,
    /// The audit entry's id; callers normally leave it `None` for a fresh one.
    pub audit_id: Option<AuditId>,
}

/// Changes a setting and records who did it, atomically: either both the new value and its
/// audit entry are stored, or neither is.
pub async fn set_setting(
    tx: &dyn Transactional,
    clock: &dyn Clock,
    cmd: SetSetting,
) -> Result<Setting, DomainError> {
    let key = SettingKey::parse(&cmd.key).map_err(|e| DomainError::Validation(vec![e]))?;
    if cmd.value.chars().count() > Setting::MAX_VALUE_CHARS {
        return Err(DomainError::Validation(vec![FieldError::new(
            "/value",
            ErrorCode::SettingValueTooLong,
            format!(
                "value must be at most {} characters",
                Setting::MAX_VALUE_CHARS
            ),
        )]));
    }
    let action =
        AuditAction::parse("platform.setting.set").map_err(|e| DomainError::Validation(vec![e]))?;
    let now = clock.now();
    let setting = Setting {
        key,
        value: cmd.value,
        updated_at: now,
        updated_by: cmd.actor,
    };
    let entry = AuditEntry::record(
        cmd.audit_id.unwrap_or_else(|| AuditId::at(now)),
        NewAuditEntry {
            actor: cmd.actor,
            action,
            object_type: "setting".to_owned(),
            object_id: setting.key.as_str().to_owned(),
            org_id: None,
            org_path: None,
            request_id: cmd.request_id,
        },
        now,
    );

    let uow = tx.begin().await?;
    uow.settings().put(&setting).await?;
    uow.audit().append(&entry).await?;
    uow.commit().await?;
    Ok(setting)
}
