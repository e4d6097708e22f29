//! Capability routing (README "Messaging between agents", docs/wasm-abi.md "Messaging"). The registry is rebuilt from the deployed
//! agents on refresh and then only read: every decision is a hash lookup and
//! a walk over the capability's providers, with no allocation, so it stays
//! in the microseconds with thousands of agents (benches/messaging.rs).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

/// How a provider is run: the one agent kind, named for this module's callers.
pub use crate::agent::Kind as AgentKind;

/// Breaker settings (the `messaging` config section).
#[derive(Debug, Clone, Copy)]
pub struct BreakerPolicy {
    /// Consecutive failed deliveries that open the breaker.
    pub failures: u32,
    /// How long an open breaker stays open before one trial delivery.
    pub cooldown_ms: i64,
}

/// The circuit breaker of one agent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Breaker {
    pub consecutive_failures: u32,
    /// When the breaker (last) opened; `None` while closed.
    pub opened_at: Option<i64>,
    /// A half-open trial delivery is under way.
    trial: bool,
}

/// What the breaker allows now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Closed: deliveries go through.
    Healthy,
    /// Open: deliveries go elsewhere until the cool-down ends.
    Open,
    /// Cool-down over: the next delivery is a trial.
    HalfOpen,
}

impl Health {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Open => "open",
            Health::HalfOpen => "half_open",
        }
    }
}

impl Breaker {
    pub fn restore(consecutive_failures: u32, opened_at: Option<i64>) -> Breaker {
        Breaker {
            consecutive_failures,
            opened_at,
            trial: false,
        }
    }

    pub fn health(&self, now: i64, p: &BreakerPolicy) -> Health {
        match self.opened_at {
            None => Health::Healthy,
            Some(t) if now - t >= p.cooldown_ms => Health::HalfOpen,
            Some(_) => Health::Open,
        }
    }

    fn selectable(&self, now: i64, p: &BreakerPolicy) -> bool {
        match self.health(now, p) {
            Health::Healthy => true,
            Health::HalfOpen => !self.trial,
            Health::Open => false,
        }
    }

    /// Record a delivery outcome; true when the breaker changed state.
    pub fn record(&mut self, ok: bool, now: i64, p: &BreakerPolicy) -> bool {
        let was_open = self.opened_at.is_some();
        self.trial = false;
        if ok {
            self.consecutive_failures = 0;
            self.opened_at = None;
        } else {
            self.consecutive_failures += 1;
            // A failed trial re-opens at once; otherwise open at the threshold.
            if was_open || self.consecutive_failures >= p.failures {
                self.opened_at = Some(now);
            }
        }
        was_open != self.opened_at.is_some()
    }
}

/// One routable agent.
pub struct Slot {
    pub id: String,
    pub kind: AgentKind,
    pub capabilities: Vec<String>,
    pub live: Arc<Live>,
}

/// The mutable part of a slot; kept across refreshes of the registry.
#[derive(Default)]
pub struct Live {
    pub in_flight: AtomicU32,
    pub breaker: Mutex<Breaker>,
}

impl Live {
    pub fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Providers {
    agents: Vec<usize>,
    /// Round-robin position for ties.
    cursor: AtomicUsize,
}

/// An agent as the registry is built from.
pub struct AgentInfo {
    /// The agent's id.
    pub id: String,
    /// How it runs (a delivery to a config agent is an LLM run).
    pub kind: AgentKind,
    /// Capabilities it offers: what it can be routed.
    pub capabilities: Vec<String>,
}

/// The capability index: built once per refresh, then read-only.
pub struct Registry {
    slots: Vec<Slot>,
    by_id: HashMap<String, usize>,
    by_capability: HashMap<String, Providers>,
    names: Vec<String>,
}

/// The outcome of a routing decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Deliver to the agent at this index of the registry.
    Agent(usize),
    /// Nobody offers the capability.
    NoProvider,
    /// Providers exist, but every one is open (or already tried).
    Unavailable,
}

impl Registry {
    /// Index `agents`; `previous` hands over in-flight counts and breakers of
    /// agents that are still deployed.
    pub fn build(agents: Vec<AgentInfo>, previous: Option<&Registry>) -> Registry {
        let mut slots: Vec<Slot> = agents
            .into_iter()
            .map(|a| {
                let live = previous
                    .and_then(|p| p.slot(&a.id))
                    .map_or_else(Arc::default, |s| s.live.clone());
                Slot {
                    id: a.id,
                    kind: a.kind,
                    capabilities: a.capabilities,
                    live,
                }
            })
            .collect();
        slots.sort_by(|a, b| a.id.cmp(&b.id));
        slots.dedup_by(|a, b| a.id == b.id);
        let by_id = slots
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let mut by_capability: HashMap<String, Providers> = HashMap::new();
        for (i, s) in slots.iter().enumerate() {
            for c in &s.capabilities {
                let p = by_capability.entry(c.clone()).or_insert_with(|| Providers {
                    agents: Vec::new(),
                    cursor: AtomicUsize::new(0),
                });
                if !p.agents.contains(&i) {
                    p.agents.push(i);
                }
            }
        }
        let mut names: Vec<String> = by_capability.keys().cloned().collect();
        names.sort();
        Registry {
            slots,
            by_id,
            by_capability,
            names,
        }
    }

    /// Every routable agent, in registry order (a [`Route::Agent`] index
    /// points into this).
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub(crate) fn slot(&self, id: &str) -> Option<&Slot> {
        self.index_of(id).map(|i| &self.slots[i])
    }

    /// Capability names, sorted.
    pub fn capabilities(&self) -> &[String] {
        &self.names
    }

    pub(crate) fn providers(&self, capability: &str) -> &[usize] {
        self.by_capability
            .get(capability)
            .map_or(&[], |p| p.agents.as_slice())
    }

    /// Choose the provider of `capability`: among selectable ones (breaker
    /// closed, or half-open with no trial under way) and not in `exclude`,
    /// one already in the conversation (`participants`), else the least
    /// in flight, round-robin between equals.
    pub fn route(
        &self,
        capability: &str,
        participants: &[usize],
        exclude: &[usize],
        now: i64,
        policy: &BreakerPolicy,
    ) -> Route {
        let Some(p) = self.by_capability.get(capability) else {
            return Route::NoProvider;
        };
        let selectable = |i: usize| {
            !exclude.contains(&i) && self.slots[i].live.breaker().selectable(now, policy)
        };
        if let Some(&i) = p
            .agents
            .iter()
            .find(|&&i| participants.contains(&i) && selectable(i))
        {
            return self.claim(i, now, policy);
        }
        let mut least = u32::MAX;
        let mut ties = 0usize;
        for &i in &p.agents {
            if !selectable(i) {
                continue;
            }
            let n = self.slots[i].live.in_flight.load(Ordering::Relaxed);
            if n < least {
                least = n;
                ties = 1;
            } else if n == least {
                ties += 1;
            }
        }
        if ties == 0 {
            return Route::Unavailable;
        }
        let mut k = p.cursor.fetch_add(1, Ordering::Relaxed) % ties;
        for &i in &p.agents {
            if selectable(i) && self.slots[i].live.in_flight.load(Ordering::Relaxed) == least {
                if k == 0 {
                    return self.claim(i, now, policy);
                }
                k -= 1;
            }
        }
        // In-flight counts moved between the two passes: take the first free one.
        p.agents
            .iter()
            .copied()
            .find(|&i| selectable(i))
            .map_or(Route::Unavailable, |i| self.claim(i, now, policy))
    }

    /// Mark a half-open breaker's trial as taken by this decision.
    fn claim(&self, i: usize, now: i64, policy: &BreakerPolicy) -> Route {
        let mut b = self.slots[i].live.breaker();
        if b.health(now, policy) == Health::HalfOpen {
            b.trial = true;
        }
        Route::Agent(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: BreakerPolicy = BreakerPolicy {
        failures: 2,
        cooldown_ms: 1000,
    };

    fn reg(agents: &[(&str, &[&str])]) -> Registry {
        Registry::build(
            agents
                .iter()
                .map(|(id, caps)| AgentInfo {
                    id: id.to_string(),
                    kind: AgentKind::Wasm,
                    capabilities: caps.iter().map(|c| c.to_string()).collect(),
                })
                .collect(),
            None,
        )
    }

    fn pick(r: &Registry, cap: &str, participants: &[usize], now: i64) -> Route {
        r.route(cap, participants, &[], now, &P)
    }

    #[test]
    fn round_robin_on_ties_then_least_loaded_then_conversation() {
        let r = reg(&[("a", &["x"]), ("b", &["x"]), ("c", &["y"])]);
        let first = pick(&r, "x", &[], 0);
        let second = pick(&r, "x", &[], 0);
        assert_ne!(first, second);
        r.slots[0].live.in_flight.store(3, Ordering::Relaxed);
        assert_eq!(pick(&r, "x", &[], 0), Route::Agent(1));
        assert_eq!(pick(&r, "x", &[], 0), Route::Agent(1));
        // Already in the conversation beats least loaded.
        assert_eq!(pick(&r, "x", &[0], 0), Route::Agent(0));
        assert_eq!(pick(&r, "z", &[], 0), Route::NoProvider);
        assert_eq!(r.capabilities(), ["x", "y"]);
    }

    #[test]
    fn breaker_opens_then_allows_one_trial_after_the_cooldown() {
        let r = reg(&[("a", &["x"])]);
        let live = &r.slots[0].live;
        assert!(!live.breaker().record(false, 0, &P));
        assert!(live.breaker().record(false, 10, &P));
        assert_eq!(pick(&r, "x", &[], 20), Route::Unavailable);
        assert_eq!(pick(&r, "x", &[], 1010), Route::Agent(0));
        // The trial is under way: nobody else gets the half-open agent.
        assert_eq!(pick(&r, "x", &[], 1011), Route::Unavailable);
        live.breaker().record(false, 1012, &P);
        assert_eq!(live.breaker().health(1013, &P), Health::Open);
        assert_eq!(pick(&r, "x", &[], 2013), Route::Agent(0));
        assert!(live.breaker().record(true, 2014, &P));
        assert_eq!(live.breaker().health(2015, &P), Health::Healthy);
    }

    #[test]
    fn refresh_keeps_live_state_of_remaining_agents() {
        let r = reg(&[("a", &["x"]), ("b", &["x"])]);
        r.slots[1].live.in_flight.store(5, Ordering::Relaxed);
        let next = Registry::build(
            vec![AgentInfo {
                id: "b".into(),
                kind: AgentKind::Config,
                capabilities: vec!["y".into()],
            }],
            Some(&r),
        );
        assert_eq!(
            next.slot("b")
                .unwrap()
                .live
                .in_flight
                .load(Ordering::Relaxed),
            5
        );
        assert_eq!(next.providers("x"), &[] as &[usize]);
    }
}
