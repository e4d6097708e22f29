//! `memory optimize`: compact the database, rebuild the search indexes and
//! recompute vectors, each step one statement or transaction SQLite makes
//! atomic, so an interrupted run leaves a consistent store.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::embed::{Embedder, MODEL_ID};
use super::vectors;
use crate::error::Result;
use crate::store::{Store, store_err};

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub vacuum: bool,
    pub rebuild_index: bool,
    pub recompute_embeddings: bool,
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

pub fn optimize(store: &mut Store, plan: &Plan, embedder: Option<&Embedder>) -> Result<Report> {
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
            "INSERT INTO memory_fts (memory_fts) VALUES ('rebuild'); INSERT INTO memory_fts (memory_fts) VALUES ('optimize'); REINDEX; ANALYZE;",
        )?;
        report
            .steps
            .push("rebuilt and optimised the full-text index; REINDEX; ANALYZE".into());
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
        report.embedded = vectors::embed_backlog(store, e, &mut |_, _| {})?;
        report
            .steps
            .push(format!("embedded {} observations", report.embedded));
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
