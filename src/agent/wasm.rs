//! WASM agents in the store (docs/wasm-abi.md): deploy (validate, compile, check the
//! limits, record a version), list, run through the sandbox, record what each
//! execution used, roll back. The CLI and the daemon share these functions.

// Public items not documented yet (`#![warn(missing_docs)]` in lib.rs).
#![allow(missing_docs)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::spec::{CAPABILITY_PATTERN, slug};
use super::versions::{self, NewVersion, VersionRecord};
use super::wasm_minutes::{self, Run};
use crate::Caxton;
use crate::error::{Error, Result};
use crate::memory::{self, Access, MemoryScope};
use crate::runtime::wasm::{
    self, Compiled, Execution, Limits, LogLine, ModuleInfo, Runtime, Services, Stats, WasmError,
    status,
};
use crate::store::{Store, store_err};

/// What an agent may reach outside its sandbox. Both stay false: the
/// sandbox has no network or filesystem host functions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityPolicy {
    #[serde(default)]
    pub network_access: bool,
    #[serde(default)]
    pub file_system_access: bool,
}

/// The content of one WASM agent version (stored as JSON in agent_versions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub name: String,
    pub module_hash: String,
    pub resource_limits: Limits,
    pub capabilities: Vec<String>,
    pub security_policy: SecurityPolicy,
}

/// A deployed WASM agent as list/show/test see it.
#[derive(Debug, Clone, Serialize)]
pub struct WasmAgent {
    pub id: String,
    pub manifest: Manifest,
    pub module: ModuleInfo,
    /// Newest first.
    pub history: Vec<VersionRecord>,
    pub usage: Usage,
}

impl WasmAgent {
    pub fn name(&self) -> &str {
        &self.manifest.name
    }

    pub fn version(&self) -> &str {
        self.history.first().map_or("-", |v| v.version.as_str())
    }
}

/// Accumulated execution statistics of one agent.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Usage {
    pub executions: u64,
    pub failures: u64,
    pub fuel: u64,
    pub cpu_ms: f64,
    pub wall_ms: f64,
    pub peak_memory_bytes: u64,
    /// Failed executions by kind: a limit name, a trap code, `exit`, ...
    pub traps: BTreeMap<String, u64>,
    pub last_error: Option<String>,
    pub last_at: Option<i64>,
}

/// A deploy request: the runbook's REST body and the CLI flags both map here.
pub struct DeployRequest<'a> {
    pub name: &'a str,
    pub module: &'a [u8],
    /// Per-limit values; `None` takes the configured default.
    pub max_memory_bytes: Option<u64>,
    pub max_cpu_millis: Option<u64>,
    pub max_execution_time_ms: Option<u64>,
    pub capabilities: Vec<String>,
    pub security_policy: SecurityPolicy,
    pub source: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deployed {
    pub id: String,
    pub name: String,
    pub version: String,
    pub seq: i64,
    pub changed: bool,
    pub previous_version: Option<String>,
    pub module: ModuleInfo,
    pub resource_limits: Limits,
}

/// The result of `agents test` on a WASM agent.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub agent: String,
    pub output: Value,
    pub stats: Stats,
    pub logs: Vec<LogLine>,
}

/// The process's sandbox, built from the `runtime` config section.
pub fn runtime(cx: &Caxton) -> Runtime {
    let r = &cx.config().runtime;
    Runtime::new(r.wasm_ceilings(), r.wasm_workers as usize)
}

/// Validate, compile and record a WASM agent version.
pub fn deploy(cx: &Caxton, rt: &Runtime, req: &DeployRequest) -> Result<Deployed> {
    let id = slug(req.name);
    if id.is_empty() {
        return Err(Error::Usage {
            message: format!("`{}` is not a usable agent name", req.name),
            hint: "use letters, digits and dashes, e.g. word-count".into(),
        });
    }
    let pattern = regex::Regex::new(CAPABILITY_PATTERN).expect("valid capability pattern");
    if let Some(bad) = req.capabilities.iter().find(|c| !pattern.is_match(c)) {
        return Err(Error::Usage {
            message: format!("capability `{bad}` is not a valid capability name"),
            hint: "lowercase words joined by `.`, `_` or `-`, e.g. text-analysis".into(),
        });
    }
    if req.security_policy != SecurityPolicy::default() {
        return Err(Error::Usage {
            message: "network_access and file_system_access must be false: the WASM sandbox has no network or filesystem host functions".into(),
            hint: "remove security_policy or set both to false".into(),
        });
    }
    let defaults = cx.config().runtime.wasm_default_limits();
    let limits = Limits {
        max_memory_bytes: req.max_memory_bytes.unwrap_or(defaults.max_memory_bytes),
        max_cpu_millis: req.max_cpu_millis.unwrap_or(defaults.max_cpu_millis),
        max_execution_time_ms: req
            .max_execution_time_ms
            .unwrap_or(defaults.max_execution_time_ms),
    };
    let compiled = rt.compile(req.module)?;
    rt.check_limits(&compiled, &limits)?;
    // A config agent file with the same id would make the name ambiguous.
    if let Some(e) = super::catalog::list(cx)?.into_iter().find(|e| e.id == id) {
        return Err(Error::Conflict {
            message: format!("`{id}` is already a config agent ({})", e.file().display()),
            hint: "give the WASM agent another name".into(),
        });
    }
    let manifest = Manifest {
        name: req.name.trim().to_string(),
        module_hash: compiled.info.hash.clone(),
        resource_limits: limits,
        capabilities: req.capabilities.clone(),
        security_policy: req.security_policy,
    };
    let content = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
    let version = short(&compiled.info.hash);
    let mut store = cx.store()?;
    let db = store.path().to_path_buf();
    let info = compiled.info.clone();
    let (seq, changed, previous) = store.write(|tx| {
        let sql = |e| store_err(&db, e);
        if versions::kind_of(tx, &id).map_err(sql)?.as_deref() == Some("config") {
            return Err(Error::Conflict {
                message: format!("`{id}` is already registered as a config agent"),
                hint: "give the WASM agent another name".into(),
            });
        }
        let latest = versions::latest(tx, &id).map_err(sql)?;
        if let Some(l) = latest
            .as_ref()
            .filter(|l| l.content_hash == versions::hash(&content))
        {
            return Ok((l.seq, false, None));
        }
        tx.execute(
            "INSERT INTO wasm_modules (hash, bytes, size, abi, initial_memory_bytes, imports, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (hash) DO NOTHING",
            params![
                info.hash,
                req.module,
                info.size as i64,
                info.abi.as_str(),
                info.initial_memory_bytes as i64,
                serde_json::to_string(&info.imports).unwrap_or_else(|_| "[]".into()),
                versions::now_ms()
            ],
        )
        .map_err(sql)?;
        let seq = versions::record(
            tx,
            &NewVersion {
                id: &id,
                kind: "wasm",
                name: &manifest.name,
                file_name: "",
                version: &version,
                content: &content,
                source: req.source,
                action: "deploy",
            },
        )
        .map_err(sql)?;
        Ok((seq, true, latest.map(|l| l.version)))
    })?;
    Ok(Deployed {
        id,
        name: manifest.name,
        version,
        seq,
        changed,
        previous_version: previous,
        module: info,
        resource_limits: limits,
    })
}

/// `blake3:` and the first 12 hex digits: the version label of a module.
fn short(hash: &str) -> String {
    format!("blake3:{}", &hash[..12.min(hash.len())])
}

/// Every WASM agent in the store, by id.
pub fn list(cx: &Caxton) -> Result<Vec<WasmAgent>> {
    let Some(store) = cx.store_if_exists()? else {
        return Ok(Vec::new());
    };
    let ids: Vec<String> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT id FROM agents WHERE kind = 'wasm' ORDER BY id")
            .map_err(|e| store_err(store.path(), e))?;
        stmt.query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| store_err(store.path(), e))?
    };
    ids.iter().map(|id| load(&store, id)).collect()
}

fn load(store: &Store, id: &str) -> Result<WasmAgent> {
    let history = versions::history(store, id)?;
    let current = history.first().ok_or_else(|| Error::AgentNotFound {
        name: id.to_string(),
        suggestions: Vec::new(),
    })?;
    let content = versions::content(store, current.seq)?;
    let manifest: Manifest = serde_json::from_slice(&content).map_err(|e| Error::Usage {
        message: format!("stored manifest of `{id}` is unreadable: {e}"),
        hint: "redeploy the agent".into(),
    })?;
    let sql = |e| store_err(store.path(), e);
    let module = store
        .conn()
        .query_row(
            "SELECT size, abi, initial_memory_bytes, imports FROM wasm_modules WHERE hash = ?1",
            [&manifest.module_hash],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )
        .map_err(sql)?;
    let module = ModuleInfo {
        hash: manifest.module_hash.clone(),
        size: module.0 as u64,
        abi: serde_json::from_value(Value::String(module.1)).unwrap_or(wasm::Abi::CaxtonV1),
        initial_memory_bytes: module.2 as u64,
        imports: serde_json::from_str(&module.3).unwrap_or_default(),
    };
    let usage = store
        .conn()
        .query_row(
            "SELECT executions, failures, fuel, cpu_us, wall_us, peak_memory_bytes, traps, last_error, last_at
             FROM wasm_stats WHERE agent_id = ?1",
            [id],
            |r| {
                Ok(Usage {
                    executions: r.get::<_, i64>(0)? as u64,
                    failures: r.get::<_, i64>(1)? as u64,
                    fuel: r.get::<_, i64>(2)? as u64,
                    cpu_ms: r.get::<_, i64>(3)? as f64 / 1000.0,
                    wall_ms: r.get::<_, i64>(4)? as f64 / 1000.0,
                    peak_memory_bytes: r.get::<_, i64>(5)? as u64,
                    traps: serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
                    last_error: r.get(7)?,
                    last_at: r.get(8)?,
                })
            },
        )
        .optional()
        .map_err(sql)?
        .unwrap_or_default();
    Ok(WasmAgent {
        id: id.to_string(),
        manifest,
        module,
        history,
        usage,
    })
}

/// The WASM agent called `name` (id or name, case-insensitively), if any.
pub fn find(cx: &Caxton, name: &str) -> Result<Option<WasmAgent>> {
    let Some(store) = cx.store_if_exists()? else {
        return Ok(None);
    };
    let id: Option<String> = store
        .conn()
        .query_row(
            "SELECT id FROM agents WHERE kind = 'wasm' AND (id = ?1 OR lower(name) = lower(?2) OR id = ?3)",
            params![name, name, slug(name)],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| store_err(store.path(), e))?;
    id.map(|id| load(&store, &id)).transpose()
}

/// How long an execution's memory calls wait for a store connection.
pub const STORE_WAIT: Duration = Duration::from_secs(5);

/// Run `agent` once with `input`, record what it used, and return its JSON
/// output or the error that stopped it.
pub fn run(cx: &Caxton, rt: &Runtime, agent: &WasmAgent, input: Value) -> Result<RunReport> {
    let mut store = cx.store()?;
    let compiled = compile(&store, rt, agent)?;
    let services = MemoryServices::new(cx.memory().clone(), &agent.id);
    let done = execute(rt, agent, &compiled, input, services);
    record(
        &mut store,
        &agent.id,
        &done.stats,
        done.output.as_ref().err(),
    )?;
    Ok(RunReport {
        agent: agent.id.clone(),
        output: done.output?,
        stats: done.stats,
        logs: done.logs,
    })
}

/// `agent`'s module, compiled (the runtime caches compilations by content).
pub fn compile(store: &Store, rt: &Runtime, agent: &WasmAgent) -> Result<Arc<Compiled>> {
    let bytes = module_bytes(store, &agent.module.hash)?;
    Ok(rt.compile(&bytes)?)
}

/// One execution's output (or the error that stopped it) and what it used.
pub struct Executed {
    pub output: Result<Value, WasmError>,
    pub stats: Stats,
    pub logs: Vec<LogLine>,
}

/// Execute `agent`'s `compiled` module on `input`. Recording the outcome is
/// the caller's: the CLI writes it at once, the daemon in batches.
pub fn execute(
    rt: &Runtime,
    agent: &WasmAgent,
    compiled: &Compiled,
    input: Value,
    services: MemoryServices,
) -> Executed {
    let request = json!({
        "input": input,
        "agent": agent.id,
        "conversation_id": null,
        "sender": "cli",
    });
    let request = serde_json::to_vec(&request).expect("request serialises");
    let Execution {
        result,
        stats,
        logs,
        ..
    } = rt.execute(
        &agent.id,
        compiled,
        &agent.manifest.resource_limits,
        &request,
        Box::new(services),
    );
    Executed {
        output: result.and_then(|out| parse_output(&out)),
        stats,
        logs,
    }
}

/// The stored bytes of the module with content hash `hash`.
pub fn module_bytes(store: &Store, hash: &str) -> Result<Vec<u8>> {
    store
        .conn()
        .query_row(
            "SELECT bytes FROM wasm_modules WHERE hash = ?1",
            [hash],
            |r| r.get(0),
        )
        .map_err(|e| store_err(store.path(), e))
}

/// The guest's output must be JSON; `{"error": ...}` is its way to fail.
pub fn parse_output(out: &[u8]) -> Result<Value, WasmError> {
    let value: Value = serde_json::from_slice(out).map_err(|e| WasmError::Abi {
        reason: format!(
            "the output is not JSON ({e}): {:?}",
            String::from_utf8_lossy(&out[..out.len().min(200)])
        ),
    })?;
    match value.get("error") {
        Some(err) if value.as_object().is_some_and(|o| o.len() == 1) => Err(WasmError::Agent {
            message: err.as_str().map_or_else(|| err.to_string(), str::to_string),
        }),
        _ => Ok(value),
    }
}

/// Add one execution to the agent's statistics.
fn record(store: &mut Store, id: &str, stats: &Stats, error: Option<&WasmError>) -> Result<()> {
    let db = store.path().to_path_buf();
    store.write(|tx| record_in(tx, id, &[(*stats, error)]).map_err(|e| store_err(&db, e)))
}

/// Executions of one agent not yet recorded: message delivery and the
/// daemon record them per batch, in one transaction. Each execution is
/// kept (not summed) for the latency histograms of `agents metrics --last`.
#[derive(Default)]
pub struct Runs {
    runs: Vec<(Stats, Option<WasmError>)>,
}

impl Runs {
    /// One more execution: what it used, and why it failed if it did.
    pub fn add(&mut self, stats: &Stats, error: Option<WasmError>) {
        self.runs.push((*stats, error));
    }

    /// Add these executions to `id`'s statistics inside the caller's transaction.
    pub fn record_in(&self, tx: &rusqlite::Connection, id: &str) -> rusqlite::Result<()> {
        let runs: Vec<Run> = self.runs.iter().map(|(s, e)| (*s, e.as_ref())).collect();
        record_in(tx, id, &runs)
    }
}

/// Add executions inside the caller's transaction (message delivery records
/// a whole batch per agent at once): the agent's running totals here, and
/// its minute in [`wasm_minutes`] for `agents metrics --last`.
fn record_in(tx: &rusqlite::Connection, id: &str, runs: &[Run]) -> rusqlite::Result<()> {
    if runs.is_empty() {
        return Ok(());
    }
    let now = versions::now_ms();
    let traps: String = tx
        .prepare_cached("SELECT traps FROM wasm_stats WHERE agent_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "{}".into());
    let mut traps: BTreeMap<String, u64> = serde_json::from_str(&traps).unwrap_or_default();
    let mut sum = Stats::default();
    let mut failures = 0i64;
    for (stats, error) in runs {
        if let Some(e) = error {
            failures += 1;
            *traps.entry(e.kind()).or_default() += 1;
        }
        sum.fuel += stats.fuel;
        sum.cpu_us += stats.cpu_us;
        sum.wall_us += stats.wall_us;
        sum.peak_memory_bytes = sum.peak_memory_bytes.max(stats.peak_memory_bytes);
    }
    let last_error = runs.iter().rev().find_map(|(_, e)| *e);
    tx.prepare_cached(
        "INSERT INTO wasm_stats (agent_id, executions, failures, fuel, cpu_us, wall_us, peak_memory_bytes, traps, last_error, last_at)
         VALUES (?1, ?10, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (agent_id) DO UPDATE SET
             executions = executions + excluded.executions,
             failures = failures + excluded.failures,
             fuel = fuel + excluded.fuel,
             cpu_us = cpu_us + excluded.cpu_us,
             wall_us = wall_us + excluded.wall_us,
             peak_memory_bytes = max(peak_memory_bytes, excluded.peak_memory_bytes),
             traps = excluded.traps,
             last_error = coalesce(excluded.last_error, last_error),
             last_at = excluded.last_at",
    )?
    .execute(params![
            id,
            failures,
            sum.fuel as i64,
            sum.cpu_us as i64,
            sum.wall_us as i64,
            sum.peak_memory_bytes as i64,
            serde_json::to_string(&traps).unwrap_or_else(|_| "{}".into()),
            last_error.map(ToString::to_string),
            now,
            runs.len() as i64
        ])?;
    wasm_minutes::add(tx, id, now, runs)
}

/// Restore version `to` (by default the newest earlier version whose
/// manifest differs from the current one).
pub fn rollback(cx: &Caxton, agent: &WasmAgent, to: Option<i64>) -> Result<Deployed> {
    let mut store = cx.store()?;
    let current = agent.history.first().map(|v| v.content_hash.as_str());
    let previous = super::history::rollback_target(&agent.id, &agent.history, current, to)?;
    let content = versions::content(&store, previous.seq)?;
    let manifest: Manifest = serde_json::from_slice(&content).map_err(|e| Error::Usage {
        message: format!("stored manifest #{} is unreadable: {e}", previous.seq),
        hint: "deploy the module again instead".into(),
    })?;
    let db = store.path().to_path_buf();
    let seq = store.write(|tx| {
        versions::record(
            tx,
            &NewVersion {
                id: &agent.id,
                kind: "wasm",
                name: &manifest.name,
                file_name: "",
                version: &previous.version,
                content: &content,
                source: &format!("rollback to #{} ({})", previous.seq, previous.version),
                action: "rollback",
            },
        )
        .map_err(|e| store_err(&db, e))
    })?;
    let restored = load(&store, &agent.id)?;
    Ok(Deployed {
        id: agent.id.clone(),
        name: manifest.name,
        version: previous.version,
        seq,
        changed: true,
        previous_version: Some(agent.version().to_string()),
        module: restored.module,
        resource_limits: manifest.resource_limits,
    })
}

/// The agent's memory, in its own agent scope: `memory_store` writes
/// entities and observations, `memory_search` is a keyword search (the
/// embedding model is too slow to load per execution).
pub struct MemoryServices {
    /// The memory service (whatever backend serves it); its
    /// `memory.max_entities` counts a WASM agent's writes too.
    memory: std::sync::Arc<memory::Memory>,
    agent: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreRequest {
    #[serde(default)]
    entities: Vec<memory::Entity>,
    #[serde(default)]
    observations: Vec<memory::graph::ObservationAdd>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchRequest {
    query: String,
    #[serde(default)]
    limit: Option<usize>,
}

impl MemoryServices {
    /// Memory services for `agent`, over the memory service.
    pub fn new(memory: std::sync::Arc<memory::Memory>, agent: &str) -> MemoryServices {
        MemoryServices {
            memory,
            agent: agent.to_string(),
        }
    }

    fn access(&self) -> Access {
        Access {
            agent: Some(self.agent.clone()),
            workspace: None,
            write_scope: MemoryScope::Agent,
        }
    }
}

impl Services for MemoryServices {
    fn send_message(&mut self, _message: &[u8]) -> Result<(), i32> {
        // Messaging between agents arrives with the messaging issue.
        Err(status::NOT_AVAILABLE)
    }

    fn memory_search(&mut self, query: &[u8]) -> Result<Vec<u8>, i32> {
        let req: SearchRequest = serde_json::from_slice(query).map_err(|_| status::BAD_ARGS)?;
        let access = self.access();
        let opts = memory::search::Options {
            limit: req.limit.unwrap_or(10).clamp(1, 100),
            ..Default::default()
        };
        let hits = self
            .memory
            .keyword(&access, &req.query, &opts)
            .map_err(|_| status::FAILED)?;
        serde_json::to_vec(&json!({ "results": hits })).map_err(|_| status::FAILED)
    }

    fn memory_store(&mut self, payload: &[u8]) -> Result<(), i32> {
        let req: StoreRequest = serde_json::from_slice(payload).map_err(|_| status::BAD_ARGS)?;
        let access = self.access();
        if !req.entities.is_empty() {
            self.memory
                .create_entities(&access, &req.entities)
                .map_err(|_| status::BAD_ARGS)?;
        }
        if !req.observations.is_empty() {
            self.memory
                .add_observations(&access, &req.observations)
                .map_err(|_| status::BAD_ARGS)?;
        }
        Ok(())
    }
}

/// Undeploy a WASM agent: its registry entry, versions and statistics go in
/// one transaction. Module bytes stay (content-addressed, maybe shared).
pub fn remove(cx: &Caxton, agent: &WasmAgent) -> Result<()> {
    let mut store = cx.store()?;
    let db = store.path().to_path_buf();
    store.write(|tx| {
        let sql = |e| store_err(&db, e);
        for q in [
            "DELETE FROM wasm_stats WHERE agent_id = ?1",
            "DELETE FROM wasm_minutes WHERE agent_id = ?1",
            "DELETE FROM agent_versions WHERE agent_id = ?1",
            "DELETE FROM agents WHERE id = ?1 AND kind = 'wasm'",
        ] {
            tx.execute(q, [&agent.id]).map_err(sql)?;
        }
        Ok(())
    })
}
