//! External tools from MCP servers over stdio (JSON-RPC 2.0, one message per
//! line): `initialize`, `tools/list`, `tools/call`.
//!
//! Servers are declared in the server config (`[mcp.servers.NAME] command,
//! args, env, timeout`) and agents name their tools `mcp:NAME/TOOL`. A server
//! is started on first use and kept running; when it has exited (crashed,
//! killed) the next call starts it again. Every request has a deadline, and a
//! request that misses it is cancelled on the server
//! (`notifications/cancelled`) so a slow tool cannot pile up work.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::ToolError;

/// The MCP revision we speak; servers answer with the one they chose.
const PROTOCOL_VERSION: &str = "2025-06-18";
/// A server's line larger than this is treated as a broken server rather
/// than buffered without bound.
const MAX_LINE: u64 = 16 * 1024 * 1024;
/// Lines of a server's stderr kept to explain why it failed.
const STDERR_TAIL: usize = 20;
/// Bytes kept of one stderr line; the rest of a longer line is skipped.
const MAX_STDERR_LINE: usize = 4096;
/// `tools/list` pages and tools accepted from one server: the listing runs
/// while the server table is locked, so a server paging forever (or
/// offering a million tools) must not hold every other MCP call.
const MAX_TOOLS_PAGES: usize = 100;
const MAX_TOOLS: usize = 10_000;
/// The only variables of Caxton's environment a server sees (plus its
/// configured `env`): the daemon's environment holds API keys and tokens.
const INHERITED_ENV: [&str; 2] = ["PATH", "HOME"];

/// One server of the server config: `[mcp.servers.NAME] command = "...",
/// args = [...], env = {...}, timeout = "30s"`. Defined here rather than in
/// `config.rs` so `tools/` does not import the config (which imports
/// `error.rs`, which imports `ToolError`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpServer {
    pub command: String,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Deadline of each request to the server (start-up handshake included).
    #[serde(default = "default_mcp_timeout", with = "humantime_serde")]
    pub timeout: Duration,
}

fn default_mcp_timeout() -> Duration {
    Duration::from_secs(30)
}

/// A tool offered by an MCP server, as `tools/list` describes it.
#[derive(Debug, Clone, Serialize)]
pub struct McpTool {
    pub name: String,
    pub description: String,
    /// JSON Schema of the arguments object.
    pub input_schema: Value,
}

/// Splits `mcp:SERVER/TOOL` into its parts; `None` for any other name.
pub fn parse_name(name: &str) -> Option<(&str, &str)> {
    let (server, tool) = name.strip_prefix("mcp:")?.split_once('/')?;
    (!server.is_empty() && !tool.is_empty()).then_some((server, tool))
}

/// The configured MCP servers and the processes started for them. One per
/// process (see `Caxton::mcp`); dropping it stops the servers.
pub struct McpServers {
    config: BTreeMap<String, McpServer>,
    running: Mutex<HashMap<String, Arc<Connection>>>,
}

impl McpServers {
    pub fn new(config: BTreeMap<String, McpServer>) -> Self {
        McpServers {
            config,
            running: Mutex::new(HashMap::new()),
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.config.keys().map(String::as_str)
    }

    /// The tools `server` offers (listed once per server start).
    pub fn tools(&self, server: &str) -> Result<Vec<McpTool>, ToolError> {
        Ok(self.connection(server)?.tools().to_vec())
    }

    /// Calls `tool` on `server`. The result is the MCP `CallToolResult`
    /// (`content` blocks, and `structuredContent` when the server gives one);
    /// a result the server flags with `isError` becomes [`ToolError::Failed`]
    /// carrying its text.
    pub fn call(&self, server: &str, tool: &str, arguments: Value) -> Result<Value, ToolError> {
        let conn = self.connection(server)?;
        if !conn.tools().iter().any(|t| t.name == tool) {
            return Err(ToolError::UnknownTool {
                name: format!("mcp:{server}/{tool}"),
                suggestions: super::closest(tool, conn.tools().iter().map(|t| t.name.as_str()))
                    .into_iter()
                    .map(|t| format!("mcp:{server}/{t}"))
                    .collect(),
            });
        }
        let mut result = conn.request(
            "tools/call",
            json!({"name": tool, "arguments": arguments}),
            conn.timeout,
        )?;
        let is_error = result.get("isError").and_then(Value::as_bool) == Some(true);
        if let Some(map) = result.as_object_mut() {
            map.remove("isError");
        }
        if is_error {
            return Err(ToolError::failed(format!(
                "mcp:{server}/{tool} failed: {}",
                content_text(&result)
            )));
        }
        Ok(result)
    }

    /// A live connection to `server`, starting the process when there is none
    /// or the previous one has exited.
    fn connection(&self, server: &str) -> Result<Arc<Connection>, ToolError> {
        let config = self.config.get(server).ok_or_else(|| ToolError::Denied {
            message: format!("MCP server `{server}` is not configured"),
            hint: format!(
                "declare it in the server config: [mcp.servers.{server}] command = \"...\""
            ),
        })?;
        // Held while starting, so concurrent first calls start one process.
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(conn) = running.get(server)
            && conn.alive.load(Ordering::Acquire)
        {
            return Ok(conn.clone());
        }
        let conn = Connection::start(server, config)?;
        running.insert(server.to_string(), conn.clone());
        Ok(conn)
    }
}

impl Drop for McpServers {
    fn drop(&mut self) {
        let running = self.running.get_mut().unwrap_or_else(|e| e.into_inner());
        for conn in running.values() {
            conn.stop();
        }
    }
}

type Reply = Result<Value, ToolError>;

/// One running server process.
struct Connection {
    server: String,
    timeout: Duration,
    child: Mutex<Child>,
    stdin: Mutex<ChildStdin>,
    pending: Mutex<HashMap<u64, mpsc::Sender<Reply>>>,
    next_id: AtomicU64,
    alive: AtomicBool,
    stderr: Arc<StderrTail>,
    tools: std::sync::OnceLock<Vec<McpTool>>,
}

impl Connection {
    fn tools(&self) -> &[McpTool] {
        self.tools.get().map_or(&[], Vec::as_slice)
    }

    fn start(server: &str, config: &McpServer) -> Result<Arc<Connection>, ToolError> {
        let mut command = Command::new(&config.command);
        command.env_clear();
        for name in INHERITED_ENV {
            if let Some(value) = std::env::var_os(name) {
                command.env(name, value);
            }
        }
        command
            .args(&config.args)
            .envs(&config.env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        stop_with_parent(&mut command);
        let mut child = spawn_from_launcher(command).map_err(|e| ToolError::Denied {
            message: format!(
                "cannot start MCP server `{server}` (`{}`): {e}",
                config.command
            ),
            hint: format!("check [mcp.servers.{server}] command and args in the server config"),
        })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            return Err(ToolError::failed(format!(
                "MCP server `{server}`: stdio pipes were not created"
            )));
        };
        let tail = Arc::new(StderrTail::default());
        spawn_stderr_reader(stderr, tail.clone());
        let conn = Arc::new(Connection {
            server: server.to_string(),
            timeout: config.timeout,
            child: Mutex::new(child),
            stdin: Mutex::new(stdin),
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            alive: AtomicBool::new(true),
            stderr: tail,
            tools: std::sync::OnceLock::new(),
        });
        let reader = conn.clone();
        std::thread::Builder::new()
            .name(format!("mcp-{server}"))
            .spawn(move || reader.read_loop(stdout))
            .map_err(|e| ToolError::failed(format!("cannot start MCP reader thread: {e}")))?;
        let tools = conn.handshake().inspect_err(|_| conn.stop())?;
        let _ = conn.tools.set(tools);
        Ok(conn)
    }

    /// `initialize`, `notifications/initialized`, then every page of
    /// `tools/list`: all of it within the server's `timeout`, at most
    /// [`MAX_TOOLS_PAGES`] pages and [`MAX_TOOLS`] tools.
    fn handshake(&self) -> Result<Vec<McpTool>, ToolError> {
        let deadline = std::time::Instant::now() + self.timeout;
        let left = || deadline.saturating_duration_since(std::time::Instant::now());
        let init = self.request(
            "initialize",
            json!({
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "caxton", "version": env!("CARGO_PKG_VERSION")},
            }),
            left(),
        )?;
        if init
            .get("protocolVersion")
            .and_then(Value::as_str)
            .is_none()
        {
            return Err(self.bad_response("initialize result has no protocolVersion"));
        }
        self.notify("notifications/initialized", json!({}))?;
        let mut tools = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_TOOLS_PAGES {
            let params = match &cursor {
                Some(c) => json!({"cursor": c}),
                None => json!({}),
            };
            let page = self.request("tools/list", params, left())?;
            let listed = page
                .get("tools")
                .and_then(Value::as_array)
                .ok_or_else(|| self.bad_response("tools/list result has no `tools` array"))?;
            for t in listed {
                let name = t
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| self.bad_response("a tool in tools/list has no `name`"))?;
                tools.push(McpTool {
                    name: name.to_string(),
                    description: t
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    input_schema: t
                        .get("inputSchema")
                        .cloned()
                        .unwrap_or_else(|| json!({"type": "object"})),
                });
            }
            if tools.len() > MAX_TOOLS {
                return Err(
                    self.bad_response(&format!("tools/list offers more than {MAX_TOOLS} tools"))
                );
            }
            cursor = page
                .get("nextCursor")
                .and_then(Value::as_str)
                .map(str::to_string);
            if cursor.is_none() {
                return Ok(tools);
            }
        }
        Err(self.bad_response(&format!(
            "tools/list goes on for more than {MAX_TOOLS_PAGES} pages"
        )))
    }

    /// Sends a request and waits for its answer up to `timeout`.
    fn request(&self, method: &str, params: Value, timeout: Duration) -> Reply {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel();
        self.lock_pending().insert(id, tx);
        let sent =
            self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        if let Err(e) = sent {
            self.lock_pending().remove(&id);
            return Err(e);
        }
        match rx.recv_timeout(timeout) {
            Ok(reply) => reply,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                self.lock_pending().remove(&id);
                // Best effort: the server may already be gone.
                let _ = self.notify(
                    "notifications/cancelled",
                    json!({"requestId": id, "reason": "timeout"}),
                );
                Err(ToolError::LimitExceeded {
                    message: format!(
                        "MCP server `{}` did not answer {method} within {}",
                        self.server,
                        crate::human::duration(timeout)
                    ),
                })
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(self.exited(method)),
        }
    }

    fn notify(&self, method: &str, params: Value) -> Result<(), ToolError> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    fn send(&self, message: &Value) -> Result<(), ToolError> {
        let mut line = message.to_string();
        line.push('\n');
        let mut stdin = self.stdin.lock().unwrap_or_else(|e| e.into_inner());
        stdin
            .write_all(line.as_bytes())
            .and_then(|()| stdin.flush())
            .map_err(|_| {
                self.alive.store(false, Ordering::Release);
                let method = message.get("method").and_then(Value::as_str);
                self.exited(method.unwrap_or("a reply"))
            })
    }

    /// Reads the server's stdout until it closes: answers go to their
    /// waiting request, requests from the server get an answer, anything
    /// else is ignored.
    fn read_loop(&self, stdout: impl Read) {
        let mut reader = BufReader::new(stdout);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match (&mut reader).take(MAX_LINE).read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) if buf.last() != Some(&b'\n') && buf.len() as u64 >= MAX_LINE => {
                    self.note(format!(
                        "stdout line over {MAX_LINE} bytes; stopping the server"
                    ));
                    break;
                }
                Ok(_) => {}
            }
            let Ok(message) = serde_json::from_slice::<Value>(&buf) else {
                // Servers that log to stdout: keep it for diagnostics only.
                self.note(format!(
                    "stdout: {}",
                    String::from_utf8_lossy(&buf).trim_end()
                ));
                continue;
            };
            self.dispatch(message);
        }
        self.alive.store(false, Ordering::Release);
        // Wake every waiter: their answers will never come.
        self.lock_pending().clear();
        self.kill();
    }

    fn dispatch(&self, message: Value) {
        let id = message.get("id").cloned();
        if let Some(method) = message.get("method").and_then(Value::as_str) {
            // A request from the server (e.g. `ping`, `roots/list`). We offer
            // no client capabilities, so only ping succeeds.
            if let Some(id) = id {
                let answer = match method {
                    "ping" => json!({"jsonrpc": "2.0", "id": id, "result": {}}),
                    _ => {
                        json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": format!("method not supported by caxton: {method}")}})
                    }
                };
                let _ = self.send(&answer);
            }
            return;
        }
        let Some(id) = id.as_ref().and_then(Value::as_u64) else {
            return;
        };
        let Some(waiter) = self.lock_pending().remove(&id) else {
            return; // answered after its deadline
        };
        let reply = match (message.get("result"), message.get("error")) {
            (Some(result), None) => Ok(result.clone()),
            (_, Some(error)) => Err(ToolError::failed(format!(
                "MCP server `{}` returned error {}: {}",
                self.server,
                error.get("code").unwrap_or(&Value::Null),
                error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("(no message)")
            ))),
            (None, None) => Err(self.bad_response("a response has neither result nor error")),
        };
        let _ = waiter.send(reply);
    }

    fn lock_pending(&self) -> std::sync::MutexGuard<'_, HashMap<u64, mpsc::Sender<Reply>>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn note(&self, line: String) {
        self.stderr.push(line);
    }

    fn exited(&self, during: &str) -> ToolError {
        let tail = self.stderr.last_lines();
        let said = match tail.is_empty() {
            true => String::new(),
            false => format!("; its last output:\n{}", tail.join("\n")),
        };
        ToolError::failed(format!(
            "MCP server `{}` exited during {during} (it is restarted on the next call){said}",
            self.server
        ))
    }

    fn bad_response(&self, what: &str) -> ToolError {
        ToolError::failed(format!(
            "MCP server `{}` sent a bad response: {what}",
            self.server
        ))
    }

    fn kill(&self) {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }

    fn stop(&self) {
        self.alive.store(false, Ordering::Release);
        self.kill();
    }
}

/// The last lines a server wrote to stderr, to explain why it failed.
#[derive(Default)]
struct StderrTail {
    lines: Mutex<(VecDeque<String>, bool)>,
    closed: Condvar,
}

impl StderrTail {
    fn push(&self, line: String) {
        let mut guard = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        if guard.0.len() == STDERR_TAIL {
            guard.0.pop_front();
        }
        guard.0.push_back(line);
    }

    fn close(&self) {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).1 = true;
        self.closed.notify_all();
    }

    /// The kept lines. A server that just exited may still have output in
    /// the pipe, so this waits briefly for stderr to close: the last words
    /// of a crashing server are usually the useful ones.
    fn last_lines(&self) -> Vec<String> {
        let guard = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = self
            .closed
            .wait_timeout_while(guard, Duration::from_millis(500), |(_, closed)| !*closed)
            .unwrap_or_else(|e| e.into_inner());
        guard.0.iter().cloned().collect()
    }
}

/// Drains the server's stderr (a full pipe would block the server) and keeps
/// its last lines for error messages: read as bytes (invalid UTF-8 is
/// shown lossily, not a reason to stop draining) and at most
/// [`MAX_STDERR_LINE`] bytes of a line kept.
fn spawn_stderr_reader(stderr: impl Read + Send + 'static, tail: Arc<StderrTail>) {
    let _ = std::thread::Builder::new()
        .name("mcp-stderr".into())
        .spawn(move || {
            drain_lines(stderr, |line| tail.push(line));
            tail.close();
        });
}

/// Call `push` with each line of `from` (at most [`MAX_STDERR_LINE`] bytes
/// of it, lossily decoded) until end of file or a read error.
fn drain_lines(from: impl Read, mut push: impl FnMut(String)) {
    let mut reader = BufReader::new(from);
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut reader)
            .take(MAX_STDERR_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
        {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let complete = line.last() == Some(&b'\n');
        line.truncate(MAX_STDERR_LINE);
        let text = String::from_utf8_lossy(&line);
        push(text.trim_end_matches(['\r', '\n']).to_string());
        if !complete {
            // Skip the rest of an over-long line without keeping it.
            let mut rest = Vec::new();
            loop {
                rest.clear();
                match (&mut reader)
                    .take(MAX_STDERR_LINE as u64)
                    .read_until(b'\n', &mut rest)
                {
                    Ok(0) | Err(_) => return,
                    Ok(_) if rest.last() == Some(&b'\n') => break,
                    Ok(_) => {}
                }
            }
        }
    }
}

type Launch = (Command, mpsc::Sender<std::io::Result<Child>>);

/// Spawn `command` from one thread that lives as long as the process.
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child exits,
/// not the process: spawned from a tokio blocking thread (retired after
/// ~10 s idle) a server was killed mid-life. The launcher thread never
/// exits, so the signal still comes exactly when Caxton dies.
fn spawn_from_launcher(command: Command) -> std::io::Result<Child> {
    static LAUNCHER: std::sync::OnceLock<Mutex<mpsc::Sender<Launch>>> = std::sync::OnceLock::new();
    let launcher = LAUNCHER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Launch>();
        let started = std::thread::Builder::new()
            .name("mcp-launcher".into())
            .spawn(move || {
                for (mut command, reply) in rx {
                    let _ = reply.send(command.spawn());
                }
            });
        if let Err(e) = started {
            // No launcher: every request below fails with this error.
            tracing::error!("cannot start the MCP launcher thread: {e}");
        }
        Mutex::new(tx)
    });
    let (reply, answer) = mpsc::channel();
    launcher
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send((command, reply))
        .map_err(|_| std::io::Error::other("the MCP launcher thread is not running"))?;
    answer
        .recv()
        .map_err(|_| std::io::Error::other("the MCP launcher thread is not running"))?
}

/// A server must not outlive a daemon that is killed without cleanup.
fn stop_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe and touches only this child.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
}

/// The text blocks of a `CallToolResult`, joined; used for error messages.
fn content_text(result: &Value) -> String {
    let texts: Vec<&str> = result
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("text").and_then(Value::as_str))
        .collect();
    match texts.is_empty() {
        true => result.to_string(),
        false => texts.join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The misbehaving test server in tests/mcp/, run with Node.js. `None`
    /// (test skipped) on a machine without node, unless CAXTON_REQUIRE_MCP=1
    /// or CAXTON_REQUIRE_ALL=1 (set by .ci/run) make that a failure.
    fn test_server(timeout: Duration) -> Option<McpServers> {
        if Command::new("node").arg("--version").output().is_err() {
            let required = ["CAXTON_REQUIRE_MCP", "CAXTON_REQUIRE_ALL"]
                .iter()
                .any(|v| std::env::var(v).is_ok_and(|v| v == "1"));
            assert!(!required, "node is not installed (apt-get install nodejs)");
            eprintln!("skipped: node is not installed");
            return None;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp/test-server.js");
        let server = McpServer {
            command: "node".into(),
            args: vec![script.into()],
            env: BTreeMap::new(),
            timeout,
        };
        Some(McpServers::new(BTreeMap::from([("t".to_string(), server)])))
    }

    fn echo(servers: &McpServers, message: &str) -> String {
        let result = servers
            .call("t", "echo", json!({"message": message}))
            .unwrap();
        content_text(&result)
    }

    #[test]
    fn a_crashed_server_is_restarted_on_the_next_call() {
        let Some(servers) = test_server(Duration::from_secs(20)) else {
            return;
        };
        let first = echo(&servers, "one");
        assert!(first.ends_with(": one"), "{first}");
        let err = servers
            .call("t", "crash", json!({}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("exited during tools/call"), "{err}");
        assert!(err.contains("crashing on purpose"), "{err}");
        let second = echo(&servers, "two");
        assert!(second.ends_with(": two"), "{second}");
        assert_ne!(
            first.split(':').next(),
            second.split(':').next(),
            "a new process (pid) answers after the crash"
        );
    }

    #[test]
    fn a_call_past_its_deadline_fails_and_the_server_stays_usable() {
        // The handshake runs under the same deadline: long enough for node
        // to start on a loaded machine, and the hang still times out.
        let Some(servers) = test_server(Duration::from_secs(3)) else {
            return;
        };
        // Warm up with a retry so a slow node start does not flake.
        let warm = (0..20).find_map(|_| servers.tools("t").ok());
        assert!(warm.is_some(), "test server did not start");
        // (A slow warm-up may itself have been cancelled: count from here.)
        let cancelled = || -> Vec<Value> {
            let seen = servers.call("t", "cancelled", json!({})).unwrap();
            serde_json::from_str(&content_text(&seen)).unwrap()
        };
        let before = cancelled().len();
        let err = servers.call("t", "hang", json!({})).unwrap_err();
        assert!(matches!(err, ToolError::LimitExceeded { .. }), "{err}");
        assert!(err.to_string().contains("within 3 s"), "{err}");
        assert!(echo(&servers, "after").ends_with(": after"));
        // The server was told to drop the timed-out request.
        let seen = cancelled();
        assert_eq!(seen.len(), before + 1, "{seen:?}");
        assert_eq!(seen[before]["reason"], "timeout", "{seen:?}");
    }

    #[test]
    fn stderr_lines_are_bounded_and_invalid_utf8_does_not_stop_the_drain() {
        let mut input = b"first \xff\xfe line\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_STDERR_LINE * 3));
        input.extend(b"\nlast\n");
        let mut lines = Vec::new();
        drain_lines(&input[..], |l| lines.push(l));
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0], "first \u{fffd}\u{fffd} line");
        assert_eq!(lines[1].len(), MAX_STDERR_LINE);
        assert_eq!(lines[2], "last");
    }

    #[test]
    fn a_server_sees_only_path_home_and_its_configured_env() {
        // SAFETY: set before the server starts; tests read it only through
        // the spawned process.
        unsafe { std::env::set_var("CAXTON_TEST_SECRET_FOR_MCP", "leak") };
        let server = McpServer {
            command: "sh".into(),
            // One line naming every variable: the stderr tail keeps it whole.
            args: vec![
                "-c".into(),
                "echo \"vars: $(env | cut -d= -f1 | tr '\\n' ' ')\" >&2; exit 3".into(),
            ],
            env: BTreeMap::from([("GIVEN".to_string(), "yes".to_string())]),
            timeout: Duration::from_secs(10),
        };
        let servers = McpServers::new(BTreeMap::from([("e".to_string(), server)]));
        let err = servers.tools("e").unwrap_err().to_string();
        assert!(err.contains(" GIVEN "), "{err}");
        assert!(err.contains(" PATH "), "{err}");
        assert!(!err.contains("CAXTON_TEST_SECRET_FOR_MCP"), "{err}");
    }

    #[test]
    fn a_server_outlives_the_thread_that_started_it() {
        let Some(servers) = test_server(Duration::from_secs(20)) else {
            return;
        };
        let servers = Arc::new(servers);
        let first = {
            let servers = servers.clone();
            std::thread::spawn(move || echo(&servers, "one"))
                .join()
                .unwrap()
        };
        // The starting thread has exited: with the death signal tied to it
        // the server would be gone now. Give a SIGTERM time to land.
        std::thread::sleep(Duration::from_millis(500));
        let second = echo(&servers, "two");
        assert_eq!(
            first.split(':').next(),
            second.split(':').next(),
            "the same process (pid) answers: {first} / {second}"
        );
    }

    #[test]
    fn unknown_tools_and_servers_are_named() {
        let Some(servers) = test_server(Duration::from_secs(20)) else {
            return;
        };
        match servers.call("t", "ecko", json!({})).unwrap_err() {
            ToolError::UnknownTool { name, suggestions } => {
                assert_eq!(name, "mcp:t/ecko");
                assert_eq!(suggestions, vec!["mcp:t/echo"]);
            }
            other => panic!("{other}"),
        }
        let err = servers.call("nope", "echo", json!({})).unwrap_err();
        assert!(
            err.to_string().contains("`nope` is not configured"),
            "{err}"
        );
        assert_eq!(parse_name("mcp:a/b"), Some(("a", "b")));
        assert_eq!(parse_name("mcp:a"), None);
        assert_eq!(parse_name("csv_parser"), None);
    }
}
