//! Memory (README.md, "Memory"): a knowledge graph of entities, observations and
//! relations, searchable by keyword (FTS5) and by meaning. Callers go
//! through [`Memory`] (service.rs); the other modules are its SQLite parts.

pub(crate) mod bert;
pub mod embed;
pub(crate) mod external;
pub mod graph;
pub mod index;
pub(crate) mod maintenance;
pub(crate) mod migrate;
pub(crate) mod postgres;
pub mod search;
pub(crate) mod service;
pub(crate) mod status;
pub mod transfer;
pub mod vectors;

use serde::{Deserialize, Serialize};

pub use service::Memory;

/// Which memory an agent reads and writes by default (`[memory] scope` in
/// its TOML): its own, its workspace's, or the global one.
#[derive(
    Debug, Clone, Copy, Serialize, Deserialize, schemars::JsonSchema, PartialEq, Eq, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum MemoryScope {
    /// Visible only to the agent that wrote it.
    Agent,
    /// Shared by the agents of one workspace.
    Workspace,
    /// Shared by every agent and the operator.
    Global,
}

/// Who is reading or writing, which decides what is visible: an agent sees
/// its own agent scope, its workspace and global; an operator sees all.
#[derive(Debug, Clone)]
pub struct Access {
    /// The agent acting, or `None` for an operator at the CLI.
    pub agent: Option<String>,
    /// The workspace the agent belongs to (its `workspace` scope), if any.
    pub workspace: Option<String>,
    /// Scope that new entities are written to.
    pub write_scope: MemoryScope,
}

impl Access {
    /// Access for an operator at the CLI (sees every scope), writing new
    /// entities to `write_scope` of `agent` / `workspace` when given.
    pub fn operator(
        write_scope: MemoryScope,
        agent: Option<String>,
        workspace: Option<String>,
    ) -> Access {
        Access {
            agent,
            workspace,
            write_scope,
        }
    }

    /// `(scope, scope_id)` for new entities.
    pub fn write_target(&self) -> (&'static str, String) {
        match self.write_scope {
            MemoryScope::Agent => ("agent", self.agent.clone().unwrap_or_default()),
            MemoryScope::Workspace => ("workspace", self.workspace.clone().unwrap_or_default()),
            MemoryScope::Global => ("global", String::new()),
        }
    }

    pub(crate) fn creator(&self) -> String {
        self.agent.clone().unwrap_or_else(|| "cli".into())
    }
}

/// An entity in the MCP memory server's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Entity {
    /// The entity's name, unique within its scope.
    pub name: String,
    /// A free-form type (`person`, `project`, ...), a search filter.
    pub entity_type: String,
    /// Facts about the entity, one string each (each one embedded for
    /// semantic search).
    #[serde(default)]
    pub observations: Vec<String>,
}

/// A directed, typed edge between two entities, named by entity name
/// (`from` --`relationType`--> `to`), in the MCP memory server's shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Relation {
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) relation_type: String,
}

/// A set of entities and the relations among them: what `read_graph`,
/// `search_nodes` and `open_nodes` return.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Graph {
    pub(crate) entities: Vec<Entity>,
    pub(crate) relations: Vec<Relation>,
}

pub(crate) fn scope_name(s: MemoryScope) -> &'static str {
    match s {
        MemoryScope::Agent => "agent",
        MemoryScope::Workspace => "workspace",
        MemoryScope::Global => "global",
    }
}
