//! Staged validation of config-agent files (README "Agent files"): syntax → schema →
//! references → templates → conflicts. Every stage runs as far as it can so
//! one run reports every problem in a file, each with file:line:col, the field,
//! and a hint.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use super::source::SourceDoc;
use super::spec::{self, AgentSpec};
use super::template::{self, IssueKind};
use crate::diagnostics::Checked;
use crate::diagnostics::{Diagnostic, Severity, Stage};
use crate::error::Error;
use crate::tools;

/// The validation result for one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub(crate) file: PathBuf,
    /// The agent id, when the file names one (else the file stem).
    pub id: String,
    pub(crate) name: Option<String>,
    /// The typed definition, when syntax and schema passed.
    pub spec: Option<AgentSpec>,
    /// The file's bytes, exactly as read (what deploy stores).
    pub content: Vec<u8>,
    /// The normalised document (for diff and debug); `None` if unreadable.
    pub doc: Option<SourceDoc>,
    /// Stages that ran (a syntax failure stops the rest).
    pub stages: Vec<Stage>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// The diagnostics of severity error (warnings excluded).
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    pub(crate) fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// True when the file has no error (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.errors().next().is_none()
    }

    /// Whether the file could not be read because it does not exist.
    pub fn is_missing(&self) -> bool {
        self.diagnostics.iter().any(|d| d.code == "file_not_found")
    }

    pub(crate) fn version(&self) -> Option<&str> {
        self.spec.as_ref().map(|s| s.version_or_default())
    }

    /// What the diagnostics renderers need of this report.
    pub fn checked(&self) -> Checked<'_> {
        Checked {
            file: &self.file,
            agent: &self.id,
            version: self.version(),
            diagnostics: &self.diagnostics,
        }
    }

    /// The error for a file that must be valid to go on (deploy, run, reload).
    pub fn into_error(self) -> Error {
        let version = self.version().map(String::from);
        Error::InvalidAgent {
            file: self.file,
            agent: self.id,
            version,
            diagnostics: self.diagnostics,
        }
    }

    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }
}

/// What validation checks references against.
pub struct Context {
    /// MCP servers declared in the server config.
    pub mcp_servers: BTreeSet<String>,
    /// When set, `mcp:SERVER/TOOL` references are checked against the tools
    /// the running server lists (starting it if needed). Offline checks such
    /// as backup verification leave it unset and check server names only.
    pub mcp: Option<std::sync::Arc<crate::tools::mcp::McpServers>>,
}

/// Checks that the MCP server lists `t`; a server that cannot be started or
/// listed is an error too, since the agent could not use the tool.
fn check_mcp_tool(
    l: &mut Locator<'_>,
    ctx: &Context,
    pointer: &str,
    tool: &str,
    server: &str,
    t: &str,
) {
    let Some(mcp) = &ctx.mcp else { return };
    match mcp.tools(server) {
        Ok(offered) if offered.iter().any(|o| o.name == t) => {}
        Ok(offered) => {
            let near = tools::closest(t, offered.iter().map(|o| o.name.as_str()));
            let hint = match near.is_empty() {
                true => format!(
                    "`{server}` offers: {}",
                    offered.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
                false => format!("did you mean {}?", near.iter().map(|n| format!("mcp:{server}/{n}")).collect::<Vec<_>>().join(", ")),
            };
            l.at_pointer(
                pointer,
                Severity::Error,
                Stage::References,
                "unknown_mcp_tool",
                format!("Unknown tool: {tool} (MCP server `{server}` does not offer `{t}`)"),
                Some(hint),
            );
        }
        Err(e) => l.at_pointer(
            pointer,
            Severity::Error,
            Stage::References,
            "mcp_server_unavailable",
            format!("cannot check {tool}: {e}"),
            Some(format!("check [mcp.servers.{server}] in the server config; `caxton tools list` shows what each server offers")),
        ),
    }
}

static SCHEMA: LazyLock<Value> = LazyLock::new(spec::json_schema);
static VALIDATOR: LazyLock<Result<jsonschema::Validator, String>> =
    LazyLock::new(|| jsonschema::validator_for(&SCHEMA).map_err(|e| e.to_string()));

/// Read and validate one file through the template stage. Conflicts need the
/// whole set of files and are checked by [`check_conflicts`].
pub fn validate_file(path: &Path, ctx: &Context) -> FileReport {
    match std::fs::read(path) {
        Ok(bytes) => validate_bytes(path, bytes, ctx),
        Err(e) => {
            let stem = file_stem(path);
            let (code, message, hint) = match e.kind() {
                std::io::ErrorKind::NotFound => (
                    "file_not_found",
                    format!("File not found: {}", path.display()),
                    "verify the path; deployed agent files live in the agents directory (`caxton config show`)".to_string(),
                ),
                std::io::ErrorKind::PermissionDenied => (
                    "permission_denied",
                    format!("Permission denied: {}", path.display()),
                    format!("check read access to the file: ls -la {}", path.display()),
                ),
                std::io::ErrorKind::IsADirectory => (
                    "not_a_file",
                    format!("{} is a directory, not an agent file", path.display()),
                    "pass the .toml files, e.g. agents/*.toml".to_string(),
                ),
                _ => (
                    "io_error",
                    format!("cannot read {}: {e}", path.display()),
                    String::new(),
                ),
            };
            FileReport {
                file: path.to_path_buf(),
                id: stem,
                name: None,
                spec: None,
                content: Vec::new(),
                doc: None,
                stages: vec![Stage::Syntax],
                diagnostics: vec![Diagnostic {
                    severity: Severity::Error,
                    stage: Stage::Syntax,
                    code,
                    message,
                    file: Some(path.to_path_buf()),
                    line: None,
                    column: None,
                    field: None,
                    hint: (!hint.is_empty()).then_some(hint),
                    excerpt: None,
                }],
            }
        }
    }
}

/// Validate file content already in memory (`path` is used for messages and
/// for the file-name check).
pub fn validate_bytes(path: &Path, bytes: Vec<u8>, ctx: &Context) -> FileReport {
    let mut report = FileReport {
        file: path.to_path_buf(),
        id: file_stem(path),
        name: None,
        spec: None,
        content: bytes,
        doc: None,
        stages: vec![Stage::Syntax],
        diagnostics: Vec::new(),
    };
    let text = match String::from_utf8(report.content.clone()) {
        Ok(t) => t,
        Err(e) => {
            let doc = SourceDoc::parse(String::from_utf8_lossy(&report.content).into_owned());
            let at = e.utf8_error().valid_up_to();
            let d = located(
                &doc,
                path,
                at,
                Severity::Error,
                Stage::Syntax,
                "toml_syntax",
                "TOML parse error: the file is not valid UTF-8".into(),
                None,
                Some("save the file as UTF-8".into()),
            );
            report.push(d);
            return report;
        }
    };
    let doc = SourceDoc::parse(text);
    let mut l = Locator {
        doc: &doc,
        path,
        out: Vec::new(),
    };

    for e in &doc.syntax {
        let (line, col) = doc.line_col(e.span.start);
        l.at(
            e.span.start,
            Severity::Error,
            Stage::Syntax,
            "toml_syntax",
            format!("TOML parse error: line {line}, column {col}: {}", e.message),
            None,
            Some("check quoting, brackets and `key = value` syntax on that line (strings need quotes; arrays need closing `]`)".into()),
        );
    }
    if let Some(name) = doc.value.get("name").and_then(Value::as_str) {
        report.name = Some(name.to_string());
        let id = spec::slug(name);
        if !id.is_empty() {
            report.id = id;
        }
    }
    if !doc.syntax.is_empty() {
        report.diagnostics = l.out;
        report.doc = Some(doc);
        return report;
    }

    report.stages.push(Stage::Schema);
    let schema_errors = check_schema(&mut l);
    for h in &doc.hoisted {
        l.at(
            h.span.start,
            Severity::Warning,
            Stage::Schema,
            "misplaced_key",
            format!(
                "`{}` is inside the [{}] table (TOML puts every key after a [table] header into that table); it is used as the top-level `{}`",
                h.key, h.table, h.key
            ),
            Some(h.key.clone()),
            Some(format!(
                "move `{}` above the first [table] header so every TOML tool reads it the same way",
                h.key
            )),
        );
    }

    report.stages.push(Stage::References);
    check_references(&mut l, ctx, &report.id);

    report.stages.push(Stage::Templates);
    check_templates(&mut l);

    if schema_errors == 0 {
        match serde_json::from_value::<AgentSpec>(doc.value.clone()) {
            Ok(s) => report.spec = Some(s),
            Err(e) => l.at(
                0,
                Severity::Error,
                Stage::Schema,
                "invalid_value",
                format!("the file does not match the agent format: {e}"),
                None,
                None,
            ),
        }
    }
    report.diagnostics = l.out;
    report.doc = Some(doc);
    report
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// Builds positioned diagnostics for one document.
struct Locator<'a> {
    doc: &'a SourceDoc,
    path: &'a Path,
    out: Vec<Diagnostic>,
}

impl Locator<'_> {
    #[allow(clippy::too_many_arguments)]
    fn at(
        &mut self,
        offset: usize,
        severity: Severity,
        stage: Stage,
        code: &'static str,
        message: String,
        field: Option<String>,
        hint: Option<String>,
    ) {
        let d = located(
            self.doc, self.path, offset, severity, stage, code, message, field, hint,
        );
        self.out.push(d);
    }

    fn at_pointer(
        &mut self,
        pointer: &str,
        severity: Severity,
        stage: Stage,
        code: &'static str,
        message: String,
        hint: Option<String>,
    ) {
        let offset = self.doc.span_of(pointer).start;
        let field = field_name(pointer);
        self.at(
            offset,
            severity,
            stage,
            code,
            message,
            (!field.is_empty()).then_some(field),
            hint,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn located(
    doc: &SourceDoc,
    path: &Path,
    offset: usize,
    severity: Severity,
    stage: Stage,
    code: &'static str,
    message: String,
    field: Option<String>,
    hint: Option<String>,
) -> Diagnostic {
    let (line, column) = doc.line_col(offset);
    Diagnostic {
        severity,
        stage,
        code,
        message,
        file: Some(path.to_path_buf()),
        line: Some(line),
        column: Some(column),
        field,
        hint,
        excerpt: Some(doc.excerpt(offset)),
    }
}

/// `/llm/model` → `llm.model`, `/capabilities/1` → `capabilities[1]`.
pub fn field_name(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if seg.parse::<usize>().is_ok() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// Validate against the JSON Schema derived from [`AgentSpec`]. Unknown keys
/// are warnings (forward compatibility; `--strict` makes them errors).
/// Returns the number of errors.
fn check_schema(l: &mut Locator) -> usize {
    let validator = match &*VALIDATOR {
        Ok(v) => v,
        Err(e) => {
            l.at(
                0,
                Severity::Error,
                Stage::Schema,
                "internal",
                format!("agent schema does not compile: {e}"),
                None,
                None,
            );
            return 1;
        }
    };
    let value = l.doc.value.clone();
    let mut errors = 0;
    for e in validator.iter_errors(&value) {
        let pointer = e.instance_path().to_string();
        let field = field_name(&pointer);
        let shown = e.instance().to_string();
        let (severity, code, message, hint, at) = match e.kind() {
            ValidationErrorKind::Required { property } => {
                let prop = property.as_str().unwrap_or_default().to_string();
                let full = if field.is_empty() {
                    prop.clone()
                } else {
                    format!("{field}.{prop}")
                };
                let hint = if field.is_empty() {
                    format!("add `{prop} = ...` near the top of the file, above the first [table] header")
                } else {
                    format!("add `{prop} = ...` to the [{field}] table")
                };
                (Severity::Error, "missing_field", format!("Missing required field: {full}"), Some(hint), pointer.clone())
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    let allowed = allowed_keys(&pointer);
                    let near = tools::closest(key, allowed.iter().map(String::as_str));
                    let child = format!("{pointer}/{}", super::source::escape(key));
                    let place = if field.is_empty() { "at the top level".to_string() } else { format!("in [{field}]") };
                    let hint = match near.first() {
                        Some(n) => format!("did you mean `{n}`? Known keys {place}: {}", allowed.join(", ")),
                        None => format!("known keys {place}: {}", allowed.join(", ")),
                    };
                    l.at_pointer(&child, Severity::Warning, Stage::Schema, "unknown_field", format!("unknown field `{key}` {place} is ignored"), Some(hint));
                }
                continue;
            }
            ValidationErrorKind::Pattern { .. } if pointer.starts_with("/capabilities/") || pointer.starts_with("/requires/") => (
                Severity::Error,
                "invalid_capability",
                format!("invalid capability {shown} in `{field}`"),
                Some("use lowercase words joined by `-`, `_` or `.`, starting with a letter, e.g. \"data-analysis\"".into()),
                pointer.clone(),
            ),
            ValidationErrorKind::MinItems { .. } if pointer == "/capabilities" => (
                Severity::Error,
                "missing_field",
                "`capabilities` must list at least one capability".into(),
                Some("e.g. capabilities = [\"data-analysis\"]".into()),
                pointer.clone(),
            ),
            ValidationErrorKind::MinLength { .. } => (
                Severity::Error,
                "invalid_value",
                format!("`{field}` must not be empty"),
                None,
                pointer.clone(),
            ),
            ValidationErrorKind::Type { .. } => (
                Severity::Error,
                "invalid_type",
                format!("invalid type for `{field}`: {e}"),
                None,
                pointer.clone(),
            ),
            _ => (
                Severity::Error,
                "invalid_value",
                format!("invalid value for `{field}`: {e}"),
                None,
                pointer.clone(),
            ),
        };
        if severity == Severity::Error {
            errors += 1;
        }
        l.at_pointer(&at, severity, Stage::Schema, code, message, hint);
    }
    errors
}

/// Property names the schema allows for the object at `pointer`.
fn allowed_keys(pointer: &str) -> Vec<String> {
    let mut node = &*SCHEMA;
    for seg in pointer.split('/').skip(1) {
        node = resolve(node);
        match node.get("properties").and_then(|p| p.get(seg)) {
            Some(n) => node = n,
            None => return Vec::new(),
        }
    }
    resolve(node)
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// Follow `$ref` and `anyOf` (Option<T> becomes `anyOf: [T, null]`) to the
/// schema that has `properties`.
fn resolve(node: &Value) -> &Value {
    if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or("");
        if let Some(def) = SCHEMA.get("$defs").and_then(|d| d.get(name)) {
            return resolve(def);
        }
    }
    if let Some(alts) = node.get("anyOf").and_then(Value::as_array)
        && let Some(alt) = alts
            .iter()
            .find(|a| a.get("type") != Some(&Value::from("null")))
    {
        return resolve(alt);
    }
    node
}

fn check_references(l: &mut Locator, ctx: &Context, id: &str) {
    let value = l.doc.value.clone();
    let stem = file_stem(l.path);

    if let Some(name) = value.get("name").and_then(Value::as_str) {
        if !name.trim().is_empty() && spec::slug(name).is_empty() {
            l.at_pointer(
                "/name",
                Severity::Error,
                Stage::References,
                "invalid_value",
                format!("name {name:?} has no letters or digits to form an agent id"),
                Some("use a name such as \"DataAnalyzer\" (id data-analyzer)".into()),
            );
        } else if !name.trim().is_empty() && stem != id {
            l.at_pointer(
                "/name",
                Severity::Warning,
                Stage::References,
                "name_mismatch",
                format!(
                    "file name `{stem}` does not match the agent id `{id}` (from name {name:?})"
                ),
                Some(format!(
                    "rename the file to {id}.toml so commands find it under one name"
                )),
            );
        }
    }

    match value.get("version") {
        None => l.at(0, Severity::Warning, Stage::References, "default_version",
            "no `version` given; using 0.1.0".into(), Some("version".into()),
            Some("add `version = \"1.0.0\"` (SemVer) so deployments and rollbacks are easy to tell apart".into())),
        Some(Value::String(v)) => {
            if let Err(e) = semver::Version::parse(v) {
                l.at_pointer("/version", Severity::Error, Stage::References, "invalid_version",
                    format!("invalid version {v:?}: {e}"),
                    Some("use MAJOR.MINOR.PATCH, e.g. \"1.0.0\"".into()));
            }
        }
        Some(_) => {} // a type error, already reported by the schema stage
    }

    let listed = strings_at(&value, "tools");
    let mut seen = BTreeSet::new();
    for (i, tool) in &listed {
        let pointer = format!("/tools/{i}");
        if !seen.insert(tool.clone()) {
            l.at_pointer(
                &pointer,
                Severity::Warning,
                Stage::References,
                "duplicate",
                format!("tool `{tool}` is listed twice"),
                None,
            );
            continue;
        }
        if let Some(rest) = tool.strip_prefix("mcp:") {
            match rest.split_once('/') {
                Some((server, t)) if !server.is_empty() && !t.is_empty() => {
                    if ctx.mcp_servers.contains(server) {
                        check_mcp_tool(l, ctx, &pointer, tool, server, t);
                    } else {
                        let hint = if ctx.mcp_servers.is_empty() {
                            format!(
                                "declare it in the server config: [mcp.servers.{server}] command = \"...\""
                            )
                        } else {
                            format!(
                                "declared MCP servers: {}; or add [mcp.servers.{server}] to the server config",
                                ctx.mcp_servers
                                    .iter()
                                    .cloned()
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        };
                        l.at_pointer(
                            &pointer,
                            Severity::Error,
                            Stage::References,
                            "unknown_mcp_server",
                            format!(
                                "Unknown tool: {tool} (MCP server `{server}` is not configured)"
                            ),
                            Some(hint),
                        );
                    }
                }
                _ => l.at_pointer(
                    &pointer,
                    Severity::Error,
                    Stage::References,
                    "unknown_tool",
                    format!("Unknown tool: {tool} (MCP tools are written mcp:<server>/<tool>)"),
                    None,
                ),
            }
        } else if tools::find(tool).is_err() {
            let near = tools::closest(tool, tools::names());
            let hint = match near.is_empty() {
                true => "check `caxton tools list` for available tools".to_string(),
                false => format!(
                    "did you mean {}? Check `caxton tools list` for available tools",
                    near.join(", ")
                ),
            };
            l.at_pointer(
                &pointer,
                Severity::Error,
                Stage::References,
                "unknown_tool",
                format!("Unknown tool: {tool}"),
                Some(hint),
            );
        }
    }

    for list in ["capabilities", "requires"] {
        let mut seen = BTreeSet::new();
        for (i, c) in strings_at(&value, list) {
            if !seen.insert(c.clone()) {
                l.at_pointer(
                    &format!("/{list}/{i}"),
                    Severity::Warning,
                    Stage::References,
                    "duplicate",
                    format!("`{c}` is listed twice in `{list}`"),
                    None,
                );
            }
        }
    }

    if let Some(Value::Object(cfg)) = value.get("tool_config") {
        for key in cfg.keys() {
            if !listed.iter().any(|(_, t)| t == key) {
                l.at_pointer(
                    &format!("/tool_config/{}", super::source::escape(key)),
                    Severity::Warning,
                    Stage::References,
                    "unused_tool_config",
                    format!(
                        "[tool_config.{key}] configures a tool the agent does not list in `tools`"
                    ),
                    Some(format!("add \"{key}\" to `tools`, or remove the table")),
                );
            }
        }
    }
}

/// The string items of the array at `key`, with their indexes; items of
/// other types were already reported by the schema stage.
fn strings_at(value: &Value, key: &str) -> Vec<(usize, String)> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .enumerate()
                .filter_map(|(i, v)| v.as_str().map(|s| (i, s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn check_templates(l: &mut Locator) {
    let value = l.doc.value.clone();
    let params: BTreeSet<String> = value
        .get("parameters")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let known = |n: &str| template::BUILTIN_VARS.contains(&n) || params.contains(n);
    for field in ["system_prompt", "user_prompt_template"] {
        let Some(text) = value.get(field).and_then(Value::as_str) else {
            continue;
        };
        let pointer = format!("/{field}");
        let start = content_start(l.doc, &pointer);
        for issue in template::check(text, &known) {
            let offset = offset_in(l.doc, start, issue.line, issue.column);
            match issue.kind {
                IssueKind::Syntax => l.at(offset, Severity::Error, Stage::Templates, "template_syntax",
                    format!("template error in `{field}`: {}", issue.message), Some(field.to_string()),
                    Some("every `{{` needs a matching `}}`, and every `{{#if}}`/`{{#each}}` a matching `{{/if}}`/`{{/each}}`".into())),
                IssueKind::UnknownVariable(name) => l.at(offset, Severity::Warning, Stage::Templates, "unknown_variable",
                    format!("unknown variable `{name}` in `{field}`"), Some(field.to_string()),
                    Some(format!("known variables: {}{}; keys of a JSON request are also available at run time",
                        template::BUILTIN_VARS.join(", "),
                        params.iter().map(|p| format!(", {p}")).collect::<String>()))),
            }
        }
    }
}

/// Byte offset where a string value's content starts (after the opening
/// quotes and the newline TOML trims after `'''`/`"""`).
fn content_start(doc: &SourceDoc, pointer: &str) -> usize {
    let Some(span) = doc.value_span(pointer) else {
        return doc.span_of(pointer).start;
    };
    let raw = &doc.text[span.clone()];
    let mut skip = if raw.starts_with("'''") || raw.starts_with("\"\"\"") {
        3
    } else {
        1
    };
    if skip == 3 {
        if raw[3..].starts_with("\r\n") {
            skip += 2;
        } else if raw[3..].starts_with('\n') {
            skip += 1;
        }
    }
    span.start + skip.min(raw.len())
}

/// The file offset of a template (line, column) whose text starts at `start`.
fn offset_in(doc: &SourceDoc, start: usize, line: usize, column: usize) -> usize {
    let mut offset = start;
    let text = &doc.text;
    for _ in 1..line {
        match text[offset..].find('\n') {
            Some(i) => offset += i + 1,
            None => return offset,
        }
    }
    let rest = &text[offset..];
    offset
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// Add `Agent name conflict` errors: two files being validated with the same
/// id, or a file inside the agents directory whose id another file there has.
/// A file outside the agents directory with a deployed agent's id is an
/// update of that agent, not a conflict.
pub fn check_conflicts(
    reports: &mut [FileReport],
    agents_dir: &Path,
    deployed: &[(String, PathBuf)],
) {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let agents_dir = canon(agents_dir);
    let mut first_by_id: HashMap<String, PathBuf> = HashMap::new();
    for r in reports.iter_mut() {
        if r.doc.is_none() || r.id.is_empty() {
            continue;
        }
        r.stages.push(Stage::Conflicts);
        let me = canon(&r.file);
        let mut others: Vec<PathBuf> = Vec::new();
        if let Some(prev) = first_by_id.get(&r.id) {
            if *prev != me {
                others.push(prev.clone());
            }
        } else {
            first_by_id.insert(r.id.clone(), me.clone());
        }
        if me.parent() == Some(agents_dir.as_path()) {
            for (id, p) in deployed {
                let p = canon(p);
                if *id == r.id && p != me && !others.contains(&p) {
                    others.push(p);
                }
            }
        }
        if others.is_empty() {
            continue;
        }
        let names: Vec<String> = others.iter().map(|p| p.display().to_string()).collect();
        let offset = r.doc.as_ref().map_or(0, |d| d.span_of("/name").start);
        let d = match &r.doc {
            Some(doc) => located(doc, &r.file, offset, Severity::Error, Stage::Conflicts, "name_conflict",
                format!("Agent name conflict: `{}` is defined by both {} and {}", r.id, r.file.display(), names.join(" and ")),
                Some("name".into()),
                Some("give one agent a different `name`, or remove the other file from the agents directory".into())),
            None => continue,
        };
        r.push(d);
    }
}

/// Warn about each capability in `requires` that no other agent offers:
/// `deployed` is `(agent, capabilities)` of the agents to count on. The
/// agent could not get it done by delegation (its `send_message` would be
/// refused). A warning, since the provider may be deployed later;
/// `--strict` makes it an error.
pub fn check_requires(reports: &mut [FileReport], deployed: &[(String, Vec<String>)]) {
    let offers: Vec<String> = deployed
        .iter()
        .flat_map(|(agent, caps)| caps.iter().map(move |c| format!("{c} ({agent})")))
        .collect();
    for r in reports.iter_mut() {
        let (Some(spec), Some(doc)) = (&r.spec, &r.doc) else {
            continue;
        };
        let mut found = Vec::new();
        for (i, c) in spec.requires.iter().enumerate() {
            let offered = deployed
                .iter()
                .any(|(agent, caps)| *agent != r.id && caps.contains(c));
            if offered {
                continue;
            }
            let offset = doc.span_of(&format!("/requires/{i}")).start;
            let hint = if offers.is_empty() {
                "no agent is deployed yet; deploy one offering it, or remove it from `requires`"
                    .to_string()
            } else {
                format!(
                    "deployed agents offer: {}; deploy one offering `{c}`, or remove it from `requires`",
                    offers.join(", ")
                )
            };
            found.push(located(
                doc,
                &r.file,
                offset,
                Severity::Warning,
                Stage::References,
                "unmet_requirement",
                format!("`requires` names `{c}`, which no deployed agent offers"),
                Some(format!("requires[{i}]")),
                Some(hint),
            ));
        }
        r.diagnostics.extend(found);
    }
}

/// Sort each report's findings by line, then column.
pub fn sort(reports: &mut [FileReport]) {
    for r in reports {
        r.diagnostics.sort_by_key(|d| {
            (
                d.line.unwrap_or(0),
                d.column.unwrap_or(0),
                d.severity == Severity::Warning,
            )
        });
    }
}
