//! Central route wiring: every endpoint is registered here through utoipa-actix-web, so the
//! OpenAPI document and the route table cannot miss one.

pub mod activity;
pub mod audit;
pub mod auth;
pub mod material;
pub mod ops;
pub mod org;

use actix_web::{HttpMessage, HttpRequest};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::http::RequestId;
use crate::state::AppState;
use domain::context::ServiceContext;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz::healthz)
        .service(ops::readyz::readyz)
        .service(auth::wechat_login::wechat_login)
        .service(auth::wechat_bind::bind_invite)
        .service(auth::wechat_bind::bind_phone)
        .service(auth::refresh::refresh)
        .service(auth::logout::logout)
        .service(org::me::get::get_me)
        .service(org::me::unbind_wechat::unbind_my_wechat)
        .service(org::me::subscriptions::add_consent)
        .service(org::me::subscriptions::list_subscriptions)
        .service(org::get::get_org)
        .service(org::update::update_org)
        .service(org::list_children::list_children)
        .service(org::create_child::create_child)
        .service(org::list_members::list_members)
        .service(org::create_member::create_member)
        .service(org::member::get::get_member)
        .service(org::member::update::update_member)
        .service(org::member::list_roles::list_roles)
        .service(org::member::grant_role::grant_role)
        .service(org::member::revoke_role::revoke_role)
        .service(org::member::invite_code::issue_invite_code)
        .service(org::member::reset_wechat::reset_member_wechat)
        .service(audit::list::list)
        .service(activity::manage::create_activity)
        .service(activity::manage::list_activities)
        .service(activity::manage::get_activity)
        .service(activity::manage::update_activity)
        .service(activity::manage::activity_plan)
        .service(activity::manage::qr_token)
        .service(activity::holidays::get_holidays)
        .service(activity::holidays::put_holidays)
        .service(activity::check_in::check_in)
        .service(activity::review::list_check_ins)
        .service(activity::review::review_check_in)
        .service(activity::review::review_check_ins)
        .service(activity::review::inbox)
        .service(activity::exemptions::apply_exemption)
        .service(activity::exemptions::list_exemptions)
        .service(activity::exemptions::review_exemption)
        .service(activity::attendance::attendance)
        .service(activity::reports::compliance)
        .service(material::manage::publish_material)
        .service(material::feed::list_materials)
        .service(material::feed::get_material)
        .service(material::manage::update_material)
        .service(material::manage::unpublish_material)
        .service(material::progress::put_progress)
        .service(material::report::study_report)
        .service(material::plan::branch::list_branch_plans)
        .service(material::plan::branch::get_branch_plan)
        .service(material::plan::branch::put_branch_plan)
        .service(material::plan::me::get_my_plan)
        .service(material::plan::me::put_my_plan)
        .service(material::plan::me::list_my_tasks);
}

/// The service context of an authenticated request.
pub fn service_context<'a>(
    state: &'a AppState,
    user: &'a AuthUser,
    req: &HttpRequest,
) -> ServiceContext<'a> {
    ServiceContext {
        tx: &state.db,
        clock: state.clock.as_ref(),
        actor: &user.actor,
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
        push: &state.push.templates,
    }
}
