//! Memory for running agents: the prompt's memory context (top-k hybrid
//! search, token-budgeted) and the backend of the `memory_*` tools, both
//! scoped by the agent's [`Access`] and both through the one memory service
//! ([`Memory`]), so a run behaves as the CLI and the daemon do.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::memory::search::Options;
use crate::memory::{Access, Entity, Memory, Relation};
use crate::tools::ToolError;
use crate::tools::memory::MemoryBackend;

/// What the memory contributed to a prompt.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// `hybrid` or `keyword`.
    pub mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub hits: usize,
    /// Estimated tokens of `text` (4 characters per token).
    pub tokens: usize,
    /// Why the run's summary was not remembered (e.g. memory is full).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_remembered: Option<String>,
    #[serde(skip)]
    pub text: String,
}

/// Rough token count: good enough to keep a budget, no tokenizer needed.
pub fn estimate_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

/// The top `limit` memories for `query` that are about it, one line each,
/// best first, cut at `budget` tokens.
///
/// With the embedding model (hybrid search), a memory is recalled only when
/// the text that would go into the prompt is at least `min_similarity`
/// (cosine) from the query. The search applies that to the observations it
/// has vectors for (their mode is then "hybrid"), but one found by keywords
/// alone may have none yet: written with `--no-embed`, or behind a backlog
/// too large for a run to embed ([`Memory::embed_written`]), and every
/// summary shares words such as "the" or "csv" with the next request.
/// Unchecked, each run's summary, answer included, was recalled into the
/// next, unrelated one (an eval's prompts grew from ~200 to ~700 tokens and
/// repeated old answers). So those hits are embedded here and held to the
/// same threshold. Keyword-only search (no model) has no such measure and
/// keeps its hits.
pub fn context(
    memory: &Memory,
    access: &Access,
    query: &str,
    limit: usize,
    min_similarity: Option<f32>,
    budget: usize,
) -> Result<Context> {
    let opts = Options {
        limit,
        min_similarity,
        ..Options::default()
    };
    let mut found = memory.search(access, query, &opts)?;
    if let (Some(min), "hybrid") = (min_similarity, found.mode) {
        let unchecked: Vec<usize> = (0..found.results.len())
            .filter(|&i| found.results[i].mode == "keyword")
            .collect();
        if !unchecked.is_empty() {
            // The text an observation's vector is computed from (see
            // `memory::vectors`): the entity's name, then the observation.
            let texts: Vec<String> = unchecked
                .iter()
                .map(|&i| {
                    let h = &found.results[i];
                    format!("{}: {}", h.name, h.matched)
                })
                .collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let model = memory.model()?;
            let q = model.embed_query(query)?;
            let vectors = model.embed(&refs)?;
            let unrelated: Vec<usize> = unchecked
                .iter()
                .zip(&vectors)
                .filter(|(_, v)| cosine(&q, v) < min)
                .map(|(&i, _)| i)
                .collect();
            found.results = std::mem::take(&mut found.results)
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !unrelated.contains(i))
                .map(|(_, h)| h)
                .collect();
        }
    }
    let mut text = String::new();
    let mut hits = 0;
    for h in &found.results {
        let line = if h.matched.is_empty() {
            format!("- {} ({})\n", h.name, h.entity_type)
        } else {
            format!("- {} ({}): {}\n", h.name, h.entity_type, h.matched)
        };
        if estimate_tokens(&text) + estimate_tokens(&line) > budget {
            break;
        }
        text.push_str(&line);
        hits += 1;
    }
    Ok(Context {
        mode: found.mode,
        reason: found.reason,
        hits,
        tokens: estimate_tokens(&text),
        not_remembered: None,
        text,
    })
}

/// Cosine similarity of two unit vectors (the embedder normalises).
fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The `memory_*` tools' view of memory for one caller.
pub struct AgentMemory {
    pub memory: Arc<Memory>,
    pub access: Access,
}

fn failed(e: Error) -> ToolError {
    match e {
        Error::EntityNotFound { name } => ToolError::Failed {
            message: format!(
                "Entity not found: {name} (store it first with memory_store, or find its name with memory_search)"
            ),
        },
        Error::Usage { message, .. } => ToolError::Failed { message },
        other => ToolError::Failed {
            message: match other.hint() {
                Some(hint) => format!("{other} ({hint})"),
                None => other.to_string(),
            },
        },
    }
}

impl MemoryBackend for AgentMemory {
    fn search(&self, query: &str, limit: usize) -> std::result::Result<Value, ToolError> {
        let opts = Options {
            limit,
            ..Options::default()
        };
        let found = self
            .memory
            .search(&self.access, query, &opts)
            .map_err(failed)?;
        Ok(json!(found))
    }

    fn store(
        &self,
        entity: &str,
        entity_type: &str,
        observations: &[String],
    ) -> std::result::Result<Value, ToolError> {
        let new = Entity {
            name: entity.to_string(),
            entity_type: entity_type.to_string(),
            observations: observations.to_vec(),
        };
        let r = self.memory.remember(&self.access, &new).map_err(failed)?;
        Ok(json!(r))
    }

    fn relate(
        &self,
        from: &str,
        to: &str,
        relation_type: &str,
    ) -> std::result::Result<Value, ToolError> {
        let r = Relation {
            from: from.to_string(),
            to: to.to_string(),
            relation_type: relation_type.to_string(),
        };
        let created = self
            .memory
            .create_relations(&self.access, std::slice::from_ref(&r))
            .map_err(failed)?;
        Ok(json!({"relation": r, "created": !created.is_empty()}))
    }
}
