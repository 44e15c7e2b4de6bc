//! Operations endpoints: liveness, readiness and metrics (no authentication).

pub mod dto;
pub mod healthz;
pub mod metrics;
pub mod readyz;
