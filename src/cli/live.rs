//! The live side of `caxton agents ...`: status, ping, reload, reload-status,
//! the development watch loop, and the live columns of `list`/`show`. All
//! of it talks to the running daemon through [`Client`]; the watch loop and
//! the on-disk views also work without one.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::output::{self, BOLD, DIM, Output};
use super::server::print_agent_line;
use crate::Caxton;
use crate::agent::catalog;
use crate::agent::validate::{self, FileReport};
use crate::agent::wasm;
use crate::error::{Error, ExitCode, Result};
use crate::server::client::{Client, segment};

/// How often `reload-status --watch` asks the daemon again.
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// The daemon's view of every agent by id, or `None` when no daemon runs.
pub fn live_agents(cx: &Caxton) -> Result<Option<BTreeMap<String, Value>>> {
    let Some(client) = Client::find(cx)? else {
        return Ok(None);
    };
    let all = client.get("/api/v1/agents", None)?;
    Ok(Some(
        all.as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| Some((a["id"].as_str()?.to_string(), a.clone())))
            .collect(),
    ))
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

/// STATUS UPTIME MEMORY_MB CPU_% of a live agent.
pub fn live_columns(a: &Value) -> [String; 4] {
    [
        a["status"].as_str().unwrap_or("-").to_string(),
        a["uptime_seconds"].as_u64().map_or("-".into(), uptime),
        a["memory_mb"]
            .as_f64()
            .map_or("-".into(), |m| format!("{m:.1}")),
        a["cpu_percent"]
            .as_f64()
            .map_or("-".into(), |c| format!("{c:.1}")),
    ]
}

/// What `agents show --include-metrics` adds.
pub enum Metrics {
    Off,
    NoDaemon(PathBuf),
    Live(Value),
}

impl Metrics {
    pub fn fetch(cx: &Caxton, id: &str, wanted: bool) -> Result<Metrics> {
        if !wanted {
            return Ok(Metrics::Off);
        }
        match Client::find(cx)? {
            None => Ok(Metrics::NoDaemon(cx.paths().data_dir.clone())),
            Some(c) => match c.get(&format!("/api/v1/agents/{}", segment(id)), None) {
                Ok(v) => Ok(Metrics::Live(v)),
                // On disk but not loaded (e.g. never valid): say so, not fail.
                Err(Error::Remote { status: 404, .. }) => Ok(Metrics::Live(Value::Null)),
                Err(e) => Err(e),
            },
        }
    }

    /// The `live` member of `show --json`.
    pub fn json(&self) -> Option<Value> {
        match self {
            Metrics::Off => None,
            Metrics::NoDaemon(_) => Some(Value::Null),
            Metrics::Live(v) => Some(v.clone()),
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
            Metrics::Live(Value::Null) => out.line(format!(
                "{BOLD}live metrics{BOLD:#}: the daemon has not loaded this agent"
            )),
            Metrics::Live(a) => {
                out.line(format!("{BOLD}live metrics{BOLD:#}"));
                let [status, up, mem, cpu] = live_columns(a);
                row("status", status);
                row("live version", a["version"].as_str().unwrap_or("-").into());
                row("uptime", up);
                row("memory_mb", mem);
                row("cpu_%", cpu);
                row("reloads", a["reloads"].to_string());
                let runs = &a["runs"];
                if runs.is_object() {
                    row("runs", runs.to_string());
                }
                if let Some(e) = a["error"].as_str() {
                    row("error", e.into());
                }
            }
        }
    }
}

/// `caxton agents status NAME`.
pub fn status(cx: &Caxton, name: &str, out: &Output) -> Result<ExitCode> {
    let a = Client::require(cx)?.get(&format!("/api/v1/agents/{}", segment(name)), None)?;
    if out.json {
        out.json(&a);
    } else {
        print_agent_line(&a, out);
        Metrics::Live(a.clone()).print(out);
    }
    Ok(if a["status"] == "running" {
        ExitCode::Ok
    } else {
        ExitCode::Invalid
    })
}

/// `caxton agents status --summary`: counts by status and by type.
pub fn summary(cx: &Caxton, out: &Output) -> Result<ExitCode> {
    let all = Client::require(cx)?.get("/api/v1/agents", None)?;
    let mut by_status: BTreeMap<String, u64> = ["running", "failing", "failed"]
        .iter()
        .map(|s| (s.to_string(), 0))
        .collect();
    let mut by_type: BTreeMap<String, u64> = ["config", "wasm"]
        .iter()
        .map(|s| (s.to_string(), 0))
        .collect();
    let agents = all.as_array().cloned().unwrap_or_default();
    for a in &agents {
        *by_status
            .entry(a["status"].as_str().unwrap_or("?").into())
            .or_default() += 1;
        *by_type
            .entry(a["type"].as_str().unwrap_or("?").into())
            .or_default() += 1;
    }
    if out.json {
        out.json(&json!({"total": agents.len(), "by_status": by_status, "by_type": by_type}));
        return Ok(ExitCode::Ok);
    }
    let join = |m: &BTreeMap<String, u64>| {
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

/// `caxton agents ping NAME --timeout 5s`: exit 0 only when a live version answers.
pub fn ping(cx: &Caxton, name: &str, timeout: Duration, out: &Output) -> Result<ExitCode> {
    let client = Client::require(cx)?;
    match client.get(
        &format!("/api/v1/agents/{}/ping", segment(name)),
        Some(timeout),
    ) {
        Ok(p) => {
            if out.json {
                out.json(&p);
            } else {
                out.line(format!(
                    "{} {} responded in {:.1} ms ({} {})",
                    output::glyph(None),
                    p["agent"].as_str().unwrap_or(name),
                    p["latency_ms"].as_f64().unwrap_or_default(),
                    p["status"].as_str().unwrap_or("?"),
                    p["version"].as_str().unwrap_or("-"),
                ));
            }
            Ok(ExitCode::Ok)
        }
        // 503: known to the daemon, but no loadable version answers.
        Err(Error::Remote { status: 503, .. }) => {
            let a = client.get(&format!("/api/v1/agents/{}", segment(name)), None)?;
            if out.json {
                out.json(&json!({"agent": a["id"], "ok": false, "status": a["status"], "error": a["error"]}));
            } else {
                print_agent_line(&a, out);
            }
            Ok(ExitCode::Invalid)
        }
        Err(e) => Err(e),
    }
}

pub struct ReloadOpts {
    pub validate_first: bool,
    pub rollback_on_error: bool,
}

/// `caxton agents reload NAME [--staged --rollback-on-error]`. The file is
/// checked before the daemon is asked; an invalid file (before or after
/// the reload) is rolled back to the last deployed version on request.
pub fn reload_one(cx: &Caxton, name: &str, opts: &ReloadOpts, out: &Output) -> Result<ExitCode> {
    let client = Client::require(cx)?;
    let is_config = wasm::find(cx, name)?.is_none();
    if opts.validate_first && is_config {
        let entry = catalog::resolve(cx, name)?;
        if !entry.report.is_valid() {
            if !opts.rollback_on_error {
                return Err(Error::InvalidAgent {
                    report: Box::new(entry.report),
                });
            }
            print_invalid(&entry.report, out);
            return rollback_and_reload(cx, &client, name, out);
        }
    }
    let a = reload_request(&client, name, opts.validate_first)?;
    if !out.json {
        print_agent_line(&a, out);
    }
    if a["status"] == "running" {
        if out.json {
            out.json(&a);
        }
        return Ok(ExitCode::Ok);
    }
    if opts.rollback_on_error && is_config {
        return rollback_and_reload(cx, &client, name, out);
    }
    if out.json {
        out.json(&a);
    }
    Ok(ExitCode::Invalid)
}

fn print_invalid(report: &FileReport, out: &Output) {
    for d in report.errors() {
        output::diagnostic_lines(d, false)
            .iter()
            .for_each(|l| out.warn(l));
    }
}

fn reload_request(client: &Client, name: &str, validate_first: bool) -> Result<Value> {
    client.post(
        &format!("/api/v1/agents/{}/reload", segment(name)),
        &json!({"validate_first": validate_first}),
        None,
    )
}

/// Restore the last deployed version and make it live; the exit code says
/// the requested reload failed even though the rollback worked.
fn rollback_and_reload(cx: &Caxton, client: &Client, name: &str, out: &Output) -> Result<ExitCode> {
    let d = catalog::rollback(cx, name)?;
    let a = reload_request(client, name, false)?;
    if out.json {
        out.json(&json!({"rolled_back": d, "agent": a}));
    } else {
        out.line(format!(
            "{} reload failed: rolled back {} to {} (#{})",
            output::glyph(Some(validate::Severity::Warning)),
            d.id,
            d.version,
            d.seq
        ));
        print_agent_line(&a, out);
    }
    Ok(ExitCode::Invalid)
}

/// `caxton agents reload --all-config [--validate-first]`: with
/// `--validate-first` nothing is reloaded while any config file is invalid.
pub fn reload_all_config(cx: &Caxton, validate_first: bool, out: &Output) -> Result<ExitCode> {
    let client = Client::require(cx)?;
    if validate_first {
        let mut invalid = catalog::list(cx)?
            .into_iter()
            .filter(|e| !e.report.is_valid());
        // The first is the error (exit 3); the others are listed before it.
        if let Some(first) = invalid.next() {
            invalid.for_each(|e| print_invalid(&e.report, out));
            return Err(Error::InvalidAgent {
                report: Box::new(first.report),
            });
        }
    }
    let agents: Vec<Value> = client.post("/api/v1/reload", &json!({}), None)?["agents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["type"] == "config")
        .cloned()
        .collect();
    if out.json {
        out.json(&agents);
    } else if agents.is_empty() {
        out.line("no config agents loaded");
    } else {
        agents.iter().for_each(|a| print_agent_line(a, out));
    }
    Ok(if agents.iter().all(|a| a["status"] == "running") {
        ExitCode::Ok
    } else {
        ExitCode::Invalid
    })
}

/// `caxton agents reload-status [--watch]`.
pub fn reload_status(cx: &Caxton, watch: bool, out: &Output) -> Result<ExitCode> {
    let client = Client::require(cx)?;
    loop {
        let s = client.get("/api/v1/reload-status", None)?;
        if out.json {
            out.json(&s);
        } else {
            print_reload_status(&s, out);
        }
        if !watch {
            return Ok(ExitCode::Ok);
        }
        // Polling an operator's screen, not synchronising anything.
        std::thread::sleep(WATCH_EVERY);
        if !out.json {
            out.line("");
        }
    }
}

fn print_reload_status(s: &Value, out: &Output) {
    out.line(format!(
        "{BOLD}reload status{BOLD:#} at {}: {} rescans, last {}",
        humantime::format_rfc3339_seconds(SystemTime::now()),
        s["rescans"],
        s["last_rescan"].as_str().unwrap_or("never")
    ));
    let events = s["events"].as_array().cloned().unwrap_or_default();
    if events.is_empty() {
        out.line("  no reload events yet");
    } else {
        let rows: Vec<Vec<String>> = events
            .iter()
            .rev()
            .take(20)
            .map(|e| {
                ["at", "agent", "outcome", "version", "error"]
                    .iter()
                    .map(|k| e[*k].as_str().unwrap_or("-").to_string())
                    .collect()
            })
            .collect();
        out.table(&["AT", "AGENT", "OUTCOME", "VERSION", "ERROR"], &rows);
    }
    for a in s["agents"].as_array().into_iter().flatten() {
        print_agent_line(a, out);
    }
}

/// After a deploy or rollback: make `name` live now if a daemon runs
/// (`say_no_daemon`: tell when none does).
pub fn apply_live(cx: &Caxton, name: &str, say_no_daemon: bool, out: &Output) -> Result<ExitCode> {
    let Some(client) = Client::find(cx)? else {
        if say_no_daemon && !out.json {
            out.line(format!(
                "daemon not running on {}: the agent goes live when it starts (`caxton server start`)",
                cx.paths().data_dir.display()
            ));
        }
        return Ok(ExitCode::Ok);
    };
    let a = reload_request(&client, name, false)?;
    if !out.json {
        print_agent_line(&a, out);
    }
    Ok(if a["status"] == "running" {
        ExitCode::Ok
    } else {
        ExitCode::Invalid
    })
}

pub struct WatchOpts {
    pub auto_reload: bool,
    pub ignore_errors: bool,
    pub log_changes: bool,
}

/// Size and modification time: what "changed" means for the watch loop.
type Stamp = (u64, Option<SystemTime>);

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Stamp> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| crate::server::watch::relevant(p, dir) && p.is_file())
        .filter_map(|p| {
            let m = std::fs::metadata(&p).ok()?;
            Some((p, (m.len(), m.modified().ok())))
        })
        .collect()
}

/// `caxton agents watch DIR`: validate every agent file as it changes
/// (all of them once at start) and, with `--auto-reload` and a running
/// daemon, reload the changed agent. Ends on Ctrl-C, or with exit 3 on the
/// first invalid file unless `--ignore-errors`.
pub fn watch(cx: &Caxton, dir: &Path, opts: &WatchOpts, out: &Output) -> Result<ExitCode> {
    if !dir.is_dir() {
        return Err(Error::FileNotFound {
            path: dir.to_path_buf(),
        });
    }
    let dir = dir.to_path_buf();
    let ctx = catalog::context(cx);
    let mut seen: BTreeMap<PathBuf, Stamp> = BTreeMap::new();
    let mut changed = || {
        let now = snapshot(&dir);
        let at = humantime::format_rfc3339_seconds(SystemTime::now());
        for gone in seen.keys().filter(|p| !now.contains_key(*p)) {
            if opts.log_changes {
                out.line(format!("{at} removed {}", gone.display()));
            }
        }
        let mut flow = ControlFlow::Continue(());
        for (path, stamp) in &now {
            if seen.get(path) == Some(stamp) {
                continue;
            }
            if opts.log_changes {
                out.line(format!("{at} changed {}", path.display()));
            }
            let report = validate::validate_file(path, &ctx);
            super::agents::print_reports(std::slice::from_ref(&report), false, false, out);
            if !report.is_valid() {
                if !opts.ignore_errors {
                    flow = ControlFlow::Break(());
                    break;
                }
                continue;
            }
            if opts.auto_reload {
                reload_watched(cx, &report, out);
            }
        }
        seen = now;
        flow
    };
    loop {
        if crate::server::watch::watch_until_gone(&dir, &mut changed).is_break() {
            return Ok(ExitCode::Invalid);
        }
        // The directory went away (or could not be watched): wait for it,
        // as the daemon does.
        loop {
            std::thread::sleep(Duration::from_millis(500));
            if dir.is_dir() {
                break;
            }
        }
    }
}

/// Reload one valid changed agent in the daemon, if one runs; problems are
/// reported and the loop goes on.
fn reload_watched(cx: &Caxton, report: &FileReport, out: &Output) {
    let result = Client::find(cx).and_then(|c| match c {
        Some(c) => reload_request(&c, &report.id, false).map(Some),
        None => Ok(None),
    });
    match result {
        Ok(Some(a)) => print_agent_line(&a, out),
        Ok(None) => out.line(format!(
            "  {DIM}daemon not running: {} not reloaded{DIM:#}",
            report.id
        )),
        Err(e) => out.warn(&format!("reload of {} failed: {e}", report.id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_reads_like_the_runbook() {
        assert_eq!(uptime(0), "0s");
        assert_eq!(uptime(59), "59s");
        assert_eq!(uptime(45 * 60 + 30), "45m");
        assert_eq!(uptime(2 * 3600 + 15 * 60), "2h15m");
        assert_eq!(uptime(3 * 86_400 + 5 * 3600), "3d5h");
    }

    #[test]
    fn live_columns_fall_back_to_dashes() {
        let a = json!({"status": "running", "uptime_seconds": 90, "memory_mb": 45.24, "cpu_percent": 3.1});
        assert_eq!(live_columns(&a), ["running", "1m", "45.2", "3.1"]);
        assert_eq!(live_columns(&Value::Null), ["-", "-", "-", "-"]);
    }
}
