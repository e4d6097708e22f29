//! The config-agent run log: `agents logs`, `agents metrics` and
//! `agents diagnose`.

use std::time::Duration;

use clap::ValueEnum;
use serde_json::{Value, json};

use crate::Caxton;
use crate::agent::catalog::Entry;
use crate::agent::{Agent, wasm_minutes};
use crate::cli::output::{self, BOLD, DIM, Output};
use crate::clock::now_ms;
use crate::diagnostics::Severity;
use crate::error::{ExitCode, Result};
use crate::runtime::records;
use crate::runtime::run::RunContext;

/// Run-log commands exist for config agents only.
const WASM_NOTE: &str = "its executions are not in the config-agent run log";

#[derive(Debug, clap::Args)]
pub struct LogsArgs {
    name: String,
    /// Show the last N lines
    #[arg(long, value_name = "N", default_value_t = 50)]
    tail: usize,
    /// Show only lines at this level or worse
    #[arg(long, value_enum)]
    level: Option<Level>,
}

#[derive(Debug, clap::Args)]
pub struct MetricsArgs {
    name: String,
    /// The window, e.g. 1h, 30m, 7d
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = crate::cli::args::duration)]
    last: Duration,
}

#[derive(Debug, clap::Args)]
pub struct DiagnoseArgs {
    name: String,
    /// List the most recent failed runs with their errors
    #[arg(long)]
    show_errors: bool,
}

pub fn run_logs(cx: &Caxton, a: LogsArgs, out: &Output) -> Result<ExitCode> {
    logs(
        cx,
        &super::config_agent(cx, &a.name, WASM_NOTE)?,
        a.tail,
        a.level,
        out,
    )
}

pub fn run_metrics(cx: &Caxton, a: MetricsArgs, out: &Output) -> Result<ExitCode> {
    match crate::agent::resolve(cx, &a.name)? {
        Agent::Config(entry) => metrics(cx, &entry, a.last, out),
        Agent::Wasm(w) => wasm_metrics(cx, &w.id, a.last, out),
    }
}

pub fn run_diagnose(cx: &Caxton, a: DiagnoseArgs, out: &Output) -> Result<ExitCode> {
    diagnose(
        cx,
        &super::config_agent(cx, &a.name, WASM_NOTE)?,
        a.show_errors,
        out,
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Level {
    Error,
    Warn,
    Info,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
        }
    }
}

/// The log lines of one stored run, oldest first.
fn log_lines(s: &records::Stored) -> Vec<(Level, String)> {
    let r = &s.record;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let conversation = r["conversation_id"]
        .as_str()
        .map(|c| format!(" (conversation {c})"))
        .unwrap_or_default();
    let mut lines = vec![(
        Level::Info,
        format!(
            "run #{} started: {}/{}{conversation} input {}",
            s.id,
            text(&r["provider"]),
            text(&r["model"]),
            clip(&match &r["input"] {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            })
        ),
    )];
    for c in r["tool_calls"].as_array().into_iter().flatten() {
        let name = text(&c["name"]);
        let line = match c["outcome"].as_str() {
            Some("denied") => (
                Level::Warn,
                format!("tool {name} denied: {}", text(&c["error"])),
            ),
            Some("error") => (
                Level::Warn,
                format!("tool {name} failed: {}", text(&c["error"])),
            ),
            _ => (
                Level::Info,
                format!(
                    "tool {name} ok ({:.1} ms)",
                    c["duration_ms"].as_f64().unwrap_or(0.0)
                ),
            ),
        };
        lines.push(line);
    }
    match r.get("error").filter(|e| !e.is_null()) {
        Some(e) if e["kind"] == "cancelled" => lines.push((
            Level::Warn,
            format!("run #{} cancelled: {}", s.id, text(&e["message"])),
        )),
        Some(e) => lines.push((
            Level::Error,
            format!(
                "run #{} failed ({}): {}",
                s.id,
                text(&e["kind"]),
                text(&e["message"])
            ),
        )),
        None => lines.push((
            Level::Info,
            format!(
                "run #{} finished in {:.0} ms, {} round(s), {}+{} tokens: {}",
                s.id,
                r["timings"]["total_ms"].as_f64().unwrap_or(0.0),
                r["rounds"],
                r["usage"]["prompt_tokens"],
                r["usage"]["completion_tokens"],
                clip(&text(&r["output"]))
            ),
        )),
    }
    lines
}

fn clip(s: &str) -> String {
    let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 120 {
        format!("{:?}…", one.chars().take(120).collect::<String>())
    } else {
        format!("{one:?}")
    }
}

/// `agents logs NAME`: the last `tail` log lines at `level` or worse.
fn logs(
    cx: &Caxton,
    entry: &Entry,
    tail: usize,
    level: Option<Level>,
    out: &Output,
) -> Result<ExitCode> {
    let runs = match cx.store_if_exists()? {
        // Every run yields at least one line, so `tail` runs are enough.
        Some(store) => records::recent(&store, &entry.id, false, tail.max(1))?,
        None => Vec::new(),
    };
    let max = level.unwrap_or(Level::Info);
    let mut lines: Vec<(i64, Level, String)> = runs
        .iter()
        .rev()
        .flat_map(|s| {
            log_lines(s)
                .into_iter()
                .map(move |(l, m)| (s.started_at, l, m))
        })
        .filter(|(_, l, _)| *l <= max)
        .collect();
    let skip = lines.len().saturating_sub(tail);
    lines.drain(..skip);
    if out.json {
        let v: Vec<Value> = lines
            .iter()
            .map(|(t, l, m)| json!({"time": super::time(*t), "level": l.as_str(), "message": m}))
            .collect();
        out.json(&v);
        return Ok(ExitCode::Ok);
    }
    if lines.is_empty() {
        out.line(format!(
            "no {}log lines for {} yet (runs are logged by `caxton agents test {}` and the daemon)",
            level.map_or(String::new(), |l| format!("{} ", l.as_str())),
            entry.id,
            entry.id
        ));
    }
    for (t, l, m) in lines {
        let tag = match l {
            Level::Error => format!("{}ERROR{:#}", output::ERR, output::ERR),
            Level::Warn => format!("{}WARN {:#}", output::WARN, output::WARN),
            Level::Info => "INFO ".to_string(),
        };
        out.line(format!("{DIM}{}{DIM:#} {tag} {m}", super::time(t)));
    }
    Ok(ExitCode::Ok)
}

/// `agents metrics NAME --last D` of a WASM agent: executions, failures by
/// kind, fuel, CPU and wall-clock percentiles over the window.
fn wasm_metrics(cx: &Caxton, id: &str, last: Duration, out: &Output) -> Result<ExitCode> {
    let since = now_ms() - last.as_millis() as i64;
    let w = match cx.store_if_exists()? {
        Some(store) => wasm_minutes::window(&store, id, since)?,
        None => wasm_minutes::window_empty(id, since),
    };
    if out.json {
        let mut v = json!(w);
        v["type"] = json!("wasm");
        v["window"] = json!(humantime::format_duration(last).to_string());
        out.json(&v);
        return Ok(ExitCode::Ok);
    }
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3} ms"));
    let traps = if w.traps.is_empty() {
        "none".to_string()
    } else {
        w.traps
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.line(format!(
        "{BOLD}{id}{BOLD:#} (WASM) over the last {}",
        humantime::format_duration(last)
    ));
    let rows = [
        ("executions", w.executions.to_string()),
        (
            "failures",
            format!("{} ({:.1}%)", w.failures, w.error_rate * 100.0),
        ),
        ("by kind", traps),
        (
            "fuel",
            match w.fuel_per_execution {
                Some(per) => format!("{} ({per:.0} per execution)", w.fuel),
                None => "0".into(),
            },
        ),
        ("wall p50", opt(w.wall_p50_ms)),
        ("wall p99", opt(w.wall_p99_ms)),
        ("cpu p50", opt(w.cpu_p50_ms)),
        ("cpu p99", opt(w.cpu_p99_ms)),
        (
            "last active",
            w.last_minute_at.map_or("never".into(), super::time),
        ),
    ];
    for (k, v) in rows {
        out.line(format!("  {DIM}{k:<12}{DIM:#}{v}"));
    }
    Ok(ExitCode::Ok)
}

/// `agents metrics NAME --last D`.
fn metrics(cx: &Caxton, entry: &Entry, last: Duration, out: &Output) -> Result<ExitCode> {
    let since = now_ms() - last.as_millis() as i64;
    let m = match cx.store_if_exists()? {
        Some(store) => Some(records::metrics(&store, &entry.id, since)?),
        None => None,
    };
    let m = m.unwrap_or_else(|| records::Metrics::empty(&entry.id, since));
    if out.json {
        let mut v = json!(m);
        v["window"] = json!(humantime::format_duration(last).to_string());
        out.json(&v);
        return Ok(ExitCode::Ok);
    }
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1} ms"));
    out.line(format!(
        "{BOLD}{}{BOLD:#} over the last {}",
        entry.id,
        humantime::format_duration(last)
    ));
    let rows = [
        ("runs", m.runs.to_string()),
        (
            "errors",
            format!("{} ({:.1}%)", m.errors, m.error_rate * 100.0),
        ),
        ("latency p50", opt(m.latency_p50_ms)),
        ("latency p99", opt(m.latency_p99_ms)),
        ("model p50", opt(m.model_p50_ms)),
        (
            "tokens",
            format!(
                "{} prompt, {} completion",
                m.prompt_tokens, m.completion_tokens
            ),
        ),
        (
            "tool calls",
            format!("{} ({} denied)", m.tool_calls, m.denied_tool_calls),
        ),
        (
            "last run",
            m.last_run_at.map_or("never".into(), super::time),
        ),
    ];
    for (k, v) in rows {
        out.line(format!("  {DIM}{k:<12}{DIM:#}{v}"));
    }
    Ok(ExitCode::Ok)
}

/// `agents diagnose NAME`: definition, provider, tools, memory and recent
/// failures, each with what to do.
fn diagnose(cx: &Caxton, entry: &Entry, show_errors: bool, out: &Output) -> Result<ExitCode> {
    let ctx = RunContext::new(cx);
    let mut checks: Vec<(bool, String, Option<String>)> = Vec::new();
    let valid = entry.report.is_valid();
    checks.push((
        valid,
        format!(
            "definition {} ({})",
            entry.file().display(),
            entry.status.as_str()
        ),
        (!valid).then(|| {
            format!(
                "`caxton agents validate {}` shows the errors",
                entry.file().display()
            )
        }),
    ));
    let mut provider = Value::Null;
    if let Some(spec) = entry.report.spec.as_ref() {
        let r = ctx.resolve(spec);
        let built = crate::runtime::llm::select::build(&r, &cx.paths().models_dir);
        provider = json!(r);
        checks.push((
            built.is_ok(),
            format!(
                "provider {} (from {}){}{}; key: {}",
                r.provider,
                r.chosen_by,
                r.model
                    .as_deref()
                    .map(|m| format!(", model {m}"))
                    .unwrap_or_default(),
                r.base_url
                    .as_deref()
                    .map(|u| format!(", {u}"))
                    .unwrap_or_default(),
                r.key_source
            ),
            built.err().map(|e| e.message),
        ));
        for t in &spec.tools {
            let known = t.starts_with("mcp:") || crate::tools::find(t).is_ok();
            checks.push((
                known,
                format!(
                    "tool {t}{}",
                    if t.starts_with("mcp:") { " (MCP)" } else { "" }
                ),
                (!known).then(|| "run `caxton tools list` for available tools".to_string()),
            ));
        }
        let mem = spec.memory.as_ref().filter(|m| m.enabled);
        checks.push((
            true,
            match mem {
                Some(m) => format!(
                    "memory enabled, scope {}",
                    crate::memory::scope_name(m.scope.unwrap_or(crate::memory::MemoryScope::Agent))
                ),
                None => "memory disabled".into(),
            },
            None,
        ));
    }
    let store = cx.store_if_exists()?;
    let m = match &store {
        Some(s) => Some(records::metrics(s, &entry.id, now_ms() - 24 * 3_600_000)?),
        None => None,
    };
    if let Some(m) = &m {
        checks.push((
            m.errors == 0,
            format!("{} run(s) in the last 24h, {} failed", m.runs, m.errors),
            m.last_error.clone(),
        ));
    }
    let errors = match (&store, show_errors) {
        (Some(s), true) => records::recent(s, &entry.id, true, 10)?,
        _ => Vec::new(),
    };
    if out.json {
        out.json(&json!({
            "agent": entry.id,
            "status": entry.status,
            "checks": checks.iter().map(|(ok, what, hint)| json!({"ok": ok, "check": what, "hint": hint})).collect::<Vec<_>>(),
            "provider": provider,
            "diagnostics": entry.report.errors().collect::<Vec<_>>(),
            "metrics": m,
            "errors": errors.iter().map(|e| json!({"run": e.id, "time": super::time(e.started_at), "error": e.record["error"]})).collect::<Vec<_>>(),
        }));
        return Ok(ExitCode::Ok);
    }
    out.line(format!("{BOLD}{}{BOLD:#} ({})", entry.name(), entry.id));
    for (ok, what, hint) in &checks {
        let g = output::glyph((!ok).then_some(Severity::Error));
        out.line(format!("  {g} {what}"));
        if let Some(h) = hint {
            out.line(format!("      {DIM}{h}{DIM:#}"));
        }
    }
    for d in entry.report.errors() {
        output::diagnostic_lines(d, false)
            .iter()
            .for_each(|l| out.line(format!("    {l}")));
    }
    if show_errors {
        out.line(format!("{BOLD}recent errors{BOLD:#}"));
        if errors.is_empty() {
            out.line("  none recorded");
        }
        for e in &errors {
            out.line(format!(
                "  {} run #{} ({}): {}",
                super::time(e.started_at),
                e.id,
                e.record["error"]["kind"].as_str().unwrap_or(""),
                e.record["error"]["message"].as_str().unwrap_or("")
            ));
        }
    }
    Ok(ExitCode::Ok)
}
