//! `caxton restore`: put a verified backup back in place. The order makes a
//! failure at any point harmless: take the locks (no daemon, no other
//! process using the database), unpack and verify on the target's own
//! filesystem, then move the current files aside as a safety copy and the
//! restored ones in, each step a rename recorded for undo.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::archive::{self, DB_ENTRY, Manifest, Verification};
use super::{Swap, db_with_sidecars};
use crate::error::{Error, Result};
use crate::lock;
use crate::memory::embed;
use crate::paths;

/// Where a restore puts things.
#[derive(Debug, Clone)]
pub struct Targets {
    pub data_dir: PathBuf,
    pub agents_dir: PathBuf,
    /// Where a config that lived outside the data directory is written.
    pub config_dir: PathBuf,
    pub models_dir: PathBuf,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub database: PathBuf,
    pub agents_dir: PathBuf,
    pub config: Option<PathBuf>,
    /// Where the replaced files went; empty when there was nothing to replace.
    pub safety_copies: Vec<PathBuf>,
    pub notes: Vec<String>,
    pub manifest: Manifest,
    pub verification: Verification,
}

pub fn restore(
    file: &Path,
    t: &Targets,
    force: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Report> {
    if !file.is_file() {
        return Err(Error::FileNotFound { path: file.into() });
    }
    let created = !t.data_dir.exists();
    crate::paths::create_private_dir(&t.data_dir)
        .map_err(|e| Error::io("create", &t.data_dir, e))?;
    let result = restore_into(file, t, force, progress);
    // A failed restore leaves no data directory it created: the runbook's
    // `emergency_restore` then moves its own safety copy back to that name.
    if result.is_err() && created {
        let _ = std::fs::remove_dir_all(&t.data_dir);
    }
    result
}

fn restore_into(
    file: &Path,
    t: &Targets,
    force: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Report> {
    // Held until the swap is over: no daemon can start, no command can open
    // the database, and a second restore is refused.
    let _daemon = lock::daemon(&t.data_dir, "restore")?;
    let db = t.data_dir.join("caxton.db");
    if db.exists() && !force {
        return Err(Error::AlreadyExists {
            message: format!("{} already holds a database", db.display()),
            hint: "pass --force to replace it (the current files are kept as a safety copy), or restore into another --target".into(),
        });
    }
    let _store = lock::store_exclusive(&t.data_dir)?;

    let stage = tempfile::Builder::new()
        .prefix(".caxton-restore-")
        .tempdir_in(&t.data_dir)
        .map_err(|e| Error::io("create", &t.data_dir, e))?;
    let verification = archive::verify_into(file, stage.path(), progress)?.into_result()?;
    let manifest = verification
        .manifest
        .clone()
        .ok_or_else(|| Error::BackupInvalid {
            file: file.into(),
            problems: vec!["no manifest".into()],
        })?;
    if manifest.schema_version > crate::store::latest_schema() {
        return Err(Error::SchemaTooNew {
            path: file.into(),
            found: manifest.schema_version,
            known: crate::store::latest_schema(),
        });
    }

    let stamp = super::file_stamp(super::unix_now());
    let safety = t.data_dir.join(format!("pre-restore-{stamp}"));
    let agents_safety = sibling(&t.agents_dir, &format!("pre-restore-{stamp}"));
    let staged_agents = stage.path().join("agents");
    std::fs::create_dir_all(&staged_agents).map_err(|e| Error::io("create", &staged_agents, e))?;
    let config = config_target(&manifest, t, file)?;
    let mut swap = Swap::default();
    let mut safety_copies = Vec::new();
    let result = (|| -> Result<()> {
        // The old -wal and -shm go with the old database: replayed onto the
        // restored file they would corrupt it.
        for f in db_with_sidecars(&db)
            .iter()
            .chain([&paths::safe_mode_marker(&t.data_dir)])
        {
            swap.move_into(f, &safety)?;
        }
        if safety.exists() {
            safety_copies.push(safety.clone());
        }
        swap.rename(&stage.path().join(DB_ENTRY), &db)?;
        // The cache (the vector index) was derived from the replaced
        // database; kept, it would answer searches about the old data (or,
        // from a hostile archive's point of view, be trusted as derived).
        // It is rebuilt from the store on demand.
        let cache = t.data_dir.join("cache");
        if cache.exists() {
            std::fs::remove_dir_all(&cache).map_err(|e| Error::io("remove", &cache, e))?;
        }
        if t.agents_dir.exists() {
            swap.rename(&t.agents_dir, &agents_safety)?;
            safety_copies.push(agents_safety.clone());
        }
        move_dir(&mut swap, &staged_agents, &t.agents_dir)?;
        if let Some((staged, dest)) = &config {
            if dest.exists() {
                let keep = sibling(dest, &format!("pre-restore-{stamp}"));
                swap.rename(dest, &keep)?;
                safety_copies.push(keep);
            }
            swap.rename(&stage.path().join(staged), dest)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        swap.undo();
        return Err(e);
    }
    let mut notes = Vec::new();
    if let Some((_, dest)) = &config
        && !dest.starts_with(&t.data_dir)
    {
        notes.push(format!(
            "config restored to {}; the server read it from {}: compare and copy it there if needed",
            dest.display(),
            manifest.origin.config.as_deref().unwrap_or(dest).display()
        ));
    }
    if safety_copies.iter().any(|p| p.join("safe-mode").exists()) {
        notes.push(
            "safe mode was enabled for the replaced database; the restored one accepts writes"
                .into(),
        );
    }
    let missing = embed::missing_files(&t.models_dir);
    if let Some(m) = missing.first() {
        notes.push(format!(
            "embedding model files are not in {} ({} missing): run scripts/fetch-models or set CAXTON_MODELS_DIR",
            t.models_dir.display(),
            m.display()
        ));
    }
    Ok(Report {
        database: db,
        agents_dir: t.agents_dir.clone(),
        config: config.map(|(_, d)| d),
        safety_copies,
        notes,
        manifest,
        verification,
    })
}

/// `<path>.<suffix>` next to `path`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    path.with_file_name(format!("{name}.{suffix}"))
}

/// The staged config entry and where it goes: back into the data directory
/// when it lived there, else into the config directory (never over a file
/// outside the restore target, such as /etc/caxton/caxton.yaml). The
/// manifest's text only chooses between those two directories, by
/// comparison; the file name is the archive entry's, one plain component,
/// and the result is proven to stay inside the chosen directory.
fn config_target(m: &Manifest, t: &Targets, file: &Path) -> Result<Option<(String, PathBuf)>> {
    let Some(entry) = m.files.iter().find(|f| f.path.starts_with("config/")) else {
        return Ok(None);
    };
    let name = &entry.path["config/".len()..];
    let lived_in_data_dir = m.origin.config.as_deref().is_some_and(|c| {
        c.parent() == Some(m.origin.data_dir.as_path()) && c.file_name().is_some_and(|n| n == name)
    });
    let dir = if lived_in_data_dir {
        &t.data_dir
    } else {
        &t.config_dir
    };
    let dest = dir.join(name);
    if !archive::single_component(name) || !inside(&dest, dir) {
        return Err(Error::BackupInvalid {
            file: file.into(),
            problems: vec![format!(
                "{}: not a plain file name; a config entry must be config/<file>",
                entry.path
            )],
        });
    }
    Ok(Some((entry.path.clone(), dest)))
}

/// True when `path`, normalised lexically (`.` dropped, `..` popping a
/// component), is `root` or below it. Lexical on purpose: the paths checked
/// do not exist yet, and a `..` that climbs above `root` is refused whatever
/// the filesystem holds.
pub(crate) fn inside(path: &Path, root: &Path) -> bool {
    use std::path::Component;
    let normal = |p: &Path| -> Option<PathBuf> {
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    if !out.pop() {
                        return None;
                    }
                }
                other => out.push(other),
            }
        }
        Some(out)
    };
    match (normal(path), normal(root)) {
        (Some(p), Some(r)) => p.starts_with(&r),
        _ => false,
    }
}

/// Rename a directory into place; across filesystems (an agents directory on
/// another mount), copy it beside the target first so the final step is
/// still one rename.
fn move_dir(swap: &mut Swap, from: &Path, to: &Path) -> Result<()> {
    match std::fs::rename(from, to) {
        Ok(()) => {
            swap.record(from, to);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices => {
            let tmp = sibling(to, "restoring");
            copy_tree(from, &tmp)?;
            swap.rename(&tmp, to)
        }
        Err(e) => Err(Error::io("move", from, e)),
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|e| Error::io("create", to, e))?;
    for e in std::fs::read_dir(from).map_err(|e| Error::io("read", from, e))? {
        let e = e.map_err(|err| Error::io("read", from, err))?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).map_err(|err| Error::io("copy", &src, err))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn inside_is_lexical_and_refuses_climbing_out() {
        let root = Path::new("/t/data");
        assert!(inside(Path::new("/t/data/caxton.toml"), root));
        assert!(inside(Path::new("/t/data/./a/../b"), root));
        assert!(!inside(Path::new("/t/data/../config/x"), root));
        assert!(!inside(Path::new("/t/data/../../../../etc/cron.d/x"), root));
        assert!(!inside(Path::new("/t/database"), root));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
        ))]

        /// `inside` agrees with a model that tracks the depth below the root.
        #[test]
        fn proptest_inside_matches_a_depth_model(
            parts in prop::collection::vec(prop::sample::select(vec!["a", "..", ".", "b"]), 0..8)
        ) {
            let root = Path::new("/r/s");
            let mut depth = 0i32;
            let mut escaped = false;
            for p in &parts {
                match *p {
                    ".." => { depth -= 1; if depth < 0 { escaped = true; } }
                    "." => {}
                    _ => depth += 1,
                }
            }
            let path = root.join(parts.join("/"));
            prop_assert_eq!(inside(&path, root), !escaped, "{}", path.display());
        }
    }
}
