//! Helpers for black-box tests: run the real `caxton` binary against a
//! temporary data directory with a clean environment.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Env {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// The binary under test: the one cargo built, or `CAXTON_BIN` (e.g. the
/// release binary of an older commit, to see an attack test fail there).
pub fn bin() -> &'static str {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var("CAXTON_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_caxton").to_string())
    })
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn data(&self) -> PathBuf {
        self.path().join("data")
    }

    pub fn agents(&self) -> PathBuf {
        self.data().join("agents")
    }

    /// A command with only this test's environment: HOME and XDG point into
    /// the temp dir, and no CAXTON_* variable leaks in from the caller.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(bin());
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("XDG_DATA_HOME", self.path().join("xdg"))
            .env("NO_COLOR", "1")
            .env("CAXTON_DATA_DIR", self.data())
            .current_dir(self.path())
            .stdin(Stdio::null());
        // The embedding model is installed once per machine (scripts/fetch-models);
        // tests share it read-only.
        if let Some(models) = models_dir() {
            c.env("CAXTON_MODELS_DIR", models);
        }
        c
    }

    /// Run with `input` on standard input.
    pub fn run_stdin(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .cmd()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run caxton");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        finish(child.wait_with_output().unwrap())
    }

    pub fn run(&self, args: &[&str]) -> Run {
        finish(self.cmd().args(args).output().expect("run caxton"))
    }

    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        finish(
            self.cmd()
                .current_dir(cwd)
                .args(args)
                .output()
                .expect("run caxton"),
        )
    }

    /// Write `text` to `rel` under the temp dir and return the path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }
}

/// `$XDG_DATA_HOME/caxton` (default `~/.local/share/caxton`), where
/// install.sh puts the models and test dependencies.
pub fn caxton_data_home() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("caxton"))
}

/// The installed embedding model's directory (the parent of
/// `all-MiniLM-L6-v2/`), if there is one: `CAXTON_MODELS_DIR`, else the
/// default data dir's `models/`. With `CAXTON_REQUIRE_MODEL=1` a missing
/// model fails the calling test instead of skipping the model checks.
pub fn models_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CAXTON_MODELS_DIR")
        .map(PathBuf::from)
        .or_else(|| Some(caxton_data_home()?.join("models")))?;
    dir.join("all-MiniLM-L6-v2/model.safetensors")
        .is_file()
        .then_some(dir)
}

/// Whether a check that needs something outside the repo must run: with
/// `CAXTON_REQUIRE_ALL=1` (set by .ci/run) or the named switch (e.g.
/// `CAXTON_REQUIRE_MODEL=1`) a missing prerequisite fails the test instead
/// of skipping it.
pub fn required(switch: &str) -> bool {
    ["CAXTON_REQUIRE_ALL", switch]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|v| v == "1"))
}

/// Skip (with a note on stderr) or, when [`required`], fail: `missing` says
/// what is absent and how to install it.
#[track_caller]
pub fn skip(switch: &str, missing: &str) {
    assert!(
        !required(switch),
        "{switch}=1 or CAXTON_REQUIRE_ALL=1, but {missing}"
    );
    eprintln!("note: skipped: {missing}");
}

/// Whether model-backed checks must run (fail, not skip, without a model).
#[track_caller]
pub fn have_model() -> bool {
    let required = required("CAXTON_REQUIRE_MODEL");
    match (models_dir(), required) {
        (Some(_), _) => true,
        (None, true) => panic!(
            "CAXTON_REQUIRE_MODEL=1 but the embedding model is not installed (run scripts/fetch-models)"
        ),
        (None, false) => {
            eprintln!(
                "note: embedding model not installed; skipping the model checks of this test"
            );
            false
        }
    }
}

pub fn finish(o: Output) -> Run {
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// A minimal valid agent definition.
pub fn agent(name: &str, version: &str, extra: &str) -> String {
    format!(
        "name = \"{name}\"\nversion = \"{version}\"\ncapabilities = [\"testing\"]\ntools = [\"csv_parser\"]\nsystem_prompt = \"You test things.\"\n{extra}"
    )
}

/// Hold the daemon lock of `data_dir` the way a running daemon does; the
/// lock is released when the returned file is dropped.
pub fn hold_daemon_lock(data_dir: &Path) -> std::fs::File {
    let path = data_dir.join("run/caxton.lock");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap();
    f.try_lock().expect("lock is free");
    std::fs::write(&path, "pid 1 (daemon)\n").unwrap();
    f
}

/// An env with `caxton init` run and `n` entities of `per` observations
/// each stored (without embeddings).
pub fn seeded(n: usize, per: usize) -> Env {
    let env = Env::new();
    env.run(&["init"]).ok();
    env.run_stdin(
        &["memory", "create-entities", "--no-embed"],
        &entities_json("E", n, per),
    )
    .ok();
    env
}

/// The JSON error document a failed `--json` command prints on stderr.
#[track_caller]
pub fn error_json(r: &Run) -> serde_json::Value {
    serde_json::from_str(r.stderr.trim()).unwrap_or_else(|e| panic!("{e}: {}", r.stderr))
}

/// Row count of every table of a database file, opened read-only.
pub fn table_counts(db: &Path) -> std::collections::BTreeMap<String, i64> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    let names: Vec<String> = c
        .prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    names
        .into_iter()
        .map(|n| {
            let count = c
                .query_row(&format!("SELECT count(*) FROM \"{n}\""), [], |r| r.get(0))
                .unwrap();
            (n, count)
        })
        .collect()
}

/// A `memory export` document of global entities `names`, one observation
/// each (`about <name>`): input for `memory import`.
fn export_doc(names: &[&str]) -> String {
    let entities: Vec<serde_json::Value> = names
        .iter()
        .map(|n| {
            serde_json::json!({
                "name": n, "entityType": "note", "scope": "global", "scopeId": "",
                "metadata": {}, "createdBy": "cli", "createdAt": 1, "updatedAt": 1,
                "observations": [{"content": format!("about {n}"), "createdBy": "cli", "createdAt": 1}],
            })
        })
        .collect();
    serde_json::json!({"format": "caxton-memory", "version": 1, "entities": entities, "relations": []})
        .to_string()
}

/// `memory import` under `max_entities = 3` (set in `env`'s config by the
/// caller), whatever the backend: a document that does not fit is refused
/// whole (exit 7, `memory_full`) and what fits is merged. `counts` gives
/// the stored (entities, observations).
pub fn check_import_honours_max_entities(env: &Env, counts: &dyn Fn() -> (i64, i64)) {
    let import = |file: &str, names: &[&str]| {
        let path = env.write(file, &export_doc(names));
        env.run(&["memory", "import", "--json", path.to_str().unwrap()])
    };
    import("two.json", &["a", "b"]).ok();
    // Two stored, two new (and one already there): past 3, refused whole.
    let r = import("more.json", &["a", "c", "d"]);
    assert_eq!(r.code, 7, "{}", r.all());
    assert_eq!(
        error_json(&r)["error"]["code"],
        "memory_full",
        "{}",
        r.all()
    );
    assert_eq!(counts(), (2, 2));
    // What fits is imported: one new next to two that exist.
    let r = import("fits.json", &["a", "b", "c"]).ok().json();
    assert_eq!(r["entities"], 1, "{r}");
    assert_eq!(counts(), (3, 3));
}

/// Entities named `prefix0..prefixN`, each with `per` observations, as the
/// JSON input of `memory create-entities`.
pub fn entities_json(prefix: &str, n: usize, per: usize) -> String {
    let entities: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "name": format!("{prefix}{i}"),
                "entityType": "test",
                "observations": (0..per).map(|j| format!("observation {j} of {prefix}{i}, padded so rows fill several pages")).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({ "entities": entities }).to_string()
}

/// Server-config lines declaring the real npm MCP servers installed by
/// install.sh in tests/mcp/ (`everything`, and `fs` rooted at `fs_root`), or
/// `None` (checks skipped) when they are not installed. With
/// `CAXTON_REQUIRE_MCP=1` missing servers fail the calling test.
#[track_caller]
pub fn mcp_servers_config(fs_root: &Path) -> Option<String> {
    let modules = repo().join("tests/mcp/node_modules/@modelcontextprotocol");
    let everything = modules.join("server-everything/dist/index.js");
    let fs = modules.join("server-filesystem/dist/index.js");
    let installed = everything.is_file() && fs.is_file();
    match (installed, required("CAXTON_REQUIRE_MCP")) {
        (true, _) => Some(format!(
            "[mcp.servers.everything]\ncommand = \"node\"\nargs = [{everything:?}]\n\n\
             [mcp.servers.fs]\ncommand = \"node\"\nargs = [{fs:?}, {root:?}]\n",
            root = fs_root
        )),
        (false, true) => panic!(
            "CAXTON_REQUIRE_MCP=1 but the MCP test servers are not installed (run ./install.sh)"
        ),
        (false, false) => {
            eprintln!("note: MCP test servers not installed (./install.sh); skipping this test");
            None
        }
    }
}
pub mod postgres;
pub mod qdrant;
pub mod recorded_llm;
pub mod wat;
include!("dead_port.rs");
pub use self::wat::abi_module;

/// README's quickstart on `env` (set up with `caxton init`): `sales.csv` in
/// data-analyzer's workspace, then the README's exact command, which must
/// still be in README.md. Returns the run record after checking that the
/// command succeeded.
pub fn run_readme_quickstart(env: &Env) -> serde_json::Value {
    env.write(
        "data/workspaces/data-analyzer/sales.csv",
        "region,revenue\nnorth,10\nsouth,20\n",
    );
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let command =
        r#"caxton agents test data-analyzer --query "Summarise this CSV: sales.csv" --json"#;
    assert!(readme.contains(command), "README's quickstart changed");
    let run = env.run(&[
        "agents",
        "test",
        "data-analyzer",
        "--query",
        "Summarise this CSV: sales.csv",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = run.json();
    assert_eq!(run["status"], "ok", "{run:#}");
    run
}
