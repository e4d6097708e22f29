//! `caxton agents ...` for WASM agents: deploy a module, test (run) it,
//! show it, and report what the sandbox recorded.

use std::path::Path;

use serde_json::{Value, json};

use super::agents::{Kind, WasmDeployArgs, time};
use super::output::{self, BOLD, DIM, Output};
use crate::Caxton;
use crate::agent::wasm::{self, DeployRequest, WasmAgent};
use crate::error::{Error, ExitCode, Result};
use crate::runtime::wasm::{Limit, Limits, ModuleInfo};

pub fn deploy(
    cx: &Caxton,
    name: &str,
    src: &Path,
    args: &WasmDeployArgs,
    out: &Output,
) -> Result<ExitCode> {
    let bytes = std::fs::read(src).map_err(|e| Error::io("read", src, e))?;
    let rt = wasm::runtime(cx);
    let source = src.display().to_string();
    let d = wasm::deploy(
        cx,
        &rt,
        &DeployRequest {
            name,
            module: &bytes,
            max_memory_bytes: args.max_memory,
            max_cpu_millis: args.max_cpu_ms,
            max_execution_time_ms: args.timeout,
            capabilities: args.capabilities.clone(),
            security_policy: Default::default(),
            source: &source,
        },
    )?;
    if out.json {
        out.json(&d);
        return Ok(ExitCode::Ok);
    }
    let what = match (&d.changed, &d.previous_version) {
        (false, _) => format!(
            "{} {} is already deployed (#{}, unchanged)",
            d.id, d.version, d.seq
        ),
        (true, Some(prev)) => format!(
            "deployed WASM agent {} {} (was {prev}) as #{}",
            d.id, d.version, d.seq
        ),
        (true, None) => format!("deployed WASM agent {} {} as #{}", d.id, d.version, d.seq),
    };
    out.line(format!("{} {what}", output::glyph(None)));
    out.line(format!("  module: {}", module_line(&d.module)));
    out.line(format!("  limits: {}", limits_line(&d.resource_limits)));
    Ok(ExitCode::Ok)
}

fn size(bytes: u64) -> String {
    bytesize::ByteSize::b(bytes).display().iec().to_string()
}

fn module_line(m: &ModuleInfo) -> String {
    format!(
        "{} bytes, ABI {}, initial memory {}",
        m.size,
        m.abi.as_str(),
        size(m.initial_memory_bytes)
    )
}

fn limits_line(l: &Limits) -> String {
    format!(
        "memory {}, {}, wall time {}",
        size(l.max_memory_bytes),
        Limit::Cpu.show(l.max_cpu_millis),
        Limit::WallTime.show(l.max_execution_time_ms)
    )
}

pub fn test(cx: &Caxton, agent: &WasmAgent, input: &str, out: &Output) -> Result<ExitCode> {
    let input: Value = serde_json::from_str(input).map_err(|e| Error::Usage {
        message: format!("--input is not valid JSON: {e}"),
        hint: "pass JSON, e.g. --input '{\"text\": \"hello world\"}' or --input '\"hello\"'".into(),
    })?;
    let rt = wasm::runtime(cx);
    let report = wasm::run(cx, &rt, agent, input)?;
    if out.json {
        out.json(&report);
        return Ok(ExitCode::Ok);
    }
    // stdout carries only the agent's answer, so it can be piped to jq.
    out.json(&report.output);
    for l in &report.logs {
        eprintln_dim(&format!("[{}] {}", l.level, l.message));
    }
    let s = &report.stats;
    eprintln_dim(&format!(
        "{}: {:.2} ms CPU, {:.2} ms wall, {} fuel, peak memory {}",
        report.agent,
        s.cpu_us as f64 / 1000.0,
        s.wall_us as f64 / 1000.0,
        s.fuel,
        size(s.peak_memory_bytes)
    ));
    Ok(ExitCode::Ok)
}

fn eprintln_dim(text: &str) {
    use std::io::Write;
    let _ = writeln!(anstream::stderr(), "{DIM}{text}{DIM:#}");
}

pub fn agent_json(a: &WasmAgent) -> Value {
    json!({
        "id": a.id,
        "name": a.name(),
        "type": "wasm",
        "status": "deployed",
        "version": a.version(),
        "capabilities": a.manifest.capabilities,
        "resource_limits": a.manifest.resource_limits,
        "security_policy": a.manifest.security_policy,
        "module": a.module,
        "deployed_version": a.history.first(),
        "versions": a.history.len(),
    })
}

pub fn show(a: &WasmAgent, metrics: &super::live::Metrics, out: &Output) -> Result<ExitCode> {
    if out.json {
        let mut v = agent_json(a);
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
        ("limits", limits_line(&a.manifest.resource_limits)),
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

pub fn capabilities(a: &WasmAgent, list: bool, out: &Output) -> Result<ExitCode> {
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

pub fn rollback(cx: &Caxton, a: &WasmAgent, out: &Output) -> Result<ExitCode> {
    let d = wasm::rollback(cx, a)?;
    if out.json {
        out.json(&d);
    } else {
        out.line(format!(
            "{} rolled back {} from {} to {} (#{})",
            output::glyph(None),
            d.id,
            d.previous_version.as_deref().unwrap_or("-"),
            d.version,
            d.seq
        ));
    }
    Ok(ExitCode::Ok)
}

fn traps_text(a: &WasmAgent) -> String {
    if a.usage.traps.is_empty() {
        return "none".into();
    }
    a.usage
        .traps
        .iter()
        .map(|(k, n)| format!("{k}={n}"))
        .collect::<Vec<_>>()
        .join(",")
}

pub fn resource_usage(cx: &Caxton, kind: Kind, out: &Output) -> Result<ExitCode> {
    if kind == Kind::Config {
        // Config agents do not run in the sandbox; nothing is measured for them.
        if out.json {
            out.json(&json!([]));
        } else {
            out.line("config agents run outside the WASM sandbox; no resource usage is recorded for them");
        }
        return Ok(ExitCode::Ok);
    }
    let agents = wasm::list(cx)?;
    if out.json {
        let rows: Vec<Value> = agents
            .iter()
            .map(|a| json!({"id": a.id, "name": a.name(), "usage": a.usage, "resource_limits": a.manifest.resource_limits}))
            .collect();
        out.json(&rows);
        return Ok(ExitCode::Ok);
    }
    if agents.is_empty() {
        out.line("no WASM agents deployed (`caxton agents deploy NAME --source FILE.wasm`)");
        return Ok(ExitCode::Ok);
    }
    let rows: Vec<Vec<String>> = agents
        .iter()
        .map(|a| {
            let u = &a.usage;
            vec![
                a.id.clone(),
                u.executions.to_string(),
                u.failures.to_string(),
                u.fuel.to_string(),
                format!("{:.1}", u.cpu_ms),
                format!("{:.1}", u.wall_ms),
                format!("{:.1}", u.peak_memory_bytes as f64 / (1024.0 * 1024.0)),
                traps_text(a),
            ]
        })
        .collect();
    out.table(
        &[
            "AGENT",
            "EXECUTIONS",
            "FAILED",
            "FUEL",
            "CPU_MS",
            "WALL_MS",
            "PEAK_MEM_MB",
            "TRAPS",
        ],
        &rows,
    );
    Ok(ExitCode::Ok)
}

pub fn sandbox_status(cx: &Caxton, a: &WasmAgent, out: &Output) -> Result<ExitCode> {
    let ceilings = cx.config().runtime.wasm_ceilings();
    let configured = a.manifest.resource_limits;
    let effective = ceilings.clamp(&configured);
    let isolation = json!({
        "fresh_instance_per_execution": true,
        "network": false,
        "filesystem": false,
        "environment": false,
        "imports": a.module.imports,
    });
    if out.json {
        out.json(&json!({
            "agent": a.id,
            "module": a.module,
            "limits": {"configured": configured, "ceilings": ceilings, "effective": effective},
            "security_policy": a.manifest.security_policy,
            "isolation": isolation,
            "usage": a.usage,
        }));
        return Ok(ExitCode::Ok);
    }
    out.line(format!("{BOLD}{}{BOLD:#} ({}) sandbox", a.name(), a.id));
    out.line(format!("  module       {}", module_line(&a.module)));
    out.line(format!(
        "  imports      {}",
        if a.module.imports.is_empty() {
            "none".into()
        } else {
            a.module.imports.join(", ")
        }
    ));
    out.line(
        "  isolation    fresh instance per execution; no network, no filesystem, no environment",
    );
    out.line(format!(
        "{BOLD}limits{BOLD:#}         configured → effective (ceiling)"
    ));
    for (limit, c, e, ceil) in [
        (
            Limit::Memory,
            configured.max_memory_bytes,
            effective.max_memory_bytes,
            ceilings.max_memory_bytes,
        ),
        (
            Limit::Cpu,
            configured.max_cpu_millis,
            effective.max_cpu_millis,
            ceilings.max_cpu_millis,
        ),
        (
            Limit::WallTime,
            configured.max_execution_time_ms,
            effective.max_execution_time_ms,
            ceilings.max_execution_time_ms,
        ),
    ] {
        out.line(format!(
            "  {:<13}{} → {} ({})",
            limit.name(),
            limit.show(c),
            limit.show(e),
            limit.show(ceil)
        ));
    }
    for (limit, v) in [
        (
            Limit::RecursionDepth,
            u64::from(ceilings.max_recursion_depth),
        ),
        (Limit::InputSize, ceilings.max_input_bytes),
        (Limit::OutputSize, ceilings.max_output_bytes),
    ] {
        out.line(format!("  {:<16}{}", limit.name(), limit.show(v)));
    }
    let u = &a.usage;
    out.line(format!("{BOLD}executions{BOLD:#}"));
    out.line(format!(
        "  total        {} ({} failed)",
        u.executions, u.failures
    ));
    out.line(format!("  fuel         {}", u.fuel));
    out.line(format!("  cpu          {:.1} ms", u.cpu_ms));
    out.line(format!("  wall         {:.1} ms", u.wall_ms));
    out.line(format!("  peak memory  {}", size(u.peak_memory_bytes)));
    out.line(format!("  traps        {}", traps_text(a)));
    if let Some(e) = &u.last_error {
        out.line(format!("  last error   {e}"));
    }
    Ok(ExitCode::Ok)
}
