//! `file_storage`: read, write and list files inside the agent's workspace.
//!
//! Every access goes through a cap-std `Dir` opened on the workspace, which
//! resolves paths beneath it and refuses any that lead outside, including
//! through symbolic links. Absolute paths and `..` are refused up front with a
//! plainer message.

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use base64::Engine as _;
use cap_std::fs::{Dir, Metadata, OpenOptions};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    Tool, ToolContext, ToolError, base64_encode, human_size, open_workspace_dir, parse_args,
    schema_of, size_setting, write_atomic,
};

const NAME: &str = "file_storage";
const DEFAULT_MAX_FILE_SIZE: u64 = 10_000_000;
/// Default quota on the bytes of all files in one workspace
/// (`[tool_config.file_storage] max_workspace_size`): without it a model
/// writing in a loop fills the disk 10 MB at a time.
const DEFAULT_MAX_WORKSPACE_SIZE: u64 = 100_000_000;
/// The quota walk's own bounds: entries visited and directory depth.
const MAX_WALK_ENTRIES: usize = 100_000;
const MAX_WALK_DEPTH: usize = 64;
const MAX_LIST_ENTRIES: usize = 10_000;
const SANDBOX_HINT: &str = "use a path relative to the agent workspace, such as \"notes/todo.txt\"; \
                            symbolic links leading outside the workspace are not followed";

pub struct FileStorage;

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Operation {
    Read,
    Write,
    Append,
    List,
    Delete,
    Exists,
    Mkdir,
}

impl Operation {
    fn modifies(self) -> bool {
        matches!(
            self,
            Operation::Write | Operation::Append | Operation::Delete | Operation::Mkdir
        )
    }

    fn as_str(self) -> &'static str {
        match self {
            Operation::Read => "read",
            Operation::Write => "write",
            Operation::Append => "append to",
            Operation::List => "list",
            Operation::Delete => "delete",
            Operation::Exists => "check",
            Operation::Mkdir => "create directory",
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Encoding {
    #[default]
    Utf8,
    Base64,
}

fn default_path() -> String {
    ".".to_string()
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    /// What to do: read a file, write (create or replace) it, append to it,
    /// list a directory, delete a file or empty directory, check whether a
    /// path exists, or create a directory (with missing parents).
    operation: Operation,
    /// Path relative to the workspace, e.g. "reports/q1.md"; "." is the
    /// workspace itself (the default, useful for `list`).
    #[serde(default = "default_path")]
    path: String,
    /// Content for write and append.
    content: Option<String>,
    /// How `content` is encoded, for writing and in read results: utf8 text
    /// (default) or base64 for binary data.
    #[serde(default)]
    encoding: Encoding,
}

/// `path` without `.` components, or a refusal when it could leave the workspace.
fn sandboxed(path: &str) -> Result<PathBuf, ToolError> {
    let refuse = |why: &str| ToolError::Denied {
        message: format!("file_storage refused {path}: {why}"),
        hint: SANDBOX_HINT.to_string(),
    };
    let given = Path::new(path);
    if given.has_root() {
        return Err(refuse("absolute paths are not allowed"));
    }
    let mut clean = PathBuf::new();
    for component in given.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err(refuse("`..` would leave the workspace")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(refuse("absolute paths are not allowed"));
            }
        }
    }
    Ok(clean)
}

fn io_error(op: Operation, path: &str, e: std::io::Error) -> ToolError {
    match e.kind() {
        std::io::ErrorKind::NotFound => ToolError::NotFound {
            path: PathBuf::from(path),
        },
        // cap-std reports an escape as a synthetic PermissionDenied; a real
        // EACCES from the OS carries an errno and is an ordinary failure.
        std::io::ErrorKind::PermissionDenied if e.raw_os_error().is_none() => ToolError::Denied {
            message: format!(
                "file_storage refused {path}: it resolves outside the workspace ({e})"
            ),
            hint: SANDBOX_HINT.to_string(),
        },
        _ => ToolError::failed(format!("file_storage: cannot {} {path}: {e}", op.as_str())),
    }
}

fn kind_of(metadata: &Metadata) -> &'static str {
    if metadata.is_dir() {
        "dir"
    } else if metadata.is_symlink() {
        "symlink"
    } else {
        "file"
    }
}

struct Storage<'a> {
    dir: Dir,
    op: Operation,
    /// The path as the caller wrote it, for messages.
    shown: &'a str,
    path: PathBuf,
    max_file_size: u64,
    max_workspace_size: u64,
}

/// Bytes of regular files under `dir` (symbolic links are not followed).
/// `seen` counts entries across the walk; over [`MAX_WALK_ENTRIES`] or
/// [`MAX_WALK_DEPTH`] the walk gives up with an error.
fn workspace_usage(dir: &Dir, depth: usize, seen: &mut usize) -> std::io::Result<u64> {
    if depth > MAX_WALK_DEPTH {
        return Err(std::io::Error::other(format!(
            "directories nest deeper than {MAX_WALK_DEPTH} levels"
        )));
    }
    let mut total = 0u64;
    for entry in dir.entries()? {
        let entry = entry?;
        *seen += 1;
        if *seen > MAX_WALK_ENTRIES {
            return Err(std::io::Error::other(format!(
                "more than {MAX_WALK_ENTRIES} entries"
            )));
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            total += workspace_usage(&entry.open_dir()?, depth + 1, seen)?;
        } else if kind.is_file() {
            total += entry.metadata()?.len();
        }
    }
    Ok(total)
}

impl Storage<'_> {
    fn io(&self, e: std::io::Error) -> ToolError {
        io_error(self.op, self.shown, e)
    }

    fn is_root(&self) -> bool {
        self.path.as_os_str().is_empty()
    }

    fn target(&self) -> &Path {
        if self.is_root() {
            Path::new(".")
        } else {
            &self.path
        }
    }

    fn too_large(&self, size: u64) -> ToolError {
        ToolError::LimitExceeded {
            message: format!(
                "file_storage: {} would be {}, over max_file_size {} ([tool_config.file_storage] max_file_size)",
                self.shown,
                human_size(size),
                human_size(self.max_file_size)
            ),
        }
    }

    /// Refuse a change that would leave the workspace's files over
    /// `max_workspace_size`: `replaced` bytes go away, `added` come in.
    /// Checked before anything is written, so a refused write leaves nothing.
    fn check_quota(&self, replaced: u64, added: u64) -> Result<(), ToolError> {
        let used = workspace_usage(&self.dir, 0, &mut 0).map_err(|e| {
            ToolError::LimitExceeded {
                message: format!(
                    "file_storage: cannot measure the workspace for its quota: {e}; delete files to continue"
                ),
            }
        })?;
        let after = used.saturating_sub(replaced).saturating_add(added);
        if after > self.max_workspace_size {
            return Err(ToolError::LimitExceeded {
                message: format!(
                    "file_storage: {} {} would bring the workspace to {}, over max_workspace_size {} \
                     ([tool_config.file_storage] max_workspace_size); delete files first",
                    self.op.as_str(),
                    self.shown,
                    human_size(after),
                    human_size(self.max_workspace_size)
                ),
            });
        }
        Ok(())
    }

    fn require_file_path(&self) -> Result<(), ToolError> {
        if self.is_root() {
            return Err(ToolError::invalid_args(
                NAME,
                format!(
                    "cannot {} the workspace itself; give a file path",
                    self.op.as_str()
                ),
            ));
        }
        Ok(())
    }

    fn content(&self, args: &Args) -> Result<Vec<u8>, ToolError> {
        let content = args.content.as_deref().ok_or_else(|| {
            ToolError::invalid_args(
                NAME,
                format!("`content` is required to {}", self.op.as_str()),
            )
        })?;
        match args.encoding {
            Encoding::Utf8 => Ok(content.as_bytes().to_vec()),
            Encoding::Base64 => base64::engine::general_purpose::STANDARD
                .decode(content.trim())
                .map_err(|e| {
                    ToolError::invalid_args(NAME, format!("content is not valid base64: {e}"))
                }),
        }
    }

    fn create_parent(&self) -> Result<(), ToolError> {
        match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => {
                match self.dir.create_dir_all(parent) {
                    // Something already has the parent's name (possibly a
                    // symlink out of the workspace): opening the file itself
                    // gives the precise error.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                    result => result.map_err(|e| self.io(e)),
                }
            }
            _ => Ok(()),
        }
    }

    fn read(&self, encoding: Encoding) -> Result<Value, ToolError> {
        self.require_file_path()?;
        let metadata = self.dir.metadata(&self.path).map_err(|e| self.io(e))?;
        if metadata.is_dir() {
            return Err(ToolError::invalid_args(
                NAME,
                format!("{} is a directory; use operation list", self.shown),
            ));
        }
        if metadata.len() > self.max_file_size {
            return Err(self.too_large(metadata.len()));
        }
        let bytes = self.dir.read(&self.path).map_err(|e| self.io(e))?;
        let size = bytes.len();
        let text = match encoding {
            Encoding::Utf8 => String::from_utf8(bytes).map_err(|e| e.into_bytes()),
            Encoding::Base64 => Err(bytes),
        };
        // Binary content comes back as base64 rather than as an error, saving
        // the caller a second call.
        let (content, encoding) = match text {
            Ok(text) => (text, "utf8"),
            Err(bytes) => (base64_encode(&bytes), "base64"),
        };
        Ok(json!({"path": self.shown, "content": content, "encoding": encoding, "size": size}))
    }

    fn write(&self, content: &[u8]) -> Result<Value, ToolError> {
        self.require_file_path()?;
        if content.len() as u64 > self.max_file_size {
            return Err(self.too_large(content.len() as u64));
        }
        self.create_parent()?;
        let existed = match self.dir.symlink_metadata(&self.path) {
            Ok(metadata) if metadata.is_dir() => {
                return Err(ToolError::invalid_args(
                    NAME,
                    format!("{} is a directory", self.shown),
                ));
            }
            Ok(metadata) => Some(if metadata.is_file() {
                metadata.len()
            } else {
                0
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(self.io(e)),
        };
        self.check_quota(existed.unwrap_or(0), content.len() as u64)?;
        let existed = existed.is_some();
        write_atomic(&self.dir, &self.path, content).map_err(|e| self.io(e))?;
        Ok(json!({"path": self.shown, "bytes": content.len(), "created": !existed}))
    }

    fn append(&self, content: &[u8]) -> Result<Value, ToolError> {
        self.require_file_path()?;
        let current = match self.dir.metadata(&self.path) {
            Ok(metadata) => metadata.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(self.io(e)),
        };
        let total = current + content.len() as u64;
        if total > self.max_file_size {
            return Err(self.too_large(total));
        }
        self.check_quota(0, content.len() as u64)?;
        self.create_parent()?;
        let mut file = self
            .dir
            .open_with(&self.path, OpenOptions::new().append(true).create(true))
            .map_err(|e| self.io(e))?;
        file.write_all(content).map_err(|e| self.io(e))?;
        Ok(json!({"path": self.shown, "bytes": content.len(), "size": total}))
    }

    fn list(&self) -> Result<Value, ToolError> {
        let mut entries = Vec::new();
        let mut truncated = false;
        for entry in self.dir.read_dir(self.target()).map_err(|e| self.io(e))? {
            let entry = entry.map_err(|e| self.io(e))?;
            if entries.len() == MAX_LIST_ENTRIES {
                truncated = true;
                break;
            }
            // The entry's own type: a symlink is listed, not followed.
            let file_type = entry.file_type().map_err(|e| self.io(e))?;
            let (kind, size) = if file_type.is_dir() {
                ("dir", None)
            } else if file_type.is_symlink() {
                ("symlink", None)
            } else {
                ("file", entry.metadata().ok().map(|m| m.len()))
            };
            let name = entry.file_name().to_string_lossy().into_owned();
            entries.push((name, kind, size));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let entries: Vec<Value> = entries
            .into_iter()
            .map(|(name, kind, size)| json!({"name": name, "type": kind, "size": size}))
            .collect();
        Ok(json!({"path": self.shown, "entries": entries, "truncated": truncated}))
    }

    fn delete(&self) -> Result<Value, ToolError> {
        self.require_file_path()?;
        let metadata = self
            .dir
            .symlink_metadata(&self.path)
            .map_err(|e| self.io(e))?;
        if metadata.is_dir() {
            self.dir.remove_dir(&self.path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::DirectoryNotEmpty {
                    ToolError::failed(format!(
                        "file_storage: cannot delete {}: the directory is not empty; delete its entries first",
                        self.shown
                    ))
                } else {
                    self.io(e)
                }
            })?;
        } else {
            self.dir.remove_file(&self.path).map_err(|e| self.io(e))?;
        }
        Ok(json!({"path": self.shown, "deleted": true, "type": kind_of(&metadata)}))
    }

    fn exists(&self) -> Result<Value, ToolError> {
        match self.dir.metadata(self.target()) {
            Ok(metadata) => Ok(json!({
                "path": self.shown,
                "exists": true,
                "type": kind_of(&metadata),
                "size": metadata.is_file().then(|| metadata.len()),
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(json!({"path": self.shown, "exists": false, "type": null, "size": null}))
            }
            Err(e) => Err(self.io(e)),
        }
    }

    fn mkdir(&self) -> Result<Value, ToolError> {
        self.require_file_path()?;
        let existed = self.dir.is_dir(&self.path);
        self.dir
            .create_dir_all(&self.path)
            .map_err(|e| self.io(e))?;
        Ok(json!({"path": self.shown, "created": !existed}))
    }
}

impl Tool for FileStorage {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "Read, write, append, list, delete, check and create files and directories in the \
         agent's private workspace. Paths are relative to the workspace and cannot leave it. \
         Writes replace files atomically; binary data goes through base64."
    }

    fn parameters(&self) -> Value {
        schema_of::<Args>()
    }

    fn run(&self, ctx: &ToolContext, args: Value) -> Result<Value, ToolError> {
        let args: Args = parse_args(NAME, args)?;
        let path = sandboxed(&args.path)?;
        if args.operation.modifies() && ctx.setting::<bool>("read_only")?.unwrap_or(false) {
            return Err(ToolError::Denied {
                message: format!(
                    "file_storage refused to {} {}: the workspace is read-only",
                    args.operation.as_str(),
                    args.path
                ),
                hint: "set [tool_config.file_storage] read_only = false to allow changes"
                    .to_string(),
            });
        }
        let storage = Storage {
            dir: open_workspace_dir(ctx, "")?,
            op: args.operation,
            shown: &args.path,
            path,
            max_file_size: size_setting(ctx, "max_file_size", DEFAULT_MAX_FILE_SIZE)?,
            max_workspace_size: size_setting(
                ctx,
                "max_workspace_size",
                DEFAULT_MAX_WORKSPACE_SIZE,
            )?,
        };
        match args.operation {
            Operation::Read => storage.read(args.encoding),
            Operation::Write => storage.write(&storage.content(&args)?),
            Operation::Append => storage.append(&storage.content(&args)?),
            Operation::List => storage.list(),
            Operation::Delete => storage.delete(),
            Operation::Exists => storage.exists(),
            Operation::Mkdir => storage.mkdir(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn ctx(workspace: &Path, config: Value) -> ToolContext {
        ToolContext {
            workspace: workspace.to_path_buf(),
            read_root: None,
            config: config.as_object().cloned().unwrap_or_else(Map::new),
            memory: None,
            messaging: None,
        }
    }

    fn run(workspace: &Path, args: Value) -> Result<Value, ToolError> {
        super::super::invoke(&FileStorage, &ctx(workspace, json!({})), args)
    }

    fn assert_denied(result: Result<Value, ToolError>, needle: &str) {
        match result {
            Err(ToolError::Denied { message, hint }) => {
                assert!(message.contains(needle), "{message}");
                assert!(!hint.is_empty());
            }
            other => panic!("expected Denied, got {other:?}"),
        }
    }

    #[test]
    fn round_trip() {
        let root = tempfile::tempdir().unwrap();
        // The workspace does not exist yet: the tool creates it.
        let ws = root.path().join("ws");
        let w = run(
            &ws,
            json!({"operation": "write", "path": "notes/a.txt", "content": "héllo"}),
        )
        .unwrap();
        assert_eq!(
            w,
            json!({"path": "notes/a.txt", "bytes": 6, "created": true})
        );
        let r = run(&ws, json!({"operation": "read", "path": "notes/a.txt"})).unwrap();
        assert_eq!(
            r,
            json!({"path": "notes/a.txt", "content": "héllo", "encoding": "utf8", "size": 6})
        );
        let a = run(
            &ws,
            json!({"operation": "append", "path": "notes/a.txt", "content": "!"}),
        )
        .unwrap();
        assert_eq!(a["size"], 7);
        let w2 = run(
            &ws,
            json!({"operation": "write", "path": "notes/a.txt", "content": "v2"}),
        )
        .unwrap();
        assert_eq!(w2["created"], false);

        run(&ws, json!({"operation": "write", "path": "bin.dat", "content": "AAH/", "encoding": "base64"})).unwrap();
        let bin = run(&ws, json!({"operation": "read", "path": "bin.dat"})).unwrap();
        assert_eq!(bin["content"], "AAH/");
        assert_eq!(bin["encoding"], "base64");
        assert_eq!(std::fs::read(ws.join("bin.dat")).unwrap(), vec![0, 1, 0xff]);

        assert_eq!(
            run(&ws, json!({"operation": "mkdir", "path": "empty/inner"})).unwrap()["created"],
            true
        );
        let list = run(&ws, json!({"operation": "list"})).unwrap();
        assert_eq!(
            list["entries"],
            json!([
                {"name": "bin.dat", "type": "file", "size": 3},
                {"name": "empty", "type": "dir", "size": null},
                {"name": "notes", "type": "dir", "size": null},
            ])
        );
        let exists = run(&ws, json!({"operation": "exists", "path": "notes/a.txt"})).unwrap();
        assert_eq!(
            exists,
            json!({"path": "notes/a.txt", "exists": true, "type": "file", "size": 2})
        );

        assert_eq!(
            run(&ws, json!({"operation": "delete", "path": "notes/a.txt"})).unwrap()["deleted"],
            true
        );
        assert_eq!(
            run(&ws, json!({"operation": "exists", "path": "notes/a.txt"})).unwrap()["exists"],
            false
        );
        assert!(matches!(
            run(&ws, json!({"operation": "read", "path": "notes/a.txt"})),
            Err(ToolError::NotFound { .. })
        ));
        assert!(matches!(
            run(&ws, json!({"operation": "delete", "path": "empty"})),
            Err(ToolError::Failed { .. })
        ));
        run(&ws, json!({"operation": "delete", "path": "empty/inner"})).unwrap();
        run(&ws, json!({"operation": "delete", "path": "empty"})).unwrap();
        let names: Vec<String> = std::fs::read_dir(&ws)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !names.iter().any(|n| n.starts_with('.')),
            "temp files left: {names:?}"
        );
    }

    #[test]
    fn refuses_parent_escape() {
        let ws = tempfile::tempdir().unwrap();
        assert_denied(
            run(
                ws.path(),
                json!({"operation": "write", "path": "../x", "content": "x"}),
            ),
            "file_storage refused ../x: `..` would leave the workspace",
        );
        assert_denied(
            run(ws.path(), json!({"operation": "read", "path": "a/../../x"})),
            "`..`",
        );
        assert!(!ws.path().parent().unwrap().join("x").exists());
    }

    #[test]
    fn refuses_absolute_paths() {
        let ws = tempfile::tempdir().unwrap();
        assert_denied(
            run(
                ws.path(),
                json!({"operation": "read", "path": "/etc/passwd"}),
            ),
            "file_storage refused /etc/passwd: absolute paths are not allowed",
        );
    }

    #[test]
    fn refuses_symlink_escape() {
        let ws = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "s3cret").unwrap();
        std::os::unix::fs::symlink(outside.path(), ws.path().join("link")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            ws.path().join("file-link"),
        )
        .unwrap();
        assert_denied(
            run(
                ws.path(),
                json!({"operation": "read", "path": "link/secret.txt"}),
            ),
            "resolves outside the workspace",
        );
        assert_denied(
            run(ws.path(), json!({"operation": "read", "path": "file-link"})),
            "resolves outside the workspace",
        );
        assert_denied(
            run(
                ws.path(),
                json!({"operation": "write", "path": "link/new.txt", "content": "x"}),
            ),
            "resolves outside the workspace",
        );
        assert_denied(
            run(ws.path(), json!({"operation": "list", "path": "link"})),
            "outside",
        );
        assert!(!outside.path().join("new.txt").exists());
        assert_eq!(
            std::fs::read_to_string(outside.path().join("secret.txt")).unwrap(),
            "s3cret"
        );
    }

    #[test]
    fn limits_and_read_only() {
        let ws = tempfile::tempdir().unwrap();
        let small = ctx(ws.path(), json!({"max_file_size": "10B"}));
        let big = json!({"operation": "write", "path": "f", "content": "x".repeat(11)});
        match super::super::invoke(&FileStorage, &small, big) {
            Err(ToolError::LimitExceeded { message }) => {
                assert!(message.contains("max_file_size 10 B"), "{message}")
            }
            other => panic!("expected LimitExceeded, got {other:?}"),
        }
        let ro = ctx(ws.path(), json!({"read_only": true}));
        assert_denied(
            super::super::invoke(
                &FileStorage,
                &ro,
                json!({"operation": "write", "path": "f", "content": "x"}),
            ),
            "read-only",
        );
        assert!(super::super::invoke(&FileStorage, &ro, json!({"operation": "list"})).is_ok());
        assert!(matches!(
            run(ws.path(), json!({"operation": "write", "path": "f"})),
            Err(ToolError::InvalidArgs { .. })
        ));
        assert!(matches!(
            run(
                ws.path(),
                json!({"operation": "write", "path": "f", "content": "*", "encoding": "base64"})
            ),
            Err(ToolError::InvalidArgs { .. })
        ));
        assert!(matches!(
            run(ws.path(), json!({"operation": "delete", "path": "."})),
            Err(ToolError::InvalidArgs { .. })
        ));
    }

    #[test]
    fn workspace_quota_refuses_a_write_past_it_and_writes_nothing() {
        let ws = tempfile::tempdir().unwrap();
        let quota = ctx(ws.path(), json!({"max_workspace_size": "20B"}));
        let call = |args: Value| super::super::invoke(&FileStorage, &quota, args);
        call(json!({"operation": "write", "path": "a/one", "content": "x".repeat(12)})).unwrap();
        // Replacing a file counts its new size, not both.
        call(json!({"operation": "write", "path": "a/one", "content": "y".repeat(15)})).unwrap();
        match call(json!({"operation": "write", "path": "two", "content": "z".repeat(6)})) {
            Err(ToolError::LimitExceeded { message }) => {
                assert!(
                    message.contains("over max_workspace_size 20 B"),
                    "{message}"
                );
                assert!(message.contains("21 B"), "{message}");
            }
            other => panic!("expected LimitExceeded, got {other:?}"),
        }
        assert!(!ws.path().join("two").exists(), "nothing half-written");
        assert!(matches!(
            call(json!({"operation": "append", "path": "a/one", "content": "123456"})),
            Err(ToolError::LimitExceeded { .. })
        ));
        assert_eq!(std::fs::read(ws.path().join("a/one")).unwrap().len(), 15);
        call(json!({"operation": "append", "path": "a/one", "content": "12345"})).unwrap();
    }
}
