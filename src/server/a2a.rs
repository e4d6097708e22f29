//! A2A over HTTP ([`crate::protocol::a2a`]): the Agent Card at
//! `/.well-known/agent-card.json` and JSON-RPC at `/a2a`, behind the REST
//! API's bearer token, Host and Origin checks. Messages go through the
//! daemon's one messenger (server/mcp.rs's gateway).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};

use super::AppState;
use super::api::{ApiResult, blocking};
use super::mcp::Daemon;
use crate::protocol::{a2a, agents};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/agent-card.json", get(card))
        .route("/a2a", post(rpc))
}

/// The card names the URL the client reached (the guard has checked
/// `Host`), so it is right behind a port mapping too.
async fn card(
    Extract(state): Extract<AppState>,
    headers: HeaderMap,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(String::from);
    let s = state.clone();
    let card = blocking(move || {
        let cx = s.cx();
        let base = match host {
            Some(h) => format!("http://{h}"),
            None => super::client::Client::find(&cx)?
                .map(|c| c.url)
                .unwrap_or_default(),
        };
        Ok(a2a::card(
            &agents::deployed(&cx)?,
            &base,
            s.token().is_some(),
        ))
    })
    .await?;
    Ok(axum::Json(card))
}

async fn rpc(
    Extract(state): Extract<AppState>,
    body: Bytes,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let gateway = Arc::new(Daemon(state.clone()));
    let answer = blocking(move || Ok(a2a::handle(&body, gateway.as_ref()))).await?;
    Ok(axum::Json(answer))
}
