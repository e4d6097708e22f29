//! Memory for running agents: the prompt's memory context (top-k hybrid
//! search, token-budgeted) and the backend of the `memory_*` tools, both
//! scoped by the agent's [`Access`]. The embedder and vector index are
//! loaded once per [`Semantic`] cache and shared by every run using it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::memory::embed::Embedder;
use crate::memory::index::{self, VectorIndex};
use crate::memory::search::{self, Options, Outcome};
use crate::memory::{Access, Entity, Relation, graph};
use crate::paths::Paths;
use crate::store::Store;
use crate::tools::ToolError;
use crate::tools::memory::MemoryBackend;

/// The embedding model and vector index, loaded on first use. Without the
/// model, searches run on keywords and say why.
pub struct Semantic {
    models_dir: PathBuf,
    cache_dir: PathBuf,
    embedder: OnceLock<std::result::Result<Embedder, String>>,
    index: Mutex<Option<VectorIndex>>,
}

impl Semantic {
    pub fn new(paths: &Paths) -> Semantic {
        Semantic {
            models_dir: paths.models_dir.clone(),
            cache_dir: paths.cache_dir(),
            embedder: OnceLock::new(),
            index: Mutex::new(None),
        }
    }

    /// Hybrid search in what `access` sees.
    pub fn search(
        &self,
        store: &Store,
        access: &Access,
        query: &str,
        min_similarity: Option<f32>,
        limit: usize,
    ) -> Result<Outcome> {
        let opts = Options {
            limit,
            ..Options::default()
        };
        let embedder = self.embedder.get_or_init(|| {
            Embedder::load(&self.models_dir).map_err(|e| match e {
                Error::ModelMissing { dir } => format!(
                    "embedding model not found in {}; run scripts/fetch-models or set CAXTON_MODELS_DIR",
                    dir.display()
                ),
                other => format!("embedding model failed to load: {other}"),
            })
        });
        let embedder = match embedder {
            Ok(e) => e,
            Err(reason) => {
                return search::search(store, access, Err(reason.clone()), query, None, &opts);
            }
        };
        // A poisoned lock only means another run panicked mid-sync; the
        // index is rebuilt from the store below either way.
        let mut guard = self.index.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_mut() {
            Some(ix) => {
                ix.sync(store)?;
            }
            None => {
                *guard = Some(index::open_cached(store, &self.cache_dir)?.0);
            }
        }
        let Some(ix) = guard.as_ref() else {
            return search::search(
                store,
                access,
                Err("no vector index".into()),
                query,
                None,
                &opts,
            );
        };
        search::search(
            store,
            access,
            Ok(search::Semantic {
                embedder,
                index: ix,
            }),
            query,
            min_similarity,
            &opts,
        )
    }
}

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
    #[serde(skip)]
    pub text: String,
}

/// Rough token count: good enough to keep a budget, no tokenizer needed.
pub fn estimate_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

/// The top `limit` memories for `query`, one line each, best first, cut
/// at `budget` tokens.
pub fn context(
    semantic: &Semantic,
    store: &Store,
    access: &Access,
    query: &str,
    limit: usize,
    min_similarity: Option<f32>,
    budget: usize,
) -> Result<Context> {
    let found = semantic.search(store, access, query, min_similarity, limit)?;
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
        text,
    })
}

/// The `memory_*` tools' view of the store for one caller.
pub struct AgentMemory {
    pub db: PathBuf,
    pub access: Access,
    pub semantic: Arc<Semantic>,
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
            message: other.to_string(),
        },
    }
}

impl AgentMemory {
    fn open(&self) -> std::result::Result<Store, ToolError> {
        Store::open(&self.db).map_err(failed)
    }
}

impl MemoryBackend for AgentMemory {
    fn search(&self, query: &str, limit: usize) -> std::result::Result<Value, ToolError> {
        let store = self.open()?;
        let found = self
            .semantic
            .search(&store, &self.access, query, None, limit)
            .map_err(failed)?;
        Ok(json!(found))
    }

    fn store(
        &self,
        entity: &str,
        entity_type: &str,
        observations: &[String],
    ) -> std::result::Result<Value, ToolError> {
        let mut store = self.open()?;
        let new = Entity {
            name: entity.to_string(),
            entity_type: entity_type.to_string(),
            observations: observations.to_vec(),
        };
        let created = graph::create_entities(&mut store, &self.access, &[new]).map_err(failed)?;
        if let Some(e) = created.first() {
            return Ok(json!({"entity": e.name, "created": true, "added": e.observations}));
        }
        // The entity exists: add to it (duplicates are skipped).
        let added = graph::add_observations(
            &mut store,
            &self.access,
            &[graph::ObservationAdd {
                entity_name: entity.to_string(),
                contents: observations.to_vec(),
            }],
        )
        .map_err(failed)?;
        let added: Vec<String> = added
            .into_iter()
            .flat_map(|a| a.added_observations)
            .collect();
        Ok(json!({"entity": entity, "created": false, "added": added}))
    }

    fn relate(
        &self,
        from: &str,
        to: &str,
        relation_type: &str,
    ) -> std::result::Result<Value, ToolError> {
        let mut store = self.open()?;
        let r = Relation {
            from: from.to_string(),
            to: to.to_string(),
            relation_type: relation_type.to_string(),
        };
        let created = graph::create_relations(&mut store, &self.access, std::slice::from_ref(&r))
            .map_err(failed)?;
        Ok(json!({"relation": r, "created": !created.is_empty()}))
    }
}
