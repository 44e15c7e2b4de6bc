//! Service requests: filing, reading, and every step of their lifecycle.

pub mod approve_text;
pub mod cancel;
pub mod claim;
pub mod complete;
pub mod dispatch;
pub mod dto;
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

use actix_web::{HttpMessage, HttpRequest};

use crate::auth::AuthUser;
use crate::http::RequestId;
use crate::state::AppState;
use domain::error::DomainError;
use domain::volunteer::service::{RequestContext, Who};
use domain::volunteer::{ContentCheck, ContentScene, ContentVerdict};

/// Until WeChat's content check is configured, residents' text waits for an operator.
struct HoldForReview;

#[async_trait::async_trait]
impl ContentCheck for HoldForReview {
    async fn check(
        &self,
        _openid: &str,
        _text: &str,
        _scene: ContentScene,
    ) -> Result<ContentVerdict, DomainError> {
        Ok(ContentVerdict::Review)
    }
}

static HOLD_FOR_REVIEW: HoldForReview = HoldForReview;

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
        content: &HOLD_FOR_REVIEW,
    }
}
