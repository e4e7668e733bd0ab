//! A bounded cache of DNS answers, in front of [`crate::dns::Dns`]'s lookups, so that a
//! batch of thousands of addresses asks for each provider's MX host, SRV targets and
//! addresses once instead of once per customer.
//!
//! Bounded two ways, so memory stays flat however long a batch runs:
//! - **size**: a [`BoundedMap`] keeps at most `capacity` names per record type (an
//!   approximate LRU: two generations, the older dropped whole when the newer fills);
//! - **age**: an answer older than [`MAX_AGE`] is asked again (a fixed bound rather than
//!   the records' TTLs: a batch only needs to avoid asking the same thing hundreds of times
//!   a minute, and a fixed bound cannot be inflated by a hostile server).
//!
//! Answers and "no such name" are cached; a timeout or a server failure is not (the next
//! input asks again).

use crate::dns::{DnsFailure, MxRecord, SrvRecord};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long an answer is reused.
pub const MAX_AGE: Duration = Duration::from_secs(300);

/// Names kept per record type by default (a few hundred bytes each): the point is to share
/// what many inputs have in common (their providers' hosts), not to remember every domain.
pub const DEFAULT_CAPACITY: usize = 1024;

/// A map of at most `capacity` entries that forgets the least recently used ones first,
/// approximately: entries live in a young and an old generation; a hit in the old one moves
/// the entry to the young one, and when the young one holds `capacity / 2` entries the old
/// one is dropped and the young one becomes old. O(1) per operation, no per-entry links.
pub struct BoundedMap<K, V> {
    young: HashMap<K, V>,
    old: HashMap<K, V>,
    half: usize,
}

impl<K: Eq + Hash, V> BoundedMap<K, V> {
    pub fn new(capacity: usize) -> BoundedMap<K, V> {
        BoundedMap {
            young: HashMap::new(),
            old: HashMap::new(),
            half: (capacity / 2).max(1),
        }
    }

    pub fn get(&mut self, key: &K) -> Option<&V> {
        if let Some((key, value)) = self.old.remove_entry(key) {
            self.insert(key, value);
        }
        self.young.get(key)
    }

    pub fn insert(&mut self, key: K, value: V) {
        self.old.remove(&key);
        if self.young.len() >= self.half && !self.young.contains_key(&key) {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(key, value);
    }

    pub fn remove(&mut self, key: &K) {
        self.young.remove(key);
        self.old.remove(key);
    }

    pub fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An answer and when it was stored.
type Stored<T> = (Instant, Result<T, DnsFailure>);

/// Answers of one record type, by lower-case name.
pub struct Answers<T> {
    map: Mutex<BoundedMap<String, Stored<T>>>,
    /// One gate per name being looked up: the inputs of a batch that share a provider
    /// start together, and the first lookup answers them all (one query, not one each).
    in_flight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Above this many gates, those nobody holds (their lookup was cancelled) are swept out.
const SWEEP_ABOVE: usize = 1024;

impl<T: Clone> Answers<T> {
    fn new(capacity: usize) -> Answers<T> {
        Answers {
            map: Mutex::new(BoundedMap::new(capacity)),
            in_flight: Mutex::default(),
        }
    }

    /// The cached answer for `name`, or `lookup`'s (which is only run on a miss; a lookup
    /// of the same name already running is waited for instead).
    pub async fn through(
        &self,
        name: &str,
        lookup: impl Future<Output = Result<T, DnsFailure>>,
    ) -> Result<T, DnsFailure> {
        let key = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some(answer) = self.fresh(&key) {
            return answer;
        }
        let gate = self.gate(&key);
        let answer = async {
            let _turn = gate.lock().await;
            if let Some(answer) = self.fresh(&key) {
                return answer;
            }
            let answer = lookup.await;
            let lasting = matches!(answer, Ok(_) | Err(DnsFailure::NoSuchName));
            if let (true, Ok(mut map)) = (lasting, self.map.lock()) {
                map.insert(key.clone(), (Instant::now(), answer.clone()));
            }
            answer
        }
        .await;
        if let Ok(mut gates) = self.in_flight.lock() {
            // The map's reference and ours: nobody else waits for this name.
            if Arc::strong_count(&gate) == 2 {
                gates.remove(&key);
            }
        }
        answer
    }

    fn gate(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut gates = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        if gates.len() > SWEEP_ABOVE {
            gates.retain(|_, gate| Arc::strong_count(gate) > 1);
        }
        gates.entry(key.to_string()).or_default().clone()
    }

    fn fresh(&self, key: &String) -> Option<Result<T, DnsFailure>> {
        let mut map = self.map.lock().ok()?;
        let (stored, answer) = map.get(key)?;
        if stored.elapsed() <= MAX_AGE {
            return Some(answer.clone());
        }
        map.remove(key);
        None
    }

    pub fn len(&self) -> usize {
        self.map.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The cache: one [`Answers`] per kind of lookup `Dns` makes.
pub struct DnsCache {
    pub ips: Answers<Vec<IpAddr>>,
    pub mx: Answers<Vec<MxRecord>>,
    pub srv: Answers<Vec<SrvRecord>>,
    pub cname: Answers<Option<String>>,
}

impl DnsCache {
    pub fn new(capacity: usize) -> DnsCache {
        DnsCache {
            ips: Answers::new(capacity),
            mx: Answers::new(capacity),
            srv: Answers::new(capacity),
            cname: Answers::new(capacity),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn the_map_never_holds_more_than_its_capacity() {
        let mut map = BoundedMap::new(100);
        for i in 0..10_000 {
            map.insert(i, i);
            assert!(map.len() <= 100, "{} entries after {i}", map.len());
        }
        // The most recent entries are still there.
        assert_eq!(map.get(&9_999), Some(&9_999));
        assert_eq!(map.get(&0), None);
    }

    #[test]
    fn an_entry_in_use_survives_generations() {
        let mut map = BoundedMap::new(10);
        map.insert("hot".to_string(), 0);
        for i in 0..1_000 {
            map.insert(format!("filler {i}"), i);
            assert_eq!(map.get(&"hot".to_string()), Some(&0), "lost after {i}");
        }
        assert!(map.len() <= 10);
    }

    async fn counted(
        calls: &AtomicUsize,
        answer: Result<Vec<MxRecord>, DnsFailure>,
    ) -> Result<Vec<MxRecord>, DnsFailure> {
        calls.fetch_add(1, Ordering::SeqCst);
        answer
    }

    #[tokio::test]
    async fn answers_and_nxdomain_are_asked_once_failures_again() {
        let cache = DnsCache::new(16);
        let calls = AtomicUsize::new(0);
        let mx = vec![MxRecord {
            preference: 10,
            host: "mx.example.test".into(),
        }];
        for _ in 0..3 {
            let answer = cache
                .mx
                .through("Example.Test.", counted(&calls, Ok(mx.clone())))
                .await;
            assert_eq!(answer, Ok(mx.clone()));
        }
        assert_eq!(
            calls.swap(0, Ordering::SeqCst),
            1,
            "one lookup for three asks"
        );

        for _ in 0..2 {
            let answer = cache
                .mx
                .through("gone.test", counted(&calls, Err(DnsFailure::NoSuchName)))
                .await;
            assert_eq!(answer, Err(DnsFailure::NoSuchName));
        }
        assert_eq!(calls.swap(0, Ordering::SeqCst), 1);

        for _ in 0..2 {
            let answer = cache
                .mx
                .through("slow.test", counted(&calls, Err(DnsFailure::Timeout)))
                .await;
            assert_eq!(answer, Err(DnsFailure::Timeout));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2, "a timeout is asked again");
        assert_eq!(cache.mx.len(), 2);
    }

    #[tokio::test]
    async fn lookups_of_one_name_at_once_make_one_query() {
        let cache = DnsCache::new(16);
        let calls = AtomicUsize::new(0);
        // Each lookup yields once, so all eight are under way before the first answers.
        let slow = |calls| async move {
            tokio::task::yield_now().await;
            counted(calls, Ok(Vec::new())).await
        };
        let asks = (0..8).map(|_| cache.mx.through("same.test", slow(&calls)));
        let answers = futures::future::join_all(asks).await;
        assert!(answers.iter().all(|a| a == &Ok(Vec::new())));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(cache.mx.in_flight.lock().unwrap().is_empty());
    }
}
