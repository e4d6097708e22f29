//! The HTTP accept loop with the limits `axum::serve` cannot set (issue 13,
//! item 10): a cap on open connections (`server.max_connections`; one more
//! is answered `503` with `Retry-After` and closed, so slow or idle clients
//! cannot use up the process's file descriptors) and a deadline for a
//! request's headers (`server.header_read_timeout`, which also closes idle
//! keep-alive connections: hyper starts it whenever it waits for a request
//! head). Connections are served by hyper's HTTP/1 server directly and
//! drained on shutdown like `axum::serve`'s graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

use super::api::ApiError;
use crate::error::Error;

/// How connections are bounded; from the `[server]` section.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    pub max_connections: u32,
    pub header_read_timeout: Duration,
}

/// Serve `app` on `listener` until `stop` turns true, then let open
/// connections finish their current request (the caller bounds the wait).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    stop: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1) as usize));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut stop = stop;
    let stopped = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    tokio::pin!(stopped);
    loop {
        let stream = tokio::select! {
            () = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    // Out of descriptors (EMFILE) or a connection reset
                    // before accept: back off instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tokio::spawn(refuse(stream, limits.max_connections));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // Errors here are the client's (reset, header timeout, bad HTTP).
            if let Err(e) = conn.await {
                tracing::debug!("connection closed: {e}");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The answer to a connection over the cap: a `503` in the API's error
/// shape, written without reading the request, then the connection closes.
async fn refuse(mut stream: TcpStream, max: u32) {
    let e = Error::Overloaded {
        message: format!("too many open connections (server.max_connections = {max})"),
        hint: "retry shortly; raise server.max_connections if this is normal load".into(),
        retry_after_s: 1,
    };
    let resp = ApiError(e).into_response();
    let retry = resp
        .headers()
        .get(axum::http::header::RETRY_AFTER)
        .cloned()
        .unwrap_or(HeaderValue::from_static("1"));
    let Ok(body) = axum::body::to_bytes(resp.into_body(), 64 << 10).await else {
        return;
    };
    let status = StatusCode::SERVICE_UNAVAILABLE;
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\nretry-after: {}\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        retry.to_str().unwrap_or("1"),
        body.len()
    );
    let write = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&body).await?;
        stream.shutdown().await
    };
    if let Ok(Ok(())) = tokio::time::timeout(Duration::from_secs(1), write).await {
        // Closing with the request still unread would send a reset, which
        // can destroy the answer before the client reads it: read the
        // request away until the client closes (bounded by the timeout).
        let drain = async {
            let mut buf = [0u8; 4096];
            while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
    }
}
