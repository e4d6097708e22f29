//! `caxton storage verify` and `corruption-level`: checks of the live
//! database that work on a damaged file. The database is opened read-only
//! and unmigrated, and every check that fails to run is itself a finding.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::Serialize;

use crate::agent::catalog;
use crate::agent::validate::Context;
use crate::agent::versions;
use crate::error::Result;
use crate::paths::Paths;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// `PRAGMA quick_check`: page structure, not index contents.
    Quick,
    /// `integrity_check`, foreign keys, and Caxton's own cross-checks.
    Comprehensive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    /// Worth knowing, not damage (e.g. observations still waiting for vectors).
    Warning,
    Failed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub outcome: Outcome,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub database: PathBuf,
    pub level: Level,
    pub healthy: bool,
    pub safe_mode: bool,
    pub checks: Vec<Check>,
}

fn check(name: &'static str, r: rusqlite::Result<(Outcome, String)>) -> Check {
    match r {
        Ok((outcome, detail)) => Check {
            name,
            outcome,
            detail,
        },
        Err(e) => Check {
            name,
            outcome: Outcome::Failed,
            detail: format!("could not run: {e}"),
        },
    }
}

fn count(conn: &Connection, sql: &str) -> rusqlite::Result<i64> {
    conn.query_row(sql, [], |r| r.get(0))
}

/// A check that passes when `sql` counts zero rows.
fn none(conn: &Connection, name: &'static str, sql: &str, what: &str) -> Check {
    check(
        name,
        count(conn, sql).map(|n| match n {
            0 => (Outcome::Ok, format!("no {what}")),
            n => (
                Outcome::Failed,
                format!("{n} {what} (run `caxton storage repair`)"),
            ),
        }),
    )
}

pub fn verify(paths: &Paths, ctx: &Context, level: Level) -> Result<Report> {
    let db = paths.db();
    let conn = super::open_read_only(&db)?;
    let mut checks = Vec::new();
    let pragma = match level {
        Level::Quick => "quick_check",
        Level::Comprehensive => "integrity_check",
    };
    let name = match level {
        Level::Quick => "sqlite quick_check",
        Level::Comprehensive => "sqlite integrity_check",
    };
    checks.push(check(
        name,
        super::integrity(&conn, pragma).map(|m| {
            if m == ["ok"] {
                (Outcome::Ok, "ok".into())
            } else {
                (Outcome::Failed, summarize(&m))
            }
        }),
    ));
    if level == Level::Comprehensive {
        comprehensive(&conn, paths, ctx, &mut checks);
    }
    Ok(Report {
        healthy: checks.iter().all(|c| c.outcome != Outcome::Failed),
        safe_mode: paths.safe_mode_marker().exists(),
        database: db,
        level,
        checks,
    })
}

/// The first few integrity messages and how many there were in all.
fn summarize(messages: &[String]) -> String {
    let mut s = messages
        .iter()
        .take(5)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if messages.len() > 5 {
        s.push_str(&format!("; … {} problems in all", messages.len()));
    }
    s
}

fn comprehensive(conn: &Connection, paths: &Paths, ctx: &Context, checks: &mut Vec<Check>) {
    checks.push(check(
        "foreign keys",
        count(conn, "SELECT count(*) FROM pragma_foreign_key_check").map(|n| match n {
            0 => (Outcome::Ok, "every reference resolves".into()),
            n => (
                Outcome::Failed,
                format!("{n} rows reference missing parents"),
            ),
        }),
    ));
    checks.push(none(
        conn,
        "orphaned observations",
        "SELECT count(*) FROM memory_observations o WHERE NOT EXISTS (SELECT 1 FROM memory_entities e WHERE e.id = o.entity_id)",
        "observations without their entity",
    ));
    checks.push(none(
        conn,
        "orphaned relations",
        "SELECT count(*) FROM memory_relations r WHERE NOT EXISTS (SELECT 1 FROM memory_entities e WHERE e.id = r.from_id) OR NOT EXISTS (SELECT 1 FROM memory_entities e WHERE e.id = r.to_id)",
        "relations with a missing end",
    ));
    checks.push(none(
        conn,
        "orphaned embeddings",
        "SELECT count(*) FROM memory_vectors v WHERE NOT EXISTS (SELECT 1 FROM memory_observations o WHERE o.id = v.observation_id)",
        "vectors without their observation",
    ));
    checks.push(none(
        conn,
        "vector sizes",
        "SELECT count(*) FROM memory_vectors WHERE length(vector) != dims * 4",
        "vectors whose length disagrees with their dimensions",
    ));
    checks.push(check(
        "vectors vs observations",
        count(conn, "SELECT count(*) FROM memory_observations").and_then(|obs| {
            let vecs = count(conn, "SELECT count(*) FROM memory_vectors")?;
            Ok(if vecs > obs {
                (Outcome::Failed, format!("{vecs} vectors for {obs} observations"))
            } else if vecs < obs {
                (
                    Outcome::Warning,
                    format!("{vecs} of {obs} observations embedded; `caxton memory reindex` embeds the rest"),
                )
            } else {
                (Outcome::Ok, format!("{vecs} vectors for {obs} observations"))
            })
        }),
    ));
    checks.push(check(
        "full-text index",
        count(conn, "SELECT (SELECT count(*) FROM memory_entities) + (SELECT count(*) FROM memory_observations)")
            .and_then(|want| {
                let have = count(conn, "SELECT count(*) FROM memory_fts")?;
                Ok(if have == want {
                    (Outcome::Ok, format!("{have} rows, one per entity and observation"))
                } else {
                    (Outcome::Failed, format!("{have} rows, expected {want} (run `caxton storage repair`)"))
                })
            }),
    ));
    checks.push(check("agent versions", agent_version_hashes(conn)));
    checks.push(agent_files(conn, paths, ctx));
}

/// Every stored version's content must still hash to its recorded hash.
fn agent_version_hashes(conn: &Connection) -> rusqlite::Result<(Outcome, String)> {
    let mut stmt =
        conn.prepare("SELECT agent_id, seq, content_hash, content FROM agent_versions")?;
    let mut rows = stmt.query([])?;
    let (mut n, mut bad) = (0, Vec::new());
    while let Some(r) = rows.next()? {
        n += 1;
        let content: Vec<u8> = r.get(3)?;
        if versions::hash(&content) != r.get::<_, String>(2)? {
            bad.push(format!(
                "{} #{}",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?
            ));
        }
    }
    Ok(if bad.is_empty() {
        (
            Outcome::Ok,
            format!("{n} stored versions match their hashes"),
        )
    } else {
        (
            Outcome::Failed,
            format!("content does not match its hash: {}", bad.join(", ")),
        )
    })
}

/// Agent files against the registry: a valid file whose content was never
/// deployed is legal (hand-edited, picked up on the next deploy or reload),
/// so it is a warning.
fn agent_files(conn: &Connection, paths: &Paths, ctx: &Context) -> Check {
    let reports = match catalog::scan_dir(&paths.agents_dir, ctx) {
        Ok(r) => r,
        Err(e) => {
            return Check {
                name: "agent files",
                outcome: Outcome::Failed,
                detail: e.to_string(),
            };
        }
    };
    let recorded = || -> rusqlite::Result<BTreeSet<(String, String)>> {
        conn.prepare("SELECT agent_id, content_hash FROM agent_versions")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect()
    };
    check(
        "agent files",
        recorded().map(|known| {
            let invalid: Vec<String> = reports
                .iter()
                .filter(|r| !r.is_valid())
                .map(|r| file_name(&r.file))
                .collect();
            let undeployed: Vec<String> = reports
                .iter()
                .filter(|r| {
                    r.is_valid() && !known.contains(&(r.id.clone(), versions::hash(&r.content)))
                })
                .map(|r| file_name(&r.file))
                .collect();
            if !invalid.is_empty() {
                (
                    Outcome::Warning,
                    format!(
                        "invalid agent files (the last good version stays deployed): {}",
                        invalid.join(", ")
                    ),
                )
            } else if !undeployed.is_empty() {
                (
                    Outcome::Warning,
                    format!("changed since their last deploy: {}", undeployed.join(", ")),
                )
            } else {
                (
                    Outcome::Ok,
                    format!("{} agent files, each a recorded version", reports.len()),
                )
            }
        }),
    )
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// The share of database pages that fail SQLite's integrity check, as an
/// integer percentage: 0 when healthy, at least 1 when anything is wrong,
/// 100 when the file cannot be read at all.
pub fn corruption_level(db: &Path) -> Result<u8> {
    let conn = super::open_read_only(db)?;
    let pages: i64 = match count(&conn, "PRAGMA page_count") {
        Ok(n) if n > 0 => n,
        _ => return Ok(100),
    };
    match super::integrity(&conn, "integrity_check") {
        Ok(m) if m == ["ok"] => Ok(0),
        Ok(m) => Ok(level_from(&m, pages)),
        // Some damage makes integrity_check give up instead of reporting
        // pages; then measure rows instead.
        Err(_) => Ok(rows_level(&conn)),
    }
}

/// Percentage of rows that cannot be read, over every ordinary table: each
/// table is scanned the way `repair --emergency` salvages it. 100 when even
/// the schema is unreadable.
fn rows_level(conn: &Connection) -> u8 {
    let (Ok(tables), Ok(derived)) = (
        super::user_tables(conn),
        super::repair::virtual_tables(conn),
    ) else {
        return 100;
    };
    let (mut total, mut lost) = (0i64, 0i64);
    for t in tables.iter().filter(|t| !derived.contains(t)) {
        let mut readable = 0i64;
        let ranges = super::repair::scan_rows(conn, t, "*", &mut |_| {
            readable += 1;
            Ok(())
        });
        // An exact count when SQLite can still give one; otherwise the
        // finite rowid gaps are the estimate of what was there.
        let before = super::repair::count_rows(conn, t).unwrap_or_else(|| {
            readable
                + ranges
                    .iter()
                    .filter(|(_, to)| *to != i64::MAX)
                    .map(|(from, to)| to - from + 1)
                    .sum::<i64>()
        });
        total += before.max(readable);
        lost += (before - readable).max(i64::from(!ranges.is_empty()));
    }
    if total == 0 {
        return 100;
    }
    (100 * lost.max(1) as u64)
        .div_ceil(total as u64)
        .clamp(1, 100) as u8
}

/// Count the distinct pages the integrity messages name ("page 17",
/// "Page 17: never used"): a damaged page makes every page below it
/// unreachable, and those are reported too, so this measures what is lost.
fn level_from(messages: &[String], pages: i64) -> u8 {
    static PAGE: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?i)\bpage (\d+)").expect("valid regex"));
    let bad: BTreeSet<i64> = messages
        .iter()
        .filter_map(|m| PAGE.captures(m).and_then(|c| c[1].parse().ok()))
        .collect();
    let pct = (100 * bad.len() as u64).div_ceil(pages.max(1) as u64);
    pct.clamp(1, 100) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_counts_distinct_pages_and_is_never_zero_when_damaged() {
        let m = vec![
            "Tree 5 page 7 cell 0: invalid page number 900".to_string(),
            "Page 8: never used".into(),
            "Page 8: never used".into(),
        ];
        assert_eq!(level_from(&m, 100), 2);
        assert_eq!(level_from(&["row 3 missing from index x".into()], 1000), 1);
        assert_eq!(level_from(&m, 2), 100);
    }
}
