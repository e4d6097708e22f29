//! `caxton memory ...`: the MCP memory server's operations, search and graph.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::output::{DIM, Output};
use crate::Caxton;
use crate::error::{Error, ExitCode, Result};
use crate::memory::embed::Embedder;
use crate::memory::graph::{self, ObservationAdd, ObservationDelete};
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
    EmergencyDiagnosis,
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
    /// Embed every observation still waiting for a vector
    Reindex {
        /// Afterwards, check that every observation has a vector
        #[arg(long)]
        verify_after: bool,
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
        /// Only bounded work that never blocks writers for long (index merges)
        #[arg(long, conflicts_with_all = ["vacuum_sqlite", "rebuild_index", "recompute_embeddings"])]
        incremental: bool,
        /// Time budget for --incremental, e.g. 30s
        #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = humantime::parse_duration, requires = "incremental")]
        max_duration: std::time::Duration,
    },
    /// Write the whole memory as JSON or JSON Lines
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
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
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
    },
    /// An entity and its neighbours up to DEPTH relation hops
    Graph {
        name: String,
        #[arg(long, default_value_t = 1)]
        depth: usize,
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
            let found = search::search(
                &store,
                &access(&who)?,
                embedder.as_ref().map_err(Clone::clone),
                &query,
                min_similarity,
                &opts,
            )?;
            mstatus::record_search(
                &mut store,
                started.elapsed(),
                found.mode,
                found.results.len(),
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
            let d = mstatus::diagnose(
                &cx.store()?,
                &cx.paths().models_dir,
                cx.config().memory.max_entities,
            )?;
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
                &cx.paths().models_dir,
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
        MemoryCommand::Reindex { verify_after } => {
            let mut store = cx.store()?;
            let e = Embedder::load(&cx.paths().models_dir)?;
            let n = vectors::embed_backlog(&mut store, &e, &mut |done, total| {
                if !out.json {
                    eprint!("\rembedded {done}/{total}");
                }
            })?;
            if !out.json && n > 0 {
                eprintln!();
            }
            let left = vectors::backlog(&store)?;
            if out.json {
                out.json(&json!({"embedded": n, "pending": left}));
            } else {
                out.line(format!("embedded {n} observations; {left} pending"));
            }
            return Ok(if verify_after && left > 0 {
                ExitCode::Failure
            } else {
                ExitCode::Ok
            });
        }
        MemoryCommand::Optimize {
            vacuum_sqlite,
            rebuild_index,
            recompute_embeddings,
            incremental,
            max_duration,
        } => {
            let plan = Plan {
                vacuum: vacuum_sqlite,
                rebuild_index,
                recompute_embeddings,
                incremental: incremental.then_some(max_duration),
            };
            if !(plan.vacuum || plan.rebuild_index || plan.recompute_embeddings || incremental) {
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
            let r = maintenance::optimize(&mut cx.store()?, &plan, embedder.as_ref())?;
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
            output,
            embeddings,
        } => {
            let store = cx.store()?;
            match output {
                Some(path) => {
                    let mut buf = Vec::new();
                    transfer::export(&store, format, embeddings, &mut buf)?;
                    crate::paths::write_atomic(&path, &buf)
                        .map_err(|e| Error::io("write", &path, e))?;
                }
                None => {
                    transfer::export(&store, format, embeddings, &mut std::io::stdout().lock())?
                }
            }
            return Ok(ExitCode::Ok);
        }
        MemoryCommand::Import { file, format } => {
            let f = std::fs::File::open(&file).map_err(|e| Error::io("read", &file, e))?;
            let doc = transfer::parse(&mut std::io::BufReader::new(f), format)?;
            json!(transfer::import(&mut cx.store()?, &doc)?)
        }
        MemoryCommand::Graph { name, depth, who } => json!(graph::neighbourhood(
            &cx.store()?,
            &access(&who)?,
            &name,
            depth
        )?),
    };
    out.json(&result);
    Ok(ExitCode::Ok)
}

fn status(cx: &Caxton, detailed: bool, out: &Output) -> Result<ExitCode> {
    let s = mstatus::status(
        &cx.store()?,
        &cx.paths().models_dir,
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
