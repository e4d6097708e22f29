//! The one SQLite file that holds Caxton's state. This is the only place that
//! opens it, so every connection gets the same pragmas and the schema is
//! always migrated before use.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction};

use crate::error::{Error, Result};
use crate::lock::{self, Lock};

pub mod group;
mod migrations;
pub mod pool;
pub mod search_index;

pub use migrations::latest as latest_schema;

/// An open, migrated database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Shared use of the file: a restore cannot swap it out while we write.
    _lock: Lock,
}

impl Store {
    /// Open (creating if needed) the database at `path` and migrate it.
    pub fn open(path: &Path) -> Result<Store> {
        let dir = path.parent().unwrap_or(Path::new("."));
        crate::paths::create_private_dir(dir).map_err(|e| Error::io("create", dir, e))?;
        let lock = lock::store_shared(dir)?;
        // SQLite creates the file (and its -wal and -shm, which copy the
        // database's mode) as 0644; the store is private, so create it
        // owner-only first. An empty file is an empty database.
        {
            use std::os::unix::fs::OpenOptionsExt;
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
            {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io("create", path, e)),
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| store_err(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            _lock: lock,
        };
        store.configure()?;
        migrations::apply(&mut store.conn).map_err(|e| match e {
            migrations::MigrateError::Sql(e) => store_err(path, e),
            migrations::MigrateError::TooNew { found, known } => Error::SchemaTooNew {
                path: path.to_path_buf(),
                found,
                known,
            },
        })?;
        Ok(store)
    }

    /// Open only if the database file already exists: read-only commands must
    /// not create a data directory as a side effect.
    pub fn open_existing(path: &Path) -> Result<Option<Store>> {
        if path.exists() {
            Store::open(path).map(Some)
        } else {
            Ok(None)
        }
    }

    fn configure(&self) -> Result<()> {
        // WAL lets the CLI read and write beside a running daemon; the busy
        // timeout turns short lock contention into waiting instead of errors.
        self.conn
            .busy_timeout(Duration::from_secs(10))
            .and_then(|_| {
                self.conn.execute_batch(
                    "PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;",
                )
            })
            .map_err(|e| store_err(&self.path, e))
    }

    /// The database file this store was opened on.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for reads; writes go through [`Store::write`].
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The connection, to install hooks on (the group-commit writer's WAL hook).
    fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Refuse with [`Error::SafeMode`] (exit 8) while the data directory's
    /// safe-mode marker exists. Every write path goes through here.
    pub fn check_writable(&self) -> Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        if crate::paths::safe_mode_marker(dir).exists() {
            return Err(Error::SafeMode {
                dir: dir.to_path_buf(),
            });
        }
        Ok(())
    }

    /// Run `f` in one immediate transaction: all of it commits or none of it.
    /// Refused in safe mode.
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        self.check_writable()?;
        self.write_in_safe_mode(f)
    }

    /// [`Store::write`] without the safe-mode check. Only `storage repair`
    /// uses it: safe mode exists to keep a damaged store unchanged *until* it
    /// is repaired.
    pub fn write_in_safe_mode<T>(
        &mut self,
        f: impl FnOnce(&Transaction) -> Result<T>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| store_err(&self.path, e))?;
        let out = f(&tx)?;
        search_index::flush(&tx).map_err(|e| store_err(&self.path, e))?;
        tx.commit().map_err(|e| store_err(&self.path, e))?;
        Ok(out)
    }

    /// Run `f` exactly as [`Store::write`] would, then roll it back: a dry
    /// run reports what a write would do from the write itself.
    pub fn rehearse<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| store_err(&self.path, e))?;
        // Dropping the transaction without commit rolls it back.
        f(&tx)
    }

    /// Copy the whole WAL into the database file and truncate it, so the
    /// database file alone is complete (a daemon's last act). A checkpoint
    /// already running (the group-commit writer's checkpointer) makes this
    /// one return busy at once rather than wait, so it is tried again for
    /// up to `wait`. Whether the WAL was folded.
    pub fn fold_wal(&self, wait: Duration) -> Result<bool> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            let busy: i64 = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
                .map_err(|e| store_err(&self.path, e))?;
            if busy == 0 {
                return Ok(true);
            }
            if std::time::Instant::now() >= deadline {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Current schema version (number of applied migrations).
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| store_err(&self.path, e))
    }
}

/// Attach the database path to a SQLite error.
pub fn store_err(path: &Path, e: rusqlite::Error) -> Error {
    Error::Store {
        path: path.to_path_buf(),
        source: e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_migrates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/caxton.db");
        let s = Store::open(&path).unwrap();
        let v = s.schema_version().unwrap();
        assert_eq!(v, migrations::latest());
        let mode: String = s
            .conn()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(s);
        assert_eq!(Store::open(&path).unwrap().schema_version().unwrap(), v);
    }

    #[test]
    fn refuses_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("caxton.db");
        drop(Store::open(&path).unwrap());
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
        drop(c);
        assert!(matches!(
            Store::open(&path),
            Err(Error::SchemaTooNew { found: 999, .. })
        ));
    }

    #[test]
    fn missing_db_is_not_created_by_open_existing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("caxton.db");
        assert!(Store::open_existing(&path).unwrap().is_none());
        assert!(!path.exists());
    }
}
