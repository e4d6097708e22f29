//! Messaging over HTTP (README "Messaging between agents", docs/wasm-abi.md "Messaging"): `POST /api/v1/messages` (optional `wait`
//! for the reply), `GET /api/v1/conversations[/{id}]`,
//! `GET /api/v1/capabilities`. Everything goes through the daemon's one
//! `Messenger`, whose worker threads deliver what is queued.

use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State as Extract};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;

use super::AppState;
use super::api::{ApiJson, ApiResult, blocking};
use crate::error::Error;
use crate::messaging::NewMessage;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/messages", post(send))
        .route("/api/v1/conversations", get(conversations))
        .route("/api/v1/conversations/{id}", get(conversation))
        .route("/api/v1/capabilities", get(capabilities))
}

/// `wait` is a duration (`"30s"`) or a number of seconds, at most `longest`
/// (the request times out then anyway); the rest of the body is the message.
fn split_wait(mut body: Value, longest: Duration) -> Result<(NewMessage, Option<Duration>), Error> {
    let bad = |message: String| Error::BadRequest { message };
    let wait = match body.as_object_mut().and_then(|o| o.remove("wait")) {
        None | Some(Value::Null) => None,
        Some(v) => Some(crate::human::duration_value(&v).map_err(|e| bad(format!("wait: {e}")))?),
    };
    if let Some(w) = wait.filter(|w| *w > longest) {
        return Err(bad(format!(
            "wait: {} is longer than server.request_timeout ({}), after which the request fails",
            crate::human::duration(w),
            crate::human::duration(longest)
        )));
    }
    let new = serde_json::from_value(body).map_err(|e| bad(format!("message: {e}")))?;
    Ok((new, wait))
}

async fn send(
    Extract(state): Extract<AppState>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<impl IntoResponse> {
    let longest = state.cx().config().server.request_timeout;
    let (mut new, wait) = split_wait(body, longest)?;
    new.sender.get_or_insert_with(|| "api".into());
    let messenger = state.messenger.clone();
    let report = blocking(move || match wait {
        Some(wait) => messenger.ask(new, wait, None),
        None => messenger.send(new),
    })
    .await?;
    Ok(axum::Json(report))
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default = "default_limit")]
    limit: usize,
}

fn default_limit() -> usize {
    50
}

async fn conversations(
    Extract(state): Extract<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let messenger = state.messenger.clone();
    Ok(axum::Json(
        blocking(move || messenger.conversations(q.limit)).await?,
    ))
}

async fn conversation(
    Extract(state): Extract<AppState>,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let messenger = state.messenger.clone();
    Ok(axum::Json(
        blocking(move || messenger.conversation(&id)).await?,
    ))
}

async fn capabilities(Extract(state): Extract<AppState>) -> ApiResult<impl IntoResponse> {
    let messenger = state.messenger.clone();
    Ok(axum::Json(
        blocking(move || messenger.capabilities()).await?,
    ))
}
