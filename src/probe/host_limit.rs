//! A per-server limit on probes running at once: a keyed semaphore, one counter per server
//! address. `batch` shares one among all its inputs, so that a provider whose MX host serves
//! thousands of the input's domains sees at most `per_host` connections from us at a time,
//! however many of its customers are being checked and however high `--jobs` is.
//!
//! The map holds an entry only while a probe of that server holds or awaits a slot, so it
//! stays as small as the number of servers being probed at that moment.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Above this many entries, entries nobody uses any more (their waiter was cancelled) are
/// swept out.
const SWEEP_ABOVE: usize = 1024;

/// What a slot is counted by: the server's address, or its name when it did not resolve.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HostKey {
    Address(IpAddr),
    Name(String),
}

/// At most `per_host` slots per [`HostKey`] at once.
pub struct HostLimit {
    per_host: usize,
    slots: Mutex<HashMap<HostKey, Arc<Semaphore>>>,
}

/// A slot: released (and the key forgotten, when nobody else wants it) when dropped.
pub struct HostPermit<'a> {
    limit: &'a HostLimit,
    key: HostKey,
    permit: Option<OwnedSemaphorePermit>,
}

impl HostLimit {
    pub fn new(per_host: usize) -> HostLimit {
        HostLimit {
            per_host: per_host.max(1),
            slots: Mutex::default(),
        }
    }

    pub fn per_host(&self) -> usize {
        self.per_host
    }

    /// Wait for a slot for `key`. Slots are handed out in the order they were asked for.
    pub async fn acquire(&self, key: HostKey) -> HostPermit<'_> {
        let semaphore = self.semaphore(&key);
        // The semaphore is never closed, so this only fails if it were; then go unlimited.
        let permit = semaphore.acquire_owned().await.ok();
        HostPermit {
            limit: self,
            key,
            permit,
        }
    }

    fn semaphore(&self, key: &HostKey) -> Arc<Semaphore> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() > SWEEP_ABOVE {
            slots.retain(|_, s| Arc::strong_count(s) > 1);
        }
        slots
            .entry(key.clone())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
            .clone()
    }

    /// Servers with a probe holding or awaiting a slot.
    pub fn keys_in_use(&self) -> usize {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.values().filter(|s| Arc::strong_count(s) > 1).count()
    }

    fn release(&self, key: &HostKey) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        // Only the map's own reference left: no probe holds or awaits this server.
        if slots.get(key).is_some_and(|s| Arc::strong_count(s) == 1) {
            slots.remove(key);
        }
    }
}

impl Drop for HostPermit<'_> {
    fn drop(&mut self) {
        drop(self.permit.take());
        self.limit.release(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Many tasks on two servers: never more than `per_host` at once on either, and both
    /// servers are worked on in parallel.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_server_ever_has_more_than_its_slots() {
        let limit = Arc::new(HostLimit::new(3));
        let running: Arc<[AtomicUsize; 2]> = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
        let peak: Arc<[AtomicUsize; 2]> = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
        let mut tasks = Vec::new();
        for i in 0..40 {
            let (limit, running, peak) = (limit.clone(), running.clone(), peak.clone());
            tasks.push(tokio::spawn(async move {
                let server = i % 2;
                let key = HostKey::Address(IpAddr::from([127, 0, 0, server as u8 + 1]));
                let _slot = limit.acquire(key).await;
                let now = running[server].fetch_add(1, Ordering::SeqCst) + 1;
                peak[server].fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                running[server].fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(peak[0].load(Ordering::SeqCst), 3);
        assert_eq!(peak[1].load(Ordering::SeqCst), 3);
        // Nothing is remembered once no probe needs it.
        assert_eq!(limit.slots.lock().unwrap().len(), 0);
    }

    #[tokio::test]
    async fn a_cancelled_waiter_leaves_nothing_behind() {
        let limit = HostLimit::new(1);
        let key = HostKey::Name("mx.example.test".into());
        let held = limit.acquire(key.clone()).await;
        let waiting = tokio::time::timeout(Duration::from_millis(10), limit.acquire(key.clone()));
        assert!(waiting.await.is_err(), "the second slot must wait");
        assert_eq!(limit.keys_in_use(), 1);
        drop(held);
        assert_eq!(limit.slots.lock().unwrap().len(), 0);
        // And the key works again.
        let _again = limit.acquire(key).await;
    }
}
