//! What every route shares: the one place errors become HTTP responses
//! (`{"error": {code, message, details, hint, request_id}}`), request ids,
//! the bearer token check, per-request metrics and timeouts, and a JSON
//! extractor whose rejections use the same error shape.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{FromRequest, MatchedPath, Request, State as Extract};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{AppState, Shutdown};
use crate::error::Error;

pub const REQUEST_ID: &str = "x-request-id";

tokio::task_local! {
    static CURRENT_ID: String;
}

/// An [`Error`] on its way to the client.
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

pub type ApiResult<T> = std::result::Result<T, ApiError>;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status =
            StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = error_body(&e, current_request_id());
        if status.is_server_error() {
            tracing::error!(code = e.code(), "{e}");
        }
        let mut resp = (status, axum::Json(body)).into_response();
        let retry_after_s = match &e {
            Error::Overloaded { retry_after_s, .. } => Some(*retry_after_s),
            Error::PoolExhausted { .. } | Error::WriterBusy { .. } => Some(1),
            _ => None,
        };
        if let Some(s) = retry_after_s {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        resp
    }
}

/// The API's error shape, `{"error": {code, message, details, hint,
/// request_id}}`: the body of every error response, and the data of a
/// streamed execution's `error` event.
pub fn error_body(e: &Error, request_id: Option<String>) -> Value {
    json!({"error": {
        "code": e.code(),
        "message": e.to_string(),
        "details": e.details(),
        "hint": e.hint(),
        "request_id": request_id,
    }})
}

/// The id of the request being served, when called inside one.
pub fn current_request_id() -> Option<String> {
    CURRENT_ID.try_with(Clone::clone).ok()
}

/// `axum::Json` with rejections in the API's error shape: 413 for an
/// oversized body, 400 for bad JSON, 422 for JSON of the wrong shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection as R;
        let limit = req.extensions().get::<BodyLimit>().map_or(0, |l| l.0);
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(R::JsonDataError(e)) => Err(ApiError(Error::Usage {
                message: e.body_text(),
                hint: "see docs/operations.md for the request fields".into(),
            })),
            Err(R::BytesRejection(e)) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError(Error::PayloadTooLarge { limit }))
            }
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError(Error::PayloadTooLarge { limit }))
            }
            Err(e) => Err(ApiError(Error::BadRequest {
                message: e.body_text(),
            })),
        }
    }
}

/// The configured body limit, for the 413 message.
#[derive(Clone, Copy)]
struct BodyLimit(u64);

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A caller's `X-Request-Id` when it is short and printable, else a new one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(String::from)
        .unwrap_or_else(|| {
            // The pid once per process: `std::process::id` is a system call
            // (glibc no longer caches it), 1.4 % of the daemon's CPU under
            // `GET /api/v1/health` at 64 connections.
            static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
            format!(
                "{:08x}-{:06x}",
                PID.get_or_init(std::process::id),
                NEXT_ID.fetch_add(1, Ordering::Relaxed)
            )
        })
}

/// Health and readiness stay open without a token (probes, load balancers),
/// and so do the dashboard's files, which hold no data (its login form must
/// load before there is a token).
fn is_open(path: &str) -> bool {
    path.starts_with("/api/v1/health")
        || path == "/api/v1/ready"
        || path == "/metrics"
        || super::dashboard::is_asset(path)
}

pub fn authorized(state: &AppState, req: &Request) -> bool {
    authorized_headers(state, req.headers())
}

/// Whether `headers` carry the daemon's token (true when none is configured).
pub fn authorized_headers(state: &AppState, headers: &axum::http::HeaderMap) -> bool {
    let Some(token) = state.token() else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // Constant-time comparison: the token length is not secret, its bytes are.
    given.is_some_and(|g| {
        g.len() == token.len()
            && g.bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    })
}

async fn around(Extract(state): Extract<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&req);
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let method = req.method().clone();
    // Two numbers, not a clone of the whole server section (its strings,
    // host list and token) on every request.
    let (max_body_bytes, request_timeout) = {
        let cx = state.cx();
        let server = &cx.config().server;
        (server.max_body_bytes, server.request_timeout)
    };
    req.extensions_mut().insert(BodyLimit(max_body_bytes));
    // MCP tool calls and A2A messages run agents, and an MCP session's SSE
    // stream stays open.
    let long = route.ends_with("/execute")
        || route == "/api/v1/shutdown"
        || route == "/mcp"
        || route == "/a2a";
    // The request's span (exported only with a trace endpoint): a W3C
    // `traceparent` from the caller makes it part of the caller's trace.
    let span = crate::trace::span!(
        "http.request",
        otel.name = %format_args!("{method} {route}"),
        otel.kind = "server",
        http.request.method = %method,
        http.route = %route,
        http.response.status_code = tracing::field::Empty,
        caxton.request_id = %id,
        otel.status_code = tracing::field::Empty,
        otel.status_description = tracing::field::Empty,
    );
    if let Some(parent) = req.headers().get("traceparent") {
        let state = req
            .headers()
            .get("tracestate")
            .and_then(|v| v.to_str().ok());
        if let Ok(parent) = parent.to_str() {
            crate::trace::set_parent(&span, parent, state);
        }
    }
    let run = CURRENT_ID.scope(id.clone(), async {
        if !is_open(req.uri().path()) && !authorized(&state, &req) {
            return ApiError(Error::Unauthorized).into_response();
        }
        if long {
            return next.run(req).await;
        }
        match tokio::time::timeout(request_timeout, next.run(req)).await {
            Ok(r) => r,
            Err(_) => ApiError(Error::Timeout {
                seconds: request_timeout.as_secs(),
            })
            .into_response(),
        }
    });
    let mut resp = tracing::Instrument::instrument(run, span.clone()).await;
    // Integers as i64: the OpenTelemetry layer exports other integer
    // types as strings.
    span.record(
        "http.response.status_code",
        i64::from(resp.status().as_u16()),
    );
    if resp.status().is_server_error() {
        crate::trace::fail(&span, resp.status().as_str());
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    state.metrics.observe_request(
        &route,
        method.as_str(),
        resp.status().as_u16(),
        started.elapsed(),
    );
    resp
}

/// Wrap a router in the shared middleware and the body limit.
pub fn layer(router: Router<AppState>, state: AppState) -> Router {
    let limit = state.cx().config().server.max_body_bytes;
    router
        .layer(axum::extract::DefaultBodyLimit::max(
            usize::try_from(limit).unwrap_or(usize::MAX),
        ))
        .route_layer(middleware::from_fn_with_state(state.clone(), around))
        .with_state(state)
}

pub async fn not_found(req: Request) -> ApiError {
    ApiError(Error::RouteNotFound(format!(
        "no such endpoint: {} {}",
        req.method(),
        req.uri().path()
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShutdownRequest {
    /// Wait for in-flight executions (up to `timeout`); otherwise stop now.
    #[serde(default)]
    graceful: bool,
    #[serde(default, with = "humantime_serde")]
    timeout: Option<Duration>,
}

/// `POST /api/v1/shutdown`: what `caxton shutdown` sends.
pub async fn shutdown(
    Extract(state): Extract<AppState>,
    body: axum::body::Bytes,
) -> ApiResult<impl IntoResponse> {
    // An empty body is a plain (non-graceful) shutdown.
    let req: ShutdownRequest = optional_body(&body, "shutdown")?;
    let timeout = if req.graceful {
        req.timeout
            .unwrap_or(state.cx().config().server.shutdown_timeout)
    } else {
        Duration::ZERO
    };
    state.request_shutdown(Shutdown { timeout });
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(
            json!({"shutting_down": true, "graceful": req.graceful, "timeout_ms": timeout.as_millis() as u64, "pid": std::process::id()}),
        ),
    ))
}

/// A POST body that may be left out: empty (or blank) is `T::default()`,
/// so a bodiless `curl -X POST` works; anything else must be valid JSON.
pub fn optional_body<T: DeserializeOwned + Default>(body: &[u8], what: &str) -> Result<T, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| Error::BadRequest {
        message: format!("{what} body: {e}"),
    })
}

/// Run blocking core work (SQLite, WASM, embedding) off the async workers.
pub async fn blocking<T, F>(f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> crate::error::Result<T> + Send + 'static,
{
    // The work stays inside the request's span (traces).
    let span = tracing::Span::current();
    match tokio::task::spawn_blocking(move || span.in_scope(f)).await {
        Ok(r) => r.map_err(ApiError),
        Err(e) => Err(ApiError(Error::Io {
            action: "run",
            path: "a daemon worker thread".into(),
            source: std::io::Error::other(e.to_string()),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exhausted_store_pool_is_503_with_retry_after() {
        let resp = ApiError(Error::PoolExhausted {
            connections: 4,
            waited_ms: 5000,
        })
        .into_response();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(resp.headers()[header::RETRY_AFTER], "1");
    }
}
