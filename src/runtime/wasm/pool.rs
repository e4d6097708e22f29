//! The bound on concurrent executions. Guests are CPU-bound, so running more
//! of them than there are cores only adds latency; the daemon calls
//! `Runtime::execute` from `spawn_blocking` and this gate keeps the number
//! actually running at `workers`. One agent may hold at most `workers - 1`
//! slots (at least 1), so a burst of runaway executions of one agent can
//! never take every worker from the others.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, PoisonError};

pub struct Pool {
    workers: usize,
    per_agent: usize,
    state: Mutex<State>,
    freed: Condvar,
}

#[derive(Default)]
struct State {
    running: usize,
    by_agent: HashMap<String, usize>,
}

/// A held slot; released on drop, also when the execution panics.
pub struct Permit<'a> {
    pool: &'a Pool,
    agent: String,
}

impl Pool {
    pub fn new(workers: usize) -> Pool {
        let workers = workers.max(1);
        Pool {
            workers,
            per_agent: (workers - 1).max(1),
            state: Mutex::new(State::default()),
            freed: Condvar::new(),
        }
    }

    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Block until `agent` may run one more execution.
    pub fn acquire(&self, agent: &str) -> Permit<'_> {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while !self.admits(&st, agent) {
            st = self.freed.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
        st.running += 1;
        *st.by_agent.entry(agent.to_string()).or_default() += 1;
        Permit {
            pool: self,
            agent: agent.to_string(),
        }
    }
}

impl Pool {
    /// Whether `agent` may start one more execution now: a worker is free
    /// and the agent holds fewer than its share.
    fn admits(&self, st: &State, agent: &str) -> bool {
        let mine = st.by_agent.get(agent).copied().unwrap_or(0);
        st.running < self.workers && mine < self.per_agent
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut st = self
            .pool
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        st.running -= 1;
        if let Some(n) = st.by_agent.get_mut(&self.agent) {
            *n -= 1;
            if *n == 0 {
                st.by_agent.remove(&self.agent);
            }
        }
        // Waiters wait on different conditions (total vs per agent).
        self.pool.freed.notify_all();
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
}
