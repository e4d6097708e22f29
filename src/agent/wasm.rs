//! WASM agents in the store (docs/wasm-abi.md): deploy (validate, compile, check the
//! limits, record a version), list, run through the sandbox, record what each
//! execution used, roll back. The CLI and the daemon share these functions.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

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

/// What an agent may reach outside its sandbox. `file_system_access` stays
/// false (there are no filesystem host functions); `network_access` lets an
/// Extism plug-in's `http_request` through its [`PluginSettings::http_client`]
/// policy, and stays false for the other ABIs (they have no network host
/// functions).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityPolicy {
    #[serde(default)]
    pub(crate) network_access: bool,
    #[serde(default)]
    pub(crate) file_system_access: bool,
}

/// The content of one WASM agent version (stored as JSON in agent_versions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub(crate) name: String,
    pub(crate) module_hash: String,
    pub(crate) resource_limits: Limits,
    pub(crate) capabilities: Vec<String>,
    pub(crate) security_policy: SecurityPolicy,
    /// An Extism plug-in's deployment settings (absent for the other ABIs,
    /// so their stored manifests are unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<PluginSettings>,
}

/// What an Extism plug-in gets from its deployment (docs/wasm-abi.md,
/// "Extism plug-ins").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginSettings {
    /// What the plug-in's `config::get(key)` returns.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, String>,
    /// The export a message to the agent calls ([`wasm::DEFAULT_HANDLER`]
    /// when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// The `http_client` tool's settings (`allowed_domains`,
    /// `allow_private_networks`, `timeout`, `max_response_size`), the policy
    /// `http_request` runs under when `network_access` is true.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub http_client: Map<String, Value>,
}

impl PluginSettings {
    /// The export a message calls.
    pub fn handler(&self) -> &str {
        self.handler.as_deref().unwrap_or(wasm::DEFAULT_HANDLER)
    }
}

/// The most bytes (keys plus values) one agent's variables may hold, as
/// Extism's own default.
pub const MAX_VAR_BYTES: u64 = 1024 * 1024;

/// The `http_client` settings an Extism deployment may give.
const HTTP_CLIENT_KEYS: &[&str] = &[
    "allowed_domains",
    "allow_private_networks",
    "timeout",
    "max_response_size",
];

/// A deployed WASM agent as list/show/test see it.
#[derive(Debug, Clone, Serialize)]
pub struct WasmAgent {
    pub(crate) id: String,
    pub(crate) manifest: Manifest,
    pub(crate) module: ModuleInfo,
    /// Newest first.
    pub history: Vec<VersionRecord>,
    pub(crate) usage: Usage,
}

impl WasmAgent {
    pub(crate) fn name(&self) -> &str {
        &self.manifest.name
    }

    pub(crate) fn version(&self) -> &str {
        self.history.first().map_or("-", |v| v.version.as_str())
    }
}

/// Accumulated execution statistics of one agent.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Usage {
    pub(crate) executions: u64,
    pub(crate) failures: u64,
    pub(crate) fuel: u64,
    pub(crate) cpu_ms: f64,
    pub(crate) wall_ms: f64,
    pub(crate) peak_memory_bytes: u64,
    /// Failed executions by kind: a limit name, a trap code, `exit`, ...
    pub traps: BTreeMap<String, u64>,
    pub(crate) last_error: Option<String>,
    pub(crate) last_at: Option<i64>,
}

/// A deploy request: the runbook's REST body and the CLI flags both map here.
pub struct DeployRequest<'a> {
    /// The agent's name (its id is derived from it).
    pub name: &'a str,
    /// The module's bytes (`.wasm`, or `.wat` already compiled).
    pub module: &'a [u8],
    /// Per-limit values; `None` takes the configured default.
    pub max_memory_bytes: Option<u64>,
    /// CPU time per execution, in milliseconds; `None` takes the default.
    pub max_cpu_millis: Option<u64>,
    /// Wall-clock time per execution, in milliseconds; `None` takes the
    /// default.
    pub max_execution_time_ms: Option<u64>,
    /// Capabilities the agent offers (messages addressed to them reach it).
    pub capabilities: Vec<String>,
    /// What the agent may reach outside the sandbox.
    pub security_policy: SecurityPolicy,
    /// Extism plug-in settings; refused for the other ABIs.
    pub plugin: Option<PluginSettings>,
    /// The path the module was read from, recorded in the version history.
    pub source: &'a str,
}

/// The result of deploying (or rolling back) a WASM agent, as
/// `agents deploy --json` prints it: the agent's id and name, the version now
/// deployed, whether it changed, and the module and limits in force.
#[derive(Debug, Clone, Serialize)]
pub struct Deployed {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) seq: i64,
    pub(crate) changed: bool,
    pub(crate) previous_version: Option<String>,
    pub(crate) module: ModuleInfo,
    pub(crate) resource_limits: Limits,
}

/// The result of `agents test` on a WASM agent.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub(crate) agent: String,
    pub(crate) output: Value,
    pub(crate) stats: Stats,
    pub(crate) logs: Vec<LogLine>,
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
    if req.security_policy.file_system_access {
        return Err(Error::Usage {
            message: "file_system_access must be false: the WASM sandbox has no filesystem host functions".into(),
            hint: "remove security_policy.file_system_access or set it to false".into(),
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
    let plugin = plugin_settings(&compiled.info, req)?;
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
        plugin,
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
                crate::clock::now_ms()
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

/// The settings an Extism plug-in is deployed with, checked: a handler it
/// exports, known `http_client` keys. Plug-in settings and network access
/// for a module of another ABI are refused (they would be ignored).
fn plugin_settings(info: &ModuleInfo, req: &DeployRequest) -> Result<Option<PluginSettings>> {
    if info.abi != wasm::Abi::Extism {
        if req
            .plugin
            .as_ref()
            .is_some_and(|p| *p != PluginSettings::default())
        {
            return Err(Error::Usage {
                message: format!(
                    "config, handler and http_client apply to Extism plug-ins; this module is {}",
                    info.abi.as_str()
                ),
                hint: "remove them, or deploy a module built with an Extism PDK".into(),
            });
        }
        if req.security_policy.network_access {
            return Err(Error::Usage {
                message: format!(
                    "network_access must be false for a {} module: only Extism plug-ins have a network host function (http_request)",
                    info.abi.as_str()
                ),
                hint: "remove security_policy.network_access or set it to false".into(),
            });
        }
        return Ok(None);
    }
    let settings = req.plugin.clone().unwrap_or_default();
    if let Some(h) = &settings.handler
        && !info.functions.contains(h)
    {
        return Err(Error::Usage {
            message: format!(
                "handler `{h}` is not a function of the plug-in; it exports: {}",
                info.functions.join(", ")
            ),
            hint: "name one of those, or leave the handler out to use `handle`".into(),
        });
    }
    if let Some(k) = settings
        .http_client
        .keys()
        .find(|k| !HTTP_CLIENT_KEYS.contains(&k.as_str()))
    {
        return Err(Error::Usage {
            message: format!("http_client setting `{k}` is unknown"),
            hint: format!("the settings are: {}", HTTP_CLIENT_KEYS.join(", ")),
        });
    }
    if !settings.http_client.is_empty() && !req.security_policy.network_access {
        return Err(Error::Usage {
            message: "http_client settings are given but network_access is false, so http_request is refused anyway".into(),
            hint: "also allow network access (--network-access, or \"security_policy\": {\"network_access\": true})".into(),
        });
    }
    Ok(Some(settings))
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
        // Known once compiled (`Compiled::info`); not stored.
        functions: Vec::new(),
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

/// Run `agent` once with `input` (calling the Extism plug-in function
/// `function`, if given), record what it used, and return its JSON output
/// or the error that stopped it.
pub fn run(
    cx: &Caxton,
    rt: &Runtime,
    agent: &WasmAgent,
    input: Value,
    function: Option<&str>,
) -> Result<RunReport> {
    let mut store = cx.store()?;
    let compiled = compile(&store, rt, agent)?;
    check_function(agent, &compiled, function)?;
    let services = MemoryServices::new(cx.memory().clone(), &agent.id).with_plugin(
        cx,
        &agent.id,
        agent.manifest.plugin_deployment(),
    );
    let done = execute(rt, agent, &compiled, input, function, services);
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
    pub(crate) output: Result<Value, WasmError>,
    pub(crate) stats: Stats,
    pub(crate) logs: Vec<LogLine>,
}

/// `function` (from `agents test --function` or the execute endpoint's
/// `"function"`) names an export of an Extism plug-in; refused for other
/// modules, which have one entry point.
pub fn check_function(
    agent: &WasmAgent,
    compiled: &Compiled,
    function: Option<&str>,
) -> Result<()> {
    let Some(f) = function else { return Ok(()) };
    let info = &compiled.info;
    if info.abi != wasm::Abi::Extism {
        return Err(Error::Usage {
            message: format!(
                "`{}` is a {} module with one entry point: a function name applies to Extism plug-ins only",
                agent.id,
                info.abi.as_str()
            ),
            hint: "leave out --function (or \"function\")".into(),
        });
    }
    if !info.functions.iter().any(|x| x == f) {
        return Err(Error::Usage {
            message: format!(
                "the plug-in `{}` exports no function `{f}` of type () -> i32",
                agent.id
            ),
            hint: format!("it exports: {}", info.functions.join(", ")),
        });
    }
    Ok(())
}

/// Execute `agent`'s `compiled` module on `input` (an Extism plug-in's
/// `function`, or its handler). Recording the outcome is the caller's: the
/// CLI writes it at once, the daemon in batches.
pub fn execute(
    rt: &Runtime,
    agent: &WasmAgent,
    compiled: &Compiled,
    input: Value,
    function: Option<&str>,
    services: MemoryServices,
) -> Executed {
    let handler = agent.manifest.plugin.as_ref().map(PluginSettings::handler);
    let (request, function) = match compiled.info.abi {
        wasm::Abi::Extism => (plugin_input(&input), function.or(handler)),
        wasm::Abi::CaxtonV1 | wasm::Abi::WasiCommand => {
            let request = json!({
                "input": input,
                "agent": agent.id,
                "conversation_id": null,
                "sender": "cli",
            });
            (
                serde_json::to_vec(&request).expect("request serialises"),
                function,
            )
        }
    };
    let Execution {
        result,
        stats,
        logs,
        ..
    } = rt.execute_function(
        &agent.id,
        compiled,
        &agent.manifest.resource_limits,
        function,
        &request,
        Box::new(services),
    );
    Executed {
        output: result.and_then(|out| output(compiled, &out)),
        stats,
        logs,
    }
}

/// An Extism plug-in's input bytes for a JSON value: a string is passed as
/// its text, anything else as JSON.
pub fn plugin_input(input: &Value) -> Vec<u8> {
    match input {
        Value::String(s) => s.as_bytes().to_vec(),
        v => serde_json::to_vec(v).expect("JSON serialises"),
    }
}

/// An execution's output as JSON. ABI v1 and WASI agents must answer JSON
/// ([`parse_output`]); an Extism plug-in's output is JSON when it parses as
/// JSON and a string of its text otherwise (it reports errors through
/// `error_set`, not `{"error": ...}`).
pub fn output(compiled: &Compiled, out: &[u8]) -> Result<Value, WasmError> {
    if compiled.info.abi != wasm::Abi::Extism {
        return parse_output(out);
    }
    if let Ok(v) = serde_json::from_slice(out) {
        return Ok(v);
    }
    String::from_utf8(out.to_vec())
        .map(Value::String)
        .map_err(|_| WasmError::Abi {
            reason: format!(
                "the plug-in's output is neither JSON nor UTF-8 text ({} bytes)",
                out.len()
            ),
        })
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
    let now = crate::clock::now_ms();
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

/// What an Extism plug-in's host side needs from its manifest.
#[derive(Debug, Clone)]
pub struct PluginDeployment {
    pub(crate) settings: PluginSettings,
    pub(crate) network_access: bool,
}

impl Manifest {
    /// The plug-in settings, for an Extism plug-in.
    pub fn plugin_deployment(&self) -> Option<PluginDeployment> {
        self.plugin.as_ref().map(|settings| PluginDeployment {
            settings: settings.clone(),
            network_access: self.security_policy.network_access,
        })
    }
}

/// The host side of an Extism plug-in: its deployment's config, its
/// variables in the store (table `wasm_vars`, opened on first use), and
/// `http_request` through the `http_client` tool itself, so the same
/// private-address checks and allow-list apply.
pub struct PluginServices {
    agent: String,
    db: std::path::PathBuf,
    workspace: std::path::PathBuf,
    deployment: PluginDeployment,
    store: Option<Store>,
}

impl PluginServices {
    fn store(&mut self) -> Result<&mut Store, wasm::PluginError> {
        if self.store.is_none() {
            let store = Store::open(&self.db).map_err(vars_error)?;
            self.store = Some(store);
        }
        self.store
            .as_mut()
            .ok_or_else(|| wasm::PluginError::new("vars", "the store is not open"))
    }
}

fn vars_error(e: Error) -> wasm::PluginError {
    wasm::PluginError::new("vars", format!("variables: {e}"))
}

impl wasm::PluginHost for PluginServices {
    fn config(&self, key: &str) -> Option<String> {
        self.deployment.settings.config.get(key).cloned()
    }

    fn var_get(&mut self, key: &str) -> std::result::Result<Option<Vec<u8>>, wasm::PluginError> {
        let agent = self.agent.clone();
        let store = self.store()?;
        store
            .conn()
            .query_row(
                "SELECT value FROM wasm_vars WHERE agent_id = ?1 AND key = ?2",
                params![agent, key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| vars_error(store_err(store.path(), e)))
    }

    fn var_set(
        &mut self,
        key: &str,
        value: Option<&[u8]>,
    ) -> std::result::Result<(), wasm::PluginError> {
        let agent = self.agent.clone();
        let store = self.store()?;
        let db = store.path().to_path_buf();
        let full = store.write(|tx| {
            let sql = |e| store_err(&db, e);
            let Some(value) = value else {
                tx.execute(
                    "DELETE FROM wasm_vars WHERE agent_id = ?1 AND key = ?2",
                    params![agent, key],
                )
                .map_err(sql)?;
                return Ok(None);
            };
            let others: i64 = tx
                .query_row(
                    "SELECT coalesce(sum(length(CAST(key AS BLOB)) + length(value)), 0)
                     FROM wasm_vars WHERE agent_id = ?1 AND key <> ?2",
                    params![agent, key],
                    |r| r.get(0),
                )
                .map_err(sql)?;
            let total = others as u64 + (key.len() + value.len()) as u64;
            if total > MAX_VAR_BYTES {
                return Ok(Some(total));
            }
            tx.execute(
                "INSERT INTO wasm_vars (agent_id, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (agent_id, key) DO UPDATE SET value = excluded.value",
                params![agent, key, value],
            )
            .map_err(sql)?;
            Ok(None)
        });
        match full.map_err(vars_error)? {
            None => Ok(()),
            Some(total) => Err(wasm::PluginError::new(
                "vars",
                format!(
                    "var_set `{key}`: the agent's variables would take {total} bytes, over the {MAX_VAR_BYTES}-byte cap (keys plus values)"
                ),
            )),
        }
    }

    fn http_request(
        &mut self,
        request: &wasm::HttpRequest,
        body: Option<&[u8]>,
        timeout: Duration,
    ) -> std::result::Result<wasm::HttpResponse, wasm::PluginError> {
        use crate::tools::{self, ToolContext, ToolError};
        let refused = |message: String, hint: &str| {
            wasm::PluginError::new("http_denied", format!("{message} ({hint})"))
        };
        if !self.deployment.network_access {
            return Err(refused(
                format!(
                    "http_request to {} refused: the agent has no network access",
                    request.url
                ),
                "redeploy it with --network-access and an --http-client policy",
            ));
        }
        let mut args = json!({
            "url": request.url,
            "method": request.method.as_deref().unwrap_or("GET").to_ascii_uppercase(),
            "headers": request.headers,
            // The tool takes seconds; what is left of the execution's wall time.
            "timeout": timeout.as_secs_f64().max(0.001),
        });
        if let Some(body) = body {
            let text = std::str::from_utf8(body).map_err(|_| {
                wasm::PluginError::new(
                    "http_failed",
                    "http_request: a request body must be UTF-8 text in Caxton",
                )
            })?;
            args["body"] = json!(text);
        }
        let ctx = ToolContext {
            workspace: self.workspace.clone(),
            read_root: Some(self.workspace.clone()),
            config: self.deployment.settings.http_client.clone(),
            memory: None,
            messaging: None,
        };
        let tool = tools::find("http_client")
            .map_err(|e| wasm::PluginError::new("http_failed", e.to_string()))?;
        let result = tools::invoke(tool, &ctx, args).map_err(|e| match e {
            // The tool's hint names its config table: for a plug-in that
            // table is the deployment's --http-client JSON.
            ToolError::Denied { message, hint } => refused(
                message,
                &format!("{hint}; for this agent that table is its deploy --http-client JSON"),
            ),
            e => wasm::PluginError::new("http_failed", format!("http_request: {e}")),
        })?;
        let headers = result["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Value::Array(all) => all
                                .iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(", "),
                            v => v.as_str().unwrap_or_default().to_string(),
                        };
                        (k.clone(), v)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let text = result["body"].as_str().unwrap_or_default();
        let body = if result["body_encoding"] == "base64" {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| wasm::PluginError::new("http_failed", format!("http_request: {e}")))?
        } else {
            text.as_bytes().to_vec()
        };
        Ok(wasm::HttpResponse {
            status: result["status"].as_u64().unwrap_or(0) as u16,
            headers,
            body,
        })
    }
}

/// The agent's memory, in its own agent scope: `memory_store` writes
/// entities and observations, `memory_search` is a keyword search (the
/// embedding model is too slow to load per execution).
pub struct MemoryServices {
    /// The memory service (whatever backend serves it); its
    /// `memory.max_entities` counts a WASM agent's writes too.
    memory: std::sync::Arc<memory::Memory>,
    agent: String,
    /// An Extism plug-in's host side.
    plugin: Option<PluginServices>,
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
            plugin: None,
        }
    }

    /// With an Extism plug-in's host side, for `deployment` of `agent`.
    pub fn with_plugin(
        mut self,
        cx: &Caxton,
        agent: &str,
        deployment: Option<PluginDeployment>,
    ) -> MemoryServices {
        self.plugin = deployment.map(|deployment| PluginServices {
            agent: agent.to_string(),
            db: cx.paths().db(),
            workspace: cx.paths().workspace(agent),
            deployment,
            store: None,
        });
        self
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

    fn plugin(&mut self) -> Option<&mut dyn wasm::PluginHost> {
        self.plugin.as_mut().map(|p| p as &mut dyn wasm::PluginHost)
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
            "DELETE FROM wasm_vars WHERE agent_id = ?1",
            "DELETE FROM agent_versions WHERE agent_id = ?1",
            "DELETE FROM agents WHERE id = ?1 AND kind = 'wasm'",
        ] {
            tx.execute(q, [&agent.id]).map_err(sql)?;
        }
        Ok(())
    })
}
