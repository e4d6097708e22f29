//! Built-in tools: native Rust functions an agent (or an operator, through
//! `caxton tools run`) can call with JSON arguments.
//!
//! Every tool implements [`Tool`]: a name, a description, a JSON Schema for its
//! arguments (derived with `schemars` from the same struct the tool deserialises,
//! so the schema shown to the LLM and the parser cannot drift apart), and `run`
//! with a narrow [`ToolContext`]. Tools know nothing about agents, the store or
//! HTTP; the context carries all the policy they need.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cap_std::fs::{Dir, OpenOptions};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

mod chart_generator;
mod csv_parser;
mod file_storage;
mod http_client;
pub mod isolate;
mod json_processor;
pub mod mcp;
pub mod memory;
pub mod send_message;
mod xlsx_reader;

/// What a tool may touch while it runs. Built by the caller (the agent runtime
/// or the CLI) from the agent's `[tool_config.<tool>]` table and the data dir.
#[derive(Debug, Clone)]
pub struct ToolContext {
    /// The agent's workspace: the root of `file_storage`, and the parent of the
    /// `output/` directory where `chart_generator` writes. Created on demand.
    pub workspace: PathBuf,
    /// Where `csv_parser` / `xlsx_reader` may read a `path` from. `None` means
    /// unrestricted (an operator at the CLI); `Some(dir)` confines relative and
    /// absolute paths to that directory (no `..` or symlink escape).
    pub read_root: Option<PathBuf>,
    /// The `[tool_config.<this tool>]` table; empty when absent.
    pub config: Map<String, Value>,
    /// The memory the `memory_*` tools work on, scoped to the caller.
    pub memory: Option<memory::MemoryHandle>,
    /// How `send_message` reaches the other agents, as the agent being run;
    /// `None` outside an agent run.
    pub messaging: Option<send_message::MessagingHandle>,
}

impl ToolContext {
    /// A setting from this tool's config table, deserialised into `T`.
    /// A present but mistyped value is an error, never silently ignored.
    pub fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, ToolError> {
        match self.config.get(key) {
            None => Ok(None),
            Some(v) => {
                serde_json::from_value(v.clone())
                    .map(Some)
                    .map_err(|e| ToolError::InvalidConfig {
                        key: key.to_string(),
                        message: e.to_string(),
                    })
            }
        }
    }
}

/// Why a tool call failed. The CLI and HTTP adapters map these onto the error
/// catalogue (exit codes, HTTP statuses) in `error.rs`. Serialisable: a
/// worker process (`isolate`) hands it back to its caller.
#[derive(Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum ToolError {
    #[error("Unknown tool: {name}")]
    UnknownTool {
        name: String,
        suggestions: Vec<String>,
    },
    /// Arguments do not match the tool's schema. `message` says which field and why.
    #[error("invalid arguments for {tool}: {message}")]
    InvalidArgs { tool: String, message: String },
    /// A `[tool_config]` value has the wrong type or value.
    #[error("invalid tool_config value `{key}`: {message}")]
    InvalidConfig { key: String, message: String },
    /// The call is refused by policy (private address, domain not allowed,
    /// path outside the sandbox). `hint` says how to allow it when that is legitimate.
    #[error("{message}")]
    Denied { message: String, hint: String },
    /// A configured limit was hit (response size, timeout, row cap).
    #[error("{message}")]
    LimitExceeded { message: String },
    #[error("File not found: {}", path.display())]
    NotFound { path: PathBuf },
    /// The tool ran and failed (bad CSV, HTTP connection refused, ...).
    #[error("{message}")]
    Failed { message: String },
}

impl ToolError {
    pub(crate) fn invalid_args(tool: &str, message: impl Into<String>) -> Self {
        ToolError::InvalidArgs {
            tool: tool.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn failed(message: impl Into<String>) -> Self {
        ToolError::Failed {
            message: message.into(),
        }
    }
}

/// The interface every built-in tool implements.
pub trait Tool: Send + Sync {
    fn name(&self) -> &'static str;
    fn description(&self) -> &'static str;
    /// JSON Schema (draft 2020-12) of the arguments object.
    fn parameters(&self) -> Value;
    /// Run with arguments that already passed [`Tool::parameters`] validation.
    fn run(&self, ctx: &ToolContext, args: Value) -> Result<Value, ToolError>;
    /// The tool's own account of why `args`, which failed
    /// [`Tool::parameters`], are invalid: a schema whose rules span
    /// arguments (variants per chart type) can only say "not valid under any
    /// of the schemas", the tool's checks say which rule and where.
    fn explain_invalid(&self, _args: &Value) -> Option<String> {
        None
    }
    /// Top-level arguments whose valid values depend on the agent's run (the
    /// files it can read, the hosts it may reach): an agent run narrows
    /// their schema to those values (`runtime::grounding`), so a constrained
    /// model cannot name a file that is not there.
    fn grounded_args(&self) -> &'static [GroundedArg] {
        &[]
    }
    /// Whether calls run in a worker process ([`isolate`]): for tools whose
    /// library may allocate without bound on hostile input, where a failed
    /// allocation would abort the process. Such a tool gets no
    /// `ToolContext::memory`.
    fn isolated(&self) -> bool {
        false
    }
}

/// An argument [`Tool::grounded_args`] declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroundedArg {
    /// A path the tool reads, relative to its read root, with one of these
    /// extensions (lowercase, no dot).
    File {
        name: &'static str,
        extensions: &'static [&'static str],
    },
    /// An http(s) URL, checked against `[tool_config.<tool>] allowed_domains`.
    Url { name: &'static str },
    /// A capability another deployed agent offers.
    Capability { name: &'static str },
    /// The id of another deployed agent.
    Agent { name: &'static str },
    /// A jq filter over the JSON file named by argument `file`: the paths
    /// present in that file when the request names it, else a pattern of
    /// plain paths (`.a.b`, `.[]`, `.items[0].name`).
    JqPath {
        name: &'static str,
        file: &'static str,
    },
    /// A sheet of the spreadsheet named by argument `file`: its sheets when
    /// the request names it.
    Sheet {
        name: &'static str,
        file: &'static str,
    },
    /// An argument with a fixed set of string values: just the values the
    /// request names as words, when it names any ("a line chart").
    Named { name: &'static str },
    /// An array of objects holding an array of numbers at `values`: when the
    /// request states the numbers itself ("values 1, 4, 9 and 16"), one item
    /// whose `values` are exactly those numbers, in order.
    StatedNumbers {
        name: &'static str,
        values: &'static str,
    },
    /// An array of strings naming the stated numbers ("labels north and
    /// south and values 10 and 20", "apples 3 and pears 5"): exactly those
    /// words, when the request gives one for each number.
    StatedLabels { name: &'static str },
    /// Facts to store (an array of strings): when the request asks to
    /// remember something ("Remember that Alice owns billing"), exactly that
    /// statement; the string argument `entity` then becomes what it is about
    /// (its subject, "Alice", else `notes`).
    Statement {
        name: &'static str,
        entity: &'static str,
    },
    /// A search text: when the request asks what was stored, the request's
    /// own question.
    Question { name: &'static str },
}

/// All built-in tools, in the order `caxton tools list` shows them.
pub fn builtin() -> &'static [&'static dyn Tool] {
    &[
        &http_client::HttpClient,
        &csv_parser::CsvParser,
        &json_processor::JsonProcessor,
        &xlsx_reader::XlsxReader,
        &chart_generator::ChartGenerator,
        &file_storage::FileStorage,
        &memory::MemorySearch,
        &memory::MemoryStore,
        &memory::MemoryRelate,
        &send_message::SendMessage,
    ]
}

pub use json_processor::paths_of as json_paths;
pub use xlsx_reader::sheet_names;

/// Names of every tool an agent may list.
pub fn names() -> impl Iterator<Item = &'static str> {
    builtin().iter().map(|t| t.name())
}

/// Look a tool up by exact name; unknown names get the closest known names.
pub fn find(name: &str) -> Result<&'static dyn Tool, ToolError> {
    builtin()
        .iter()
        .copied()
        .find(|t| t.name() == name)
        .ok_or_else(|| ToolError::UnknownTool {
            name: name.to_string(),
            suggestions: closest(name, names()),
        })
}

/// Up to three candidates close to `name` (Jaro-Winkler ≥ 0.7 or a shared
/// substring), best first: the "did you mean" list for typos.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .map(|c| {
            let s = strsim::jaro_winkler(&lower, c);
            let contains = !lower.is_empty() && (c.contains(&lower) || lower.contains(c));
            (if contains { s.max(0.9) } else { s }, c)
        })
        .filter(|(s, _)| *s >= 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

/// Validate `args` against the tool's schema (all problems at once, each with
/// its JSON path), then run it.
pub fn invoke(tool: &dyn Tool, ctx: &ToolContext, args: Value) -> Result<Value, ToolError> {
    let schema = tool.parameters();
    let validator = jsonschema::validator_for(&schema).map_err(|e| ToolError::Failed {
        message: format!("internal: schema of {} does not compile: {e}", tool.name()),
    })?;
    let problems: Vec<String> = validator
        .iter_errors(&args)
        .map(|e| {
            let path = e.instance_path().to_string();
            if path.is_empty() {
                e.to_string()
            } else {
                format!("{path}: {e}")
            }
        })
        .collect();
    if !problems.is_empty() {
        return Err(ToolError::InvalidArgs {
            tool: tool.name().to_string(),
            message: tool
                .explain_invalid(&args)
                .unwrap_or_else(|| problems.join("; ")),
        });
    }
    if tool.isolated() {
        isolate::run(tool, ctx, args)
    } else {
        tool.run(ctx, args)
    }
}

/// Deserialize validated arguments into the tool's typed struct.
pub(crate) fn parse_args<T: DeserializeOwned>(tool: &str, args: Value) -> Result<T, ToolError> {
    serde_json::from_value(args).map_err(|e| ToolError::InvalidArgs {
        tool: tool.to_string(),
        message: e.to_string(),
    })
}

/// The JSON Schema of an argument struct, as a `serde_json::Value`.
pub(crate) fn schema_of<T: schemars::JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null)
}

/// `schema` (an argument object's schema) with the arguments in `keys` made
/// mutually exclusive, as a `oneOf` of closed variants: one per key, which
/// requires that key and has none of the others, plus one with none of them
/// unless `one_required`. The variants are disjoint, so the schema says
/// exactly what `run` checks, and a grammar compiled from it cannot produce
/// both or (with `one_required`) neither. `properties` stays at the top level
/// for readers such as `caxton tools list`.
pub(crate) fn exclusive(mut schema: Value, keys: &[&str], one_required: bool) -> Value {
    let Some(obj) = schema.as_object_mut() else {
        return schema;
    };
    let properties = obj
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let required: Vec<Value> = obj
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let variant = |chosen: Option<&str>| {
        let props: Map<String, Value> = properties
            .iter()
            .filter(|(k, _)| !keys.contains(&k.as_str()) || Some(k.as_str()) == chosen)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut req = required.clone();
        req.extend(chosen.map(Value::from));
        serde_json::json!({
            "type": "object",
            "properties": props,
            "required": req,
            "additionalProperties": false,
        })
    };
    let mut variants: Vec<Value> = keys.iter().map(|k| variant(Some(k))).collect();
    if !one_required {
        variants.push(variant(None));
    }
    obj.insert("oneOf".into(), Value::Array(variants));
    schema
}

/// Resolve a path a reading tool was given, honouring [`ToolContext::read_root`].
/// Relative paths are relative to the read root (or the current directory for
/// an operator). Inside a read root, the canonical path must stay inside it.
pub(crate) fn resolve_read_path(ctx: &ToolContext, path: &str) -> Result<PathBuf, ToolError> {
    let given = Path::new(path);
    let joined = match &ctx.read_root {
        Some(root) => root.join(given),
        None => given.to_path_buf(),
    };
    let canonical = joined.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ToolError::NotFound {
            path: joined.clone(),
        },
        _ => ToolError::Failed {
            message: format!("cannot open {}: {e}", joined.display()),
        },
    })?;
    if let Some(root) = &ctx.read_root {
        let root = root.canonicalize().map_err(|e| ToolError::Failed {
            message: format!("cannot open read root {}: {e}", root.display()),
        })?;
        if !canonical.starts_with(&root) {
            return Err(ToolError::Denied {
                message: format!("path {path} is outside the agent's readable directory"),
                hint: format!("place the file under {}", root.display()),
            });
        }
    }
    Ok(canonical)
}

/// A duration setting, written as a humantime string (`"30s"`, `"2m 30s"`) or
/// a plain number of seconds.
pub(crate) fn duration_setting(
    ctx: &ToolContext,
    key: &str,
    default: Duration,
) -> Result<Duration, ToolError> {
    let invalid = |message: String| ToolError::InvalidConfig {
        key: key.to_string(),
        message,
    };
    match ctx.config.get(key) {
        None => Ok(default),
        Some(v) => crate::human::duration_value(v).map_err(invalid),
    }
}

/// A size setting in bytes, written as a string with a unit (`"10MB"`,
/// `"512KiB"`) or a plain number of bytes.
pub(crate) fn size_setting(ctx: &ToolContext, key: &str, default: u64) -> Result<u64, ToolError> {
    let invalid = |message: String| ToolError::InvalidConfig {
        key: key.to_string(),
        message,
    };
    match ctx.config.get(key) {
        None => Ok(default),
        Some(Value::String(s)) => s
            .trim()
            .parse::<bytesize::ByteSize>()
            .map(|b| b.as_u64())
            .map_err(|e| invalid(format!("{s:?} is not a size like \"10MB\": {e}"))),
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| invalid(format!("{n} is not a whole number of bytes"))),
        Some(other) => Err(invalid(format!(
            "expected a size like \"10MB\", got {other}"
        ))),
    }
}

/// A byte count for messages, in the units users write settings in.
pub(crate) fn human_size(bytes: u64) -> String {
    bytesize::ByteSize(bytes).display().si().to_string()
}

/// Open `ctx.workspace/<sub>` (or the workspace itself for an empty `sub`) as
/// a capability directory, creating it first. Everything a tool writes goes
/// through the returned `Dir`, so symlinks cannot lead the write elsewhere.
pub(crate) fn open_workspace_dir(ctx: &ToolContext, sub: &str) -> Result<Dir, ToolError> {
    let dir = ctx.workspace.join(sub);
    std::fs::create_dir_all(&dir)
        .and_then(|()| Dir::open_ambient_dir(&dir, cap_std::ambient_authority()))
        .map_err(|e| {
            ToolError::failed(format!(
                "cannot open workspace directory {}: {e}",
                dir.display()
            ))
        })
}

/// Replace `path` inside `dir` with `bytes` so that readers see either the old
/// or the new content, never a partial file: write a uniquely named sibling,
/// flush it to disk, then rename it over the target.
pub(crate) fn write_atomic(dir: &Dir, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let file_name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "path has no file name")
    })?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(
        ".{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let temp = path.with_file_name(temp_name);
    let result = dir
        .open_with(&temp, OpenOptions::new().write(true).create_new(true))
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| dir.rename(&temp, dir, path));
    if result.is_err() {
        // Best effort: the temp name is ours alone, and a leftover would only
        // confuse a later `list`.
        let _ = dir.remove_file(&temp);
    }
    result
}

/// Bytes as standard base64 (with padding), for binary payloads in JSON results.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Column names fit to be object keys: blanks become `column_<n>` (1-based)
/// and repeats get a `_2`, `_3`, ... suffix, so no column hides another.
pub(crate) fn unique_names(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let trimmed = name.trim();
            let base = if trimmed.is_empty() {
                format!("column_{}", i + 1)
            } else {
                trimmed.to_string()
            };
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}_{n}") }
        })
        .collect()
}
