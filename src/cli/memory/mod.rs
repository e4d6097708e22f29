//! `caxton memory ...`: one file per group of subcommands, each with its
//! arguments and its `run`; this file only declares and dispatches. Every
//! group calls the memory service (`Caxton::memory`) or the memory modules'
//! maintenance functions, and renders.

use clap::Subcommand;

use super::output::Output;
use crate::Caxton;
use crate::error::{ExitCode, Result};
use crate::memory::status as mstatus;

mod external;
pub(super) mod graph;
mod health;
mod maintenance;
mod search;
mod stats;

pub use external::test_connection;

#[derive(Debug, Subcommand)]
pub enum MemoryCommand {
    /// Create entities: {"entities": [{"name", "entityType", "observations": [...]}]}
    CreateEntities(graph::Op),
    /// Create relations: {"relations": [{"from", "to", "relationType"}]}
    CreateRelations(graph::Op),
    /// Add observations: {"observations": [{"entityName", "contents": [...]}]}
    AddObservations(graph::Op),
    /// Delete entities and their relations: {"entityNames": [...]}
    DeleteEntities(graph::Op),
    /// Delete observations: {"deletions": [{"entityName", "observations": [...]}]}
    DeleteObservations(graph::Op),
    /// Delete relations: {"relations": [{"from", "to", "relationType"}]}
    DeleteRelations(graph::Op),
    /// Print the whole visible graph as JSON
    ReadGraph(graph::Who),
    /// Entities matching a query, as a graph: {"query": "..."}
    SearchNodes(graph::Op),
    /// Entities by name, as a graph: {"names": [...]}
    OpenNodes(graph::Op),
    /// Search memory
    Search(search::SearchArgs),
    /// Health of the memory system; prints `healthy` when every check passes
    Status(health::StatusArgs),
    /// Full integrity check, where the space goes, and what to do next
    #[command(visible_alias = "diagnose")]
    EmergencyDiagnosis,
    /// Search speed by mode and vector-index load over a window; with
    /// --include-trends, hourly latency and periodic size samples
    Stats(stats::StatsArgs),
    /// Follow searches as they are recorded (Ctrl-C stops)
    Monitor(stats::MonitorArgs),
    /// Remove what nobody can use: old search logs and samples, vectors of
    /// other models; orphaned entities and memory of removed agents on request
    Cleanup(maintenance::CleanupArgs),
    /// Delete cached derived data (the persisted vector index); it is
    /// rebuilt from the store on the next search
    CacheClear(maintenance::CacheClearArgs),
    /// Entities stored as a share of `memory.max_entities`
    Usage(health::UsageArgs),
    /// Exit 1 when entity usage is at or above the given percentage
    CapacityCheck(health::CapacityArgs),
    /// Embed every observation still waiting for a vector and refresh the
    /// vector index
    Reindex(maintenance::ReindexArgs),
    /// Compact the database, rebuild search indexes, recompute vectors
    Optimize(maintenance::OptimizeArgs),
    /// Write the whole memory as JSON or JSON Lines, or the vectors as a
    /// migration file for an external backend
    Export(external::ExportArgs),
    /// Read an export into memory, merging with what is there
    Import(external::ImportArgs),
    /// Is the memory ready to move to an external backend, and how long would it take
    MigrationCheck(external::MigrationCheckArgs),
    /// Connect to an external backend and report what it holds; `--config
    /// FILE` names the backend's connection file (url, api_key, collection)
    TestConnection(external::TestConnectionArgs),
    /// Copy every embedded observation to the external backend now
    EmergencyMigrate(external::EmergencyMigrateArgs),
    /// Move the memory to another backend: copy in batches (rerun to resume),
    /// verify, then switch `[memory] backend` in the config file
    Migrate(external::MigrateArgs),
    /// An entity and its neighbours up to DEPTH relation hops
    Graph(graph::GraphArgs),
}

pub fn run(cx: &Caxton, cmd: MemoryCommand, out: &Output) -> Result<ExitCode> {
    let code = dispatch(cx, cmd, out)?;
    // Trends are built from samples taken as the memory is used. A sample
    // that cannot be written (read-only data dir, busy store) is skipped:
    // it must never fail the command that was asked for.
    if cx.memory().postgres().is_none()
        && let Ok(Some(mut store)) = cx.store_if_exists()
    {
        let _ = mstatus::sample_if_due(&mut store);
    }
    Ok(code)
}

fn dispatch(cx: &Caxton, cmd: MemoryCommand, out: &Output) -> Result<ExitCode> {
    use graph::Operation as G;
    match cmd {
        MemoryCommand::CreateEntities(op) => graph::run(cx, G::CreateEntities, op, out),
        MemoryCommand::CreateRelations(op) => graph::run(cx, G::CreateRelations, op, out),
        MemoryCommand::AddObservations(op) => graph::run(cx, G::AddObservations, op, out),
        MemoryCommand::DeleteEntities(op) => graph::run(cx, G::DeleteEntities, op, out),
        MemoryCommand::DeleteObservations(op) => graph::run(cx, G::DeleteObservations, op, out),
        MemoryCommand::DeleteRelations(op) => graph::run(cx, G::DeleteRelations, op, out),
        MemoryCommand::SearchNodes(op) => graph::run(cx, G::SearchNodes, op, out),
        MemoryCommand::OpenNodes(op) => graph::run(cx, G::OpenNodes, op, out),
        MemoryCommand::ReadGraph(who) => graph::read_graph(cx, &who, out),
        MemoryCommand::Graph(a) => graph::neighbourhood(cx, a, out),
        MemoryCommand::Search(a) => search::run(cx, a, out),
        MemoryCommand::Status(a) => health::status(cx, a, out),
        MemoryCommand::EmergencyDiagnosis => health::diagnosis(cx, out),
        MemoryCommand::Usage(a) => health::usage(cx, a, out),
        MemoryCommand::CapacityCheck(a) => health::capacity_check(cx, a, out),
        MemoryCommand::Stats(a) => stats::stats(cx, a, out),
        MemoryCommand::Monitor(a) => stats::monitor(cx, a, out),
        MemoryCommand::Cleanup(a) => maintenance::cleanup(cx, a, out),
        MemoryCommand::CacheClear(a) => maintenance::cache_clear(cx, a, out),
        MemoryCommand::Reindex(a) => maintenance::reindex(cx, a, out),
        MemoryCommand::Optimize(a) => maintenance::optimize(cx, a, out),
        MemoryCommand::Export(a) => external::export(cx, a),
        MemoryCommand::Import(a) => external::import(cx, a, out),
        MemoryCommand::MigrationCheck(a) => external::migration_check(cx, a, out),
        // Reached only without --config (see cli::run): the server config's backend.
        MemoryCommand::TestConnection(a) => test_connection(cx, a.backend, None, out),
        MemoryCommand::Migrate(a) => external::migrate(cx, a, out),
        MemoryCommand::EmergencyMigrate(a) => external::emergency_migrate(cx, a, out),
    }
}
