//! The secret peer ballot (党员互评): the caller's reviewees, casting a ballot, and the
//! secretary's aggregates.

pub mod cast;
pub mod dto;
pub mod results;
pub mod todo;

use crate::error::ApiError;

/// 32 bytes of the operating system's randomness: a campaign's ballot secret, or the seed
/// that orders comments. The domain never draws randomness itself.
pub(crate) fn random_bytes() -> Result<[u8; 32], ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(bytes)
}
