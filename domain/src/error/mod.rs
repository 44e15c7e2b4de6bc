//! Errors every context shares. Each carries a stable, snake_case [`ErrorCode`] that clients
//! may branch on; the API layer decides the HTTP status from the code.

mod code;

pub use code::ErrorCode;

/// One invalid field of an input, addressed by a JSON Pointer (RFC 6901).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub pointer: String,
    pub code: ErrorCode,
    pub detail: String,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            code,
            detail: detail.into(),
        }
    }
}

/// An error from below (a driver's, a parser's), kept whole so its chain of sources reaches
/// the log of a failure.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Failures of the ports that reach storage. Adapters map their driver errors onto these.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("not found")]
    NotFound,
    /// The page cursor does not name a position in this list.
    #[error("invalid page cursor")]
    InvalidCursor,
    /// A uniqueness or other integrity constraint refused the write.
    #[error("conflict on constraint {constraint}")]
    Conflict { constraint: String },
    /// The store could not be reached (connection refused, pool closed or exhausted).
    #[error("storage unavailable: {0}")]
    Unavailable(#[source] BoxError),
    #[error("storage error: {0}")]
    Other(#[source] BoxError),
}

/// What a domain service can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// The change collides with existing data; `code` says how (e.g. `member_phone_taken`).
    #[error("conflict {code}: {detail}")]
    Conflict { code: ErrorCode, detail: String },
    /// A well-formed request the rules refuse (a check-in outside its window, a wrong QR
    /// code); `code` says which rule.
    #[error("refused {code}: {detail}")]
    Refused { code: ErrorCode, detail: String },
    #[error(transparent)]
    Repo(RepoError),
    #[error(transparent)]
    Cache(#[from] crate::cache::CacheError),
}

impl DomainError {
    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn refused(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Refused {
            code,
            detail: detail.into(),
        }
    }

    pub fn invalid(pointer: &str, code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(pointer, code, detail)])
    }

    /// The code of a conflict or refusal (a validation failure carries one per field).
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Conflict { code, .. } | Self::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }
}

impl From<RepoError> for DomainError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => DomainError::NotFound,
            other => DomainError::Repo(other),
        }
    }
}
