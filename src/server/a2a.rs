//! A2A over HTTP ([`crate::protocol::a2a`]): the Agent Card at
//! `/.well-known/agent-card.json` and JSON-RPC at `/a2a`, behind the REST
//! API's bearer token, Host and Origin checks. Messages go through the
//! daemon's one messenger (server/mcp.rs's gateway).

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
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

async fn rpc(Extract(state): Extract<AppState>, body: Bytes) -> ApiResult<Response> {
    let gateway = Arc::new(Daemon(state.clone()));
    let g = gateway.clone();
    let answer = blocking(move || Ok(a2a::handle(&body, g.as_ref()))).await?;
    let streamed = match answer {
        a2a::Answer::Json(v) => return Ok(axum::Json(v).into_response()),
        a2a::Answer::Stream(s) => s,
    };
    // A stream has a handful of events (task, working, final): unbounded
    // is bounded. The exchange goes on to its end if the client leaves.
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let mut send = move |v: serde_json::Value| {
        let _ = tx.send(Event::default().data(v.to_string()));
    };
    match streamed {
        Ok(s) => {
            tokio::task::spawn_blocking(move || a2a::stream(s, gateway.as_ref(), &mut send));
        }
        Err(e) => send(e),
    }
    let events = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok::<_, Infallible>(e), rx))
    });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response())
}
