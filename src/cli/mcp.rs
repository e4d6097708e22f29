//! `caxton mcp serve`: Caxton's memory as an MCP server over stdio, a
//! drop-in for `@modelcontextprotocol/server-memory` (see docs/mcp.md).

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand};

use super::memory::graph::{Who, access};
use super::output::Output;
use crate::Caxton;
use crate::error::{Error, ExitCode, Result};
use crate::memory::transfer;
use crate::protocol::agents::Local;
use crate::protocol::mcp::McpServer;

#[derive(Debug, Subcommand)]
pub enum McpCommand {
    /// Serve the memory and the deployed agents to one MCP client over
    /// stdin/stdout (JSON-RPC, one message per line) until it closes stdin
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    who: Who,
    /// Before serving, merge the reference memory server's memory.jsonl
    /// (MEMORY_FILE_PATH of @modelcontextprotocol/server-memory) into the
    /// scope written to; running it again adds nothing twice
    #[arg(long, value_name = "FILE")]
    import_memory_json: Option<PathBuf>,
}

pub fn run(cx: &Caxton, cmd: McpCommand, out: &Output) -> Result<ExitCode> {
    match cmd {
        McpCommand::Serve(a) => {
            let access = access(&a.who)?;
            if let Some(file) = &a.import_memory_json {
                import(cx, file, &access, out)?;
            }
            McpServer::new(cx.memory().clone(), access)
                .with_agents(Arc::new(Local(cx.clone())))
                .serve_stdio()?;
            Ok(ExitCode::Ok)
        }
    }
}

/// Stdout belongs to the protocol: the import reports on stderr.
fn import(
    cx: &Caxton,
    file: &std::path::Path,
    access: &crate::memory::Access,
    out: &Output,
) -> Result<()> {
    let f = std::fs::File::open(file).map_err(|e| Error::io("open", file, e))?;
    let (doc, skipped) = transfer::from_reference_jsonl(&mut std::io::BufReader::new(f), access)?;
    let report = transfer::import(&mut cx.store()?, &doc, cx.memory().max_entities())?;
    let embedded = cx.memory().embed_pending(&mut |_, _| {})?;
    eprintln!(
        "imported {}: {} entities, {} observations, {} relations new",
        file.display(),
        report.entities,
        report.observations,
        report.relations
    );
    if let Some(reason) = embedded.reason {
        out.warn(&format!("observations saved; not embedded: {reason}"));
    }
    if !skipped.is_empty() {
        out.warn(&format!(
            "{} relation(s) skipped: an endpoint is not an entity in the file ({})",
            skipped.len(),
            skipped.join(", ")
        ));
    }
    Ok(())
}
