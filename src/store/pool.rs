//! A small pool of store connections kept for a long-lived process's life.
//!
//! Opening a [`Store`] costs a lock file, the pragmas and a migration check,
//! and closing the last connection to a WAL database checkpoints it (about
//! 20 ms): a daemon that opened and closed a connection per request paid
//! both on every request. The pool opens at most `max` connections on
//! demand and keeps them; a caller that finds them all busy waits up to the
//! pool's deadline and is then refused with [`Error::PoolExhausted`] (HTTP 503
//! with `Retry-After`), never left hanging.

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::Store;
use crate::error::{Error, Result};

/// Store connections held open for reuse, bounded; a caller waits a
/// deadline for a free one.
pub struct StorePool {
    path: PathBuf,
    max: usize,
    wait: Duration,
    state: Mutex<Slots>,
    freed: Condvar,
}

struct Slots {
    idle: Vec<Store>,
    /// Connections open now, idle or lent out.
    open: usize,
}

impl StorePool {
    /// A pool of at most `max` (≥ 1) connections to the store at `path`;
    /// a caller waits at most `wait` for one.
    pub fn new(path: &Path, max: usize, wait: Duration) -> Arc<StorePool> {
        Arc::new(StorePool {
            path: path.to_path_buf(),
            max: max.max(1),
            wait,
            state: Mutex::new(Slots {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
        })
    }

    /// The database file the connections open.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Slots> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection: an idle one, a new one while fewer than `max` are open,
    /// or the first one given back within the deadline.
    pub fn get(self: &Arc<Self>) -> Result<Pooled> {
        let deadline = Instant::now() + self.wait;
        let mut slots = self.lock();
        loop {
            if let Some(store) = slots.idle.pop() {
                return Ok(self.lend(store));
            }
            if slots.open < self.max {
                slots.open += 1;
                drop(slots);
                return match Store::open(&self.path) {
                    Ok(store) => Ok(self.lend(store)),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::PoolExhausted {
                    connections: self.max,
                    waited_ms: self.wait.as_millis() as u64,
                });
            }
            slots = self
                .freed
                .wait_timeout(slots, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn lend(self: &Arc<Self>, store: Store) -> Pooled {
        Pooled {
            store: Some(store),
            pool: self.clone(),
        }
    }
}

/// A connection lent by a [`StorePool`]; given back when dropped.
pub struct Pooled {
    store: Option<Store>,
    pool: Arc<StorePool>,
}

impl Deref for Pooled {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store.as_ref().expect("present until dropped")
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Store {
        self.store.as_mut().expect("present until dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let Some(store) = self.store.take() else {
            return;
        };
        let mut slots = self.pool.lock();
        // A connection left inside a transaction (its user panicked) would
        // hand the next user a half-done write: close it instead.
        if store.conn().is_autocommit() {
            slots.idle.push(store);
        } else {
            slots.open -= 1;
            drop(slots);
            drop(store);
        }
        self.pool.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_connections_and_refuses_when_exhausted() {
        let dir = tempfile::tempdir().unwrap();
        let pool = StorePool::new(&dir.path().join("caxton.db"), 2, Duration::from_millis(50));
        let a = pool.get().unwrap();
        let b = pool.get().unwrap();
        let started = Instant::now();
        let err = pool.get().err().expect("a third connection is refused");
        assert!(
            started.elapsed() >= Duration::from_millis(50),
            "waited first"
        );
        assert!(
            matches!(err, Error::PoolExhausted { connections: 2, .. }),
            "{err:?}"
        );
        assert_eq!(err.http_status(), 503);
        drop(a);
        let c = pool.get().unwrap();
        assert_eq!(pool.lock().open, 2, "the given-back connection was reused");
        drop((b, c));
        assert_eq!(pool.lock().idle.len(), 2);
    }

    #[test]
    fn a_waiting_caller_gets_the_connection_given_back() {
        let dir = tempfile::tempdir().unwrap();
        let pool = StorePool::new(&dir.path().join("caxton.db"), 1, Duration::from_secs(30));
        let held = pool.get().unwrap();
        let p = pool.clone();
        let waiter = std::thread::spawn(move || p.get().map(|s| s.schema_version().unwrap()));
        std::thread::sleep(Duration::from_millis(20));
        drop(held);
        assert!(waiter.join().unwrap().unwrap() > 0);
    }

    #[test]
    fn a_connection_left_in_a_transaction_is_closed_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let pool = StorePool::new(&dir.path().join("caxton.db"), 1, Duration::from_millis(10));
        let s = pool.get().unwrap();
        s.conn().execute_batch("BEGIN").unwrap();
        drop(s);
        assert_eq!(pool.lock().open, 0);
        assert!(pool.get().unwrap().conn().is_autocommit());
    }
}
