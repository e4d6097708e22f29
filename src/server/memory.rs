//! `/api/v1/memory/*`: a thin adapter over the memory service
//! ([`crate::memory::Memory`], held by the core), which loads the embedding
//! model on first use (so start-up stays fast) and keeps the vector index in
//! memory. The REST operations are documented in docs/operations.md.

use std::time::Instant;

use axum::Router;
use axum::extract::{Path, Query, State as Extract};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::api::{ApiJson, ApiResult, blocking};
use crate::Caxton;
use crate::error::{Error, Result};
use crate::memory::graph::ObservationAdd;
use crate::memory::search::Options;
use crate::memory::{Access, Entity, MemoryScope, Relation};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/memory/status", get(status_))
        .route("/api/v1/memory/search", post(search_))
        .route("/api/v1/memory/entities", post(create_entities))
        .route(
            "/api/v1/memory/entities/{name}",
            get(neighbourhood).delete(delete_entity),
        )
        .route("/api/v1/memory/relations", post(create_relations))
        .route("/api/v1/memory/observations", post(add_observations))
        .route("/api/v1/memory/graph", get(read_graph))
}

/// Who acts: the same choices as the CLI's `--scope/--agent/--workspace`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Who {
    #[serde(default)]
    scope: Option<MemoryScope>,
    #[serde(default)]
    agent: Option<String>,
    #[serde(default)]
    workspace: Option<String>,
}

impl Who {
    /// Refuses a scope that names no owner: an entity written to the agent
    /// (or workspace) scope of nobody would be visible to nobody.
    pub(super) fn access(&self) -> Result<Access> {
        let scope = self.scope.unwrap_or(MemoryScope::Global);
        let missing = match scope {
            MemoryScope::Agent if self.agent.is_none() => Some(("agent", "the agent's name")),
            MemoryScope::Workspace if self.workspace.is_none() => {
                Some(("workspace", "the workspace name"))
            }
            _ => None,
        };
        if let Some((field, what)) = missing {
            return Err(Error::BadRequest {
                message: format!(
                    "\"scope\": \"{field}\" needs \"{field}\" ({what}); or use \"scope\": \"global\" (the default)"
                ),
            });
        }
        Ok(Access::operator(
            scope,
            self.agent.clone(),
            self.workspace.clone(),
        ))
    }
}

async fn status_(Extract(state): Extract<AppState>) -> ApiResult<impl IntoResponse> {
    let s = state.clone();
    let st = blocking(move || s.cx().memory().status(false)).await?;
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
    /// An exact vector scan instead of the two-stage search.
    #[serde(default)]
    exact: bool,
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
        let started = Instant::now();
        let access = Who {
            scope: None,
            agent: body.agent,
            workspace: body.workspace,
        }
        .access()?;
        let opts = Options {
            limit: body.limit.unwrap_or(10).clamp(1, 1000),
            entity_type: body.entity_type,
            scope: body.in_scope,
            min_similarity: body.min_similarity,
            exact: body.exact,
        };
        let found = s.cx().memory().search(&access, &body.query, &opts)?;
        s.metrics
            .memory_search
            .observe(started.elapsed().as_secs_f64());
        let mut v = json!(found);
        v["query"] = json!(body.query);
        Ok(v)
    })
    .await?;
    Ok(axum::Json(found))
}

/// After a write commits, embed what is pending so search sees it by
/// meaning. Without a model the rows stay pending (keyword search finds
/// them) and the answer says why. `backlog` is what the write left pending;
/// a blocking thread is taken only when there is a model to load or run.
async fn embed_pending(cx: &Caxton, backlog: i64) -> ApiResult<Value> {
    let e = match cx.memory().embedding_known(backlog) {
        Some(e) => e,
        None => {
            let memory = cx.memory().clone();
            blocking(move || memory.embed_pending(&mut |_, _| {})).await?
        }
    };
    Ok(match e.reason {
        None => json!(e.embedded),
        Some(reason) => json!({"embedded": 0, "reason": reason}),
    })
}

#[derive(Debug, Deserialize)]
struct EntitiesBody {
    entities: Vec<Entity>,
    #[serde(flatten)]
    who: Who,
}

/// Awaits the store's group-commit writer directly (no blocking thread):
/// answered once the transaction holding the write has committed.
async fn create_entities(
    Extract(state): Extract<AppState>,
    ApiJson(body): ApiJson<EntitiesBody>,
) -> ApiResult<impl IntoResponse> {
    let cx = state.cx();
    let written = cx
        .memory()
        .create_entities_acked(body.who.access()?, body.entities)
        .await?;
    let embedded = embed_pending(&cx, written.backlog).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        axum::Json(json!({"created": written.value, "embedded": embedded})),
    ))
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
        let created = s
            .cx()
            .memory()
            .create_relations(&body.who.access()?, &body.relations)?;
        Ok(json!({"created": created}))
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

/// Awaits the group-commit writer, as `create_entities` does.
async fn add_observations(
    Extract(state): Extract<AppState>,
    ApiJson(body): ApiJson<ObservationsBody>,
) -> ApiResult<impl IntoResponse> {
    let cx = state.cx();
    let written = cx
        .memory()
        .add_observations_acked(body.who.access()?, body.observations)
        .await?;
    let embedded = embed_pending(&cx, written.backlog).await?;
    Ok(axum::Json(
        json!({"added": written.value, "embedded": embedded}),
    ))
}

async fn delete_entity(
    Extract(state): Extract<AppState>,
    Path(name): Path<String>,
    Query(who): Query<Who>,
) -> ApiResult<impl IntoResponse> {
    let s = state.clone();
    let deleted = blocking(move || {
        let n = s
            .cx()
            .memory()
            .delete_entities(&who.access()?, std::slice::from_ref(&name))?;
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
    let g = blocking(move || s.cx().memory().read_graph(&who.access()?)).await?;
    Ok(axum::Json(g))
}

#[derive(Debug, Deserialize)]
struct NeighbourhoodQuery {
    /// Relation hops from the entity (default 1, at most 3).
    depth: Option<usize>,
    // Not `#[serde(flatten)] Who`: a flattened query string reaches
    // `depth` as text, which a number refuses.
    scope: Option<MemoryScope>,
    agent: Option<String>,
    workspace: Option<String>,
}

/// `GET /api/v1/memory/entities/{name}`: the entity with its observations,
/// its relations and its neighbours (`caxton memory graph --entity`).
async fn neighbourhood(
    Extract(state): Extract<AppState>,
    Path(name): Path<String>,
    Query(q): Query<NeighbourhoodQuery>,
) -> ApiResult<impl IntoResponse> {
    let s = state.clone();
    let depth = q.depth.unwrap_or(1).clamp(1, 3);
    let who = Who {
        scope: q.scope,
        agent: q.agent,
        workspace: q.workspace,
    };
    let g = blocking(move || {
        s.cx()
            .memory()
            .neighbourhood(&who.access()?, &name, depth, &[])
    })
    .await?;
    Ok(axum::Json(g))
}
