//! What the WASM sandbox enforces and recorded: `agents resource-usage`
//! and `agents sandbox-status`.

use serde_json::{Value, json};

use crate::Caxton;
use crate::agent::wasm::{self, WasmAgent};
use crate::agent::{self, Agent, Kind};
use crate::cli::output::{BOLD, Output};
use crate::error::{Error, ExitCode, Result};
use crate::runtime::wasm::{Limit, Limits, ModuleInfo};

#[derive(Debug, clap::Args)]
pub struct ResourceUsageArgs {
    #[arg(long = "type", value_enum, default_value = "wasm")]
    kind: Kind,
}

#[derive(Debug, clap::Args)]
pub struct SandboxStatusArgs {
    #[arg(long, value_name = "NAME")]
    agent: String,
}

pub fn run_status(cx: &Caxton, args: SandboxStatusArgs, out: &Output) -> Result<ExitCode> {
    match agent::resolve(cx, &args.agent)? {
        Agent::Wasm(a) => sandbox_status(cx, &a, out),
        Agent::Config(e) => Err(Error::Usage {
            message: format!(
                "`{}` is a config agent; sandbox status exists for WASM agents only",
                e.id
            ),
            hint: "`caxton agents list --type wasm` lists the WASM agents".into(),
        }),
    }
}

pub(super) fn size(bytes: u64) -> String {
    bytesize::ByteSize::b(bytes).display().iec().to_string()
}

pub(super) fn module_line(m: &ModuleInfo) -> String {
    format!(
        "{} bytes, ABI {}, initial memory {}",
        m.size,
        m.abi.as_str(),
        size(m.initial_memory_bytes)
    )
}

pub(super) fn limits_line(l: &Limits) -> String {
    format!(
        "memory {}, {}, wall time {}",
        size(l.max_memory_bytes),
        Limit::Cpu.show(l.max_cpu_millis),
        Limit::WallTime.show(l.max_execution_time_ms)
    )
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

pub fn run_usage(cx: &Caxton, args: ResourceUsageArgs, out: &Output) -> Result<ExitCode> {
    let kind = args.kind;
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

fn sandbox_status(cx: &Caxton, a: &WasmAgent, out: &Output) -> Result<ExitCode> {
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
