//! Config-agent runs at the command line: `agents test` / `test-local`
//! (one run, streamed), and the run log behind `agents logs`, `metrics`
//! and `diagnose`.

use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use clap::ValueEnum;
use serde_json::{Value, json};

use super::output::{self, BOLD, DIM, Output};
use crate::Caxton;
use crate::agent::catalog::{self, Entry};
use crate::agent::spec::AgentSpec;
use crate::agent::validate;
use crate::agent::versions::now_ms;
use crate::error::{Error, ExitCode, Result};
use crate::runtime::records;
use crate::runtime::run::{self, CallOutcome, RunContext, RunInput, RunRecord};

/// The request of `agents test`: text (`--query`) or JSON (`--input`).
pub fn request(query: Option<String>, input: Option<String>) -> Result<Value> {
    match (query, input) {
        (Some(q), _) => Ok(Value::String(q)),
        (None, Some(i)) => serde_json::from_str(&i).map_err(|e| Error::Usage {
            message: format!("--input is not valid JSON: {e}"),
            hint:
                "pass text with --query \"...\", or JSON such as --input '{\"file\": \"data.csv\"}'"
                    .into(),
        }),
        (None, None) => Err(Error::Usage {
            message: "nothing to send: give --query TEXT or --input JSON".into(),
            hint: "e.g. caxton agents test NAME --query \"Analyze sample data\"".into(),
        }),
    }
}

/// A deployed config agent's definition, refusing an invalid file.
fn spec_of(e: &Entry) -> Result<AgentSpec> {
    match &e.report.spec {
        Some(s) if e.report.is_valid() => Ok(s.clone()),
        _ => Err(Error::InvalidAgent {
            report: Box::new(e.report.clone()),
        }),
    }
}

/// `agents test NAME` for a config agent.
pub fn test(
    cx: &Caxton,
    entry: &Entry,
    request: Value,
    timeout: Option<Duration>,
    out: &Output,
) -> Result<ExitCode> {
    let spec = spec_of(entry)?;
    execute(cx, &spec, request, timeout, None, out)
}

/// `agents test-local FILE`: run a file that need not be deployed.
pub fn test_local(
    cx: &Caxton,
    file: &Path,
    input: String,
    timeout: Option<Duration>,
    out: &Output,
) -> Result<ExitCode> {
    let report = validate::validate_file(file, &catalog::context(cx));
    if report.is_missing() {
        return Err(Error::FileNotFound {
            path: file.to_path_buf(),
        });
    }
    let spec = match &report.spec {
        Some(s) if report.is_valid() => s.clone(),
        _ => {
            return Err(Error::InvalidAgent {
                report: Box::new(report),
            });
        }
    };
    for w in report.warnings() {
        out.warn(&w.message);
    }
    execute(
        cx,
        &spec,
        Value::String(input),
        timeout,
        Some(file.to_path_buf()),
        out,
    )
}

fn execute(
    cx: &Caxton,
    spec: &AgentSpec,
    request: Value,
    timeout: Option<Duration>,
    source_file: Option<std::path::PathBuf>,
    out: &Output,
) -> Result<ExitCode> {
    let ctx = RunContext::new(cx);
    let spinner = out.spinner(&format!("{} is thinking…", spec.id()));
    let mut streamed = false;
    let stream = !out.json;
    let mut on_text = |t: &str| {
        if !stream {
            return;
        }
        if !streamed {
            spinner.finish_and_clear();
            streamed = true;
        }
        let mut so = anstream::stdout();
        let _ = so.write_all(t.as_bytes());
        let _ = so.flush();
    };
    let input = RunInput {
        request,
        timeout,
        source_file,
        ..RunInput::default()
    };
    let rec = run::run(&ctx, spec, input, &mut on_text);
    spinner.finish_and_clear();
    let rec = rec?;
    if out.json {
        out.json(&rec);
    } else {
        if streamed {
            out.line("");
        } else if !rec.output.is_empty() {
            out.line(&rec.output);
        }
        summary(&rec);
    }
    match rec.failure() {
        Some(e) => Err(e),
        None => Ok(ExitCode::Ok),
    }
}

/// One dim line on stderr: provider, rounds, tools, tokens, time.
fn summary(rec: &RunRecord) {
    let calls: Vec<String> = rec
        .tool_calls
        .iter()
        .map(|c| {
            let mark = match c.outcome {
                CallOutcome::Ok => "ok",
                CallOutcome::Error => "failed",
                CallOutcome::Denied => "denied",
            };
            format!("{} {mark}", c.name)
        })
        .collect();
    let tools = if calls.is_empty() {
        "no tool calls".to_string()
    } else {
        format!("tools: {}", calls.join(", "))
    };
    let t = &rec.timings;
    let mut err = anstream::stderr();
    let _ = writeln!(
        err,
        "{DIM}{} {} · {}/{} · {} round(s) · {tools} · {}+{} tokens · {:.0} ms (model {:.0} ms) · run #{}{DIM:#}",
        rec.agent,
        rec.version,
        rec.provider,
        rec.model,
        rec.rounds,
        rec.usage.prompt_tokens,
        rec.usage.completion_tokens,
        t.total_ms,
        t.model_ms,
        rec.id
    );
    if let Some(n) = &rec.notice {
        let _ = writeln!(err, "{DIM}note: {n}{DIM:#}");
    }
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
    let mut lines = vec![(
        Level::Info,
        format!(
            "run #{} started: {}/{} input {}",
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
pub fn logs(
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
            .map(|(t, l, m)| json!({"time": super::agents::time(*t), "level": l.as_str(), "message": m}))
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
        out.line(format!("{DIM}{}{DIM:#} {tag} {m}", super::agents::time(t)));
    }
    Ok(ExitCode::Ok)
}

/// `agents metrics NAME --last D`.
pub fn metrics(cx: &Caxton, entry: &Entry, last: Duration, out: &Output) -> Result<ExitCode> {
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
            m.last_run_at.map_or("never".into(), super::agents::time),
        ),
    ];
    for (k, v) in rows {
        out.line(format!("  {DIM}{k:<12}{DIM:#}{v}"));
    }
    Ok(ExitCode::Ok)
}

/// `agents diagnose NAME`: definition, provider, tools, memory and recent
/// failures, each with what to do.
pub fn diagnose(cx: &Caxton, entry: &Entry, show_errors: bool, out: &Output) -> Result<ExitCode> {
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
            "errors": errors.iter().map(|e| json!({"run": e.id, "time": super::agents::time(e.started_at), "error": e.record["error"]})).collect::<Vec<_>>(),
        }));
        return Ok(ExitCode::Ok);
    }
    out.line(format!("{BOLD}{}{BOLD:#} ({})", entry.name(), entry.id));
    for (ok, what, hint) in &checks {
        let g = output::glyph((!ok).then_some(validate::Severity::Error));
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
                super::agents::time(e.started_at),
                e.id,
                e.record["error"]["kind"].as_str().unwrap_or(""),
                e.record["error"]["message"].as_str().unwrap_or("")
            ));
        }
    }
    Ok(ExitCode::Ok)
}
