//! Health and readiness in the runbook's shapes. `/api/v1/health` only reads
//! memory (no I/O) so it stays fast under load; the component endpoints do
//! cheap checks against the store.

use axum::Router;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};

use super::AppState;
use super::api::{ApiResult, authorized_headers, blocking};
use super::resources;
use crate::memory::embed;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/health", get(health))
        .route("/api/v1/health/detailed", get(detailed))
        .route("/api/v1/health/memory", get(memory))
        .route("/api/v1/health/agents", get(agents))
        .route("/api/v1/health/resources", get(resources_))
        .route("/api/v1/ready", get(ready))
}

fn safe_mode(state: &AppState) -> bool {
    state.cx().paths().safe_mode_marker().exists()
}

/// `healthy`, or `degraded` in safe mode or with failed agents. Still 200:
/// liveness must not restart a daemon for one bad agent file.
fn overall(safe_mode: bool, failed: usize) -> &'static str {
    if failed > 0 || safe_mode {
        "degraded"
    } else {
        "healthy"
    }
}

async fn health(Extract(state): Extract<AppState>) -> ApiResult<axum::Json<Value>> {
    let memory = state.cx().memory().clone();
    let backend = memory.backend_name();
    // An external backend that does not answer degrades the daemon (agents
    // still run; memory calls fail until it returns). It is pinged off the
    // async workers; embedded memory needs no check on this hottest route.
    let reachable = match memory.postgres() {
        None => true,
        Some(_) => blocking(move || Ok(memory.ping().is_ok())).await?,
    };
    let c = state.registry.counts();
    // One stat of the marker per request.
    let safe = safe_mode(&state);
    Ok(axum::Json(json!({
        "status": if reachable { overall(safe, c.failed) } else { "degraded" },
        "memory_backend": backend,
        "agents": c.config + c.wasm,
        "safe_mode": safe,
    })))
}

/// `loaded` once a search or write has loaded it, `available` when its
/// files are installed (it loads on first use), else `missing`.
fn model_state(state: &AppState) -> &'static str {
    if state.cx().memory().model_loaded() {
        "loaded"
    } else if embed::missing_files(&state.cx().paths().models_dir).is_empty() {
        "available"
    } else {
        "missing"
    }
}

/// A trivial query proves the database opens and answers. The error text
/// (paths, SQLite messages) is only for callers with the token: health
/// routes are open to anyone who can reach the port.
fn sqlite_status(state: &AppState, detail: bool) -> String {
    let checked = state.cx().store().and_then(|store| {
        store
            .conn()
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| crate::store::store_err(store.path(), e))?;
        Ok(store)
    });
    match checked {
        Ok(_) => "ok".into(),
        Err(e) if detail => format!("error: {e}"),
        Err(e) => {
            tracing::warn!("health check: {e}");
            "error".into()
        }
    }
}

/// The memory's own store: SQLite's status, or for PostgreSQL whether the
/// server answers (the same detail rules).
fn backend_status(state: &AppState, detail: bool) -> String {
    let memory = state.cx().memory().clone();
    if memory.postgres().is_none() {
        return sqlite_status(state, detail);
    }
    match memory.ping() {
        Ok(()) => "ok".into(),
        Err(e) if detail => format!("error: {e}"),
        Err(e) => {
            tracing::warn!("health check: {e}");
            "error".into()
        }
    }
}

fn memory_json(state: &AppState, detail: bool) -> Value {
    let cx = state.cx();
    let status = backend_status(state, detail);
    let max = cx.config().memory.max_entities;
    let usage = (status == "ok")
        .then(|| cx.memory().usage_percent().ok())
        .flatten();
    json!({
        "sqlite_status": if cx.memory().postgres().is_some() { "not used".to_string() } else { status.clone() },
        "backend_status": status,
        "embedding_model": model_state(state),
        "entities": usage.map(|p| (p / 100.0 * max.max(1) as f64).round() as u64),
        "max_entities": max,
        "usage_percent": usage.map(|p| (p * 100.0).round() / 100.0),
        "backend": cx.memory().backend_name(),
    })
}

async fn checked<F: FnOnce() -> Value + Send + 'static>(f: F) -> ApiResult<axum::Json<Value>> {
    blocking(move || Ok(axum::Json(f()))).await
}

async fn detailed(
    Extract(state): Extract<AppState>,
    headers: HeaderMap,
) -> ApiResult<axum::Json<Value>> {
    let detail = authorized_headers(&state, &headers);
    checked(move || {
        let c = state.registry.counts();
        let mem = memory_json(&state, detail);
        let sqlite_ok = mem["backend_status"] == "ok";
        let status = if sqlite_ok {
            overall(safe_mode(&state), c.failed)
        } else {
            "unhealthy"
        };
        json!({
            "status": status,
            "components": {
                "memory_system": if sqlite_ok { "ok" } else { "error" },
                "sqlite_db": mem["sqlite_status"],
                "embedding_model": mem["embedding_model"],
                "agents": {"config": c.config, "wasm": c.wasm},
            },
            "uptime_seconds": state.uptime().as_secs(),
            "safe_mode": safe_mode(&state),
            "ready": state.is_ready(),
            "executions_in_flight": state.executions_in_flight(),
            "version": env!("CARGO_PKG_VERSION"),
            "pid": std::process::id(),
        })
    })
    .await
}

async fn memory(
    Extract(state): Extract<AppState>,
    headers: HeaderMap,
) -> ApiResult<axum::Json<Value>> {
    let detail = authorized_headers(&state, &headers);
    checked(move || memory_json(&state, detail)).await
}

async fn agents(Extract(state): Extract<AppState>) -> impl IntoResponse {
    let c = state.registry.counts();
    axum::Json(json!({
        "config_agents": c.config,
        "wasm_agents": c.wasm,
        "failing": c.failing,
        "failed": c.failed,
        "running": c.running,
    }))
}

async fn resources_(Extract(state): Extract<AppState>) -> impl IntoResponse {
    let rss = resources::rss_bytes();
    let free = resources::free_disk_bytes(&state.cx().paths().data_dir);
    let round1 = |v: f64| (v * 10.0).round() / 10.0;
    axum::Json(json!({
        "memory_mb": round1(rss as f64 / 1_048_576.0),
        "cpu_percent": round1(state.resources.cpu_percent()),
        "disk_gb": free.map(|b| round1(b as f64 / 1e9)),
        "rss_bytes": rss,
        "disk_free_bytes": free,
        "cpu_seconds_total": round1(resources::cpu_seconds()),
    }))
}

async fn ready(Extract(state): Extract<AppState>) -> impl IntoResponse {
    let ready = state.is_ready();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        axum::Json(json!({"ready": ready, "agents": state.registry.len()})),
    )
}
