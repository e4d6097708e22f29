//! Where things live on disk (README "Configuration", docs/operations.md): the data directory, the agents
//! directory, the models directory and the files inside them.

use std::path::{Path, PathBuf};

/// The resolved locations for one run of Caxton.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The data directory: database, logs, run files, workspaces, cache.
    pub data_dir: PathBuf,
    /// Where agent files (TOML, Markdown, WASM) are read and deployed.
    pub agents_dir: PathBuf,
    /// Where the embedding and local chat models are installed.
    pub models_dir: PathBuf,
}

impl Paths {
    /// The SQLite database, `<data dir>/caxton.db`.
    pub fn db(&self) -> PathBuf {
        self.data_dir.join("caxton.db")
    }

    /// Per-agent working directories: `file_storage` roots and tool output.
    pub fn workspace(&self, agent: &str) -> PathBuf {
        self.data_dir.join("workspaces").join(agent)
    }

    /// `<data dir>/logs`: the daemon's log files.
    pub fn logs_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// `<data dir>/run`: lock files and the running daemon's address.
    pub fn run_dir(&self) -> PathBuf {
        self.data_dir.join("run")
    }

    /// Derived data that can always be rebuilt from the store (the vector
    /// index file); `memory cache-clear` empties it.
    /// Where `caxton backup --embedded` writes when no `--output` is given.
    pub fn backups_dir(&self) -> PathBuf {
        self.data_dir.join("backups")
    }

    /// Derived data that can be rebuilt (the persisted vector index).
    pub fn cache_dir(&self) -> PathBuf {
        self.data_dir.join("cache")
    }

    /// The safe-mode marker of this data directory ([`safe_mode_marker`]).
    pub fn safe_mode_marker(&self) -> PathBuf {
        safe_mode_marker(&self.data_dir)
    }
}

/// `<data dir>/safe-mode`: present while writes are refused (README "Configuration", docs/operations.md). A plain
/// file rather than a database flag, so it works when the database does not.
pub fn safe_mode_marker(data_dir: &Path) -> PathBuf {
    data_dir.join("safe-mode")
}

/// Held exclusively by the daemon for as long as it runs, and by operations
/// that must be alone (restore, repair) so a daemon cannot start under them.
pub fn daemon_lock(data_dir: &Path) -> PathBuf {
    data_dir.join("run").join("caxton.lock")
}

/// Held shared by every open store and exclusively by an operation that
/// replaces the database file, so no process keeps writing to a file (or a
/// `-wal`) that is being swapped out.
pub fn store_lock(data_dir: &Path) -> PathBuf {
    data_dir.join("run").join("store.lock")
}

/// `$XDG_DATA_HOME/caxton`, else `~/.local/share/caxton`, else `./caxton-data`
/// when neither variable is set (a service account without a home).
pub fn default_data_dir() -> PathBuf {
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("caxton");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".local/share/caxton");
    }
    PathBuf::from("caxton-data")
}

/// Make a path absolute against `base` without touching the filesystem, so
/// messages name the real location even for paths that do not exist yet.
pub fn absolutize(path: &Path, base: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

/// Create `dir` (and missing parents) readable by its owner only: the data
/// directory holds the database, the config (with API keys) and the daemon's
/// token. An existing directory is left as it is.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Replace `path` with `bytes` atomically: write a temp file in the same
/// directory, fsync it, rename it over the target. Readers (and a crash) see
/// either the old content or the new, never a mix. Keeps the old file's
/// permissions, or 0644 for a new file, so a daemon user can read it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_mode(path, bytes, 0o644)
}

/// [`write_atomic`] with `new_mode` for a file that does not exist yet (the
/// temp file has it from the start: no moment when it is readable by more).
pub fn write_atomic_mode(path: &Path, bytes: &[u8], new_mode: u32) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    // A bare file name has an empty parent: the current directory.
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mode = std::fs::metadata(path).map_or(new_mode, |m| m.permissions().mode() & 0o7777);
    let mut tmp = tempfile::Builder::new()
        .prefix(".caxton-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // The rename is durable only once the directory entry is.
    std::fs::File::open(dir)?.sync_all()
}
