use domain::error::ErrorCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::extract::Validate;
use domain::error::FieldError;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RefreshRequest {
    /// The refresh token of the current pair; it is spent by this call.
    #[schema(min_length = 1, max_length = 256, pattern = "visible-ascii")]
    pub refresh_token: String,
}

impl Validate for RefreshRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        if !crate::http::schema::visible_ascii(&self.refresh_token, 256) {
            return Err(vec![FieldError::new(
                "/refreshToken",
                ErrorCode::RefreshTokenInvalid,
                "refreshToken must be 1-256 visible ASCII characters",
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
