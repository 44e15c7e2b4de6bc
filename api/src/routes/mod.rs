//! Central route wiring: every endpoint is registered here through utoipa-actix-web, so the
//! OpenAPI document and the route table cannot miss one.

pub mod activities;
pub mod audit;
pub mod auth;
pub mod materials;
pub mod me;
pub mod members;
pub mod ops;
pub mod orgs;
pub mod plans;

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
        .service(me::get::get_me)
        .service(me::unbind_wechat::unbind_my_wechat)
        .service(me::subscriptions::add_consent)
        .service(me::subscriptions::list_subscriptions)
        .service(orgs::get::get_org)
        .service(orgs::update::update_org)
        .service(orgs::list_children::list_children)
        .service(orgs::create_child::create_child)
        .service(orgs::list_members::list_members)
        .service(orgs::create_member::create_member)
        .service(members::get::get_member)
        .service(members::update::update_member)
        .service(members::list_roles::list_roles)
        .service(members::grant_role::grant_role)
        .service(members::revoke_role::revoke_role)
        .service(members::invite_code::issue_invite_code)
        .service(members::reset_wechat::reset_member_wechat)
        .service(audit::list::list)
        .service(activities::manage::create_activity)
        .service(activities::manage::list_activities)
        .service(activities::manage::get_activity)
        .service(activities::manage::update_activity)
        .service(activities::manage::activity_plan)
        .service(activities::manage::qr_token)
        .service(activities::holidays::get_holidays)
        .service(activities::holidays::put_holidays)
        .service(activities::check_in::check_in)
        .service(activities::review::list_check_ins)
        .service(activities::review::review_check_in)
        .service(activities::review::review_check_ins)
        .service(activities::review::inbox)
        .service(activities::exemptions::apply_exemption)
        .service(activities::exemptions::list_exemptions)
        .service(activities::exemptions::review_exemption)
        .service(activities::attendance::attendance)
        .service(activities::reports::compliance)
        .service(materials::manage::publish_material)
        .service(materials::feed::list_materials)
        .service(materials::feed::get_material)
        .service(materials::manage::update_material)
        .service(materials::manage::unpublish_material)
        .service(materials::progress::put_progress)
        .service(materials::report::study_report)
        .service(plans::branch::list_branch_plans)
        .service(plans::branch::get_branch_plan)
        .service(plans::branch::put_branch_plan)
        .service(plans::me::get_my_plan)
        .service(plans::me::put_my_plan)
        .service(plans::me::list_my_tasks);
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
