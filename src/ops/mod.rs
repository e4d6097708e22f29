//! Operations on a whole data directory (docs/operations.md "Backups"): backup archives, restore,
//! storage verification and repair, safe mode, and backup retention. The CLI
//! is a thin adapter over these; they never print.

pub mod archive;
pub mod backup;
pub mod prune;
pub mod repair;
pub mod restore;
pub mod safe_mode;
pub mod verify;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};
use crate::store::store_err;

/// Open a database file read-only, without migrating or locking it: for
/// snapshots, staged restores and damaged stores that must not be changed.
pub fn open_read_only(db: &Path) -> Result<Connection> {
    if !db.is_file() {
        return Err(Error::FileNotFound { path: db.into() });
    }
    Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| store_err(db, e))
}

/// Row counts of every ordinary and virtual table (not FTS shadow tables,
/// which are implementation detail), by name.
pub fn table_counts(conn: &Connection) -> rusqlite::Result<BTreeMap<String, i64>> {
    let mut counts = BTreeMap::new();
    for name in user_tables(conn)? {
        let n = conn.query_row(&format!("SELECT count(*) FROM \"{name}\""), [], |r| {
            r.get(0)
        })?;
        counts.insert(name, n);
    }
    Ok(counts)
}

/// Tables that hold data, in creation order (parents before children).
pub fn user_tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare(
        "SELECT s.name FROM sqlite_schema s JOIN pragma_table_list l ON l.name = s.name AND l.schema = 'main'
         WHERE s.type = 'table' AND l.type IN ('table', 'virtual') AND s.name NOT LIKE 'sqlite_%'
         ORDER BY s.rowid",
    )?
    .query_map([], |r| r.get(0))?
    .collect()
}

/// `PRAGMA integrity_check` (or `quick_check`), all messages; `["ok"]` when healthy.
pub fn integrity(conn: &Connection, pragma: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare(&format!("PRAGMA {pragma}(100000)"))?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// RFC 3339 UTC, second precision.
pub fn rfc3339(unix: i64) -> String {
    let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(unix.max(0) as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// A timestamp usable in file names: `20261127T233500Z`.
pub fn file_stamp(unix: i64) -> String {
    rfc3339(unix).replace(['-', ':'], "")
}

/// Rename with undo: every step of a swap is recorded so a failure can put
/// everything back where it was.
#[derive(Default)]
pub struct Swap {
    done: Vec<(PathBuf, PathBuf)>,
}

impl Swap {
    pub fn rename(&mut self, from: &Path, to: &Path) -> Result<()> {
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
        }
        std::fs::rename(from, to).map_err(|e| Error::io("move", from, e))?;
        self.record(from, to);
        Ok(())
    }

    /// Note a rename done by the caller.
    pub fn record(&mut self, from: &Path, to: &Path) {
        self.done.push((from.to_path_buf(), to.to_path_buf()));
    }

    /// Move `path` into `dir` if it exists.
    pub fn move_into(&mut self, path: &Path, dir: &Path) -> Result<Option<PathBuf>> {
        match (path.symlink_metadata(), path.file_name()) {
            (Ok(_), Some(name)) => {
                let to = dir.join(name);
                self.rename(path, &to)?;
                Ok(Some(to))
            }
            _ => Ok(None),
        }
    }

    /// Undo every rename, newest first. Best effort: each is attempted.
    pub fn undo(self) {
        for (from, to) in self.done.into_iter().rev() {
            let _ = std::fs::rename(&to, &from);
        }
    }
}

/// The database and its sidecars: moving a database without its `-wal`
/// loses committed transactions; leaving an old `-wal` next to a new file
/// corrupts it.
pub fn db_with_sidecars(db: &Path) -> [PathBuf; 3] {
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    [
        db.to_path_buf(),
        db.with_file_name(format!("{name}-wal")),
        db.with_file_name(format!("{name}-shm")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_swap_is_undone() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("safety/a"));
        std::fs::write(&a, "old").unwrap();
        let mut swap = Swap::default();
        assert_eq!(
            swap.move_into(&a, &dir.path().join("safety")).unwrap(),
            Some(b.clone())
        );
        assert!(swap.rename(&dir.path().join("missing"), &a).is_err());
        swap.undo();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old");
        assert!(!b.exists());
    }

    #[test]
    fn stamps_sort_and_fit_in_file_names() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(file_stamp(86_399), "19700101T235959Z");
    }
}
