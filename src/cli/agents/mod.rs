//! `caxton agents ...`: one file per subcommand group, each with its
//! arguments and its `run`; this file only declares and dispatches.

use clap::Subcommand;

use super::output::Output;
use crate::Caxton;
use crate::error::{ExitCode, Result};

mod deploy;
mod inspect;
mod list;
pub(super) mod live;
pub(super) mod reload;
pub(crate) mod run;
mod runlog;
mod sandbox;
mod show;
mod validate;
mod watch;

#[derive(Debug, Subcommand)]
pub enum AgentsCommand {
    /// Check agent files: syntax, schema, references, templates, conflicts
    Validate(validate::ValidateArgs),
    /// Check an agent file against the JSON Schema of the format only
    ValidateSchema(validate::ValidateSchemaArgs),
    /// Print the JSON Schema of the config-agent format
    Schema,
    /// Validate an agent and deploy it into the agents directory, recording the version
    Deploy(deploy::DeployArgs),
    /// List deployed agents
    List(list::ListArgs),
    /// Print the number of deployed agents
    Count(list::CountArgs),
    /// Show one agent: definition, status, deployed versions
    Show(show::ShowArgs),
    /// Show the capabilities an agent offers
    Capabilities(show::CapabilitiesArgs),
    /// Field-level differences between the deployed agent and FILE
    Diff(inspect::DiffArgs),
    /// Restore a previously deployed version, byte for byte
    Rollback(deploy::RollbackArgs),
    /// Show an agent's tools and its prompts rendered with sample variables
    Debug(inspect::DebugArgs),
    /// Run an agent once and print its answer (config agents ask their LLM)
    Test(run::TestArgs),
    /// Run a config agent file once without deploying it
    TestLocal(run::TestLocalArgs),
    /// Show a config agent's run log: runs, tool calls, denials, errors
    Logs(runlog::LogsArgs),
    /// Runs, errors, P50/P99 latency and tokens of a config agent
    Metrics(runlog::MetricsArgs),
    /// Check a config agent: definition, provider, tools, memory, recent failures
    Diagnose(runlog::DiagnoseArgs),
    /// Executions, fuel, CPU time, peak memory and traps of WASM agents
    ResourceUsage(sandbox::ResourceUsageArgs),
    /// One WASM agent's effective limits, policy, module and execution record
    SandboxStatus(sandbox::SandboxStatusArgs),
    /// Live status of one agent in the running daemon (exit 3 when it is
    /// not running), or counts of all by status and type
    Status(live::StatusArgs),
    /// Check that the daemon has a live version of the agent that answers
    /// (exit 3 when it has none, 6 when no answer comes in time)
    Ping(live::PingArgs),
    /// Reload an agent (or all config agents) in the running daemon now
    Reload(reload::ReloadArgs),
    /// Recent reload events and agents that are not running, from the daemon
    ReloadStatus(reload::ReloadStatusArgs),
    /// Development loop: validate agent files in DIR as they change and
    /// (with --auto-reload) make them live in the running daemon; runs until Ctrl-C
    Watch(watch::WatchArgs),
}

pub fn run(cx: &Caxton, cmd: AgentsCommand, out: &Output) -> Result<ExitCode> {
    use AgentsCommand as C;
    match cmd {
        C::Validate(a) => validate::run(cx, a, out),
        C::ValidateSchema(a) => validate::run_schema_check(cx, a, out),
        C::Schema => {
            out.json(&crate::agent::spec::json_schema());
            Ok(ExitCode::Ok)
        }
        C::Deploy(a) => deploy::run(cx, a, out),
        C::List(a) => list::run(cx, a, out),
        C::Count(a) => list::run_count(cx, a, out),
        C::Show(a) => show::run(cx, a, out),
        C::Capabilities(a) => show::run_capabilities(cx, a, out),
        C::Diff(a) => inspect::run_diff(cx, a, out),
        C::Rollback(a) => deploy::run_rollback(cx, a, out),
        C::Debug(a) => inspect::run_debug(cx, a, out),
        C::Test(a) => run::run(cx, a, out),
        C::TestLocal(a) => run::run_local(cx, a, out),
        C::Logs(a) => runlog::run_logs(cx, a, out),
        C::Metrics(a) => runlog::run_metrics(cx, a, out),
        C::Diagnose(a) => runlog::run_diagnose(cx, a, out),
        C::ResourceUsage(a) => sandbox::run_usage(cx, a, out),
        C::SandboxStatus(a) => sandbox::run_status(cx, a, out),
        C::Status(a) => live::run_status(cx, a, out),
        C::Ping(a) => live::run_ping(cx, a, out),
        C::Reload(a) => reload::run_reload(cx, a, out),
        C::ReloadStatus(a) => reload::run_reload_status(cx, a, out),
        C::Watch(a) => watch::run(cx, a, out),
    }
}

/// An RFC 3339 time (to the second) of a millisecond timestamp.
pub(super) fn time(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// A config agent for a command that exists for config agents only; a WASM
/// agent gets a usage error saying why (`why`) and where its record is.
pub(super) fn config_agent(
    cx: &Caxton,
    name: &str,
    why: &str,
) -> Result<crate::agent::catalog::Entry> {
    match crate::agent::resolve(cx, name)? {
        crate::agent::Agent::Config(e) => Ok(e),
        crate::agent::Agent::Wasm(a) => Err(crate::error::Error::Usage {
            message: format!("`{}` is a WASM agent; {why}", a.id),
            hint: format!(
                "`caxton agents sandbox-status --agent {}` shows its execution record",
                a.id
            ),
        }),
    }
}
