//! The member's feed, served from the shared cache, and its invalidation.
//!
//! Feed pages are cached per member and query in the shared cache. An entry is current
//! while (a) the feed generation, bumped by every publish, edit and unpublish, (b) the
//! member's own generation, bumped when they open or study something, and (c) the next
//! scheduled publish time (by the injected clock) are what they were when it was filled.
//! The key also names what places the member in audiences (their branch, category and
//! leading-cadre flag, as loaded with the caller on every request), so a transfer or a
//! changed category shows at once, whichever path changed it (API, roster import), with
//! no generation to bump.
//! A cache that cannot be read or written falls through to the database.
//!
//! The services that change what a feed shows bump the generations themselves, after their
//! commit ([`super::service`]); nothing outside this module knows the key scheme.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::model::{Material, MaterialCategory, StudyRecord};
use super::ports::{FeedQuery, MaterialRepo, StudyRecordRepo};
use crate::cache::Cache;
use crate::calendar::YearMonth;
use crate::error::RepoError;
use crate::org::{Member, MemberId};
use crate::page::{Page, PageRequest};

const FEED_GEN: &str = "feed:gen";

/// Keys an instance may keep in its near cache as counters: the feed's generations (and
/// each member's, under the same prefix), which change in place.
pub const NEAR_COUNTERS: &[&str] = &[FEED_GEN];
/// Keys an instance may keep in its near cache as written once: feed pages, whose keys
/// name the generations they were built under.
pub const NEAR_IMMUTABLE: &[&str] = &["feed:v2:"];
/// How long a generation counter lives: far longer than any entry, so a counter that
/// expires and restarts cannot meet an entry filled under its old value.
const GEN_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
const ENTRY_TTL: Duration = Duration::from_secs(300);

/// What a member asks of their feed: the filters and the page.
#[derive(Debug, Clone)]
pub struct FeedRequest<'a> {
    pub category: Option<MaterialCategory>,
    pub required: Option<bool>,
    pub lesson_month: Option<YearMonth>,
    /// Only what the member has not opened yet.
    pub unread: bool,
    /// The cursor exactly as the client sent it (it names the page in the cache key).
    pub cursor: Option<&'a str>,
    pub page: &'a PageRequest,
}

/// Serves feed pages: from the shared cache when a current entry is there, otherwise from
/// the repositories (filling the cache).
pub struct FeedService<'a> {
    pub cache: &'a dyn Cache,
    pub materials: &'a dyn MaterialRepo,
    pub records: &'a dyn StudyRecordRepo,
}

impl FeedService<'_> {
    /// The body of `member`'s feed page at `now`: a cached one, or the page and the
    /// member's records of its materials as `render` writes them (then cached until the
    /// next scheduled publish, for five minutes at most). Cached bodies are returned as they
    /// were rendered, so `render` must depend on nothing but its arguments.
    pub async fn page<E>(
        &self,
        member: &Member,
        request: &FeedRequest<'_>,
        now: DateTime<Utc>,
        render: impl FnOnce(Page<Material>, Vec<StudyRecord>) -> Result<Vec<u8>, E>,
    ) -> Result<Vec<u8>, E>
    where
        E: From<RepoError>,
    {
        let key = self.key(member, request).await;
        if let Some(key) = &key {
            if let Ok(Some(entry)) = self.cache.get(key).await {
                if let Some(body) = current_body(&entry, now.timestamp_micros()) {
                    return Ok(body.to_vec());
                }
            }
        }
        let feed = self
            .materials
            .feed(
                &FeedQuery {
                    member: member.clone(),
                    now,
                    category: request.category,
                    required: request.required,
                    lesson_month: request.lesson_month,
                    unread: request.unread,
                },
                request.page,
            )
            .await?;
        let ids: Vec<_> = feed.items.iter().map(|m| m.id).collect();
        let records = self.records.of_member(member.id, &ids).await?;
        let body = render(feed, records)?;
        if let Some(key) = key {
            let until = self.materials.next_publish_after(now).await?;
            let entry = entry_bytes(until.map_or(i64::MAX, |t| t.timestamp_micros()), &body);
            if let Err(e) = self.cache.set(&key, &entry, Some(ENTRY_TTL)).await {
                tracing::warn!(error = %e, "feed page not cached");
            }
        }
        Ok(body)
    }

    /// The entry's key under the current generations; `None` (serve uncached) when they
    /// cannot be read.
    async fn key(&self, member: &Member, r: &FeedRequest<'_>) -> Option<String> {
        // Both are read whichever fails: the cache sees the calls the feed has always made.
        let g = generation(self.cache, FEED_GEN).await;
        let mg = generation(self.cache, &member_gen_key(member.id)).await;
        let (g, mg) = (g?, mg?);
        Some(format!(
            "feed:v2:{}:{}:{g}:{mg}:{}:{}:{}:{}:{}:{}",
            member.id,
            audience_digest(member),
            r.category.map_or("", |c| c.as_str()),
            r.required.map_or("", |r| if r { "1" } else { "0" }),
            r.lesson_month.map(|m| m.to_string()).unwrap_or_default(),
            u8::from(r.unread),
            r.cursor.unwrap_or(""),
            r.page.limit(),
        ))
    }
}

/// Every cached feed is stale: a material was published, edited or unpublished. Best
/// effort: a cache that cannot count is logged, and feeds lag until their entries expire.
pub async fn invalidate_all(cache: &dyn Cache) {
    bump(cache, FEED_GEN).await;
}

/// This member's cached feeds are stale: their progress changed.
pub async fn invalidate_member(cache: &dyn Cache, member: MemberId) {
    bump(cache, &member_gen_key(member)).await;
}

async fn bump(cache: &dyn Cache, key: &str) {
    if let Err(e) = cache.increment(key, GEN_TTL).await {
        tracing::warn!(error = %e, "feed generation not bumped; cached feeds may lag until they expire");
    }
}

/// A generation counter's value (0 before the first bump); `None` when the cache cannot
/// be read.
async fn generation(cache: &dyn Cache, key: &str) -> Option<i64> {
    match cache.get(key).await {
        Ok(v) => Some(
            v.and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
        ),
        Err(_) => None,
    }
}

fn member_gen_key(member: MemberId) -> String {
    format!("feed:gen:{member}")
}

/// What decides which audiences include `member`, as a short digest for cache keys.
fn audience_digest(member: &Member) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!(
        "{}|{}|{}",
        member.branch_path.as_str(),
        member.category.as_str(),
        member.leading_cadre
    ));
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// A cached entry: the instant (µs) it stops being current, then the response body.
fn entry_bytes(until_micros: i64, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + body.len());
    out.extend_from_slice(&until_micros.to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn current_body(entry: &[u8], now_micros: i64) -> Option<&[u8]> {
    let (until, body) = entry.split_first_chunk::<8>()?;
    (now_micros < i64::from_be_bytes(*until)).then_some(body)
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
