//! `caxton init`: lay out a data directory with a sample configuration, the
//! example agents and a migrated database. Never overwrites existing files.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::agent::examples;
use crate::error::{Error, Result};
use crate::paths::{self, Paths};
use crate::store::Store;

#[derive(Debug, Serialize)]
pub struct InitReport {
    pub data_dir: PathBuf,
    pub agents_dir: PathBuf,
    pub created: Vec<PathBuf>,
    /// Files that already existed and were left as they were.
    pub kept: Vec<PathBuf>,
}

pub fn init(paths: &Paths) -> Result<InitReport> {
    let mut report = InitReport {
        data_dir: paths.data_dir.clone(),
        agents_dir: paths.agents_dir.clone(),
        created: Vec::new(),
        kept: Vec::new(),
    };
    for dir in [
        &paths.data_dir,
        &paths.agents_dir,
        &paths.models_dir,
        &paths.logs_dir(),
        &paths.run_dir(),
    ] {
        if !dir.is_dir() {
            paths::create_private_dir(dir).map_err(|e| Error::io("create", dir, e))?;
            report.created.push(dir.clone());
        }
    }
    let config = paths.data_dir.join("caxton.toml");
    let has_config = ["caxton.toml", "caxton.yaml", "caxton.yml"]
        .iter()
        .any(|n| paths.data_dir.join(n).exists());
    // The config is where API keys go: owner-only.
    write_new(
        &config,
        examples::SAMPLE_CONFIG,
        has_config,
        0o600,
        &mut report,
    )?;
    for (name, text) in examples::AGENTS {
        let target = paths.agents_dir.join(name);
        write_new(&target, text, target.exists(), 0o644, &mut report)?;
    }
    let db = paths.db();
    let existed = db.exists();
    Store::open(&db)?;
    if existed {
        report.kept.push(db);
    } else {
        report.created.push(db);
    }
    Ok(report)
}

fn write_new(
    path: &Path,
    text: &str,
    exists: bool,
    mode: u32,
    report: &mut InitReport,
) -> Result<()> {
    if exists {
        report.kept.push(path.to_path_buf());
    } else {
        paths::write_atomic_mode(path, text.as_bytes(), mode)
            .map_err(|e| Error::io("write", path, e))?;
        report.created.push(path.to_path_buf());
    }
    Ok(())
}
