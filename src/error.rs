//! The error catalogue: every failure Caxton reports has a stable code, an exit
//! code (README "Using it"), an HTTP status for the daemon, a hint where one
//! helps and structured details ([`Error::details`]). Adapters render
//! [`Error`] in exactly one place each (`cli::output`, and the server's error
//! responder), so wording and codes never drift apart.
//!
//! Near a leaf: it imports only the leaf `diagnostics` module and the error
//! types of the tool, WASM and LLM layers, never `agent/`, `memory/`,
//! `config.rs`, `cli/` or `server/`.

use std::path::{Path, PathBuf};

use crate::diagnostics::{self, Checked, Diagnostic, Severity};
use crate::runtime::wasm::WasmError;
use crate::tools::ToolError;

/// Process exit codes, as documented in README "Using it". Scripts depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitCode {
    Ok = 0,
    Failure = 1,
    Usage = 2,
    Invalid = 3,
    NotFound = 4,
    Conflict = 5,
    Daemon = 6,
    Limit = 7,
    SafeMode = 8,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("File not found: {}", path.display())]
    FileNotFound { path: PathBuf },
    #[error("Permission denied: {}", path.display())]
    PermissionDenied { path: PathBuf },
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The embedding model's directory (named after the model) lacks files.
    #[error("embedding model {} not found in {}", dir.file_name().unwrap_or_default().display(), dir.display())]
    ModelMissing { dir: PathBuf },
    #[error("embedding failed: {message}")]
    Embedding { message: String },
    #[error("Entity not found: {name}")]
    EntityNotFound { name: String },
    /// Creating entities would pass `memory.max_entities`; nothing was written.
    #[error(
        "memory is full: {stored} entities stored, adding {adding} would pass memory.max_entities = {max}"
    )]
    MemoryFull { max: u64, stored: u64, adding: u64 },
    #[error("Agent not found: {name}")]
    AgentNotFound {
        name: String,
        suggestions: Vec<String>,
    },
    /// An agent file failed validation; the diagnostics say why, line by line.
    #[error("{} is invalid: {} error(s)", file.display(), diagnostics.iter().filter(|d| d.severity == Severity::Error).count())]
    InvalidAgent {
        file: PathBuf,
        /// The agent id the file declares (else its stem).
        agent: String,
        version: Option<String>,
        diagnostics: Vec<Diagnostic>,
    },
    #[error("Agent name conflict: {message}")]
    Conflict { message: String, hint: String },
    #[error("{message}")]
    Usage { message: String, hint: String },
    #[error("no earlier version of agent `{agent}` to roll back to")]
    NoPreviousVersion { agent: String },
    #[error("agent `{agent}` has no version #{seq}")]
    VersionNotFound { agent: String, seq: i64 },
    #[error("invalid configuration: {message}")]
    Config { message: String, hint: String },
    /// The memory backend in use cannot do this operation.
    #[error("{message}")]
    Unsupported { message: String, hint: String },
    #[error("database error in {}: {source}", path.display())]
    Store {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database {} was written by a newer Caxton (schema {found}, this build knows {known})", path.display())]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(transparent)]
    Tool(#[from] ToolError),
    /// An external memory backend (e.g. Qdrant) refused or did not answer.
    #[error("{backend} at {url}: {message}")]
    Backend {
        backend: &'static str,
        url: String,
        message: String,
        hint: String,
    },
    #[error("{} is in safe mode: writes are refused", dir.display())]
    SafeMode { dir: PathBuf },
    #[error("{} is in use by a Caxton daemon or another exclusive operation ({holder})", dir.display())]
    DaemonRunning { dir: PathBuf, holder: String },
    #[error("the database in {} is busy: {message}", dir.display())]
    StoreBusy {
        dir: PathBuf,
        message: String,
        hint: String,
    },
    /// A backup archive failed verification; each problem names the file.
    #[error("backup {} failed verification: {}", file.display(), problems.join("; "))]
    BackupInvalid {
        file: PathBuf,
        problems: Vec<String>,
    },
    #[error("{message}")]
    AlreadyExists { message: String, hint: String },
    #[error(transparent)]
    Wasm(#[from] WasmError),
    /// A config-agent run failed at its LLM provider (or ran out of time).
    #[error(transparent)]
    Llm(#[from] LlmError),
    /// A command needs the daemon, and none answers for this data directory.
    #[error("no Caxton daemon is running for {}", dir.display())]
    DaemonNotRunning { dir: PathBuf },
    /// The daemon's URL is known but the request failed (connection, timeout).
    #[error("cannot reach the Caxton daemon at {url}: {message}")]
    DaemonUnreachable { url: String, message: String },
    /// `agents deploy --timeout`: the daemon did not report the deployed
    /// version running in time; `state` is what it last said.
    #[error("{agent} {version} is not live after {waited}: {state}")]
    NotLive {
        agent: String,
        version: String,
        waited: String,
        state: String,
    },
    /// The daemon answered with an error body; its code and hint are kept.
    #[error("{message} (daemon error {code})")]
    Remote {
        status: u16,
        code: String,
        message: String,
        hint: Option<String>,
    },
    /// An HTTP request body that is not the JSON expected.
    #[error("bad request: {message}")]
    BadRequest { message: String },
    #[error("request body is larger than the {limit}-byte limit")]
    PayloadTooLarge { limit: u64 },
    #[error("missing or wrong bearer token")]
    Unauthorized,
    #[error("the request took longer than {seconds} s")]
    Timeout { seconds: u64 },
    #[error("the daemon is shutting down")]
    ShuttingDown,
    #[error("{0}")]
    RouteNotFound(String),
    /// A message failed validation; `field` names what to fix.
    #[error("invalid message: {message}")]
    MessageInvalid {
        field: String,
        message: String,
        hint: String,
    },
    #[error("message content is {size} bytes, over the limit of {limit} bytes")]
    MessageTooLarge { size: u64, limit: u64 },
    #[error("Conversation not found: {id}")]
    ConversationNotFound { id: String },
    /// Loop protection refused a message of a conversation.
    #[error("conversation {conversation}: {reason}")]
    ConversationLimit {
        conversation: String,
        reason: String,
    },
    #[error("no reply to message {message_id} within {waited_ms} ms")]
    ReplyTimeout { message_id: String, waited_ms: u64 },
    /// A request a browser could have been tricked into sending (DNS
    /// rebinding, cross-site): refused before any handler runs.
    #[error("{message}")]
    RequestRefused {
        code: &'static str,
        status: u16,
        message: String,
        hint: String,
    },
    /// A limit on concurrent work was reached; retry after `retry_after_s`.
    #[error("{message}")]
    Overloaded {
        message: String,
        hint: String,
        retry_after_s: u64,
    },
    /// Every connection of the daemon's store pool stayed busy past the
    /// deadline: the server is out of room, not the client over a limit.
    #[error("all {connections} store connections stayed busy for {waited_ms} ms")]
    PoolExhausted { connections: usize, waited_ms: u64 },
    /// The store's group-commit writer already has `queued` writes waiting:
    /// refused at once rather than parking a daemon worker until there is room.
    #[error("the store's writer already has {queued} writes queued")]
    WriterBusy { queued: usize },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Map an I/O error on `path` to the most specific catalogue entry.
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        match source.kind() {
            std::io::ErrorKind::NotFound => Error::FileNotFound {
                path: path.to_path_buf(),
            },
            std::io::ErrorKind::PermissionDenied => Error::PermissionDenied {
                path: path.to_path_buf(),
            },
            _ => Error::Io {
                action,
                path: path.to_path_buf(),
                source,
            },
        }
    }

    /// Whether this is a run its caller cancelled ([`LlmErrorKind::Cancelled`]).
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Error::Llm(e) if e.kind == LlmErrorKind::Cancelled)
    }

    /// Stable machine-readable code, used in `--json` output and HTTP bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Error::FileNotFound { .. } => "file_not_found",
            Error::PermissionDenied { .. } => "permission_denied",
            Error::Io { .. } => "io_error",
            Error::AgentNotFound { .. } => "agent_not_found",
            Error::EntityNotFound { .. } => "entity_not_found",
            Error::MemoryFull { .. } => "memory_full",
            Error::ModelMissing { .. } => "model_missing",
            Error::Embedding { .. } => "embedding_failed",
            Error::InvalidAgent { .. } => "validation_failed",
            Error::Conflict { .. } => "name_conflict",
            Error::Usage { .. } => "usage",
            Error::NoPreviousVersion { .. } => "no_previous_version",
            Error::VersionNotFound { .. } => "version_not_found",
            Error::Config { .. } => "invalid_config",
            Error::Unsupported { .. } => "unsupported_by_backend",
            Error::Store { .. } => "store_error",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::Backend { .. } => "backend_error",
            Error::SafeMode { .. } => "safe_mode",
            Error::DaemonRunning { .. } => "daemon_running",
            Error::StoreBusy { .. } => "store_busy",
            Error::BackupInvalid { .. } => "backup_invalid",
            Error::AlreadyExists { .. } => "already_exists",
            Error::Tool(e) => match e {
                ToolError::UnknownTool { .. } => "unknown_tool",
                ToolError::InvalidArgs { .. } => "invalid_tool_args",
                ToolError::InvalidConfig { .. } => "invalid_tool_config",
                ToolError::Denied { .. } => "tool_denied",
                ToolError::LimitExceeded { .. } => "limit_exceeded",
                ToolError::NotFound { .. } => "file_not_found",
                ToolError::Failed { .. } => "tool_failed",
            },
            Error::Wasm(e) => match e {
                WasmError::InvalidModule { .. } => "invalid_wasm_module",
                WasmError::LimitExceeded { .. } | WasmError::AboveCeiling { .. } => {
                    "limit_exceeded"
                }
                WasmError::Trap { .. } => "wasm_trap",
                WasmError::Exit { .. } => "agent_exit",
                WasmError::Abi { .. } => "abi_violation",
                WasmError::Agent { .. } => "agent_error",
            },
            Error::Llm(e) => match e.kind {
                LlmErrorKind::Auth => "llm_auth",
                LlmErrorKind::RateLimit => "llm_rate_limit",
                LlmErrorKind::Timeout => "llm_timeout",
                LlmErrorKind::Connection => "llm_connection",
                LlmErrorKind::Server => "llm_server",
                LlmErrorKind::BadResponse => "llm_bad_response",
                LlmErrorKind::Unavailable => "llm_unavailable",
                LlmErrorKind::InvalidRequest => "llm_invalid_request",
                LlmErrorKind::Cancelled => "run_cancelled",
            },
            Error::DaemonNotRunning { .. } => "daemon_not_running",
            Error::DaemonUnreachable { .. } => "daemon_unreachable",
            Error::Remote { .. } => "daemon_error",
            Error::NotLive { .. } => "not_live",
            Error::BadRequest { .. } => "bad_request",
            Error::PayloadTooLarge { .. } => "payload_too_large",
            Error::Unauthorized => "unauthorized",
            Error::Timeout { .. } => "timeout",
            Error::ShuttingDown => "shutting_down",
            Error::RouteNotFound(_) => "not_found",
            Error::MessageInvalid { .. } => "message_invalid",
            Error::MessageTooLarge { .. } => "message_too_large",
            Error::ConversationNotFound { .. } => "conversation_not_found",
            Error::ConversationLimit { .. } => "conversation_limit",
            Error::ReplyTimeout { .. } => "reply_timeout",
            Error::RequestRefused { code, .. } => code,
            Error::Overloaded { .. } => "overloaded",
            Error::PoolExhausted { .. } => "pool_exhausted",
            Error::WriterBusy { .. } => "writer_busy",
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::FileNotFound { .. }
            | Error::AgentNotFound { .. }
            | Error::EntityNotFound { .. } => ExitCode::NotFound,
            Error::PermissionDenied { .. } | Error::InvalidAgent { .. } => ExitCode::Invalid,
            Error::Config { .. } => ExitCode::Invalid,
            Error::Conflict { .. } | Error::SchemaTooNew { .. } => ExitCode::Conflict,
            Error::Usage { .. } | Error::Unsupported { .. } => ExitCode::Usage,
            Error::NoPreviousVersion { .. } | Error::VersionNotFound { .. } => ExitCode::NotFound,
            Error::Io { .. }
            | Error::Store { .. }
            | Error::Embedding { .. }
            | Error::Backend { .. } => ExitCode::Failure,
            Error::ModelMissing { .. } => ExitCode::NotFound,
            Error::SafeMode { .. } => ExitCode::SafeMode,
            Error::DaemonRunning { .. } => ExitCode::Daemon,
            Error::StoreBusy { .. } => ExitCode::Conflict,
            Error::BackupInvalid { .. } => ExitCode::Invalid,
            Error::AlreadyExists { .. } => ExitCode::Conflict,
            Error::Tool(e) => match e {
                ToolError::UnknownTool { .. } | ToolError::NotFound { .. } => ExitCode::NotFound,
                ToolError::InvalidArgs { .. } | ToolError::InvalidConfig { .. } => {
                    ExitCode::Invalid
                }
                ToolError::LimitExceeded { .. } => ExitCode::Limit,
                ToolError::Denied { .. } | ToolError::Failed { .. } => ExitCode::Failure,
            },
            Error::Wasm(e) => match e {
                WasmError::InvalidModule { .. } => ExitCode::Invalid,
                WasmError::LimitExceeded { .. } | WasmError::AboveCeiling { .. } => ExitCode::Limit,
                WasmError::Trap { .. }
                | WasmError::Exit { .. }
                | WasmError::Abi { .. }
                | WasmError::Agent { .. } => ExitCode::Failure,
            },
            Error::Llm(_) => ExitCode::Failure,
            Error::DaemonNotRunning { .. }
            | Error::DaemonUnreachable { .. }
            | Error::ShuttingDown
            | Error::NotLive { .. } => ExitCode::Daemon,
            Error::Remote { status, .. } => match status {
                404 => ExitCode::NotFound,
                409 => ExitCode::Conflict,
                400 | 422 => ExitCode::Invalid,
                413 | 429 | 507 => ExitCode::Limit,
                503 => ExitCode::Daemon,
                _ => ExitCode::Failure,
            },
            Error::BadRequest { .. } => ExitCode::Usage,
            Error::PayloadTooLarge { .. } => ExitCode::Limit,
            Error::Unauthorized | Error::Timeout { .. } => ExitCode::Failure,
            Error::RouteNotFound(_) => ExitCode::NotFound,
            Error::MessageInvalid { .. } => ExitCode::Invalid,
            Error::MessageTooLarge { .. }
            | Error::ConversationLimit { .. }
            | Error::MemoryFull { .. } => ExitCode::Limit,
            Error::ConversationNotFound { .. } => ExitCode::NotFound,
            Error::ReplyTimeout { .. } | Error::RequestRefused { .. } => ExitCode::Failure,
            Error::Overloaded { .. } | Error::PoolExhausted { .. } | Error::WriterBusy { .. } => {
                ExitCode::Limit
            }
        }
    }

    /// HTTP status for the daemon's error bodies.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::BadRequest { .. } => return 400,
            Error::Unauthorized => return 401,
            Error::Timeout { .. } => return 504,
            // The request is fine; the server has no room for it.
            Error::MemoryFull { .. } => return 507,
            Error::Remote { status, .. } | Error::RequestRefused { status, .. } => return *status,
            Error::Overloaded { .. } => return 429,
            Error::Unsupported { .. } => return 501,
            Error::PoolExhausted { .. } | Error::WriterBusy { .. } => return 503,
            _ => {}
        }
        match self.exit_code() {
            ExitCode::NotFound => 404,
            ExitCode::Invalid | ExitCode::Usage => 422,
            ExitCode::Conflict => 409,
            ExitCode::Limit => 413,
            ExitCode::SafeMode | ExitCode::Daemon => 503,
            ExitCode::Ok | ExitCode::Failure => match self {
                Error::Tool(ToolError::Denied { .. }) => 403,
                Error::Backend { .. } => 502,
                Error::Llm(e) if e.kind == LlmErrorKind::Timeout => 504,
                Error::Llm(e) if e.kind == LlmErrorKind::Unavailable => 503,
                Error::Llm(e) if e.kind == LlmErrorKind::InvalidRequest => 422,
                Error::Llm(_) => 502,
                Error::ReplyTimeout { .. } => 504,
                _ => 500,
            },
        }
    }

    /// Structured detail, for `--json` and the daemon's error bodies.
    pub fn details(&self) -> Option<serde_json::Value> {
        match self {
            Error::InvalidAgent {
                file,
                agent,
                version,
                diagnostics,
            } => Some(diagnostics::report_json(
                &[Checked {
                    file,
                    agent,
                    version: version.as_deref(),
                    diagnostics,
                }],
                false,
            )),
            Error::BackupInvalid { problems, .. } => {
                Some(serde_json::json!({ "problems": problems }))
            }
            Error::MessageInvalid { field, .. } => Some(serde_json::json!({ "field": field })),
            _ => None,
        }
    }

    /// How to fix it, when Caxton can say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::FileNotFound { .. } => Some(
                "check the path; agent files live in the agents directory (`caxton config show` prints it)"
                    .into(),
            ),
            Error::PermissionDenied { path } => Some(format!(
                "check read access: ls -la {}",
                path.display()
            )),
            Error::AgentNotFound { suggestions, .. } => Some(if suggestions.is_empty() {
                "run `caxton agents list` to see deployed agents".into()
            } else {
                format!(
                    "did you mean {}? Run `caxton agents list` to see deployed agents",
                    suggestions.join(", ")
                )
            }),
            Error::Conflict { hint, .. }
            | Error::Usage { hint, .. }
            | Error::Config { hint, .. }
            | Error::Unsupported { hint, .. }
            | Error::Backend { hint, .. } => {
                (!hint.is_empty()).then(|| hint.clone())
            }
            Error::ModelMissing { .. } => Some(
                "run scripts/fetch-models or set CAXTON_MODELS_DIR".into(),
            ),
            Error::EntityNotFound { .. } => Some(
                "create it first (`caxton memory create-entities`), or check the name with `caxton memory search`".into(),
            ),
            Error::MemoryFull { max, .. } => Some(format!(
                "raise max_entities in the [memory] section of the server config (now {max}; or set CAXTON_MEMORY_MAX_ENTITIES), or make room: `caxton memory cleanup --remove-orphaned`, `caxton memory delete-entities`"
            )),
            Error::NoPreviousVersion { agent } => Some(format!(
                "only one version of `{agent}` was ever deployed; see `caxton agents show {agent}`"
            )),
            Error::VersionNotFound { agent, .. } => Some(format!(
                "its versions are listed by `caxton agents show {agent}`"
            )),
            Error::SchemaTooNew { .. } => {
                Some("upgrade caxton, or point --data-dir at a data directory of this version".into())
            }
            Error::Store { .. } => Some(
                "run `caxton storage verify` when it is available, or restore from a backup".into(),
            ),
            Error::Tool(ToolError::UnknownTool { suggestions, .. }) => Some(if suggestions.is_empty() {
                "run `caxton tools list` for available tools".into()
            } else {
                format!(
                    "did you mean {}? Run `caxton tools list` for available tools",
                    suggestions.join(", ")
                )
            }),
            Error::Tool(ToolError::Denied { hint, .. }) => Some(hint.clone()),
            Error::Tool(ToolError::NotFound { .. }) => Some("check the path".into()),
            Error::Tool(ToolError::InvalidArgs { tool, .. }) => Some(format!(
                "`caxton tools list --json` shows the argument schema of {tool}"
            )),
            Error::InvalidAgent { .. } => Some(
                "fix the errors listed above; `caxton agents validate FILE --verbose` shows each in context".into(),
            ),
            Error::Wasm(e) => e.hint(),
            Error::Llm(e) => Some(llm_hint(e)),
            Error::Io { .. } | Error::Embedding { .. } | Error::Tool(_) => None,
            Error::SafeMode { .. } => Some(
                "safe mode keeps a damaged store unchanged: check it with `caxton storage verify --comprehensive`, repair or restore it, then run `caxton storage safe-mode --disable`".into(),
            ),
            Error::DaemonRunning { .. } => Some(
                "stop the daemon first (`systemctl stop caxton` or `caxton shutdown`), or wait for the other operation to finish".into(),
            ),
            Error::StoreBusy { hint, .. } | Error::AlreadyExists { hint, .. } => Some(hint.clone()),
            Error::DaemonNotRunning { .. } => Some(
                "start it with `caxton server start` (or `systemctl start caxton`)".into(),
            ),
            Error::DaemonUnreachable { .. } => Some(
                "check `caxton server status`; a stale run/caxton.url is replaced when the daemon starts".into(),
            ),
            Error::Remote { hint, .. } => hint.clone(),
            Error::NotLive { agent, .. } => Some(format!(
                "see why with `caxton agents status {agent}` and `caxton agents reload-status`; the file stays deployed and goes live on the next good reload"
            )),
            Error::BadRequest { .. } => Some("send a JSON body with Content-Type: application/json".into()),
            Error::PayloadTooLarge { .. } => Some("raise server.max_body_bytes, or send a smaller body".into()),
            Error::Unauthorized => Some(
                "send `Authorization: Bearer <token>` with the token from server.auth_token or server.auth_token_file".into(),
            ),
            Error::Timeout { .. } => Some("raise server.request_timeout, or retry later".into()),
            Error::ShuttingDown => Some("retry once the daemon has restarted".into()),
            Error::RouteNotFound(_) => Some("the API lives under /api/v1/; see docs/operations.md".into()),
            Error::BackupInvalid { file, .. } => Some(format!(
                "use another backup; `caxton backup verify {}` lists every problem",
                file.display()
            )),
            Error::MessageInvalid { hint, .. }
            | Error::RequestRefused { hint, .. }
            | Error::Overloaded { hint, .. } => Some(hint.clone()),
            Error::PoolExhausted { .. } | Error::WriterBusy { .. } => {
                Some("retry after the Retry-After seconds; the store is serving other requests".into())
            }
            Error::MessageTooLarge { .. } => Some(
                "send a smaller content, or raise messaging.max_message_bytes in the server config".into(),
            ),
            Error::ConversationNotFound { .. } => {
                Some("run `caxton conversations list` to see conversation ids".into())
            }
            Error::ConversationLimit { .. } => Some(
                "start a new conversation, or raise messaging.max_depth / messaging.max_conversation_messages in the server config".into(),
            ),
            Error::ReplyTimeout { message_id, .. } => Some(format!(
                "the message is stored and will still be delivered; follow it with `caxton conversations show` (message {message_id}), or wait longer with --wait"
            )),
        }
    }
}

/// What to do about a provider failure.
fn llm_hint(e: &LlmError) -> String {
    let key = match e.provider.as_str() {
        "anthropic" => "ANTHROPIC_API_KEY",
        _ => "OPENAI_API_KEY",
    };
    match e.kind {
        LlmErrorKind::Auth => format!(
            "check the {} API key: set {key}, or api_key / api_key_env in [llm.providers.{}] of the server config",
            e.provider, e.provider
        ),
        LlmErrorKind::RateLimit => "the provider is rate limiting: wait and retry, or lower the request rate".into(),
        LlmErrorKind::Timeout => "raise --timeout (or [conversation] timeout / runtime.agent_timeout), or check that the model server is responsive".into(),
        LlmErrorKind::Connection => "start the model server or fix base_url in the agent's [llm] table or [llm.providers] of the server config".into(),
        LlmErrorKind::Server => "the provider failed; retry later or use another provider".into(),
        LlmErrorKind::BadResponse => "check that base_url points at an API of the configured provider type (OpenAI-compatible or Anthropic) and that the model exists".into(),
        LlmErrorKind::InvalidRequest => "shorten the request (or the agent's memory context and prompts), or lower max_tokens".into(),
        LlmErrorKind::Unavailable if e.provider == "local" => "install the model with scripts/fetch-models (or set CAXTON_MODELS_DIR), or configure another provider: [llm] provider = \"openai\" with base_url, or \"anthropic\"".into(),
        LlmErrorKind::Unavailable => "configure a provider: [llm] provider = \"openai\" with base_url, or \"anthropic\"; `caxton agents diagnose NAME` shows the resolved provider".into(),
        LlmErrorKind::Cancelled => "the caller cancelled the request (or went away); send it again for an answer".into(),
    }
}

/// Failure classes callers act on (retry, tell the operator to fix a key,
/// …). The message never contains credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LlmErrorKind {
    /// 401/403: missing or wrong API key.
    Auth,
    /// 429 after the retry.
    RateLimit,
    /// No answer within the request timeout.
    Timeout,
    /// Could not connect (server down, DNS, TLS).
    Connection,
    /// 5xx after the retry.
    Server,
    /// The provider answered with something that is not a valid response
    /// (malformed JSON, truncated stream, unknown shape).
    BadResponse,
    /// The provider cannot run here (e.g. the local model file is missing).
    Unavailable,
    /// The request cannot be served as given (e.g. the prompt does not fit
    /// the model's context, or names a model the provider does not have).
    InvalidRequest,
    /// Not the provider's failure: the run's caller cancelled it (an MCP
    /// client's `notifications/cancelled`, or a client that went away).
    Cancelled,
}

/// A chat provider's failure: its class, the provider and what happened.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{provider} LLM error ({kind:?}): {message}")]
pub struct LlmError {
    /// What the caller can do about it.
    pub kind: LlmErrorKind,
    /// `openai`, `anthropic`, `local`.
    pub provider: String,
    /// What happened, including the URL where one was involved; never a key.
    pub message: String,
}
