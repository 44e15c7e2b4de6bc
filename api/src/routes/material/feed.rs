//! Feed invalidation for the write handlers, until the services do it themselves; the key
//! scheme and generations are [`domain::material::feed`]'s.

use crate::state::AppState;
use domain::material::feed;
use domain::org::MemberId;

/// Every cached feed is stale: a material was published, edited or unpublished.
pub async fn bump_feeds(state: &AppState) {
    feed::invalidate_all(state.cache.as_ref()).await;
}

/// This member's cached feeds are stale: their progress changed.
pub async fn bump_member_feed(state: &AppState, member: MemberId) {
    feed::invalidate_member(state.cache.as_ref(), member).await;
}
