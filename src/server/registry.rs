//! The daemon's live agents: the last good version of every config agent
//! (from the agents directory) and WASM agent (from the store), their
//! status and what their executions used.
//!
//! A rescan validates every file; a valid changed file replaces the live
//! version in one map update (callers never see half a reload), an invalid
//! one keeps the previous version live and marks the agent `failing` with
//! the error, or `failed` when there is no good version to keep.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde_json::{Value, json};

use super::contract::LiveAgent;
pub use super::contract::{Change, Health, Runs};
use crate::Caxton;
use crate::agent::spec::{AgentSpec, slug};
use crate::agent::versions;
use crate::agent::wasm::{self, WasmAgent};
use crate::agent::{Kind, catalog};
use crate::error::{Error, Result};
use crate::runtime::wasm::{Compiled, Runtime};
use crate::store::pool::StorePool;

/// Executions remembered per agent to judge "recent runs erroring".
const RECENT_RUNS: usize = 5;
/// Failed executions among the recent ones that make an agent `failing`.
const FAILING_RUNS: usize = 3;
/// Reload events kept for `agents reload-status` and log lines per agent.
const EVENTS_KEPT: usize = 200;
const LOG_LINES_KEPT: usize = 1000;

/// The version that answers requests.
#[derive(Clone)]
pub enum Live {
    Config(Arc<AgentSpec>),
    Wasm(Arc<LiveWasm>),
}

/// A live WASM agent: its record, limits and, from its first execution on,
/// its compiled module. A redeploy replaces the whole value in one map
/// update, so executions holding the old one finish on the old module and
/// the next ones compile and run the new one.
pub struct LiveWasm {
    pub agent: WasmAgent,
    compiled: OnceLock<Arc<Compiled>>,
}

impl LiveWasm {
    fn new(agent: WasmAgent) -> LiveWasm {
        LiveWasm {
            agent,
            compiled: OnceLock::new(),
        }
    }

    /// The compiled module, read from `pool`'s store and compiled on first use.
    pub fn compiled(&self, pool: &Arc<StorePool>, rt: &Runtime) -> Result<Arc<Compiled>> {
        if let Some(c) = self.compiled.get() {
            return Ok(c.clone());
        }
        let c = wasm::compile(&*pool.get()?, rt, &self.agent)?;
        Ok(self.compiled.get_or_init(|| c).clone())
    }
}

#[derive(Clone)]
pub struct Agent {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    pub live: Option<Live>,
    pub version: Option<String>,
    pub content_hash: Option<String>,
    pub file: Option<PathBuf>,
    pub capabilities: Vec<String>,
    /// When the live version was loaded (the agent's uptime starts here).
    pub loaded_at: SystemTime,
    /// Why the newest file could not be loaded, if it could not.
    pub reload_error: Option<String>,
    pub reloads: u64,
    pub runs: Runs,
    /// Outcomes of the last executions (true: succeeded), oldest first.
    recent: VecDeque<bool>,
}

impl Agent {
    pub fn status(&self) -> Health {
        let recent_failures = self.recent.iter().filter(|ok| !**ok).count();
        match (&self.live, &self.reload_error) {
            (None, _) => Health::Failed,
            (Some(_), Some(_)) => Health::Failing,
            _ if recent_failures >= FAILING_RUNS => Health::Failing,
            _ => Health::Running,
        }
    }

    pub fn uptime(&self) -> Duration {
        self.loaded_at.elapsed().unwrap_or_default()
    }

    /// Share of one core its executions used since the live version loaded.
    pub fn cpu_percent(&self) -> f64 {
        let up = self.uptime().as_micros().max(1) as f64;
        100.0 * self.runs.cpu_us as f64 / up
    }

    /// Memory the agent holds: a WASM agent's linear memory at the end of
    /// its last execution; a config agent's definition.
    pub fn memory_bytes(&self) -> u64 {
        match &self.live {
            Some(Live::Wasm(_)) => self.runs.last_memory_bytes,
            Some(Live::Config(spec)) => serde_json::to_vec(&**spec).map_or(0, |v| v.len() as u64),
            None => 0,
        }
    }

    /// The agent as the API sends it.
    pub fn live(&self) -> LiveAgent {
        LiveAgent {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: self.kind,
            status: self.status(),
            capabilities: self.capabilities.clone(),
            version: self.version.clone(),
            file: self.file.clone(),
            error: self.reload_error.clone().or_else(|| {
                (self.status() == Health::Failing)
                    .then(|| self.runs.last_error.clone())
                    .flatten()
            }),
            uptime_seconds: self.uptime().as_secs(),
            memory_mb: (self.memory_bytes() as f64 / 1_048_576.0 * 10.0).round() / 10.0,
            cpu_percent: (self.cpu_percent() * 10.0).round() / 10.0,
            reloads: self.reloads,
            runs: self.runs.clone(),
            detail: serde_json::Map::new(),
        }
    }
}

#[derive(Default)]
struct Inner {
    agents: BTreeMap<String, Agent>,
    /// Each agent's last log lines. Kept beside the agents, not in them:
    /// every request resolves its agent with a clone, and 1,000 JSON lines
    /// copied per execution were most of an execution's cost.
    logs: HashMap<String, VecDeque<Value>>,
    events: VecDeque<Change>,
    rescans: u64,
    last_rescan: Option<SystemTime>,
}

/// Counts by kind and status, for health and metrics.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    pub config: usize,
    pub wasm: usize,
    pub running: usize,
    pub failing: usize,
    pub failed: usize,
}

#[derive(Default)]
pub struct Registry {
    inner: Mutex<Inner>,
    /// One rescan at a time: the watcher, timers and API may all ask.
    rescanning: Mutex<()>,
}

fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// The first error of an invalid file, with its position.
fn first_error(report: &crate::agent::validate::FileReport) -> String {
    report
        .errors()
        .next()
        .map(|d| match (d.line, d.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: {}", report.file.display(), d.message),
            _ => format!("{}: {}", report.file.display(), d.message),
        })
        .unwrap_or_else(|| "invalid".into())
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn len(&self) -> usize {
        self.lock().agents.len()
    }

    pub fn counts(&self) -> Counts {
        let inner = self.lock();
        let mut c = Counts::default();
        for a in inner.agents.values() {
            match a.kind {
                Kind::Config => c.config += 1,
                Kind::Wasm => c.wasm += 1,
            }
            match a.status() {
                Health::Running => c.running += 1,
                Health::Failing => c.failing += 1,
                Health::Failed => c.failed += 1,
            }
        }
        c
    }

    pub fn all(&self) -> Vec<Agent> {
        self.lock().agents.values().cloned().collect()
    }

    /// An agent by id, name or file stem, case-insensitively.
    pub fn find(&self, name: &str) -> Result<Agent> {
        let inner = self.lock();
        let s = slug(name);
        let hit = inner.agents.values().find(|a| {
            a.id.eq_ignore_ascii_case(name)
                || a.name.eq_ignore_ascii_case(name)
                || (!s.is_empty() && a.id == s)
                || a.file
                    .as_ref()
                    .and_then(|f| f.file_stem())
                    .is_some_and(|st| st.to_string_lossy().eq_ignore_ascii_case(name))
        });
        hit.cloned().ok_or_else(|| Error::AgentNotFound {
            name: name.to_string(),
            suggestions: crate::tools::closest(name, inner.agents.keys().map(String::as_str)),
        })
    }

    pub fn events(&self) -> (Vec<Change>, u64, Option<SystemTime>) {
        let inner = self.lock();
        (
            inner.events.iter().cloned().collect(),
            inner.rescans,
            inner.last_rescan,
        )
    }

    /// Re-read the agents directory and the store's WASM agents and apply
    /// every difference. Idempotent: unchanged content changes nothing.
    pub fn rescan(&self, cx: &Caxton) -> Vec<Change> {
        let _one = self.rescanning.lock().unwrap_or_else(|p| p.into_inner());
        let ctx = catalog::context(cx);
        let reports = match catalog::scan_dir(&cx.paths().agents_dir, &ctx) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!("cannot scan the agents directory: {e}");
                return Vec::new();
            }
        };
        let wasms = match wasm::list(cx) {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::error!("cannot load WASM agents from the store: {e}");
                None
            }
        };
        // Record new valid versions before taking the map lock (a store write).
        let mut to_record = Vec::new();
        {
            let inner = self.lock();
            for r in reports.iter().filter(|r| r.is_valid()) {
                let hash = versions::hash(&r.content);
                let live_hash = inner.agents.get(&r.id).and_then(|a| a.content_hash.clone());
                if live_hash.as_deref() != Some(hash.as_str()) {
                    to_record.push(r.id.clone());
                }
            }
        }
        for id in &to_record {
            if let Err(e) = catalog::deploy(cx, id, None) {
                tracing::warn!(agent = %id, "version not recorded: {e}");
            }
        }

        let mut changes = Vec::new();
        let mut inner = self.lock();
        let mut seen = Vec::new();
        for r in &reports {
            seen.push(r.id.clone());
            let hash = versions::hash(&r.content);
            let existing = inner.agents.get(&r.id);
            match (&r.spec, r.is_valid()) {
                (Some(spec), true) => {
                    if existing.is_some_and(|a| a.content_hash.as_deref() == Some(hash.as_str())) {
                        // Same content as live: a broken edit was reverted.
                        if let Some(a) = inner.agents.get_mut(&r.id)
                            && a.reload_error.take().is_some()
                        {
                            changes.push(change(&r.id, "updated", a.version.clone(), None));
                        }
                        continue;
                    }
                    let previous = existing.cloned();
                    let agent = Agent {
                        id: r.id.clone(),
                        name: spec.name.clone(),
                        kind: Kind::Config,
                        live: Some(Live::Config(Arc::new(spec.clone()))),
                        version: Some(spec.version_or_default().to_string()),
                        content_hash: Some(hash),
                        file: Some(r.file.clone()),
                        capabilities: spec.capabilities.clone(),
                        loaded_at: SystemTime::now(),
                        reload_error: None,
                        reloads: previous.as_ref().map_or(0, |p| p.reloads + 1),
                        runs: Runs::default(),
                        recent: VecDeque::new(),
                    };
                    let outcome = if existing.is_some() {
                        "updated"
                    } else {
                        "loaded"
                    };
                    changes.push(change(&r.id, outcome, agent.version.clone(), None));
                    inner.agents.insert(r.id.clone(), agent);
                }
                _ => {
                    let err = first_error(r);
                    if let Some(a) = inner.agents.get_mut(&r.id) {
                        if a.reload_error.as_deref() == Some(err.as_str()) {
                            continue;
                        }
                        a.reload_error = Some(err.clone());
                        let outcome = if a.live.is_some() { "kept" } else { "failed" };
                        changes.push(change(&r.id, outcome, a.version.clone(), Some(err)));
                        continue;
                    }
                    let name = r.name.clone().unwrap_or_else(|| r.id.clone());
                    changes.push(change(&r.id, "failed", None, Some(err.clone())));
                    inner.agents.insert(
                        r.id.clone(),
                        Agent {
                            id: r.id.clone(),
                            name,
                            kind: Kind::Config,
                            live: None,
                            version: None,
                            content_hash: None,
                            file: Some(r.file.clone()),
                            capabilities: Vec::new(),
                            loaded_at: SystemTime::now(),
                            reload_error: Some(err),
                            reloads: 0,
                            runs: Runs::default(),
                            recent: VecDeque::new(),
                        },
                    );
                }
            }
        }
        if let Some(wasms) = wasms {
            for w in wasms {
                seen.push(w.id.clone());
                let hash = w.history.first().map(|v| v.content_hash.clone());
                let existing = inner.agents.get(&w.id);
                if existing.is_some_and(|a| a.content_hash == hash) {
                    continue;
                }
                let previous = existing.cloned();
                let outcome = if previous.is_some() {
                    "updated"
                } else {
                    "loaded"
                };
                changes.push(change(&w.id, outcome, Some(w.version().to_string()), None));
                let agent = Agent {
                    id: w.id.clone(),
                    name: w.name().to_string(),
                    kind: Kind::Wasm,
                    version: Some(w.version().to_string()),
                    content_hash: hash,
                    file: None,
                    capabilities: w.manifest.capabilities.clone(),
                    loaded_at: SystemTime::now(),
                    reload_error: None,
                    reloads: previous.as_ref().map_or(0, |p| p.reloads + 1),
                    runs: previous
                        .as_ref()
                        .map(|p| p.runs.clone())
                        .unwrap_or_default(),
                    recent: previous
                        .as_ref()
                        .map(|p| p.recent.clone())
                        .unwrap_or_default(),
                    live: Some(Live::Wasm(Arc::new(LiveWasm::new(w)))),
                };
                inner.agents.insert(agent.id.clone(), agent);
            }
        } else {
            // The store could not be read: keep the WASM agents we have.
            seen.extend(
                inner
                    .agents
                    .values()
                    .filter(|a| a.kind == Kind::Wasm)
                    .map(|a| a.id.clone()),
            );
        }
        let gone: Vec<String> = inner
            .agents
            .keys()
            .filter(|id| !seen.contains(id))
            .cloned()
            .collect();
        for id in gone {
            inner.agents.remove(&id);
            inner.logs.remove(&id);
            changes.push(change(&id, "removed", None, None));
        }
        inner.rescans += 1;
        inner.last_rescan = Some(SystemTime::now());
        for c in &changes {
            inner.events.push_back(c.clone());
            if inner.events.len() > EVENTS_KEPT {
                inner.events.pop_front();
            }
        }
        for c in &changes {
            let line = json!({"at": c.at, "level": if c.error.is_some() { "error" } else { "info" },
                "message": format!("reload: {}{}", c.outcome, c.error.as_ref().map(|e| format!(": {e}")).unwrap_or_default())});
            if inner.agents.contains_key(&c.agent) {
                push_log(&mut inner.logs, &c.agent, line);
            }
        }
        changes
    }

    /// Record one execution's outcome and its log lines.
    pub fn record_run(&self, id: &str, r: &RunRecord, logs: Vec<Value>) {
        let mut inner = self.lock();
        let Inner {
            agents, logs: kept, ..
        } = &mut *inner;
        let Some(a) = agents.get_mut(id) else {
            return;
        };
        a.runs.executions += 1;
        a.runs.cpu_us += r.cpu_us;
        a.runs.wall_us += r.wall_us;
        a.runs.last_memory_bytes = r.memory_bytes;
        a.recent.push_back(r.error.is_none());
        if a.recent.len() > RECENT_RUNS {
            a.recent.pop_front();
        }
        if let Some(e) = &r.error {
            a.runs.failures += 1;
            a.runs.last_error = Some(e.clone());
            push_log(
                kept,
                id,
                json!({"at": now(), "level": "error", "message": format!("execution failed: {e}")}),
            );
        }
        for l in logs {
            push_log(kept, id, l);
        }
    }

    /// Log lines of an agent, oldest first, filtered by minimum level.
    pub fn logs(&self, id: &str, tail: usize, min_level: Option<&str>) -> Vec<Value> {
        let rank = |l: &str| match l {
            "error" => 4,
            "warn" | "warning" => 3,
            "info" => 2,
            "debug" => 1,
            _ => 0,
        };
        let floor = min_level.map_or(0, rank);
        let inner = self.lock();
        let Some(kept) = inner.logs.get(id) else {
            return Vec::new();
        };
        let lines: Vec<Value> = kept
            .iter()
            .filter(|l| rank(l["level"].as_str().unwrap_or("")) >= floor)
            .cloned()
            .collect();
        lines[lines.len().saturating_sub(tail)..].to_vec()
    }
}

/// What one execution used, for [`Registry::record_run`].
pub struct RunRecord {
    pub cpu_us: u64,
    pub wall_us: u64,
    pub memory_bytes: u64,
    pub error: Option<String>,
}

fn push_log(logs: &mut HashMap<String, VecDeque<Value>>, id: &str, line: Value) {
    let kept = logs.entry(id.to_string()).or_default();
    kept.push_back(line);
    if kept.len() > LOG_LINES_KEPT {
        kept.pop_front();
    }
}

fn change(id: &str, outcome: &str, version: Option<String>, error: Option<String>) -> Change {
    Change {
        agent: id.to_string(),
        outcome: outcome.to_string(),
        version,
        error,
        at: now(),
    }
}
