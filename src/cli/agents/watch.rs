//! `agents watch DIR`: the development loop.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::live;
use crate::Caxton;
use crate::agent::catalog;
use crate::agent::validate::{self, FileReport};
use crate::cli::output::{DIM, Output};
use crate::error::{Error, ExitCode, Result};
use crate::server::client::Client;

#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Ask the running daemon (if any) to reload each changed valid agent
    #[arg(long)]
    auto_reload: bool,
    /// Keep watching after an invalid file (default: exit 3)
    #[arg(long)]
    ignore_errors: bool,
    /// Print a timestamped line for every changed or removed file
    #[arg(long)]
    log_changes: bool,
}

/// Size and modification time: what "changed" means for the watch loop.
type Stamp = (u64, Option<SystemTime>);

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Stamp> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| crate::server::watch::relevant(p, dir) && p.is_file())
        .filter_map(|p| {
            let m = std::fs::metadata(&p).ok()?;
            Some((p, (m.len(), m.modified().ok())))
        })
        .collect()
}

/// `caxton agents watch DIR`: validate every agent file as it changes
/// (all of them once at start) and, with `--auto-reload` and a running
/// daemon, reload the changed agent. Ends on Ctrl-C, or with exit 3 on the
/// first invalid file unless `--ignore-errors`.
pub fn run(cx: &Caxton, opts: WatchArgs, out: &Output) -> Result<ExitCode> {
    let dir = opts.dir.as_path();
    if !dir.is_dir() {
        return Err(Error::FileNotFound {
            path: dir.to_path_buf(),
        });
    }
    let dir = dir.to_path_buf();
    let ctx = catalog::context(cx);
    let mut seen: BTreeMap<PathBuf, Stamp> = BTreeMap::new();
    let mut changed = || {
        let now = snapshot(&dir);
        let at = humantime::format_rfc3339_seconds(SystemTime::now());
        for gone in seen.keys().filter(|p| !now.contains_key(*p)) {
            if opts.log_changes {
                out.line(format!("{at} removed {}", gone.display()));
            }
        }
        let mut flow = ControlFlow::Continue(());
        for (path, stamp) in &now {
            if seen.get(path) == Some(stamp) {
                continue;
            }
            if opts.log_changes {
                out.line(format!("{at} changed {}", path.display()));
            }
            let report = validate::validate_file(path, &ctx);
            super::validate::print_reports(std::slice::from_ref(&report), false, false, out);
            if !report.is_valid() {
                if !opts.ignore_errors {
                    flow = ControlFlow::Break(());
                    break;
                }
                continue;
            }
            if opts.auto_reload {
                reload_watched(cx, &report, out);
            }
        }
        seen = now;
        flow
    };
    loop {
        if crate::server::watch::watch_until_gone(&dir, &mut changed).is_break() {
            return Ok(ExitCode::Invalid);
        }
        // The directory went away (or could not be watched): wait for it,
        // as the daemon does.
        loop {
            std::thread::sleep(Duration::from_millis(500));
            if dir.is_dir() {
                break;
            }
        }
    }
}

/// Reload one valid changed agent in the daemon, if one runs; problems are
/// reported and the loop goes on.
fn reload_watched(cx: &Caxton, report: &FileReport, out: &Output) {
    let result = Client::find(cx).and_then(|c| match c {
        Some(c) => super::reload::reload_request(&c, &report.id, false, None).map(Some),
        None => Ok(None),
    });
    match result {
        Ok(Some(a)) => live::print_agent_line(&a, out),
        Ok(None) => out.line(format!(
            "  {DIM}daemon not running: {} not reloaded{DIM:#}",
            report.id
        )),
        Err(e) => out.warn(&format!("reload of {} failed: {e}", report.id)),
    }
}
