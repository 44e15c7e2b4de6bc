//! The member's feed cache, shared by [`list`](super::list) and [`get`](super::get).
//!
//! Feed pages are cached per member and query in the shared cache. An entry is current
//! while (a) the feed generation, bumped by every publish, edit and unpublish, (b) the
//! member's own generation, bumped when they open or study something, and (c) the next
//! scheduled publish time (by the injected clock) are what they were when it was filled.
//! The key also names what places the member in audiences (their branch, category and
//! leading-cadre flag, as loaded with the caller on every request), so a transfer or a
//! changed category shows at once, whichever path changed it (API, roster import).
//! A cache that cannot be read or written falls through to the database.

use std::time::Duration;

use actix_web::http::header::ContentType;
use actix_web::HttpResponse;

use crate::state::AppState;
use domain::org::{Member, MemberId};

pub(super) const FEED_GEN: &str = "feed:gen";
/// How long a generation counter lives: far longer than any entry, so a counter that
/// expires and restarts cannot meet an entry filled under its old value.
const GEN_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
pub(super) const ENTRY_TTL: Duration = Duration::from_secs(300);

/// What decides which audiences include `member`, as a short digest for cache keys.
pub(super) fn audience_digest(member: &Member) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!(
        "{}|{}|{}",
        member.branch_path.as_str(),
        member.category.as_str(),
        member.leading_cadre
    ));
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn member_gen_key(member: MemberId) -> String {
    format!("feed:gen:{member}")
}

async fn bump(state: &AppState, key: &str) {
    if let Err(e) = state.cache.increment(key, GEN_TTL).await {
        tracing::warn!(error = %e, "feed generation not bumped; cached feeds may lag until they expire");
    }
}

/// Every cached feed is stale: a material was published, edited or unpublished.
pub async fn bump_feeds(state: &AppState) {
    bump(state, FEED_GEN).await;
}

/// This member's cached feeds are stale: their progress changed.
pub async fn bump_member_feed(state: &AppState, member: MemberId) {
    bump(state, &member_gen_key(member)).await;
}

pub(super) async fn generation(state: &AppState, key: &str) -> Result<i64, ()> {
    match state.cache.get(key).await {
        Ok(v) => Ok(v
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)),
        Err(_) => Err(()),
    }
}

/// A cached entry: the instant (µs) it stops being current, then the response body.
pub(super) fn entry_bytes(until_micros: i64, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + body.len());
    out.extend_from_slice(&until_micros.to_be_bytes());
    out.extend_from_slice(body);
    out
}

pub(super) fn current_body(entry: &[u8], now_micros: i64) -> Option<&[u8]> {
    let (until, body) = entry.split_first_chunk::<8>()?;
    (now_micros < i64::from_be_bytes(*until)).then_some(body)
}

pub(super) fn json_response(body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header(("Cache-Control", "private, no-cache"))
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::{current_body, entry_bytes};

    #[test]
    fn an_entry_is_current_until_its_instant() {
        let e = entry_bytes(1_000, b"{}");
        assert_eq!(current_body(&e, 999), Some(&b"{}"[..]));
        assert_eq!(current_body(&e, 1_000), None);
        assert_eq!(current_body(b"short", 0), None);
    }
}
