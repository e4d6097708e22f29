//! Health and capacity of the embedded memory: what `memory status`,
//! `memory usage` and `memory capacity-check` report, from real measurements.

use std::path::Path;

use rusqlite::params;
use serde::Serialize;

use super::embed;
use super::index::Load;
use super::postgres::Figures;
use super::vectors;
use crate::clock::now_ms;
use crate::error::Result;
use crate::store::{Store, store_err};

/// Search latency P99 the runbook promises to stay under.
pub const SEARCH_P99_TARGET_MS: f64 = 50.0;
/// Share of searches the vector index should serve without a rebuild.
pub const CACHE_HIT_TARGET_PERCENT: f64 = 85.0;
/// How many recorded searches are kept for the percentiles.
const LOG_KEEP: i64 = 10_000;

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// `healthy` when every check passes, else `degraded`.
    pub status: &'static str,
    /// The backend serving the memory: `embedded`, `qdrant` or `postgres`.
    pub backend: &'static str,
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
    /// Share of semantic searches served by an index that was current or
    /// made current incrementally (not rebuilt from every vector).
    pub vector_cache_hit_percent: Option<f64>,
    /// Size of the persisted vector index.
    pub vector_cache_bytes: u64,
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

/// Where the memory's files are, for the figures that are not in the store.
pub struct Dirs<'a> {
    pub models: &'a Path,
    pub cache: std::path::PathBuf,
}

pub fn status(store: &Store, dirs: &Dirs, max_entities: u64, quick_check: bool) -> Result<Status> {
    let (models_dir, cache_dir) = (dirs.models, &dirs.cache);
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
    let embedding_model = model_state(&missing, &mut problems);
    let entities = count(store, "SELECT count(*) FROM memory_entities")?;
    let usage = 100.0 * entities as f64 / max_entities.max(1) as f64;
    if usage >= 100.0 {
        problems.push(format!(
            "entity limit reached: {entities} of {max_entities}"
        ));
    }
    let latencies = latencies_ms(store, 0)?;
    let p = |q: f64| percentile(&latencies, q);
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
        backend: "embedded",
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
        vector_cache_hit_percent: cache_hit_percent(store)?,
        vector_cache_bytes: std::fs::read_dir(cache_dir)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0),
        safe_mode,
    })
}

/// The status of a memory served by PostgreSQL: counts and latencies from
/// the server; the SQLite-only figures (fragmentation, vector cache) are 0.
pub fn from_postgres(f: &Figures, models_dir: &Path, max_entities: u64) -> Status {
    let mut problems = Vec::new();
    let missing = embed::missing_files(models_dir);
    let embedding_model = model_state(&missing, &mut problems);
    let usage = 100.0 * f.entities as f64 / max_entities.max(1) as f64;
    if usage >= 100.0 {
        problems.push(format!(
            "entity limit reached: {} of {max_entities}",
            f.entities
        ));
    }
    let mut warnings = Vec::new();
    if let Some(v) = f.p99_ms.filter(|v| *v > SEARCH_P99_TARGET_MS) {
        warnings.push(format!(
            "search latency P99 {v:.1} ms is over the {SEARCH_P99_TARGET_MS} ms target"
        ));
    }
    Status {
        status: if problems.is_empty() {
            "healthy"
        } else {
            "degraded"
        },
        backend: "postgres",
        problems,
        warnings,
        sqlite_status: format!("not used (PostgreSQL {})", f.server_version),
        db_bytes: f.db_bytes,
        fragmentation_percent: 0.0,
        embedding_model,
        model_dir: embed::model_dir(models_dir).display().to_string(),
        entities: f.entities,
        max_entities,
        usage_percent: usage,
        observations: f.observations,
        relations: f.relations,
        embedded_observations: f.embedded,
        pending_embeddings: f.pending,
        searches_recorded: f.searches,
        search_p50_ms: f.p50_ms,
        search_p99_ms: f.p99_ms,
        vector_cache_hit_percent: None,
        vector_cache_bytes: 0,
        safe_mode: false,
    }
}

/// `<model> available|missing`, recording a problem when it is missing.
fn model_state(missing: &[std::path::PathBuf], problems: &mut Vec<String>) -> String {
    if missing.is_empty() {
        format!("{} available", embed::MODEL_ID)
    } else {
        problems.push(format!(
            "embedding model missing ({} not found): search is keyword-only; run scripts/fetch-models or set CAXTON_MODELS_DIR",
            missing[0].display()
        ));
        format!("{} missing", embed::MODEL_ID)
    }
}

fn cache_hit_percent(store: &Store) -> Result<Option<f64>> {
    let (hits, total): (i64, i64) = store
        .conn()
        .query_row(
            "SELECT count(*) FILTER (WHERE index_load IN ('warm', 'incremental')), count(*)
             FROM memory_search_log WHERE index_load <> ''",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| store_err(store.path(), e))?;
    Ok((total > 0).then(|| 100.0 * hits as f64 / total as f64))
}

/// The `q` quantile (nearest rank) of ascending `sorted`.
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    (!sorted.is_empty())
        .then(|| sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1])
}

/// Recorded search latencies since `since_ms`, in milliseconds, ascending.
fn latencies_ms(store: &Store, since_ms: i64) -> Result<Vec<f64>> {
    let err = |e| store_err(store.path(), e);
    let mut stmt = store
        .conn()
        .prepare_cached(
            "SELECT duration_us FROM memory_search_log WHERE at >= ?1 ORDER BY duration_us",
        )
        .map_err(err)?;
    stmt.query_map([since_ms], |r| r.get::<_, i64>(0))
        .map_err(err)?
        .map(|r| r.map(|us| us as f64 / 1000.0).map_err(err))
        .collect()
}

/// Record one search's latency, keeping the newest entries only.
pub struct SearchRecord<'a> {
    pub query: &'a str,
    pub duration: std::time::Duration,
    pub mode: &'a str,
    pub index_load: Option<Load>,
    pub results: usize,
}

/// Longest query text kept in the log (enough to recognise a slow query).
const QUERY_KEEP_CHARS: usize = 200;

pub fn record_search(store: &mut Store, r: &SearchRecord) -> Result<()> {
    // Safe mode writes nothing, not even statistics; the search still runs.
    if store.check_writable().is_err() {
        return Ok(());
    }
    let path = store.path().to_path_buf();
    let query: String = r.query.chars().take(QUERY_KEEP_CHARS).collect();
    store.write(|tx| {
        tx.execute(
            "INSERT INTO memory_search_log (at, duration_us, mode, results, index_load, query)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                now_ms(),
                r.duration.as_micros() as i64,
                r.mode,
                r.results as i64,
                r.index_load.map_or("", Load::as_str),
                query
            ],
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

pub fn diagnose(store: &Store, dirs: &Dirs, max_entities: u64) -> Result<Diagnosis> {
    let mut status = status(store, dirs, max_entities, false)?;
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

/// How often the size and speed of the memory are sampled for trends.
pub const SAMPLE_EVERY_MS: i64 = 3_600_000;

/// One sample: sizes at `at_ms` and the searches of the hour before it.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub at_ms: i64,
    pub entities: i64,
    pub observations: i64,
    pub relations: i64,
    pub vectors: i64,
    pub db_bytes: i64,
    pub searches: i64,
    pub search_p50_ms: Option<f64>,
    pub search_p99_ms: Option<f64>,
}

/// Record a sample when the newest one is older than [`SAMPLE_EVERY_MS`].
/// Every memory command calls this, and the daemon on a timer, so trends
/// build up wherever the memory is used.
pub fn sample_if_due(store: &mut Store) -> Result<bool> {
    let now = now_ms();
    let newest: Option<i64> = store
        .conn()
        .query_row("SELECT max(at) FROM memory_samples", [], |r| r.get(0))
        .map_err(|e| store_err(store.path(), e))?;
    if newest.is_some_and(|t| now - t < SAMPLE_EVERY_MS) {
        return Ok(false);
    }
    let hour = latencies_ms(store, now - SAMPLE_EVERY_MS)?;
    let sample = Sample {
        at_ms: now,
        entities: count(store, "SELECT count(*) FROM memory_entities")?,
        observations: count(
            store,
            "SELECT n FROM memory_counts WHERE name = 'observations'",
        )?,
        relations: count(store, "SELECT count(*) FROM memory_relations")?,
        vectors: count(
            store,
            "SELECT coalesce(sum(n), 0) FROM memory_counts WHERE name LIKE 'vectors:%'",
        )?,
        db_bytes: count(store, "PRAGMA page_count")? * count(store, "PRAGMA page_size")?,
        searches: hour.len() as i64,
        search_p50_ms: percentile(&hour, 0.5),
        search_p99_ms: percentile(&hour, 0.99),
    };
    let path = store.path().to_path_buf();
    store.write(|tx| {
        tx.execute(
            "INSERT OR IGNORE INTO memory_samples VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                sample.at_ms,
                sample.entities,
                sample.observations,
                sample.relations,
                sample.vectors,
                sample.db_bytes,
                sample.searches,
                sample.search_p50_ms.map(|v| (v * 1000.0) as i64),
                sample.search_p99_ms.map(|v| (v * 1000.0) as i64)
            ],
        )
        .map_err(|e| store_err(&path, e))?;
        Ok(())
    })?;
    Ok(true)
}

/// Search figures for one group of recorded searches.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub key: String,
    pub searches: usize,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// What `memory stats` reports for a window ending now.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub window_hours: u64,
    pub searches: usize,
    pub search_p50_ms: Option<f64>,
    pub search_p99_ms: Option<f64>,
    /// Per search mode (hybrid, keyword).
    pub by_mode: Vec<Latency>,
    /// How the vector index was served (warm, incremental, rebuilt).
    pub by_index_load: Vec<Latency>,
    /// Per hour (key: RFC 3339 start of the hour), oldest first; with trends only.
    pub hourly: Vec<Latency>,
    /// Periodic samples in the window, oldest first; with trends only.
    pub samples: Vec<Sample>,
}

/// `(at_ms, duration_ms, mode, index_load)` of one logged search.
type LogRow = (i64, f64, String, String);

pub fn stats(store: &Store, window_hours: u64, trends: bool) -> Result<Stats> {
    let since = now_ms() - window_hours as i64 * 3_600_000;
    let err = |e| store_err(store.path(), e);
    let rows: Vec<LogRow> = store
        .conn()
        .prepare_cached(
            "SELECT at, duration_us, mode, index_load FROM memory_search_log WHERE at >= ?1",
        )
        .map_err(err)?
        .query_map([since], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, i64>(1)? as f64 / 1000.0,
                r.get(2)?,
                r.get(3)?,
            ))
        })
        .map_err(err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(err)?;
    let group = |key: &dyn Fn(&LogRow) -> Option<String>| {
        let mut groups: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
        for r in &rows {
            if let Some(k) = key(r) {
                groups.entry(k).or_default().push(r.1);
            }
        }
        groups
            .into_iter()
            .map(|(key, mut v)| {
                v.sort_by(f64::total_cmp);
                Latency {
                    key,
                    searches: v.len(),
                    p50_ms: percentile(&v, 0.5),
                    p99_ms: percentile(&v, 0.99),
                }
            })
            .collect::<Vec<_>>()
    };
    let mut all: Vec<f64> = rows.iter().map(|r| r.1).collect();
    all.sort_by(f64::total_cmp);
    let samples = if trends {
        store
            .conn()
            .prepare_cached("SELECT * FROM memory_samples WHERE at >= ?1 ORDER BY at")
            .map_err(err)?
            .query_map([since], |r| {
                let ms = |v: Option<i64>| v.map(|us| us as f64 / 1000.0);
                Ok(Sample {
                    at_ms: r.get(0)?,
                    entities: r.get(1)?,
                    observations: r.get(2)?,
                    relations: r.get(3)?,
                    vectors: r.get(4)?,
                    db_bytes: r.get(5)?,
                    searches: r.get(6)?,
                    search_p50_ms: ms(r.get(7)?),
                    search_p99_ms: ms(r.get(8)?),
                })
            })
            .map_err(err)?
            .collect::<rusqlite::Result<_>>()
            .map_err(err)?
    } else {
        Vec::new()
    };
    Ok(Stats {
        window_hours,
        searches: all.len(),
        search_p50_ms: percentile(&all, 0.5),
        search_p99_ms: percentile(&all, 0.99),
        by_mode: group(&|r| Some(r.2.clone())),
        by_index_load: group(&|r| (!r.3.is_empty()).then(|| r.3.clone())),
        hourly: if trends {
            group(&|r| Some(hour_label(r.0)))
        } else {
            Vec::new()
        },
        samples,
    })
}

/// `2026-11-27T14:00:00Z` for the hour holding `at_ms` (sorts as text).
fn hour_label(at_ms: i64) -> String {
    let hour = std::time::UNIX_EPOCH
        + std::time::Duration::from_millis((at_ms - at_ms.rem_euclid(3_600_000)).max(0) as u64);
    humantime::format_rfc3339_seconds(hour).to_string()
}

/// One recorded search, as `memory monitor` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Logged {
    pub id: i64,
    pub at_ms: i64,
    pub duration_ms: f64,
    pub mode: String,
    pub index_load: String,
    pub results: i64,
    pub query: String,
}

/// Recorded searches after log id `after` taking at least `min`, oldest
/// first, at most `limit` (the newest ones when there are more).
pub fn slow_searches(
    store: &Store,
    after: i64,
    min: std::time::Duration,
    limit: usize,
) -> Result<Vec<Logged>> {
    let err = |e| store_err(store.path(), e);
    let mut v: Vec<Logged> = store
        .conn()
        .prepare_cached(
            "SELECT id, at, duration_us, mode, index_load, results, query FROM memory_search_log
             WHERE id > ?1 AND duration_us >= ?2 ORDER BY id DESC LIMIT ?3",
        )
        .map_err(err)?
        .query_map(params![after, min.as_micros() as i64, limit as i64], |r| {
            Ok(Logged {
                id: r.get(0)?,
                at_ms: r.get(1)?,
                duration_ms: r.get::<_, i64>(2)? as f64 / 1000.0,
                mode: r.get(3)?,
                index_load: r.get(4)?,
                results: r.get(5)?,
                query: r.get(6)?,
            })
        })
        .map_err(err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(err)?;
    v.reverse();
    Ok(v)
}

/// The newest search log id (0 when none), where a follower starts.
pub fn last_search_id(store: &Store) -> Result<i64> {
    count(store, "SELECT coalesce(max(id), 0) FROM memory_search_log")
}
