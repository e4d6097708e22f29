//! `caxton storage repair`: rebuild what is derived (indexes, the full-text
//! index, statistics) and drop rows that lost their parent; with
//! `--emergency`, salvage every readable row of a damaged database into a
//! fresh one and say exactly what was lost.
//!
//! SQLite's recovery extension (`sqlite3_recover_*`, the CLI's `.recover`) is
//! not part of the amalgamation rusqlite bundles, so the salvage reads each
//! table in rowid order and steps over unreadable b-tree pages: when a scan
//! fails, it searches for the smallest rowid it can seek to again and
//! continues from there. Rows on damaged pages are lost; everything else is
//! copied into a database built by the current migrations.

use std::path::PathBuf;

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

use super::{Swap, db_with_sidecars};
use crate::Caxton;
use crate::error::{Error, Result};
use crate::lock;
use crate::store::{Store, store_err};

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub steps: Vec<String>,
}

/// Rebuild derived data in one transaction. Allowed in safe mode (that is
/// what safe mode waits for); refused while a daemon runs.
pub fn repair(cx: &Caxton) -> Result<Report> {
    let _daemon = lock::daemon(&cx.paths().data_dir, "repair")?;
    let mut store = Store::open_existing(&cx.paths().db())?.ok_or_else(|| Error::FileNotFound {
        path: cx.paths().db(),
    })?;
    let path = store.path().to_path_buf();
    let steps = store.write_in_safe_mode(|tx| {
        let sql = |e| store_err(&path, e);
        let mut steps = Vec::new();
        for (what, stmt) in [
            ("vectors without their observation", "DELETE FROM memory_vectors WHERE observation_id NOT IN (SELECT id FROM memory_observations)"),
            ("observations without their entity", "DELETE FROM memory_observations WHERE entity_id NOT IN (SELECT id FROM memory_entities)"),
            ("relations with a missing end", "DELETE FROM memory_relations WHERE from_id NOT IN (SELECT id FROM memory_entities) OR to_id NOT IN (SELECT id FROM memory_entities)"),
            ("vectors whose length disagrees with their dimensions", "DELETE FROM memory_vectors WHERE length(vector) != dims * 4"),
        ] {
            let n = tx.execute(stmt, []).map_err(sql)?;
            steps.push(format!("removed {n} {what}"));
        }
        // The full-text index is derived from entities and observations
        // (`store::search_index`); rebuild it from them rather than trust it.
        // The rebuild covers every row the triggers noted as pending.
        tx.execute_batch(&format!(
            "DELETE FROM memory_fts;
             DELETE FROM memory_fts_pending;
             INSERT INTO memory_fts (rowid, name, entity_type, content, entity_id)
                 SELECT -id, name, entity_type, '', id FROM memory_entities;
             INSERT INTO memory_fts (rowid, name, entity_type, content, entity_id)
                 SELECT o.id, e.name, e.entity_type, o.content, e.id
                 FROM memory_observations o JOIN memory_entities e ON e.id = o.entity_id;
             INSERT INTO memory_fts (memory_fts) VALUES ('optimize');
             {}
             REINDEX;
             ANALYZE;",
            crate::memory::maintenance::RECOUNT
        ))
        .map_err(sql)?;
        let n: i64 = tx
            .query_row("SELECT count(*) FROM memory_fts", [], |r| r.get(0))
            .map_err(sql)?;
        steps.push(format!(
            "rebuilt the full-text index ({n} rows) and the row counters"
        ));
        steps.push("rebuilt every index (REINDEX) and the query statistics (ANALYZE)".into());
        Ok(steps)
    })?;
    Ok(Report { steps })
}

/// What the salvage got out of one table.
#[derive(Debug, Clone, Serialize)]
pub struct TableSalvage {
    pub table: String,
    /// Rows the damaged database reported before the salvage, when it could
    /// count them (counting may use an index that is still intact).
    pub rows_before: Option<i64>,
    pub recovered: i64,
    /// Rows read but refused by the fresh database (e.g. a parent row lost).
    pub rejected: i64,
    /// `rows_before - recovered` when known.
    pub lost: Option<i64>,
    /// Rowid ranges that could not be read (first..=last missing rowid).
    pub unreadable_ranges: Vec<(i64, i64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Emergency {
    pub method: &'static str,
    pub tables: Vec<TableSalvage>,
    /// Sum of `lost` over tables where it is known.
    pub rows_lost: i64,
    /// Tables whose loss could not be counted exactly.
    pub uncounted: Vec<String>,
    pub damaged_copy: PathBuf,
    pub integrity: String,
    pub safe_mode: bool,
}

pub fn emergency(cx: &Caxton) -> Result<Emergency> {
    let data_dir = cx.paths().data_dir.clone();
    let _daemon = lock::daemon(&data_dir, "emergency repair")?;
    let _store = lock::store_exclusive(&data_dir)?;
    let db = cx.paths().db();
    let src = super::open_read_only(&db)?;
    let stage = tempfile::Builder::new()
        .prefix(".caxton-repair-")
        .tempdir_in(&data_dir)
        .map_err(|e| Error::io("create", &data_dir, e))?;
    let fresh_path = stage.path().join("caxton.db");
    let mut fresh = Store::open(&fresh_path)?;
    let tables = super::user_tables(fresh.conn()).map_err(|e| store_err(&fresh_path, e))?;
    let virtual_tables = virtual_tables(fresh.conn()).map_err(|e| store_err(&fresh_path, e))?;
    let fp = fresh_path.clone();
    let salvaged = fresh.write(|tx| {
        let mut out = Vec::new();
        for t in tables
            .iter()
            .filter(|t| !virtual_tables.contains(t) && !TRIGGER_KEPT.contains(&t.as_str()))
        {
            out.push(salvage_table(&src, tx, t).map_err(|e| store_err(&fp, e))?);
        }
        Ok(out)
    })?;
    let integrity = super::integrity(fresh.conn(), "integrity_check")
        .map_err(|e| store_err(&fresh_path, e))?
        .join("; ");
    drop(fresh);
    drop(src);
    if integrity != "ok" {
        return Err(Error::Io {
            action: "salvage into",
            path: fresh_path,
            source: std::io::Error::other(format!(
                "the salvaged database fails integrity_check ({integrity}); the damaged one was left in place"
            )),
        });
    }
    let damaged_copy = data_dir.join(format!(
        "pre-repair-{}",
        super::file_stamp(super::unix_now())
    ));
    let mut swap = Swap::default();
    let moved = (|| -> Result<()> {
        for f in db_with_sidecars(&db) {
            swap.move_into(&f, &damaged_copy)?;
        }
        swap.rename(&fresh_path, &db)
    })();
    if let Err(e) = moved {
        swap.undo();
        return Err(e);
    }
    let rows_lost = salvaged.iter().filter_map(|t| t.lost).sum();
    let uncounted = salvaged
        .iter()
        .filter(|t| t.lost.is_none())
        .map(|t| t.table.clone())
        .collect();
    Ok(Emergency {
        method: "row-by-row salvage (this build's SQLite has no recovery extension)",
        tables: salvaged,
        rows_lost,
        uncounted,
        damaged_copy,
        integrity,
        safe_mode: cx.paths().safe_mode_marker().exists(),
    })
}

/// Tables the fresh database fills itself while rows are copied in: the row
/// counters, the vector change log and the full-text index's notes
/// (triggers), and the index state (a new store id, so every persisted
/// vector index is rebuilt).
const TRIGGER_KEPT: [&str; 4] = [
    "memory_counts",
    "memory_fts_pending",
    "memory_vector_changes",
    "memory_index_state",
];

/// Virtual tables (the full-text index): derived, rebuilt by triggers.
pub fn virtual_tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'virtual'")?
        .query_map([], |r| r.get(0))?
        .collect()
}

fn salvage_table(
    src: &Connection,
    dst: &Connection,
    table: &str,
) -> rusqlite::Result<TableSalvage> {
    let cols: Vec<String> = dst
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let quoted: Vec<String> = cols.iter().map(|c| format!("\"{c}\"")).collect();
    let insert = format!(
        "INSERT OR IGNORE INTO \"{table}\" ({}) VALUES ({})",
        quoted.join(", "),
        vec!["?"; cols.len()].join(", ")
    );
    let mut ins = dst.prepare(&insert)?;
    let (mut recovered, mut rejected) = (0, 0);
    let rows_before = count_rows(src, table);
    let unreadable_ranges = scan_rows(src, table, &quoted.join(", "), &mut |r| {
        let values: Vec<Value> = (1..=cols.len())
            .map(|i| r.get(i))
            .collect::<rusqlite::Result<_>>()?;
        match ins.execute(params_from_iter(values)) {
            Ok(1) => recovered += 1,
            _ => rejected += 1,
        }
        Ok(())
    });
    Ok(TableSalvage {
        table: table.into(),
        rows_before,
        recovered,
        rejected,
        lost: rows_before.map(|n| (n - recovered).max(0)),
        unreadable_ranges,
    })
}

/// `count(*)` of a table, if the damaged file still answers it (SQLite may
/// count through an intact index even when table pages are lost).
pub fn count_rows(src: &Connection, table: &str) -> Option<i64> {
    src.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
        r.get(0)
    })
    .ok()
}

/// Read every readable row of `table` (`rowid, <columns>`) in rowid order,
/// stepping over unreadable pages; returns the rowid ranges skipped.
pub fn scan_rows(
    src: &Connection,
    table: &str,
    columns: &str,
    on_row: &mut dyn FnMut(&rusqlite::Row) -> rusqlite::Result<()>,
) -> Vec<(i64, i64)> {
    let scan = format!("SELECT rowid, {columns} FROM \"{table}\" WHERE rowid >= ?1 ORDER BY rowid");
    let mut ranges = Vec::new();
    let mut from = i64::MIN;
    loop {
        let mut last: Option<i64> = None;
        let scanned = (|| -> rusqlite::Result<()> {
            let mut stmt = src.prepare(&scan)?;
            let mut rows = stmt.query([from])?;
            while let Some(r) = rows.next()? {
                let rowid: i64 = r.get(0)?;
                on_row(r)?;
                last = Some(rowid);
            }
            Ok(())
        })();
        if scanned.is_ok() {
            return ranges;
        }
        // The scan hit an unreadable page after `last`: find the first rowid
        // past the damage that a seek can reach.
        let bad = last.map_or(from, |l| l.saturating_add(1));
        match resume_point(src, table, bad) {
            Some(next) => {
                if next > bad {
                    ranges.push((bad, next - 1));
                }
                // Guarantee progress even if the page fails only mid-scan.
                from = next.max(bad.saturating_add(1));
            }
            None => {
                ranges.push((bad, i64::MAX));
                return ranges;
            }
        }
    }
}

/// Smallest rowid `>= bad` that a seek can reach and read, or `None` when no
/// readable row follows. Probes at doubling distances, then bisects.
fn resume_point(src: &Connection, table: &str, bad: i64) -> Option<i64> {
    let probe_sql =
        format!("SELECT rowid FROM \"{table}\" WHERE rowid >= ?1 ORDER BY rowid LIMIT 1");
    // Ok(Some(rowid)) readable, Ok(None) nothing after, Err unreadable.
    let probe = |at: i64| -> rusqlite::Result<Option<i64>> {
        src.query_row(&probe_sql, [at], |r| r.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
    };
    let mut lo = bad; // known unreadable
    let mut step: i64 = 1;
    let hi = loop {
        let at = lo.checked_add(step)?;
        match probe(at) {
            Ok(None) => return None,
            Ok(Some(_)) => break at,
            Err(_) => {
                lo = at;
                step = step.checked_mul(2)?;
            }
        }
    };
    let (mut lo, mut hi) = (lo, hi);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match probe(mid) {
            Ok(Some(_)) => hi = mid,
            Ok(None) => return None,
            Err(_) => lo = mid,
        }
    }
    probe(hi).ok().flatten()
}
