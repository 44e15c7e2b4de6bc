//! Operations endpoints: liveness and readiness (no authentication). Metrics are served
//! on their own listener (`crate::http::metrics`), not with the API.

pub mod dto;
pub mod healthz;
pub mod readyz;
