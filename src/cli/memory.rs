//! `caxton memory ...`: the MCP memory server's operations, search and graph.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::output::{DIM, Output, glyph};
use crate::Caxton;
use crate::agent::validate::Severity;
use crate::error::{Error, ExitCode, Result};
use crate::memory::embed::Embedder;
use crate::memory::external;
use crate::memory::graph::{self, ObservationAdd, ObservationDelete};
use crate::memory::index;
use crate::memory::maintenance::{self, Plan};
use crate::memory::search::{self, Options};
use crate::memory::status as mstatus;
use crate::memory::transfer::{self, Format};
use crate::memory::vectors;
use crate::memory::{Access, Entity, MemoryScope, Relation};

#[derive(Debug, Args)]
pub struct Who {
    /// Scope new entities are written to
    #[arg(long, value_enum, default_value = "global")]
    scope: MemoryScope,
    /// Act as this agent: its agent scope, plus workspace and global, are visible
    #[arg(long, value_name = "AGENT")]
    agent: Option<String>,
    /// Workspace name for the workspace scope
    #[arg(long, value_name = "NAME")]
    workspace: Option<String>,
}

#[derive(Debug, Args)]
pub struct Input {
    /// Read the JSON arguments from FILE instead of standard input
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Commit without embedding the new observations now; they stay in the
    /// embedding backlog (found by keyword until embedded)
    #[arg(long)]
    no_embed: bool,
}

/// A graph operation's JSON input and who performs it.
#[derive(Debug, Args)]
pub struct Op {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    who: Who,
}

/// External memory backends.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Backend {
    Qdrant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Json,
    Jsonl,
    /// Points (id, vector, payload) for `--target`, as its upsert API takes them
    Migration,
}

#[derive(Debug, Subcommand)]
pub enum MemoryCommand {
    /// Create entities: {"entities": [{"name", "entityType", "observations": [...]}]}
    CreateEntities(Op),
    /// Create relations: {"relations": [{"from", "to", "relationType"}]}
    CreateRelations(Op),
    /// Add observations: {"observations": [{"entityName", "contents": [...]}]}
    AddObservations(Op),
    /// Delete entities and their relations: {"entityNames": [...]}
    DeleteEntities(Op),
    /// Delete observations: {"deletions": [{"entityName", "observations": [...]}]}
    DeleteObservations(Op),
    /// Delete relations: {"relations": [{"from", "to", "relationType"}]}
    DeleteRelations(Op),
    /// Print the whole visible graph as JSON
    ReadGraph(Who),
    /// Entities matching a query, as a graph: {"query": "..."}
    SearchNodes(Op),
    /// Entities by name, as a graph: {"names": [...]}
    OpenNodes(Op),
    /// Search memory
    Search {
        query: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Only entities of this type
        #[arg(long = "type", value_name = "TYPE")]
        entity_type: Option<String>,
        /// Only entities in this scope
        #[arg(long = "in-scope", value_enum, value_name = "SCOPE")]
        in_scope: Option<MemoryScope>,
        /// Drop semantic matches below this cosine similarity
        #[arg(long, value_name = "0..1")]
        min_similarity: Option<f32>,
        #[command(flatten)]
        who: Who,
    },
    /// Health of the memory system; prints `healthy` when every check passes
    Status {
        /// Also run SQLite's quick_check and show every figure
        #[arg(long)]
        detailed: bool,
    },
    /// Full integrity check, where the space goes, and what to do next
    #[command(visible_alias = "diagnose")]
    EmergencyDiagnosis,
    /// Search speed by mode and vector-index load over a window; with
    /// --include-trends, hourly latency and periodic size samples
    Stats {
        #[arg(long)]
        include_trends: bool,
        /// Window to report, e.g. 24h or 7d
        #[arg(long, default_value = "24h", value_parser = humantime::parse_duration, value_name = "DURATION")]
        window: std::time::Duration,
    },
    /// Follow searches as they are recorded (Ctrl-C stops)
    Monitor {
        /// Only searches at or above --threshold
        #[arg(long)]
        show_slow_queries: bool,
        #[arg(long, default_value = "100ms", value_parser = humantime::parse_duration, value_name = "DURATION")]
        threshold: std::time::Duration,
        /// How many already recorded searches to show first
        #[arg(long, default_value_t = 20, value_name = "N")]
        last: usize,
        /// Show the recorded searches and exit instead of following
        #[arg(long)]
        once: bool,
    },
    /// Remove what nobody can use: old search logs and samples, vectors of
    /// other models; orphaned entities and memory of removed agents on request
    Cleanup {
        /// Also entities with no observations and no relations
        #[arg(long)]
        remove_orphaned: bool,
        /// Only what is older than this, e.g. 30d
        #[arg(long, default_value = "30d", value_parser = humantime::parse_duration, value_name = "DURATION")]
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
    },
    /// Delete cached derived data (the persisted vector index); it is
    /// rebuilt from the store on the next search
    CacheClear {
        /// Every cache (there is one today: the vector index)
        #[arg(long)]
        all: bool,
    },
    /// Entities stored as a share of `memory.max_entities`
    Usage {
        /// Print only the integer percentage (for scripts)
        #[arg(long)]
        percentage: bool,
    },
    /// Exit 1 when entity usage is at or above the given percentage
    CapacityCheck {
        #[arg(long, default_value_t = 80, value_name = "PERCENT")]
        warn_percentage: u8,
    },
    /// Embed every observation still waiting for a vector and refresh the
    /// vector index
    Reindex {
        /// Afterwards verify vectors, counters, the full-text and vector indexes
        #[arg(long)]
        verify_after: bool,
        /// Run detached, logging to <data dir>/logs/memory-reindex.log
        #[arg(long)]
        background: bool,
    },
    /// Compact the database, rebuild search indexes, recompute vectors
    Optimize {
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
        #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = humantime::parse_duration, requires = "incremental")]
        max_duration: std::time::Duration,
    },
    /// Write the whole memory as JSON or JSON Lines, or the vectors as a
    /// migration file for an external backend
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Backend a `--format migration` file is for
        #[arg(long, value_enum, default_value = "qdrant")]
        target: Backend,
        /// Output file (written atomically) [default: standard output]
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Include the stored vectors
        #[arg(long)]
        embeddings: bool,
    },
    /// Read an export into memory, merging with what is there
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// [default: from the extension (.json, .jsonl), else the content]
        #[arg(long, value_enum)]
        format: Option<Format>,
    },
    /// Is the memory ready to move to an external backend, and how long would it take
    MigrationCheck {
        #[arg(long, value_enum)]
        target: Backend,
    },
    /// Connect to an external backend and report what it holds; `--config
    /// FILE` names the backend's connection file (url, api_key, collection)
    TestConnection {
        #[arg(long, value_enum)]
        backend: Backend,
    },
    /// Copy every embedded observation to the external backend now
    EmergencyMigrate {
        #[arg(long, value_enum)]
        to: Backend,
    },
    /// An entity and its neighbours up to DEPTH relation hops
    Graph {
        name: String,
        #[arg(long, default_value_t = 1)]
        depth: usize,
        /// Follow only relations of this type (repeatable)
        #[arg(long = "relation-type", value_name = "TYPE")]
        relation_types: Vec<String>,
        #[command(flatten)]
        who: Who,
    },
}

/// Who acts, refusing a write scope that names no owner: an entity in the
/// agent (or workspace) scope without an agent (or workspace) would be
/// visible to nobody.
fn access(who: &Who) -> Result<Access> {
    let missing = match who.scope {
        MemoryScope::Agent if who.agent.is_none() => Some("--scope agent needs --agent AGENT"),
        MemoryScope::Workspace if who.workspace.is_none() => {
            Some("--scope workspace needs --workspace NAME")
        }
        _ => None,
    };
    if let Some(message) = missing {
        return Err(Error::Usage {
            message: message.into(),
            hint: "or write to --scope global (the default)".into(),
        });
    }
    Ok(Access::operator(
        who.scope,
        who.agent.clone(),
        who.workspace.clone(),
    ))
}

/// Read `{"<field>": T}` from --file or stdin.
fn read<T: DeserializeOwned>(input: &Input, field: &str) -> Result<T> {
    let text = match &input.file {
        Some(f) => std::fs::read_to_string(f).map_err(|e| Error::io("read", f, e))?,
        None => std::io::read_to_string(std::io::stdin())
            .map_err(|e| Error::io("read", std::path::Path::new("<stdin>"), e))?,
    };
    let bad = |message: String| Error::Usage {
        message,
        hint: format!("pass a JSON object with \"{field}\" on standard input or with --file"),
    };
    let mut v: Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("input is not valid JSON: {e}")))?;
    let inner = v
        .get_mut(field)
        .map(Value::take)
        .ok_or_else(|| bad(format!("input has no \"{field}\" field")))?;
    serde_json::from_value(inner).map_err(|e| bad(format!("\"{field}\": {e}")))
}

/// The embedder, or why semantic search is unavailable (no model files).
/// A model that is present but fails to load is an error, not a fallback.
fn embedder(cx: &Caxton) -> Result<std::result::Result<Embedder, String>> {
    match Embedder::load(&cx.paths().models_dir) {
        Ok(e) => Ok(Ok(e)),
        Err(Error::ModelMissing { dir }) => Ok(Err(format!(
            "embedding model not found in {}; run scripts/fetch-models or set CAXTON_MODELS_DIR",
            dir.display()
        ))),
        Err(e) => Err(e),
    }
}

/// After a write commits, embed what is pending so semantic search sees it.
/// The write is already durable; without a model the rows stay pending.
fn embed_pending(cx: &Caxton, input: &Input, out: &Output) -> Result<()> {
    if input.no_embed {
        return Ok(());
    }
    let mut store = cx.store()?;
    if vectors::backlog(&store)? == 0 {
        return Ok(());
    }
    match embedder(cx)? {
        Ok(e) => {
            vectors::embed_backlog(&mut store, &e, &mut |_, _| {})?;
        }
        Err(reason) => out.warn(&format!("observations saved; not embedded: {reason}")),
    }
    Ok(())
}

pub fn run(cx: &Caxton, cmd: MemoryCommand, out: &Output) -> Result<ExitCode> {
    let code = run_command(cx, cmd, out)?;
    // Trends are built from samples taken as the memory is used. A sample
    // that cannot be written (read-only data dir, busy store) is skipped:
    // it must never fail the command that was asked for.
    if let Ok(Some(mut store)) = cx.store_if_exists() {
        let _ = mstatus::sample_if_due(&mut store);
    }
    Ok(code)
}

fn dirs(cx: &Caxton) -> mstatus::Dirs<'_> {
    mstatus::Dirs {
        models: &cx.paths().models_dir,
        cache: cx.paths().cache_dir(),
    }
}

fn run_command(cx: &Caxton, cmd: MemoryCommand, out: &Output) -> Result<ExitCode> {
    let result = match cmd {
        MemoryCommand::CreateEntities(Op { input: i, who: w }) => {
            let entities: Vec<Entity> = read(&i, "entities")?;
            let created = graph::create_entities(&mut cx.store()?, &access(&w)?, &entities)?;
            embed_pending(cx, &i, out)?;
            json!(created)
        }
        MemoryCommand::CreateRelations(Op { input: i, who: w }) => {
            let relations: Vec<Relation> = read(&i, "relations")?;
            json!(graph::create_relations(
                &mut cx.store()?,
                &access(&w)?,
                &relations
            )?)
        }
        MemoryCommand::AddObservations(Op { input: i, who: w }) => {
            let adds: Vec<ObservationAdd> = read(&i, "observations")?;
            let added = graph::add_observations(&mut cx.store()?, &access(&w)?, &adds)?;
            embed_pending(cx, &i, out)?;
            json!(added)
        }
        MemoryCommand::DeleteEntities(Op { input: i, who: w }) => {
            let names: Vec<String> = read(&i, "entityNames")?;
            json!({"deleted": graph::delete_entities(&mut cx.store()?, &access(&w)?, &names)?})
        }
        MemoryCommand::DeleteObservations(Op { input: i, who: w }) => {
            let dels: Vec<ObservationDelete> = read(&i, "deletions")?;
            json!({"deleted": graph::delete_observations(&mut cx.store()?, &access(&w)?, &dels)?})
        }
        MemoryCommand::DeleteRelations(Op { input: i, who: w }) => {
            let relations: Vec<Relation> = read(&i, "relations")?;
            json!({"deleted": graph::delete_relations(&mut cx.store()?, &access(&w)?, &relations)?})
        }
        MemoryCommand::ReadGraph(w) => json!(graph::load_graph(&cx.store()?, &access(&w)?, None)?),
        MemoryCommand::SearchNodes(Op { input: i, who: w }) => {
            let query: String = read(&i, "query")?;
            let store = cx.store()?;
            let a = access(&w)?;
            let hits = search::keyword(
                &store,
                &a,
                &query,
                &Options {
                    limit: 1000,
                    ..Default::default()
                },
            )?;
            let names: Vec<String> = hits.into_iter().map(|h| h.name).collect();
            let ids = graph::ids_by_name(&store, &a, &names)?;
            json!(graph::load_graph(&store, &a, Some(&ids))?)
        }
        MemoryCommand::OpenNodes(Op { input: i, who: w }) => {
            let names: Vec<String> = read(&i, "names")?;
            let store = cx.store()?;
            let a = access(&w)?;
            let ids = graph::ids_by_name(&store, &a, &names)?;
            json!(graph::load_graph(&store, &a, Some(&ids))?)
        }
        MemoryCommand::Search {
            query,
            limit,
            entity_type,
            in_scope,
            min_similarity,
            who,
        } => {
            let opts = Options {
                limit,
                entity_type,
                scope: in_scope,
            };
            let embedder = embedder(cx)?;
            let mut store = cx.store()?;
            let started = std::time::Instant::now();
            let mut index = None;
            let semantic = match &embedder {
                Ok(embedder) => {
                    let (index, _) =
                        index.insert(index::open_cached(&store, &cx.paths().cache_dir())?);
                    Ok(search::Semantic { embedder, index })
                }
                Err(reason) => Err(reason.clone()),
            };
            let found = search::search(
                &store,
                &access(&who)?,
                semantic,
                &query,
                min_similarity,
                &opts,
            )?;
            mstatus::record_search(
                &mut store,
                &mstatus::SearchRecord {
                    query: &query,
                    duration: started.elapsed(),
                    mode: found.mode,
                    index_load: index.as_ref().map(|(_, load)| *load),
                    results: found.results.len(),
                },
            )?;
            if out.json {
                let mut v = json!(found);
                v["query"] = json!(query);
                out.json(&v);
            } else {
                match &found.reason {
                    Some(reason) => {
                        out.line(format!("{DIM}mode: {} — {reason}{DIM:#}", found.mode))
                    }
                    None => out.line(format!("{DIM}mode: {}{DIM:#}", found.mode)),
                }
                if found.pending_embeddings > 0 {
                    out.line(format!(
                        "{DIM}{} observations not embedded yet are matched by keyword only{DIM:#}",
                        found.pending_embeddings
                    ));
                }
                let rows: Vec<Vec<String>> = found
                    .results
                    .iter()
                    .map(|h| {
                        vec![
                            format!("{:.3}", h.score),
                            h.name.clone(),
                            h.entity_type.clone(),
                            h.scope.clone(),
                            h.mode.into(),
                            h.matched.clone(),
                        ]
                    })
                    .collect();
                out.table(
                    &["SCORE", "ENTITY", "TYPE", "SCOPE", "MATCH", "OBSERVATION"],
                    &rows,
                );
            }
            return Ok(ExitCode::Ok);
        }
        MemoryCommand::Status { detailed } => return status(cx, detailed, out),
        MemoryCommand::EmergencyDiagnosis => {
            let d = mstatus::diagnose(&cx.store()?, &dirs(cx), cx.config().memory.max_entities)?;
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
            return Ok(ExitCode::Ok);
        }
        MemoryCommand::Usage { percentage } => {
            let store = cx.store()?;
            let p = mstatus::usage_percent(&store, cx.config().memory.max_entities)?;
            if percentage {
                out.line(p.floor() as u64);
            } else if out.json {
                out.json(
                    &json!({"usage_percent": p, "max_entities": cx.config().memory.max_entities}),
                );
            } else {
                out.line(format!(
                    "{p:.1}% of the {} entity limit",
                    cx.config().memory.max_entities
                ));
            }
            return Ok(ExitCode::Ok);
        }
        MemoryCommand::CapacityCheck { warn_percentage } => {
            let s = mstatus::status(
                &cx.store()?,
                &dirs(cx),
                cx.config().memory.max_entities,
                false,
            )?;
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
            return Ok(if over {
                ExitCode::Failure
            } else {
                ExitCode::Ok
            });
        }
        MemoryCommand::Reindex {
            verify_after,
            background,
        } => return reindex(cx, verify_after, background, out),
        MemoryCommand::Stats {
            include_trends,
            window,
        } => return stats(cx, include_trends, window, out),
        MemoryCommand::Monitor {
            show_slow_queries,
            threshold,
            last,
            once,
        } => {
            let min = if show_slow_queries {
                threshold
            } else {
                std::time::Duration::ZERO
            };
            return monitor(cx, min, last, once, out);
        }
        MemoryCommand::Cleanup {
            remove_orphaned,
            older_than,
            vacuum_after,
            aggressive,
            force,
            dry_run,
        } => {
            if aggressive && !force && !dry_run {
                return Err(Error::Usage {
                    message: "--aggressive deletes the memory of agents that no longer exist"
                        .into(),
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
            return Ok(ExitCode::Ok);
        }
        MemoryCommand::CacheClear { all: _ } => {
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
            return Ok(ExitCode::Ok);
        }
        MemoryCommand::Optimize {
            vacuum_sqlite,
            rebuild_index,
            recompute_embeddings,
            clear_cache,
            incremental,
            max_duration,
        } => {
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
                Some(Embedder::load(&cx.paths().models_dir)?)
            } else {
                None
            };
            let bar = out.progress(0, "embedding");
            let r = maintenance::optimize(
                &mut cx.store()?,
                &plan,
                embedder.as_ref(),
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
            return Ok(ExitCode::Ok);
        }
        MemoryCommand::Export {
            format,
            target: Backend::Qdrant,
            output,
            embeddings,
        } => {
            let store = cx.store()?;
            let qdrant = &cx.config().memory.qdrant;
            let write = |w: &mut dyn std::io::Write| match format {
                ExportFormat::Json => transfer::export(&store, Format::Json, embeddings, w),
                ExportFormat::Jsonl => transfer::export(&store, Format::Jsonl, embeddings, w),
                ExportFormat::Migration => {
                    external::export(&store, &qdrant.collection, w).map(|_| ())
                }
            };
            match output {
                Some(path) => {
                    let mut buf = Vec::new();
                    write(&mut buf)?;
                    crate::paths::write_atomic(&path, &buf)
                        .map_err(|e| Error::io("write", &path, e))?;
                }
                None => write(&mut std::io::stdout().lock())?,
            }
            return Ok(ExitCode::Ok);
        }
        MemoryCommand::MigrationCheck {
            target: Backend::Qdrant,
        } => {
            let r = external::readiness(&cx.store()?, &cx.config().memory.qdrant)?;
            if out.json {
                out.json(&r);
            } else {
                out.line(format!(
                    "Readiness: {}%{}",
                    r.readiness_percent,
                    if r.missing.is_empty() {
                        String::new()
                    } else {
                        format!(" (missing: {})", r.missing.join("; "))
                    }
                ));
                for item in &r.ready {
                    out.line(format!("  {} {item}", glyph(None)));
                }
                out.line(format!(
                    "Points to copy: {} (~{})",
                    r.points,
                    bytesize::ByteSize::b(r.payload_bytes_estimate)
                ));
                out.line("Estimated downtime: none (the store stays online while it is copied)");
                out.line(format!(
                    "Estimated migration time: {}",
                    r.estimated_migration_seconds.map_or_else(
                        || "unknown until a Qdrant server answers".into(),
                        |s| humantime::format_duration(std::time::Duration::from_secs(
                            s.ceil() as u64
                        ))
                        .to_string()
                    )
                ));
            }
            return Ok(if r.missing.is_empty() {
                ExitCode::Ok
            } else {
                ExitCode::Failure
            });
        }
        MemoryCommand::TestConnection {
            backend: Backend::Qdrant,
        } => {
            // Reached only without --config (see cli::run): the server config's backend.
            return test_connection(cx, None, out);
        }
        MemoryCommand::EmergencyMigrate {
            to: Backend::Qdrant,
        } => {
            let q = external::Qdrant::new(&cx.config().memory.qdrant)?;
            let store = cx.store()?;
            let bar = out.progress(0, "copying to Qdrant");
            let r = q.migrate(&store, &mut |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })?;
            bar.finish_and_clear();
            if out.json {
                out.json(&r);
            } else {
                out.line(format!(
                    "copied {} points to {} collection `{}` in {:.1} s; it now holds {} points",
                    r.points_sent, r.url, r.collection, r.seconds, r.points_in_collection
                ));
                if r.pending_embeddings > 0 {
                    out.warn(&format!(
                        "{} observations have no vector yet and were not copied: run `caxton memory reindex`, then migrate again",
                        r.pending_embeddings
                    ));
                }
                out.line("Relations stay in the embedded store (Qdrant holds vectors and payloads only).");
            }
            return Ok(ExitCode::Ok);
        }
        MemoryCommand::Import { file, format } => {
            use std::io::BufRead;
            let f = std::fs::File::open(&file).map_err(|e| Error::io("read", &file, e))?;
            let mut input = std::io::BufReader::new(f);
            let format = match format {
                Some(f) => f,
                None => {
                    // Peek without consuming: fill_buf keeps the bytes.
                    let head = input.fill_buf().map_err(|e| Error::io("read", &file, e))?;
                    let first = String::from_utf8_lossy(head);
                    Format::detect(&file, first.lines().next().unwrap_or(""))
                }
            };
            let doc = transfer::parse(&mut input, format)?;
            json!(transfer::import(&mut cx.store()?, &doc)?)
        }
        MemoryCommand::Graph {
            name,
            depth,
            relation_types,
            who,
        } => json!(graph::neighbourhood(
            &cx.store()?,
            &access(&who)?,
            &name,
            depth,
            &relation_types
        )?),
    };
    out.json(&result);
    Ok(ExitCode::Ok)
}

fn status(cx: &Caxton, detailed: bool, out: &Output) -> Result<ExitCode> {
    let s = mstatus::status(
        &cx.store()?,
        &dirs(cx),
        cx.config().memory.max_entities,
        detailed,
    )?;
    if out.json {
        out.json(&s);
        return Ok(ExitCode::Ok);
    }
    let ms = |v: Option<f64>| v.map_or("no searches recorded".to_string(), |v| format!("{v:.1}ms"));
    out.line(format!("Memory system: {}", s.status));
    if s.safe_mode {
        out.line("Safe mode: enabled (writes refused)");
    }
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

fn reindex(cx: &Caxton, verify_after: bool, background: bool, out: &Output) -> Result<ExitCode> {
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
    let mut store = cx.store()?;
    let e = Embedder::load(&paths.models_dir)?;
    let bar = out.progress(vectors::backlog(&store)? as u64, "embedding");
    let n = vectors::embed_backlog(&mut store, &e, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    let (index, _) = index::open_cached(&store, &paths.cache_dir())?;
    let left = vectors::backlog(&store)?;
    let checks = if verify_after {
        maintenance::verify(&store, &index)?
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

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.1}ms"))
}

fn stats(cx: &Caxton, trends: bool, window: std::time::Duration, out: &Output) -> Result<ExitCode> {
    let Some(mut store) = cx.store_if_exists()? else {
        return Err(Error::Usage {
            message: format!("no memory store in {}", cx.paths().data_dir.display()),
            hint: "run `caxton init`, or point --data-dir at an existing data directory".into(),
        });
    };
    mstatus::sample_if_due(&mut store)?;
    let hours = window.as_secs().div_ceil(3600).max(1);
    let st = mstatus::stats(&store, hours, trends)?;
    let status = mstatus::status(&store, &dirs(cx), cx.config().memory.max_entities, false)?;
    if out.json {
        out.json(&json!({"stats": st, "status": status}));
        return Ok(ExitCode::Ok);
    }
    out.line(format!(
        "Memory: {} entities, {} observations ({} embedded), {} relations, {}",
        status.entities,
        status.observations,
        status.embedded_observations,
        status.relations,
        bytesize::ByteSize::b(status.db_bytes)
    ));
    out.line(format!(
        "Searches in the last {hours}h: {} (P50 {}, P99 {})",
        st.searches,
        ms(st.search_p50_ms),
        ms(st.search_p99_ms)
    ));
    let rows = |v: &[mstatus::Latency]| -> Vec<Vec<String>> {
        v.iter()
            .map(|l| {
                vec![
                    l.key.clone(),
                    l.searches.to_string(),
                    ms(l.p50_ms),
                    ms(l.p99_ms),
                ]
            })
            .collect()
    };
    if !st.by_mode.is_empty() {
        out.table(&["MODE", "SEARCHES", "P50", "P99"], &rows(&st.by_mode));
    }
    if !st.by_index_load.is_empty() {
        out.table(
            &["VECTOR INDEX", "SEARCHES", "P50", "P99"],
            &rows(&st.by_index_load),
        );
    }
    if trends {
        out.line(format!("\nHourly search latency (last {hours}h):"));
        if st.hourly.is_empty() {
            out.line("  no searches recorded in this window");
        } else {
            out.table(&["HOUR", "SEARCHES", "P50", "P99"], &rows(&st.hourly));
        }
        out.line(format!(
            "\nSamples (taken at most every {} as memory is used):",
            humantime::format_duration(std::time::Duration::from_millis(
                mstatus::SAMPLE_EVERY_MS as u64
            ))
        ));
        let samples: Vec<Vec<String>> = st
            .samples
            .iter()
            .map(|s| {
                vec![
                    humantime::format_rfc3339_seconds(
                        std::time::UNIX_EPOCH + std::time::Duration::from_millis(s.at_ms as u64),
                    )
                    .to_string(),
                    s.entities.to_string(),
                    s.observations.to_string(),
                    s.vectors.to_string(),
                    bytesize::ByteSize::b(s.db_bytes as u64).to_string(),
                    ms(s.search_p99_ms),
                ]
            })
            .collect();
        out.table(
            &[
                "AT",
                "ENTITIES",
                "OBSERVATIONS",
                "VECTORS",
                "DATABASE",
                "SEARCH P99",
            ],
            &samples,
        );
        if let (Some(first), Some(last)) = (st.samples.first(), st.samples.last()) {
            out.line(format!(
                "Change over the window: {:+} entities, {:+} observations, {:+} vectors",
                last.entities - first.entities,
                last.observations - first.observations,
                last.vectors - first.vectors
            ));
        }
    }
    Ok(ExitCode::Ok)
}

fn monitor(
    cx: &Caxton,
    min: std::time::Duration,
    last: usize,
    once: bool,
    out: &Output,
) -> Result<ExitCode> {
    let Some(store) = cx.store_if_exists()? else {
        return Err(Error::Usage {
            message: format!("no memory store in {}", cx.paths().data_dir.display()),
            hint: "run `caxton init`, or point --data-dir at an existing data directory".into(),
        });
    };
    let show = |l: &mstatus::Logged| {
        if out.json {
            // One JSON object per line, so a follower can be piped to jq.
            out.line(json!(l));
        } else {
            out.line(format!(
                "{} {:>9} {:<7} {:<11} {:>3} results  {}",
                humantime::format_rfc3339_millis(
                    std::time::UNIX_EPOCH + std::time::Duration::from_millis(l.at_ms as u64)
                ),
                format!("{:.1}ms", l.duration_ms),
                l.mode,
                if l.index_load.is_empty() {
                    "-"
                } else {
                    &l.index_load
                },
                l.results,
                l.query
            ));
        }
    };
    if !out.json && !once {
        out.line(format!(
            "{DIM}following searches{}; Ctrl-C stops{DIM:#}",
            if min.is_zero() {
                String::new()
            } else {
                format!(" at or above {}", humantime::format_duration(min))
            }
        ));
    }
    let mut seen = mstatus::last_search_id(&store)?;
    for l in mstatus::slow_searches(&store, 0, min, last)? {
        show(&l);
    }
    if once {
        return Ok(ExitCode::Ok);
    }
    loop {
        // Polling the log once a second is what "real time" needs here, and
        // works for searches made by any process on this data directory.
        std::thread::sleep(std::time::Duration::from_secs(1));
        for l in mstatus::slow_searches(&store, seen, min, 1000)? {
            seen = l.id;
            show(&l);
        }
    }
}

/// `memory test-connection`: `file` is the backend's own connection file
/// (the runbook passes it as `--config`), else the server config's section.
pub fn test_connection(cx: &Caxton, file: Option<&Path>, out: &Output) -> Result<ExitCode> {
    let cfg = match file {
        Some(f) => external::load_config(f)?,
        None => cx.config().memory.qdrant.clone(),
    };
    let p = external::Qdrant::new(&cfg)?.probe()?;
    if out.json {
        out.json(&p);
    } else {
        out.line(format!(
            "{} connected to Qdrant {} at {} in {:.1} ms",
            glyph(None),
            p.version,
            p.url,
            p.latency_ms
        ));
        out.line(match (&p.points, &p.vectors) {
            (Some(n), Some((size, distance))) => format!(
                "collection `{}`: {n} points, {size}-dimension {distance} vectors",
                p.collection
            ),
            (Some(n), None) => format!("collection `{}`: {n} points", p.collection),
            (None, _) => format!(
                "collection `{}` does not exist yet; `caxton memory emergency-migrate --to qdrant` creates it",
                p.collection
            ),
        });
    }
    Ok(ExitCode::Ok)
}
