//! `agents show` and `agents capabilities`: one agent of either kind.

use serde_json::{Value, json};

use super::{live, sandbox, time};
use crate::Caxton;
use crate::agent::catalog::Entry;
use crate::agent::spec;
use crate::agent::wasm::WasmAgent;
use crate::agent::{self, Agent};
use crate::cli::output::{self, BOLD, DIM, Output};
use crate::error::{ExitCode, Result};

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    name: String,
    /// Add the daemon's live metrics (status, uptime, memory, CPU, runs)
    #[arg(long)]
    include_metrics: bool,
}

#[derive(Debug, clap::Args)]
pub struct CapabilitiesArgs {
    name: String,
    /// Print one capability per line
    #[arg(long)]
    list: bool,
}

pub fn run(cx: &Caxton, args: ShowArgs, out: &Output) -> Result<ExitCode> {
    let a = agent::resolve(cx, &args.name)?;
    let m = live::Metrics::fetch(cx, a.id(), args.include_metrics)?;
    match &a {
        Agent::Config(e) => show_config(e, &m, out),
        Agent::Wasm(w) => show_wasm(w, &m, out),
    }
}

pub fn run_capabilities(cx: &Caxton, args: CapabilitiesArgs, out: &Output) -> Result<ExitCode> {
    match agent::resolve(cx, &args.name)? {
        Agent::Config(e) => capabilities_config(&e, args.list, out),
        Agent::Wasm(w) => capabilities_wasm(&w, args.list, out),
    }
}

fn show_config(e: &Entry, metrics: &live::Metrics, out: &Output) -> Result<ExitCode> {
    if out.json {
        let mut v = json!(Agent::Config(e.clone()).summary());
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

fn show_wasm(a: &WasmAgent, metrics: &live::Metrics, out: &Output) -> Result<ExitCode> {
    if out.json {
        let mut v = json!(Agent::Wasm(a.clone()).summary());
        v["history"] = json!(a.history);
        v["usage"] = json!(a.usage);
        if let Some(m) = metrics.json() {
            v["live"] = m;
        }
        out.json(&v);
        return Ok(ExitCode::Ok);
    }
    out.line(format!("{BOLD}{}{BOLD:#} ({})", a.name(), a.id));
    let none = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let mut rows = vec![
        ("type", "wasm".to_string()),
        ("status", "deployed".into()),
        ("version", a.version().into()),
        (
            "module",
            format!(
                "{} bytes, ABI {}, blake3 {}",
                a.module.size,
                a.module.abi.as_str(),
                a.module.hash
            ),
        ),
        ("capabilities", none(&a.manifest.capabilities)),
        ("limits", sandbox::limits_line(&a.manifest.resource_limits)),
        ("policy", "no network, no filesystem".into()),
    ];
    if let Some(v) = a.history.first() {
        rows.push((
            "deployed",
            format!(
                "#{} {} at {} ({}: {})",
                v.seq,
                v.version,
                time(v.deployed_at),
                v.action,
                v.source
            ),
        ));
    }
    rows.push(("versions", a.history.len().to_string()));
    rows.push((
        "executions",
        format!("{} ({} failed)", a.usage.executions, a.usage.failures),
    ));
    for (k, v) in rows {
        out.line(format!("  {DIM}{k:<13}{DIM:#}{v}"));
    }
    metrics.print(out);
    Ok(ExitCode::Ok)
}

fn capabilities_config(e: &Entry, list: bool, out: &Output) -> Result<ExitCode> {
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

fn capabilities_wasm(a: &WasmAgent, list: bool, out: &Output) -> Result<ExitCode> {
    if out.json {
        out.json(&json!({"agent": a.id, "capabilities": a.manifest.capabilities, "requires": []}));
    } else if list {
        a.manifest.capabilities.iter().for_each(|c| out.line(c));
    } else {
        out.line(format!("{} ({}) offers:", a.name(), a.id));
        a.manifest
            .capabilities
            .iter()
            .for_each(|c| out.line(format!("  {c}")));
    }
    Ok(ExitCode::Ok)
}
