use crate::error::ErrorCode;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::FieldError;

/// A setting's name: 1-64 characters of `a-z`, `0-9`, `.` and `_`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SettingKey(String);

impl SettingKey {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let mut chars = raw.chars();
        let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok =
            chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_');
        if starts_with_letter && rest_ok && raw.len() <= 64 {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new(
                "/key",
                ErrorCode::SettingKeyInvalid,
                "key must start with a-z and use only a-z, 0-9, '.' and '_' (at most 64)",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub key: SettingKey,
    pub value: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<Uuid>,
}

impl Setting {
    pub const MAX_VALUE_CHARS: usize = 4096;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_key_accepts_dotted_lowercase_names_only() {
        assert!(SettingKey::parse("study.points.daily_cap").is_ok());
        assert!(SettingKey::parse("").is_err());
        assert!(SettingKey::parse("9lives").is_err());
        assert!(SettingKey::parse("Study").is_err());
        assert!(SettingKey::parse("a b").is_err());
        assert!(SettingKey::parse(&"a".repeat(65)).is_err());
    }
}
