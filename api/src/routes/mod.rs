//! Central route wiring: every endpoint is registered here through utoipa-actix-web, so the
//! OpenAPI document and the route table cannot miss one.

pub mod activity;
pub mod appraisal;
pub mod audit;
pub mod auth;
pub mod material;
pub mod ops;
pub mod org;
pub mod pioneer;
pub mod volunteer;

use actix_web::{HttpMessage, HttpRequest};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::http::RequestId;
use crate::state::AppState;
use domain::context::{ReadContext, WriteContext};
use domain::org::Actor;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz::healthz)
        .service(ops::readyz::readyz)
        .service(auth::wechat_login::wechat_login)
        .service(auth::bind_invite::bind_invite)
        .service(auth::bind_phone::bind_phone)
        .service(auth::wechat_resident::wechat_resident_sign_in)
        .service(auth::refresh::refresh)
        .service(auth::logout::logout)
        .service(org::me::get::get_me)
        .service(org::me::unbind_wechat::unbind_my_wechat)
        .service(org::me::add_consent::add_consent)
        .service(org::me::list_subscriptions::list_subscriptions)
        .service(org::list_townships::list_townships)
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
        .service(activity::create::create_activity)
        .service(activity::list::list_activities)
        .service(activity::get::get_activity)
        .service(activity::update::update_activity)
        .service(activity::plan::activity_plan)
        .service(activity::qr_token::qr_token)
        .service(activity::holiday::get::get_holidays)
        .service(activity::holiday::put::put_holidays)
        .service(pioneer::rules::get_pioneer_rules)
        .service(pioneer::rules::put_pioneer_rules)
        .service(pioneer::index::compute_pioneer_index)
        .service(pioneer::index::get_pioneer_index)
        .service(pioneer::index::list_pioneer_results)
        .service(pioneer::index::confirm_pioneer_index)
        .service(pioneer::index::get_my_pioneer_index)
        .service(pioneer::fortress::get_fortress_index)
        .service(pioneer::objections::object_to_my_pioneer_index)
        .service(pioneer::objections::list_pioneer_result_objections)
        .service(pioneer::objections::answer_pioneer_result_objection)
        .service(pioneer::help::get_help_branch)
        .service(pioneer::help::set_help_branch)
        .service(pioneer::help::move_to_help_branch)
        .service(pioneer::help::list_help_transfers)
        .service(pioneer::help::return_from_help_branch)
        .service(pioneer::claim::file::file_pioneer_claim)
        .service(pioneer::claim::list::list_pioneer_claims)
        .service(pioneer::claim::decide_batch::decide_pioneer_claims)
        .service(pioneer::claim::get::get_pioneer_claim)
        .service(pioneer::claim::decide::decide_pioneer_claim)
        .service(pioneer::deduction::record::record_pioneer_deduction)
        .service(pioneer::deduction::list::list_pioneer_deductions)
        .service(pioneer::deduction::object::object_to_pioneer_deduction)
        .service(pioneer::deduction::answer::answer_pioneer_objection)
        .service(activity::check_in::check_in)
        .service(activity::check_out::check_out)
        .service(activity::review::list::list_check_ins)
        .service(activity::review::decide::review_check_in)
        .service(activity::review::decide_batch::review_check_ins)
        .service(activity::review::inbox::inbox)
        .service(activity::exemption::apply::apply_exemption)
        .service(activity::exemption::list::list_exemptions)
        .service(activity::exemption::decide::review_exemption)
        .service(activity::attendance::attendance)
        .service(activity::compliance::compliance)
        .service(material::publish::publish_material)
        .service(material::list::list_materials)
        .service(material::get::get_material)
        .service(material::update::update_material)
        .service(material::unpublish::unpublish_material)
        .service(material::progress::put_progress)
        .service(material::report::study_report)
        .service(material::plan::list_branch::list_branch_plans)
        .service(material::plan::get_branch::get_branch_plan)
        .service(material::plan::put_branch::put_branch_plan)
        .service(material::plan::get_mine::get_my_plan)
        .service(material::plan::put_mine::put_my_plan)
        .service(material::plan::my_tasks::list_my_tasks)
        .service(appraisal::open::open_appraisal)
        .service(appraisal::list::list_appraisals)
        .service(appraisal::get::get_appraisal)
        .service(appraisal::advance::advance_appraisal)
        .service(appraisal::assessment::mine::get_my_self_assessment)
        .service(appraisal::assessment::save::save_my_self_assessment)
        .service(appraisal::assessment::submit::submit_my_self_assessment)
        .service(appraisal::assessment::progress::list_self_assessments)
        .service(appraisal::assessment::member::get_self_assessment)
        .service(appraisal::assessment::reopen::reopen_self_assessment)
        .service(appraisal::assessment::remind::remind_self_assessments)
        .service(volunteer::request::file::file_service_request)
        .service(volunteer::request::list::list_service_requests)
        .service(volunteer::request::get::get_service_request)
        .service(volunteer::request::dispatch::dispatch_service_request)
        .service(volunteer::request::approve_text::approve_service_request_text)
        .service(volunteer::request::reject::reject_service_request)
        .service(volunteer::request::cancel::cancel_service_request)
        .service(volunteer::request::send_back::return_service_request)
        .service(volunteer::request::claim::claim_service_request)
        .service(volunteer::request::release::release_service_request_claim)
        .service(volunteer::request::start::start_service_request)
        .service(volunteer::request::complete::complete_service_request)
        .service(volunteer::request::rate::rate_service_request)
        .service(volunteer::request::follow_up::follow_up_service_request)
        .service(volunteer::request::pause::pause_service_request)
        .service(volunteer::request::resume::resume_service_request)
        .service(volunteer::request::extension::request_service_extension)
        .service(volunteer::request::extension_decision::decide_service_extension)
        .service(volunteer::request::suggestions::suggest_service_request_dispatch)
        .service(volunteer::deadline::get::get_service_deadlines)
        .service(volunteer::deadline::put::put_service_deadlines)
        .service(appraisal::excuse::excuse_participant)
        .service(appraisal::withdraw_excusal::withdraw_excusal)
        .service(appraisal::rating::rate::rate_member)
        .service(appraisal::rating::list::list_ratings)
        .service(appraisal::rating::export::export_appraisal)
        .service(appraisal::rating::registers::export_registers)
        .service(appraisal::rating::mine::get_my_result)
        .service(appraisal::rating::published::get_branch_results)
        .service(appraisal::rating::lodge_objection::lodge_objection)
        .service(appraisal::rating::lodge_appeal::lodge_appeal)
        .service(appraisal::rating::answer_objection::answer_objection)
        .service(appraisal::rating::answer_appeal::answer_appeal)
        .service(appraisal::rectification::mine::list_my_rectifications)
        .service(appraisal::rectification::summary::summarise_rectifications)
        .service(appraisal::rectification::mark::mark_rectification)
        .service(appraisal::rectification::add::add_rectification)
        .service(appraisal::rectification::list::list_rectifications)
        .service(appraisal::peer::todo::get_my_peer_reviews)
        .service(appraisal::peer::results::get_peer_review_results)
        .service(appraisal::peer::cast::cast_peer_ballot)
        .service(volunteer::team::create::create_volunteer_team)
        .service(volunteer::team::list::list_volunteer_teams)
        .service(volunteer::team::get::get_volunteer_team)
        .service(volunteer::team::update::update_volunteer_team)
        .service(volunteer::team::join::request_to_join_volunteer_team)
        .service(volunteer::team::decide::decide_volunteer_team_join)
        .service(volunteer::team::remove::remove_volunteer_team_member)
        .service(volunteer::hours::record::record_my_volunteer_hours)
        .service(volunteer::hours::mine::list_my_volunteer_hours)
        .service(volunteer::hours::mine_certificate::get_my_volunteer_certificate)
        .service(volunteer::hours::member::list_member_volunteer_hours)
        .service(volunteer::hours::member_certificate::get_member_volunteer_certificate)
        .service(volunteer::hours::decide::decide_volunteer_hours)
        .service(volunteer::hours::correct::correct_volunteer_hours)
        .service(volunteer::report::volunteer_report);
}

/// The read context of an authenticated request.
pub fn read_context<'a>(state: &'a AppState, user: &'a AuthUser) -> ReadContext<'a> {
    ReadContext {
        repos: &state.repos,
        clock: state.clock.as_ref(),
        actor: &user.actor,
        cache: state.cache.as_ref(),
    }
}

/// The write context of an authenticated request.
pub fn write_context<'a>(
    state: &'a AppState,
    user: &'a AuthUser,
    req: &HttpRequest,
) -> WriteContext<'a> {
    write_context_as(state, &user.actor, req)
}

/// The write context of a request acting as `actor` (a member binding their own account
/// before any session of theirs exists).
pub fn write_context_as<'a>(
    state: &'a AppState,
    actor: &'a Actor,
    req: &HttpRequest,
) -> WriteContext<'a> {
    WriteContext {
        tx: &state.db,
        repos: &state.repos,
        clock: state.clock.as_ref(),
        actor,
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
        push: &state.push.templates,
        cache: state.cache.as_ref(),
    }
}
