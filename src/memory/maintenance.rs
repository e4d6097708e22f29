//! `memory optimize`: compact the database, rebuild the search indexes and
//! recompute vectors, each step one statement or transaction SQLite makes
//! atomic, so an interrupted run leaves a consistent store.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::embed::{DIMS, Embedder, MODEL_ID};
use super::{index, vectors};
use crate::error::{Error, Result};
use crate::store::{Store, store_err};

/// Recompute the trigger-kept row counters from the tables.
pub const RECOUNT: &str = "DELETE FROM memory_counts;
     INSERT INTO memory_counts SELECT 'observations', count(*) FROM memory_observations;
     INSERT INTO memory_counts SELECT 'vectors:' || model, count(*) FROM memory_vectors GROUP BY model;";

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub vacuum: bool,
    pub rebuild_index: bool,
    pub recompute_embeddings: bool,
    /// Delete the persisted vector index.
    pub clear_cache: bool,
    /// Bounded, non-blocking work only: FTS segment merges until `max_duration`.
    pub incremental: Option<Duration>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub steps: Vec<String>,
    pub bytes_before: u64,
    pub bytes_after: u64,
    pub embedded: usize,
    /// False when an incremental run stopped at its time budget with work left.
    pub complete: bool,
}

fn db_bytes(store: &Store) -> Result<u64> {
    let q = |sql: &str| -> Result<i64> {
        store
            .conn()
            .query_row(sql, [], |r| r.get(0))
            .map_err(|e| store_err(store.path(), e))
    };
    Ok((q("PRAGMA page_count")? * q("PRAGMA page_size")?) as u64)
}

pub fn optimize(
    store: &mut Store,
    plan: &Plan,
    embedder: Option<&Embedder>,
    cache_dir: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report> {
    // These steps write outside `Store::write`, so they check safe mode here.
    store.check_writable()?;
    let mut report = Report {
        bytes_before: db_bytes(store)?,
        complete: true,
        ..Default::default()
    };
    let path = store.path().to_path_buf();
    let exec = |store: &Store, sql: &str| {
        store
            .conn()
            .execute_batch(sql)
            .map_err(|e| store_err(&path, e))
    };
    if let Some(budget) = plan.incremental {
        let deadline = Instant::now() + budget;
        let mut merges = 0;
        loop {
            if Instant::now() >= deadline {
                report.complete = false;
                break;
            }
            let before = store.conn().total_changes();
            // Each 'merge' does a bounded amount of segment merging; per the
            // FTS5 documentation a change-count delta under 2 means it found
            // nothing left to do.
            exec(
                store,
                "INSERT INTO memory_fts (memory_fts, rank) VALUES ('merge', 64)",
            )?;
            merges += 1;
            if store.conn().total_changes() - before < 2 {
                break;
            }
        }
        exec(store, "PRAGMA optimize")?;
        report.steps.push(format!(
            "merged full-text index segments in {merges} bounded steps; PRAGMA optimize"
        ));
    }
    if plan.rebuild_index {
        exec(
            store,
            &format!(
                "BEGIN IMMEDIATE;
                 INSERT INTO memory_fts (memory_fts) VALUES ('rebuild');
                 INSERT INTO memory_fts (memory_fts) VALUES ('optimize');
                 {RECOUNT}
                 COMMIT;
                 REINDEX; ANALYZE;"
            ),
        )?;
        report.steps.push(
            "rebuilt and optimised the full-text index and the row counters; REINDEX; ANALYZE"
                .into(),
        );
    }
    if plan.recompute_embeddings {
        let removed = store
            .conn()
            .execute("DELETE FROM memory_vectors WHERE model = ?1", [MODEL_ID])
            .map_err(|e| store_err(&path, e))?;
        report
            .steps
            .push(format!("dropped {removed} vectors to recompute"));
    }
    if let Some(e) = embedder {
        report.embedded = vectors::embed_backlog(store, e, progress)?;
        report
            .steps
            .push(format!("embedded {} observations", report.embedded));
    }
    if plan.clear_cache {
        let freed = index::clear_cache(cache_dir).map_err(|e| Error::io("remove", cache_dir, e))?;
        report.steps.push(format!(
            "cleared the vector index cache ({})",
            bytesize::ByteSize::b(freed)
        ));
    }
    if plan.rebuild_index || plan.recompute_embeddings {
        let mut index = index::VectorIndex::build(store)?;
        index
            .save(cache_dir)
            .map_err(|e| Error::io("write", cache_dir, e))?;
        report.steps.push(format!(
            "rebuilt the vector index ({} vectors)",
            index.len()
        ));
    }
    if plan.vacuum {
        exec(store, "VACUUM")?;
        report
            .steps
            .push("VACUUM: rewrote the database without free pages".into());
    }
    report.bytes_after = db_bytes(store)?;
    Ok(report)
}

/// What `memory cleanup` may remove. Only data nobody can reach or use is
/// eligible, and only when untouched for `older_than`:
/// - always: search-log entries and trend samples, and vectors of other
///   embedding models (never searched again);
/// - `remove_orphaned`: entities with no observations and no relations;
/// - `aggressive`: also agent-scoped memory of agents that no longer exist
///   (neither deployed nor in the agents directory), which no agent can read.
#[derive(Debug, Clone)]
pub struct Cleanup {
    pub older_than: Duration,
    pub remove_orphaned: bool,
    pub aggressive: bool,
    /// Agents that exist; their memory is never abandoned.
    pub known_agents: Vec<String>,
    pub vacuum_after: bool,
    /// Report what would be removed without removing it.
    pub dry_run: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CleanupReport {
    pub dry_run: bool,
    pub orphaned_entities: usize,
    pub abandoned_agent_entities: usize,
    pub stale_vectors: usize,
    pub search_log_entries: usize,
    pub trend_samples: usize,
    pub bytes_before: u64,
    pub bytes_after: u64,
}

pub fn cleanup(store: &mut Store, c: &Cleanup) -> Result<CleanupReport> {
    let cutoff = crate::clock::now_ms() - c.older_than.as_millis() as i64;
    let known = serde_json::to_string(&c.known_agents).unwrap_or_else(|_| "[]".into());
    let path = store.path().to_path_buf();
    let work = |tx: &rusqlite::Transaction| -> Result<CleanupReport> {
        let run = |sql: &str, p: &[&dyn rusqlite::ToSql]| {
            tx.execute(sql, p).map_err(|e| store_err(&path, e))
        };
        let mut r = CleanupReport {
            dry_run: c.dry_run,
            ..Default::default()
        };
        r.search_log_entries = run("DELETE FROM memory_search_log WHERE at < ?1", &[&cutoff])?;
        r.trend_samples = run("DELETE FROM memory_samples WHERE at < ?1", &[&cutoff])?;
        r.stale_vectors = run("DELETE FROM memory_vectors WHERE model <> ?1", &[&MODEL_ID])?;
        if c.aggressive {
            r.abandoned_agent_entities = run(
                "DELETE FROM memory_entities WHERE scope = 'agent' AND updated_at < ?1
                   AND scope_id NOT IN (SELECT value FROM json_each(?2))",
                &[&cutoff, &known],
            )?;
        }
        if c.remove_orphaned {
            r.orphaned_entities = run(
                "DELETE FROM memory_entities WHERE updated_at < ?1
                   AND NOT EXISTS (SELECT 1 FROM memory_observations o WHERE o.entity_id = memory_entities.id)
                   AND NOT EXISTS (SELECT 1 FROM memory_relations r
                                   WHERE r.from_id = memory_entities.id OR r.to_id = memory_entities.id)",
                &[&cutoff],
            )?;
        }
        Ok(r)
    };
    let bytes_before = db_bytes(store)?;
    let mut report = if c.dry_run {
        store.rehearse(work)?
    } else {
        store.write(work)?
    };
    if c.vacuum_after && !c.dry_run {
        store
            .conn()
            .execute_batch("VACUUM")
            .map_err(|e| store_err(store.path(), e))?;
    }
    report.bytes_before = bytes_before;
    report.bytes_after = db_bytes(store)?;
    Ok(report)
}

/// One check of `memory reindex --verify-after`.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

/// Verify what reindexing maintains: every observation has a vector of the
/// right shape, the row counters match the tables, the full-text index
/// matches its content, and `index` holds every vector.
pub fn verify(store: &Store, index: &index::VectorIndex) -> Result<Vec<Check>> {
    let err = |e| store_err(store.path(), e);
    let one = |sql: &str| -> Result<i64> {
        store
            .conn()
            .query_row(sql, [MODEL_ID], |r| r.get(0))
            .map_err(err)
    };
    let pending = vectors::backlog(store)?;
    let bad_shape = one(&format!(
        "SELECT count(*) FROM memory_vectors WHERE model = ?1 AND (dims <> {DIMS} OR length(vector) <> {})",
        DIMS * 4
    ))?;
    let drift = one(
        "SELECT (SELECT count(*) FROM memory_observations) - (SELECT n FROM memory_counts WHERE name = 'observations')
              + (SELECT count(*) FROM memory_vectors WHERE model = ?1)
              - coalesce((SELECT n FROM memory_counts WHERE name = 'vectors:' || ?1), 0)",
    )?;
    let vectors = one("SELECT count(*) FROM memory_vectors WHERE model = ?1")?;
    // FTS5's integrity-check raises an error when the index and content differ.
    let fts = store
        .conn()
        .execute(
            "INSERT INTO memory_fts (memory_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .map(|_| String::from("matches its content"))
        .map_err(|e| e.to_string());
    Ok(vec![
        Check {
            name: "embeddings",
            ok: pending == 0,
            detail: format!("{pending} observations without a {MODEL_ID} vector"),
        },
        Check {
            name: "vector shapes",
            ok: bad_shape == 0,
            detail: format!("{bad_shape} vectors not {DIMS} f32 values"),
        },
        Check {
            name: "row counters",
            ok: drift == 0,
            detail: if drift == 0 {
                "match the tables".into()
            } else {
                "differ from the tables: run `caxton memory optimize --rebuild-index`".into()
            },
        },
        Check {
            name: "full-text index",
            ok: fts.is_ok(),
            detail: fts
                .unwrap_or_else(|e| format!("{e}: run `caxton memory optimize --rebuild-index`")),
        },
        Check {
            name: "vector index",
            ok: index.len() as i64 == vectors,
            detail: format!("{} of {vectors} vectors indexed", index.len()),
        },
    ])
}
