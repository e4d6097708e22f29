//! `caxton agents reload`, `agents reload-status` and `caxton reload`: one
//! reload operation, whichever command asks for it. Talks to the running
//! daemon through [`Client`].

use std::time::{Duration, SystemTime};

use serde_json::json;

use super::live::{exit_for, print_agent_line};
use crate::Caxton;
use crate::agent::validate::FileReport;
use crate::agent::{self, Agent, Kind, catalog};
use crate::cli::output::{self, BOLD, Output};
use crate::diagnostics::Severity;
use crate::error::{Error, ExitCode, Result};
use crate::server::client::{Client, segment};
use crate::server::contract::{Health, LiveAgent, ReloadStatus, Reloaded};

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["name", "all_config"]))]
pub struct ReloadArgs {
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
}

#[derive(Debug, clap::Args)]
pub struct ReloadStatusArgs {
    /// Reprint every 2 seconds until Ctrl-C
    #[arg(long)]
    watch: bool,
}

/// `agents reload NAME [--staged --rollback-on-error]` or `--all-config`.
pub fn run_reload(cx: &Caxton, args: ReloadArgs, out: &Output) -> Result<ExitCode> {
    match args.name {
        None => reload_all(cx, true, args.validate_first, out),
        Some(name) => reload_one(
            cx,
            &name,
            &ReloadOpts {
                validate_first: args.validate_first || args.staged,
                rollback_on_error: args.rollback_on_error,
            },
            out,
        ),
    }
}

/// `caxton reload [--agent NAME]`: with a name, the same operation as
/// `caxton agents reload NAME`; without, a rescan of every agent.
pub fn reload(cx: &Caxton, agent: Option<&str>, out: &Output) -> Result<ExitCode> {
    if let Some(name) = agent {
        let opts = ReloadOpts {
            validate_first: false,
            rollback_on_error: false,
        };
        return reload_one(cx, name, &opts, out);
    }
    reload_all(cx, false, false, out)
}

/// The file is checked before the daemon is asked; an invalid file (before
/// or after the reload) is rolled back to the last deployed version on request.
fn reload_one(cx: &Caxton, name: &str, opts: &ReloadOpts, out: &Output) -> Result<ExitCode> {
    let client = Client::require(cx)?;
    let config = match agent::resolve(cx, name) {
        Ok(Agent::Config(e)) => Some(e),
        Ok(Agent::Wasm(_)) => None,
        // Not on disk: the daemon says whether it knows the name.
        Err(Error::AgentNotFound { .. }) if !opts.validate_first => None,
        Err(e) => return Err(e),
    };
    if opts.validate_first
        && let Some(entry) = &config
        && !entry.report.is_valid()
    {
        if !opts.rollback_on_error {
            return Err(entry.report.clone().into_error());
        }
        print_invalid(&entry.report, out);
        return rollback_and_reload(cx, &client, name, out);
    }
    let a = reload_request(&client, name, opts.validate_first, None)?;
    if !out.json {
        print_agent_line(&a, out);
    }
    if a.status != Health::Running && opts.rollback_on_error && config.is_some() {
        return rollback_and_reload(cx, &client, name, out);
    }
    if out.json {
        out.json(&a);
    }
    Ok(exit_for(&a))
}

pub(super) fn reload_request(
    client: &Client,
    name: &str,
    validate_first: bool,
    timeout: Option<Duration>,
) -> Result<LiveAgent> {
    client.post_as(
        &format!("/api/v1/agents/{}/reload", segment(name)),
        &json!({"validate_first": validate_first}),
        timeout,
    )
}

/// `agents reload-status [--watch]`.
pub fn run_reload_status(cx: &Caxton, args: ReloadStatusArgs, out: &Output) -> Result<ExitCode> {
    let client = Client::require(cx)?;
    loop {
        let s: ReloadStatus = client.get_as("/api/v1/reload-status", None)?;
        if out.json {
            out.json(&s);
        } else {
            print_reload_status(&s, out);
        }
        if !args.watch {
            return Ok(ExitCode::Ok);
        }
        // Polling an operator's screen, not synchronising anything.
        std::thread::sleep(WATCH_EVERY);
        if !out.json {
            out.line("");
        }
    }
}

fn print_reload_status(s: &ReloadStatus, out: &Output) {
    out.line(format!(
        "{BOLD}reload status{BOLD:#} at {}: {} rescans, last {}",
        humantime::format_rfc3339_seconds(SystemTime::now()),
        s.rescans,
        s.last_rescan.as_deref().unwrap_or("never")
    ));
    if s.events.is_empty() {
        out.line("  no reload events yet");
    } else {
        let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let rows: Vec<Vec<String>> = s
            .events
            .iter()
            .rev()
            .take(20)
            .map(|e| {
                vec![
                    e.at.clone(),
                    e.agent.clone(),
                    e.outcome.clone(),
                    dash(&e.version),
                    dash(&e.error),
                ]
            })
            .collect();
        out.table(&["AT", "AGENT", "OUTCOME", "VERSION", "ERROR"], &rows);
    }
    for a in &s.agents {
        print_agent_line(a, out);
    }
}

/// How often `reload-status --watch` asks the daemon again.
const WATCH_EVERY: Duration = Duration::from_secs(2);

struct ReloadOpts {
    validate_first: bool,
    rollback_on_error: bool,
}

fn print_invalid(report: &FileReport, out: &Output) {
    for d in report.errors() {
        output::diagnostic_lines(d, false)
            .iter()
            .for_each(|l| out.warn(l));
    }
}

/// Restore the last deployed version and make it live; the exit code says
/// the requested reload failed even though the rollback worked.
fn rollback_and_reload(cx: &Caxton, client: &Client, name: &str, out: &Output) -> Result<ExitCode> {
    let d = catalog::rollback(cx, name, None)?;
    let a = reload_request(client, name, false, None)?;
    if out.json {
        out.json(&json!({"rolled_back": d, "agent": a}));
    } else {
        out.line(format!(
            "{} reload failed: rolled back {} to {} (#{})",
            output::glyph(Some(Severity::Warning)),
            d.id,
            d.version,
            d.seq
        ));
        print_agent_line(&a, out);
    }
    Ok(ExitCode::Invalid)
}

/// Rescan everything in the daemon and report the agents (`only_config`:
/// `agents reload --all-config`). With `validate_first` nothing is reloaded
/// while any config file is invalid.
fn reload_all(
    cx: &Caxton,
    only_config: bool,
    validate_first: bool,
    out: &Output,
) -> Result<ExitCode> {
    let client = Client::require(cx)?;
    if validate_first {
        let mut invalid = catalog::list(cx)?
            .into_iter()
            .filter(|e| !e.report.is_valid());
        // The first is the error (exit 3); the others are listed before it.
        if let Some(first) = invalid.next() {
            invalid.for_each(|e| print_invalid(&e.report, out));
            return Err(first.report.into_error());
        }
    }
    let agents: Vec<LiveAgent> = client
        .post_as::<Reloaded>("/api/v1/reload", &json!({}), None)?
        .agents
        .into_iter()
        .filter(|a| !only_config || a.kind == Kind::Config)
        .collect();
    if out.json {
        out.json(&agents);
    } else if agents.is_empty() {
        out.line(if only_config {
            "no config agents loaded"
        } else {
            "no agents loaded"
        });
    } else {
        agents.iter().for_each(|a| print_agent_line(a, out));
    }
    Ok(if agents.iter().all(|a| a.status == Health::Running) {
        ExitCode::Ok
    } else {
        ExitCode::Invalid
    })
}
