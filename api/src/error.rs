//! One error type for every endpoint, rendered as RFC 9457 `application/problem+json`.
//!
//! The `code` is stable and decides the status; `title` is for people (Chinese). Internal
//! causes are kept out of the body: the request-observing middleware logs them with the
//! request id and fills `instance` and `requestId` in.

use std::borrow::Cow;

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
    #[schema(example = "resource_not_found")]
    pub code: String,
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
    #[schema(example = "missing_field")]
    pub code: String,
    pub detail: String,
}

impl From<FieldError> for ProblemField {
    fn from(e: FieldError) -> Self {
        Self {
            pointer: e.pointer,
            code: e.code.as_str().to_owned(),
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
    code: Cow<'static, str>,
    title: Cow<'static, str>,
    detail: Option<String>,
    errors: Vec<ProblemField>,
    retry_after: Option<u64>,
    allow: Option<String>,
    /// Further headers (e.g. `RateLimit`), by name.
    headers: Vec<(&'static str, String)>,
    /// The internal cause, logged but never sent.
    cause: Option<String>,
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
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        title: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self(Box::new(Inner {
            status,
            code: code.into(),
            title: title.into(),
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

    pub fn with_cause(mut self, cause: impl std::fmt::Display) -> Self {
        self.0.cause = Some(cause.to_string());
        self
    }

    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    pub fn code(&self) -> &str {
        &self.0.code
    }

    pub fn cause(&self) -> Option<&str> {
        self.0.cause.as_deref()
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "resource_not_found", "资源不存在")
    }

    pub fn route_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "route_not_found", "接口不存在")
    }

    pub fn method_not_allowed(allow: String) -> Self {
        let mut e = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "不支持该请求方法",
        )
        .with_detail(format!("this resource supports: {allow}"));
        e.0.allow = Some(allow);
        e
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_body_too_large",
            "请求内容过大",
        )
        .with_detail(format!("the request body must not exceed {limit} bytes"))
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request_unsupported_media_type",
            "不支持的内容类型",
        )
        .with_detail("send the body as application/json")
    }

    pub fn json_syntax(line: usize, column: usize, message: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "request_json_malformed",
            "请求体不是合法的 JSON",
        )
        .with_detail(format!("{message} (line {line}, column {column})"))
    }

    /// JSON that parsed but does not fit the expected shape.
    pub fn json_shape(errors: Vec<ProblemField>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "request_json_invalid",
            "请求体字段不符合要求",
        )
        .with_errors(errors)
    }

    pub fn query_invalid(errors: Vec<ProblemField>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "request_query_invalid",
            "查询参数不符合要求",
        )
        .with_errors(errors)
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "输入校验未通过",
        )
        .with_errors(errors.into_iter().map(ProblemField::from).collect())
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "请求无效").with_detail(detail)
    }

    pub fn invalid_cursor() -> Self {
        Self::bad_request(
            "pagination_cursor_invalid",
            "the cursor is not one this API issued; start again without it",
        )
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "resource_conflict", "与现有数据冲突").with_detail(detail)
    }

    pub fn unauthorized(code: &'static str, title: &'static str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, title)
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "permission_denied",
            "没有权限执行此操作",
        )
    }

    pub fn database_unavailable(cause: impl std::fmt::Display) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "数据库暂时不可用",
        )
        .with_detail("please retry shortly")
        .with_cause(cause);
        e.0.retry_after = Some(RETRY_AFTER_SECS);
        e
    }

    pub fn cache_unavailable(cause: impl std::fmt::Display) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "cache_unavailable",
            "缓存服务暂时不可用",
        )
        .with_detail("please retry shortly")
        .with_cause(cause);
        e.0.retry_after = Some(RETRY_AFTER_SECS);
        e
    }

    /// Anything unexpected: answered opaquely, the cause only logged.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "服务器内部错误",
        )
        .with_cause(cause)
    }

    /// A fallback for errors raised outside our handlers (framework or middleware), keyed by
    /// the status they chose.
    pub fn from_status(status: StatusCode, message: String) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::route_not_found(),
            StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new(status, "request_body_too_large", "请求内容过大")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::unsupported_media_type(),
            s if s.is_server_error() => Self::internal(message),
            s => Self::new(s, "request_invalid", "请求无效").with_detail(message),
        }
    }

    pub fn to_problem(&self, instance: Option<String>, request_id: Option<String>) -> Problem {
        Problem {
            type_: format!("urn:problem:{}", self.0.code),
            title: self.0.title.to_string(),
            status: self.0.status.as_u16(),
            detail: self.0.detail.clone(),
            instance,
            code: self.0.code.to_string(),
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

/// The title (for people) of each rule that can refuse a well-formed request.
fn refusal_title(code: &str) -> &'static str {
    match code {
        "check_in_window_not_open" => "签到尚未开始",
        "check_in_window_closed" => "签到已结束",
        "check_in_qr_invalid" => "签到二维码无效",
        "check_in_qr_expired" => "签到二维码已过期",
        "check_in_outside_geofence" => "不在签到范围内",
        "check_in_online_not_allowed" => "本次活动不允许线上参加",
        "check_in_not_expected" => "您不在本次活动的参加人员之列",
        "check_in_exempted" => "您已请假获批,无需签到",
        "check_in_activity_cancelled" => "活动已取消",
        "check_in_proof_required" => "请提供签到凭证",
        "activity_qr_not_used" => "本次活动不使用二维码签到",
        "activity_plan_needs_branch" => "活动计划按党支部制定",
        "holidays_need_committee" => "节假日安排由镇党委维护",
        "exemptions_listed_per_branch" => "请假申请按党支部查看",
        _ => "请求被规则拒绝",
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Validation(errors) => Self::validation(errors),
            DomainError::NotFound => Self::not_found(),
            DomainError::Forbidden => Self::forbidden(),
            DomainError::Conflict { code, detail } => {
                Self::new(StatusCode::CONFLICT, code.as_str(), "与现有数据冲突").with_detail(detail)
            }
            DomainError::Refused { code, detail } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                code.as_str(),
                refusal_title(code.as_str()),
            )
            .with_detail(detail),
            DomainError::Repo(r) => r.into(),
            DomainError::Cache(c) => c.into(),
        }
    }
}
