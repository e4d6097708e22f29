//! Tools that hand untrusted input to a library which may allocate without
//! bound (jaq for `json_processor`, calamine for `xlsx_reader`) run in a
//! worker process: the caxton binary re-executed as `caxton tool-worker`
//! (an internal command, `cli::tool_worker`), under an address-space, CPU-time and wall-clock
//! limit.
//!
//! Why a process and not a thread: a failed allocation aborts a Rust process
//! (a global allocator may not unwind, and the stable toolchain has no hook
//! to turn it into a panic), and both libraries allocate some results in one
//! piece sized by the input before any check of ours can run (`"abc" *
//! 1000000000000`, an xls sheet's declared dimensions), or spend unbounded
//! time in one call where no step of ours runs (`tojson` of a value built
//! from shared parts). In a worker such an abort or a runaway ends the
//! worker, and the call is a tool error; the daemon lives. The in-process limits of each tool
//! still apply inside the worker and give the precise messages; the worker's
//! limits are the backstop for whatever they cannot see coming.
//!
//! One worker per call (no pool): a fresh process has nothing left over from
//! an earlier, possibly hostile, call, and its start is small next to the
//! model round that chose the tool call (`scripts/bench-cli` measures a
//! worker's whole cost: `caxton tool-worker`).

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Tool, ToolContext, ToolError};

/// The internal command that runs one tool call read from stdin.
pub const WORKER_COMMAND: &str = "tool-worker";
/// Address space of a worker: jq's 1 GiB reserved stack and 512 MiB heap
/// cap, a spreadsheet of `xlsx_reader::MAX_CELLS` cells, with room to spare.
/// An allocation past it fails, and the worker aborts.
pub const WORKER_ADDRESS_SPACE: u64 = 4 << 30;
/// CPU time of a worker (the kernel stops it with SIGXCPU past it).
pub const WORKER_CPU: Duration = Duration::from_secs(30);
/// Wall-clock time of a worker; the caller kills it past this.
pub const WORKER_WALL: Duration = Duration::from_secs(30);
/// The largest answer read from a worker: the tools' own output caps are far
/// below it (jq: 16 MiB of outputs).
pub const WORKER_OUTPUT: u64 = 128 << 20;
/// How much of a dead worker's stderr is kept for the error message.
const STDERR_TAIL: usize = 4096;

/// The binary to re-execute, set once by the command line. Unset (the
/// library's own unit tests, whose executable is a test harness without the
/// worker subcommand), isolated tools run in-process.
static WORKER_EXE: OnceLock<PathBuf> = OnceLock::new();

/// Run isolated tools in workers of this executable from now on. On Linux
/// `/proc/self/exe` names the running binary even after a package upgrade
/// replaced or removed the file on disk.
pub fn enable() {
    let exe = if cfg!(target_os = "linux") {
        Ok(PathBuf::from("/proc/self/exe"))
    } else {
        std::env::current_exe()
    };
    if let Ok(exe) = exe {
        let _ = WORKER_EXE.set(exe);
    }
}

/// One call, as the worker receives it on stdin.
#[derive(Serialize, Deserialize)]
struct Request {
    tool: String,
    args: Value,
    workspace: PathBuf,
    read_root: Option<PathBuf>,
    config: Map<String, Value>,
}

/// Run `tool` (arguments already validated) in a worker, or in-process when
/// no worker binary is set.
pub(super) fn run(tool: &dyn Tool, ctx: &ToolContext, args: Value) -> Result<Value, ToolError> {
    let Some(exe) = WORKER_EXE.get() else {
        return tool.run(ctx, args);
    };
    let name = tool.name();
    let request = serde_json::to_vec(&Request {
        tool: name.to_string(),
        args,
        workspace: ctx.workspace.clone(),
        read_root: ctx.read_root.clone(),
        config: ctx.config.clone(),
    })
    .map_err(|e| ToolError::failed(format!("{name}: cannot pass the call to a worker: {e}")))?;
    let mut child = Command::new(exe)
        .arg(WORKER_COMMAND)
        // The worker needs nothing from the environment, and gets none of
        // the daemon's secrets.
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ToolError::failed(format!("{name}: cannot start a worker process: {e}")))?;
    let pid = child.id();
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        // Not reached: all three pipes were asked for.
        let _ = child.kill();
        let _ = child.wait();
        return Err(ToolError::failed(format!(
            "{name}: the worker has no pipes"
        )));
    };
    let (done, finished) = mpsc::channel::<()>();
    let (answer, over_output, timed_out, stderr_tail) = std::thread::scope(|scope| {
        // The worker reads the whole request before it writes anything, so
        // writing on a thread of its own cannot deadlock with the reads.
        scope.spawn(move || {
            let _ = stdin.write_all(&request);
        });
        let watchdog = scope.spawn(move || {
            let late = matches!(
                finished.recv_timeout(WORKER_WALL),
                Err(RecvTimeoutError::Timeout)
            );
            if late {
                kill(pid);
            }
            late
        });
        let tail = scope.spawn(move || read_tail(stderr));
        let mut answer = Vec::new();
        let read = stdout.take(WORKER_OUTPUT + 1).read_to_end(&mut answer);
        let over_output = answer.len() as u64 > WORKER_OUTPUT;
        if over_output || read.is_err() {
            kill(pid);
        }
        // stderr ends when the worker has exited (or was killed).
        let stderr_tail = tail.join().unwrap_or_default();
        let _ = done.send(());
        let timed_out = watchdog.join().unwrap_or(false);
        (answer, over_output, timed_out, stderr_tail)
    });
    // Reaped only now: until here the pid cannot be reused, so `kill` above
    // could only reach our own worker.
    let status = child
        .wait()
        .map_err(|e| ToolError::failed(format!("{name}: cannot wait for the worker: {e}")))?;
    if over_output {
        return Err(ToolError::failed(format!(
            "{name}: the result is larger than {} MiB; ask for less",
            WORKER_OUTPUT >> 20
        )));
    }
    if timed_out {
        return Err(ToolError::failed(format!(
            "{name}: the call ran longer than {}s and was stopped",
            WORKER_WALL.as_secs()
        )));
    }
    if status.success() {
        return serde_json::from_slice::<Result<Value, ToolError>>(&answer).unwrap_or_else(|e| {
            Err(ToolError::failed(format!(
                "{name}: the worker's answer is not readable: {e}"
            )))
        });
    }
    Err(ToolError::failed(died(name, status, &stderr_tail)))
}

/// What a worker that ended without an answer ran into.
fn died(name: &str, status: std::process::ExitStatus, stderr: &str) -> String {
    let line = |needle: &str| stderr.lines().find(|l| l.contains(needle)).map(str::trim);
    if let Some(oom) = line("memory allocation of") {
        format!(
            "{name}: the input needs more memory than the {} GiB a tool call may use \
             (the worker stopped: {oom})",
            WORKER_ADDRESS_SPACE >> 30
        )
    } else if status.signal() == Some(libc::SIGXCPU) {
        format!(
            "{name}: the call used more than {}s of CPU time and was stopped",
            WORKER_CPU.as_secs()
        )
    } else if stderr.contains("has overflowed its stack") {
        format!("{name}: the input nests too deeply (the worker overflowed its stack)")
    } else {
        // A panic's message, else the last line the worker printed.
        let last = line("panicked at")
            .or_else(|| stderr.lines().rev().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or("");
        format!("{name}: the worker process failed ({status}): {last}")
    }
}

fn kill(pid: u32) {
    // SAFETY: kill(2) has no memory effects; `pid` is our unreaped child
    // (see `run`), so it names no other process.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGKILL);
    }
}

/// Read `from` to its end, keeping the last [`STDERR_TAIL`] bytes.
fn read_tail(mut from: impl Read) -> String {
    let mut kept: Vec<u8> = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                kept.extend_from_slice(&buf[..n]);
                if kept.len() > STDERR_TAIL {
                    kept.drain(..kept.len() - STDERR_TAIL);
                }
            }
        }
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// The worker: limit this process, read one call from stdin, run it, write
/// `Ok(result)` or `Err(tool error)` as JSON to stdout. Returns the exit
/// status: 0 whenever an answer was written.
pub fn worker_main() -> u8 {
    limit_this_process();
    let answer = serve(std::io::stdin().lock());
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut out, &answer).is_ok() && out.flush().is_ok();
    if written { 0 } else { 1 }
}

fn serve(mut input: impl Read) -> Result<Value, ToolError> {
    let mut request = Vec::new();
    input
        .read_to_end(&mut request)
        .map_err(|e| ToolError::failed(format!("tool worker: cannot read the call: {e}")))?;
    let request: Request = serde_json::from_slice(&request)
        .map_err(|e| ToolError::failed(format!("tool worker: the call is not readable: {e}")))?;
    let tool = super::find(&request.tool)?;
    let ctx = ToolContext {
        workspace: request.workspace,
        read_root: request.read_root,
        config: request.config,
        memory: None,
        messaging: None,
    };
    tool.run(&ctx, request.args)
}

/// The worker's own limits, set before it reads the call: address space
/// and CPU time as above, no core files, and SIGKILL when the thread that
/// started it (which waits for it) goes away.
fn limit_this_process() {
    let limits = [
        (libc::RLIMIT_AS, WORKER_ADDRESS_SPACE, WORKER_ADDRESS_SPACE),
        (
            libc::RLIMIT_CPU,
            WORKER_CPU.as_secs(),
            WORKER_CPU.as_secs() + 1,
        ),
        (libc::RLIMIT_CORE, 0, 0),
    ];
    for (resource, soft, hard) in limits {
        let mut current = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit only read or write the struct we
        // pass. A limit already lower than ours is kept (never raised).
        unsafe {
            if libc::getrlimit(resource, &mut current) == 0 {
                let limit = libc::rlimit {
                    rlim_cur: (soft as libc::rlim_t).min(current.rlim_max),
                    rlim_max: (hard as libc::rlim_t).min(current.rlim_max),
                };
                libc::setrlimit(resource, &limit);
            }
        }
    }
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number only.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
    }
}
