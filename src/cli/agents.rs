//! `caxton agents ...`: validate, deploy, list, inspect, diff, roll back.

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use serde_json::{Value, json};

use super::live;
use super::output::{self, BOLD, DIM, Output};
use crate::Caxton;
use crate::agent::catalog::{self, Entry, Status};
use crate::agent::diff::{self, Change};
use crate::agent::validate::{self, FileReport, Severity, Stage};
use crate::agent::wasm::{self, WasmAgent};
use crate::agent::{spec, template};
use crate::error::{Error, ExitCode, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Config,
    Wasm,
}

#[derive(Debug, Subcommand)]
pub enum AgentsCommand {
    /// Check agent files: syntax, schema, references, templates, conflicts
    Validate {
        /// Agent files (.toml)
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Show source excerpts for warnings and what each stage checked
        #[arg(long, short)]
        verbose: bool,
        /// Treat warnings as errors
        #[arg(long)]
        strict: bool,
    },
    /// Check an agent file against the JSON Schema of the format only
    ValidateSchema {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Print the JSON Schema of the config-agent format
    Schema,
    /// Validate an agent and deploy it into the agents directory, recording the version
    Deploy {
        /// Agent id, name or file stem
        name: String,
        /// Copy this file into the agents directory (atomically) instead of
        /// deploying the file already there; a .wasm module deploys a WASM agent
        #[arg(long, value_name = "FILE")]
        source: Option<PathBuf>,
        #[command(flatten)]
        wasm: WasmDeployArgs,
        /// Then make it live in the running daemon now and report its status
        #[arg(long)]
        hot_reload: bool,
    },
    /// List deployed agents
    List {
        /// Live columns from the daemon (uptime, memory, CPU), then deployed
        /// time, versions, tools
        #[arg(long)]
        detailed: bool,
        #[arg(long = "type", value_enum)]
        kind: Option<Kind>,
        #[arg(long, value_enum)]
        status: Option<Status>,
        /// Print only agent ids, one per line
        #[arg(long, conflicts_with = "count")]
        names_only: bool,
        /// Print only the number of matching agents
        #[arg(long)]
        count: bool,
    },
    /// Print the number of deployed agents
    Count {
        #[arg(long = "type", value_enum)]
        kind: Option<Kind>,
        #[arg(long, value_enum)]
        status: Option<Status>,
    },
    /// Show one agent: definition, status, deployed versions
    Show {
        name: String,
        /// Add the daemon's live metrics (status, uptime, memory, CPU, runs)
        #[arg(long)]
        include_metrics: bool,
    },
    /// Show the capabilities an agent offers
    Capabilities {
        name: String,
        /// Print one capability per line
        #[arg(long)]
        list: bool,
    },
    /// Field-level differences between the deployed agent and FILE
    Diff {
        name: String,
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Restore a previously deployed version, byte for byte
    Rollback {
        name: String,
        /// Roll back to the version before the current one
        #[arg(long, required = true)]
        to_previous_version: bool,
    },
    /// Show an agent's tools and its prompts rendered with sample variables
    Debug {
        name: String,
        /// Show each tool's description, argument schema and settings
        #[arg(long)]
        show_tools: bool,
        /// Show the system and user prompts rendered with sample variables
        #[arg(long)]
        show_prompts: bool,
    },
    /// Run an agent once and print its answer (config agents ask their LLM)
    Test {
        name: String,
        /// The request text (config agents)
        #[arg(long, value_name = "TEXT", conflicts_with = "input")]
        query: Option<String>,
        /// The request as JSON: a WASM agent's input, or for a config agent
        /// an object whose keys become template variables ('"hello"' for a string)
        #[arg(long, value_name = "JSON")]
        input: Option<String>,
        /// Overall limit for a config agent's run, e.g. 30s
        /// [default: the agent's [conversation] timeout, then runtime.agent_timeout]
        #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
        timeout: Option<std::time::Duration>,
    },
    /// Run a config agent file once without deploying it
    TestLocal {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The request text
        #[arg(long, value_name = "TEXT")]
        input: String,
        /// Overall limit for the run, e.g. 10s
        #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
        timeout: Option<std::time::Duration>,
    },
    /// Show a config agent's run log: runs, tool calls, denials, errors
    Logs {
        name: String,
        /// Show the last N lines
        #[arg(long, value_name = "N", default_value_t = 50)]
        tail: usize,
        /// Show only lines at this level or worse
        #[arg(long, value_enum)]
        level: Option<super::runs::Level>,
    },
    /// Runs, errors, P50/P99 latency and tokens of a config agent
    Metrics {
        name: String,
        /// The window, e.g. 1h, 30m, 7d
        #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = humantime::parse_duration)]
        last: std::time::Duration,
    },
    /// Check a config agent: definition, provider, tools, memory, recent failures
    Diagnose {
        name: String,
        /// List the most recent failed runs with their errors
        #[arg(long)]
        show_errors: bool,
    },
    /// Executions, fuel, CPU time, peak memory and traps of WASM agents
    ResourceUsage {
        #[arg(long = "type", value_enum, default_value = "wasm")]
        kind: Kind,
    },
    /// One WASM agent's effective limits, policy, module and execution record
    SandboxStatus {
        #[arg(long, value_name = "NAME")]
        agent: String,
    },
    /// Live status of one agent in the running daemon (exit 3 when it is
    /// not running), or counts of all by status and type
    #[command(group = clap::ArgGroup::new("which").required(true).args(["name", "summary"]))]
    Status {
        name: Option<String>,
        /// Counts by status and by type
        #[arg(long)]
        summary: bool,
    },
    /// Check that the daemon has a live version of the agent that answers
    /// (exit 3 when it has none, 6 when no answer comes in time)
    Ping {
        name: String,
        /// Give up after this long, e.g. 5s
        #[arg(long, default_value = "5s", value_parser = super::server::parse_duration)]
        timeout: std::time::Duration,
    },
    /// Reload an agent (or all config agents) in the running daemon now
    #[command(group = clap::ArgGroup::new("which").required(true).args(["name", "all_config"]))]
    Reload {
        name: Option<String>,
        /// Reload every config agent
        #[arg(long)]
        all_config: bool,
        /// Check the file(s) first; reload nothing if invalid
        #[arg(long)]
        validate_first: bool,
        /// Validate, reload, then check the agent runs (implies --validate-first)
        #[arg(long, requires = "name")]
        staged: bool,
        /// If the new version is invalid or does not run, restore the last deployed version
        #[arg(long, requires = "name")]
        rollback_on_error: bool,
    },
    /// Recent reload events and agents that are not running, from the daemon
    ReloadStatus {
        /// Reprint every 2 seconds until Ctrl-C
        #[arg(long)]
        watch: bool,
    },
    /// Development loop: validate agent files in DIR as they change and
    /// (with --auto-reload) make them live in the running daemon; runs until Ctrl-C
    Watch {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Ask the running daemon (if any) to reload each changed valid agent
        #[arg(long)]
        auto_reload: bool,
        /// Keep watching after an invalid file (default: exit 3)
        #[arg(long)]
        ignore_errors: bool,
        /// Print a timestamped line for every changed or removed file
        #[arg(long)]
        log_changes: bool,
    },
}

/// Limits and capabilities of a WASM agent (only with a .wasm --source).
#[derive(Debug, clap::Args)]
pub struct WasmDeployArgs {
    /// Linear memory limit, e.g. 10MiB or 16MB [default: runtime.wasm_default_memory_bytes]
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
    /// CPU time limit per execution in milliseconds [default: runtime.wasm_default_cpu_millis]
    #[arg(long, value_name = "MS")]
    pub max_cpu_ms: Option<u64>,
    /// Wall-clock limit per execution, e.g. 10s or 500ms [default: runtime.wasm_default_execution_time_ms]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_ms)]
    pub timeout: Option<u64>,
    /// A capability the agent offers (repeatable)
    #[arg(long = "capability", value_name = "C")]
    pub capabilities: Vec<String>,
}

impl WasmDeployArgs {
    fn given(&self) -> bool {
        self.max_memory.is_some()
            || self.max_cpu_ms.is_some()
            || self.timeout.is_some()
            || !self.capabilities.is_empty()
    }
}

fn parse_size(s: &str) -> std::result::Result<u64, String> {
    s.trim()
        .parse::<bytesize::ByteSize>()
        .map(|b| b.as_u64())
        .map_err(|e| format!("{e} (write e.g. 10MiB, 16MB or 1048576)"))
}

fn parse_duration_ms(s: &str) -> std::result::Result<u64, String> {
    humantime::parse_duration(s.trim())
        .map(|d| d.as_millis() as u64)
        .map_err(|e| format!("{e} (write e.g. 10s or 500ms)"))
}

pub fn run(cx: &Caxton, cmd: AgentsCommand, out: &Output) -> Result<ExitCode> {
    match cmd {
        AgentsCommand::Validate {
            files,
            verbose,
            strict,
        } => validate(cx, &files, verbose, strict, out),
        AgentsCommand::ValidateSchema { file } => validate_schema(cx, &file, out),
        AgentsCommand::Schema => {
            out.json(&spec::json_schema());
            Ok(ExitCode::Ok)
        }
        AgentsCommand::Deploy {
            name,
            source,
            wasm,
            hot_reload,
        } => {
            let code = deploy_any(cx, &name, source, &wasm, out)?;
            if hot_reload && code == ExitCode::Ok {
                return live::apply_live(cx, &name, true, out);
            }
            Ok(code)
        }
        AgentsCommand::Status { summary: true, .. } => live::summary(cx, out),
        AgentsCommand::Status { name, .. } => {
            live::status(cx, name.as_deref().unwrap_or_default(), out)
        }
        AgentsCommand::Ping { name, timeout } => live::ping(cx, &name, timeout, out),
        AgentsCommand::Reload {
            name: None,
            validate_first,
            ..
        } => live::reload_all_config(cx, validate_first, out),
        AgentsCommand::Reload {
            name: Some(name),
            validate_first,
            staged,
            rollback_on_error,
            ..
        } => live::reload_one(
            cx,
            &name,
            &live::ReloadOpts {
                validate_first: validate_first || staged,
                rollback_on_error,
            },
            out,
        ),
        AgentsCommand::ReloadStatus { watch } => live::reload_status(cx, watch, out),
        AgentsCommand::Watch {
            dir,
            auto_reload,
            ignore_errors,
            log_changes,
        } => live::watch(
            cx,
            &dir,
            &live::WatchOpts {
                auto_reload,
                ignore_errors,
                log_changes,
            },
            out,
        ),
        AgentsCommand::Test {
            name,
            query,
            input,
            timeout,
        } => match wasm::find(cx, &name)? {
            Some(agent) => {
                if timeout.is_some() {
                    return Err(Error::Usage {
                        message: "--timeout applies to config agents; a WASM agent runs within its deployed limits".into(),
                        hint: format!("`caxton agents sandbox-status --agent {name}` shows them"),
                    });
                }
                let request = super::runs::request(query, input)?;
                super::wasm::test(cx, &agent, &request.to_string(), out)
            }
            None => {
                let entry = resolve(cx, &name)?;
                let request = super::runs::request(query, input)?;
                super::runs::test(cx, &entry, request, timeout, out)
            }
        },
        AgentsCommand::TestLocal {
            file,
            input,
            timeout,
        } => super::runs::test_local(cx, &file, input, timeout, out),
        AgentsCommand::Logs { name, tail, level } => {
            super::runs::logs(cx, &config_agent(cx, &name)?, tail, level, out)
        }
        AgentsCommand::Metrics { name, last } => {
            super::runs::metrics(cx, &config_agent(cx, &name)?, last, out)
        }
        AgentsCommand::Diagnose { name, show_errors } => {
            super::runs::diagnose(cx, &config_agent(cx, &name)?, show_errors, out)
        }
        AgentsCommand::ResourceUsage { kind } => super::wasm::resource_usage(cx, kind, out),
        AgentsCommand::SandboxStatus { agent } => match wasm::find(cx, &agent)? {
            Some(a) => super::wasm::sandbox_status(cx, &a, out),
            None => Err(not_a_wasm_agent(cx, &agent)),
        },
        AgentsCommand::List {
            detailed,
            kind,
            status,
            names_only,
            count,
        } => {
            let (entries, wasms) = filtered(cx, kind, status)?;
            if count {
                out.line(entries.len() + wasms.len());
            } else if names_only {
                entries.iter().for_each(|e| out.line(&e.id));
                wasms.iter().for_each(|a| out.line(&a.id));
            } else {
                let live = if detailed {
                    let live = live::live_agents(cx)?;
                    if live.is_none() && !out.json {
                        out.note(&live::no_daemon_note(cx));
                    }
                    live
                } else {
                    None
                };
                list(&entries, &wasms, detailed, live.as_ref(), out);
            }
            Ok(ExitCode::Ok)
        }
        AgentsCommand::Count { kind, status } => {
            let (entries, wasms) = filtered(cx, kind, status)?;
            out.line(entries.len() + wasms.len());
            Ok(ExitCode::Ok)
        }
        AgentsCommand::Show {
            name,
            include_metrics,
        } => match wasm::find(cx, &name)? {
            Some(a) => {
                let m = live::Metrics::fetch(cx, &a.id, include_metrics)?;
                super::wasm::show(&a, &m, out)
            }
            None => {
                let e = resolve(cx, &name)?;
                let m = live::Metrics::fetch(cx, &e.id, include_metrics)?;
                show(&e, &m, out)
            }
        },
        AgentsCommand::Capabilities { name, list } => match wasm::find(cx, &name)? {
            Some(a) => super::wasm::capabilities(&a, list, out),
            None => capabilities(&resolve(cx, &name)?, list, out),
        },
        AgentsCommand::Rollback { name, .. } if wasm::find(cx, &name)?.is_some() => {
            let agent = wasm::find(cx, &name)?.ok_or_else(|| not_a_wasm_agent(cx, &name))?;
            super::wasm::rollback(cx, &agent, out)?;
            live::apply_live(cx, &agent.id, false, out)
        }
        AgentsCommand::Diff { name, file } => diff_cmd(cx, &name, &file, out),
        AgentsCommand::Rollback { name, .. } => {
            let d = catalog::rollback(cx, &name)?;
            if out.json {
                out.json(&d);
            } else {
                out.line(format!(
                    "{} rolled back {} from {} to {} (#{}); {} restored",
                    output::glyph(None),
                    d.id,
                    d.previous_version.as_deref().unwrap_or("a missing file"),
                    d.version,
                    d.seq,
                    d.file.display()
                ));
            }
            live::apply_live(cx, &d.id, false, out)
        }
        AgentsCommand::Debug {
            name,
            show_tools,
            show_prompts,
        } => debug(
            cx,
            &catalog::resolve(cx, &name)?,
            show_tools,
            show_prompts,
            out,
        ),
    }
}

/// Deploy a WASM module or a config agent file.
fn deploy_any(
    cx: &Caxton,
    name: &str,
    source: Option<PathBuf>,
    wasm: &WasmDeployArgs,
    out: &Output,
) -> Result<ExitCode> {
    match source {
        Some(src) if is_wasm(&src) => super::wasm::deploy(cx, name, &src, wasm, out),
        _ if wasm.given() => Err(Error::Usage {
            message:
                "--max-memory, --max-cpu-ms, --timeout and --capability apply to WASM agents only"
                    .into(),
            hint: format!("deploy a module: caxton agents deploy {name} --source FILE.wasm"),
        }),
        None if wasm::find(cx, name)?.is_some() => Err(Error::Usage {
            message: format!("`{name}` is a WASM agent: deploy it from a module"),
            hint: format!("caxton agents deploy {name} --source FILE.wasm"),
        }),
        source => deploy(cx, name, source.as_deref(), out),
    }
}

/// Config agents (from the agents directory) and WASM agents (from the
/// store) matching the filters. A stored WASM agent is always `deployed`.
fn filtered(
    cx: &Caxton,
    kind: Option<Kind>,
    status: Option<Status>,
) -> Result<(Vec<Entry>, Vec<WasmAgent>)> {
    let config = if kind == Some(Kind::Wasm) {
        Vec::new()
    } else {
        catalog::list(cx)?
            .into_iter()
            .filter(|e| status.is_none_or(|s| s == e.status))
            .collect()
    };
    let wasms = if kind == Some(Kind::Config) || status.is_some_and(|s| s != Status::Deployed) {
        Vec::new()
    } else {
        wasm::list(cx)?
    };
    Ok((config, wasms))
}

/// A config agent by name; a miss suggests WASM agent names too.
fn resolve(cx: &Caxton, name: &str) -> Result<Entry> {
    catalog::resolve(cx, name).map_err(|e| with_wasm_suggestions(cx, name, e))
}

/// A config agent for the run-log commands; a WASM agent gets pointed to
/// its own records.
fn config_agent(cx: &Caxton, name: &str) -> Result<Entry> {
    if let Some(a) = wasm::find(cx, name)? {
        return Err(Error::Usage {
            message: format!(
                "`{}` is a WASM agent; its executions are not in the config-agent run log",
                a.id
            ),
            hint: format!(
                "`caxton agents sandbox-status --agent {}` shows its execution record",
                a.id
            ),
        });
    }
    resolve(cx, name)
}

fn with_wasm_suggestions(cx: &Caxton, name: &str, e: Error) -> Error {
    match e {
        Error::AgentNotFound { name: n, .. } => {
            let mut ids: Vec<String> = catalog::list(cx)
                .map(|l| l.into_iter().map(|e| e.id).collect())
                .unwrap_or_default();
            ids.extend(wasm::list(cx).unwrap_or_default().into_iter().map(|a| a.id));
            Error::AgentNotFound {
                suggestions: crate::tools::closest(name, ids.iter().map(String::as_str)),
                name: n,
            }
        }
        other => other,
    }
}

fn not_a_wasm_agent(cx: &Caxton, name: &str) -> Error {
    match catalog::resolve(cx, name) {
        Ok(e) => Error::Usage {
            message: format!(
                "`{}` is a config agent; sandbox status exists for WASM agents only",
                e.id
            ),
            hint: "`caxton agents list --type wasm` lists the WASM agents".into(),
        },
        Err(e) => with_wasm_suggestions(cx, name, e),
    }
}

fn is_wasm(path: &Path) -> bool {
    use std::io::Read;
    let magic = std::fs::File::open(path).and_then(|mut f| {
        let mut b = [0u8; 4];
        f.read_exact(&mut b).map(|_| b)
    });
    path.extension().is_some_and(|x| x == "wasm") || magic.is_ok_and(|m| &m == b"\0asm")
}

fn validate(
    cx: &Caxton,
    files: &[PathBuf],
    verbose: bool,
    strict: bool,
    out: &Output,
) -> Result<ExitCode> {
    let ctx = catalog::context(cx);
    let mut reports: Vec<FileReport> = files
        .iter()
        .map(|f| validate::validate_file(f, &ctx))
        .collect();
    let deployed = catalog::ids_of(&catalog::scan_dir(&cx.paths().agents_dir, &ctx)?);
    validate::check_conflicts(&mut reports, &cx.paths().agents_dir, &deployed);
    validate::sort(&mut reports);
    print_reports(&reports, strict, verbose, out);
    Ok(exit_for(&reports, strict))
}

fn exit_for(reports: &[FileReport], strict: bool) -> ExitCode {
    if reports.iter().any(FileReport::is_missing) {
        ExitCode::NotFound
    } else if reports
        .iter()
        .any(|r| !r.is_valid() || (strict && r.warnings().next().is_some()))
    {
        ExitCode::Invalid
    } else {
        ExitCode::Ok
    }
}

pub(super) fn print_reports(reports: &[FileReport], strict: bool, verbose: bool, out: &Output) {
    if out.json {
        out.json(&output::report_json(reports, strict));
        return;
    }
    for r in reports {
        let title = match r.version() {
            Some(v) => format!("{BOLD}{}{BOLD:#} → {} {v}", r.file.display(), r.id),
            None => format!("{BOLD}{}{BOLD:#}", r.file.display()),
        };
        out.line(title);
        for stage in Stage::ALL {
            let found: Vec<_> = r.diagnostics.iter().filter(|d| d.stage == stage).collect();
            let errors = found
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let warnings = found.len() - errors;
            if !r.stages.contains(&stage) {
                out.line(format!(
                    "  {DIM}- {} (not checked: fix the errors above first){DIM:#}",
                    stage.label()
                ));
                continue;
            }
            let worst = if errors > 0 {
                Some(Severity::Error)
            } else if warnings > 0 {
                Some(Severity::Warning)
            } else {
                None
            };
            let mut counts = Vec::new();
            if errors > 0 {
                counts.push(format!("{errors} error{}", plural(errors)));
            }
            if warnings > 0 {
                counts.push(format!("{warnings} warning{}", plural(warnings)));
            }
            let detail = if counts.is_empty() {
                String::new()
            } else {
                format!(": {}", counts.join(", "))
            };
            out.line(format!(
                "  {} {}{detail}",
                output::glyph(worst),
                stage.label()
            ));
            if verbose
                && stage == Stage::References
                && let Some(s) = &r.spec
            {
                out.line(format!(
                    "      {DIM}capabilities: {}{DIM:#}",
                    s.capabilities.join(", ")
                ));
                out.line(format!(
                    "      {DIM}tools: {}{DIM:#}",
                    if s.tools.is_empty() {
                        "none".into()
                    } else {
                        s.tools.join(", ")
                    }
                ));
            }
        }
        for d in &r.diagnostics {
            let excerpt = d.severity == Severity::Error || verbose;
            for l in output::diagnostic_lines(d, excerpt) {
                out.line(format!("  {l}"));
            }
        }
    }
    let invalid = reports.iter().filter(|r| !r.is_valid()).count();
    let errors: usize = reports.iter().map(|r| r.errors().count()).sum();
    let warnings: usize = reports.iter().map(|r| r.warnings().count()).sum();
    let summary = format!(
        "{} file{} checked: {} valid, {invalid} invalid ({errors} error{}, {warnings} warning{})",
        reports.len(),
        plural(reports.len()),
        reports.len() - invalid,
        plural(errors),
        plural(warnings)
    );
    let failed = invalid > 0 || (strict && warnings > 0);
    out.line(format!(
        "{} {summary}{}",
        output::glyph(failed.then_some(Severity::Error)),
        if strict && warnings > 0 && invalid == 0 {
            " — warnings fail with --strict"
        } else {
            ""
        }
    ));
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn validate_schema(cx: &Caxton, file: &Path, out: &Output) -> Result<ExitCode> {
    let mut report = validate::validate_file(file, &catalog::context(cx));
    report
        .stages
        .retain(|s| matches!(s, Stage::Syntax | Stage::Schema));
    report
        .diagnostics
        .retain(|d| matches!(d.stage, Stage::Syntax | Stage::Schema));
    let reports = [report];
    print_reports(&reports, false, false, out);
    Ok(exit_for(&reports, false))
}

fn deploy(cx: &Caxton, name: &str, source: Option<&Path>, out: &Output) -> Result<ExitCode> {
    let d = catalog::deploy(cx, name, source)?;
    if out.json {
        out.json(&d);
        return Ok(ExitCode::Ok);
    }
    for w in d.report.warnings() {
        output::diagnostic_lines(w, false)
            .iter()
            .for_each(|l| out.warn(l));
    }
    let what = match (&d.changed, &d.previous_version) {
        (false, _) => format!(
            "{} {} is already deployed (#{}, unchanged)",
            d.id, d.version, d.seq
        ),
        (true, Some(prev)) => format!("deployed {} {} (was {prev}) as #{}", d.id, d.version, d.seq),
        (true, None) => format!("deployed {} {} as #{}", d.id, d.version, d.seq),
    };
    out.line(format!("{} {what}", output::glyph(None)));
    out.line(format!("  file: {}", d.file.display()));
    Ok(ExitCode::Ok)
}

pub(super) fn time(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

fn entry_json(e: &Entry) -> Value {
    let errors: Vec<_> = e.report.errors().collect();
    json!({
        "id": e.id,
        "name": e.name(),
        "type": "config",
        "status": e.status,
        "version": e.report.version(),
        "description": e.report.spec.as_ref().and_then(|s| s.description.clone()),
        "capabilities": e.report.spec.as_ref().map(|s| s.capabilities.clone()).unwrap_or_default(),
        "tools": e.report.spec.as_ref().map(|s| s.tools.clone()).unwrap_or_default(),
        "file": e.file(),
        "deployed_version": e.history.first(),
        "versions": e.history.len(),
        "errors": errors,
    })
}

/// `live`: the daemon's view by id (`list --detailed` with a daemon running).
fn list(
    entries: &[Entry],
    wasms: &[WasmAgent],
    detailed: bool,
    live: Option<&std::collections::BTreeMap<String, Value>>,
    out: &Output,
) {
    let live_of = |id: &str| live.and_then(|l| l.get(id));
    if out.json {
        let mut all: Vec<Value> = entries.iter().map(entry_json).collect();
        all.extend(wasms.iter().map(super::wasm::agent_json));
        if detailed {
            for a in &mut all {
                a["live"] = a["id"]
                    .as_str()
                    .and_then(live_of)
                    .cloned()
                    .unwrap_or(Value::Null);
            }
        }
        out.json(&all);
        return;
    }
    if entries.is_empty() && wasms.is_empty() {
        out.line("no agents deployed (put agent .toml files in the agents directory, or `caxton agents deploy NAME --source FILE`)");
        return;
    }
    let caps = |e: &Entry| {
        e.report
            .spec
            .as_ref()
            .map(|s| s.capabilities.join(","))
            .unwrap_or_default()
    };
    let version = |e: &Entry| e.report.version().unwrap_or("-").to_string();
    // Detailed rows carry every column; the short listing picks some.
    const HEADERS: [&str; 9] = [
        "NAME",
        "ID",
        "TYPE",
        "STATUS",
        "VERSION",
        "DEPLOYED",
        "VERSIONS",
        "TOOLS",
        "CAPABILITIES",
    ];
    const SHORT: [usize; 6] = [0, 1, 2, 3, 4, 8];
    let mut rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.name().to_string(),
                e.id.clone(),
                "config".into(),
                e.status.as_str().into(),
                version(e),
                e.history
                    .first()
                    .map_or("-".into(), |v| time(v.deployed_at)),
                e.history.len().to_string(),
                e.report
                    .spec
                    .as_ref()
                    .map(|s| s.tools.join(","))
                    .unwrap_or_default(),
                caps(e),
            ]
        })
        .collect();
    rows.extend(wasms.iter().map(|a| {
        vec![
            a.name().to_string(),
            a.id.clone(),
            "wasm".into(),
            Status::Deployed.as_str().into(),
            a.version().to_string(),
            a.history
                .first()
                .map_or("-".into(), |v| time(v.deployed_at)),
            a.history.len().to_string(),
            String::new(),
            a.manifest.capabilities.join(","),
        ]
    }));
    if detailed {
        // The runbook's columns first: NAME TYPE STATUS UPTIME MEMORY_MB CPU_%,
        // STATUS live when the daemon has the agent, else from validation.
        let headers = [
            "NAME",
            "TYPE",
            "STATUS",
            "UPTIME",
            "MEMORY_MB",
            "CPU_%",
            "ID",
            "VERSION",
            "DEPLOYED",
            "VERSIONS",
            "TOOLS",
            "CAPABILITIES",
        ];
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|r| {
                let [status, up, mem, cpu] = match live_of(&r[1]) {
                    Some(a) => live::live_columns(a),
                    None => [r[3].clone(), "-".into(), "-".into(), "-".into()],
                };
                let mut row = vec![
                    r[0].clone(),
                    r[2].clone(),
                    status,
                    up,
                    mem,
                    cpu,
                    r[1].clone(),
                ];
                row.extend(r[4..].iter().cloned());
                row
            })
            .collect();
        out.table(&headers, &rows);
    } else {
        let pick = |row: &Vec<String>| SHORT.iter().map(|&i| row[i].clone()).collect::<Vec<_>>();
        let headers: Vec<&str> = SHORT.iter().map(|&i| HEADERS[i]).collect();
        out.table(&headers, &rows.iter().map(pick).collect::<Vec<_>>());
    }
}

fn show(e: &Entry, metrics: &live::Metrics, out: &Output) -> Result<ExitCode> {
    if out.json {
        let mut v = entry_json(e);
        if let Some(m) = metrics.json() {
            v["live"] = m;
        }
        v["definition"] = e
            .report
            .doc
            .as_ref()
            .map(|d| d.value.clone())
            .unwrap_or(Value::Null);
        v["history"] = json!(e.history);
        out.json(&v);
        return Ok(ExitCode::Ok);
    }
    out.line(format!("{BOLD}{}{BOLD:#} ({})", e.name(), e.id));
    let mut rows: Vec<(&str, String)> = vec![
        ("type", "config".into()),
        ("status", e.status.as_str().into()),
        ("version", e.report.version().unwrap_or("-").into()),
        ("file", e.file().display().to_string()),
    ];
    if let Some(s) = &e.report.spec {
        let none = |v: &[String]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        rows.push(("description", s.description.clone().unwrap_or_default()));
        rows.push(("capabilities", none(&s.capabilities)));
        rows.push(("requires", none(&s.requires)));
        rows.push(("tools", none(&s.tools)));
        rows.push((
            "memory",
            match &s.memory {
                Some(m) if m.enabled => format!(
                    "enabled, scope {}",
                    serde_json::to_value(m.scope.unwrap_or(spec::MemoryScope::Agent))
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default()
                ),
                _ => "disabled".into(),
            },
        ));
        rows.push((
            "llm",
            match &s.llm {
                Some(l) => serde_json::to_string(l).unwrap_or_default(),
                None => "server default".into(),
            },
        ));
        rows.push((
            "parameters",
            s.parameters
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    match e.history.first() {
        Some(v) => rows.push((
            "deployed",
            format!(
                "#{} {} at {} ({}: {}){}",
                v.seq,
                v.version,
                time(v.deployed_at),
                v.action,
                v.source,
                if e.is_recorded() {
                    ""
                } else {
                    "; the file has changed since"
                }
            ),
        )),
        None => rows.push((
            "deployed",
            "never recorded (run `caxton agents deploy` to record a version)".into(),
        )),
    }
    rows.push(("versions", e.history.len().to_string()));
    for (k, v) in rows {
        out.line(format!("  {DIM}{k:<13}{DIM:#}{v}"));
    }
    for d in e.report.errors() {
        output::diagnostic_lines(d, false)
            .iter()
            .for_each(|l| out.line(format!("  {l}")));
    }
    metrics.print(out);
    Ok(ExitCode::Ok)
}

fn capabilities(e: &Entry, list: bool, out: &Output) -> Result<ExitCode> {
    let caps = e
        .report
        .spec
        .as_ref()
        .map(|s| s.capabilities.clone())
        .unwrap_or_default();
    if out.json {
        out.json(&json!({"agent": e.id, "capabilities": caps, "requires": e.report.spec.as_ref().map(|s| s.requires.clone())}));
    } else if list {
        caps.iter().for_each(|c| out.line(c));
    } else {
        out.line(format!("{} ({}) offers:", e.name(), e.id));
        caps.iter().for_each(|c| out.line(format!("  {c}")));
        if let Some(s) = e.report.spec.as_ref().filter(|s| !s.requires.is_empty()) {
            out.line(format!("and requires: {}", s.requires.join(", ")));
        }
    }
    Ok(ExitCode::Ok)
}

fn diff_cmd(cx: &Caxton, name: &str, file: &Path, out: &Output) -> Result<ExitCode> {
    let entry = catalog::resolve(cx, name)?;
    let new = validate::validate_file(file, &catalog::context(cx));
    if new.is_missing() {
        return Err(Error::FileNotFound {
            path: file.to_path_buf(),
        });
    }
    if !new.is_valid() {
        return Err(Error::InvalidAgent {
            report: Box::new(new),
        });
    }
    let value = |r: &FileReport| {
        r.doc
            .as_ref()
            .map(|d| d.value.clone())
            .unwrap_or(Value::Null)
    };
    let changes = diff::diff(&value(&entry.report), &value(&new));
    if out.json {
        out.json(
            &json!({"agent": entry.id, "deployed": entry.file(), "file": file, "changes": changes}),
        );
        return Ok(ExitCode::Ok);
    }
    out.line(format!(
        "{BOLD}{}{BOLD:#} ({}) → {}",
        entry.id,
        entry.file().display(),
        file.display()
    ));
    if changes.is_empty() {
        out.line("  no changes");
    }
    let show = |v: &Value| match v {
        Value::String(s) if s.contains('\n') => format!("<{} lines>", s.lines().count()),
        other => other.to_string(),
    };
    for c in &changes {
        match c {
            Change::Added { field, new } => out.line(format!(
                "  {}+ {field}{:#} = {}",
                output::OK,
                output::OK,
                show(new)
            )),
            Change::Removed { field, old } => out.line(format!(
                "  {}- {field}{:#} (was {})",
                output::ERR,
                output::ERR,
                show(old)
            )),
            Change::Changed {
                field,
                old,
                new,
                text_diff,
            } => {
                out.line(format!(
                    "  {}~ {field}{:#}: {} → {}",
                    output::WARN,
                    output::WARN,
                    show(old),
                    show(new)
                ));
                if let Some(t) = text_diff {
                    t.lines().for_each(|l| out.line(format!("      {l}")));
                }
            }
        }
    }
    Ok(ExitCode::Ok)
}

fn debug(
    cx: &Caxton,
    e: &Entry,
    show_tools: bool,
    show_prompts: bool,
    out: &Output,
) -> Result<ExitCode> {
    let Some(s) = &e.report.spec else {
        return Err(Error::InvalidAgent {
            report: Box::new(e.report.clone()),
        });
    };
    // Neither flag: show both.
    let (show_tools, show_prompts) = if show_tools || show_prompts {
        (show_tools, show_prompts)
    } else {
        (true, true)
    };
    let mut tools = Vec::new();
    if show_tools {
        for name in &s.tools {
            let settings = s.tool_config.get(name).cloned().unwrap_or_default();
            match crate::tools::find(name) {
                Ok(t) => tools.push(json!({"name": name, "description": t.description(), "parameters": t.parameters(), "settings": settings})),
                Err(_) => tools.push(json!({"name": name, "external": true, "settings": settings})),
            }
        }
    }
    let mut prompts = Value::Null;
    if show_prompts {
        let mut vars = serde_json::Map::new();
        for (k, v) in &s.parameters {
            vars.insert(k.clone(), v.clone());
        }
        vars.insert("request".into(), "<the request text>".into());
        vars.insert(
            "context".into(),
            "<memory search results and conversation tail>".into(),
        );
        vars.insert("conversation_history".into(), "<earlier messages>".into());
        vars.insert("sender".into(), "cli".into());
        vars.insert(
            "capability".into(),
            s.capabilities.first().cloned().unwrap_or_default().into(),
        );
        vars.insert(
            "timestamp".into(),
            humantime::format_rfc3339_seconds(std::time::SystemTime::now())
                .to_string()
                .into(),
        );
        let vars = Value::Object(vars);
        let render = |t: &str| {
            template::render(t, &vars).unwrap_or_else(|err| format!("<cannot render: {err}>"))
        };
        prompts = json!({
            "variables": vars,
            "system": render(&s.system_prompt),
            "user": render(s.user_prompt_template()),
        });
    }
    let workspace = cx.paths().workspace(&e.id);
    if out.json {
        out.json(&json!({"agent": e.id, "file": e.file(), "workspace": workspace, "tools": tools, "prompts": prompts}));
        return Ok(ExitCode::Ok);
    }
    out.line(format!(
        "{BOLD}{}{BOLD:#} ({}) from {}",
        e.name(),
        e.id,
        e.file().display()
    ));
    out.line(format!("  workspace: {}", workspace.display()));
    if show_tools {
        out.line(format!("{BOLD}tools{BOLD:#}"));
        if tools.is_empty() {
            out.line("  none");
        }
        for t in &tools {
            out.line(format!(
                "  {}: {}",
                t["name"].as_str().unwrap_or(""),
                t["description"].as_str().unwrap_or("external (MCP) tool")
            ));
            if let Some(params) = t.get("parameters") {
                out.line(format!("    {DIM}arguments: {params}{DIM:#}"));
            }
            if t["settings"].as_object().is_some_and(|m| !m.is_empty()) {
                out.line(format!("    settings: {}", t["settings"]));
            }
        }
    }
    if show_prompts {
        out.line(format!(
            "{BOLD}system prompt{BOLD:#} {DIM}(sample variables){DIM:#}"
        ));
        prompts["system"]
            .as_str()
            .unwrap_or("")
            .lines()
            .for_each(|l| out.line(format!("  │ {l}")));
        out.line(format!("{BOLD}user prompt{BOLD:#}"));
        prompts["user"]
            .as_str()
            .unwrap_or("")
            .lines()
            .for_each(|l| out.line(format!("  │ {l}")));
    }
    Ok(ExitCode::Ok)
}
