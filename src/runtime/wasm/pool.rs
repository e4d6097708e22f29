//! The bound on concurrent executions. Guests are CPU-bound, so running more
//! of them than there are cores only adds latency; the daemon calls
//! `Runtime::execute` from `spawn_blocking` and this gate keeps the number
//! actually running at `workers`.
//!
//! Sharing: an agent holds at most `workers - 1` slots (at least 1) of its
//! own, so a burst of runaway executions of one agent can never take every
//! worker from the others. It may borrow the rest only while no other agent
//! waits and its executions are known to be short (a moving average under
//! [`BORROW_BELOW`]): a busy agent with quick executions then uses every
//! core, and another agent arriving waits for about one such execution.
//!
//! Waiters queue in arrival order and a freed slot is handed to the first
//! one it admits, waking that thread alone: with dozens of requests waiting,
//! waking all of them on every release was most of the daemon's CPU.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// Executions typically shorter than this may borrow the slots an agent
/// leaves for others while nobody else waits.
pub const BORROW_BELOW: Duration = Duration::from_millis(10);

/// Agents whose typical duration is remembered; past this the memory starts
/// over (each key is an agent or module, so only churn of deploys gets here).
const REMEMBERED: usize = 4096;

pub struct Pool {
    workers: usize,
    per_agent: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    running: usize,
    by_agent: HashMap<String, usize>,
    /// Moving average of each agent's execution time, in microseconds.
    typical_us: HashMap<String, f64>,
    queue: VecDeque<Arc<Waiter>>,
}

struct Waiter {
    agent: String,
    thread: Thread,
    granted: AtomicBool,
}

/// A held slot; released on drop, also when the execution panics.
pub struct Permit<'a> {
    pool: &'a Pool,
    agent: String,
    started: Instant,
}

impl Pool {
    pub fn new(workers: usize) -> Pool {
        let workers = workers.max(1);
        Pool {
            workers,
            per_agent: (workers - 1).max(1),
            state: Mutex::new(State::default()),
        }
    }

    pub fn workers(&self) -> usize {
        self.workers
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Block until `agent` may run one more execution.
    pub fn acquire(&self, agent: &str) -> Permit<'_> {
        let waiter = {
            let mut st = self.lock();
            // At rest no queued waiter is admissible (every release hands
            // slots out), so a newcomer that is admitted jumps no one.
            if self.admits(&st, agent) {
                take(&mut st, agent);
                return self.permit(agent);
            }
            let w = Arc::new(Waiter {
                agent: agent.to_string(),
                thread: std::thread::current(),
                granted: AtomicBool::new(false),
            });
            st.queue.push_back(w.clone());
            w
        };
        // `park` may return spuriously; the flag is the grant.
        while !waiter.granted.load(Ordering::Acquire) {
            std::thread::park();
        }
        self.permit(agent)
    }

    fn permit(&self, agent: &str) -> Permit<'_> {
        Permit {
            pool: self,
            agent: agent.to_string(),
            started: Instant::now(),
        }
    }

    /// Whether `agent` may start one more execution now: a worker is free,
    /// and the agent holds fewer than its share or may borrow.
    fn admits(&self, st: &State, agent: &str) -> bool {
        if st.running >= self.workers {
            return false;
        }
        let mine = st.by_agent.get(agent).copied().unwrap_or(0);
        if mine < self.per_agent {
            return true;
        }
        let short = st
            .typical_us
            .get(agent)
            .is_some_and(|us| *us < BORROW_BELOW.as_micros() as f64);
        short && !st.queue.iter().any(|w| w.agent != agent)
    }

    /// Hand free slots to the waiters they admit, first come first served.
    fn grant(&self, st: &mut State) {
        let mut i = 0;
        while i < st.queue.len() && st.running < self.workers {
            let agent = st.queue[i].agent.clone();
            // Judged with this waiter out of the queue: its own wait is not
            // "another agent waiting".
            let w = st.queue.remove(i).expect("index checked");
            if self.admits(st, &agent) {
                take(st, &agent);
                w.granted.store(true, Ordering::Release);
                w.thread.unpark();
            } else {
                st.queue.insert(i, w);
                i += 1;
            }
        }
    }
}

fn take(st: &mut State, agent: &str) {
    st.running += 1;
    *st.by_agent.entry(agent.to_string()).or_default() += 1;
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let took = self.started.elapsed().as_micros() as f64;
        let mut st = self.pool.lock();
        st.running -= 1;
        if let Some(n) = st.by_agent.get_mut(&self.agent) {
            *n -= 1;
            if *n == 0 {
                st.by_agent.remove(&self.agent);
            }
        }
        if st.typical_us.len() >= REMEMBERED && !st.typical_us.contains_key(&self.agent) {
            st.typical_us.clear();
        }
        let typical = st.typical_us.entry(self.agent.clone()).or_insert(took);
        *typical = 0.75 * *typical + 0.25 * took;
        self.pool.grant(&mut st);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_agent_cannot_take_every_worker() {
        let pool = std::sync::Arc::new(Pool::new(2));
        let a = pool.acquire("runaway");
        {
            // One of two workers is free, but it is not the runaway's to take.
            let st = pool.state.lock().unwrap();
            assert!(!pool.admits(&st, "runaway"), "per-agent cap not enforced");
            assert!(pool.admits(&st, "good"));
        }
        // A second runaway acquire waits; another agent's returns at once.
        let p = pool.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let second = std::thread::spawn(move || {
            let _permit = p.acquire("runaway");
            tx.send(()).unwrap();
        });
        let b = pool.acquire("good");
        assert_eq!(pool.state.lock().unwrap().running, 2);
        assert!(rx.try_recv().is_err(), "the second runaway got a slot");
        drop(b);
        assert!(
            rx.try_recv().is_err(),
            "a free worker is still not its to take"
        );
        drop(a);
        rx.recv().unwrap();
        second.join().unwrap();
        let st = pool.state.lock().unwrap();
        assert_eq!(st.running, 0);
        assert!(st.by_agent.is_empty());
    }

    #[test]
    fn waiters_wake_when_a_slot_frees() {
        let pool = std::sync::Arc::new(Pool::new(1));
        let held = pool.acquire("a");
        let p = pool.clone();
        let t = std::thread::spawn(move || {
            let _x = p.acquire("b");
        });
        drop(held);
        t.join().unwrap();
        assert_eq!(pool.state.lock().unwrap().running, 0);
    }

    /// An agent whose executions are short uses every worker while it is
    /// alone, and the next freed slot goes to another agent that waits.
    #[test]
    fn a_quick_agent_borrows_the_spare_worker_only_while_nobody_else_waits() {
        let pool = std::sync::Arc::new(Pool::new(2));
        let quick = |p: &Pool, us: f64| p.lock().typical_us.insert("quick".into(), us);
        // Unknown duration: no borrowing.
        let first = pool.acquire("quick");
        assert!(!pool.admits(&pool.lock(), "quick"));
        drop(first);
        // Known to be short: it may take both.
        quick(&pool, 1.0);
        let a = pool.acquire("quick");
        let b = pool.acquire("quick");
        assert_eq!(pool.lock().running, 2);
        // Another agent queues; quick may not borrow past it.
        let p = pool.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let other = std::thread::spawn(move || {
            let _permit = p.acquire("other");
            tx.send(()).unwrap();
            done_rx.recv().unwrap();
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        while pool.lock().queue.is_empty() {
            assert!(Instant::now() < deadline, "the other agent never queued");
            std::thread::yield_now();
        }
        drop(a);
        rx.recv().unwrap();
        quick(&pool, 1.0);
        assert!(!pool.admits(&pool.lock(), "quick"), "no slot is free");
        done_tx.send(()).unwrap();
        other.join().unwrap();
        assert!(
            pool.admits(&pool.lock(), "quick"),
            "alone again: it may borrow"
        );
        drop(b);
        let st = pool.lock();
        assert_eq!(st.running, 0);
        assert!(st.by_agent.is_empty() && st.queue.is_empty());
    }

    /// A slow agent (a runaway) never borrows.
    #[test]
    fn a_slow_agent_keeps_to_its_share() {
        let pool = Pool::new(2);
        pool.lock()
            .typical_us
            .insert("slow".into(), BORROW_BELOW.as_micros() as f64 * 2.0);
        let _a = pool.acquire("slow");
        assert!(!pool.admits(&pool.lock(), "slow"));
        assert!(pool.admits(&pool.lock(), "good"));
    }
}
