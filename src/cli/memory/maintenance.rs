//! `memory cleanup`, `cache-clear`, `reindex`, `optimize`: keeping the
//! store small and its derived data (vectors, indexes) current.

use std::path::Path;

use clap::Args;
use serde_json::json;

use crate::Caxton;
use crate::cli::output::{Output, glyph};
use crate::diagnostics::Severity;
use crate::error::{Error, ExitCode, Result};
use crate::memory::index;
use crate::memory::maintenance::{self, Plan};

#[derive(Debug, Args)]
pub struct CleanupArgs {
    /// Also entities with no observations and no relations
    #[arg(long)]
    remove_orphaned: bool,
    /// Only what is older than this, e.g. 30d
    #[arg(long, default_value = "30d", value_parser = crate::cli::args::duration, value_name = "DURATION")]
    older_than: std::time::Duration,
    /// VACUUM afterwards to give the space back to the filesystem
    #[arg(long)]
    vacuum_after: bool,
    /// Also the agent-scoped memory of agents that no longer exist (needs --force)
    #[arg(long)]
    aggressive: bool,
    /// Confirm an --aggressive cleanup
    #[arg(long)]
    force: bool,
    /// Report what would be removed, remove nothing
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CacheClearArgs {
    /// Every cache (there is one today: the vector index)
    #[arg(long)]
    all: bool,
}

#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// Afterwards verify vectors, counters, the full-text and vector indexes
    #[arg(long)]
    verify_after: bool,
    /// Run detached, logging to <data dir>/logs/memory-reindex.log
    #[arg(long)]
    background: bool,
}

#[derive(Debug, Args)]
pub struct OptimizeArgs {
    /// VACUUM the SQLite file (needs free disk equal to its size)
    #[arg(long)]
    vacuum_sqlite: bool,
    /// Rebuild the full-text index and SQLite's indexes and statistics
    #[arg(long)]
    rebuild_index: bool,
    /// Drop every vector and embed all observations again
    #[arg(long)]
    recompute_embeddings: bool,
    /// Delete the persisted vector index (rebuilt with --rebuild-index, else on the next search)
    #[arg(long)]
    clear_cache: bool,
    /// Only bounded work that never blocks writers for long (index merges)
    #[arg(long, conflicts_with_all = ["vacuum_sqlite", "rebuild_index", "recompute_embeddings", "clear_cache"])]
    incremental: bool,
    /// Time budget for --incremental, e.g. 30s
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::cli::args::duration, requires = "incremental")]
    max_duration: std::time::Duration,
}

pub fn cleanup(cx: &Caxton, a: CleanupArgs, out: &Output) -> Result<ExitCode> {
    let CleanupArgs {
        remove_orphaned,
        older_than,
        vacuum_after,
        aggressive,
        force,
        dry_run,
    } = a;
    cx.memory().require_embedded("cleanup")?;
    if aggressive && !force && !dry_run {
        return Err(Error::Usage {
            message: "--aggressive deletes the memory of agents that no longer exist".into(),
            hint: "add --force to confirm, or --dry-run to see what it would remove".into(),
        });
    }
    let known_agents = crate::agent::catalog::list(cx)?
        .iter()
        .map(|e| e.name().to_string())
        .collect();
    let r = maintenance::cleanup(
        &mut cx.store()?,
        &maintenance::Cleanup {
            older_than,
            remove_orphaned,
            aggressive,
            known_agents,
            vacuum_after,
            dry_run,
        },
    )?;
    if out.json {
        out.json(&r);
    } else {
        let verb = if dry_run { "would remove" } else { "removed" };
        out.line(format!(
            "{verb}: {} orphaned entities, {} entities of removed agents, {} vectors of other models, {} search-log entries, {} trend samples",
            r.orphaned_entities,
            r.abandoned_agent_entities,
            r.stale_vectors,
            r.search_log_entries,
            r.trend_samples
        ));
        out.line(format!(
            "database: {} → {}",
            bytesize::ByteSize::b(r.bytes_before),
            bytesize::ByteSize::b(r.bytes_after)
        ));
    }
    Ok(ExitCode::Ok)
}

pub fn cache_clear(cx: &Caxton, a: CacheClearArgs, out: &Output) -> Result<ExitCode> {
    let CacheClearArgs { all: _ } = a;
    cx.memory().require_embedded("cache-clear")?;
    // `--all` is accepted for the runbook; the vector index is the
    // only cache today, so both forms clear the same thing.
    let dir = cx.paths().cache_dir();
    let freed = index::clear_cache(&dir).map_err(|e| Error::io("remove", &dir, e))?;
    if out.json {
        out.json(&json!({"cleared": [dir.join("vectors.idx")], "bytes_freed": freed}));
    } else {
        out.line(format!(
            "cleared the vector index cache ({} freed); it is rebuilt on the next search",
            bytesize::ByteSize::b(freed)
        ));
    }
    Ok(ExitCode::Ok)
}

pub fn reindex(cx: &Caxton, a: ReindexArgs, out: &Output) -> Result<ExitCode> {
    let ReindexArgs {
        verify_after,
        background,
    } = a;
    let paths = cx.paths();
    let run_dir = paths.run_dir();
    std::fs::create_dir_all(&run_dir).map_err(|e| Error::io("create", &run_dir, e))?;
    let lock_path = run_dir.join("memory-reindex.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Error::io("open", &lock_path, e))?;
    // One reindexer at a time: two would embed the same rows twice.
    if lock.try_lock().is_err() {
        return Err(Error::Usage {
            message: "a memory reindex is already running on this data directory".into(),
            hint: format!(
                "wait for it (see {}) or stop it first",
                paths.logs_dir().join("memory-reindex.log").display()
            ),
        });
    }
    if background {
        drop(lock); // the child takes it
        let logs = paths.logs_dir();
        std::fs::create_dir_all(&logs).map_err(|e| Error::io("create", &logs, e))?;
        let log_path = logs.join("memory-reindex.log");
        let log =
            std::fs::File::create(&log_path).map_err(|e| Error::io("create", &log_path, e))?;
        let exe = std::env::current_exe().map_err(|e| Error::io("find", Path::new("caxton"), e))?;
        let mut cmd = std::process::Command::new(exe);
        cmd.args(["memory", "reindex"]);
        if verify_after {
            cmd.arg("--verify-after");
        }
        // The child resolves the same directories and config as this call.
        cmd.env("CAXTON_DATA_DIR", &paths.data_dir)
            .env("CAXTON_AGENTS_DIR", &paths.agents_dir)
            .env("CAXTON_MODELS_DIR", &paths.models_dir);
        if let Some(file) = &cx.loaded().file {
            cmd.env("CAXTON_CONFIG", file);
        }
        let err_log = log
            .try_clone()
            .map_err(|e| Error::io("open", &log_path, e))?;
        let child = {
            use std::os::unix::process::CommandExt;
            // Its own process group: a Ctrl-C in this terminal does not stop it.
            cmd.process_group(0)
                .stdin(std::process::Stdio::null())
                .stdout(log)
                .stderr(err_log)
                .spawn()
                .map_err(|e| Error::io("start", Path::new("caxton memory reindex"), e))?
        };
        if out.json {
            out.json(&json!({"background": true, "pid": child.id(), "log": log_path}));
        } else {
            out.line(format!(
                "reindexing in the background (pid {}); log: {}",
                child.id(),
                log_path.display()
            ));
        }
        return Ok(ExitCode::Ok);
    }
    let memory = cx.memory();
    // Reindexing exists to embed: without the model it is an error (exit 4),
    // not the keyword fallback a search or a write gets.
    memory.model()?;
    let bar = out.progress(0, "embedding");
    let done = memory.embed_pending(&mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    let (n, left) = (done.embedded, done.pending);
    if memory.postgres().is_some() {
        // PostgreSQL keeps its HNSW index current itself; there is no index
        // file to rebuild or check.
        if out.json {
            out.json(&json!({"embedded": n, "pending": left, "backend": "postgres"}));
        } else {
            out.line(format!(
                "embedded {n} observations; {left} pending (PostgreSQL maintains the vector index)"
            ));
        }
        return Ok(ExitCode::Ok);
    }
    let index = memory.index()?;
    let checks = if verify_after {
        maintenance::verify(&cx.store()?, &index)?
    } else {
        Vec::new()
    };
    let ok = checks.iter().all(|c| c.ok);
    if out.json {
        out.json(&json!({"embedded": n, "pending": left, "indexed": index.len(), "checks": checks, "verified": verify_after && ok}));
    } else {
        out.line(format!(
            "embedded {n} observations; {left} pending; {} vectors indexed",
            index.len()
        ));
        for c in &checks {
            let severity = (!c.ok).then_some(Severity::Error);
            out.line(format!("{} {}: {}", glyph(severity), c.name, c.detail));
        }
    }
    Ok(if ok { ExitCode::Ok } else { ExitCode::Failure })
}

pub fn optimize(cx: &Caxton, a: OptimizeArgs, out: &Output) -> Result<ExitCode> {
    let OptimizeArgs {
        vacuum_sqlite,
        rebuild_index,
        recompute_embeddings,
        clear_cache,
        incremental,
        max_duration,
    } = a;
    cx.memory().require_embedded("optimize")?;
    let plan = Plan {
        vacuum: vacuum_sqlite,
        rebuild_index,
        recompute_embeddings,
        clear_cache,
        incremental: incremental.then_some(max_duration),
    };
    if !(plan.vacuum
        || plan.rebuild_index
        || plan.recompute_embeddings
        || plan.clear_cache
        || incremental)
    {
        return Err(Error::Usage {
            message: "nothing to do: choose what to optimise".into(),
            hint: "e.g. caxton memory optimize --vacuum-sqlite --rebuild-index, or --incremental --max-duration 30s".into(),
        });
    }
    // Recomputing needs the model; it is an error, not a silent skip.
    let embedder = if recompute_embeddings {
        Some(cx.memory().model()?)
    } else {
        None
    };
    let bar = out.progress(0, "embedding");
    let r = maintenance::optimize(
        &mut cx.store()?,
        &plan,
        embedder.as_deref(),
        &cx.paths().cache_dir(),
        &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    )?;
    bar.finish_and_clear();
    if out.json {
        out.json(&r);
    } else {
        r.steps.iter().for_each(|s| out.line(format!("  {s}")));
        out.line(format!(
            "optimised: {} → {}{}",
            bytesize::ByteSize::b(r.bytes_before),
            bytesize::ByteSize::b(r.bytes_after),
            if r.complete {
                ""
            } else {
                " (time budget reached; run again to continue)"
            }
        ));
    }
    Ok(ExitCode::Ok)
}
