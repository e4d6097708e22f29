//! `/mcp`: the MCP Streamable HTTP transport ([`crate::protocol::mcp`])
//! behind the same bearer token, Host and Origin checks as the REST API.
//! Who a call acts as comes from the URL, with the REST API's choices:
//! `/mcp?scope=agent&agent=NAME` (default: global, operator's view).

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::memory::Who;
use crate::error::{Error, Result};
use crate::messaging::{Conversation, ConversationSummary, NewMessage, SendReport, Watch};
use crate::protocol::agents::{self, AgentDocument, AgentEntry, Gateway};
use crate::protocol::mcp::{self, AccessOf, McpServer};

pub fn routes(state: &AppState) -> Router<AppState> {
    let access_of: AccessOf = Arc::new(|parts| {
        let Query(who) = Query::<Who>::try_from_uri(&parts.uri).map_err(|e| Error::BadRequest {
            message: format!("/mcp query: {}", e.body_text()),
        })?;
        who.access()
    });
    let max_body = state.cx().config().server.max_body_bytes;
    let s = state.clone();
    let service = mcp::http_service(
        move || {
            McpServer::per_request(s.cx().memory().clone(), access_of.clone())
                .with_agents(Arc::new(Daemon(s.clone())))
        },
        usize::try_from(max_body).unwrap_or(usize::MAX),
    );
    Router::new()
        .route_service("/mcp", service)
        .layer(middleware::from_fn_with_state(
            usize::try_from(max_body).unwrap_or(usize::MAX),
            json_rpc_body,
        ))
}

/// A POST body that is not one MCP message is answered with the JSON-RPC
/// error ([`mcp::malformed`]) instead of the SDK's plain-text 415.
async fn json_rpc_body(State(max): State<usize>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, max).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is larger than server.max_body_bytes ({max} bytes) or was cut off"
            ),
        )
            .into_response();
    };
    if let Some(error) = mcp::malformed(&bytes) {
        return (StatusCode::BAD_REQUEST, axum::Json(error)).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Agents reached through the daemon's own messenger, whose workers
/// deliver to the agents it holds live.
pub(super) struct Daemon(pub(super) AppState);

impl Gateway for Daemon {
    fn agents(&self) -> Result<Vec<AgentEntry>> {
        agents::deployed(&self.0.cx())
    }

    fn send(
        &self,
        new: NewMessage,
        wait: std::time::Duration,
        watch: Option<Watch>,
    ) -> Result<SendReport> {
        self.0.messenger.ask(new, wait, watch)
    }

    fn document(&self, id: &str) -> Result<Option<AgentDocument>> {
        agents::document(&self.0.cx(), id)
    }

    fn conversations(&self, limit: usize) -> Result<Vec<ConversationSummary>> {
        self.0.messenger.conversations(limit)
    }

    fn conversation(&self, id: &str) -> Result<Conversation> {
        self.0.messenger.conversation(id)
    }
}
