//! The steps binding an account shares, whichever way the member is found (phone or invite
//! code): the attempt limits, and spending the ticket on the link and a session.

use actix_web::HttpRequest;
use domain::auth::{link_account, WECHAT_PROVIDER};
use domain::error::DomainError;
use domain::org::{Actor, Member, MemberId};
use domain::uow::Repositories;

use super::ticket::{self, SpentTicket};
use crate::auth::session::{self, TokenPair};
use crate::error::ApiError;
use crate::http::throttle;
use crate::routes::write_context_as;
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
    let linked = link(state, req, ticket.openid(), member_id).await;
    let member = match linked {
        Ok(member) => member,
        Err(e) => {
            ticket::give_back(state, &ticket).await;
            return Err(e.into());
        }
    };
    session::start_session(state, &member).await
}

/// Links `subject` to the member, who acts for themself: they proved who they are (a roster
/// phone, an invite code) and have no session yet.
async fn link(
    state: &AppState,
    req: &HttpRequest,
    subject: &str,
    member_id: MemberId,
) -> Result<Member, DomainError> {
    let member = state
        .repos
        .members()
        .get(member_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let actor = Actor::themself(&member);
    link_account(
        &write_context_as(state, &actor, req),
        WECHAT_PROVIDER,
        subject,
    )
    .await
}
