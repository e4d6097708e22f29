//! Server configuration (README "Configuration", docs/operations.md): defaults, a TOML or YAML file, environment
//! overrides and command-line flags, in that order of increasing precedence.
//!
//! Layering happens on a JSON tree rather than on the typed struct so every
//! leaf can remember where its value came from (`caxton config show`) and so
//! unknown keys can be reported instead of silently dropped.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::paths::{self, Paths};
use crate::tools::mcp::McpServer;

/// The server config (`caxton.toml` or YAML), one field per table.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `[server]`: the daemon's address, auth and HTTP limits.
    pub server: ServerConfig,
    /// `[llm]`: the default provider of config agents.
    pub llm: LlmConfig,
    /// `[memory]`: the embedded memory and the external backend.
    pub memory: MemoryConfig,
    /// `[runtime]`: timeouts, concurrency and WASM limits.
    pub runtime: RuntimeConfig,
    /// `[observability]`: logging.
    pub observability: ObservabilityConfig,
    /// `[logging]`: where the daemon's log goes.
    pub logging: LoggingConfig,
    /// `[mcp]`: the MCP servers agents may call.
    pub mcp: McpConfig,
    /// `[messaging]`: agent-to-agent messaging limits.
    pub messaging: MessagingConfig,
}

/// `[server]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerConfig {
    /// Address the daemon binds (default 127.0.0.1).
    pub host: String,
    /// API port (default 8080).
    pub port: u16,
    /// Separate Prometheus port; 0 serves metrics on the API port only.
    pub metrics_port: u16,
    /// Data directory (below `--data-dir` and `CAXTON_DATA_DIR`).
    pub data_dir: Option<PathBuf>,
    /// Agents directory (below `--agents-dir` and `CAXTON_AGENTS_DIR`).
    pub agents_dir: Option<PathBuf>,
    /// How long a stopping daemon waits for running work.
    #[serde(with = "humantime_serde")]
    pub shutdown_timeout: Duration,
    /// Bearer token the API requires (masked in `config show`).
    pub auth_token: Option<String>,
    /// A file holding the bearer token, instead of `auth_token`.
    pub auth_token_file: Option<PathBuf>,
    /// Largest HTTP request body accepted (413 beyond it); a 16 MiB WASM
    /// module is ~22 MiB in base64.
    pub max_body_bytes: u64,
    /// Longest a non-execution request may take (504 beyond it).
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// Host names accepted in the `Host` header besides the bound address,
    /// `localhost` and IP literals (e.g. the name a reverse proxy forwards).
    /// Any other name is refused: that is what stops DNS rebinding.
    pub allowed_hosts: Vec<String>,
    /// Open HTTP connections at once; more are answered 503 and closed.
    pub max_connections: u32,
    /// Longest a client may take to send a request's headers (and longest
    /// an idle keep-alive connection stays open).
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// Longest a client may take to send a request's body, from the end of
    /// its headers (408 beyond it): a body that trickles in or stalls does not
    /// hold a connection, or an execution slot, for longer.
    #[serde(with = "humantime_serde")]
    pub body_read_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            host: "127.0.0.1".into(),
            port: 8080,
            metrics_port: 9090,
            data_dir: None,
            agents_dir: None,
            shutdown_timeout: Duration::from_secs(30),
            auth_token: None,
            auth_token_file: None,
            max_body_bytes: 32 << 20,
            request_timeout: Duration::from_secs(30),
            allowed_hosts: Vec::new(),
            max_connections: 512,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
        }
    }
}

/// `[llm]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LlmConfig {
    /// Provider used by agents without their own `[llm]` table.
    pub provider: String,
    /// Model used when neither the agent nor the request names one.
    pub model: Option<String>,
    /// Per-provider settings (`[llm.providers.openai] base_url = ...`).
    pub providers: Map<String, Value>,
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig {
            provider: "local".into(),
            model: None,
            providers: Map::new(),
        }
    }
}

/// The one sentence-embedding model Caxton ships (`memory.model`).
pub const EMBEDDING_MODEL: &str = "all-MiniLM-L6-v2";

/// `[memory]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct MemoryConfig {
    /// Reported by `/health` and `/api/v1/memory/health`; the memory is
    /// always the embedded (SQLite) one.
    pub backend: String,
    /// Name of the embedding model; all-MiniLM-L6-v2 is the only one Caxton
    /// ships, and any other name is a configuration error.
    pub model: String,
    /// Where models are installed (below `CAXTON_MODELS_DIR`).
    pub models_dir: Option<PathBuf>,
    /// Entities the memory holds before writes are refused.
    pub max_entities: u64,
    /// Minimum cosine similarity of the semantic hits in an agent's memory
    /// context, for agents that do not set their own (0 to 1). REST and CLI
    /// searches take theirs from the request (`min_similarity`).
    pub semantic_threshold: f64,
    /// The external backend that `memory migration-check`, `test-connection`
    /// and `emergency-migrate` use.
    pub qdrant: QdrantConfig,
    /// The PostgreSQL + pgvector server that serves memory with
    /// `backend = "postgres"` (and that `memory migrate --to postgres` fills).
    pub postgres: PostgresConfig,
}

/// The memory backends `[memory] backend` accepts.
pub const MEMORY_BACKENDS: &[&str] = &["embedded", "postgres", "qdrant"];

/// Where the PostgreSQL memory is (`[memory.postgres]`,
/// `CAXTON_MEMORY_POSTGRES_URL`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostgresConfig {
    /// `postgres://user:password@host:port/db` or a key=value string;
    /// unset means no PostgreSQL is configured. Its password is never printed.
    pub url: Option<String>,
    /// Connections kept open at most; a caller waits for a free one.
    pub pool_size: u32,
    /// Longest one SQL statement may run (server-side `statement_timeout`).
    #[serde(with = "humantime_serde")]
    pub statement_timeout: Duration,
    /// Longest a connection attempt may take.
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
}

impl Default for PostgresConfig {
    fn default() -> Self {
        PostgresConfig {
            url: None,
            pool_size: 8,
            statement_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// Where a Qdrant server is (`[memory.qdrant]`, or a file of the same keys
/// given to `memory test-connection --config`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QdrantConfig {
    /// e.g. `http://localhost:6333`; unset means no Qdrant is configured.
    pub url: Option<String>,
    /// Sent as `api-key`; never printed.
    pub api_key: Option<String>,
    /// The collection to read and write.
    pub collection: String,
    /// Deadline of each request.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
}

impl Default for QdrantConfig {
    fn default() -> Self {
        QdrantConfig {
            url: None,
            api_key: None,
            collection: "caxton_memory".into(),
            timeout: Duration::from_secs(10),
        }
    }
}

impl Default for MemoryConfig {
    fn default() -> Self {
        MemoryConfig {
            backend: "embedded".into(),
            model: EMBEDDING_MODEL.into(),
            models_dir: None,
            max_entities: 100_000,
            semantic_threshold: 0.6,
            qdrant: QdrantConfig::default(),
            postgres: PostgresConfig::default(),
        }
    }
}

/// `[runtime]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RuntimeConfig {
    /// Longest a config agent's run may take.
    #[serde(with = "humantime_serde")]
    pub agent_timeout: Duration,
    /// Executions the daemon runs at once; more are refused (503).
    pub max_concurrent_executions: u32,
    /// WASM executions running at once (0 = one per CPU core); more wait.
    pub wasm_workers: u32,
    /// WASM ceilings: no agent gets more, whatever it was deployed with.
    pub wasm_max_module_bytes: u64,
    /// Ceiling of an agent's linear memory.
    pub wasm_max_memory_bytes: u64,
    /// Ceiling of an execution's thread CPU time.
    pub wasm_max_cpu_millis: u64,
    /// Ceiling of an execution's wall time.
    pub wasm_max_execution_time_ms: u64,
    /// Ceiling of the call stack depth.
    pub wasm_max_recursion_depth: u32,
    /// Ceiling of an execution's input.
    pub wasm_max_input_bytes: u64,
    /// Ceiling of an execution's output.
    pub wasm_max_output_bytes: u64,
    /// Limits of a WASM agent deployed without explicit ones.
    pub wasm_default_memory_bytes: u64,
    /// Default thread CPU time of an execution.
    pub wasm_default_cpu_millis: u64,
    /// Default wall time of an execution.
    pub wasm_default_execution_time_ms: u64,
}

impl RuntimeConfig {
    /// The `wasm_max_*` settings as the runtime's ceilings.
    pub fn wasm_ceilings(&self) -> crate::runtime::wasm::Ceilings {
        crate::runtime::wasm::Ceilings {
            max_module_bytes: self.wasm_max_module_bytes,
            max_memory_bytes: self.wasm_max_memory_bytes,
            max_cpu_millis: self.wasm_max_cpu_millis,
            max_execution_time_ms: self.wasm_max_execution_time_ms,
            max_recursion_depth: self.wasm_max_recursion_depth,
            max_input_bytes: self.wasm_max_input_bytes,
            max_output_bytes: self.wasm_max_output_bytes,
        }
    }

    /// The `wasm_default_*` settings as the limits of an agent deployed
    /// without its own.
    pub fn wasm_default_limits(&self) -> crate::runtime::wasm::Limits {
        crate::runtime::wasm::Limits {
            max_memory_bytes: self.wasm_default_memory_bytes,
            max_cpu_millis: self.wasm_default_cpu_millis,
            max_execution_time_ms: self.wasm_default_execution_time_ms,
        }
    }
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            agent_timeout: Duration::from_secs(30),
            max_concurrent_executions: 16,
            wasm_workers: 0,
            wasm_max_module_bytes: 16 << 20,
            wasm_max_memory_bytes: 256 << 20,
            wasm_max_cpu_millis: 60_000,
            wasm_max_execution_time_ms: 120_000,
            wasm_max_recursion_depth: 10_000,
            wasm_max_input_bytes: 1 << 20,
            wasm_max_output_bytes: 1 << 20,
            wasm_default_memory_bytes: 16 << 20,
            wasm_default_cpu_millis: 5_000,
            wasm_default_execution_time_ms: 10_000,
        }
    }
}

/// `[observability]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ObservabilityConfig {
    /// The daemon's log filter level (`RUST_LOG` overrides it).
    pub log_level: String,
    /// `auto` (text on a terminal, JSON otherwise), `text` or `json`.
    pub log_format: String,
    /// The OTLP/HTTP collector's base URL (e.g. `http://jaeger:4318`): the
    /// daemon exports its traces to `<url>/v1/traces`. The standard
    /// `OTEL_EXPORTER_OTLP_*` variables override it (src/trace.rs).
    pub otlp_endpoint: Option<String>,
}

impl Default for ObservabilityConfig {
    fn default() -> Self {
        ObservabilityConfig {
            log_level: "info".into(),
            log_format: "auto".into(),
            otlp_endpoint: None,
        }
    }
}

/// Where the daemon's log goes (`[logging]`): stderr (the default, what
/// systemd's journal collects) or a file with rotation and retention.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoggingConfig {
    /// The log file (e.g. `/var/log/caxton/caxton.log`); unset logs to stderr.
    pub file: Option<PathBuf>,
    /// When the file is rotated: `daily`, at `max_file_bytes` (`size`), or
    /// `never` (an external logrotate moves it; SIGHUP reopens it).
    pub rotate: Rotate,
    /// The size at which `rotate = "size"` starts a new file.
    pub max_file_bytes: u64,
    /// Rotated files kept (`caxton.log.1` is the newest); older are deleted.
    pub keep: usize,
}

/// When `[logging] file` is rotated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rotate {
    /// A new file every day.
    Daily,
    /// A new file when the current one passes `max_file_bytes`.
    Size,
    /// No rotation by Caxton: an external logrotate moves the file.
    Never,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        LoggingConfig {
            file: None,
            rotate: Rotate::Daily,
            max_file_bytes: 100 << 20,
            keep: 7,
        }
    }
}

/// `[mcp]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct McpConfig {
    /// `[mcp.servers.NAME] command = "...", args = [...], env = {...}`.
    pub servers: BTreeMap<String, McpServer>,
}

/// Agent messaging (README "Messaging between agents", docs/wasm-abi.md "Messaging"): size limit, loop protection, circuit breaker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct MessagingConfig {
    /// Largest message content (serialised JSON) accepted.
    pub max_message_bytes: u64,
    /// Longest chain of messages (request → reply/follow-up → ...) in a
    /// conversation; deeper messages are refused with a `failure`.
    pub max_depth: u32,
    /// Messages one conversation may hold; more are refused with a `failure`.
    pub max_conversation_messages: u32,
    /// Consecutive failed deliveries that open an agent's circuit breaker.
    pub breaker_failures: u32,
    /// How long an open breaker sends traffic elsewhere before a trial delivery.
    #[serde(with = "humantime_serde")]
    pub breaker_cooldown: Duration,
    /// Messages of the conversation tail given to config agents as
    /// `conversation_history`.
    pub history_messages: u32,
    /// Messages one delivery may send (an agent's `send_message` calls
    /// while it handles one message); more are refused.
    pub max_sends_per_delivery: u32,
    /// Messages waiting for delivery at once; a send beyond it is refused
    /// (REST: 429 with Retry-After), recovery queues up to it.
    pub max_queued_messages: u32,
}

impl Default for MessagingConfig {
    fn default() -> Self {
        MessagingConfig {
            max_message_bytes: 256 << 10,
            max_depth: 16,
            max_conversation_messages: 1000,
            breaker_failures: 3,
            breaker_cooldown: Duration::from_secs(30),
            history_messages: 10,
            max_sends_per_delivery: 64,
            max_queued_messages: 10_000,
        }
    }
}

/// Values given on the command line; they beat every other source.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// `--data-dir DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--agents-dir DIR`.
    pub agents_dir: Option<PathBuf>,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum Source {
    /// The built-in default.
    Default,
    /// The config file at this path.
    File(PathBuf),
    /// This environment variable.
    Env(String),
    /// This command-line flag.
    Flag(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => write!(f, "default"),
            Source::File(p) => write!(f, "file {}", p.display()),
            Source::Env(n) => write!(f, "env {n}"),
            Source::Flag(n) => write!(f, "flag {n}"),
        }
    }
}

/// The effective configuration and everything needed to explain it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The merged settings.
    pub config: Config,
    /// The directories they resolve to.
    pub paths: Paths,
    /// The config file read, if any.
    pub file: Option<PathBuf>,
    /// Dotted key → where its value came from, for every leaf.
    pub sources: BTreeMap<String, Source>,
    /// Problems that did not stop loading (e.g. an unknown key, ignored).
    pub warnings: Vec<String>,
}

impl Loaded {
    /// Every leaf setting as `(key, value, source)`, secrets masked.
    pub fn settings(&self) -> Vec<(String, Value, Source)> {
        let tree = serde_json::to_value(&self.config).unwrap_or(Value::Null);
        let mut leaves = Vec::new();
        flatten("", &tree, &mut leaves);
        leaves
            .into_iter()
            .map(|(key, value)| {
                let value = masked(&key, value);
                let source = self.source_of(&key);
                (key, value, source)
            })
            .collect()
    }

    /// The source of `key`, or of its nearest ancestor for values inside open tables.
    fn source_of(&self, key: &str) -> Source {
        let mut k = key;
        loop {
            if let Some(s) = self.sources.get(k) {
                return s.clone();
            }
            match k.rfind('.') {
                Some(i) => k = &k[..i],
                None => return Source::Default,
            }
        }
    }
}

/// Keys whose values never appear in output: every value under an `env`
/// table (MCP servers' `env = {...}` holds their credentials, whatever the
/// variable is called), and any key with a segment naming a token, key,
/// secret or password, in any case (`GITHUB_TOKEN`, `ApiKey`). A last segment
/// ending in `_file` or `_env` names where the secret is, not the secret.
fn is_secret(key: &str) -> bool {
    let segments: Vec<String> = key.split('.').map(str::to_ascii_lowercase).collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let pointer = last.ends_with("_file") || last.ends_with("_env");
    parents.iter().any(|s| s == "env" || names_secret(s)) || (names_secret(last) && !pointer)
}

/// A name (any case) that says its value is a secret.
fn names_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["token", "key", "secret", "password"]
        .iter()
        .any(|w| name.contains(w))
}

const MASK: &str = "********";

/// `value` as `config show` prints it at `key`. A secret key masks the whole
/// value. Inside arrays and tables (open tables such as `llm.providers`, an
/// array of `args`) every element is checked on its own: a table's keys by
/// [`is_secret`], a string after a flag naming a secret (`--token`, `-api-key`)
/// or after `NAME=` where `NAME` names one, and the password of any URL
/// (`scheme://user:PASSWORD@host`), wherever it appears.
fn masked(key: &str, value: Value) -> Value {
    if value.is_null() {
        return value;
    }
    if is_secret(key) {
        return Value::String(MASK.into());
    }
    match value {
        // Connection strings: the URL form and libpq's `key=value` form.
        Value::String(s) if key.ends_with("url") => Value::String(redact_url(&s)),
        Value::String(s) => Value::String(mask_assignment(&mask_url_passwords(&s))),
        Value::Array(items) => {
            let mut after_flag = false;
            let items = items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    let flagged = std::mem::take(&mut after_flag);
                    if let Value::String(s) = &item {
                        after_flag = s.starts_with('-') && !s.contains('=') && names_secret(s);
                        if flagged {
                            return Value::String(MASK.into());
                        }
                    }
                    masked(&format!("{key}.{i}"), item)
                })
                .collect();
            Value::Array(items)
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = masked(&join(key, &k), v);
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

/// A whole document (an agent's TOML as JSON, a WASM agent's manifest) with
/// every secret masked as `config show` masks the configuration.
pub fn mask_secrets(document: Value) -> Value {
    masked("", document)
}

/// `--api-key=VALUE` or `API_KEY=VALUE`: the part after `=` is masked when
/// the part before it names a secret.
fn mask_assignment(s: &str) -> String {
    match s.split_once('=') {
        Some((name, _)) if !name.contains("://") && names_secret(name) => format!("{name}={MASK}"),
        _ => s.to_string(),
    }
}

/// Every `scheme://user:password@host` in `s` with the password masked.
fn mask_url_passwords(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail.find(['/', '?', '#', ' ']).unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(at) if authority[..at].contains(':') => {
                let colon = authority[..at].find(':').unwrap_or(at);
                out.push_str(&authority[..=colon]);
                out.push_str(MASK);
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

/// Environment names that are shorter aliases of a `CAXTON_<SECTION>_<KEY>` name.
const ENV_ALIASES: &[(&str, &str)] = &[
    ("CAXTON_DATA_DIR", "server.data_dir"),
    ("CAXTON_AGENTS_DIR", "server.agents_dir"),
    ("CAXTON_MODELS_DIR", "memory.models_dir"),
    ("CAXTON_MEMORY_POSTGRES_URL", "memory.postgres.url"),
];

/// Keys holding paths: relative values are resolved against the directory of
/// the file that set them (or the working directory for env and flags).
const PATH_KEYS: &[&str] = &[
    "server.data_dir",
    "server.agents_dir",
    "server.auth_token_file",
    "memory.models_dir",
    "logging.file",
];

/// Load the effective configuration. `env` is injected so tests can run in parallel.
pub fn load(ov: &Overrides, env: &dyn Fn(&str) -> Option<String>, cwd: &Path) -> Result<Loaded> {
    let mut tree = serde_json::to_value(Config::default()).unwrap_or(Value::Null);
    let mut sources = BTreeMap::new();
    let mut warnings = Vec::new();

    let file = find_config_file(ov, env, cwd)?;
    if let Some(path) = &file {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        let mut value = parse_file(path, &text)?;
        interpolate(&mut value, "", env, path)?;
        let base = path.parent().unwrap_or(cwd).to_path_buf();
        resolve_paths(&mut value, &base);
        merge(
            &mut tree,
            value,
            "",
            &Source::File(path.clone()),
            &mut sources,
            &mut warnings,
        );
    }

    apply_env(&mut tree, env, cwd, &mut sources)?;

    for (flag, key, value) in [
        ("--data-dir", "server.data_dir", &ov.data_dir),
        ("--agents-dir", "server.agents_dir", &ov.agents_dir),
    ] {
        if let Some(v) = value {
            let abs = paths::absolutize(v, cwd);
            set(&mut tree, key, Value::String(abs.display().to_string()));
            sources.insert(key.to_string(), Source::Flag(flag.to_string()));
        }
    }

    let config: Config = serde_path_to_error::deserialize(tree).map_err(|e| {
        let key = e.path().to_string();
        let source = sources.get(&key).cloned().unwrap_or(Source::Default);
        Error::Config {
            message: format!("{key}: {} (from {source})", e.inner()),
            hint: "fix the value or remove it to use the default; `caxton config show` lists every key"
                .into(),
        }
    })?;

    check_memory(&config.memory, &sources)?;
    if let Some(url) =
        (config.observability.otlp_endpoint.as_deref()).filter(|u| !u.trim().is_empty())
    {
        crate::trace::parse_url(url.trim(), "observability.otlp_endpoint")?;
    }

    let data_dir = config
        .server
        .data_dir
        .clone()
        .unwrap_or_else(|| paths::absolutize(&paths::default_data_dir(), cwd));
    let paths = Paths {
        agents_dir: config
            .server
            .agents_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("agents")),
        models_dir: config
            .memory
            .models_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("models")),
        data_dir,
    };
    Ok(Loaded {
        config,
        paths,
        file,
        sources,
        warnings,
    })
}

/// A backend Caxton cannot serve is refused, never silently replaced by the
/// embedded store; `postgres` needs a URL to connect to.
fn check_memory(m: &MemoryConfig, sources: &BTreeMap<String, Source>) -> Result<()> {
    let from = |key: &str| sources.get(key).cloned().unwrap_or(Source::Default);
    if m.model != EMBEDDING_MODEL {
        return Err(Error::Config {
            message: format!(
                "memory.model: {:?} (from {}) is not an embedding model Caxton can load",
                m.model,
                from("memory.model")
            ),
            hint: format!(
                "use model = \"{}\" (the model scripts/fetch-models installs), or remove the key",
                EMBEDDING_MODEL
            ),
        });
    }
    if !(0.0..=1.0).contains(&m.semantic_threshold) {
        return Err(Error::Config {
            message: format!(
                "memory.semantic_threshold: {} (from {}) is outside 0..1",
                m.semantic_threshold,
                from("memory.semantic_threshold")
            ),
            hint:
                "a cosine similarity: 0 keeps every semantic hit, 0.6 (the default) only close ones"
                    .into(),
        });
    }
    match m.backend.as_str() {
        "embedded" => Ok(()),
        "postgres" if m.postgres.url.as_deref().is_none_or(|u| u.trim().is_empty()) => {
            Err(Error::Config {
                message: format!(
                    "memory.backend: \"postgres\" (from {}) needs memory.postgres.url, which is not set",
                    from("memory.backend")
                ),
                hint: "set url under [memory.postgres] (postgres://USER:PASSWORD@HOST:5432/DB) or export CAXTON_MEMORY_POSTGRES_URL".into(),
            })
        }
        "postgres" => Ok(()),
        "qdrant" if m.qdrant.url.as_deref().is_none_or(|u| u.trim().is_empty()) => {
            Err(Error::Config {
                message: format!(
                    "memory.backend: \"qdrant\" (from {}) needs memory.qdrant.url, which is not set",
                    from("memory.backend")
                ),
                hint: "set url under [memory.qdrant] (http://HOST:6333), then copy the vectors with `caxton memory emergency-migrate --to qdrant`".into(),
            })
        }
        "qdrant" => Ok(()),
        other => {
            let near = crate::tools::closest(other, MEMORY_BACKENDS.iter().copied());
            Err(Error::Config {
                message: format!(
                    "memory.backend: unknown backend {other:?} (from {})",
                    from("memory.backend")
                ),
                hint: format!(
                    "use one of: {}{}",
                    MEMORY_BACKENDS.join(", "),
                    near.first()
                        .map(|n| format!(" (did you mean \"{n}\"?)"))
                        .unwrap_or_default()
                ),
            })
        }
    }
}

/// Set `[memory] backend = "<backend>"` in the TOML config `file` (created
/// when missing), keeping every other line, comment and key as it is, and
/// replace the file atomically. The result is parsed back before the
/// rename: a file that would not load is never written.
pub fn set_memory_backend(file: &Path, backend: &str) -> Result<()> {
    if matches!(
        file.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    ) {
        return Err(Error::Config {
            message: format!(
                "{}: only a TOML config can be switched automatically",
                file.display()
            ),
            hint: format!("set `memory:\n  backend: {backend}` in it yourself"),
        });
    }
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io("read", file, e)),
    };
    let line = format!("backend = \"{backend}\"");
    let mut out: Vec<String> = Vec::new();
    let (mut section, mut done, mut memory_header) = (String::new(), false, None);
    for l in text.lines() {
        let t = l.trim();
        if t.starts_with('[') && !t.starts_with("[[") {
            section = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            if section == "memory" {
                memory_header = Some(out.len());
            }
        } else if section == "memory"
            && !done
            && t.split('=').next().is_some_and(|k| k.trim() == "backend")
        {
            out.push(line.clone());
            done = true;
            continue;
        }
        out.push(l.to_string());
    }
    if !done {
        match memory_header {
            Some(i) => out.insert(i + 1, line),
            None => {
                if !out.is_empty() {
                    out.push(String::new());
                }
                out.push("[memory]".into());
                out.push(line);
            }
        }
    }
    let mut new = out.join("\n");
    new.push('\n');
    let parsed: toml::Table = toml::from_str(&new).map_err(|e| Error::Config {
        message: format!("{}: cannot set memory.backend: {e}", file.display()),
        hint: format!("set `backend = \"{backend}\"` under [memory] yourself"),
    })?;
    let set = parsed
        .get("memory")
        .and_then(|m| m.get("backend"))
        .and_then(|b| b.as_str());
    if set != Some(backend) {
        return Err(Error::Config {
            message: format!(
                "{}: memory.backend could not be set (is `memory` written as a dotted key or inline table?)",
                file.display()
            ),
            hint: format!("set `backend = \"{backend}\"` under [memory] yourself"),
        });
    }
    paths::write_atomic(file, new.as_bytes()).map_err(|e| Error::io("write", file, e))
}

/// `url` with any password replaced by `********`, for output and errors.
pub fn redact_url(url: &str) -> String {
    // URL form: scheme://user:password@host...; the password ends at the
    // last '@' before the host part.
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some(at) = authority.rfind('@')
            && let Some(colon) = authority[..at].find(':')
            && colon + 1 < at
        {
            return format!(
                "{}{}:********{}",
                &url[..scheme_end + 3],
                &authority[..colon],
                &rest[at..]
            );
        }
    }
    // key=value form: password=... up to the next space (or a quoted value).
    static KV: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)").expect("valid regex")
    });
    // Query form: ?password=...
    static QUERY: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"(?i)([?&]password=)[^&#]*").expect("valid regex"));
    let s = KV.replace_all(url, "${1}********");
    QUERY.replace_all(&s, "${1}********").into_owned()
}

/// `--config` > `CAXTON_CONFIG` > `./caxton.toml` > `<data dir>/caxton.toml`
/// (or `.yaml`). An explicitly named file must exist; the implicit ones may not.
fn find_config_file(
    ov: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
    cwd: &Path,
) -> Result<Option<PathBuf>> {
    let explicit = ov.config.clone().or_else(|| {
        env("CAXTON_CONFIG")
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    });
    if let Some(p) = explicit {
        let p = paths::absolutize(&p, cwd);
        return if p.is_file() {
            Ok(Some(p))
        } else {
            Err(Error::FileNotFound { path: p })
        };
    }
    let data_dir = ov
        .data_dir
        .clone()
        .or_else(|| {
            env("CAXTON_DATA_DIR")
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(paths::default_data_dir);
    let data_dir = paths::absolutize(&data_dir, cwd);
    let candidates = [
        cwd.join("caxton.toml"),
        data_dir.join("caxton.toml"),
        data_dir.join("caxton.yaml"),
        data_dir.join("caxton.yml"),
    ];
    Ok(candidates.into_iter().find(|p| p.is_file()))
}

fn parse_file(path: &Path, text: &str) -> Result<Value> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let parsed = if matches!(ext, "yaml" | "yml") {
        serde_norway::from_str::<Value>(text).map_err(|e| e.to_string())
    } else {
        toml::from_str::<toml::Table>(text)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::to_value(t).map_err(|e| e.to_string()))
    };
    match parsed {
        // An empty YAML document is null: treat it like an empty file.
        Ok(Value::Null) => Ok(Value::Object(Map::new())),
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(Error::Config {
            message: format!(
                "{}: the top level must be a table of sections",
                path.display()
            ),
            hint: "start with a section such as `[server]` (TOML) or `server:` (YAML)".into(),
        }),
        Err(message) => Err(Error::Config {
            message: format!("{}: {message}", path.display()),
            hint: "fix the syntax at the position shown".into(),
        }),
    }
}

static VAR_REF: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}").expect("valid regex")
});

/// Replace `${VAR}` and `${VAR:-default}` in every string value of the file.
fn interpolate(
    value: &mut Value,
    key: &str,
    env: &dyn Fn(&str) -> Option<String>,
    file: &Path,
) -> Result<()> {
    match value {
        Value::String(s) if s.contains("${") => {
            let mut missing = None;
            let replaced =
                VAR_REF.replace_all(s, |c: &regex::Captures| match (env(&c[1]), c.get(2)) {
                    (Some(v), _) => v,
                    (None, Some(default)) => default.as_str().to_string(),
                    (None, None) => {
                        missing.get_or_insert_with(|| c[1].to_string());
                        String::new()
                    }
                });
            if let Some(var) = missing {
                return Err(Error::Config {
                    message: format!(
                        "{}: `{key}` refers to ${{{var}}}, which is not set",
                        file.display()
                    ),
                    hint: format!("export {var}, or write ${{{var}:-default}} to give a default"),
                });
            }
            *s = replaced.into_owned();
            Ok(())
        }
        Value::Array(items) => items
            .iter_mut()
            .try_for_each(|v| interpolate(v, key, env, file)),
        Value::Object(map) => map
            .iter_mut()
            .try_for_each(|(k, v)| interpolate(v, &join(key, k), env, file)),
        _ => Ok(()),
    }
}

fn resolve_paths(value: &mut Value, base: &Path) {
    for key in PATH_KEYS {
        if let Some(Value::String(s)) = get_mut(value, key) {
            *s = paths::absolutize(Path::new(s.as_str()), base)
                .display()
                .to_string();
        }
    }
}

/// Merge `incoming` into `tree`, recording sources and warning about keys the
/// defaults do not know. Empty default tables are open maps (providers, servers).
fn merge(
    tree: &mut Value,
    incoming: Value,
    prefix: &str,
    source: &Source,
    sources: &mut BTreeMap<String, Source>,
    warnings: &mut Vec<String>,
) {
    let (Value::Object(known), Value::Object(given)) = (&mut *tree, incoming) else {
        return;
    };
    let open = known.is_empty() && !prefix.is_empty();
    for (k, v) in given {
        let key = join(prefix, &k);
        match known.get_mut(&k) {
            Some(slot @ Value::Object(_)) if v.is_object() => {
                merge(slot, v, &key, source, sources, warnings)
            }
            Some(slot) => {
                *slot = v;
                sources.insert(key, source.clone());
            }
            None if open => {
                known.insert(k, v);
                sources.insert(key, source.clone());
            }
            None => {
                let candidates: Vec<&str> = known.keys().map(String::as_str).collect();
                let near = crate::tools::closest(&k, candidates.into_iter());
                let hint = near
                    .first()
                    .map(|n| format!(" (did you mean `{}`?)", join(prefix, n)))
                    .unwrap_or_default();
                warnings.push(format!("{source}: unknown key `{key}` ignored{hint}"));
            }
        }
    }
}

/// `CAXTON_<SECTION>_<KEY>` for every known scalar key, plus the short aliases.
fn apply_env(
    tree: &mut Value,
    env: &dyn Fn(&str) -> Option<String>,
    cwd: &Path,
    sources: &mut BTreeMap<String, Source>,
) -> Result<()> {
    let defaults = serde_json::to_value(Config::default()).unwrap_or(Value::Null);
    let mut leaves = Vec::new();
    flatten("", &defaults, &mut leaves);
    let mut names: Vec<(String, String, Value)> = leaves
        .into_iter()
        .filter(|(k, _)| k.matches('.').count() == 1)
        .map(|(k, d)| {
            (
                format!("CAXTON_{}", k.replace('.', "_").to_uppercase()),
                k,
                d,
            )
        })
        .collect();
    for (alias, key) in ENV_ALIASES {
        let default = get_mut(&mut defaults.clone(), key)
            .cloned()
            .unwrap_or(Value::Null);
        names.push((alias.to_string(), key.to_string(), default));
    }
    for (name, key, default) in names {
        let Some(raw) = env(&name).filter(|s| !s.is_empty()) else {
            continue;
        };
        let value = match default {
            Value::Number(_) | Value::Bool(_) => {
                serde_json::from_str::<Value>(&raw).map_err(|_| Error::Config {
                    message: format!("{name}={raw:?} is not a valid value for `{key}`"),
                    hint: format!(
                        "`{key}` expects a {}",
                        if default.is_boolean() {
                            "boolean (true/false)"
                        } else {
                            "number"
                        }
                    ),
                })?
            }
            _ if PATH_KEYS.contains(&key.as_str()) => Value::String(
                paths::absolutize(Path::new(&raw), cwd)
                    .display()
                    .to_string(),
            ),
            _ => Value::String(raw),
        };
        set(tree, &key, value);
        sources.insert(key, Source::Env(name));
    }
    Ok(())
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Leaves of a JSON tree as dotted keys; empty tables count as leaves.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                flatten(&join(prefix, k), v, out);
            }
        }
        _ => out.push((prefix.to_string(), value.clone())),
    }
}

fn get_mut<'a>(value: &'a mut Value, key: &str) -> Option<&'a mut Value> {
    key.split('.').try_fold(value, |v, k| v.get_mut(k))
}

fn set(tree: &mut Value, key: &str, value: Value) {
    if let Some(slot) = get_mut(tree, key) {
        *slot = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load_with(files: &[(&str, &str)], vars: &[(&str, &str)], ov: Overrides) -> Result<Loaded> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut ov = ov;
        ov.data_dir.get_or_insert_with(|| dir.path().join("data"));
        let loaded = load(&ov, &|k| vars.get(k).cloned(), dir.path());
        drop(dir);
        loaded
    }

    #[test]
    fn defaults_without_a_file() {
        let l = load_with(&[], &[], Overrides::default()).unwrap();
        assert_eq!(l.config.server.port, 8080);
        assert_eq!(l.config.server.metrics_port, 9090);
        assert!(l.file.is_none());
        assert!(l.paths.agents_dir.ends_with("data/agents"));
    }

    #[test]
    fn precedence_flag_env_file_default() {
        let files = [(
            "caxton.toml",
            "[server]\nport = 7000\nhost = \"0.0.0.0\"\n[memory]\nmax_entities = 5\n",
        )];
        let l = load_with(
            &files,
            &[("CAXTON_SERVER_PORT", "7100")],
            Overrides::default(),
        )
        .unwrap();
        assert_eq!(l.config.server.port, 7100);
        assert_eq!(l.config.server.host, "0.0.0.0");
        assert_eq!(l.config.memory.max_entities, 5);
        assert_eq!(
            l.sources["server.port"],
            Source::Env("CAXTON_SERVER_PORT".into())
        );
        assert!(matches!(l.sources["server.host"], Source::File(_)));
        assert_eq!(l.source_of("server.metrics_port"), Source::Default);
        let ov = Overrides {
            agents_dir: Some("/srv/agents".into()),
            ..Default::default()
        };
        let l = load_with(&files, &[("CAXTON_AGENTS_DIR", "/x")], ov).unwrap();
        assert_eq!(l.paths.agents_dir, PathBuf::from("/srv/agents"));
    }

    #[test]
    fn yaml_interpolation_and_unknown_keys() {
        let files = [(
            "my.yaml",
            "server:\n  prot: 1\n  auth_token: \"${TOKEN}\"\n  data_dir: ${BASE:-rel}/d\n",
        )];
        let ov = Overrides {
            config: Some("my.yaml".into()),
            ..Default::default()
        };
        let l = load_with(&files, &[("TOKEN", "s3cret")], ov.clone()).unwrap();
        assert_eq!(l.config.server.auth_token.as_deref(), Some("s3cret"));
        assert!(l.warnings[0].contains("server.prot"), "{:?}", l.warnings);
        assert!(l.warnings[0].contains("server.port"));
        let shown = l.settings();
        let token = shown
            .iter()
            .find(|(k, _, _)| k == "server.auth_token")
            .unwrap();
        assert_eq!(token.1, "********");
        let err = load_with(&files, &[], ov).unwrap_err();
        assert!(err.to_string().contains("${TOKEN}"), "{err}");
    }

    #[test]
    fn bad_values_name_key_and_source() {
        let err =
            load_with(&[], &[("CAXTON_SERVER_PORT", "http")], Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("CAXTON_SERVER_PORT"), "{err}");
        let files = [("caxton.toml", "[server]\nport = 99999\n")];
        let err = load_with(&files, &[], Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("server.port"), "{err}");
        let files = [("caxton.toml", "[server\n")];
        let err = load_with(&files, &[], Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn missing_explicit_file_is_not_found() {
        let ov = Overrides {
            config: Some("/nonexistent/caxton.yaml".into()),
            ..Default::default()
        };
        assert!(matches!(
            load_with(&[], &[], ov),
            Err(Error::FileNotFound { .. })
        ));
    }

    #[test]
    fn secrets_are_found_in_any_segment_and_case() {
        for key in [
            "mcp.servers.github.env.GITHUB_TOKEN",
            "mcp.servers.db.env.PGHOST",
            "llm.providers.x.ApiKey",
            "llm.providers.x.Password",
            "llm.providers.secrets.value",
            "server.auth_token",
        ] {
            assert!(is_secret(key), "{key} must be masked");
        }
        let shown = masked(
            "mcp.servers.db.args",
            serde_json::json!([
                "--token", "t-SECRET", "--verbose", "--api-key=k-SECRET", "API_KEY=e-SECRET",
                "postgres://me:p-SECRET@db:5432/x", "plain",
                {"auth": {"Password": "n-SECRET"}, "name": "ok"}, ["-secret", "a-SECRET"]
            ]),
        );
        assert!(!shown.to_string().contains("SECRET\""), "{shown}");
        assert_eq!(shown[2], "--verbose");
        assert_eq!(shown[5], "postgres://me:********@db:5432/x");
        assert_eq!(shown[6], "plain");
        assert_eq!(shown[7]["name"], "ok");
        assert_eq!(
            masked("memory.qdrant.url", "https://u:pw@q.example/x?y=1".into()),
            "https://u:********@q.example/x?y=1"
        );
        assert_eq!(
            masked("memory.qdrant.url", "https://user@q.example/".into()),
            "https://user@q.example/"
        );
        for key in [
            "server.auth_token_file",
            "llm.providers.openai.api_key_env",
            "server.port",
            "mcp.servers.github.command",
        ] {
            assert!(!is_secret(key), "{key} is not a secret");
        }
    }
}
