//! Service requests: filing, reading, and every step of their lifecycle.

pub mod approve_text;
pub mod cancel;
pub mod claim;
pub mod complete;
pub mod dispatch;
pub mod dto;
pub mod extension;
pub mod extension_decision;
pub mod file;
pub mod follow_up;
pub mod get;
pub mod list;
pub mod pause;
pub mod rate;
pub mod reject;
pub mod release;
pub mod resume;
pub mod send_back;
pub mod start;
pub mod suggestions;

use actix_web::{HttpMessage, HttpRequest};

use crate::auth::{AuthUser, Caller};
use crate::http::RequestId;
use crate::state::AppState;
use domain::volunteer::service::{RequestContext, Who};

/// The request context of a caller, member or resident.
pub fn caller_context<'a>(
    state: &'a AppState,
    caller: &'a Caller,
    req: &HttpRequest,
) -> RequestContext<'a> {
    RequestContext {
        tx: &state.db,
        repos: &state.repos,
        clock: state.clock.as_ref(),
        who: match caller {
            Caller::Member(m) => Who::Member(&m.actor),
            Caller::Resident(r) => Who::Resident(&r.resident),
        },
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
        push: &state.push.templates,
        content: &*state.content_check,
    }
}

/// The request context of a member's request.
pub fn member_context<'a>(
    state: &'a AppState,
    user: &'a AuthUser,
    req: &HttpRequest,
) -> RequestContext<'a> {
    RequestContext {
        tx: &state.db,
        repos: &state.repos,
        clock: state.clock.as_ref(),
        who: Who::Member(&user.actor),
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
        push: &state.push.templates,
        content: &*state.content_check,
    }
}
