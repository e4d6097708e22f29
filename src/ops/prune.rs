//! `caxton backup prune`: retention for a directory of backups, like
//! restic's `forget --keep-daily/--keep-weekly`. Backups are recognised by
//! their manifest (not their name) and dated by its `created_at`, in UTC.
//! The newest backup that passes a full verify is always kept, whatever the
//! policy says, so pruning can never leave you without a restorable backup.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::archive;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, Default)]
pub struct Policy {
    pub keep_daily: usize,
    pub keep_weekly: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub file: PathBuf,
    pub created_at: String,
    pub keep: bool,
    /// Why it is kept: `daily`, `weekly`, `newest verified`.
    pub reasons: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub items: Vec<Item>,
    /// Newest backup that passed verification, if any did.
    pub newest_verified: Option<PathBuf>,
    /// Backups checked on the way to it and why they failed.
    pub failed_verification: Vec<(PathBuf, Vec<String>)>,
    pub deleted: usize,
}

/// Decide what to keep and, unless `dry_run`, delete the rest.
pub fn prune(dir: &Path, policy: Policy, dry_run: bool) -> Result<Plan> {
    let mut found: Vec<(i64, PathBuf, String)> = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))?;
    for e in entries.flatten() {
        let path = e.path();
        // Symlinks (caxton-latest.tar.gz) and hidden temp files are not backups.
        let is_file = e.file_type().is_ok_and(|t| t.is_file());
        if !is_file || e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if let Some(m) = archive::read_manifest(&path)
            && let Some(t) = m.created_unix()
        {
            found.push((t, path, m.created_at));
        }
    }
    // Newest first; the name breaks ties so the order is stable.
    found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));

    let mut failed = Vec::new();
    let mut newest_verified = None;
    for (_, path, _) in &found {
        let stage =
            tempfile::tempdir().map_err(|e| Error::io("create", &std::env::temp_dir(), e))?;
        let v = archive::verify_into(path, stage.path(), &mut |_, _| {})?;
        if v.passed() {
            newest_verified = Some(path.clone());
            break;
        }
        failed.push((path.clone(), v.problems));
    }

    let days: Vec<i64> = found.iter().map(|(t, ..)| t.div_euclid(86_400)).collect();
    // ISO weeks start on Monday; 1970-01-01 was a Thursday.
    let weeks: Vec<i64> = days.iter().map(|d| (d + 3).div_euclid(7)).collect();
    let daily = newest_per_bucket(&days, policy.keep_daily);
    let weekly = newest_per_bucket(&weeks, policy.keep_weekly);
    let mut items = Vec::new();
    let mut deleted = 0;
    for (i, (_, path, created_at)) in found.iter().enumerate() {
        let mut reasons = Vec::new();
        if daily.contains(&i) {
            reasons.push("daily");
        }
        if weekly.contains(&i) {
            reasons.push("weekly");
        }
        if newest_verified.as_ref() == Some(path) {
            reasons.push("newest verified");
        }
        let keep = !reasons.is_empty();
        if !keep {
            if !dry_run {
                std::fs::remove_file(path).map_err(|e| Error::io("delete", path, e))?;
            }
            deleted += 1;
        }
        items.push(Item {
            file: path.clone(),
            created_at: created_at.clone(),
            keep,
            reasons,
        });
    }
    Ok(Plan {
        items,
        newest_verified,
        failed_verification: failed,
        deleted,
    })
}

/// Indexes (into a newest-first list) of the newest item in each of the
/// `keep` most recent distinct buckets.
fn newest_per_bucket(buckets: &[i64], keep: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut out = BTreeSet::new();
    for (i, b) in buckets.iter().enumerate() {
        if seen.len() >= keep && !seen.contains(b) {
            break;
        }
        if seen.insert(*b) {
            out.insert(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_newest_per_bucket() {
        // newest first: two on day 10, one on 9, two on 7, one on 3
        let days = [10, 10, 9, 7, 7, 3];
        assert_eq!(newest_per_bucket(&days, 3), BTreeSet::from([0, 2, 3]));
        assert_eq!(newest_per_bucket(&days, 0), BTreeSet::new());
        assert_eq!(newest_per_bucket(&days, 9), BTreeSet::from([0, 2, 3, 5]));
    }
}
