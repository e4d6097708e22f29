//! The typed contract between the daemon and its clients: the bodies the
//! handlers send and `cli/` reads back through [`super::client::Client`].
//! Field names and order are the documented JSON (docs/operations.md,
//! README "Live agents"); changing one here changes both sides at once.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::agent::Kind;

/// Live status of an agent in the daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// A good version is live and recent executions succeed.
    Running,
    /// A good version is live, but the last reload was invalid or recent executions fail.
    Failing,
    /// No loadable version.
    Failed,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Running => "running",
            Health::Failing => "failing",
            Health::Failed => "failed",
        }
    }
}

/// What an agent's executions used since its live version loaded.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Runs {
    pub executions: u64,
    pub failures: u64,
    pub cpu_us: u64,
    pub wall_us: u64,
    pub last_memory_bytes: u64,
    pub last_error: Option<String>,
}

/// An agent as the daemon holds it: `GET /api/v1/agents` (one per agent),
/// `GET /api/v1/agents/{id}` and `POST /api/v1/agents/{id}/reload`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LiveAgent {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub status: Health,
    pub capabilities: Vec<String>,
    pub version: Option<String>,
    pub file: Option<PathBuf>,
    /// Why the newest file could not be loaded, or the last execution error
    /// of a failing agent.
    pub error: Option<String>,
    pub uptime_seconds: u64,
    pub memory_mb: f64,
    pub cpu_percent: f64,
    pub reloads: u64,
    pub runs: Runs,
    /// What `GET /api/v1/agents/{id}` adds for the agent's kind (a config
    /// agent's tools and description, a WASM agent's limits, policy,
    /// module and history); passed through as is.
    #[serde(flatten)]
    pub detail: serde_json::Map<String, serde_json::Value>,
}

/// `POST /api/v1/reload`: every agent after the rescan, and the invalid ones.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reloaded {
    pub agents: Vec<LiveAgent>,
    pub invalid: Vec<Invalid>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Invalid {
    pub id: String,
    pub error: Option<String>,
}

/// `GET /api/v1/agents/{id}/ping`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ping {
    pub agent: String,
    pub ok: bool,
    pub status: Health,
    pub version: Option<String>,
    pub error: Option<String>,
    pub latency_ms: f64,
}

/// One outcome of a rescan, for logs and `agents reload-status`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Change {
    pub agent: String,
    /// `loaded`, `updated`, `kept` (invalid change, old version live),
    /// `failed` (nothing loadable), `removed`.
    pub outcome: String,
    pub version: Option<String>,
    pub error: Option<String>,
    pub at: String,
}

/// `GET /api/v1/reload-status`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReloadStatus {
    pub rescans: u64,
    pub last_rescan: Option<String>,
    pub events: Vec<Change>,
    /// Agents that are not running or were reloaded.
    pub agents: Vec<LiveAgent>,
}
