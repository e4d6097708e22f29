//! Watch the agents directory (notify + debouncer; research notes infra §5).
//! The directory is watched, never single files (editors save by rename),
//! events are reduced to "something relevant changed" and answered with a
//! full, idempotent rescan. When the directory is removed the watch is dead,
//! so it is re-armed once the directory exists again.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use super::AppState;

/// Short enough for "live within 1 s", long enough to fold a save's events.
const DEBOUNCE: Duration = Duration::from_millis(100);
/// How often a dead or missing directory is checked for re-arming.
const REARM_POLL: Duration = Duration::from_millis(500);

/// Agent files and the directory itself; editor noise (dotfiles, `*~`,
/// swap files, vim's `4913` probe) is ignored.
pub fn relevant(path: &Path, dir: &Path) -> bool {
    if path == dir {
        return true;
    }
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    !name.starts_with('.') && name.ends_with(".toml")
}

/// Start the watcher thread for the daemon.
pub fn spawn(state: AppState) {
    let spawned = std::thread::Builder::new()
        .name("caxton-watch".into())
        .spawn(move || {
            loop {
                let dir = state.cx().paths().agents_dir.clone();
                if let Err(e) = std::fs::create_dir_all(&dir) {
                    tracing::debug!("agents directory {} not available: {e}", dir.display());
                }
                let _ = watch_until_gone(&dir, &mut || {
                    state.rescan("watch");
                    ControlFlow::Continue(())
                });
                std::thread::sleep(REARM_POLL);
            }
        });
    if let Err(e) = spawned {
        tracing::error!(
            "cannot start the agents-directory watcher: {e}; relying on the 30 s rescan"
        );
    }
}

/// Watch `dir`, calling `changed` after each relevant batch, until the
/// directory disappears (or the watch cannot be set up): then `Continue`.
/// `changed` returning `Break` ends the watch at once (`caxton agents watch`
/// stops on an invalid file); that `Break` is returned.
pub fn watch_until_gone(
    dir: &PathBuf,
    changed: &mut dyn FnMut() -> ControlFlow<()>,
) -> ControlFlow<()> {
    if !dir.is_dir() {
        return ControlFlow::Continue(());
    }
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = match new_debouncer(DEBOUNCE, None, tx) {
        Ok(d) => d,
        Err(e) => {
            tracing::error!("cannot watch {}: {e}", dir.display());
            return ControlFlow::Continue(());
        }
    };
    if let Err(e) = debouncer.watch(dir, RecursiveMode::NonRecursive) {
        tracing::error!("cannot watch {}: {e}", dir.display());
        return ControlFlow::Continue(());
    }
    let inode = |d: &Path| {
        std::fs::metadata(d)
            .ok()
            .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
    };
    let armed = inode(dir);
    tracing::info!(dir = %dir.display(), "watching the agents directory");
    // Files may have changed while the watch was being (re-)armed.
    changed()?;
    loop {
        match rx.recv_timeout(REARM_POLL) {
            Ok(Ok(events)) => {
                // The directory itself removed (or renamed away): the inotify
                // watch is dead even if a new directory appears at once.
                let root_gone = events.iter().any(|e| {
                    matches!(
                        e.kind,
                        EventKind::Remove(_)
                            | EventKind::Modify(notify::event::ModifyKind::Name(_))
                    ) && e.paths.iter().any(|p| p == dir)
                });
                if root_gone {
                    tracing::warn!(dir = %dir.display(), "agents directory removed or renamed; re-arming the watch");
                    changed()?;
                    return ControlFlow::Continue(());
                }
                // Reading the files (our own rescan) raises Access events:
                // acting on them would rescan forever.
                if events
                    .iter()
                    .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                    .flat_map(|e| e.paths.iter())
                    .any(|p| relevant(p, dir))
                {
                    changed()?;
                }
            }
            Ok(Err(errors)) => {
                for e in errors {
                    tracing::warn!("watch error on {}: {e}", dir.display());
                }
                changed()?;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return ControlFlow::Continue(()),
        }
        // A removed (or replaced) directory silently ends inotify events.
        if !dir.is_dir() || inode(dir) != armed {
            tracing::warn!(dir = %dir.display(), "agents directory removed; re-arming when it returns");
            changed()?;
            return ControlFlow::Continue(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_agent_files_are_relevant() {
        let dir = Path::new("/a");
        assert!(relevant(Path::new("/a/x.toml"), dir));
        assert!(relevant(dir, dir));
        for noise in [
            "/a/.x.toml.swp",
            "/a/x.toml~",
            "/a/4913",
            "/a/.caxton-1.tmp",
            "/a/x.md",
        ] {
            assert!(!relevant(Path::new(noise), dir), "{noise}");
        }
    }
}
