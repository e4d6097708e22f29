//! The live side of `caxton agents ...`: status, ping, deploy's hot reload,
//! and the live columns of `list`/`show` (reloads: reload.rs). All of it
//! talks to the running daemon through [`Client`], reading the typed
//! answers of [`crate::server::contract`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::Caxton;
use crate::cli::args;
use crate::cli::output::{self, BOLD, DIM, Output};
use crate::diagnostics::Severity;
use crate::error::{Error, ExitCode, Result};
use crate::server::client::{Client, segment};
use crate::server::contract::{Health, LiveAgent, Ping};

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["name", "summary"]))]
pub struct StatusArgs {
    name: Option<String>,
    /// Counts by status and by type
    #[arg(long)]
    summary: bool,
}

#[derive(Debug, clap::Args)]
pub struct PingArgs {
    name: String,
    /// Give up after this long, e.g. 5s
    #[arg(long, default_value = "5s", value_parser = args::duration)]
    timeout: Duration,
}

/// The daemon's view of every agent by id, or `None` when no daemon runs.
pub fn live_agents(cx: &Caxton) -> Result<Option<BTreeMap<String, LiveAgent>>> {
    let Some(client) = Client::find(cx)? else {
        return Ok(None);
    };
    let all: Vec<LiveAgent> = client.get_as("/api/v1/agents", None)?;
    Ok(Some(all.into_iter().map(|a| (a.id.clone(), a)).collect()))
}

/// STATUS UPTIME MEMORY_MB CPU_% of a live agent (dashes when not live).
pub fn live_columns(a: Option<&LiveAgent>) -> [String; 4] {
    match a {
        Some(a) => [
            a.status.as_str().to_string(),
            uptime(a.uptime_seconds),
            format!("{:.1}", a.memory_mb),
            format!("{:.1}", a.cpu_percent),
        ],
        None => ["-".into(), "-".into(), "-".into(), "-".into()],
    }
}

/// What `agents show --include-metrics` adds.
pub enum Metrics {
    Off,
    NoDaemon(PathBuf),
    /// `None`: on disk but not loaded by the daemon (e.g. never valid).
    Live(Option<Box<LiveAgent>>),
}

impl Metrics {
    pub fn fetch(cx: &Caxton, id: &str, wanted: bool) -> Result<Metrics> {
        if !wanted {
            return Ok(Metrics::Off);
        }
        match Client::find(cx)? {
            None => Ok(Metrics::NoDaemon(cx.paths().data_dir.clone())),
            Some(c) => match c.get_as(&format!("/api/v1/agents/{}", segment(id)), None) {
                Ok(a) => Ok(Metrics::Live(Some(Box::new(a)))),
                Err(Error::Remote { status: 404, .. }) => Ok(Metrics::Live(None)),
                Err(e) => Err(e),
            },
        }
    }

    /// The `live` member of `show --json`.
    pub fn json(&self) -> Option<serde_json::Value> {
        match self {
            Metrics::Off => None,
            Metrics::NoDaemon(_) => Some(serde_json::Value::Null),
            Metrics::Live(a) => Some(json!(a)),
        }
    }

    pub fn print(&self, out: &Output) {
        let row = |k: &str, v: String| out.line(format!("  {DIM}{k:<13}{DIM:#}{v}"));
        match self {
            Metrics::Off => {}
            Metrics::NoDaemon(dir) => out.line(format!(
                "{BOLD}live metrics{BOLD:#}: daemon not running on {} (start it with `caxton server start`)",
                dir.display()
            )),
            Metrics::Live(None) => out.line(format!(
                "{BOLD}live metrics{BOLD:#}: the daemon has not loaded this agent"
            )),
            Metrics::Live(Some(a)) => {
                out.line(format!("{BOLD}live metrics{BOLD:#}"));
                let [status, up, mem, cpu] = live_columns(Some(a));
                row("status", status);
                row("live version", a.version.clone().unwrap_or_else(|| "-".into()));
                row("uptime", up);
                row("memory_mb", mem);
                row("cpu_%", cpu);
                row("reloads", a.reloads.to_string());
                row("runs", json!(a.runs).to_string());
                if let Some(e) = &a.error {
                    row("error", e.clone());
                }
            }
        }
    }
}

/// `agents status NAME` (exit 3 unless running) or `--summary`.
pub fn run_status(cx: &Caxton, args: StatusArgs, out: &Output) -> Result<ExitCode> {
    let client = Client::require(cx)?;
    let Some(name) = args.name.filter(|_| !args.summary) else {
        return summary(&client, out);
    };
    let a: LiveAgent = client.get_as(&format!("/api/v1/agents/{}", segment(&name)), None)?;
    if out.json {
        out.json(&a);
    } else {
        print_agent_line(&a, out);
        Metrics::Live(Some(Box::new(a.clone()))).print(out);
    }
    Ok(exit_for(&a))
}

pub(super) fn exit_for(a: &LiveAgent) -> ExitCode {
    if a.status == Health::Running {
        ExitCode::Ok
    } else {
        ExitCode::Invalid
    }
}

/// Counts by status and by type.
fn summary(client: &Client, out: &Output) -> Result<ExitCode> {
    let agents: Vec<LiveAgent> = client.get_as("/api/v1/agents", None)?;
    let mut by_status: BTreeMap<&str, u64> = ["running", "failing", "failed"]
        .iter()
        .map(|s| (*s, 0))
        .collect();
    let mut by_type: BTreeMap<&str, u64> = ["config", "wasm"].iter().map(|s| (*s, 0)).collect();
    for a in &agents {
        *by_status.entry(a.status.as_str()).or_default() += 1;
        *by_type.entry(a.kind.as_str()).or_default() += 1;
    }
    if out.json {
        out.json(&json!({"total": agents.len(), "by_status": by_status, "by_type": by_type}));
        return Ok(ExitCode::Ok);
    }
    let join = |m: &BTreeMap<&str, u64>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.line(format!("agents: {}", agents.len()));
    out.line(format!("  by status: {}", join(&by_status)));
    out.line(format!("  by type:   {}", join(&by_type)));
    Ok(ExitCode::Ok)
}

/// `agents ping NAME --timeout 5s`: exit 0 only when a live version answers.
pub fn run_ping(cx: &Caxton, args: PingArgs, out: &Output) -> Result<ExitCode> {
    let client = Client::require(cx)?;
    let name = &args.name;
    match client.get_as::<Ping>(
        &format!("/api/v1/agents/{}/ping", segment(name)),
        Some(args.timeout),
    ) {
        Ok(p) => {
            if out.json {
                out.json(&p);
            } else {
                out.line(format!(
                    "{} {} responded in {:.1} ms ({} {})",
                    output::glyph(None),
                    p.agent,
                    p.latency_ms,
                    p.status.as_str(),
                    p.version.as_deref().unwrap_or("-"),
                ));
            }
            Ok(ExitCode::Ok)
        }
        // 503: known to the daemon, but no loadable version answers.
        Err(Error::Remote { status: 503, .. }) => {
            let a: LiveAgent = client.get_as(&format!("/api/v1/agents/{}", segment(name)), None)?;
            if out.json {
                out.json(
                    &json!({"agent": a.id, "ok": false, "status": a.status, "error": a.error}),
                );
            } else {
                print_agent_line(&a, out);
            }
            Ok(ExitCode::Invalid)
        }
        Err(e) => Err(e),
    }
}

/// `✓ id running 1.0.0` or `✗ id failing: error`.
pub fn print_agent_line(a: &LiveAgent, out: &Output) {
    let sev = match a.status {
        Health::Running => None,
        Health::Failing => Some(Severity::Warning),
        Health::Failed => Some(Severity::Error),
    };
    let error = a
        .error
        .as_ref()
        .map(|e| format!(": {e}"))
        .unwrap_or_default();
    out.line(format!(
        "{} {} {} {}{error}",
        output::glyph(sev),
        a.id,
        a.status.as_str(),
        a.version.as_deref().unwrap_or("-"),
    ));
}

/// The note printed (on stderr, so pipes stay clean) when live columns are empty.
pub fn no_daemon_note(cx: &Caxton) -> String {
    format!(
        "daemon not running on {}: live columns show `-` (start it with `caxton server start`)",
        cx.paths().data_dir.display()
    )
}

/// `2h15m`, `45m`, `12s`: the runbook's uptime column.
pub fn uptime(secs: u64) -> String {
    match secs {
        s if s >= 86_400 => format!("{}d{}h", s / 86_400, s % 86_400 / 3600),
        s if s >= 3600 => format!("{}h{}m", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// After a deploy or rollback: make `name` live now if a daemon runs
/// (`say_no_daemon`: tell when none does).
pub fn apply_live(cx: &Caxton, name: &str, say_no_daemon: bool, out: &Output) -> Result<ExitCode> {
    let Some(client) = live_client(cx, say_no_daemon, out)? else {
        return Ok(ExitCode::Ok);
    };
    let a = super::reload::reload_request(&client, name, false, None)?;
    Ok(report_live(&a, out))
}

/// `agents deploy NAME --source FILE.toml --hot-reload --timeout D`: ask the
/// daemon to load the file and wait up to `wait` for it to report `version`
/// running. A daemon that is starting (503) or not answering is asked again
/// until the deadline; an invalid file fails at once with its reason.
pub fn await_live(
    cx: &Caxton,
    id: &str,
    version: &str,
    wait: Duration,
    out: &Output,
) -> Result<ExitCode> {
    let Some(client) = live_client(cx, true, out)? else {
        return Ok(ExitCode::Ok);
    };
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let state =
            match super::reload::reload_request(&client, id, false, Some(left.max(AWAIT_POLL))) {
                Ok(a) if a.version.as_deref() == Some(version) || a.status != Health::Running => {
                    return Ok(report_live(&a, out));
                }
                Ok(a) => format!(
                    "the daemon runs version {}",
                    a.version.as_deref().unwrap_or("-")
                ),
                Err(Error::Remote {
                    status: 503,
                    message,
                    ..
                })
                | Err(Error::DaemonUnreachable { message, .. }) => message,
                Err(e) => return Err(e),
            };
        if Instant::now() + AWAIT_POLL >= deadline {
            return Err(Error::NotLive {
                agent: id.to_string(),
                version: version.to_string(),
                waited: humantime::format_duration(wait).to_string(),
                state,
            });
        }
        std::thread::sleep(AWAIT_POLL);
    }
}

/// How often `deploy --timeout` asks a daemon that is not ready again.
const AWAIT_POLL: Duration = Duration::from_millis(200);

/// The daemon, or `None` after saying (when asked) that the agent goes live
/// when one starts.
fn live_client(cx: &Caxton, say_no_daemon: bool, out: &Output) -> Result<Option<Client>> {
    let client = Client::find(cx)?;
    if client.is_none() && say_no_daemon && !out.json {
        out.line(format!(
            "daemon not running on {}: the agent goes live when it starts (`caxton server start`)",
            cx.paths().data_dir.display()
        ));
    }
    Ok(client)
}

/// Print the agent's live line; exit 3 unless it runs.
fn report_live(a: &LiveAgent, out: &Output) -> ExitCode {
    if !out.json {
        print_agent_line(a, out);
    }
    if a.status == Health::Running {
        ExitCode::Ok
    } else {
        ExitCode::Invalid
    }
}
