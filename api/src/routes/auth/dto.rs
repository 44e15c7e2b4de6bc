use serde::Deserialize;
use utoipa::ToSchema;

use crate::extract::Validate;
use domain::error::FieldError;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RefreshRequest {
    /// The refresh token of the current pair; it is spent by this call.
    pub refresh_token: String,
}

impl Validate for RefreshRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        if self.refresh_token.is_empty() || self.refresh_token.len() > 256 {
            return Err(vec![FieldError::new(
                "/refreshToken",
                "refresh_token_invalid",
                "refreshToken must be 1-256 characters",
            )]);
        }
        Ok(())
    }
}

impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshRequest { .. }")
    }
}
