//! The near cache: what every request reads and what rarely changes, kept in this
//! instance's memory and kept coherent with every other instance by push.
//!
//! It holds callers' principals (member row, role grants and their recent session
//! revocations), activities by id, and copies of chosen shared-cache keys (the feed's
//! generation counters and pages, see [`NearMirror`]). Every write that changes any of it
//! announces an [`Invalidation`] after its commit: applied to this instance at once, then
//! published to the others through the [`bus`] (Redis pub/sub; in one process, a direct
//! call). Each instance trusts its near cache only while its subscription is up: when it is
//! lost (a killed connection, Redis down, or no message, not even the instance's own
//! heartbeat, for [`bus::SILENCE`]) every read goes to storage as if there were no near
//! cache, and the whole near cache is dropped when the subscription is back, so nothing
//! stale survives a lost message. Every entry also expires after [`Sizing::ttl`].
//!
//! A read that misses fills its entry only if no invalidation arrived between the start of
//! its read and the fill ([`NearCache::ticket`]): a write committed while the read was on
//! its way cannot leave its old value behind.

pub mod bus;
mod mirror;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use moka::sync::Cache as MokaCache;
use uuid::Uuid;

use domain::activity::Activity;
use domain::org::{Member, Org, RoleGrant};

pub use self::bus::Bus;
pub use self::mirror::NearMirror;

/// What changed, as every instance hears it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalidation {
    /// A member's row, role grants or session revocations.
    Member(Uuid),
    /// An activity's row.
    Activity(Uuid),
    /// An organisation's row.
    Org(Uuid),
    /// A shared-cache key mirrored by [`NearMirror`].
    Key(String),
    /// Everything (the sender could not say what).
    All,
}

impl Invalidation {
    /// The message on the channel.
    pub fn encode(&self) -> String {
        match self {
            Self::Member(id) => format!("m:{id}"),
            Self::Activity(id) => format!("a:{id}"),
            Self::Org(id) => format!("o:{id}"),
            Self::Key(key) => format!("k:{key}"),
            Self::All => "*".to_owned(),
        }
    }

    /// Reads a message line; `None` for a heartbeat (`h`) or an echo marker (`e:…`), which
    /// invalidate nothing. A line this build cannot read (a newer instance's kind during a
    /// rolling deploy, a damaged id) invalidates everything rather than nothing.
    pub fn decode(message: &str) -> Option<Self> {
        if message == "h" || message.starts_with("e:") {
            return None;
        }
        let Some((kind, rest)) = message.split_once(':') else {
            return Some(Self::All);
        };
        let parsed = match kind {
            "m" => Uuid::parse_str(rest).ok().map(Self::Member),
            "a" => Uuid::parse_str(rest).ok().map(Self::Activity),
            "o" => Uuid::parse_str(rest).ok().map(Self::Org),
            "k" => Some(Self::Key(rest.to_owned())),
            _ => None,
        };
        Some(parsed.unwrap_or(Self::All))
    }

    /// The generation shard this invalidation bumps (`None`: every shard).
    fn shard(&self) -> Option<usize> {
        match self {
            Self::Member(id) => Some(shard_of(b'm', id.as_bytes())),
            Self::Activity(id) => Some(shard_of(b'a', id.as_bytes())),
            Self::Org(id) => Some(shard_of(b'o', id.as_bytes())),
            Self::Key(key) => Some(shard_of(b'k', key.as_bytes())),
            Self::All => None,
        }
    }
}

/// A caller as the near cache keeps them: everything authentication reads.
#[derive(Debug, Clone)]
pub struct CachedPrincipal {
    pub member: Member,
    pub roles: Vec<RoleGrant>,
    /// The member's session, token and member-wide revocations recorded since
    /// [`REVOCATION_HORIZON`] before the load: `(id, revoked_at)`.
    pub revocations: Vec<(Uuid, DateTime<Utc>)>,
}

/// How far back a principal's revocations are loaded: far longer than any access token
/// lives (at most 15 min, plus the verifier's leeway), so no token a revocation ended can
/// still be presented once the revocation is older than this.
pub const REVOCATION_HORIZON: Duration = Duration::from_secs(24 * 3600);

impl CachedPrincipal {
    /// Whether a token of this member with session `session`, id `token`, issued at
    /// `issued_at`, was ended: its session or itself revoked, or every session of the
    /// member ended at or after it was issued (what the database's check says).
    pub fn revoked(
        &self,
        session: Option<Uuid>,
        token: Option<Uuid>,
        issued_at: DateTime<Utc>,
    ) -> bool {
        let member = self.member.id.as_uuid();
        self.revocations.iter().any(|(id, at)| {
            Some(*id) == session || Some(*id) == token || (*id == member && *at >= issued_at)
        })
    }
}

/// How big the near cache may grow and how long an entry lives at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizing {
    pub principals: u64,
    pub activities: u64,
    /// Mirrored shared-cache values, weighed in bytes.
    pub mirror_bytes: u64,
    pub ttl: Duration,
}

impl Default for Sizing {
    fn default() -> Self {
        Self {
            principals: 100_000,
            activities: 20_000,
            mirror_bytes: 64 * 1024 * 1024,
            ttl: Duration::from_secs(300),
        }
    }
}

/// Fills are checked against the generation of their key's shard only, so an invalidation
/// of one key (a member's study progress bumping their feed counter) does not throw away
/// every fill in flight.
const SHARDS: usize = 64;

fn shard_of(kind: u8, bytes: &[u8]) -> usize {
    // FNV-1a: cheap, stable, good enough to spread uuids and keys.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in std::iter::once(&kind).chain(bytes) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    usize::try_from(h % SHARDS as u64).unwrap_or(0)
}

/// The most organisations kept (a province has tens of thousands of branches and groups).
const ORGS: u64 = 100_000;

/// A promise to fill: taken before a read that missed, honoured only if nothing of its
/// shard was invalidated in between.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    shard: usize,
    generation: u64,
}

/// Hits and misses, for the metrics.
#[derive(Debug, Default)]
pub struct NearStats {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    pub bypassed: AtomicU64,
    pub invalidations: AtomicU64,
    pub resets: AtomicU64,
}

/// One instance's near cache (see the module).
pub struct NearCache {
    principals: MokaCache<Uuid, Arc<CachedPrincipal>>,
    activities: MokaCache<Uuid, Arc<Activity>>,
    orgs: MokaCache<Uuid, Arc<Org>>,
    values: MokaCache<String, Option<Arc<[u8]>>>,
    trusted: AtomicBool,
    /// Per shard, bumped by every invalidation of a key in it (all of them by a reset);
    /// fills compare their shard's with their ticket.
    generations: [AtomicU64; SHARDS],
    /// Serialises fills with invalidations, so a fill's check and insert cannot straddle
    /// an invalidation's bump and removal.
    fill: Mutex<()>,
    pub stats: NearStats,
    sizing: Sizing,
}

impl std::fmt::Debug for NearCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NearCache")
            .field("trusted", &self.trusted())
            .field("principals", &self.principals.entry_count())
            .field("activities", &self.activities.entry_count())
            .field("values", &self.values.entry_count())
            .finish()
    }
}

impl NearCache {
    /// An empty near cache, not yet trusted: whoever subscribes it to a bus says when.
    pub fn new(sizing: Sizing) -> Self {
        Self {
            principals: MokaCache::builder()
                .max_capacity(sizing.principals)
                .time_to_live(sizing.ttl)
                .build(),
            activities: MokaCache::builder()
                .max_capacity(sizing.activities)
                .time_to_live(sizing.ttl)
                .build(),
            orgs: MokaCache::builder()
                .max_capacity(ORGS)
                .time_to_live(sizing.ttl)
                .build(),
            values: MokaCache::builder()
                .max_capacity(sizing.mirror_bytes)
                .weigher(|k: &String, v: &Option<Arc<[u8]>>| {
                    let len = k.len() + v.as_ref().map_or(0, |v| v.len()) + 64;
                    u32::try_from(len).unwrap_or(u32::MAX)
                })
                .time_to_live(sizing.ttl)
                .build(),
            trusted: AtomicBool::new(false),
            generations: std::array::from_fn(|_| AtomicU64::new(0)),
            fill: Mutex::new(()),
            stats: NearStats::default(),
            sizing,
        }
    }

    pub fn sizing(&self) -> Sizing {
        self.sizing
    }

    /// Whether entries may be read now (the subscription is up).
    pub fn trusted(&self) -> bool {
        self.trusted.load(Ordering::Acquire)
    }

    /// Trusts the near cache from now on, starting empty.
    pub(crate) fn trust(&self) {
        self.reset();
        self.trusted.store(true, Ordering::Release);
    }

    /// Stops trusting the near cache (reads go to storage) and drops everything in it.
    pub(crate) fn distrust(&self) {
        self.trusted.store(false, Ordering::Release);
        self.reset();
    }

    fn reset(&self) {
        let _guard = self.fill.lock().unwrap_or_else(|e| e.into_inner());
        self.bump_all();
        self.principals.invalidate_all();
        self.activities.invalidate_all();
        self.orgs.invalidate_all();
        self.values.invalidate_all();
        self.stats.resets.fetch_add(1, Ordering::Relaxed);
    }

    /// Applies invalidations to this instance.
    pub fn apply(&self, invalidations: &[Invalidation]) {
        if invalidations.is_empty() {
            return;
        }
        let _guard = self.fill.lock().unwrap_or_else(|e| e.into_inner());
        for i in invalidations {
            self.stats.invalidations.fetch_add(1, Ordering::Relaxed);
            match i.shard() {
                Some(shard) => {
                    self.generations[shard].fetch_add(1, Ordering::AcqRel);
                }
                None => self.bump_all(),
            }
            match i {
                Invalidation::Member(id) => self.principals.invalidate(id),
                Invalidation::Activity(id) => self.activities.invalidate(id),
                Invalidation::Org(id) => self.orgs.invalidate(id),
                Invalidation::Key(key) => self.values.invalidate(key),
                Invalidation::All => {
                    self.principals.invalidate_all();
                    self.activities.invalidate_all();
                    self.orgs.invalidate_all();
                    self.values.invalidate_all();
                }
            }
        }
    }

    fn bump_all(&self) {
        for g in &self.generations {
            g.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// A ticket for filling `key` after a read, or `None` when the near cache is not
    /// trusted (then nothing is filled).
    pub fn ticket(&self, key: &Invalidation) -> Option<Ticket> {
        let shard = key.shard()?;
        self.trusted().then(|| Ticket {
            shard,
            generation: self.generations[shard].load(Ordering::Acquire),
        })
    }

    fn fill_with(&self, ticket: Ticket, insert: impl FnOnce()) {
        let _guard = self.fill.lock().unwrap_or_else(|e| e.into_inner());
        let current = self.generations[ticket.shard].load(Ordering::Acquire);
        if self.trusted() && current == ticket.generation {
            insert();
        }
    }

    /// What `cache` holds under `key`, counted as a hit or a miss; nothing (counted as
    /// bypassed) while the near cache is not trusted.
    fn read<K, V, Q>(&self, cache: &MokaCache<K, V>, key: &Q) -> Option<V>
    where
        K: std::hash::Hash + Eq + Send + Sync + std::borrow::Borrow<Q> + 'static,
        V: Clone + Send + Sync + 'static,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        if !self.trusted() {
            self.stats.bypassed.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let found = cache.get(key);
        let counter = if found.is_some() {
            &self.stats.hits
        } else {
            &self.stats.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// The cached principal of `member`, if trusted and present.
    pub fn principal(&self, member: Uuid) -> Option<Arc<CachedPrincipal>> {
        self.read(&self.principals, &member)
    }

    pub fn fill_principal(&self, ticket: Ticket, principal: Arc<CachedPrincipal>) {
        let id = principal.member.id.as_uuid();
        self.fill_with(ticket, || self.principals.insert(id, principal));
    }

    /// The cached activity, if trusted and present.
    pub fn activity(&self, id: Uuid) -> Option<Arc<Activity>> {
        self.read(&self.activities, &id)
    }

    pub fn fill_activity(&self, ticket: Ticket, activity: Arc<Activity>) {
        let id = activity.id.as_uuid();
        self.fill_with(ticket, || self.activities.insert(id, activity));
    }

    /// The cached organisation, if trusted and present.
    pub fn org(&self, id: Uuid) -> Option<Arc<Org>> {
        self.read(&self.orgs, &id)
    }

    pub fn fill_org(&self, ticket: Ticket, org: Arc<Org>) {
        let id = org.id.as_uuid();
        self.fill_with(ticket, || self.orgs.insert(id, org));
    }

    /// A mirrored shared-cache value: `Some(None)` is a key known to be absent.
    pub(crate) fn value(&self, key: &str) -> Option<Option<Arc<[u8]>>> {
        self.read(&self.values, key)
    }

    pub(crate) fn fill_value(&self, ticket: Ticket, key: &str, value: Option<Arc<[u8]>>) {
        self.fill_with(ticket, || self.values.insert(key.to_owned(), value));
    }

    /// Entries held now (after pending evictions), for the metrics and the tests.
    pub fn entries(&self) -> u64 {
        self.principals.run_pending_tasks();
        self.activities.run_pending_tasks();
        self.orgs.run_pending_tasks();
        self.values.run_pending_tasks();
        self.principals.entry_count()
            + self.activities.entry_count()
            + self.orgs.entry_count()
            + self.values.entry_count()
    }
}

/// Whoever writes announces what changed through this: applied here at once, then told
/// to every other instance. Cloning shares it.
#[derive(Clone, Debug)]
pub struct Near {
    pub cache: Arc<NearCache>,
    pub bus: Bus,
}

impl Near {
    /// Applies `invalidations` here at once, then publishes them and waits until they went
    /// round the channel. The publication runs as a task of its own: a request dropped while
    /// waiting (its client went away after the commit) still has it published.
    pub async fn invalidate(&self, invalidations: Vec<Invalidation>) {
        if let Some(publication) = self.announce(invalidations) {
            let _ = publication.await;
        }
    }

    /// [`invalidate`](Self::invalidate) without waiting: applied here now, published in
    /// the background (a unit of work dropped mid-commit).
    pub fn announce(
        &self,
        invalidations: Vec<Invalidation>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        if invalidations.is_empty() {
            return None;
        }
        self.cache.apply(&invalidations);
        let (bus, me) = (self.bus.clone(), self.cache.clone());
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        Some(runtime.spawn(async move { bus.publish(&me, invalidations).await }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_back_as_written_and_unknown_ones_are_ignored() {
        let id = Uuid::new_v4();
        for i in [
            Invalidation::Member(id),
            Invalidation::Activity(id),
            Invalidation::Org(id),
            Invalidation::Key("feed:gen".into()),
            Invalidation::All,
        ] {
            assert_eq!(Invalidation::decode(&i.encode()), Some(i));
        }
        assert_eq!(Invalidation::decode("h"), None);
        assert_eq!(Invalidation::decode("e:instance:7"), None);
        // What this build cannot read invalidates everything.
        assert_eq!(
            Invalidation::decode("m:not-a-uuid"),
            Some(Invalidation::All)
        );
        assert_eq!(
            Invalidation::decode("z:from-a-newer-build"),
            Some(Invalidation::All)
        );
        assert_eq!(Invalidation::decode("garbage"), Some(Invalidation::All));
    }

    #[test]
    fn a_fill_after_an_invalidation_it_raced_with_is_dropped() {
        let near = NearCache::new(Sizing::default());
        let k = Invalidation::Key("k".into());
        assert!(near.ticket(&k).is_none(), "untrusted: no fills");
        near.trust();
        let Some(ticket) = near.ticket(&k) else {
            panic!("trusted near cache gave no ticket");
        };
        near.apply(std::slice::from_ref(&k));
        near.fill_value(ticket, "k", Some(Arc::from(&b"old"[..])));
        assert!(near.value("k").is_none(), "a stale read must not be kept");
        let Some(ticket) = near.ticket(&k) else {
            panic!("no ticket");
        };
        // Another key's invalidation (in another shard) does not spoil this fill.
        let other = (0..1000)
            .map(|i| Invalidation::Key(format!("other{i}")))
            .find(|o| o.shard() != k.shard())
            .unwrap_or(Invalidation::Member(Uuid::new_v4()));
        near.apply(&[other]);
        near.fill_value(ticket, "k", Some(Arc::from(&b"new"[..])));
        assert_eq!(near.value("k").flatten().as_deref(), Some(&b"new"[..]));
        near.distrust();
        assert!(near.value("k").is_none(), "untrusted: nothing is read");
        near.trust();
        assert!(near.value("k").is_none(), "trusted again: starts empty");
    }
}
