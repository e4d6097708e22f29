//! `/api/v1/memory/*` over the memory operations (SPEC §8). The daemon
//! keeps one vector index in memory, synced with the store per search, and
//! loads the embedding model on first use (so start-up stays fast).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::extract::{Path, Query, State as Extract};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::api::{ApiJson, ApiResult, blocking};
use crate::Caxton;
use crate::error::{Error, Result};
use crate::memory::embed::Embedder;
use crate::memory::graph::{self, ObservationAdd};
use crate::memory::index::VectorIndex;
use crate::memory::search::{self, Options};
use crate::memory::{self, Access, Entity, MemoryScope, Relation, status, vectors};
use crate::store::Store;

#[derive(Default)]
pub struct MemoryState {
    /// Loaded once, on the first search or write that needs it.
    embedder: Mutex<Option<Arc<Embedder>>>,
    index: Mutex<Option<VectorIndex>>,
}

impl MemoryState {
    pub fn model_loaded(&self) -> bool {
        self.embedder
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// The embedder, or why semantic search is unavailable. Missing model
    /// files are not an error (keyword search still works); a failed load is.
    fn embedder(&self, cx: &Caxton) -> Result<std::result::Result<Arc<Embedder>, String>> {
        let mut slot = self.embedder.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = slot.as_ref() {
            return Ok(Ok(e.clone()));
        }
        match Embedder::load(&cx.paths().models_dir) {
            Ok(e) => {
                let e = Arc::new(e);
                *slot = Some(e.clone());
                tracing::info!("embedding model loaded");
                Ok(Ok(e))
            }
            Err(Error::ModelMissing { dir }) => Ok(Err(format!(
                "embedding model not found in {}; run scripts/fetch-models or set CAXTON_MODELS_DIR",
                dir.display()
            ))),
            Err(e) => Err(e),
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/memory/status", get(status_))
        .route("/api/v1/memory/search", post(search_))
        .route("/api/v1/memory/entities", post(create_entities))
        .route("/api/v1/memory/entities/{name}", delete(delete_entity))
        .route("/api/v1/memory/relations", post(create_relations))
        .route("/api/v1/memory/observations", post(add_observations))
        .route("/api/v1/memory/graph", get(read_graph))
}

/// Who acts: the same choices as the CLI's `--scope/--agent/--workspace`.
#[derive(Debug, Default, Deserialize)]
struct Who {
    #[serde(default)]
    scope: Option<MemoryScope>,
    #[serde(default)]
    agent: Option<String>,
    #[serde(default)]
    workspace: Option<String>,
}

impl Who {
    fn access(&self) -> Access {
        Access::operator(
            self.scope.unwrap_or(MemoryScope::Global),
            self.agent.clone(),
            self.workspace.clone(),
        )
    }
}

async fn status_(Extract(state): Extract<AppState>) -> ApiResult<impl IntoResponse> {
    let s = state.clone();
    let st = blocking(move || {
        let cx = s.cx();
        let store = cx.store()?;
        let dirs = status::Dirs {
            models: &cx.paths().models_dir,
            cache: cx.paths().cache_dir(),
        };
        status::status(&store, &dirs, cx.config().memory.max_entities, false)
    })
    .await?;
    Ok(axum::Json(st))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchBody {
    query: String,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    entity_type: Option<String>,
    #[serde(default)]
    in_scope: Option<MemoryScope>,
    #[serde(default)]
    min_similarity: Option<f32>,
    #[serde(default)]
    agent: Option<String>,
    #[serde(default)]
    workspace: Option<String>,
}

async fn search_(
    Extract(state): Extract<AppState>,
    ApiJson(body): ApiJson<SearchBody>,
) -> ApiResult<impl IntoResponse> {
    let s = state.clone();
    let found = blocking(move || {
        let cx = s.cx();
        let started = Instant::now();
        let mut store = cx.store()?;
        let access = Who {
            scope: None,
            agent: body.agent.clone(),
            workspace: body.workspace.clone(),
        }
        .access();
        let opts = Options {
            limit: body.limit.unwrap_or(10).clamp(1, 1000),
            entity_type: body.entity_type.clone(),
            scope: body.in_scope,
        };
        let embedder = s.memory.embedder(&cx)?;
        let mut guard = s.memory.index.lock().unwrap_or_else(|p| p.into_inner());
        let (found, load) = match &embedder {
            Ok(e) => {
                let load = match guard.as_mut() {
                    Some(index) => index.sync(&store)?,
                    None => {
                        let (index, load) =
                            memory::index::open_cached(&store, &cx.paths().cache_dir())?;
                        *guard = Some(index);
                        load
                    }
                };
                let index = guard.as_ref().ok_or_else(|| Error::Embedding {
                    message: "vector index unavailable".into(),
                })?;
                let semantic = Ok(search::Semantic { embedder: e, index });
                let f = search::search(
                    &store,
                    &access,
                    semantic,
                    &body.query,
                    body.min_similarity,
                    &opts,
                )?;
                (f, Some(load))
            }
            Err(reason) => {
                let f = search::search(
                    &store,
                    &access,
                    Err(reason.clone()),
                    &body.query,
                    body.min_similarity,
                    &opts,
                )?;
                (f, None)
            }
        };
        drop(guard);
        let took = started.elapsed();
        status::record_search(
            &mut store,
            &status::SearchRecord {
                query: &body.query,
                duration: took,
                mode: found.mode,
                index_load: load,
                results: found.results.len(),
            },
        )?;
        s.metrics.memory_search.observe(took.as_secs_f64());
        let mut v = json!(found);
        v["query"] = json!(body.query);
        Ok(v)
    })
    .await?;
    Ok(axum::Json(found))
}

/// After a write commits, embed what is pending so search sees it by
/// meaning. Without a model the rows stay pending (keyword search finds them).
fn embed_pending(s: &AppState, store: &mut Store) -> Result<Value> {
    if vectors::backlog(store)? == 0 {
        return Ok(json!(0));
    }
    match s.memory.embedder(&s.cx())? {
        Ok(e) => Ok(json!(vectors::embed_backlog(store, &e, &mut |_, _| {})?)),
        Err(reason) => Ok(json!({"embedded": 0, "reason": reason})),
    }
}

#[derive(Debug, Deserialize)]
struct EntitiesBody {
    entities: Vec<Entity>,
    #[serde(flatten)]
    who: Who,
}

async fn create_entities(
    Extract(state): Extract<AppState>,
    ApiJson(body): ApiJson<EntitiesBody>,
) -> ApiResult<impl IntoResponse> {
    let s = state.clone();
    let v = blocking(move || {
        let mut store = s.cx().store()?;
        let created = graph::create_entities(&mut store, &body.who.access(), &body.entities)?;
        let embedded = embed_pending(&s, &mut store)?;
        Ok(json!({"created": created, "embedded": embedded}))
    })
    .await?;
    Ok((axum::http::StatusCode::CREATED, axum::Json(v)))
}

#[derive(Debug, Deserialize)]
struct RelationsBody {
    relations: Vec<Relation>,
    #[serde(flatten)]
    who: Who,
}

async fn create_relations(
    Extract(state): Extract<AppState>,
    ApiJson(body): ApiJson<RelationsBody>,
) -> ApiResult<impl IntoResponse> {
    let s = state.clone();
    let v = blocking(move || {
        let mut store = s.cx().store()?;
        Ok(json!({"created": graph::create_relations(&mut store, &body.who.access(), &body.relations)?}))
    })
    .await?;
    Ok((axum::http::StatusCode::CREATED, axum::Json(v)))
}

#[derive(Debug, Deserialize)]
struct ObservationsBody {
    observations: Vec<ObservationAdd>,
    #[serde(flatten)]
    who: Who,
}

async fn add_observations(
    Extract(state): Extract<AppState>,
    ApiJson(body): ApiJson<ObservationsBody>,
) -> ApiResult<impl IntoResponse> {
    let s = state.clone();
    let v = blocking(move || {
        let mut store = s.cx().store()?;
        let added = graph::add_observations(&mut store, &body.who.access(), &body.observations)?;
        let embedded = embed_pending(&s, &mut store)?;
        Ok(json!({"added": added, "embedded": embedded}))
    })
    .await?;
    Ok(axum::Json(v))
}

async fn delete_entity(
    Extract(state): Extract<AppState>,
    Path(name): Path<String>,
    Query(who): Query<Who>,
) -> ApiResult<impl IntoResponse> {
    let s = state.clone();
    let deleted = blocking(move || {
        let mut store = s.cx().store()?;
        let n = graph::delete_entities(&mut store, &who.access(), std::slice::from_ref(&name))?;
        if n == 0 {
            return Err(Error::EntityNotFound { name });
        }
        Ok(n)
    })
    .await?;
    Ok(axum::Json(json!({"deleted": deleted})))
}

async fn read_graph(
    Extract(state): Extract<AppState>,
    Query(who): Query<Who>,
) -> ApiResult<impl IntoResponse> {
    let s = state.clone();
    let g = blocking(move || graph::load_graph(&s.cx().store()?, &who.access(), None)).await?;
    Ok(axum::Json(g))
}
