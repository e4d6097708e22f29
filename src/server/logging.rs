//! The daemon's log: `tracing` events as JSON (or text on a terminal) to
//! stderr, which is what systemd's journal collects, or to `[logging] file`
//! (`server start --log-file`) with rotation and retention by `file-rotate`.
//!
//! The current file always has the configured name (the runbook tails
//! `/var/log/caxton/caxton.log`); rotated files are `caxton.log.1` (newest)
//! up to `keep`. With `rotate = "never"` an external logrotate moves the
//! file and sends SIGHUP, and [`reopen`] starts writing to the configured
//! path again.

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate, TimeFrequency};

use crate::config::{LoggingConfig, ObservabilityConfig, Rotate};
use crate::error::{Error, Result};

type Rotating = FileRotate<AppendCount>;

/// The open log file, for [`reopen`] on SIGHUP. Process-wide like the
/// `tracing` subscriber it feeds.
static FILE: OnceLock<(Arc<Mutex<Rotating>>, LoggingConfig, PathBuf)> = OnceLock::new();

/// Install the subscriber: the log to `file` when given, else stderr, and
/// the OTLP trace exporter when one is configured (src/trace.rs). A second
/// call in one process (tests starting several daemons) keeps the first.
pub fn init(o: &ObservabilityConfig, logging: &LoggingConfig, file: Option<&Path>) -> Result<()> {
    use std::io::IsTerminal;
    use tracing_subscriber::filter::{EnvFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{Layer, Registry};
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("caxton={0},{0}", o.log_level)))
        // Exported spans are not log lines: with no exporter they stay
        // disabled at their call sites.
        .add_directive(
            format!("{}=off", crate::trace::TARGET)
                .parse()
                .expect("a valid directive"),
        );
    let endpoint = crate::trace::endpoint(o.otlp_endpoint.as_deref(), &|k| std::env::var(k).ok())?;
    let terminal = file.is_none() && std::io::stderr().is_terminal();
    let json = match o.log_format.as_str() {
        "json" => true,
        "text" => false,
        _ => !terminal,
    };
    let base = tracing_subscriber::fmt::layer().with_ansi(terminal);
    let log: Box<dyn Layer<Registry> + Send + Sync> = match file {
        Some(path) => {
            let shared = Arc::new(Mutex::new(open(path, logging)?));
            let _ = FILE.set((shared.clone(), logging.clone(), path.to_path_buf()));
            let writer = move || Writer(shared.clone());
            if json {
                base.with_writer(writer).json().flatten_event(true).boxed()
            } else {
                base.with_writer(writer).boxed()
            }
        }
        None if json => base
            .with_writer(std::io::stderr)
            .json()
            .flatten_event(true)
            .boxed(),
        None => base.with_writer(std::io::stderr).boxed(),
    };
    let traces =
        match &endpoint {
            Some(e) => Some(crate::trace::layer(e)?.with_filter(
                Targets::new().with_target(crate::trace::TARGET, tracing::Level::TRACE),
            )),
            None => None,
        };
    let installed = tracing_subscriber::registry()
        .with(log.with_filter(filter))
        .with(traces)
        .try_init()
        .is_ok();
    if let (true, Some(e)) = (installed, &endpoint) {
        tracing::info!(endpoint = %e.shown(), from = e.from, "traces: exporting OTLP over HTTP");
    }
    Ok(())
}

/// Open (or create) the log file, checking up front that it can be written
/// so a wrong path is a startup error, not silently lost logs.
fn open(path: &Path, logging: &LoggingConfig) -> Result<Rotating> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| log_error(path, e))?;
    }
    // What file-rotate needs (read, create, append), plus a mode that keeps
    // other users out: logs name agents, paths and errors.
    let mut open_options = std::fs::OpenOptions::new();
    open_options
        .read(true)
        .create(true)
        .append(true)
        .mode(0o640);
    open_options.open(path).map_err(|e| log_error(path, e))?;
    let limit = match logging.rotate {
        Rotate::Daily => ContentLimit::Time(TimeFrequency::Daily),
        Rotate::Size => ContentLimit::BytesSurpassed(logging.max_file_bytes.max(1) as usize),
        Rotate::Never => ContentLimit::None,
    };
    Ok(FileRotate::new(
        path,
        AppendCount::new(logging.keep),
        limit,
        Compression::None,
        Some(open_options),
    ))
}

/// One event's write: the file is locked for the call, so lines from
/// different threads never interleave.
struct Writer(Arc<Mutex<Rotating>>);

impl std::io::Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush()
    }
}

fn log_error(path: &Path, e: std::io::Error) -> Error {
    Error::Config {
        message: format!("cannot write the log file {}: {e}", path.display()),
        hint: "create the directory and give the daemon's user write access (e.g. `install -d -o caxton /var/log/caxton`), or unset logging.file to log to stderr".into(),
    }
}

/// SIGHUP: write to the configured path again (after an external logrotate
/// moved the file away). Nothing to do when logging to stderr.
pub fn reopen() -> Result<()> {
    let Some((writer, logging, path)) = FILE.get() else {
        return Ok(());
    };
    let fresh = open(path, logging)?;
    *writer.lock().unwrap_or_else(PoisonError::into_inner) = fresh;
    Ok(())
}
