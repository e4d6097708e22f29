//! The deployed agents: the agents directory (a valid file there is a deployed
//! agent, README "Agent files") joined with the version history in the store. Listing,
//! name resolution, deploy and rollback live here so the CLI and the daemon
//! share them.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::history;
use super::spec::slug;
use super::validate::{self, Context, FileReport};
use super::versions::{self, NewVersion, VersionRecord};
use crate::Caxton;
use crate::error::{Error, Result};
use crate::store::store_err;

/// Offline status of an agent (the daemon adds `running`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A valid file is in the agents directory.
    Deployed,
    /// The file is invalid, but a good version was deployed before.
    Failing,
    /// The file is invalid and no good version exists.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Deployed => "deployed",
            Status::Failing => "failing",
            Status::Failed => "failed",
        }
    }
}

/// One agent as `agents list` / `show` see it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub report: FileReport,
    pub status: Status,
    /// Newest first.
    pub history: Vec<VersionRecord>,
}

impl Entry {
    pub fn name(&self) -> &str {
        self.report.name.as_deref().unwrap_or(&self.id)
    }

    pub fn file(&self) -> &Path {
        &self.report.file
    }

    /// Whether the file on disk is the newest recorded version.
    pub fn is_recorded(&self) -> bool {
        let hash = versions::hash(&self.report.content);
        self.history.first().is_some_and(|v| v.content_hash == hash)
    }
}

/// The result of a deploy or rollback.
#[derive(Debug, Clone, Serialize)]
pub struct Deployed {
    pub id: String,
    pub name: String,
    pub version: String,
    pub file: PathBuf,
    pub seq: i64,
    /// False when this exact content was already the current version.
    pub changed: bool,
    pub previous_version: Option<String>,
    pub content_hash: String,
    #[serde(skip)]
    pub report: FileReport,
}

pub fn context(cx: &Caxton) -> Context {
    Context {
        mcp_servers: cx.config().mcp.servers.keys().cloned().collect(),
        mcp: Some(cx.mcp().clone()),
    }
}

/// Validate every `*.toml` file in the agents directory, sorted by file name.
pub fn scan_dir(dir: &Path, ctx: &Context) -> Result<Vec<FileReport>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read", dir, e)),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    let mut reports: Vec<FileReport> = files
        .iter()
        .map(|f| validate::validate_file(f, ctx))
        .collect();
    let ids = ids_of(&reports);
    validate::check_conflicts(&mut reports, dir, &ids);
    Ok(reports)
}

/// `(id, file)` of each report, for conflict checks.
pub fn ids_of(reports: &[FileReport]) -> Vec<(String, PathBuf)> {
    reports
        .iter()
        .map(|r| (r.id.clone(), r.file.clone()))
        .collect()
}

/// Every agent in the agents directory with its status and history.
pub fn list(cx: &Caxton) -> Result<Vec<Entry>> {
    let ctx = context(cx);
    let reports = scan_dir(&cx.paths().agents_dir, &ctx)?;
    let store = cx.store_if_exists()?;
    reports
        .into_iter()
        .map(|report| {
            let history = match &store {
                Some(s) => versions::history(s, &report.id)?,
                None => Vec::new(),
            };
            let status = if report.is_valid() {
                Status::Deployed
            } else if history.is_empty() {
                Status::Failed
            } else {
                Status::Failing
            };
            Ok(Entry {
                id: report.id.clone(),
                report,
                status,
                history,
            })
        })
        .collect()
}

/// Find an agent by id, name or file stem, case-insensitively.
pub fn resolve(cx: &Caxton, name: &str) -> Result<Entry> {
    let mut entries = list(cx)?;
    match entries.iter().position(|e| matches(e, name)) {
        Some(i) => Ok(entries.swap_remove(i)),
        None => Err(not_found(name, entries.iter().map(|e| e.id.as_str()))),
    }
}

fn matches(e: &Entry, name: &str) -> bool {
    let stem = e
        .file()
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    e.id.eq_ignore_ascii_case(name)
        || e.report
            .name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
        || stem.eq_ignore_ascii_case(name)
        || (!slug(name).is_empty() && e.id == slug(name))
}

fn not_found<'a>(name: &str, ids: impl Iterator<Item = &'a str>) -> Error {
    Error::AgentNotFound {
        name: name.to_string(),
        suggestions: crate::tools::closest(name, ids),
    }
}

/// Validate and deploy an agent: from `source` (copied atomically into the
/// agents directory) or from its file already there. Records the version in
/// the store. Nothing changes when the file is invalid.
pub fn deploy(cx: &Caxton, name: &str, source: Option<&Path>) -> Result<Deployed> {
    let ctx = context(cx);
    let agents_dir = cx.paths().agents_dir.clone();
    let entries = list(cx)?;

    let (report, target) = match source {
        None => {
            let entry = entries
                .iter()
                .find(|e| matches(e, name))
                .ok_or_else(|| not_found(name, entries.iter().map(|e| e.id.as_str())))?;
            (entry.report.clone(), entry.file().to_path_buf())
        }
        Some(src) => {
            let mut report = validate::validate_file(src, &ctx);
            if let Some(d) = report.diagnostics.first() {
                match d.code {
                    "file_not_found" => return Err(Error::FileNotFound { path: src.into() }),
                    "permission_denied" => {
                        return Err(Error::PermissionDenied { path: src.into() });
                    }
                    _ => {}
                }
            }
            let stem = src
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let names_it = report.id.eq_ignore_ascii_case(name)
                || slug(name) == report.id
                || report
                    .name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
                || stem.eq_ignore_ascii_case(name);
            if report.is_valid() && !names_it {
                return Err(Error::Usage {
                    message: format!(
                        "`{name}` does not name the agent in {} (name {:?}, id {})",
                        src.display(),
                        report.name.as_deref().unwrap_or(""),
                        report.id
                    ),
                    hint: format!(
                        "run `caxton agents deploy {} --source {}`",
                        report.id,
                        src.display()
                    ),
                });
            }
            let target = entries
                .iter()
                .find(|e| e.id == report.id)
                .map(|e| e.file().to_path_buf())
                .unwrap_or_else(|| agents_dir.join(format!("{}.toml", report.id)));
            // The default target name may be taken by a file of another agent.
            if let Some(other) = entries
                .iter()
                .find(|e| e.file() == target && e.id != report.id)
            {
                return Err(Error::Conflict {
                    message: format!(
                        "{} already holds agent `{}`, not `{}`",
                        target.display(),
                        other.id,
                        report.id
                    ),
                    hint: "rename that file to match its agent's name, then deploy again".into(),
                });
            }
            let others: Vec<(String, PathBuf)> = entries
                .iter()
                .filter(|e| e.file() != target)
                .map(|e| (e.id.clone(), e.file().to_path_buf()))
                .collect();
            report.file = target.clone();
            validate::check_conflicts(std::slice::from_mut(&mut report), &agents_dir, &others);
            report.file = src.to_path_buf();
            (report, target)
        }
    };
    if !report.is_valid() {
        return Err(report.into_error());
    }
    let spec = report
        .spec
        .clone()
        .ok_or_else(|| report.clone().into_error())?;
    let on_disk = entries.iter().find(|e| e.file() == target);
    let new_hash = versions::hash(&report.content);
    let file_name = file_name_of(&target);
    let source_label = source.map_or_else(
        || format!("agents dir ({})", target.display()),
        |s| s.display().to_string(),
    );

    let mut store = cx.store()?;
    let db = store.path().to_path_buf();
    let (seq, changed, previous) = store.write(|tx| {
        let sql = |e| store_err(&db, e);
        if versions::kind_of(tx, &report.id).map_err(sql)?.as_deref() == Some("wasm") {
            return Err(Error::Conflict {
                message: format!("`{}` is already a WASM agent", report.id),
                hint: "give the config agent another name".into(),
            });
        }
        // Keep a hand-edited file that was never deployed, so a rollback
        // can return to it instead of losing it.
        if let Some(e) = on_disk.filter(|e| versions::hash(&e.report.content) != new_hash) {
            preserve_unrecorded(tx, e, &file_name, "found in agents dir before deploy")
                .map_err(sql)?;
        }
        let latest = versions::latest(tx, &report.id).map_err(sql)?;
        if let Some(l) = latest.as_ref().filter(|l| l.content_hash == new_hash) {
            return Ok((l.seq, false, None));
        }
        let seq = versions::record(
            tx,
            &NewVersion {
                id: &report.id,
                kind: "config",
                name: &spec.name,
                file_name: &file_name,
                version: spec.version_or_default(),
                content: &report.content,
                source: &source_label,
                action: "deploy",
            },
        )
        .map_err(sql)?;
        // The file is replaced inside the transaction: if the rename fails,
        // the version is not recorded either.
        if source.is_some() && on_disk.is_none_or(|e| e.report.content != report.content) {
            crate::paths::write_atomic(&target, &report.content)
                .map_err(|e| Error::io("write", &target, e))?;
        }
        Ok((seq, true, latest.map(|l| l.version)))
    })?;
    Ok(Deployed {
        id: report.id.clone(),
        name: spec.name.clone(),
        version: spec.version_or_default().to_string(),
        file: target,
        seq,
        changed,
        previous_version: previous,
        content_hash: new_hash,
        report,
    })
}

/// Record the file on disk as an `observed` version if it is valid and its
/// content was never recorded, so replacing it loses nothing.
fn preserve_unrecorded(
    tx: &rusqlite::Transaction,
    e: &Entry,
    file_name: &str,
    why: &str,
) -> rusqlite::Result<()> {
    if !e.report.is_valid() || versions::has_hash(tx, &e.id, &versions::hash(&e.report.content))? {
        return Ok(());
    }
    versions::record(
        tx,
        &NewVersion {
            id: &e.id,
            kind: "config",
            name: e.name(),
            file_name,
            version: e.report.version().unwrap_or("0.1.0"),
            content: &e.report.content,
            source: why,
            action: "observed",
        },
    )
    .map(|_| ())
}

fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// Restore version `to` (by default the newest deployed version whose
/// content differs from the file now in the agents directory), byte for
/// byte, and record it as a new version.
pub fn rollback(cx: &Caxton, name: &str, to: Option<i64>) -> Result<Deployed> {
    let ctx = context(cx);
    let entries = list(cx)?;
    let store = cx.store_if_exists()?;
    let (id, target, current) = match entries.iter().find(|e| matches(e, name)) {
        Some(e) => (e.id.clone(), e.file().to_path_buf(), Some(e.clone())),
        None => {
            // The file may have been deleted: the registry still knows it.
            let known = match &store {
                Some(s) => versions::known_agents(s)?,
                None => Vec::new(),
            };
            let (id, _, file) = known
                .into_iter()
                .find(|(id, n, _)| {
                    id.eq_ignore_ascii_case(name)
                        || n.eq_ignore_ascii_case(name)
                        || *id == slug(name)
                })
                .ok_or_else(|| not_found(name, entries.iter().map(|e| e.id.as_str())))?;
            let file = file.unwrap_or_else(|| format!("{id}.toml"));
            (id, cx.paths().agents_dir.join(file), None)
        }
    };
    let Some(mut store) = store else {
        return Err(Error::NoPreviousVersion { agent: id });
    };
    let history = versions::history(&store, &id)?;
    let current_hash = current.as_ref().map(|e| versions::hash(&e.report.content));
    let previous = history::rollback_target(&id, &history, current_hash.as_deref(), to)?;
    let content = versions::content(&store, previous.seq)?;
    let report = validate::validate_bytes(&target, content.clone(), &ctx);
    let spec_name = report.name.clone().unwrap_or_else(|| id.clone());
    let file_name = file_name_of(&target);
    let db = store.path().to_path_buf();
    let from_version = current
        .as_ref()
        .and_then(|e| e.report.version().map(String::from));
    let seq = store.write(|tx| {
        let sql = |e| store_err(&db, e);
        if let Some(e) = &current {
            preserve_unrecorded(tx, e, &file_name, "found in agents dir before rollback")
                .map_err(sql)?;
        }
        let seq = versions::record(
            tx,
            &NewVersion {
                id: &id,
                kind: "config",
                name: &spec_name,
                file_name: &file_name,
                version: &previous.version,
                content: &content,
                source: &format!("rollback to #{} ({})", previous.seq, previous.version),
                action: "rollback",
            },
        )
        .map_err(sql)?;
        crate::paths::write_atomic(&target, &content)
            .map_err(|e| Error::io("write", &target, e))?;
        Ok(seq)
    })?;
    Ok(Deployed {
        id,
        name: spec_name,
        version: previous.version.clone(),
        file: target,
        seq,
        changed: true,
        previous_version: from_version,
        content_hash: previous.content_hash.clone(),
        report,
    })
}

/// Undeploy a config agent: remove its file from the agents directory. Its
/// recorded versions stay, so `deploy --source` or `rollback` can bring it back.
pub fn remove(cx: &Caxton, name: &str) -> Result<Entry> {
    let entry = resolve(cx, name)?;
    std::fs::remove_file(entry.file()).map_err(|e| Error::io("remove", entry.file(), e))?;
    Ok(entry)
}
