//! What each tenant's decisions are made of (its state and the event behind
//! each program's state), kept in memory so that a decision costs no
//! database read. Only these inputs are kept, never a decision: a decision
//! also depends on the time (deletion deadlines) and on the notices.
//!
//! An entry is dropped when its tenant changes: at once for this process's
//! commits (before their answer goes out), and for other processes' when
//! this process next follows the change feed (every [`FOLLOW_EVERY`]).
//! Entries are only served while the feed has been followed within
//! [`MAX_LAG`], so a commit elsewhere shows within that time even when
//! following stalls (the database then answers every decision). What
//! changes a tenant without a feed entry (a rename: its name and document
//! version) shows within [`ENTRY_TTL`].
//!
//! A read that began before an eviction is not kept: the database may have
//! answered it with the state before that commit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{LatestEvent, Store, TenantSnapshot};

/// How often each process reads the change feed's head for other processes' commits.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(50);
/// Entries are not served when the feed was last followed longer ago than this.
pub const MAX_LAG: Duration = Duration::from_millis(100);
/// The longest an entry is served.
pub const ENTRY_TTL: Duration = Duration::from_secs(5);
/// Tenants kept (a few KB each at most).
const CAPACITY: usize = 10_000;
/// Feed entries past which following drops everything instead of reading which tenants changed.
const MAX_GAP: i64 = 1000;

/// A tenant's decision inputs as read together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInputs {
    pub snapshot: TenantSnapshot,
    /// The newest event of each program that has one.
    pub latest: Vec<LatestEvent>,
}

#[derive(Debug, Default)]
pub(crate) struct DecisionCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    /// Advanced by every eviction.
    generation: u64,
    /// When the last complete look at the feed began: every commit before
    /// then has been evicted.
    followed: Option<Instant>,
}

#[derive(Debug)]
struct Entry {
    inputs: Arc<DecisionInputs>,
    read_at: Instant,
}

impl DecisionCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves the map consistent (every
        // step is one map operation), so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self, tenant_id: &str) -> Option<Arc<DecisionInputs>> {
        let inner = self.lock();
        let now = Instant::now();
        let followed = inner.followed?;
        if now.saturating_duration_since(followed) > MAX_LAG {
            return None;
        }
        let entry = inner.entries.get(tenant_id)?;
        (now.saturating_duration_since(entry.read_at) <= ENTRY_TTL)
            .then(|| Arc::clone(&entry.inputs))
    }

    /// The generation a read starts in; pass it to [`DecisionCache::keep`].
    fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Keeps what a read that began in `generation` at `began` found,
    /// unless anything was evicted since.
    fn keep(&self, generation: u64, began: Instant, tenant_id: &str, inputs: Arc<DecisionInputs>) {
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.entries.len() >= CAPACITY && !inner.entries.contains_key(tenant_id) {
            // Any entry will do: the next read of that tenant fills it again.
            if let Some(victim) = inner.entries.keys().next().cloned() {
                inner.entries.remove(&victim);
            }
        }
        inner.entries.insert(
            tenant_id.to_owned(),
            Entry {
                inputs,
                read_at: began,
            },
        );
    }

    pub(crate) fn evict<'a>(&self, tenants: impl IntoIterator<Item = &'a str>) {
        let mut inner = self.lock();
        inner.generation += 1;
        for tenant_id in tenants {
            inner.entries.remove(tenant_id);
        }
    }

    fn clear(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.clear();
    }

    fn followed(&self, began: Instant) {
        self.lock().followed = Some(began);
    }
}

impl Store {
    /// The decision inputs of `tenant_id`, `None` if there is no such
    /// tenant: from memory when known to be current, else read.
    pub async fn decision_inputs(
        &self,
        tenant_id: &str,
    ) -> Result<Option<Arc<DecisionInputs>>, sqlx::Error> {
        if let Some(inputs) = self.decision_cache.get(tenant_id) {
            return Ok(Some(inputs));
        }
        let generation = self.decision_cache.generation();
        let began = Instant::now();
        let Some(snapshot) = self.snapshot(tenant_id).await? else {
            return Ok(None);
        };
        let latest = self.latest_events(tenant_id).await?;
        let inputs = Arc::new(DecisionInputs { snapshot, latest });
        self.decision_cache
            .keep(generation, began, tenant_id, Arc::clone(&inputs));
        Ok(Some(inputs))
    }

    /// Follows the change feed until the task is aborted: drops the cached
    /// inputs of every tenant another process changed, and wakes this
    /// process's feed readers (long polls, the webhook worker) for those
    /// commits as for its own.
    pub fn spawn_feed_follower(&self) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut position = None;
            let mut failing = false;
            let mut tick = tokio::time::interval(FOLLOW_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let began = Instant::now();
                match store.follow_feed(&mut position).await {
                    Ok(moved) => {
                        store.decision_cache.followed(began);
                        if moved {
                            store.feed_signal.notify_waiters();
                        }
                        failing = false;
                    }
                    Err(error) => {
                        if !failing {
                            tracing::warn!(%error, "cannot follow the change feed; decisions are read from the database until it answers");
                        }
                        failing = true;
                    }
                }
            }
        })
    }

    /// One look at the feed after `position` (`None`: not looked yet);
    /// whether it moved.
    async fn follow_feed(&self, position: &mut Option<i64>) -> Result<bool, sqlx::Error> {
        let head = self.feed_head().await?;
        let Some(after) = *position else {
            // What was kept before following began may be from before any commit.
            self.decision_cache.clear();
            *position = Some(head);
            return Ok(false);
        };
        if head == after {
            return Ok(false);
        }
        if head < after || head - after > MAX_GAP {
            // A restored database, or more changes than are worth reading one by one.
            self.decision_cache.clear();
        } else {
            let changed = self.changed_tenants(after, head).await?;
            self.decision_cache
                .evict(changed.iter().map(String::as_str));
        }
        *position = Some(head);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use consent_core::rules::ProgramRecord;
    use consent_core::{ProgramId, Region, Tenant};

    use super::*;

    fn inputs(tenant_id: &str, version: i64) -> Arc<DecisionInputs> {
        Arc::new(DecisionInputs {
            snapshot: TenantSnapshot {
                tenant: Tenant {
                    id: tenant_id.to_owned(),
                    name: tenant_id.to_owned(),
                    region: Region::new("US"),
                },
                version,
                programs: ProgramId::ALL
                    .into_iter()
                    .map(ProgramRecord::initial)
                    .collect(),
            },
            latest: Vec::new(),
        })
    }

    fn followed_now() -> DecisionCache {
        let cache = DecisionCache::default();
        cache.followed(Instant::now());
        cache
    }

    fn version(cache: &DecisionCache, tenant_id: &str) -> Option<i64> {
        cache.get(tenant_id).map(|inputs| inputs.snapshot.version)
    }

    // Guards the race a commit can win: what a read found is not kept when
    // anything was evicted after the read began (it may predate the commit).
    #[test]
    fn a_read_that_began_before_an_eviction_is_not_kept() {
        let cache = followed_now();
        let generation = cache.generation();
        cache.evict(["contoso"]);
        cache.keep(generation, Instant::now(), "contoso", inputs("contoso", 1));
        assert_eq!(version(&cache, "contoso"), None);

        let generation = cache.generation();
        cache.keep(generation, Instant::now(), "contoso", inputs("contoso", 2));
        assert_eq!(version(&cache, "contoso"), Some(2));
        cache.evict(["fabrikam", "contoso"]);
        assert_eq!(version(&cache, "contoso"), None);
    }

    // Guards the bound on other processes' commits: nothing is served
    // before the feed was followed, nor when it was last followed too long
    // ago, nor past an entry's time to live.
    #[test]
    fn entries_are_served_only_while_the_feed_is_followed() {
        let cache = DecisionCache::default();
        let generation = cache.generation();
        cache.keep(generation, Instant::now(), "contoso", inputs("contoso", 1));
        assert_eq!(version(&cache, "contoso"), None, "not followed yet");
        cache.followed(Instant::now());
        assert_eq!(version(&cache, "contoso"), Some(1));
        let long_ago = |by: Duration| Instant::now().checked_sub(by).unwrap();
        cache.followed(long_ago(MAX_LAG + Duration::from_millis(50)));
        assert_eq!(version(&cache, "contoso"), None, "following stalled");
        cache.followed(Instant::now());
        cache.keep(
            generation,
            long_ago(ENTRY_TTL + Duration::from_secs(1)),
            "old",
            inputs("old", 1),
        );
        assert_eq!(version(&cache, "old"), None, "past its time to live");
    }

    // Guards the memory bound.
    #[test]
    fn the_cache_holds_at_most_its_capacity() {
        let cache = followed_now();
        for i in 0..CAPACITY + 10 {
            let id = format!("t{i}");
            cache.keep(cache.generation(), Instant::now(), &id, inputs(&id, 1));
        }
        assert_eq!(cache.lock().entries.len(), CAPACITY);
        let last = format!("t{}", CAPACITY + 9);
        assert_eq!(version(&cache, &last), Some(1));
    }
}
