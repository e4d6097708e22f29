//! WASM executions per agent and minute (table `wasm_minutes`): what
//! `agents metrics NAME --last D` reports for a WASM agent.
//!
//! `wasm_stats` keeps one running total per agent, which has no window. Here
//! each row holds one minute's counts, sums, trap kinds and two latency
//! histograms (hdrhistogram, V2 encoding). Histograms merge, so percentiles
//! over any window of whole minutes are as exact as a single histogram (two
//! significant digits), and storage stays bounded: one row per agent and
//! active minute, pruned after [`RETENTION_MS`].

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::error::Result;
use crate::runtime::wasm::{Stats, WasmError};
use crate::store::{Store, store_err};

/// How long minute rows are kept: the longest `--last` that has data.
pub const RETENTION_MS: i64 = 7 * 24 * 3_600_000;
const MINUTE_MS: i64 = 60_000;
/// Latencies above an hour are recorded as an hour (no limit allows more).
const MAX_US: u64 = 3_600_000_000;

/// One execution to record: what it used, and why it failed if it did.
pub type Run<'a> = (Stats, Option<&'a WasmError>);

/// A WASM agent's executions within a window.
#[derive(Debug, Clone, Serialize)]
pub struct Window {
    /// The agent's id.
    pub agent: String,
    /// Start of the window (ms since the epoch), rounded down to a minute.
    pub since: i64,
    /// Executions in the window.
    pub executions: u64,
    /// Executions that failed (trap, limit, agent error).
    pub failures: u64,
    /// `failures / executions` (0 without executions).
    pub error_rate: f64,
    /// Failed executions by kind (`fuel`, `memory`, `wall_time`, a trap
    /// code, `agent_error`, ...).
    pub traps: BTreeMap<String, u64>,
    /// Fuel consumed in the window.
    pub fuel: u64,
    /// Mean fuel per execution.
    pub fuel_per_execution: Option<f64>,
    /// Median CPU time per execution.
    pub cpu_p50_ms: Option<f64>,
    /// 99th-percentile CPU time per execution.
    pub cpu_p99_ms: Option<f64>,
    /// Median wall-clock time per execution.
    pub wall_p50_ms: Option<f64>,
    /// 99th-percentile wall-clock time per execution.
    pub wall_p99_ms: Option<f64>,
    /// Start of the newest minute with executions.
    pub last_minute_at: Option<i64>,
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_US, 2).expect("constant bounds are valid")
}

fn encode(h: &Histogram<u64>) -> rusqlite::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    V2Serializer::new()
        .serialize(h, &mut bytes)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(format!("{e:?}").into()))?;
    Ok(bytes)
}

fn decode(bytes: &[u8], column: usize) -> rusqlite::Result<Histogram<u64>> {
    Deserializer::new()
        .deserialize(&mut &bytes[..])
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                column,
                rusqlite::types::Type::Blob,
                format!("wasm_minutes histogram: {e:?}").into(),
            )
        })
}

/// Add `runs` to the minute of `now_ms`, inside the caller's transaction.
/// The first write of a minute also drops the agent's rows older than
/// [`RETENTION_MS`], so the table stays bounded without a sweeper.
pub fn add(tx: &rusqlite::Connection, id: &str, now_ms: i64, runs: &[Run]) -> rusqlite::Result<()> {
    if runs.is_empty() {
        return Ok(());
    }
    let minute = now_ms.div_euclid(MINUTE_MS);
    let row = tx
        .prepare_cached(
            "SELECT executions, failures, fuel, cpu_us, wall_us, traps, wall_hist, cpu_hist
             FROM wasm_minutes WHERE agent_id = ?1 AND minute = ?2",
        )?
        .query_row(params![id, minute], |r| {
            Ok((
                [
                    r.get::<_, i64>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ],
                r.get::<_, String>(5)?,
                decode(&r.get::<_, Vec<u8>>(6)?, 6)?,
                decode(&r.get::<_, Vec<u8>>(7)?, 7)?,
            ))
        })
        .optional()?;
    let first_of_minute = row.is_none();
    let (mut sums, traps, mut wall, mut cpu) =
        row.unwrap_or_else(|| ([0; 5], "{}".into(), histogram(), histogram()));
    let mut traps: BTreeMap<String, u64> = serde_json::from_str(&traps).unwrap_or_default();
    for (stats, error) in runs {
        sums[0] += 1;
        if let Some(e) = error {
            sums[1] += 1;
            *traps.entry(e.kind()).or_default() += 1;
        }
        sums[2] += stats.fuel as i64;
        sums[3] += stats.cpu_us as i64;
        sums[4] += stats.wall_us as i64;
        wall.saturating_record(stats.wall_us.clamp(1, MAX_US));
        cpu.saturating_record(stats.cpu_us.clamp(1, MAX_US));
    }
    tx.prepare_cached(
        "INSERT OR REPLACE INTO wasm_minutes
             (agent_id, minute, executions, failures, fuel, cpu_us, wall_us, traps, wall_hist, cpu_hist)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        id,
        minute,
        sums[0],
        sums[1],
        sums[2],
        sums[3],
        sums[4],
        serde_json::to_string(&traps).unwrap_or_else(|_| "{}".into()),
        encode(&wall)?,
        encode(&cpu)?,
    ])?;
    if first_of_minute {
        tx.prepare_cached("DELETE FROM wasm_minutes WHERE agent_id = ?1 AND minute < ?2")?
            .execute(params![id, (now_ms - RETENTION_MS).div_euclid(MINUTE_MS)])?;
    }
    Ok(())
}

/// A window without executions (no store yet).
pub fn window_empty(id: &str, since_ms: i64) -> Window {
    Window {
        agent: id.to_string(),
        since: since_ms.div_euclid(MINUTE_MS) * MINUTE_MS,
        executions: 0,
        failures: 0,
        error_rate: 0.0,
        traps: BTreeMap::new(),
        fuel: 0,
        fuel_per_execution: None,
        cpu_p50_ms: None,
        cpu_p99_ms: None,
        wall_p50_ms: None,
        wall_p99_ms: None,
        last_minute_at: None,
    }
}

/// The agent's executions from `since_ms` (rounded down to its minute) on.
pub fn window(store: &Store, id: &str, since_ms: i64) -> Result<Window> {
    let err = |e| store_err(store.path(), e);
    let from = since_ms.div_euclid(MINUTE_MS);
    let mut w = window_empty(id, since_ms);
    let (mut wall, mut cpu) = (histogram(), histogram());
    let mut stmt = store
        .conn()
        .prepare_cached(
            "SELECT minute, executions, failures, fuel, traps, wall_hist, cpu_hist
             FROM wasm_minutes WHERE agent_id = ?1 AND minute >= ?2 ORDER BY minute",
        )
        .map_err(err)?;
    let rows = stmt
        .query_map(params![id, from], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                [r.get::<_, i64>(1)?, r.get(2)?, r.get(3)?],
                r.get::<_, String>(4)?,
                decode(&r.get::<_, Vec<u8>>(5)?, 5)?,
                decode(&r.get::<_, Vec<u8>>(6)?, 6)?,
            ))
        })
        .map_err(err)?;
    for row in rows {
        let (minute, [executions, failures, fuel], traps, wall_h, cpu_h) = row.map_err(err)?;
        w.executions += executions as u64;
        w.failures += failures as u64;
        w.fuel += fuel as u64;
        let traps: BTreeMap<String, u64> = serde_json::from_str(&traps).unwrap_or_default();
        for (kind, n) in traps {
            *w.traps.entry(kind).or_default() += n;
        }
        // Both histograms have the same bounds, so adding cannot fail.
        let _ = wall.add(&wall_h);
        let _ = cpu.add(&cpu_h);
        w.last_minute_at = Some(minute * MINUTE_MS);
    }
    if w.executions > 0 {
        let ms = |h: &Histogram<u64>, q: f64| Some(h.value_at_quantile(q) as f64 / 1000.0);
        w.error_rate = w.failures as f64 / w.executions as f64;
        w.fuel_per_execution = Some(w.fuel as f64 / w.executions as f64);
        w.wall_p50_ms = ms(&wall, 0.5);
        w.wall_p99_ms = ms(&wall, 0.99);
        w.cpu_p50_ms = ms(&cpu, 0.5);
        w.cpu_p99_ms = ms(&cpu, 0.99);
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(wall_us: u64) -> Stats {
        Stats {
            fuel: 100,
            cpu_us: wall_us / 2,
            wall_us,
            ..Stats::default()
        }
    }

    #[test]
    fn minutes_merge_into_a_window_and_old_minutes_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db")).unwrap();
        let trap = WasmError::Agent {
            message: "no".into(),
        };
        let t0 = 1_000 * MINUTE_MS;
        let db = store.path().to_path_buf();
        store
            .write(|tx| {
                let runs: Vec<Run> = (1..=99).map(|i| (run(i * 1000), None)).collect();
                add(tx, "a", t0, &runs).map_err(|e| store_err(&db, e))?;
                add(tx, "a", t0 + MINUTE_MS, &[(run(500_000), Some(&trap))])
                    .map_err(|e| store_err(&db, e))?;
                add(tx, "b", t0, &[(run(7), None)]).map_err(|e| store_err(&db, e))
            })
            .unwrap();
        let w = window(&store, "a", t0).unwrap();
        assert_eq!((w.executions, w.failures, w.fuel), (100, 1, 10_000));
        assert_eq!(w.traps.get("agent_error"), Some(&1));
        let p50 = w.wall_p50_ms.unwrap();
        assert!((49.0..=51.0).contains(&p50), "{p50}");
        assert!(w.wall_p99_ms.unwrap() >= 98.0);
        // The window starts at a minute: the later minute alone.
        let later = window(&store, "a", t0 + MINUTE_MS + 1).unwrap();
        assert_eq!((later.executions, later.failures), (1, 1));
        // A write a retention period later drops the old minutes.
        store
            .write(|tx| {
                add(
                    tx,
                    "a",
                    t0 + RETENTION_MS + 2 * MINUTE_MS,
                    &[(run(1), None)],
                )
                .map_err(|e| store_err(&db, e))
            })
            .unwrap();
        assert_eq!(window(&store, "a", 0).unwrap().executions, 1);
        assert_eq!(window(&store, "b", 0).unwrap().executions, 1);
    }
}
