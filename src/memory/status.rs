//! Health and capacity of the embedded memory: what `memory status`,
//! `memory usage` and `memory capacity-check` report, from real measurements.

use std::path::Path;

use rusqlite::params;
use serde::Serialize;

use super::embed;
use super::vectors;
use crate::agent::versions::now_ms;
use crate::error::Result;
use crate::store::{Store, store_err};

/// Search latency P99 the runbook promises to stay under.
pub const SEARCH_P99_TARGET_MS: f64 = 50.0;
/// How many recorded searches are kept for the percentiles.
const LOG_KEEP: i64 = 10_000;

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// `healthy` when every check passes, else `degraded`.
    pub status: &'static str,
    pub problems: Vec<String>,
    pub warnings: Vec<String>,
    pub sqlite_status: String,
    pub db_bytes: u64,
    pub fragmentation_percent: f64,
    pub embedding_model: String,
    pub model_dir: String,
    pub entities: i64,
    pub max_entities: u64,
    pub usage_percent: f64,
    pub observations: i64,
    pub relations: i64,
    pub embedded_observations: i64,
    pub pending_embeddings: i64,
    pub searches_recorded: i64,
    pub search_p50_ms: Option<f64>,
    pub search_p99_ms: Option<f64>,
    /// Writes are refused (`caxton storage safe-mode`).
    pub safe_mode: bool,
}

fn count(store: &Store, sql: &str) -> Result<i64> {
    store
        .conn()
        .query_row(sql, [], |r| r.get(0))
        .map_err(|e| store_err(store.path(), e))
}

/// Entities stored, as a percentage of the configured limit.
pub fn usage_percent(store: &Store, max_entities: u64) -> Result<f64> {
    let n = count(store, "SELECT count(*) FROM memory_entities")?;
    Ok(100.0 * n as f64 / max_entities.max(1) as f64)
}

pub fn status(
    store: &Store,
    models_dir: &Path,
    max_entities: u64,
    quick_check: bool,
) -> Result<Status> {
    let mut problems = Vec::new();
    let sqlite_status = if quick_check {
        let r: String = store
            .conn()
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| store_err(store.path(), e))?;
        if r != "ok" {
            problems.push(format!("SQLite quick_check: {r}"));
        }
        r
    } else {
        "not checked".into()
    };
    let pages = count(store, "PRAGMA page_count")?;
    let free = count(store, "PRAGMA freelist_count")?;
    let page_size = count(store, "PRAGMA page_size")?;
    let missing = embed::missing_files(models_dir);
    let embedding_model = if missing.is_empty() {
        format!("{} available", embed::MODEL_ID)
    } else {
        problems.push(format!(
            "embedding model missing ({} not found): search is keyword-only; run scripts/fetch-models or set CAXTON_MODELS_DIR",
            missing[0].display()
        ));
        format!("{} missing", embed::MODEL_ID)
    };
    let entities = count(store, "SELECT count(*) FROM memory_entities")?;
    let usage = 100.0 * entities as f64 / max_entities.max(1) as f64;
    if usage >= 100.0 {
        problems.push(format!(
            "entity limit reached: {entities} of {max_entities}"
        ));
    }
    let latencies = latencies_ms(store)?;
    let p = |q: f64| {
        (!latencies.is_empty()).then(|| {
            latencies[((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1]
        })
    };
    let p99 = p(0.99);
    // Slow is not broken: a P99 over target is reported as a warning, not
    // as a failed health check.
    let mut warnings = Vec::new();
    let safe_mode = store.check_writable().is_err();
    if safe_mode {
        warnings.push(
            "safe mode is enabled: writes are refused (`caxton storage safe-mode --disable` turns it off)"
                .into(),
        );
    }
    if let Some(v) = p99.filter(|v| *v > SEARCH_P99_TARGET_MS) {
        warnings.push(format!(
            "search latency P99 {v:.1} ms is over the {SEARCH_P99_TARGET_MS} ms target"
        ));
    }
    Ok(Status {
        status: if problems.is_empty() {
            "healthy"
        } else {
            "degraded"
        },
        problems,
        warnings,
        sqlite_status,
        db_bytes: (pages * page_size) as u64,
        fragmentation_percent: if pages > 0 {
            100.0 * free as f64 / pages as f64
        } else {
            0.0
        },
        embedding_model,
        model_dir: embed::model_dir(models_dir).display().to_string(),
        entities,
        max_entities,
        usage_percent: usage,
        observations: count(store, "SELECT count(*) FROM memory_observations")?,
        relations: count(store, "SELECT count(*) FROM memory_relations")?,
        embedded_observations: count(store, "SELECT count(*) FROM memory_vectors")?,
        pending_embeddings: vectors::backlog(store)?,
        searches_recorded: latencies.len() as i64,
        search_p50_ms: p(0.5),
        search_p99_ms: p99,
        safe_mode,
    })
}

/// Recorded search latencies in milliseconds, ascending.
fn latencies_ms(store: &Store) -> Result<Vec<f64>> {
    let err = |e| store_err(store.path(), e);
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT duration_us FROM memory_search_log ORDER BY duration_us")
        .map_err(err)?;
    stmt.query_map([], |r| r.get::<_, i64>(0))
        .map_err(err)?
        .map(|r| r.map(|us| us as f64 / 1000.0).map_err(err))
        .collect()
}

/// Record one search's latency, keeping the newest entries only.
pub fn record_search(
    store: &mut Store,
    duration: std::time::Duration,
    mode: &str,
    results: usize,
) -> Result<()> {
    // Safe mode writes nothing, not even statistics; the search still runs.
    if store.check_writable().is_err() {
        return Ok(());
    }
    let path = store.path().to_path_buf();
    store.write(|tx| {
        tx.execute(
            "INSERT INTO memory_search_log (at, duration_us, mode, results) VALUES (?1, ?2, ?3, ?4)",
            params![now_ms(), duration.as_micros() as i64, mode, results as i64],
        )
        .and_then(|_| {
            tx.execute(
                "DELETE FROM memory_search_log WHERE id <= (SELECT max(id) FROM memory_search_log) - ?1",
                [LOG_KEEP],
            )
        })
        .map_err(|e| store_err(&path, e))?;
        Ok(())
    })
}

/// What `memory emergency-diagnosis` reports: the status with a full
/// integrity check, where the space goes, and what to do next.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    pub status: Status,
    pub wal_bytes: u64,
    /// Entities with the most observations: (name, scope, observations).
    pub largest_entities: Vec<(String, String, i64)>,
    pub actions: Vec<String>,
}

pub fn diagnose(store: &Store, models_dir: &Path, max_entities: u64) -> Result<Diagnosis> {
    let mut status = status(store, models_dir, max_entities, false)?;
    let err = |e| store_err(store.path(), e);
    // integrity_check (not quick_check): slower, but this is the emergency path.
    let integrity: Vec<String> = store
        .conn()
        .prepare("PRAGMA integrity_check")
        .map_err(err)?
        .query_map([], |r| r.get(0))
        .map_err(err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(err)?;
    status.sqlite_status = integrity.join("; ");
    let mut actions = Vec::new();
    if integrity != ["ok"] {
        status
            .problems
            .push(format!("SQLite integrity_check: {}", status.sqlite_status));
        status.status = "degraded";
        actions.push(
            "restore from the latest verified backup, or salvage readable rows with a repair"
                .into(),
        );
    }
    let largest = store
        .conn()
        .prepare(
            "SELECT e.name, e.scope, count(o.id) AS n FROM memory_entities e
             LEFT JOIN memory_observations o ON o.entity_id = e.id
             GROUP BY e.id ORDER BY n DESC, e.name LIMIT 5",
        )
        .map_err(err)?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(err)?;
    let wal = store.path().with_extension("db-wal");
    let wal_bytes = std::fs::metadata(&wal).map_or(0, |m| m.len());
    if status.usage_percent >= 80.0 {
        actions.push(format!(
            "entity usage is {:.0}% of {}: delete unused entities or raise memory.max_entities",
            status.usage_percent, status.max_entities
        ));
    }
    if status.fragmentation_percent >= 20.0 {
        actions.push("run `caxton memory optimize --vacuum-sqlite` to reclaim free pages".into());
    }
    if status.pending_embeddings > 0 && !status.embedding_model.ends_with("missing") {
        actions.push(format!(
            "run `caxton memory reindex` to embed {} pending observations",
            status.pending_embeddings
        ));
    }
    if status.embedding_model.ends_with("missing") {
        actions.push(
            "run scripts/fetch-models (or set CAXTON_MODELS_DIR) to enable semantic search".into(),
        );
    }
    Ok(Diagnosis {
        status,
        wal_bytes,
        largest_entities: largest,
        actions,
    })
}
