//! The MCP memory server's operations (`create-entities` ... `open-nodes`,
//! `read-graph`) and `graph`: JSON in, JSON out, all through the memory
//! service.

use std::path::PathBuf;

use clap::Args;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::Caxton;
use crate::cli::output::Output;
use crate::error::{Error, ExitCode, Result};
use crate::memory::graph::{ObservationAdd, ObservationDelete};
use crate::memory::{Access, Entity, MemoryScope, Relation};

// Who acts (shared by every command that reads or writes the graph).
#[derive(Debug, Args)]
pub struct Who {
    /// Scope new entities are written to
    #[arg(long, value_enum, default_value = "global")]
    scope: MemoryScope,
    /// Act as this agent: its agent scope, plus workspace and global, are visible
    #[arg(long, value_name = "AGENT")]
    agent: Option<String>,
    /// Workspace name for the workspace scope
    #[arg(long, value_name = "NAME")]
    workspace: Option<String>,
}

#[derive(Debug, Args)]
pub struct Input {
    /// Read the JSON arguments from FILE instead of standard input
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Commit without embedding the new observations now; they stay in the
    /// embedding backlog (found by keyword until embedded)
    #[arg(long)]
    no_embed: bool,
}

// A graph operation's JSON input and who performs it.
#[derive(Debug, Args)]
pub struct Op {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    who: Who,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    name: String,
    #[arg(long, default_value_t = 1)]
    depth: usize,
    /// Follow only relations of this type (repeatable)
    #[arg(long = "relation-type", value_name = "TYPE")]
    relation_types: Vec<String>,
    #[command(flatten)]
    who: Who,
}

/// The operations that take an [`Op`].
#[derive(Debug, Clone, Copy)]
pub enum Operation {
    CreateEntities,
    CreateRelations,
    AddObservations,
    DeleteEntities,
    DeleteObservations,
    DeleteRelations,
    SearchNodes,
    OpenNodes,
}

/// Who acts, refusing a write scope that names no owner: an entity in the
/// agent (or workspace) scope without an agent (or workspace) would be
/// visible to nobody.
pub fn access(who: &Who) -> Result<Access> {
    let missing = match who.scope {
        MemoryScope::Agent if who.agent.is_none() => Some("--scope agent needs --agent AGENT"),
        MemoryScope::Workspace if who.workspace.is_none() => {
            Some("--scope workspace needs --workspace NAME")
        }
        _ => None,
    };
    if let Some(message) = missing {
        return Err(Error::Usage {
            message: message.into(),
            hint: "or write to --scope global (the default)".into(),
        });
    }
    Ok(Access::operator(
        who.scope,
        who.agent.clone(),
        who.workspace.clone(),
    ))
}

/// Read `{"<field>": T}` from --file or stdin.
fn read<T: DeserializeOwned>(input: &Input, field: &str) -> Result<T> {
    let text = match &input.file {
        Some(f) => std::fs::read_to_string(f).map_err(|e| Error::io("read", f, e))?,
        None => std::io::read_to_string(std::io::stdin())
            .map_err(|e| Error::io("read", std::path::Path::new("<stdin>"), e))?,
    };
    let bad = |message: String| Error::Usage {
        message,
        hint: format!("pass a JSON object with \"{field}\" on standard input or with --file"),
    };
    let mut v: Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("input is not valid JSON: {e}")))?;
    let inner = v
        .get_mut(field)
        .map(Value::take)
        .ok_or_else(|| bad(format!("input has no \"{field}\" field")))?;
    serde_json::from_value(inner).map_err(|e| bad(format!("\"{field}\": {e}")))
}

/// After a write commits, embed what is pending so semantic search sees it.
/// The write is already durable; without a usable model the rows stay
/// pending and the warning says why.
fn embed_pending(cx: &Caxton, input: &Input, out: &Output) -> Result<()> {
    if input.no_embed {
        return Ok(());
    }
    let e = cx.memory().embed_pending(&mut |_, _| {})?;
    if let Some(reason) = e.reason {
        out.warn(&format!("observations saved; not embedded: {reason}"));
    }
    Ok(())
}

pub fn run(cx: &Caxton, operation: Operation, op: Op, out: &Output) -> Result<ExitCode> {
    let Op { input: i, who: w } = op;
    let memory = cx.memory();
    let result = match operation {
        Operation::CreateEntities => {
            let entities: Vec<Entity> = read(&i, "entities")?;
            let created = memory.create_entities(&access(&w)?, &entities)?;
            embed_pending(cx, &i, out)?;
            json!(created)
        }
        Operation::CreateRelations => {
            let relations: Vec<Relation> = read(&i, "relations")?;
            json!(memory.create_relations(&access(&w)?, &relations)?)
        }
        Operation::AddObservations => {
            let adds: Vec<ObservationAdd> = read(&i, "observations")?;
            let added = memory.add_observations(&access(&w)?, &adds)?;
            embed_pending(cx, &i, out)?;
            json!(added)
        }
        Operation::DeleteEntities => {
            let names: Vec<String> = read(&i, "entityNames")?;
            json!({"deleted": memory.delete_entities(&access(&w)?, &names)?})
        }
        Operation::DeleteObservations => {
            let dels: Vec<ObservationDelete> = read(&i, "deletions")?;
            json!({"deleted": memory.delete_observations(&access(&w)?, &dels)?})
        }
        Operation::DeleteRelations => {
            let relations: Vec<Relation> = read(&i, "relations")?;
            json!({"deleted": memory.delete_relations(&access(&w)?, &relations)?})
        }
        Operation::SearchNodes => {
            let query: String = read(&i, "query")?;
            json!(memory.search_nodes(&access(&w)?, &query)?)
        }
        Operation::OpenNodes => {
            let names: Vec<String> = read(&i, "names")?;
            json!(memory.open_nodes(&access(&w)?, &names)?)
        }
    };
    out.json(&result);
    Ok(ExitCode::Ok)
}

pub fn read_graph(cx: &Caxton, who: &Who, out: &Output) -> Result<ExitCode> {
    out.json(&cx.memory().read_graph(&access(who)?)?);
    Ok(ExitCode::Ok)
}

pub fn neighbourhood(cx: &Caxton, a: GraphArgs, out: &Output) -> Result<ExitCode> {
    let g = cx
        .memory()
        .neighbourhood(&access(&a.who)?, &a.name, a.depth, &a.relation_types)?;
    out.json(&g);
    Ok(ExitCode::Ok)
}
