//! `memory_search`, `memory_store`, `memory_relate`: the knowledge graph as
//! tools. The tools only validate and translate arguments; the memory itself
//! is reached through [`MemoryBackend`], which the caller (the run loop, or
//! `caxton tools run`) builds with the right scope, so an agent can never
//! reach beyond what its `Access` sees.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::{GroundedArg, Tool, ToolContext, ToolError, parse_args, schema_of};

/// Text with something besides whitespace (what `memory_store` checks of
/// each observation). Anchored, so it means the same whether a validator
/// searches for it or matches it whole (llguidance).
const NOT_BLANK: &str = r"^\s*\S[\s\S]*$";

/// The memory as seen by one caller.
pub trait MemoryBackend: Send + Sync {
    fn search(&self, query: &str, limit: usize) -> Result<Value, ToolError>;
    fn store(
        &self,
        entity: &str,
        entity_type: &str,
        observations: &[String],
    ) -> Result<Value, ToolError>;
    fn relate(&self, from: &str, to: &str, relation_type: &str) -> Result<Value, ToolError>;
}

/// A shared backend in a [`ToolContext`].
#[derive(Clone)]
pub struct MemoryHandle(pub Arc<dyn MemoryBackend>);

impl std::fmt::Debug for MemoryHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryHandle")
    }
}

fn backend(ctx: &ToolContext) -> Result<&dyn MemoryBackend, ToolError> {
    ctx.memory
        .as_ref()
        .map(|m| m.0.as_ref())
        .ok_or_else(|| ToolError::Failed {
            message: "no memory is attached to this call".into(),
        })
}

pub struct MemorySearch;
pub struct MemoryStore;
pub struct MemoryRelate;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SearchArgs {
    /// What to look for: words or a question; matched by meaning and keywords.
    #[schemars(length(min = 1))]
    query: String,
    /// Most results to return (default 5).
    #[schemars(range(min = 1, max = 20))]
    limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct StoreArgs {
    /// The entity the facts are about (created if it does not exist).
    #[schemars(length(min = 1))]
    entity: String,
    /// Kind of entity, e.g. `dataset`, `person`, `finding` (default `note`).
    entity_type: Option<String>,
    /// Facts to remember, one short sentence each.
    #[schemars(length(min = 1), inner(pattern(NOT_BLANK)))]
    observations: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RelateArgs {
    /// Name of an existing entity.
    #[schemars(length(min = 1))]
    from: String,
    /// Name of an existing entity.
    #[schemars(length(min = 1))]
    to: String,
    /// The relation in active voice, e.g. `depends_on`, `summarises`.
    #[schemars(length(min = 1))]
    relation_type: String,
}

impl Tool for MemorySearch {
    fn name(&self) -> &'static str {
        "memory_search"
    }
    fn description(&self) -> &'static str {
        "Search the agent's memory (knowledge graph) by meaning and keywords; returns matching entities with the observation that matched"
    }
    fn parameters(&self) -> Value {
        schema_of::<SearchArgs>()
    }
    fn grounded_args(&self) -> &'static [GroundedArg] {
        &[GroundedArg::Question { name: "query" }]
    }
    fn run(&self, ctx: &ToolContext, args: Value) -> Result<Value, ToolError> {
        let a: SearchArgs = parse_args(self.name(), args)?;
        backend(ctx)?.search(&a.query, a.limit.unwrap_or(5) as usize)
    }
}

impl Tool for MemoryStore {
    fn name(&self) -> &'static str {
        "memory_store"
    }
    fn description(&self) -> &'static str {
        "Remember facts: add observations to an entity in the agent's memory, creating the entity if needed"
    }
    fn parameters(&self) -> Value {
        schema_of::<StoreArgs>()
    }
    fn grounded_args(&self) -> &'static [GroundedArg] {
        &[GroundedArg::Statement {
            name: "observations",
            entity: "entity",
        }]
    }
    fn run(&self, ctx: &ToolContext, args: Value) -> Result<Value, ToolError> {
        let a: StoreArgs = parse_args(self.name(), args)?;
        if a.observations.iter().any(|o| o.trim().is_empty()) {
            return Err(ToolError::invalid_args(
                self.name(),
                "/observations: observations must not be empty",
            ));
        }
        let kind = a.entity_type.as_deref().unwrap_or("note");
        backend(ctx)?.store(&a.entity, kind, &a.observations)
    }
}

impl Tool for MemoryRelate {
    fn name(&self) -> &'static str {
        "memory_relate"
    }
    fn description(&self) -> &'static str {
        "Connect two existing entities in the agent's memory with a named relation"
    }
    fn parameters(&self) -> Value {
        schema_of::<RelateArgs>()
    }
    fn run(&self, ctx: &ToolContext, args: Value) -> Result<Value, ToolError> {
        let a: RelateArgs = parse_args(self.name(), args)?;
        backend(ctx)?.relate(&a.from, &a.to, &a.relation_type)
    }
}
