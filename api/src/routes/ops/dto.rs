use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Up,
    Down,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DependencyCheck {
    pub status: CheckStatus,
    /// Which backend is in use: `sqlite` or `postgres`; `memory` or `redis`.
    #[schema(example = "sqlite")]
    pub backend: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessChecks {
    pub database: DependencyCheck,
    pub cache: DependencyCheck,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` when every dependency is up, `unavailable` otherwise.
    #[schema(example = "ready")]
    pub status: &'static str,
    pub checks: ReadinessChecks,
}
