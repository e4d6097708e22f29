//! Advisory file locks under `<data dir>/run/` (see `paths::daemon_lock` and
//! `paths::store_lock`). They are `flock` locks: the kernel drops them when
//! the holder exits, even on kill -9, so a crash never leaves a stale lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::paths;

/// A held lock; released on drop.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

fn open(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| Error::io("open", path, e))
}

fn would_block(path: &Path, e: TryLockError) -> Option<Error> {
    match e {
        TryLockError::WouldBlock => None,
        TryLockError::Error(e) => Some(Error::io("lock", path, e)),
    }
}

/// Take the daemon lock of `data_dir` for `what` (e.g. `daemon`, `restore`).
/// Fails with [`Error::DaemonRunning`] (exit 6) while another process holds
/// it; the holder's pid and purpose are written into the file for that message.
pub fn daemon(data_dir: &Path, what: &str) -> Result<Lock> {
    let path = paths::daemon_lock(data_dir);
    let mut file = open(&path)?;
    if let Err(e) = file.try_lock() {
        if let Some(err) = would_block(&path, e) {
            return Err(err);
        }
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        let holder = match holder.trim() {
            "" => format!("lock {} is held", path.display()),
            h => format!("{h}; lock {}", path.display()),
        };
        return Err(Error::DaemonRunning {
            dir: data_dir.to_path_buf(),
            holder,
        });
    }
    let stamp = format!("pid {} ({what})\n", std::process::id());
    let written = file
        .set_len(0)
        .and_then(|_| file.rewind())
        .and_then(|_| file.write_all(stamp.as_bytes()));
    written.map_err(|e| Error::io("write", &path, e))?;
    Ok(Lock { _file: file })
}

/// Shared use of the database file: what every open store holds.
pub fn store_shared(data_dir: &Path) -> Result<Lock> {
    store_lock(
        data_dir,
        true,
        "a restore or emergency repair is replacing the database",
        "wait for it to finish, then run the command again",
    )
}

/// Sole use of the database file, for replacing it.
pub fn store_exclusive(data_dir: &Path) -> Result<Lock> {
    store_lock(
        data_dir,
        false,
        "other Caxton processes have the database open",
        "wait for running caxton commands (cron jobs, scripts) to finish, then run this again",
    )
}

fn store_lock(data_dir: &Path, shared: bool, busy: &str, hint: &str) -> Result<Lock> {
    let path: PathBuf = paths::store_lock(data_dir);
    let file = open(&path)?;
    let taken = if shared {
        file.try_lock_shared()
    } else {
        file.try_lock()
    };
    match taken {
        Ok(()) => Ok(Lock { _file: file }),
        Err(e) => Err(would_block(&path, e).unwrap_or_else(|| Error::StoreBusy {
            dir: data_dir.to_path_buf(),
            message: busy.into(),
            hint: hint.into(),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daemon_lock_excludes_and_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let held = daemon(dir.path(), "daemon").unwrap();
        let err = daemon(dir.path(), "restore").unwrap_err();
        assert!(matches!(err, Error::DaemonRunning { .. }));
        assert!(
            err.to_string()
                .contains(&format!("pid {} (daemon)", std::process::id())),
            "{err}"
        );
        drop(held);
        daemon(dir.path(), "restore").unwrap();
    }

    #[test]
    fn shared_store_users_coexist_but_exclude_a_replacement() {
        let dir = tempfile::tempdir().unwrap();
        let a = store_shared(dir.path()).unwrap();
        let b = store_shared(dir.path()).unwrap();
        assert!(matches!(
            store_exclusive(dir.path()),
            Err(Error::StoreBusy { .. })
        ));
        drop((a, b));
        let x = store_exclusive(dir.path()).unwrap();
        assert!(matches!(
            store_shared(dir.path()),
            Err(Error::StoreBusy { .. })
        ));
        drop(x);
    }
}
