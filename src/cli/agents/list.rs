//! `agents list` and `agents count`: deployed agents of both kinds, with
//! the daemon's live columns on request.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{live, time};
use crate::Caxton;
use crate::agent::catalog::Status;
use crate::agent::{self, Agent, Detail, Kind};
use crate::cli::output::Output;
use crate::error::{ExitCode, Result};
use crate::server::contract::{Health, LiveAgent};

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Live columns from the daemon (uptime, memory, CPU), then deployed
    /// time, versions, tools
    #[arg(long)]
    detailed: bool,
    #[command(flatten)]
    filter: CountArgs,
    /// Print only agent ids, one per line
    #[arg(long, conflicts_with = "count")]
    names_only: bool,
    /// Print only the number of matching agents
    #[arg(long)]
    count: bool,
}

#[derive(Debug, clap::Args)]
pub struct CountArgs {
    #[arg(long = "type", value_enum)]
    kind: Option<Kind>,
    /// `running` asks the daemon (nothing is running when it is not); the
    /// others are the agent files' status
    #[arg(long, value_enum)]
    status: Option<StatusFilter>,
}

/// `--status`: the offline statuses plus the daemon's `running`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum StatusFilter {
    /// Live in the daemon with recent executions succeeding
    Running,
    /// A valid file is in the agents directory
    Deployed,
    /// The file is invalid, but a good version was deployed before
    Failing,
    /// The file is invalid and no good version exists
    Failed,
}

/// The agents matching `filter`, with the daemon's view when it was asked
/// for (`--status running` needs it).
fn select(cx: &Caxton, filter: &CountArgs, out: &Output) -> Result<Vec<Agent>> {
    let offline = match filter.status {
        None | Some(StatusFilter::Running) => None,
        Some(StatusFilter::Deployed) => Some(Status::Deployed),
        Some(StatusFilter::Failing) => Some(Status::Failing),
        Some(StatusFilter::Failed) => Some(Status::Failed),
    };
    let mut agents = agent::list(cx, filter.kind, offline)?;
    if filter.status == Some(StatusFilter::Running) {
        match live::live_agents(cx)? {
            Some(live) => agents.retain(|a| {
                live.get(a.id())
                    .is_some_and(|l| l.status == Health::Running)
            }),
            None => {
                // Offline nothing executes: the answer is "none", said
                // plainly so a script's count of 0 is not a mystery.
                out.note(&format!(
                    "daemon not running on {}: no agent is running (offline statuses are `deployed`, `failing`, `failed`; start it with `caxton server start`)",
                    cx.paths().data_dir.display()
                ));
                agents.clear();
            }
        }
    }
    Ok(agents)
}

pub fn run(cx: &Caxton, args: ListArgs, out: &Output) -> Result<ExitCode> {
    let agents = select(cx, &args.filter, out)?;
    if args.count {
        out.line(agents.len());
    } else if args.names_only {
        agents.iter().for_each(|a| out.line(a.id()));
    } else {
        let live = if args.detailed {
            let live = live::live_agents(cx)?;
            if live.is_none() && !out.json {
                out.note(&live::no_daemon_note(cx));
            }
            live
        } else {
            None
        };
        let filtered = args.filter.kind.is_some() || args.filter.status.is_some();
        list(&agents, args.detailed, filtered, live.as_ref(), out);
    }
    Ok(ExitCode::Ok)
}

pub fn run_count(cx: &Caxton, args: CountArgs, out: &Output) -> Result<ExitCode> {
    out.line(select(cx, &args, out)?.len());
    Ok(ExitCode::Ok)
}

/// `live`: the daemon's view by id (`list --detailed` with a daemon running).
fn list(
    agents: &[Agent],
    detailed: bool,
    filtered: bool,
    live: Option<&BTreeMap<String, LiveAgent>>,
    out: &Output,
) {
    let live_of = |id: &str| live.and_then(|l| l.get(id));
    if out.json {
        let all: Vec<Value> = agents
            .iter()
            .map(|a| {
                let mut v = json!(a.summary());
                if detailed {
                    v["live"] = json!(live_of(a.id()));
                }
                v
            })
            .collect();
        out.json(&all);
        return;
    }
    if agents.is_empty() && filtered {
        out.line("no agents match the --type/--status filter");
        return;
    }
    if agents.is_empty() {
        out.line("no agents deployed (put agent .toml files in the agents directory, or `caxton agents deploy NAME --source FILE`)");
        return;
    }
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
    let rows: Vec<Vec<String>> = agents
        .iter()
        .map(|a| {
            let s = a.summary();
            let tools = match &s.detail {
                Detail::Config { tools, .. } => tools.join(","),
                Detail::Wasm { .. } => String::new(),
            };
            vec![
                a.name().to_string(),
                a.id().to_string(),
                a.kind().as_str().into(),
                a.status().as_str().into(),
                s.version.unwrap_or("-").to_string(),
                a.history()
                    .first()
                    .map_or("-".into(), |v| time(v.deployed_at)),
                a.history().len().to_string(),
                tools,
                a.capabilities().join(","),
            ]
        })
        .collect();
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
                    Some(a) => live::live_columns(Some(a)),
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
