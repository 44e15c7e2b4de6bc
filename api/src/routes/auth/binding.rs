//! The steps binding an account shares, whichever way the member is found (phone or invite
//! code): the attempt limits, and spending the ticket on the link and a session.

use actix_web::{HttpMessage, HttpRequest};
use domain::auth::{link_account, WECHAT_PROVIDER};
use domain::org::MemberId;

use super::ticket::{self, SpentTicket};
use crate::auth::session::{self, TokenPair};
use crate::error::ApiError;
use crate::http::{throttle, RequestId};
use crate::state::AppState;

/// Counts a binding attempt against the ticket and the client's address (429 past either
/// limit).
pub async fn limit_attempts(
    state: &AppState,
    req: &HttpRequest,
    ticket: &str,
) -> Result<(), ApiError> {
    throttle::check(state, throttle::BIND_PER_TICKET, ticket).await?;
    throttle::check_ip(state, throttle::BIND_PER_IP, req).await
}

/// Links the WeChat account behind the spent `ticket` to `member_id` (with its audit entry)
/// and starts the member's session. When nothing was bound the ticket is given back, so the
/// member can try again or bind another way.
pub async fn bind_and_sign_in(
    state: &AppState,
    req: &HttpRequest,
    ticket: SpentTicket,
    member_id: MemberId,
) -> Result<TokenPair, ApiError> {
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let linked = link_account(
        &state.db,
        WECHAT_PROVIDER,
        ticket.openid(),
        member_id,
        state.clock.now(),
        request_id,
    )
    .await;
    let member = match linked {
        Ok(member) => member,
        Err(e) => {
            ticket::give_back(state, &ticket).await;
            return Err(e.into());
        }
    };
    session::start_session(state, &member).await
}
