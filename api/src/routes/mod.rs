//! Central route wiring: every endpoint is registered here through utoipa-actix-web, so the
//! OpenAPI document and the route table cannot miss one.

pub mod auth;
pub mod me;
pub mod ops;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz::healthz)
        .service(ops::readyz::readyz)
        .service(ops::metrics::metrics)
        .service(auth::refresh::refresh)
        .service(auth::logout::logout)
        .service(me::get::get_me);
}
