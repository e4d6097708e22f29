//! An agent's recorded versions and runs over HTTP, for the dashboard's agent
//! page: `GET /api/v1/agents/{id}/versions[/{seq}]`, `GET
//! /api/v1/agents/{id}/diff?from=A&to=B`, `POST /api/v1/agents/{id}/rollback`
//! (`{"to": SEQ}`, default the previous version, as `caxton agents rollback`)
//! and `GET /api/v1/agents/{id}/runs` (a config agent's run log, as
//! `caxton agents logs`).

use axum::Router;
use axum::extract::{Path, Query, State as Extract};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::api::{ApiResult, blocking, optional_body};
use crate::agent::{self, Agent, catalog, history, wasm};
use crate::runtime::records;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agents/{id}/versions", get(versions))
        .route("/api/v1/agents/{id}/versions/{seq}", get(version))
        .route("/api/v1/agents/{id}/diff", get(diff))
        .route("/api/v1/agents/{id}/rollback", post(rollback))
        .route("/api/v1/agents/{id}/runs", get(runs))
}

async fn versions(
    Extract(state): Extract<AppState>,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = blocking(move || {
        let a = agent::resolve(&state.cx(), &id)?;
        Ok(json!({"agent": a.id(), "type": a.kind(), "versions": a.history()}))
    })
    .await?;
    Ok(axum::Json(v))
}

async fn version(
    Extract(state): Extract<AppState>,
    Path((id, seq)): Path<(String, i64)>,
) -> ApiResult<impl IntoResponse> {
    let v = blocking(move || history::version_text(&state.cx(), &id, seq)).await?;
    Ok(axum::Json(v))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffQuery {
    from: i64,
    to: i64,
}

async fn diff(
    Extract(state): Extract<AppState>,
    Path(id): Path<String>,
    Query(q): Query<DiffQuery>,
) -> ApiResult<impl IntoResponse> {
    let d = blocking(move || history::diff(&state.cx(), &id, q.from, q.to)).await?;
    Ok(axum::Json(d))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RollbackBody {
    /// The version (`seq`) to restore; the previous one when absent.
    #[serde(default)]
    to: Option<i64>,
}

/// Restore a version and make it live, like `caxton agents rollback`
/// followed by a reload.
async fn rollback(
    Extract(state): Extract<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<impl IntoResponse> {
    // An empty body rolls back to the previous version.
    let req: RollbackBody = optional_body(&body, "rollback")?;
    let s = state.clone();
    let v = blocking(move || {
        let cx = s.cx();
        let done = match agent::resolve(&cx, &id)? {
            Agent::Wasm(a) => json!(wasm::rollback(&cx, &a, req.to)?),
            Agent::Config(e) => json!(catalog::rollback(&cx, &e.id, req.to)?),
        };
        s.rescan("rollback");
        let live = s.registry.find(&id)?.live();
        Ok(json!({"rolled_back": done, "agent": live}))
    })
    .await?;
    Ok(axum::Json(v))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunsQuery {
    limit: Option<usize>,
    #[serde(default)]
    errors: bool,
}

/// The newest runs of a config agent with their tool calls (WASM agents
/// have no run log: their executions are counted in `runs` of the agent).
async fn runs(
    Extract(state): Extract<AppState>,
    Path(id): Path<String>,
    Query(q): Query<RunsQuery>,
) -> ApiResult<impl IntoResponse> {
    let a = state.registry.find(&id)?;
    let limit = q.limit.unwrap_or(20).clamp(1, 500);
    let v = blocking(move || {
        let runs = match state.cx().store_if_exists()? {
            Some(store) => records::recent(&store, &a.id, q.errors, limit)?,
            None => Vec::new(),
        };
        Ok(json!({"agent": a.id, "runs": runs}))
    })
    .await?;
    Ok(axum::Json(v))
}
