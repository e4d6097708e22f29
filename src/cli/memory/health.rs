//! `memory status`, `emergency-diagnosis`, `usage`, `capacity-check`: the
//! memory's health and its use of `memory.max_entities`.

use clap::Args;
use serde_json::json;

use crate::Caxton;
use crate::cli::output::Output;
use crate::error::{ExitCode, Result};
use crate::memory::status as mstatus;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Also run SQLite's quick_check and show every figure
    #[arg(long)]
    detailed: bool,
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// Print only the integer percentage (for scripts)
    #[arg(long)]
    percentage: bool,
}

#[derive(Debug, Args)]
pub struct CapacityArgs {
    #[arg(long, default_value_t = 80, value_name = "PERCENT")]
    warn_percentage: u8,
}

pub fn status(cx: &Caxton, a: StatusArgs, out: &Output) -> Result<ExitCode> {
    let detailed = a.detailed;
    let s = cx.memory().status(detailed)?;
    if out.json {
        out.json(&s);
        return Ok(ExitCode::Ok);
    }
    let ms = |v: Option<f64>| v.map_or("no searches recorded".to_string(), |v| format!("{v:.1}ms"));
    out.line(format!("Memory system: {}", s.status));
    if s.safe_mode {
        out.line("Safe mode: enabled (writes refused)");
    }
    if s.backend == "postgres" {
        out.line(format!(
            "Backend: postgres, {} ({} database)",
            s.sqlite_status
                .trim_start_matches("not used (")
                .trim_end_matches(')'),
            bytesize::ByteSize::b(s.db_bytes)
        ));
    } else {
        out.line(format!(
            "SQLite database: {} ({}, {:.0}% fragmentation)",
            if detailed {
                format!("integrity {}", s.sqlite_status)
            } else {
                "open".into()
            },
            bytesize::ByteSize::b(s.db_bytes),
            s.fragmentation_percent
        ));
    }
    out.line(format!("Embedding model: {}", s.embedding_model));
    out.line(format!(
        "Entities: {} stored ({:.0}% of {} limit)",
        s.entities, s.usage_percent, s.max_entities
    ));
    out.line(format!("Relations: {} connections", s.relations));
    out.line(format!(
        "Vectors: {} of {} observations embedded ({} pending)",
        s.embedded_observations, s.observations, s.pending_embeddings
    ));
    out.line(format!(
        "Vector cache: {} (target: >{}%); index file {}",
        s.vector_cache_hit_percent
            .map_or("no semantic searches recorded".into(), |p| format!(
                "{p:.0}% hit rate"
            )),
        mstatus::CACHE_HIT_TARGET_PERCENT,
        bytesize::ByteSize::b(s.vector_cache_bytes)
    ));
    out.line(format!(
        "Search latency P99: {} (target: <{}ms)",
        ms(s.search_p99_ms),
        mstatus::SEARCH_P99_TARGET_MS
    ));
    if detailed {
        out.line(format!(
            "Search latency P50: {} over {} recorded searches",
            ms(s.search_p50_ms),
            s.searches_recorded
        ));
        out.line(format!("Model directory: {}", s.model_dir));
    }
    for p in s.problems.iter().chain(&s.warnings) {
        out.warn(p);
    }
    Ok(ExitCode::Ok)
}

pub fn diagnosis(cx: &Caxton, out: &Output) -> Result<ExitCode> {
    let d = cx.memory().diagnose()?;
    if out.json {
        out.json(&d);
        return Ok(ExitCode::Ok);
    }
    let s = &d.status;
    out.line(format!("Memory system: {}", s.status));
    out.line(format!("SQLite integrity_check: {}", s.sqlite_status));
    out.line(format!(
        "Database: {} (+{} write-ahead log), {:.0}% free pages",
        bytesize::ByteSize::b(s.db_bytes),
        bytesize::ByteSize::b(d.wal_bytes),
        s.fragmentation_percent
    ));
    out.line(format!(
        "Entities: {} of {} ({:.0}%); observations {}; relations {}",
        s.entities, s.max_entities, s.usage_percent, s.observations, s.relations
    ));
    out.line(format!(
        "Embedding model: {}; {} observations pending",
        s.embedding_model, s.pending_embeddings
    ));
    for (name, scope, n) in &d.largest_entities {
        out.line(format!("  largest: {name} ({scope}): {n} observations"));
    }
    for p in s.problems.iter().chain(&s.warnings) {
        out.warn(p);
    }
    if d.actions.is_empty() {
        out.line("No action needed.");
    }
    for a in &d.actions {
        out.line(format!("action: {a}"));
    }
    Ok(ExitCode::Ok)
}

pub fn usage(cx: &Caxton, a: UsageArgs, out: &Output) -> Result<ExitCode> {
    let max = cx.memory().max_entities();
    let p = cx.memory().usage_percent()?;
    if a.percentage {
        out.line(p.floor() as u64);
    } else if out.json {
        out.json(&json!({"usage_percent": p, "max_entities": max}));
    } else {
        out.line(format!("{p:.1}% of the {max} entity limit"));
    }
    Ok(ExitCode::Ok)
}

pub fn capacity_check(cx: &Caxton, a: CapacityArgs, out: &Output) -> Result<ExitCode> {
    let warn_percentage = a.warn_percentage;
    let s = cx.memory().status(false)?;
    let over = s.usage_percent >= f64::from(warn_percentage);
    if out.json {
        out.json(&json!({"entities": s.entities, "max_entities": s.max_entities, "usage_percent": s.usage_percent, "warn_percentage": warn_percentage, "over": over}));
    } else {
        out.line(format!(
            "Entity count: {} / {} ({:.0}%{})",
            s.entities,
            s.max_entities,
            s.usage_percent,
            if over { " - approaching limit" } else { "" }
        ));
        if over {
            out.line("WARNING: Consider cleanup (`caxton memory cleanup`) or an external backend");
        }
    }
    Ok(if over {
        ExitCode::Failure
    } else {
        ExitCode::Ok
    })
}
