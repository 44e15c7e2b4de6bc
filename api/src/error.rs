//! One error type for every endpoint, rendered as RFC 9457 `application/problem+json`.
//!
//! The `code` is stable and decides the status; `title` is for people (Chinese). Internal
//! causes are kept out of the body: the request-observing middleware logs them with the
//! request id and fills `instance` and `requestId` in.

use domain::error::ErrorCode;
use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use domain::cache::CacheError;
use domain::error::{DomainError, FieldError, RepoError};

pub const PROBLEM_JSON: &str = "application/problem+json";
/// Seconds a client should wait before retrying when a dependency is down.
pub const RETRY_AFTER_SECS: u64 = 5;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// A URI identifying the problem type (`urn:problem:<code>`).
    #[schema(example = "urn:problem:resource_not_found")]
    #[serde(rename = "type")]
    pub type_: String,
    /// A short, human-readable summary (Chinese).
    #[schema(example = "资源不存在")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 404)]
    pub status: u16,
    /// What went wrong in this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path this problem occurred on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "/api/v1/orgs/0192f5a4-0000-7000-8000-000000000000")]
    pub instance: Option<String>,
    /// Stable machine-readable code; branch on this, not on `title`.
    #[schema(value_type = ErrorCodeSchema)]
    pub code: ErrorCode,
    /// The request id, also sent as the `X-Request-Id` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Field-level problems of a request that failed validation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// One invalid field, addressed by a JSON Pointer (RFC 6901).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemField {
    /// JSON Pointer into the request body (or `/name` for a query parameter).
    #[schema(example = "/title")]
    pub pointer: String,
    #[schema(value_type = ErrorCodeSchema)]
    pub code: ErrorCode,
    pub detail: String,
}

/// The catalogue of error codes as an enum schema (`ErrorCode` in the document), so a
/// generated client gets a union of the codes.
pub struct ErrorCodeSchema;

impl utoipa::PartialSchema for ErrorCodeSchema {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
        utoipa::openapi::RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(
                    "Every error code a client can receive (grouped by context in \
                     `domain/src/error/code.rs`); new codes may be added, none is renamed.",
                ))
                .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
                .examples([ErrorCode::ResourceNotFound.as_str()])
                .build(),
        ))
    }
}

impl ToSchema for ErrorCodeSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "ErrorCode".into()
    }
}

impl From<FieldError> for ProblemField {
    fn from(e: FieldError) -> Self {
        Self {
            pointer: e.pointer,
            code: e.code,
            detail: e.detail,
        }
    }
}

/// An error answered as a problem document. Boxed: it travels in every handler's `Result`.
#[derive(Debug, Clone)]
pub struct ApiError(Box<Inner>);

#[derive(Debug, Clone)]
struct Inner {
    status: StatusCode,
    code: ErrorCode,
    detail: Option<String>,
    errors: Vec<ProblemField>,
    retry_after: Option<u64>,
    allow: Option<String>,
    /// Further headers (e.g. `RateLimit`), by name.
    headers: Vec<(&'static str, String)>,
    /// The internal cause with its chain of sources, logged but never sent.
    cause: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0.status.as_u16(), self.0.code)?;
        if let Some(cause) = &self.0.cause {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// The problem `code` names, answered with the code's status and title.
    pub fn new(code: ErrorCode) -> Self {
        Self(Box::new(Inner {
            status: StatusCode::from_u16(code.status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            detail: None,
            errors: Vec::new(),
            retry_after: None,
            allow: None,
            headers: Vec::new(),
            cause: None,
        }))
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.0.detail = Some(detail.into());
        self
    }

    pub fn with_errors(mut self, errors: Vec<ProblemField>) -> Self {
        self.0.errors = errors;
        self
    }

    /// Adds `Retry-After` (seconds) to the answer.
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.0.retry_after = Some(secs);
        self
    }

    /// Adds a header to the answer (`name` in lower case).
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.0.headers.push((name, value.into()));
        self
    }

    /// Answers with `status` instead of the code's own (a framework error's status).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.0.status = status;
        self
    }

    /// Keeps the internal cause, with the chain of its sources, for the log.
    pub fn with_cause(
        mut self,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.0.cause = Some(Arc::from(cause.into()));
        self
    }

    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// The cause and each of its sources, one per line (`Caused by:`), for the log line of a
    /// failure; never sent to the client.
    pub fn cause_chain(&self) -> Option<String> {
        let cause = self.0.cause.as_deref()?;
        let mut out = cause.to_string();
        let mut shown = out.clone();
        let mut source = cause.source();
        while let Some(e) = source {
            let text = e.to_string();
            // Wrappers that print their source inline need not be told twice.
            if !shown.ends_with(&text) {
                out.push_str("\nCaused by:\n\t");
                out.push_str(&text);
            }
            shown = text;
            source = e.source();
        }
        Some(out)
    }

    pub fn not_found() -> Self {
        Self::new(ErrorCode::ResourceNotFound)
    }

    pub fn route_not_found() -> Self {
        Self::new(ErrorCode::RouteNotFound)
    }

    pub fn method_not_allowed(allow: String) -> Self {
        let mut e = Self::new(ErrorCode::MethodNotAllowed)
            .with_detail(format!("this resource supports: {allow}"));
        e.0.allow = Some(allow);
        e
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(ErrorCode::RequestBodyTooLarge)
            .with_detail(format!("the request body must not exceed {limit} bytes"))
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(ErrorCode::RequestUnsupportedMediaType)
            .with_detail("send the body as application/json")
    }

    pub fn json_syntax(line: usize, column: usize, message: &str) -> Self {
        Self::new(ErrorCode::RequestJsonMalformed)
            .with_detail(format!("{message} (line {line}, column {column})"))
    }

    /// JSON that parsed but does not fit the expected shape.
    pub fn json_shape(errors: Vec<ProblemField>) -> Self {
        Self::new(ErrorCode::RequestJsonInvalid).with_errors(errors)
    }

    pub fn query_invalid(errors: Vec<ProblemField>) -> Self {
        Self::new(ErrorCode::RequestQueryInvalid).with_errors(errors)
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self::new(ErrorCode::ValidationFailed)
            .with_errors(errors.into_iter().map(ProblemField::from).collect())
    }

    pub fn bad_request(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(code).with_detail(detail)
    }

    pub fn invalid_cursor() -> Self {
        Self::bad_request(
            ErrorCode::PaginationCursorInvalid,
            "the cursor is not one this API issued; start again without it",
        )
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::ResourceConflict).with_detail(detail)
    }

    pub fn unauthorized(code: ErrorCode) -> Self {
        Self::new(code)
    }

    pub fn forbidden() -> Self {
        Self::new(ErrorCode::PermissionDenied)
    }

    pub fn database_unavailable(
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        let mut e = Self::new(ErrorCode::DatabaseUnavailable)
            .with_detail("please retry shortly")
            .with_cause(cause);
        e.0.retry_after = Some(RETRY_AFTER_SECS);
        e
    }

    pub fn cache_unavailable(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        let mut e = Self::new(ErrorCode::CacheUnavailable)
            .with_detail("please retry shortly")
            .with_cause(cause);
        e.0.retry_after = Some(RETRY_AFTER_SECS);
        e
    }

    /// Anything unexpected: answered opaquely, the cause only logged.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::new(ErrorCode::InternalError).with_cause(cause)
    }

    /// A fallback for errors raised outside our handlers (framework or middleware), keyed by
    /// the status they chose.
    pub fn from_status(status: StatusCode, message: String) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::route_not_found(),
            StatusCode::PAYLOAD_TOO_LARGE => Self::new(ErrorCode::RequestBodyTooLarge),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::unsupported_media_type(),
            s if s.is_server_error() => Self::internal(message),
            s => Self::new(ErrorCode::RequestInvalid)
                .with_status(s)
                .with_detail(message),
        }
    }

    pub fn to_problem(&self, instance: Option<String>, request_id: Option<String>) -> Problem {
        Problem {
            type_: format!("urn:problem:{}", self.0.code),
            title: self.0.code.title().to_owned(),
            status: self.0.status.as_u16(),
            detail: self.0.detail.clone(),
            instance,
            code: self.0.code,
            request_id,
            errors: self.0.errors.clone(),
        }
    }

    pub fn render(&self, instance: Option<String>, request_id: Option<String>) -> HttpResponse {
        let mut res = HttpResponse::build(self.0.status);
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if let Some(secs) = self.0.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.0.status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Some(allow) = &self.0.allow {
            res.insert_header((header::ALLOW, allow.clone()));
        }
        for (name, value) in &self.0.headers {
            res.insert_header((*name, value.clone()));
        }
        let body =
            serde_json::to_vec(&self.to_problem(instance, request_id)).unwrap_or_else(|_| {
                br#"{"type":"about:blank","title":"error","status":500,"code":"internal_error"}"#
                    .to_vec()
            });
        res.body(body)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        self.render(None, None)
    }
}

impl From<RepoError> for ApiError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::not_found(),
            RepoError::InvalidCursor => Self::invalid_cursor(),
            RepoError::Conflict { constraint } => {
                Self::conflict("the change conflicts with existing data").with_cause(constraint)
            }
            RepoError::Unavailable(cause) => Self::database_unavailable(cause),
            RepoError::Other(cause) => Self::internal(cause),
        }
    }
}

impl From<CacheError> for ApiError {
    fn from(e: CacheError) -> Self {
        match e {
            CacheError::Unavailable(cause) => Self::cache_unavailable(cause),
            CacheError::Failed(cause) => Self::internal(cause),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Validation(errors) => Self::validation(errors),
            DomainError::NotFound => Self::not_found(),
            DomainError::Forbidden => Self::forbidden(),
            DomainError::Conflict { code, detail } | DomainError::Refused { code, detail } => {
                Self::new(code).with_detail(detail)
            }
            DomainError::Repo(r) => r.into(),
            DomainError::Cache(c) => c.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("reading the row failed")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn a_failure_logs_its_cause_with_every_source_and_answers_none_of_it() {
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "connection reset");
        let e = ApiError::internal(Outer(io));
        assert_eq!(
            e.cause_chain().as_deref(),
            Some("reading the row failed\nCaused by:\n\tconnection reset")
        );
        let problem = e.to_problem(None, None);
        let body = serde_json::to_string(&problem).unwrap_or_default();
        assert!(
            !body.contains("connection reset") && !body.contains("reading"),
            "{body}"
        );
        assert_eq!(problem.code, ErrorCode::InternalError);
        assert_eq!(problem.title, "服务器内部错误");
    }

    #[test]
    fn a_storage_error_keeps_the_driver_error_as_its_source() {
        let io = std::io::Error::other("disk I/O error");
        let e = ApiError::from(RepoError::Other(Box::new(io)));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.cause_chain().as_deref(), Some("disk I/O error"));
    }
}
