//! `caxton server start|status` and `caxton shutdown`: the daemon's
//! lifecycle from the command line.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Subcommand;
use serde_json::json;

use super::output::{self, DIM, Output};
use crate::Caxton;
use crate::config::Overrides;
use crate::error::{Error, ExitCode, Result};
use crate::server::client::Client;
use crate::server::{self, StartOptions};

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Run the daemon in the foreground (HTTP API, metrics, agent hot reload)
    Start {
        /// Address to bind [default: server.host, 127.0.0.1]; non-loopback needs server.auth_token
        #[arg(long, value_name = "HOST")]
        host: Option<String>,
        /// API port [default: server.port, 8080]; 0 picks a free port (see run/caxton.url)
        #[arg(long, value_name = "N")]
        port: Option<u16>,
        /// Write the log to FILE (rotated as `logging.rotate` says) instead
        /// of stderr [default: logging.file]
        #[arg(long, value_name = "FILE")]
        log_file: Option<PathBuf>,
    },
    /// Whether a daemon runs for this data directory, and its health
    Status,
}

pub fn run(ov: &Overrides, cx: Caxton, cmd: ServerCommand, out: &Output) -> Result<ExitCode> {
    match cmd {
        ServerCommand::Start {
            host,
            port,
            log_file,
        } => {
            drop(cx);
            server::start(StartOptions {
                overrides: ov.clone(),
                host,
                port,
                log_file,
            })?;
            Ok(ExitCode::Ok)
        }
        ServerCommand::Status => status(&cx, out),
    }
}

fn status(cx: &Caxton, out: &Output) -> Result<ExitCode> {
    let client = Client::require(cx)?;
    let health = client.get("/api/v1/health/detailed", Some(Duration::from_secs(10)))?;
    if out.json {
        let mut v = health;
        v["url"] = json!(client.url);
        out.json(&v);
        return Ok(ExitCode::Ok);
    }
    let c = &health["components"];
    out.line(format!(
        "{} caxton daemon {} (pid {}) at {}",
        output::glyph(
            (health["status"] != "healthy").then_some(crate::diagnostics::Severity::Warning)
        ),
        health["status"].as_str().unwrap_or("?"),
        health["pid"],
        client.url
    ));
    out.line(format!(
        "  {DIM}uptime{DIM:#}      {}",
        humantime::format_duration(Duration::from_secs(
            health["uptime_seconds"].as_u64().unwrap_or(0)
        ))
    ));
    out.line(format!(
        "  {DIM}agents{DIM:#}      {} config, {} wasm",
        c["agents"]["config"], c["agents"]["wasm"]
    ));
    out.line(format!(
        "  {DIM}database{DIM:#}    {}",
        c["sqlite_db"].as_str().unwrap_or("?")
    ));
    out.line(format!(
        "  {DIM}model{DIM:#}       {}",
        c["embedding_model"].as_str().unwrap_or("?")
    ));
    out.line(format!("  {DIM}ready{DIM:#}       {}", health["ready"]));
    if health["safe_mode"] == true {
        out.line("  safe mode: writes are refused");
    }
    Ok(ExitCode::Ok)
}

/// `caxton shutdown [--graceful] [--timeout 30s]`: ask the daemon to stop
/// and wait until it has (its lock is released), like systemd's ExecStop.
pub fn shutdown(cx: &Caxton, graceful: bool, timeout: Duration, out: &Output) -> Result<ExitCode> {
    let client = Client::require(cx)?;
    let body =
        json!({"graceful": graceful, "timeout": humantime::format_duration(timeout).to_string()});
    client.post("/api/v1/shutdown", &body, Some(Duration::from_secs(10)))?;
    // Execution grace, then time for the flush and exit.
    let deadline = Instant::now() + timeout + Duration::from_secs(10);
    while Instant::now() < deadline {
        if Client::find(cx)?.is_none() {
            if out.json {
                out.json(&json!({"stopped": true, "graceful": graceful}));
            } else {
                out.line(format!("{} daemon stopped", output::glyph(None)));
            }
            return Ok(ExitCode::Ok);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(Error::DaemonUnreachable {
        url: client.url,
        message: "the daemon accepted the shutdown but is still running".into(),
    })
}
