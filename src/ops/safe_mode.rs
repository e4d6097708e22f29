//! Safe mode: a marker file in the data directory that makes every store
//! write refuse with exit 8 (`Store::check_writable`). It is a file, not a
//! database flag, so it can be set when the database is too damaged to open.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::paths;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub enabled: bool,
    pub marker: PathBuf,
    /// RFC 3339, when the marker says.
    pub since: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Marker {
    enabled_at: String,
}

pub fn state(data_dir: &Path) -> State {
    let marker = paths::safe_mode_marker(data_dir);
    let since = std::fs::read(&marker)
        .ok()
        .and_then(|b| serde_json::from_slice::<Marker>(&b).ok())
        .map(|m| m.enabled_at);
    State {
        enabled: marker.exists(),
        marker,
        since,
    }
}

pub fn enable(data_dir: &Path) -> Result<State> {
    let current = state(data_dir);
    if current.enabled {
        return Ok(current);
    }
    let body = serde_json::to_vec_pretty(&Marker {
        enabled_at: super::rfc3339(super::unix_now()),
    })
    .unwrap_or_default();
    paths::write_atomic(&current.marker, &body)
        .map_err(|e| Error::io("write", &current.marker, e))?;
    Ok(state(data_dir))
}

pub fn disable(data_dir: &Path) -> Result<State> {
    let marker = paths::safe_mode_marker(data_dir);
    match std::fs::remove_file(&marker) {
        Ok(()) => Ok(state(data_dir)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(state(data_dir)),
        Err(e) => Err(Error::io("remove", &marker, e)),
    }
}
