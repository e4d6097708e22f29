//! Messaging counters as plain atomics; the daemon exports a
//! [`Snapshot`] in Prometheus text (`caxton_messages_total`,
//! `caxton_message_routing_duration_seconds`, `caxton_conversations_*`).

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use super::message::Performative;

/// What happened to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Stored and queued for an agent.
    Accepted,
    /// Handled by the receiving agent.
    Delivered,
    /// A delivery attempt failed (the message may go to another provider).
    Failed,
    /// No deployed agent offers the capability it was addressed to.
    NoProvider,
    /// Refused by loop protection: the conversation's depth limit or message
    /// budget was reached (`messaging.max_depth`,
    /// `messaging.max_conversation_messages`).
    Refused,
    /// Not stored again: a message with the same id already was (a retried
    /// send).
    Duplicate,
    /// Stored for an outside receiver.
    Recorded,
}

impl Outcome {
    const ALL: [Outcome; 7] = [
        Outcome::Accepted,
        Outcome::Delivered,
        Outcome::Failed,
        Outcome::NoProvider,
        Outcome::Refused,
        Outcome::Duplicate,
        Outcome::Recorded,
    ];
}

/// Upper bounds (seconds) of the routing latency histogram.
pub const ROUTING_BUCKETS: [f64; 8] = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 1e-3];

#[derive(Default)]
pub struct Metrics {
    messages: [[AtomicU64; 7]; 10],
    routing: [AtomicU64; ROUTING_BUCKETS.len() + 1],
    routing_count: AtomicU64,
    routing_sum_ns: AtomicU64,
    conversations_started: AtomicU64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessageCount {
    pub performative: Performative,
    pub outcome: Outcome,
    pub count: u64,
}

/// A cumulative histogram: `buckets[i]` counts observations ≤ `le[i]`.
#[derive(Debug, Clone, Serialize)]
pub struct Histogram {
    pub le: Vec<f64>,
    pub buckets: Vec<u64>,
    pub count: u64,
    pub sum_seconds: f64,
}

/// The messaging counters at one moment, as `metrics --json` and the
/// Prometheus endpoint report them.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// Non-zero counts only.
    pub messages: Vec<MessageCount>,
    pub(crate) routing_latency: Histogram,
    pub(crate) conversations_started: u64,
    /// Conversations with a message still pending delivery.
    pub conversations_active: u64,
    pub(crate) conversations_total: u64,
}

impl Metrics {
    pub fn message(&self, p: Performative, o: Outcome) {
        let i = Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0);
        self.messages[p.index()][i].fetch_add(1, Ordering::Relaxed);
    }

    pub fn routing(&self, ns: u64) {
        let s = ns as f64 / 1e9;
        let b = ROUTING_BUCKETS
            .iter()
            .position(|&le| s <= le)
            .unwrap_or(ROUTING_BUCKETS.len());
        self.routing[b].fetch_add(1, Ordering::Relaxed);
        self.routing_count.fetch_add(1, Ordering::Relaxed);
        self.routing_sum_ns.fetch_add(ns, Ordering::Relaxed);
    }

    pub fn conversation_started(&self) {
        self.conversations_started.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self, conversations_active: u64, conversations_total: u64) -> Snapshot {
        let mut messages = Vec::new();
        for p in Performative::ALL {
            for (i, o) in Outcome::ALL.iter().enumerate() {
                let count = self.messages[p.index()][i].load(Ordering::Relaxed);
                if count > 0 {
                    messages.push(MessageCount {
                        performative: p,
                        outcome: *o,
                        count,
                    });
                }
            }
        }
        let mut acc = 0;
        let buckets = ROUTING_BUCKETS
            .iter()
            .enumerate()
            .map(|(i, _)| {
                acc += self.routing[i].load(Ordering::Relaxed);
                acc
            })
            .collect();
        Snapshot {
            messages,
            routing_latency: Histogram {
                le: ROUTING_BUCKETS.to_vec(),
                buckets,
                count: self.routing_count.load(Ordering::Relaxed),
                sum_seconds: self.routing_sum_ns.load(Ordering::Relaxed) as f64 / 1e9,
            },
            conversations_started: self.conversations_started.load(Ordering::Relaxed),
            conversations_active,
            conversations_total,
        }
    }
}
